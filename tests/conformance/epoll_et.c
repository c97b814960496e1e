// modes: direct sim
/* Edge-triggered epoll (epoll(7)): an event per arrival of data, none
 * while unread data merely stays; level-triggered reports it every time;
 * EPOLLOUT edge on a writable pipe once; with maxevents 1 the ready
 * level-triggered descriptors take turns. */
#include "conf.h"
#include <sys/epoll.h>

static int wait1(int ep, struct epoll_event *ev, int max)
{
    return epoll_wait(ep, ev, max, 0);
}

int main(void)
{
    int ep = epoll_create1(0);
    int a[2], b[2], c[2], d[2];
    struct epoll_event ev, out[4];
    char buf[8];
    if (ep < 0 || pipe(a) || pipe(b) || pipe(c) || pipe(d))
        return 1;
    ev = (struct epoll_event){.events = EPOLLIN | EPOLLET, .data.u64 = 1};
    chk("add a EPOLLIN|EPOLLET", epoll_ctl(ep, EPOLL_CTL_ADD, a[0], &ev));
    val("wait, nothing", wait1(ep, out, 4));
    val("write 1 byte", write(a[1], "x", 1));
    val("wait after the write", wait1(ep, out, 4));
    val("wait again, data unread", wait1(ep, out, 4));
    val("write 1 more byte", write(a[1], "y", 1));
    val("wait after the second write", wait1(ep, out, 4));
    val("read 1 of 2 bytes", read(a[0], buf, 1));
    val("wait after a partial read", wait1(ep, out, 4));
    val("read the rest", read(a[0], buf, sizeof(buf)));
    val("wait after draining", wait1(ep, out, 4));

    ev = (struct epoll_event){.events = EPOLLOUT | EPOLLET, .data.u64 = 2};
    chk("add a's write end EPOLLOUT|EPOLLET", epoll_ctl(ep, EPOLL_CTL_ADD, a[1], &ev));
    int n = wait1(ep, out, 4);
    say("wait: %d, events 0x%x\n", n, n > 0 ? out[0].events : 0);
    val("wait again", wait1(ep, out, 4));
    chk("del", epoll_ctl(ep, EPOLL_CTL_DEL, a[1], NULL));

    int fds[3] = {b[0], c[0], d[0]};
    for (int i = 0; i < 3; i++) {
        ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = 10 + i};
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    }
    if (write(b[1], "1", 1) != 1 || write(c[1], "2", 1) != 1 || write(d[1], "3", 1) != 1)
        return 1;
    unsigned seen = 0;
    for (int i = 0; i < 3; i++)
        if (wait1(ep, out, 1) == 1)
            seen |= 1u << (out[0].data.u64 - 10);
    say("three level-triggered, maxevents 1, three waits: seen mask 0x%x\n", seen);
    val("level-triggered, maxevents 4", wait1(ep, out, 4));
    val("and again", wait1(ep, out, 4));
    return 0;
}
