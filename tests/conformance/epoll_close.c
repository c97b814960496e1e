// modes: direct sim
/* A closed descriptor and epoll (epoll(7) Q6, epoll_ctl(2)): closing the
 * only descriptor of a file removes it from the interest list, so the
 * number can be added again when reused; while a duplicate keeps the open
 * file description alive its events are still reported, and the closed
 * number itself gives EBADF. */
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
    say("%s: %d", what, n);
    for (int i = 0; i < n; i++)
        say(" [data %llu events 0x%x]", (unsigned long long)ev[i].data.u64, ev[i].events);
    say("\n");
}

static int add(int ep, int fd, unsigned long long tag)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int main(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int p[2], q[2], r[2];
    if (ep < 0 || pipe(p))
        return 1;
    chk("add p", add(ep, p[0], 1));
    ready(ep, "empty pipe");
    val("write p", write(p[1], "x", 1));
    ready(ep, "after a write");
    int num = p[0];
    close(p[0]);
    ready(ep, "after close");
    if (pipe(q))
        return 1;
    say("new pipe reuses the number: %s\n", q[0] == num ? "yes" : "no");
    chk("add the reused number", add(ep, q[0], 2));
    chk("add it twice", add(ep, q[0], 2));
    val("write q", write(q[1], "y", 1));
    ready(ep, "after a write to the new pipe");
    chk("del", epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL));
    ready(ep, "after del");

    if (pipe(r))
        return 1;
    chk("add r", add(ep, r[0], 3));
    int d = dup(r[0]);
    int rnum = r[0];
    close(r[0]);
    val("write r", write(r[1], "z", 1));
    ready(ep, "closed but duplicated");
    chk("del of the closed number", epoll_ctl(ep, EPOLL_CTL_DEL, rnum, NULL));
    close(d);
    ready(ep, "after the duplicate is closed");
    close(p[1]);
    return 0;
}
