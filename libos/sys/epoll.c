/* epoll, level-triggered, over poll_fds: an epoll descriptor holds its
 * interest list in the libOS. EPOLLET is treated as level-triggered (the
 * program may see an event again, never miss one); EPOLLONESHOT disarms
 * an entry after it reports. */
#include <linux/eventpoll.h>
#include <linux/fcntl.h>

#include "fs/vfs.h"
#include "sys/poll.h"
#include "sys/sys.h"

struct ep_item {
    int fd;
    uint32_t events;
    uint64_t data;
    bool armed;
};

struct epoll {
    struct ep_item *items;
    size_t n, cap;
    spinlock_t lock;
};

struct k_epoll_event {
    uint32_t events;
    uint64_t data;
} __attribute__((packed));

static void ep_release(struct file *f)
{
    struct epoll *ep = (struct epoll *)f->h;
    free(ep->items);
    free(ep);
}

static const struct file_ops epoll_ops = {.release = ep_release};

static long ep_create(int flags)
{
    struct epoll *ep = calloc(1, sizeof(*ep));
    struct file *f = ep ? file_new(&epoll_ops, (pal_handle)ep, O_RDWR) : NULL;
    if (!f) {
        free(ep);
        return -PAL_ENOMEM;
    }
    int fd = fd_install(f, 0, flags & O_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}

SYS(epoll_create) { return (int)A(0) <= 0 ? -PAL_EINVAL : ep_create(0); }
SYS(epoll_create1) { return A(0) & ~(uint64_t)O_CLOEXEC ? -PAL_EINVAL : ep_create((int)A(0)); }

static struct ep_item *ep_find(struct epoll *ep, int fd)
{
    for (size_t i = 0; i < ep->n; i++)
        if (ep->items[i].fd == fd)
            return &ep->items[i];
    return NULL;
}

static long ep_add(struct epoll *ep, int fd, const struct k_epoll_event *ev)
{
    if (ep_find(ep, fd))
        return -PAL_EEXIST;
    if (ep->n == ep->cap) {
        size_t cap = ep->cap ? ep->cap * 2 : 16;
        struct ep_item *ni = realloc(ep->items, cap * sizeof(*ni));
        if (!ni)
            return -PAL_ENOMEM;
        ep->items = ni, ep->cap = cap;
    }
    ep->items[ep->n++] = (struct ep_item){fd, ev->events, ev->data, true};
    return 0;
}

static long ep_ctl(struct epoll *ep, int op, int fd, const struct k_epoll_event *ev)
{
    struct ep_item *it = ep_find(ep, fd);
    switch (op) {
    case EPOLL_CTL_ADD: return ep_add(ep, fd, ev);
    case EPOLL_CTL_MOD:
        if (!it)
            return -PAL_ENOENT;
        *it = (struct ep_item){fd, ev->events, ev->data, true};
        return 0;
    case EPOLL_CTL_DEL:
        if (!it)
            return -PAL_ENOENT;
        *it = ep->items[--ep->n];
        return 0;
    default: return -PAL_EINVAL;
    }
}

/* Runs expr with the epoll object of epfd in ep, under its lock. */
#define WITH_EPOLL(epfd, ep, expr)                                           \
    ({                                                                       \
        struct file *f_ = fd_get((int)(epfd));                               \
        long r_ = f_ ? (f_->ops == &epoll_ops ? 0 : -PAL_EINVAL) : -PAL_EBADF; \
        if (r_ == 0) {                                                       \
            struct epoll *ep = (struct epoll *)f_->h;                        \
            spin_lock(&ep->lock);                                            \
            r_ = (expr);                                                     \
            spin_unlock(&ep->lock);                                          \
        }                                                                    \
        if (f_)                                                              \
            file_put(f_);                                                    \
        r_;                                                                  \
    })

SYS(epoll_ctl)
{
    struct file *target = fd_get((int)A(2));
    if (!target)
        return -PAL_EBADF;
    file_put(target);
    if ((int)A(2) == (int)A(0))
        return -PAL_EINVAL;
    return WITH_EPOLL(A(0), ep, ep_ctl(ep, (int)A(1), (int)A(2), PTR(3)));
}

/* Snapshot of the armed items as poll entries (taken under the lock). */
static long ep_snapshot(struct epoll *ep, struct k_pollfd *p, struct ep_item *copy)
{
    size_t n = 0;
    for (size_t i = 0; i < ep->n && n < POLL_MAX; i++) {
        if (!ep->items[i].armed)
            continue;
        copy[n] = ep->items[i];
        p[n++] = (struct k_pollfd){.fd = ep->items[i].fd, .events = (int16_t)ep->items[i].events};
    }
    return (long)n;
}

static long ep_disarm(struct epoll *ep, int fd)
{
    struct ep_item *it = ep_find(ep, fd);
    if (it)
        it->armed = false;
    return 0;
}

static long ep_wait(int epfd, struct k_epoll_event *out, int max, int64_t timeout_ns)
{
    if (max <= 0)
        return -PAL_EINVAL;
    struct k_pollfd *p = malloc(POLL_MAX * sizeof(*p));
    struct ep_item *copy = malloc(POLL_MAX * sizeof(*copy));
    long n = p && copy ? WITH_EPOLL(epfd, ep, ep_snapshot(ep, p, copy)) : -PAL_ENOMEM;
    long r = n < 0 ? n : poll_fds(p, (size_t)n, timeout_ns);
    long got = 0;
    for (long i = 0; r > 0 && i < n && got < max; i++) {
        uint32_t re = (uint16_t)p[i].revents & ~POLLNVAL_;
        if (!re)
            continue;
        out[got].events = re;
        out[got++].data = copy[i].data;
        if (copy[i].events & EPOLLONESHOT)
            WITH_EPOLL(epfd, ep, ep_disarm(ep, copy[i].fd));
    }
    free(p), free(copy);
    return r < 0 ? r : got;
}

SYS(epoll_wait)
{
    int ms = (int)A(3);
    return ep_wait((int)A(0), PTR(1), (int)A(2), ms < 0 ? -1 : (int64_t)ms * 1000000);
}

SYS(epoll_pwait)
{
    int ms = (int)A(3);
    return ep_wait((int)A(0), PTR(1), (int)A(2), ms < 0 ? -1 : (int64_t)ms * 1000000);
}
