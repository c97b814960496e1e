// modes: direct sim
/* prctl(2) settings: PR_SET_NAME/PR_GET_NAME (a thread's own name, as
 * /proc/self/comm and /proc/self/task/TID/comm show it), PR_SET_PDEATHSIG
 * and PR_GET_PDEATHSIG, PR_SET_DUMPABLE and PR_GET_DUMPABLE,
 * PR_SET_NO_NEW_PRIVS and PR_GET_NO_NEW_PRIVS, PR_SET_CHILD_SUBREAPER and
 * its GET, PR_SET_TIMERSLACK and PR_GET_TIMERSLACK, PR_SET_KEEPCAPS,
 * PR_SET_THP_DISABLE, PR_GET_TSC, PR_CAPBSET_READ, PR_GET_SECCOMP and an
 * unknown option. */
#include "conf.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static void show_file(const char *what, const char *path)
{
    char buf[64] = {0};
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
    if (fd >= 0)
        close(fd);
    if (n < 0)
        say("%s: -1 %s\n", what, ename(errno));
    else
        say("%s: \"%.*s\"\n", what, (int)strcspn(buf, "\n"), buf);
}

static void show_name(const char *what)
{
    char n[32];
    memset(n, 'x', sizeof(n));
    long r = prctl(PR_GET_NAME, n);
    if (r)
        say("%s: -1 %s\n", what, ename(errno));
    else
        say("%s: \"%s\"\n", what, n);
}

static pid_t main_tid;

static void *thread_fn(void *arg)
{
    (void)arg;
    show_name("thread's PR_GET_NAME at start");
    chk("thread's PR_SET_NAME worker", prctl(PR_SET_NAME, "worker"));
    show_name("thread's PR_GET_NAME");
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)syscall(SYS_gettid));
    show_file("its /proc/self/task/TID/comm", path);
    snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)main_tid);
    show_file("the main thread's task comm", path);
    return NULL;
}

int main(void)
{
    int v;

    chk("PR_SET_NAME a 24-character name", prctl(PR_SET_NAME, "conf-name-0123456789abcd"));
    show_name("PR_GET_NAME");
    show_file("/proc/self/comm", "/proc/self/comm");
    chk("PR_GET_NAME bad pointer", prctl(PR_GET_NAME, BAD));
    chk("PR_SET_NAME bad pointer", prctl(PR_SET_NAME, BAD));
    main_tid = getpid();
    pthread_t th;
    if (pthread_create(&th, NULL, thread_fn, NULL) == 0)
        pthread_join(th, NULL);
    show_name("main's PR_GET_NAME after the thread's");
    show_file("/proc/self/comm", "/proc/self/comm");

    chk("PR_SET_PDEATHSIG 65", prctl(PR_SET_PDEATHSIG, 65));
    chk("PR_SET_PDEATHSIG -1", prctl(PR_SET_PDEATHSIG, -1L));
    chk("PR_SET_PDEATHSIG SIGUSR2", prctl(PR_SET_PDEATHSIG, SIGUSR2));
    v = -1;
    chk("PR_GET_PDEATHSIG", prctl(PR_GET_PDEATHSIG, &v));
    say("pdeathsig is SIGUSR2: %s\n", v == SIGUSR2 ? "yes" : "no");
    chk("PR_GET_PDEATHSIG bad pointer", prctl(PR_GET_PDEATHSIG, BAD));
    chk("PR_SET_PDEATHSIG 0", prctl(PR_SET_PDEATHSIG, 0));
    prctl(PR_GET_PDEATHSIG, &v);
    say("pdeathsig: %d\n", v);

    val("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE));
    chk("PR_SET_DUMPABLE 2", prctl(PR_SET_DUMPABLE, 2));
    chk("PR_SET_DUMPABLE 0", prctl(PR_SET_DUMPABLE, 0));
    val("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE));
    chk("PR_SET_DUMPABLE 1", prctl(PR_SET_DUMPABLE, 1));
    val("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE));

    val("PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    chk("PR_SET_NO_NEW_PRIVS 0", prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0));
    chk("PR_SET_NO_NEW_PRIVS 1, arg3 1", prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0));
    chk("PR_SET_NO_NEW_PRIVS 1", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    val("PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    chk("PR_GET_NO_NEW_PRIVS arg2 1", prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0));

    chk("PR_SET_CHILD_SUBREAPER 1", prctl(PR_SET_CHILD_SUBREAPER, 1));
    v = -1;
    chk("PR_GET_CHILD_SUBREAPER", prctl(PR_GET_CHILD_SUBREAPER, &v));
    say("subreaper: %d\n", v);
    chk("PR_GET_CHILD_SUBREAPER bad pointer", prctl(PR_GET_CHILD_SUBREAPER, BAD));
    chk("PR_SET_CHILD_SUBREAPER 0", prctl(PR_SET_CHILD_SUBREAPER, 0));
    prctl(PR_GET_CHILD_SUBREAPER, &v);
    say("subreaper: %d\n", v);

    long slack = prctl(PR_GET_TIMERSLACK);
    say("PR_GET_TIMERSLACK > 0: %s\n", slack > 0 ? "yes" : "no");
    chk("PR_SET_TIMERSLACK 123456", prctl(PR_SET_TIMERSLACK, 123456));
    val("PR_GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK));
    chk("PR_SET_TIMERSLACK 0 (the default again)", prctl(PR_SET_TIMERSLACK, 0));
    say("PR_GET_TIMERSLACK is the first value: %s\n",
        prctl(PR_GET_TIMERSLACK) == slack ? "yes" : "no");

    val("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS));
    chk("PR_SET_KEEPCAPS 2", prctl(PR_SET_KEEPCAPS, 2));

    val("PR_GET_THP_DISABLE", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
    chk("PR_SET_THP_DISABLE 1", prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0));
    val("PR_GET_THP_DISABLE", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
    chk("PR_SET_THP_DISABLE 0", prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0));
    chk("PR_SET_THP_DISABLE 1, arg3 1", prctl(PR_SET_THP_DISABLE, 1, 1, 0, 0));

    v = -1;
    chk("PR_GET_TSC", prctl(PR_GET_TSC, &v));
    say("tsc: %s\n", v == PR_TSC_ENABLE ? "PR_TSC_ENABLE" : "other");

    val("PR_CAPBSET_READ CAP_CHOWN", prctl(PR_CAPBSET_READ, CAP_CHOWN));
    chk("PR_CAPBSET_READ 99", prctl(PR_CAPBSET_READ, 99));
    val("PR_GET_SECCOMP", prctl(PR_GET_SECCOMP));
    chk("option 0x7fffffff", prctl(0x7fffffff, 0, 0, 0, 0));
    chk("option 0", prctl(0, 0, 0, 0, 0));
    return 0;
}
