/* epoll(7): the syscalls, their checks in Linux's order, and the wait.
 *
 * An epoll descriptor is one of the PAL's wait sets (pal.h), the host's
 * epoll instance (inside an enclave, through OCALLs with the keys kept in
 * the trusted PAL): registrations live with the host's open files, so a
 * closed file leaves every interest list, a reused number can be added
 * again, EPOLLET, EPOLLONESHOT, EPOLLEXCLUSIVE and nested epolls are the
 * kernel's own, and a forked child shares the instance. The program's
 * epoll_data travels as the key. A PAL without wait sets gets ENOSYS from
 * epoll_create.
 *
 * Linux keys a registration by open file and descriptor number, the host's
 * epoll by open file and host handle, which all of a file's dup()s share:
 * the first registration of a file in a set is made with the file's own
 * handle (the common case, which costs one table entry saying which
 * descriptor it was made through); another descriptor of the same file
 * gets a host handle of its own (pal->handle_dup), registered with its own
 * events and data, and kept until it is deleted, the epoll is released or
 * the file is: as on Linux (epoll(7) Q6), closing one descriptor leaves
 * its registration while the open file lives. */
#include <linux/eventpoll.h>
#include <linux/fcntl.h>

#include "core/signal.h"
#include "fs/vfs.h"
#include "sys/poll.h"
#include "sys/sys.h"

/* Linux's EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event). */
#define EP_MAX_EVENTS (0x7fffffff / 12)
/* The end of the program's address space (x86-64, 4-level paging). */
#define USER_ADDR_END 0x7ffffffff000ULL
/* Events taken from the PAL per call (8 KiB of the libOS's 128 KiB stack):
 * fewer than maxevents is allowed. */
#define EP_BATCH 512

/* The descriptor number of the registration made with a file's own
 * handle h in wait set ws, by (ws, h): an open-addressing table whose
 * entries are only overwritten (a closed handle's stays until the number
 * is registered again; the host answers whether a registration lives). */
struct ep_first {
    pal_handle ws, h; /* ws 0: free (a wait set is never handle 0) */
    int fd;
};

/* A registration through a descriptor other than the first one of its
 * file in the set: its own host handle. No references are held: the
 * release of the epoll or of the file drops it. */
struct ep_other {
    struct ep_other *next;
    struct file *ep, *tf;
    int fd;
    pal_handle h;
};

static spinlock_t ep_lock;
static struct ep_first *firsts;
static size_t firsts_cap, firsts_used;
static struct ep_other *others;

static size_t first_hash(pal_handle ws, pal_handle h)
{
    return (size_t)(((uint64_t)ws * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)h * 0xc2b2ae3d27d4eb4fULL));
}

/* The entry of (ws, h), or a free one where it goes, or NULL (no table). */
static struct ep_first *first_slot(pal_handle ws, pal_handle h)
{
    if (!firsts_cap)
        return NULL;
    for (size_t i = first_hash(ws, h) & (firsts_cap - 1);; i = (i + 1) & (firsts_cap - 1))
        if (!firsts[i].ws || (firsts[i].ws == ws && firsts[i].h == h))
            return &firsts[i];
}

/* Records that ws's registration of h is through fd; under ep_lock. */
static long first_set(pal_handle ws, pal_handle h, int fd)
{
    if ((firsts_used + 1) * 2 > firsts_cap) {
        size_t cap = firsts_cap ? firsts_cap * 2 : 64;
        struct ep_first *old = firsts, *t = calloc(cap, sizeof(*t));
        size_t old_cap = firsts_cap;
        if (!t)
            return -PAL_ENOMEM;
        firsts = t;
        firsts_cap = cap;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].ws)
                *first_slot(old[i].ws, old[i].h) = old[i];
        free(old);
    }
    struct ep_first *e = first_slot(ws, h);
    if (!e->ws)
        firsts_used++;
    *e = (struct ep_first){ws, h, fd};
    return 0;
}

/* Drops the other registrations of epoll ep (tf NULL) or of file tf. */
static void others_drop(struct file *ep, struct file *tf)
{
    spin_lock(&ep_lock);
    for (struct ep_other **p = &others; *p;) {
        struct ep_other *o = *p;
        if (tf ? o->tf == tf : o->ep == ep) {
            *p = o->next;
            pal->close(o->h);
            free(o);
        } else {
            p = &o->next;
        }
    }
    spin_unlock(&ep_lock);
}

static void ep_file_released(struct file *f) { others_drop(NULL, f); }

/* The file's h is the wait set itself: the epoll descriptor is pollable
 * and can join another epoll. */
static void ep_release(struct file *f)
{
    if (__atomic_load_n(&others, __ATOMIC_RELAXED))
        others_drop(f, NULL);
    pal->close(f->h);
}
static pal_handle ep_poll_handle(struct file *f) { return f->h; }

/* An anonymous inode, as Linux's [eventpoll]. */
static long ep_fstat(struct file *f, struct pal_stat *st)
{
    (void)f;
    memset(st, 0, sizeof(*st));
    st->mode = 0600;
    st->nlink = 1;
    st->blksize = 4096;
    return 0;
}

static const struct file_ops epoll_ops = {
    .fstat = ep_fstat, .poll_handle = ep_poll_handle, .release = ep_release};

static bool is_epoll(const struct file *f) { return f->ops == &epoll_ops; }

static long ep_create(int flags)
{
    pal_handle ws;
    if (!PAL_HAS(pal, waitset_create))
        return -PAL_ENOSYS;
    long r = pal->waitset_create(&ws);
    if (r < 0)
        return r;
    struct file *f = file_new(&epoll_ops, ws, O_RDWR);
    if (f)
        f->anon_name = "anon_inode:[eventpoll]";
    if (!f) {
        pal->close(ws);
        return -PAL_ENOMEM;
    }
    int fd = fd_install(f, 0, flags & O_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}

SYS(epoll_create) { return (int)A(0) <= 0 ? -PAL_EINVAL : ep_create(0); }
SYS(epoll_create1) { return A(0) & ~(uint64_t)O_CLOEXEC ? -PAL_EINVAL : ep_create((int)A(0)); }

/* epoll_ctl's checks that do not depend on the interest list, in the
 * kernel's order (after EFAULT and EBADF). */
static long ctl_check(struct file *epf, struct file *tf, int op, uint32_t events)
{
    if (!tf->ops->poll_handle)
        return -PAL_EPERM; /* devices, tmpfs and /proc files: no poll */
    if (epf == tf || !is_epoll(epf))
        return -PAL_EINVAL;
    if (op != EPOLL_CTL_DEL && (events & EPOLLEXCLUSIVE)) {
        const uint32_t ok = EPOLLEXCLUSIVE | EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP |
                            EPOLLWAKEUP | EPOLLET | EPOLLRDNORM | EPOLLRDBAND | EPOLLWRNORM |
                            EPOLLWRBAND;
        if (op == EPOLL_CTL_MOD || is_epoll(tf) || (events & ~ok))
            return -PAL_EINVAL;
    }
    if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_MOD && op != EPOLL_CTL_DEL)
        return -PAL_EINVAL;
    return 0;
}

/* ADD of (tf, fd) when the host has a registration of tf's handle h: one
 * of its own handle unless fd is the one it was made through; under
 * ep_lock. */
static long ctl_add_other(struct file *epf, struct file *tf, int fd, pal_handle h,
                          uint32_t events, uint64_t data)
{
    struct ep_first *e = first_slot(epf->h, h);
    if (!e || !e->ws || e->fd == fd || !PAL_HAS(pal, handle_dup))
        return -PAL_EEXIST; /* unknown here: made by another process sharing the set */
    struct ep_other *o = malloc(sizeof(*o));
    if (!o)
        return -PAL_ENOMEM;
    long r = pal->handle_dup(h, &o->h);
    if (r == 0) {
        r = pal->waitset_ctl(epf->h, EPOLL_CTL_ADD, o->h, events, data);
        if (r < 0)
            pal->close(o->h);
    }
    if (r < 0) {
        free(o);
        return r;
    }
    *o = (struct ep_other){others, epf, tf, fd, o->h};
    others = o;
    epoll_file_released = ep_file_released;
    tf->epoll_dup = true;
    return 0;
}

static long ep_ctl(struct file *epf, struct file *tf, int fd, int op,
                   const struct k_epoll_event *ev)
{
    long r = ctl_check(epf, tf, op, ev->events);
    if (r < 0)
        return r;
    uint32_t events = ev->events & ~(uint32_t)EPOLLWAKEUP; /* no CAP_BLOCK_SUSPEND */
    pal_handle h = tf->ops->poll_handle(tf);
    spin_lock(&ep_lock);
    struct ep_other **p = &others;
    if (tf->epoll_dup)
        while (*p && ((*p)->ep != epf || (*p)->tf != tf || (*p)->fd != fd))
            p = &(*p)->next;
    if (tf->epoll_dup && *p) { /* (tf, fd) has a handle of its own */
        struct ep_other *o = *p;
        r = op == EPOLL_CTL_ADD ? -PAL_EEXIST
                                : pal->waitset_ctl(epf->h, op, o->h, events, ev->data);
        if (op == EPOLL_CTL_DEL && (r == 0 || r == -PAL_ENOENT)) {
            *p = o->next;
            pal->close(o->h);
            free(o);
        }
    } else if (op == EPOLL_CTL_ADD) {
        r = pal->waitset_ctl(epf->h, op, h, events, ev->data);
        if (r == 0 && first_set(epf->h, h, fd) < 0) {
            pal->waitset_ctl(epf->h, EPOLL_CTL_DEL, h, 0, 0);
            r = -PAL_ENOMEM;
        } else if (r == -PAL_EEXIST) {
            r = ctl_add_other(epf, tf, fd, h, events, ev->data);
        }
    } else {
        /* Only the descriptor the registration was made through names it. */
        struct ep_first *e = first_slot(epf->h, h);
        r = e && e->ws && e->fd != fd ? -PAL_ENOENT
                                       : pal->waitset_ctl(epf->h, op, h, events, ev->data);
    }
    spin_unlock(&ep_lock);
    return r;
}

SYS(epoll_ctl)
{
    int op = (int)A(1);
    struct k_epoll_event ev = {0};
    if (op != EPOLL_CTL_DEL)
        memcpy(&ev, PTR(3), sizeof(ev)); /* a bad pointer faults: EFAULT */
    struct file *epf = fd_get((int)A(0));
    struct file *tf = epf ? fd_get((int)A(2)) : NULL;
    long r = tf ? ep_ctl(epf, tf, (int)A(2), op, &ev) : -PAL_EBADF;
    if (tf)
        file_put(tf);
    if (epf)
        file_put(epf);
    return r;
}

/* One bounded wait for up to max events into out (program memory): one
 * PAL call of up to EP_BATCH events. Linux returns every ready event up to
 * maxevents; fewer is allowed, but programs that register hundreds expect
 * them from one call (Python's selectors test does), hence a batch of 512.
 * A second call cannot take the rest: the host's level-triggered events
 * just returned would come again in it. */
static long ep_wait_once(pal_handle ws, struct k_epoll_event *out, int max, int64_t ns)
{
    struct pal_wait_event ev[EP_BATCH];
    long r = pal->waitset_wait(ws, ev, max < EP_BATCH ? (uint32_t)max : EP_BATCH, ns);
    for (long i = 0; i < r; i++) {
        out[i].events = ev[i].events;
        out[i].data = ev[i].key;
    }
    return r;
}

/* Waits until events, the timeout (ns, -1 forever) or a signal outside
 * mask. A host signal the program would not see (blocked, ignored) does
 * not end the wait; the remaining time is waited again. */
static long ep_wait(pal_handle ws, struct k_epoll_event *out, int max, int64_t timeout,
                    uint64_t mask)
{
    int64_t end = timeout < 0 ? -1 : wait_now_ns() + timeout;
    for (;;) {
        if (wait_interrupted(mask))
            return -PAL_EINTR;
        int64_t left = end < 0 ? WAIT_SLICE_NS : end - wait_now_ns();
        if (left < 0)
            left = 0;
        long r = ep_wait_once(ws, out, max, left < WAIT_SLICE_NS ? left : WAIT_SLICE_NS);
        if (r != 0 && r != -PAL_EINTR)
            return r;
        if (r == 0 && end >= 0 && wait_now_ns() >= end)
            return 0;
    }
}

/* The common part of the three waits, after their own argument checks:
 * Linux's checks, then the wait under mask (the thread's own, or the
 * temporary one of epoll_pwait). */
static long ep_wait_common(int epfd, struct k_epoll_event *out, int max, int64_t timeout,
                           const uint64_t *mask)
{
    if (max <= 0 || max > EP_MAX_EVENTS)
        return -PAL_EINVAL;
    uint64_t end = (uint64_t)out + (uint64_t)max * sizeof(*out);
    if (end < (uint64_t)out || end > USER_ADDR_END) /* Linux checks the range only */
        return -PAL_EFAULT;
    struct file *f = fd_get(epfd);
    if (!f)
        return -PAL_EBADF;
    long r = -PAL_EINVAL;
    if (is_epoll(f)) {
        uint64_t old = wait_mask_enter(mask);
        r = ep_wait(f->h, out, max, timeout, cur_thread()->sigmask);
        wait_mask_leave(mask, old, r);
    }
    file_put(f);
    return r;
}

static int64_t ms_to_ns(int ms) { return ms < 0 ? -1 : (int64_t)ms * 1000000; }

SYS(epoll_wait) { return ep_wait_common((int)A(0), PTR(1), (int)A(2), ms_to_ns((int)A(3)), NULL); }

SYS(epoll_pwait)
{
    uint64_t m;
    const uint64_t *mask = NULL;
    long r = wait_mask_in(PTR(4), A(5), &m, &mask);
    return r < 0 ? r : ep_wait_common((int)A(0), PTR(1), (int)A(2), ms_to_ns((int)A(3)), mask);
}

SYS(epoll_pwait2)
{
    int64_t ns = -1;
    if (PTR(3)) {
        struct k_timespec ts;
        memcpy(&ts, PTR(3), sizeof(ts));
        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC)
            return -PAL_EINVAL;
        ns = ts.tv_sec >= INT64_MAX / NSEC - 1 ? INT64_MAX / 2 : ts.tv_sec * NSEC + ts.tv_nsec;
    }
    uint64_t m;
    const uint64_t *mask = NULL;
    long r = wait_mask_in(PTR(4), A(5), &m, &mask);
    return r < 0 ? r : ep_wait_common((int)A(0), PTR(1), (int)A(2), ns, mask);
}
