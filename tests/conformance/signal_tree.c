// modes: direct sim
/* Signals one process sends another (kill(2), sigqueue(3)), whatever the
 * signal: SIGURG to a signalfd (a PostgreSQL latch), SIGPROF, SIGXCPU,
 * SIGSEGV and SIGSYS to handlers, with the sender's pid and sigqueue's
 * value; a signal ignored by default that the receiver blocks stays
 * pending; signalfd's record names the sender and, for SIGCHLD, the
 * child's status. */
#include "conf.h"
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>

static volatile sig_atomic_t got_sig, got_code, got_from_child, got_value, stop_sleeper;
static volatile pid_t child_pid;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got_sig = sig;
    got_code = si->si_code;
    got_from_child = si->si_pid == child_pid;
    got_value = si->si_code == SI_QUEUE ? si->si_value.sival_int : -1;
}

/* A child that sends sig to its parent (by sigqueue with value when
 * value >= 0), then exits with 7. */
static pid_t sender(int sig, int value)
{
    pid_t parent = getpid(), c = fork();
    if (c == 0) {
        usleep(50 * 1000);
        if (value >= 0)
            sigqueue(parent, sig, (union sigval){.sival_int = value});
        else
            kill(parent, sig);
        _exit(7);
    }
    child_pid = c;
    return c;
}

static void to_handler(int sig, int value)
{
    struct sigaction sa = {.sa_sigaction = on_sig, .sa_flags = SA_SIGINFO};
    sigset_t block, empty;
    sigemptyset(&block);
    sigaddset(&block, sig);
    sigemptyset(&empty);
    sigaction(sig, &sa, NULL);
    sigprocmask(SIG_BLOCK, &block, NULL);
    got_sig = 0;
    pid_t c = sender(sig, value);
    while (!got_sig)
        sigsuspend(&empty);
    int st;
    waitpid(c, &st, 0);
    say("%s to a handler: %s, code %d, from the child %d, value %d\n", sname(sig), sname(got_sig),
        (int)got_code, (int)got_from_child, (int)got_value);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    signal(sig, SIG_DFL);
}

/* A thread that does not block SIGCHLD, asleep in the kernel: the host
 * may hand the signal to it. */
static void *sleeper(void *arg)
{
    (void)arg;
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    while (!stop_sleeper)
        usleep(1000);
    return NULL;
}

/* SIGCHLD with its default action, blocked by the main thread that forks,
 * while another thread does not block it: never the end of the process,
 * whichever thread the host gives it to. (Whether sigtimedwait finds it
 * pending is a race on Linux too: the other thread may take and discard
 * it first.) */
static void blocked_chld(void)
{
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGCHLD);
    sigprocmask(SIG_BLOCK, &m, NULL);
    pthread_t t;
    pthread_create(&t, NULL, sleeper, NULL);
    for (int i = 0; i < 20; i++) {
        pid_t c = fork();
        if (c == 0)
            _exit(0);
        waitpid(c, NULL, 0);
        struct timespec ts = {0, 20 * 1000 * 1000};
        sigtimedwait(&m, NULL, &ts);
    }
    stop_sleeper = 1;
    pthread_join(t, NULL);
    sigprocmask(SIG_UNBLOCK, &m, NULL);
    say("SIGCHLD blocked by the forking thread, another thread not: the process goes on\n");
}

int main(void)
{
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGURG);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGCHLD);
    sigprocmask(SIG_BLOCK, &m, NULL);
    int sfd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC), ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN};
    if (sfd < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev))
        return 1;
    int sigs[] = {SIGURG, SIGUSR1};
    for (int i = 0; i < 2; i++) {
        pid_t c = sender(sigs[i], -1);
        struct epoll_event out;
        int n = epoll_wait(ep, &out, 1, 5000);
        struct signalfd_siginfo si;
        int got = 0;
        /* the child's SIGCHLD may come first: read until sigs[i] */
        for (int k = 0; k < 3 && n == 1 && !got; k++) {
            if (read(sfd, &si, sizeof(si)) != sizeof(si)) {
                epoll_wait(ep, &out, 1, 5000);
                continue;
            }
            got = si.ssi_signo == (uint32_t)sigs[i];
        }
        say("%s blocked, to a signalfd: epoll %d, read %s, code %d, from the child %d\n",
            sname(sigs[i]), n, got ? "yes" : "no", got ? si.ssi_code : -99,
            got && si.ssi_pid == (uint32_t)c);
        int st;
        waitpid(c, &st, 0);
        while (read(sfd, &si, sizeof(si)) == sizeof(si))
            ; /* the child's SIGCHLD */
    }
    /* SIGCHLD's record: the child, CLD_EXITED, its status */
    pid_t c = fork();
    if (c == 0)
        _exit(5);
    struct epoll_event out;
    struct signalfd_siginfo si;
    int n = epoll_wait(ep, &out, 1, 5000);
    ssize_t r = read(sfd, &si, sizeof(si));
    say("SIGCHLD to a signalfd: epoll %d, %s, code %d, the child %d, status %d\n", n,
        r == sizeof(si) ? sname((int)si.ssi_signo) : "nothing", r == sizeof(si) ? si.ssi_code : -99,
        r == sizeof(si) && si.ssi_pid == (uint32_t)c, r == sizeof(si) ? si.ssi_status : -99);
    waitpid(c, NULL, 0);
    close(sfd);
    sigprocmask(SIG_UNBLOCK, &m, NULL);

    to_handler(SIGPROF, -1);
    to_handler(SIGXCPU, 1234);
    to_handler(SIGSEGV, -1);
    to_handler(SIGSYS, 77);
    to_handler(SIGVTALRM, -1);

    blocked_chld();

    /* SIGURG with its default action, not blocked: nothing happens */
    int st;
    c = sender(SIGURG, -1);
    waitpid(c, &st, 0);
    usleep(50 * 1000);
    say("SIGURG not handled: the parent goes on, child exit %d\n", WEXITSTATUS(st));
    return 0;
}
