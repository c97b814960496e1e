/* A process alone in its pid namespace, as getpid(2), gettid(2), kill(2),
 * tgkill(2), wait(2), setpgid(2), setsid(2), pidfd_open(2), prctl(2),
 * proc(5) and pid_namespaces(7) describe it: no fork, so that it runs in an
 * enclave too. With the argument "fork", the checks that need a child
 * follow (SIGCHLD handler, wait statuses). Runs as process 1 (natively
 * under `unshare --pid --fork`, or under geode); prints one line per check
 * and the failures. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define OUTSIDE 3999999 /* a pid no process of the tree has */

static int fails;
static volatile sig_atomic_t got_usr1, got_chld;
static pid_t thread_tid;
static int gate[2];

static void check(int cond, const char *what)
{
    fails += !cond;
    printf("%s %s\n", cond ? "pass" : "FAIL", what);
}

static int err(long r, int e) { return r == -1 && errno == e; }
static void on_usr1(int sig) { (void)sig; got_usr1++; }
static void on_chld(int sig) { (void)sig; got_chld++; }

static void *thread_main(void *arg)
{
    char c;
    (void)arg;
    thread_tid = (pid_t)syscall(SYS_gettid);
    return read(gate[0], &c, 1) == 1 ? NULL : arg;
}

/* /proc/<who>/stat: fields 3..8 (state ppid pgrp session tty tpgid), 20
 * (num_threads) and the comm. */
struct stat_line {
    char comm[32], state;
    int pid, ppid, pgrp, sid, threads;
};

static int read_stat(const char *who, struct stat_line *s)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%s/stat", who);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    if (!open || !close)
        return -1;
    memset(s, 0, sizeof(*s));
    snprintf(s->comm, sizeof(s->comm), "%.*s", (int)(close - open - 1), open + 1);
    s->pid = atoi(buf);
    long v[18];
    if (sscanf(close + 2, "%c %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld",
               &s->state, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
               &v[10], &v[11], &v[12], &v[13], &v[14], &v[15], &v[16]) != 18)
        return -1;
    s->ppid = (int)v[0], s->pgrp = (int)v[1], s->sid = (int)v[2], s->threads = (int)v[16];
    return 0;
}

static int count_entries(const char *dir, int *only)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
            n++, *only = atoi(e->d_name);
    closedir(d);
    return n;
}

static void identity(void)
{
    check(getpid() == 1 && getppid() == 0, "the first process is 1, its parent 0");
    check(syscall(SYS_gettid) == 1, "the main thread's tid is 1");
    pthread_t th;
    pipe(gate);
    pthread_create(&th, NULL, thread_main, NULL);
    while (!__atomic_load_n(&thread_tid, __ATOMIC_SEQ_CST))
        usleep(1000);
    check(thread_tid > 1, "a thread has a tid of its own");
    check(syscall(SYS_tgkill, 1, thread_tid, 0) == 0, "tgkill(1, the thread's tid, 0)");
    check(err(syscall(SYS_tgkill, OUTSIDE, thread_tid, 0), ESRCH), "tgkill with another tgid: ESRCH");
    struct stat_line s;
    int only = 0;
    check(read_stat("self", &s) == 0 && s.threads == 2, "/proc/self/stat: 2 threads");
    check(count_entries("/proc/self/task", &only) == 2, "/proc/self/task: 2 entries");
    write(gate[1], "x", 1);
    pthread_join(th, NULL);
    int gone = 0;
    for (int i = 0; i < 1000 && !gone; i++) {
        gone = err(syscall(SYS_tgkill, 1, thread_tid, 0), ESRCH);
        if (!gone)
            usleep(1000);
    }
    check(gone, "the thread's tid is gone once it ended");
    check(count_entries("/proc/self/task", &only) == 1 && only == 1, "/proc/self/task: 1 entry, 1");
    check(count_entries("/proc", &only) == 1 && only == 1, "/proc lists process 1 alone");
}

static void waits(void)
{
    int st = 0;
    siginfo_t si;
    check(err(waitpid(-1, &st, 0), ECHILD), "waitpid(-1) without children: ECHILD");
    check(err(waitpid(-1, &st, WNOHANG), ECHILD), "waitpid(-1, WNOHANG) without children: ECHILD");
    check(err(waitpid(0, &st, 0), ECHILD), "waitpid(0) without children: ECHILD");
    check(err(waitpid(OUTSIDE, &st, 0), ECHILD), "waitpid of a pid outside the tree: ECHILD");
    check(err(waitid(P_ALL, 0, &si, WEXITED), ECHILD), "waitid(P_ALL) without children: ECHILD");
}

static void signals(void)
{
    signal(SIGUSR1, on_usr1);
    check(kill(getpid(), SIGUSR1) == 0 && got_usr1 == 1, "kill(getpid(), SIGUSR1) reaches the handler");
    check(kill(1, 0) == 0, "kill(1, 0)");
    check(err(kill(OUTSIDE, 0), ESRCH) && err(kill(OUTSIDE, SIGKILL), ESRCH),
          "kill of a pid outside the tree: ESRCH");
    check(err(kill(-OUTSIDE, SIGKILL), ESRCH), "kill of a group outside the tree: ESRCH");
    check(err(kill(-1, SIGKILL), ESRCH), "kill(-1, SIGKILL) from process 1 alone: ESRCH (reaches nobody)");
    check(err(syscall(SYS_tkill, OUTSIDE, 0), ESRCH), "tkill of a tid outside the tree: ESRCH");
    check(err(kill(1, 65), EINVAL), "kill with signal 65: EINVAL");
}

static void groups(void)
{
    check(setpgid(0, 0) == 0 && getpgrp() == 1 && getpgid(0) == 1 && getpgid(1) == 1,
          "process 1 leads a group of its own");
    check(err(setsid(), EPERM), "setsid as a group leader: EPERM");
    pid_t sid = getsid(0);
    check(sid == 0 || sid == 1, "getsid(0): its session's leader, 0 when outside the namespace");
    check(getsid(1) == sid, "getsid(1) = getsid(0)");
    check(err(getpgid(OUTSIDE), ESRCH) && err(getsid(OUTSIDE), ESRCH), "getpgid/getsid outside the tree: ESRCH");
    check(err(setpgid(OUTSIDE, 0), ESRCH), "setpgid outside the tree: ESRCH");
    check(err(setpgid(0, OUTSIDE), EPERM), "setpgid into a group that does not exist: EPERM");
    got_usr1 = 0;
    check(kill(0, SIGUSR1) == 0 && got_usr1 == 1, "kill(0) reaches the caller");
    struct stat_line s;
    check(read_stat("self", &s) == 0 && s.pid == 1 && s.ppid == 0 && s.pgrp == 1 && s.sid == sid &&
          s.threads == 1 && s.state == 'R', "/proc/self/stat: pid 1, ppid 0, pgrp 1, session, 1 thread, R");
    check(read_stat("1", &s) == 0 && s.pid == 1, "/proc/1/stat");
    char who[16];
    snprintf(who, sizeof(who), "%d", OUTSIDE);
    check(read_stat(who, &s) == -1 && errno == ENOENT, "/proc/<outside>/stat: ENOENT");
}

static void misc(void)
{
    struct stat_line s;
    char comm[32] = {0};
    check(prctl(PR_SET_NAME, "renamed-process") == 0, "prctl(PR_SET_NAME)");
    FILE *f = fopen("/proc/self/comm", "r");
    if (f) {
        if (!fgets(comm, sizeof(comm), f))
            comm[0] = 0;
        fclose(f);
    }
    check(strcmp(comm, "renamed-process\n") == 0, "/proc/self/comm is the new name");
    check(read_stat("self", &s) == 0 && strcmp(s.comm, "renamed-process") == 0,
          "/proc/self/stat's comm is the new name");
    int sig = -1;
    check(prctl(PR_SET_PDEATHSIG, SIGUSR1) == 0 && prctl(PR_GET_PDEATHSIG, &sig) == 0 && sig == SIGUSR1,
          "prctl(PR_SET_PDEATHSIG) and PR_GET_PDEATHSIG");
    prctl(PR_SET_PDEATHSIG, 0);
    check(err(syscall(SYS_pidfd_open, OUTSIDE, 0), ESRCH), "pidfd_open outside the tree: ESRCH");
    int fd = (int)syscall(SYS_pidfd_open, 1, 0);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    check(fd >= 0 && poll(&p, 1, 0) == 0, "pidfd_open(1): a live process, not readable");
    if (fd >= 0)
        close(fd);
}

/* With a child: SIGCHLD reaches a handler, waitpid reports exit codes and
 * deaths by signal. */
static void children(void)
{
    struct sigaction sa = {.sa_handler = on_chld};
    sigaction(SIGCHLD, &sa, NULL);
    int st = 0;
    pid_t c = fork();
    if (c < 0) {
        printf("fork: %s\n", strerror(errno));
        fails++;
        return;
    }
    if (c == 0)
        _exit(getpid() > 1 && getppid() == 1 ? 42 : 1);
    pid_t w = waitpid(c, &st, 0);
    for (int i = 0; i < 1000 && !got_chld; i++)
        usleep(1000);
    check(c > 1 && w == c && WIFEXITED(st) && WEXITSTATUS(st) == 42, "a child's exit code through waitpid");
    check(got_chld >= 1, "SIGCHLD reaches the parent's handler");
    c = fork();
    if (c == 0) {
        for (;;)
            pause();
    }
    check(kill(c, SIGKILL) == 0 && waitpid(c, &st, 0) == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
          "a child killed by SIGKILL: WTERMSIG");
    check(err(waitpid(-1, &st, WNOHANG), ECHILD), "no child left: ECHILD");
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    identity();
    waits();
    signals();
    groups();
    misc();
    if (argc > 1 && strcmp(argv[1], "fork") == 0)
        children();
    printf("failures=%d\n", fails);
    return fails ? 1 : 0;
}
