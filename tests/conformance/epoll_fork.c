// modes: direct sim
/* epoll across fork (epoll(7)): the child's copy of the epoll descriptor
 * is the same instance, so what the child adds is in the parent's
 * interest list; a blocked epoll_wait wakes for a write by the child. */
#include "conf.h"
#include <sys/epoll.h>

int main(void)
{
    int ep = epoll_create1(0);
    int p[2], q[2], sync_[2];
    struct epoll_event ev, out[4];
    if (ep < 0 || pipe(p) || pipe(q) || pipe(sync_))
        return 1;
    ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = 1};
    chk("parent adds p", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    pid_t pid = xfork();
    if (pid == 0) {
        ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = 2};
        chk("child adds q", epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev));
        post(sync_[1]);
        usleep(100000);
        if (write(p[1], "x", 1) != 1)
            _exit(1);
        _exit(0);
    }
    await(sync_[0]);
    int n = epoll_wait(ep, out, 4, 5000);
    say("parent's blocking wait: %d, data %llu\n", n,
        n > 0 ? (unsigned long long)out[0].data.u64 : 0);
    reap("child", pid);
    chk("parent adds q (already there)", epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev));
    if (write(q[1], "y", 1) != 1)
        return 1;
    n = epoll_wait(ep, out, 4, 0);
    unsigned long long sum = 0;
    for (int i = 0; i < n; i++)
        sum += out[i].data.u64;
    say("ready after writing q: %d, data sum %llu\n", n, sum);
    return 0;
}
