// modes: direct sim
/* EPOLLONESHOT (epoll_ctl(2)): one event, then the descriptor is disabled
 * (even with data left or new data) until EPOLL_CTL_MOD arms it again;
 * EPOLL_CTL_ADD of a disabled descriptor is still EEXIST. */
#include "conf.h"
#include <sys/epoll.h>

static void ready(int ep, const char *what)
{
    struct epoll_event ev[4];
    int n = epoll_wait(ep, ev, 4, 0);
    if (n == -1)
        say("%s: -1 %s\n", what, ename(errno));
    else if (n == 0)
        say("%s: 0\n", what);
    else
        say("%s: %d [data %llu events 0x%x]\n", what, n, (unsigned long long)ev[0].data.u64,
            ev[0].events);
}

int main(void)
{
    int ep = epoll_create1(0);
    int p[2];
    if (ep < 0 || pipe(p))
        return 1;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = 7};
    chk("add oneshot", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    val("write", write(p[1], "ab", 2));
    ready(ep, "first wait");
    ready(ep, "second wait, data left");
    val("write more", write(p[1], "c", 1));
    ready(ep, "after new data");
    chk("add again", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    ev.data.u64 = 8;
    chk("mod re-arms", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    ready(ep, "after mod");
    ready(ep, "and again");
    ev.events = EPOLLIN;
    ev.data.u64 = 9;
    chk("mod to level-triggered", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    ready(ep, "level 1");
    ready(ep, "level 2");
    return 0;
}
