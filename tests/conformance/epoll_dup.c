// modes: direct sim
/* epoll(7): the interest list is keyed by (open file, descriptor number),
 * so two dup()s of one pipe end are two registrations, each reporting its
 * own data; closing one of them leaves both registered while the open
 * file lives (Q6), and the closed number is EBADF for epoll_ctl; each
 * registration keeps its own EPOLLONESHOT / EPOLLET.
 * EPOLLEXCLUSIVE errnos (epoll_ctl(2)): with MOD, with an epoll target,
 * with flags it does not take (EPOLLONESHOT), and MOD of an exclusive
 * registration; EPOLLWAKEUP without CAP_BLOCK_SUSPEND is ignored. */
#include "conf.h"
#include <sys/epoll.h>

static void ready(int ep, const char *what)
{
    struct epoll_event ev[4];
    int n = epoll_wait(ep, ev, 4, 0);
    if (n == -1) {
        say("%s: -1 %s\n", what, ename(errno));
        return;
    }
    unsigned long long sum = 0;
    for (int i = 0; i < n; i++)
        sum += ev[i].data.u64;
    say("%s: %d ready, data sum %llu\n", what, n, sum);
}

static int ctl(int ep, int op, int fd, unsigned events, unsigned long long tag)
{
    struct epoll_event ev = {.events = events, .data.u64 = tag};
    return epoll_ctl(ep, op, fd, &ev);
}

int main(void)
{
    int p[2];
    int ep = epoll_create1(0), ep2 = epoll_create1(0);
    if (ep < 0 || ep2 < 0 || pipe(p))
        return 1;
    int d = dup(p[0]);
    chk("add the read end", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1));
    chk("add its dup", ctl(ep, EPOLL_CTL_ADD, d, EPOLLIN, 2));
    chk("add the dup again", ctl(ep, EPOLL_CTL_ADD, d, EPOLLIN, 2));
    if (write(p[1], "x", 1) != 1)
        return 1;
    ready(ep, "both registered");
    chk("mod the dup", ctl(ep, EPOLL_CTL_MOD, d, EPOLLIN, 4));
    ready(ep, "after mod");
    chk("del the read end", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    ready(ep, "after del");
    chk("add the read end back", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1));
    close(p[0]);
    ready(ep, "read end closed, dup open");
    chk("del the closed number", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    close(d);
    ready(ep, "both closed");

    /* Each registration keeps its own flags: a one-shot one through the
     * read end is disarmed by its event, the dup's level-triggered one
     * keeps reporting, and an edge-triggered one through a second dup
     * reports once per write. */
    if (pipe(p))
        return 1;
    d = dup(p[0]);
    int e = dup(p[0]);
    chk("add the read end one-shot", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLONESHOT, 1));
    chk("add its dup level-triggered", ctl(ep, EPOLL_CTL_ADD, d, EPOLLIN, 2));
    chk("add a second dup edge-triggered", ctl(ep, EPOLL_CTL_ADD, e, EPOLLIN | EPOLLET, 4));
    if (write(p[1], "x", 1) != 1)
        return 1;
    ready(ep, "first wait");
    ready(ep, "second wait");
    if (write(p[1], "x", 1) != 1)
        return 1;
    ready(ep, "after a second write");
    chk("del the second dup", epoll_ctl(ep, EPOLL_CTL_DEL, e, NULL));
    chk("mod the read end through the second dup", ctl(ep, EPOLL_CTL_MOD, e, EPOLLIN, 8));
    chk("re-arm the read end", ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 16));
    ready(ep, "re-armed");
    close(p[0]);
    close(d);
    close(e);
    close(p[1]);
    ready(ep, "all closed");

    if (pipe(p))
        return 1;
    chk("EPOLLEXCLUSIVE add", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLEXCLUSIVE, 8));
    chk("MOD of an exclusive registration", ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 8));
    chk("EPOLLEXCLUSIVE|EPOLLONESHOT",
        ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT, 16));
    chk("EPOLLEXCLUSIVE on an epoll target",
        ctl(ep, EPOLL_CTL_ADD, ep2, EPOLLIN | EPOLLEXCLUSIVE, 16));
    chk("EPOLLEXCLUSIVE with DEL ignored", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    chk("EPOLLWAKEUP add", ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT | EPOLLWAKEUP, 32));
    struct epoll_event ev[2];
    int n = epoll_wait(ep, ev, 2, 0);
    say("EPOLLWAKEUP registration: %d ready, events 0x%x\n", n, n > 0 ? ev[0].events : 0);
    return 0;
}
