// modes: direct sim
/* timerfd (timerfd_create(2)): relative and absolute one-shot and periodic
 * timers, the expiration count a read returns, EAGAIN on a non-blocking
 * read before expiry, poll and epoll readiness, timerfd_gettime of a
 * disarmed timer, a timer shared with a forked child, and the errors. */
#include "conf.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>

static struct itimerspec its(long value_ms, long interval_ms)
{
    struct itimerspec t = {{interval_ms / 1000, interval_ms % 1000 * 1000000},
                           {value_ms / 1000, value_ms % 1000 * 1000000}};
    return t;
}

static uint64_t read_count(int fd)
{
    uint64_t n = 0;
    if (read(fd, &n, sizeof(n)) != sizeof(n))
        return 0;
    return n;
}

int main(void)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    chk("timerfd_create MONOTONIC, NONBLOCK|CLOEXEC", fd);
    say("FD_CLOEXEC set: %d\n", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    say("O_NONBLOCK set: %d\n", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);

    uint64_t n;
    val("read before arming", read(fd, &n, sizeof(n)));
    struct itimerspec cur;
    chk("gettime disarmed", timerfd_gettime(fd, &cur));
    say("disarmed: value 0: %d, interval 0: %d\n",
        cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0,
        cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 0);

    /* A one-shot timer in 100 ms. */
    struct itimerspec t = its(100, 0), old;
    chk("settime 100 ms one-shot", timerfd_settime(fd, 0, &t, &old));
    chk("gettime armed", timerfd_gettime(fd, &cur));
    long left = cur.it_value.tv_sec * 1000 + cur.it_value.tv_nsec / 1000000;
    say("time left in (0, 100] ms: %d\n", left > 0 && left <= 100);
    val("read before expiry (non-blocking)", read(fd, &n, sizeof(n)));
    struct pollfd p = {fd, POLLIN, 0};
    val("poll until it fires (1 s at most)", poll(&p, 1, 1000));
    say("revents POLLIN: %d\n", (p.revents & POLLIN) != 0);
    say("count after one expiry: %llu\n", (unsigned long long)read_count(fd));
    val("read after the count was taken", read(fd, &n, sizeof(n)));
    val("read with a 4-byte buffer", read(fd, &n, 4));
    val("write", write(fd, &n, sizeof(n)));

    /* Periodic: 20 ms, every 20 ms; after ~130 ms at least 5 expirations. */
    t = its(20, 20);
    chk("settime periodic 20 ms", timerfd_settime(fd, 0, &t, &old));
    say("old value was disarmed: %d\n", old.it_value.tv_sec == 0 && old.it_value.tv_nsec == 0);
    struct timespec nap = {0, 130 * 1000000};
    nanosleep(&nap, NULL);
    n = read_count(fd);
    say("periodic count >= 5: %d\n", n >= 5);
    chk("gettime periodic", timerfd_gettime(fd, &cur));
    say("interval 20 ms: %d\n", cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 20000000);

    /* Through epoll, blocking. */
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 77}, got;
    chk("epoll_ctl ADD timerfd", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    val("epoll_wait", epoll_wait(ep, &got, 1, 1000));
    say("epoll data: %llu\n", (unsigned long long)got.data.u64);
    close(ep);

    /* Disarm, then an absolute time 50 ms ahead on a blocking timer. */
    t = its(0, 0);
    chk("settime 0: disarm", timerfd_settime(fd, 0, &t, NULL));
    int bfd = timerfd_create(CLOCK_REALTIME, 0);
    chk("timerfd_create REALTIME, blocking", bfd);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    t.it_interval = (struct timespec){0, 0};
    t.it_value = now;
    t.it_value.tv_nsec += 50000000;
    if (t.it_value.tv_nsec >= 1000000000) {
        t.it_value.tv_sec++;
        t.it_value.tv_nsec -= 1000000000;
    }
    chk("settime ABSTIME +50 ms", timerfd_settime(bfd, TFD_TIMER_ABSTIME, &t, NULL));
    say("blocking read count: %llu\n", (unsigned long long)read_count(bfd));
    t = its(0, 0);
    t.it_value.tv_sec = 1; /* an absolute time long past: fires at once */
    chk("settime ABSTIME in the past", timerfd_settime(bfd, TFD_TIMER_ABSTIME, &t, NULL));
    say("past absolute time fires at once: %llu\n", (unsigned long long)read_count(bfd));

    /* Shared with a forked child: the child's read takes the count. */
    t = its(30, 0);
    chk("settime 30 ms before fork", timerfd_settime(bfd, 0, &t, NULL));
    pid_t pid = fork();
    if (pid == 0) {
        uint64_t c = read_count(bfd);
        _exit(c == 1 ? 0 : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    say("child read the shared timer: %s\n", wstr(st));
    val("parent read after the child took it (non-blocking now)",
        (fcntl(bfd, F_SETFL, O_NONBLOCK), read(bfd, &n, sizeof(n))));

    /* Errors. */
    val("timerfd_create bad clock", timerfd_create(12345, 0));
    val("timerfd_create bad flags", timerfd_create(CLOCK_MONOTONIC, 0x4));
    val("timerfd_create BOOTTIME_ALARM", timerfd_create(CLOCK_BOOTTIME_ALARM, 0));
    t = its(10, 0);
    val("settime bad flags", timerfd_settime(fd, 0x8, &t, NULL));
    t.it_value.tv_nsec = 1000000000;
    val("settime tv_nsec 1e9", timerfd_settime(fd, 0, &t, NULL));
    t = its(10, 0);
    val("settime on a closed fd", timerfd_settime(999, 0, &t, NULL));
    val("settime on a pipe", timerfd_settime(0, 0, &t, NULL));
    val("settime new = NULL", timerfd_settime(fd, 0, NULL, NULL));
    val("settime new = bad", timerfd_settime(fd, 0, BAD, NULL));
    val("gettime cur = bad", timerfd_gettime(fd, BAD));
    val("gettime on a pipe", timerfd_gettime(0, &cur));
    close(fd);
    close(bfd);
    return 0;
}
