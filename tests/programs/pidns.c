/* Process identity in a pid namespace, from getpid(2), gettid(2),
 * kill(2), tgkill(2), wait(2), waitid(2), setpgid(2), pidfd_open(2) and
 * pid_namespaces(7). Runs as process 1 (natively under `unshare --pid
 * --fork`, or under geode); prints one line per check and the failures. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define OUTSIDE 3999999 /* a pid no process of the tree has */
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int fails;
static volatile sig_atomic_t got_usr1, got_usr2;
static pid_t thread_tid;

static void check(int cond, const char *what)
{
    fails += !cond;
    printf("%s %s\n", cond ? "pass" : "FAIL", what);
}

static int err(long r, int e) { return r == -1 && errno == e; }
static void on_usr1(int sig) { (void)sig; got_usr1 = 1; }
static void on_usr2(int sig) { (void)sig; got_usr2 = 1; }

static void *thread_main(void *arg)
{
    (void)arg;
    thread_tid = (pid_t)syscall(SYS_gettid);
    return NULL;
}

/* A child that writes its getpid() and getppid() to fd, then exits with 7. */
static pid_t reporter(int fd)
{
    pid_t c = fork();
    if (c == 0) {
        pid_t ids[2] = {getpid(), getppid()};
        _exit(write(fd, ids, sizeof(ids)) == sizeof(ids) ? 7 : 1);
    }
    return c;
}

static pid_t sleeper(void)
{
    pid_t c = fork();
    if (c == 0) {
        for (;;)
            pause();
    }
    return c;
}

static void identity(void)
{
    check(getpid() == 1 && getppid() == 0, "the first process is 1, its parent 0");
    check(syscall(SYS_gettid) == getpid(), "the main thread's tid is the pid");
    pthread_t th;
    pthread_create(&th, NULL, thread_main, NULL);
    pthread_join(th, NULL);
    check(thread_tid > 1, "a thread has a tid of its own");
    int p[2];
    pipe(p);
    pid_t c = reporter(p[1]), ids[2] = {0, 0};
    read(p[0], ids, sizeof(ids));
    int st = 0;
    pid_t w = waitpid(c, &st, 0);
    check(c > 1 && c != thread_tid, "a child's pid is not a thread's tid");
    check(ids[0] == c && ids[1] == getpid(), "the child sees its pid and its parent's");
    check(w == c && WIFEXITED(st) && WEXITSTATUS(st) == 7, "waitpid returns the child's pid and status");
    check(err(waitpid(c, &st, WNOHANG), ECHILD), "a reaped child is gone (ECHILD)");
    check(err(waitpid(OUTSIDE, &st, 0), ECHILD), "waitpid of a pid outside the tree: ECHILD");
    close(p[0]);
    close(p[1]);
}

static void signals(void)
{
    signal(SIGUSR1, on_usr1);
    pid_t c = sleeper();
    int st = 0;
    check(kill(c, 0) == 0 && kill(c, SIGTERM) == 0, "kill(child) succeeds");
    check(waitpid(c, &st, 0) == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
          "the child dies of SIGTERM");
    check(err(kill(c, 0), ESRCH), "kill of a reaped child: ESRCH");
    check(err(kill(OUTSIDE, 0), ESRCH) && err(kill(OUTSIDE, SIGKILL), ESRCH),
          "kill of a pid outside the tree: ESRCH");
    check(err(kill(-OUTSIDE, SIGKILL), ESRCH), "kill of a group outside the tree: ESRCH");
    c = fork();
    if (c == 0)
        _exit(kill(getppid(), SIGUSR1) == 0 ? 0 : 1);
    waitpid(c, &st, 0);
    for (int i = 0; i < 1000 && !got_usr1; i++)
        usleep(1000);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0 && got_usr1, "kill(getppid()) from a child reaches the parent's handler");
    check(kill(getpid(), 0) == 0 && syscall(SYS_tgkill, getpid(), getpid(), 0) == 0,
          "kill and tgkill of oneself");
    check(err(syscall(SYS_tgkill, getpid(), OUTSIDE, 0), ESRCH) &&
          err(syscall(SYS_tkill, OUTSIDE, 0), ESRCH), "tgkill/tkill of a tid outside the tree: ESRCH");
    check(err(syscall(SYS_tgkill, getpid(), 0, 0), EINVAL), "tgkill with tid 0: EINVAL");
    c = sleeper();
    siginfo_t si = {.si_signo = SIGUSR1, .si_code = SI_USER};
    check(err(syscall(SYS_rt_sigqueueinfo, c, SIGUSR1, &si), EPERM),
          "rt_sigqueueinfo with SI_USER to another process: EPERM");
    check(sigqueue(c, SIGTERM, (union sigval){.sival_int = 5}) == 0, "sigqueue to a child");
    check(waitpid(c, &st, 0) == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
          "the child dies of the queued SIGTERM");
    check(err(sigqueue(OUTSIDE, SIGTERM, (union sigval){0}), ESRCH), "sigqueue outside the tree: ESRCH");
}

/* Process 1 gets from inside only the signals it has a handler for; a
 * process whose parent ended is adopted by process 1. */
static void init_rules(void)
{
    int st = 0;
    pid_t c = fork();
    if (c == 0)
        _exit(kill(1, SIGTERM) == 0 && kill(1, SIGKILL) == 0 ? 0 : 1);
    waitpid(c, &st, 0);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "process 1 ignores SIGTERM/SIGKILL it has no handler for");
    int p[2];
    pipe(p);
    c = fork();
    if (c == 0) {
        pid_t g = fork();
        if (g == 0) {
            while (getppid() != 1)
                usleep(1000);
            pid_t ids[2] = {getpid(), getppid()};
            _exit(write(p[1], ids, sizeof(ids)) == sizeof(ids) ? 9 : 1);
        }
        _exit(write(p[1], &g, sizeof(g)) == sizeof(g) ? 0 : 1);
    }
    pid_t g = 0, ids[2] = {0, 0};
    read(p[0], &g, sizeof(g));
    waitpid(c, &st, 0);
    read(p[0], ids, sizeof(ids));
    pid_t w = waitpid(-1, &st, 0);
    check(ids[0] == g && ids[1] == 1, "an orphan's parent becomes 1");
    check(w == g && WIFEXITED(st) && WEXITSTATUS(st) == 9, "process 1 reaps the orphan");
    close(p[0]);
    close(p[1]);
}

/* kill(-1) from a child: every process but itself and process 1. */
static void kill_all(void)
{
    signal(SIGUSR2, on_usr2);
    pid_t a = sleeper();
    int st = 0;
    pid_t c = fork();
    if (c == 0)
        _exit(kill(-1, SIGTERM) == 0 ? 0 : 1);
    waitpid(c, &st, 0);
    int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    check(ok && waitpid(a, &st, 0) == a && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
          "kill(-1) from a child reaches its sibling");
    check(err(kill(-1, SIGTERM), ESRCH), "kill(-1) from process 1 alone: ESRCH");
}

static void groups(void)
{
    pid_t a = sleeper(), b = sleeper();
    setpgid(a, a);
    check(setpgid(b, a) == 0 && getpgid(a) == a && getpgid(b) == a, "setpgid/getpgid on children");
    check(err(getpgid(OUTSIDE), ESRCH) && err(getsid(OUTSIDE), ESRCH), "getpgid/getsid outside the tree: ESRCH");
    check(err(setpgid(OUTSIDE, 0), ESRCH), "setpgid outside the tree: ESRCH");
    check(kill(-a, SIGTERM) == 0, "kill(-pgid)");
    int st, n = 0;
    for (int i = 0; i < 2; i++) {
        pid_t w = waitpid(-a, &st, 0);
        n += (w == a || w == b) && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;
    }
    check(n == 2, "both members die and waitpid(-pgid) reaps them");
    /* Natively, kill(0) reaches the whole host group, even outside the
     * namespace: first a group of our own. */
    got_usr1 = 0;
    check(setpgid(0, 0) == 0 && getpgrp() == 1, "process 1 leads a group of its own");
    check(kill(0, SIGUSR1) == 0 && got_usr1, "kill(0) reaches the caller");
    pid_t s = fork();
    if (s == 0)
        _exit(setsid() == getpid() && getsid(0) == getpid() && getpgrp() == getpid() ? 0 : 1);
    waitpid(s, &st, 0);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "setsid in a child");
}

static void pidfds(void)
{
    check(err(syscall(SYS_pidfd_open, OUTSIDE, 0), ESRCH), "pidfd_open outside the tree: ESRCH");
    pid_t c = sleeper();
    int fd = (int)syscall(SYS_pidfd_open, c, 0);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    check(fd >= 0 && poll(&p, 1, 0) == 0, "pidfd_open of a live child: not readable");
    check(syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0) == 0, "pidfd_send_signal");
    check(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN), "the pidfd becomes readable");
    siginfo_t si = {0};
    check(waitid(P_PIDFD, fd, &si, WEXITED) == 0 && si.si_pid == c && si.si_code == CLD_KILLED &&
          si.si_status == SIGTERM, "waitid(P_PIDFD) reports the child");
    close(fd);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    identity();
    signals();
    init_rules();
    kill_all();
    groups();
    pidfds();
    printf("failures=%d\n", fails);
    return fails ? 1 : 0;
}
