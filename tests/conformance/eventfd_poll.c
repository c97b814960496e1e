// modes: direct sim
/* An eventfd's readiness (eventfd(2)): writable while its counter is below
 * its maximum, readable while it is non-zero, to poll, select and epoll
 * alike; EFD_SEMAPHORE reads take one at a time; a write that would pass
 * the maximum is EAGAIN on a non-blocking eventfd and waits for a read on a
 * blocking one. */
#include "conf.h"
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>

static void show_poll(const char *what, int fd)
{
    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    int n = poll(&p, 1, 0);
    say("%s: poll %d%s%s\n", what, n, (p.revents & POLLIN) ? " in" : "",
        (p.revents & POLLOUT) ? " out" : "");
}

static void show_select(const char *what, int fd)
{
    fd_set r, w, x;
    struct timeval tv = {0, 0};
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&x);
    FD_SET(fd, &r);
    FD_SET(fd, &w);
    FD_SET(fd, &x);
    int n = select(fd + 1, &r, &w, &x, &tv);
    say("%s: select %d%s%s%s\n", what, n, FD_ISSET(fd, &r) ? " r" : "",
        FD_ISSET(fd, &w) ? " w" : "", FD_ISSET(fd, &x) ? " x" : "");
}

static void show_epoll(const char *what, int ep)
{
    struct epoll_event ev[2];
    int n = epoll_wait(ep, ev, 2, 0);
    say("%s: epoll %d", what, n);
    for (int i = 0; i < n; i++)
        say("%s%s", (ev[i].events & EPOLLIN) ? " in" : "", (ev[i].events & EPOLLOUT) ? " out" : "");
    say("\n");
}

static int blocking_fd;
static volatile int read_started, read_done;

static void *late_reader(void *arg)
{
    uint64_t v;
    (void)arg;
    usleep(100 * 1000);
    read_started = 1; /* the write cannot end before this read takes the counter */
    read_done = read(blocking_fd, &v, 8) == 8;
    return NULL;
}

static void all(const char *what, int fd, int ep)
{
    show_poll(what, fd);
    show_select(what, fd);
    show_epoll(what, ep);
}

int main(void)
{
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u64 = 1};
    uint64_t v;
    if (fd < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
        return 1;
    all("counter 0", fd, ep);
    v = 3;
    val("write 3", write(fd, &v, 8));
    all("counter 3", fd, ep);
    val("read", read(fd, &v, 8));
    say("read value %llu\n", (unsigned long long)v);
    all("counter 0 again", fd, ep);
    v = 0xfffffffffffffffeULL;
    val("write the maximum", write(fd, &v, 8));
    all("counter at the maximum", fd, ep);
    v = 1;
    chk("write 1 more", write(fd, &v, 8));
    val("read", read(fd, &v, 8));
    say("read value %llx\n", (unsigned long long)v);
    all("counter 0 after the maximum", fd, ep);

    int s = eventfd(2, EFD_NONBLOCK | EFD_SEMAPHORE);
    val("semaphore read", read(s, &v, 8));
    say("value %llu\n", (unsigned long long)v);
    show_poll("semaphore at 1", s);
    val("semaphore read", read(s, &v, 8));
    show_poll("semaphore at 0", s);
    chk("semaphore read at 0", read(s, &v, 8));

    /* a blocking write with no room waits for the read that makes it */
    blocking_fd = eventfd(0, 0);
    v = 0xfffffffffffffffeULL;
    val("blocking: write the maximum", write(blocking_fd, &v, 8));
    pthread_t t;
    pthread_create(&t, NULL, late_reader, NULL);
    v = 5;
    val("blocking: write 5 at the maximum", write(blocking_fd, &v, 8));
    say("the other thread had started its read: %s\n", read_started ? "yes" : "no");
    pthread_join(t, NULL);
    say("its read: %s\n", read_done ? "ok" : "failed");
    val("blocking: read", read(blocking_fd, &v, 8));
    say("value %llu\n", (unsigned long long)v);

    /* edge-triggered: each write is an event */
    int e2 = epoll_create1(0);
    ev = (struct epoll_event){.events = EPOLLIN | EPOLLET, .data.u64 = 2};
    epoll_ctl(e2, EPOLL_CTL_ADD, fd, &ev);
    show_epoll("ET, counter 0", e2);
    v = 1;
    val("write 1", write(fd, &v, 8));
    show_epoll("ET after a write", e2);
    show_epoll("ET again, unread", e2);
    val("write 1", write(fd, &v, 8));
    show_epoll("ET after a second write", e2);
    return 0;
}
