// modes: direct sim
/* epoll errors (epoll_create(2), epoll_ctl(2), epoll_wait(2)): EEXIST,
 * ENOENT, EBADF, EINVAL (itself, not an epoll, bad sizes and flags), EPERM
 * for a regular file, ELOOP for a cycle of epoll instances. */
#include "conf.h"
#include <fcntl.h>
#include <sys/epoll.h>

int main(int argc, char **argv)
{
    char path[4096];
    if (argc < 2)
        return 2;
    snprintf(path, sizeof(path), "%s/regular", argv[1]);
    int file = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    int ep = epoll_create1(0), ep2 = epoll_create(1), p[2];
    struct epoll_event ev = {.events = EPOLLIN}, out[2];
    if (file < 0 || ep < 0 || ep2 < 0 || pipe(p))
        return 1;
    chk("epoll_create(0)", epoll_create(0));
    chk("epoll_create(-1)", epoll_create(-1));
    chk("epoll_create1(bad flag)", epoll_create1(1));
    chk("add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    chk("add again", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    chk("mod of an absent fd", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev));
    chk("del of an absent fd", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    chk("add a closed fd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev));
    chk("ctl on a closed epfd", epoll_ctl(998, EPOLL_CTL_ADD, p[0], &ev));
    chk("ctl on a non-epoll fd", epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev));
    chk("add itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
    chk("bad op", epoll_ctl(ep, 42, p[0], &ev));
    chk("add a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, file, &ev));
    chk("add with a bad event pointer", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], BAD));
    chk("add ep2 to ep", epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev));
    chk("add ep to ep2 (cycle)", epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ev));
    chk("EPOLLEXCLUSIVE with mod",
        epoll_ctl(ep, EPOLL_CTL_MOD, p[0],
                  &(struct epoll_event){.events = EPOLLIN | EPOLLEXCLUSIVE}));
    chk("wait, maxevents 0", epoll_wait(ep, out, 0, 0));
    volatile int neg = -1;
    chk("wait, maxevents -1", epoll_wait(ep, out, neg, 0));
    chk("wait on a non-epoll fd", epoll_wait(p[0], out, 2, 0));
    chk("wait on a closed fd", epoll_wait(997, out, 2, 0));
    if (write(p[1], "x", 1) != 1)
        return 1;
    chk("wait into a bad buffer", epoll_wait(ep, (void *)-4096L, 2, 0));
    val("wait", epoll_wait(ep, out, 2, 0));
    return 0;
}
