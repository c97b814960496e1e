// modes: direct sim
/* epoll_wait returns every ready registration up to maxevents in one call
 * (epoll_wait(2)), here 250 readable pipes and 250 writable ones (the libOS takes
 * up to 512 per call: more come in the next call); with a
 * smaller maxevents it returns that many, and level-triggered ones come
 * again in the next call. */
#include "conf.h"
#include <sys/epoll.h>

#define PAIRS 250

int main(void)
{
    static struct epoll_event out[2 * PAIRS + 10];
    int ep = epoll_create1(0), p[2];
    if (ep < 0)
        return 1;
    for (int i = 0; i < PAIRS; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)i};
        if (pipe(p) || write(p[1], "x", 1) != 1 || epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev))
            return 1;
        ev = (struct epoll_event){.events = EPOLLOUT, .data.u64 = (uint64_t)(PAIRS + i)};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev))
            return 1;
    }
    int n = epoll_wait(ep, out, 2 * PAIRS + 10, 0);
    long sum = 0;
    for (int i = 0; i < n; i++)
        sum += (long)out[i].data.u64;
    say("ready: %d, data sum %ld (expected %d)\n", n, sum, (2 * PAIRS - 1) * PAIRS);
    val("maxevents 7", epoll_wait(ep, out, 7, 0));
    val("maxevents 7 again", epoll_wait(ep, out, 7, 0));
    return 0;
}
