/* epoll(7) edge cases, one line each; the output is compared between a
 * native run and one under geode (tests/direct/t_epoll.sh). Written from
 * the epoll(7), epoll_ctl(2) and epoll_wait(2) man pages. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif
#ifndef EPOLLEXCLUSIVE
#define EPOLLEXCLUSIVE (1u << 28)
#endif

static int ep;
/* argv[1] "nofork": everything but what needs a second process (inside an
 * enclave today). */
static int nofork;

static const char *err(void)
{
    static const struct {
        int e;
        const char *name;
    } names[] = {{EINVAL, "EINVAL"}, {EFAULT, "EFAULT"}, {EBADF, "EBADF"}, {EPERM, "EPERM"},
                 {EEXIST, "EEXIST"}, {ENOENT, "ENOENT"}, {EINTR, "EINTR"}, {ELOOP, "ELOOP"},
                 {ENOSYS, "ENOSYS"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].e == errno)
            return names[i].name;
    return "other errno";
}

/* "ok" or the errno's name, as text that is the same on every libc. */
static const char *res(long r)
{
    static char buf[32];
    if (r >= 0)
        snprintf(buf, sizeof(buf), "%ld", r);
    else
        snprintf(buf, sizeof(buf), "%s", err());
    return buf;
}

static int add(int e, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(e, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int e, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(e, EPOLL_CTL_MOD, fd, &ev);
}

/* Waits up to ms; prints the events as "n: data/mask ...". */
static void show(const char *what, int e, int max, int ms)
{
    struct epoll_event ev[8];
    int n = epoll_wait(e, ev, max, ms);
    printf("%s: %s", what, res(n));
    for (int i = 0; i < n; i++)
        printf(" %llu/%#x", (unsigned long long)ev[i].data.u64, ev[i].events);
    printf("\n");
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void closed_and_reused(void)
{
    int p[2], q[2];
    pipe(p);
    printf("add pipe: %s\n", res(add(ep, p[0], EPOLLIN, 1)));
    close(p[0]);
    close(p[1]);
    pipe(q); /* the same numbers again */
    printf("reused number: %s\n", q[0] == p[0] ? "yes" : "no");
    printf("add reused number: %s\n", res(add(ep, q[0], EPOLLIN, 2)));
    write(q[1], "x", 1);
    show("reused reports new data", ep, 8, 0);
    epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL);
    close(q[0]);
    close(q[1]);
}

static void dup_keeps(void)
{
    int p[2];
    pipe(p);
    add(ep, p[0], EPOLLIN, 3);
    int d = dup(p[0]);
    close(p[0]);
    write(p[1], "x", 1);
    show("dup keeps registration", ep, 8, 0);
    printf("del closed fd: %s\n", res(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL)));
    close(d);
    show("last close removes it", ep, 8, 0);
    close(p[1]);
}

static void oneshot_and_et(void)
{
    int p[2];
    pipe(p);
    add(ep, p[0], EPOLLIN | EPOLLONESHOT, 4);
    write(p[1], "x", 1);
    show("oneshot first", ep, 8, 0);
    show("oneshot disabled", ep, 8, 0);
    printf("oneshot rearm: %s\n", res(mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 5)));
    show("oneshot rearmed", ep, 8, 0);
    mod(ep, p[0], EPOLLIN | EPOLLET, 6);
    show("et after mod", ep, 8, 0);
    show("et no new data", ep, 8, 0);
    write(p[1], "y", 1);
    show("et new data", ep, 8, 0);
    mod(ep, p[0], EPOLLIN, 7);
    show("lt once", ep, 8, 0);
    show("lt again", ep, 8, 0);
    epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
    close(p[0]);
    close(p[1]);

    int s[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, s);
    add(ep, s[0], EPOLLOUT | EPOLLET, 8);
    show("et out first", ep, 8, 0);
    show("et out no change", ep, 8, 0);
    epoll_ctl(ep, EPOLL_CTL_DEL, s[0], NULL);
    close(s[0]);
    close(s[1]);
}

static void eventfds(void)
{
    int e = eventfd(0, EFD_NONBLOCK);
    uint64_t one = 1, v = 0;
    add(ep, e, EPOLLIN | EPOLLET, 15);
    show("eventfd empty", ep, 8, 0);
    write(e, &one, 8);
    show("eventfd written", ep, 8, 0);
    write(e, &one, 8);
    show("eventfd written again, et", ep, 8, 0);
    show("eventfd no change", ep, 8, 0);
    read(e, &v, 8);
    printf("eventfd read: %llu\n", (unsigned long long)v);
    show("eventfd drained", ep, 8, 0);
    close(e);
}

static void hangups(void)
{
    int s[2], p[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, s);
    add(ep, s[0], EPOLLIN | EPOLLRDHUP, 9);
    shutdown(s[1], SHUT_WR);
    show("rdhup after peer shutdown", ep, 8, 0);
    close(s[1]);
    show("hup after peer close", ep, 8, 0);
    close(s[0]);
    pipe(p);
    add(ep, p[0], EPOLLIN, 10);
    add(ep, p[1], EPOLLOUT, 11);
    close(p[1]);
    show("pipe reader hup", ep, 8, 0);
    close(p[0]);
    pipe(p);
    add(ep, p[1], EPOLLOUT, 12);
    close(p[0]);
    show("pipe writer err", ep, 8, 0);
    close(p[1]);
}

static void errors(void)
{
    int p[2];
    struct epoll_event ev = {.events = EPOLLIN};
    pipe(p);
    printf("epoll_create(0): %s\n", res(epoll_create(0)));
    printf("epoll_create1(bad): %s\n", res(epoll_create1(1)));
    printf("wait maxevents 0: %s\n", res(epoll_wait(ep, &ev, 0, 0)));
    volatile int negative = -1;
    printf("wait maxevents -1: %s\n", res(epoll_wait(ep, &ev, negative, 0)));
    printf("wait NULL events: %s\n", res(epoll_wait(ep, NULL, 1, 0)));
    printf("wait bad epfd: %s\n", res(epoll_wait(999, &ev, 1, 0)));
    printf("wait not epoll: %s\n", res(epoll_wait(p[0], &ev, 1, 0)));
    printf("ctl self: %s\n", res(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev)));
    printf("ctl not epoll: %s\n", res(epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev)));
    printf("ctl bad fd: %s\n", res(epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev)));
    printf("ctl bad epfd: %s\n", res(epoll_ctl(999, EPOLL_CTL_ADD, p[0], &ev)));
    printf("ctl NULL event: %s\n", res(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], NULL)));
    printf("ctl bad op: %s\n", res(epoll_ctl(ep, 99, p[0], &ev)));
    printf("ctl mod missing: %s\n", res(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev)));
    printf("ctl del missing: %s\n", res(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL)));
    printf("ctl add: %s\n", res(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev)));
    printf("ctl add again: %s\n", res(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev)));
    epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    printf("exclusive add: %s\n", res(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev)));
    printf("exclusive mod: %s\n", res(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev)));
    epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
    printf("exclusive+oneshot: %s\n", res(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev)));
    int f = open("/proc/self/exe", O_RDONLY);
    ev.events = EPOLLIN;
    printf("ctl regular file: %s\n", res(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev)));
    close(f);
    close(p[0]);
    close(p[1]);
}

static void timeouts(void)
{
    struct epoll_event ev;
    long t0 = now_ms();
    int n = epoll_wait(ep, &ev, 1, 50);
    printf("wait 50 ms: %s, waited enough: %s\n", res(n), now_ms() - t0 >= 50 ? "yes" : "no");
    struct timespec ts = {0, 30 * 1000000};
    t0 = now_ms();
    n = (int)syscall(SYS_epoll_pwait2, ep, &ev, 1, &ts, NULL, 8);
    printf("pwait2 30 ms: %s, waited enough: %s\n", res(n), now_ms() - t0 >= 30 ? "yes" : "no");
    ts.tv_nsec = 2000000000;
    printf("pwait2 bad timespec: %s\n", res(syscall(SYS_epoll_pwait2, ep, &ev, 1, &ts, NULL, 8)));
    printf("pwait bad sigsetsize: %s\n", res(syscall(SYS_epoll_pwait, ep, &ev, 1, 0, &ts, 4)));
}

static volatile int got_usr1;
static void on_usr1(int sig) { got_usr1 = sig; }

/* A child signals us after ms; returns its pid. */
static pid_t signal_later(int ms)
{
    pid_t parent = getpid(), c = fork();
    if (c == 0) {
        usleep(ms * 1000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    return c;
}

static void signals(void)
{
    sigset_t block, none, old;
    struct epoll_event ev;
    signal(SIGUSR1, on_usr1);
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &block, &old);
    pid_t c = signal_later(50);
    long t0 = now_ms();
    int n = epoll_pwait(ep, &ev, 1, -1, &none);
    printf("pwait unblocks: %s, handler ran: %s\n", res(n), got_usr1 ? "yes" : "no");
    waitpid(c, NULL, 0);
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("mask restored: %s\n", sigismember(&cur, SIGUSR1) ? "yes" : "no");
    got_usr1 = 0;
    c = signal_later(20);
    t0 = now_ms();
    n = epoll_pwait(ep, &ev, 1, 300, &block);
    printf("blocked signal does not end the wait: %s, full: %s, handler: %s\n", res(n),
           now_ms() - t0 >= 300 ? "yes" : "no", got_usr1 ? "yes" : "no");
    waitpid(c, NULL, 0);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("pending one delivered after: %s\n", got_usr1 ? "yes" : "no");
    got_usr1 = 0;
    c = signal_later(50);
    n = epoll_wait(ep, &ev, 1, -1);
    printf("wait(-1) ends on a signal: %s, handler ran: %s\n", res(n), got_usr1 ? "yes" : "no");
    waitpid(c, NULL, 0);
    /* The same masks for ppoll and pselect, and poll with nothing to poll. */
    sigprocmask(SIG_BLOCK, &block, NULL);
    got_usr1 = 0;
    c = signal_later(50);
    n = ppoll(NULL, 0, NULL, &none);
    printf("ppoll unblocks: %s, handler ran: %s\n", res(n), got_usr1 ? "yes" : "no");
    waitpid(c, NULL, 0);
    got_usr1 = 0;
    c = signal_later(20);
    struct timespec ts = {0, 200 * 1000000};
    t0 = now_ms();
    n = pselect(0, NULL, NULL, NULL, &ts, &block);
    printf("pselect keeps a blocked signal out: %s, full: %s\n", res(n),
           now_ms() - t0 >= 200 ? "yes" : "no");
    waitpid(c, NULL, 0);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("pending one delivered after pselect: %s\n", got_usr1 ? "yes" : "no");
    t0 = now_ms();
    n = poll(NULL, 0, 50);
    printf("poll(NULL, 0, 50): %s, waited enough: %s\n", res(n), now_ms() - t0 >= 50 ? "yes" : "no");
    signal(SIGUSR1, SIG_DFL);
}

static void nested(void)
{
    int inner = epoll_create1(EPOLL_CLOEXEC), p[2];
    pipe(p);
    add(inner, p[0], EPOLLIN, 13);
    printf("add epoll into epoll: %s\n", res(add(ep, inner, EPOLLIN, 14)));
    show("outer before", ep, 8, 0);
    write(p[1], "x", 1);
    show("outer after", ep, 8, 0);
    struct pollfd pf = {.fd = inner, .events = POLLIN};
    int n = poll(&pf, 1, 0);
    printf("poll on epoll fd: %d %#x\n", n, pf.revents);
    struct epoll_event ev = {.events = EPOLLIN};
    printf("loop: %s\n", res(epoll_ctl(inner, EPOLL_CTL_ADD, ep, &ev)));
    epoll_ctl(ep, EPOLL_CTL_DEL, inner, NULL);
    close(inner);
    close(p[0]);
    close(p[1]);
}

static void many(void)
{
    int q[3][2];
    for (int i = 0; i < 3; i++) {
        pipe(q[i]);
        add(ep, q[i][0], EPOLLIN, 20 + i);
        write(q[i][1], "x", 1);
    }
    struct epoll_event evs[3];
    printf("maxevents 2 of 3: %d\n", epoll_wait(ep, evs, 2, 0));
    printf("all 3: %d\n", epoll_wait(ep, evs, 3, 0));
    for (int i = 0; i < 3; i++) {
        close(q[i][0]);
        close(q[i][1]);
    }
}

static void across_fork(void)
{
    int p[2];
    pipe(p);
    add(ep, p[0], EPOLLIN, 30);
    pid_t c = fork();
    if (c == 0) /* the child's epoll is the parent's instance */
        _exit(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL) == 0 ? 0 : 1);
    int st;
    waitpid(c, &st, 0);
    printf("child's del: %s\n", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "ok" : "failed");
    printf("parent adds again: %s\n", res(add(ep, p[0], EPOLLIN, 31)));
    c = fork();
    if (c == 0) {
        write(p[1], "x", 1);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    show("child's write seen", ep, 8, 1000);
    close(p[0]);
    close(p[1]);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    nofork = argc > 1 && strcmp(argv[1], "nofork") == 0;
    if (argc > 1 && strcmp(argv[1], "idle") == 0) { /* blocks until killed */
        int p[2];
        struct epoll_event ev;
        pipe(p);
        ep = epoll_create1(0);
        add(ep, p[0], EPOLLIN | EPOLLET, 1);
        printf("idle\n");
        return epoll_wait(ep, &ev, 1, -1);
    }
    ep = epoll_create1(EPOLL_CLOEXEC);
    closed_and_reused();
    dup_keeps();
    oneshot_and_et();
    eventfds();
    hangups();
    errors();
    timeouts();
    if (!nofork)
        signals();
    nested();
    if (!nofork)
        across_fork();
    many();
    show("nothing left", ep, 8, 0);
    return 0;
}
