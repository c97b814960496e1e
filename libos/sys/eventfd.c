/* eventfd. Where the PAL has a host eventfd (pal.h eventfd: direct mode),
 * or the manifest trusts the host with it in an enclave
 * (sys.insecure__allow_eventfd, pal.h eventfd_untrusted), the host's is
 * the eventfd, counter and all, shared with forked children as Linux's.
 * Otherwise (an enclave, where the host is not trusted with the
 * counter) the 64-bit counter lives in the libOS, in each process: a
 * forked child that uses an eventfd it inherited is refused (EPERM, with a
 * warning) rather than counting apart from its parent; and a host socket pair
 * carries readiness only: rd holds bytes (sent through wr) while the
 * counter is non-zero, so poll and epoll see the eventfd become readable,
 * and rd is writable while nothing sent through rd waits in wr, as
 * Linux's eventfd is while its counter is below its maximum: at the
 * maximum rd fills wr's queue until it is not writable (efd_full), and the
 * read that takes the counter below empties it. Every write adds a byte,
 * as every eventfd write wakes Linux's waiters: an EPOLLET waiter sees
 * each one. */
#include <linux/fcntl.h>

#include "fs/vfs.h"
#include "sys/poll.h"
#include "sys/sys.h"

#define EFD_SEMAPHORE_ 1

struct efd {
    spinlock_t lock;
    uint64_t count;
    pal_handle rd, wr;
    bool semaphore, signaled, full;
    int owner; /* libos_pid of the process that made it */
    /* Reads so far, the futex word a blocking write waits on while the
     * counter has no room for its value; writers: how many wait. */
    uint32_t reads, writers;
};

/* An eventfd a forked child inherited: its counter is the parent's,
 * which this enclave cannot reach (see the top). */
static bool efd_foreign(const struct efd *e)
{
    static bool warned;
    if (e->owner == libos_pid)
        return false;
    if (!__atomic_exchange_n(&warned, true, __ATOMIC_RELAXED))
        log_warn("eventfd: a descriptor inherited across fork is not shared with the process that "
                 "made it inside an enclave (each keeps its own counter): its read and write are "
                 "refused (EPERM)");
    return true;
}

#define EFD_MAX (~0ULL - 1)
#define EFD_FILL_MAX 1024 /* chunks: 4 MiB, well past any socket buffer */

/* The counter reached its maximum (full) or left it: see the top. */
static void efd_full(struct efd *e, bool full)
{
    static const char fill[4096];
    char b[4096];
    if (full == e->full)
        return;
    if (full)
        for (int i = 0; i < EFD_FILL_MAX && pal->write(e->rd, fill, sizeof(fill)) > 0; i++)
            ;
    else
        while (pal->read(e->wr, b, sizeof(b)) > 0)
            ;
    e->full = full;
}

/* A write added to the counter (on), or a read took it to zero (off). */
static void efd_signal(struct efd *e, bool on)
{
    char b[64] = {1};
    if (on) {
        /* A full pipe (EAGAIN) is readable already: nothing is lost. */
        if (pal->write(e->wr, b, 1) == 1)
            e->signaled = true;
    } else if (e->signaled) {
        while (pal->read(e->rd, b, sizeof(b)) == (long)sizeof(b))
            ;
        e->signaled = false;
    }
}

static long efd_take(struct efd *e, uint64_t *val)
{
    spin_lock(&e->lock);
    bool have = e->count > 0, wake = false;
    if (have) {
        *val = e->semaphore ? 1 : e->count;
        e->count -= *val;
        efd_full(e, false);
        if (e->count == 0)
            efd_signal(e, false);
        __atomic_add_fetch(&e->reads, 1, __ATOMIC_RELEASE);
        wake = e->writers > 0;
    }
    spin_unlock(&e->lock);
    if (wake)
        pal->futex_wake(&e->reads, 0x7fffffff);
    return have;
}

static long efd_read(struct file *f, void *buf, size_t len)
{
    struct efd *e = (struct efd *)f->h;
    uint64_t val;
    if (len < 8)
        return -PAL_EINVAL;
    if (efd_foreign(e))
        return -PAL_EPERM;
    while (!efd_take(e, &val)) {
        if (f->flags & O_NONBLOCK)
            return -PAL_EAGAIN;
        struct pal_pollfd p = {.handle = e->rd, .events = POLLIN_};
        long r = pal->poll(&p, 1, -1);
        if (r < 0)
            return r;
    }
    memcpy(buf, &val, 8);
    return 8;
}

static long efd_write(struct file *f, const void *buf, size_t len)
{
    struct efd *e = (struct efd *)f->h;
    uint64_t v;
    if (len < 8)
        return -PAL_EINVAL;
    memcpy(&v, buf, 8);
    if (v == ~0ULL)
        return -PAL_EINVAL;
    if (efd_foreign(e))
        return -PAL_EPERM;
    for (;;) {
        spin_lock(&e->lock);
        if (e->count + v >= e->count && e->count + v <= EFD_MAX)
            break;
        /* No room: EAGAIN, or wait for a read (Linux blocks). */
        uint32_t seen = __atomic_load_n(&e->reads, __ATOMIC_ACQUIRE);
        if (f->flags & O_NONBLOCK) {
            spin_unlock(&e->lock);
            return -PAL_EAGAIN;
        }
        e->writers++;
        spin_unlock(&e->lock);
        long w = pal->futex_wait(&e->reads, seen, -1);
        spin_lock(&e->lock);
        e->writers--;
        spin_unlock(&e->lock);
        if (w < 0 && w != -PAL_EAGAIN)
            return w; /* EINTR: a signal; or the PAL's error */
    }
    if (v) {
        e->count += v;
        efd_signal(e, true);
        efd_full(e, e->count == EFD_MAX);
    }
    spin_unlock(&e->lock);
    return 8;
}

static pal_handle efd_poll_handle(struct file *f)
{
    return ((struct efd *)f->h)->rd;
}

static void efd_release(struct file *f)
{
    struct efd *e = (struct efd *)f->h;
    pal->close(e->rd);
    pal->close(e->wr);
    free(e);
}

static const struct file_ops efd_ops = {
    .read = efd_read,
    .write = efd_write,
    .fstat = anon_fstat,
    .poll_handle = efd_poll_handle,
    .release = efd_release,
};

static long make_eventfd(uint64_t initval, int flags)
{
    pal_handle h[2];
    if (flags & ~(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE_))
        return -PAL_EINVAL;
    bool untrusted = !PAL_HAS(pal, eventfd) && libos_cfg.eventfd_host &&
                     PAL_HAS(pal, eventfd_untrusted);
    if (PAL_HAS(pal, eventfd) || untrusted) {
        pal_handle hh;
        int hf = flags & (O_NONBLOCK | EFD_SEMAPHORE_);
        long r = untrusted ? pal->eventfd_untrusted(initval, hf, &hh) : pal->eventfd(initval, hf, &hh);
        return r < 0 ? r
                     : anon_install(&host_file_ops, hh, O_RDWR | (flags & O_NONBLOCK),
                                    flags & O_CLOEXEC, "anon_inode:[eventfd]");
    }
    struct efd *e = calloc(1, sizeof(*e));
    long r = e ? pal->sock_pair(1 /* AF_UNIX */, 1 /* SOCK_STREAM */ | O_NONBLOCK | O_CLOEXEC, 0, h)
               : -PAL_ENOMEM;
    if (r < 0) {
        free(e);
        return r;
    }
    *e =
        (struct efd){.count = initval, .rd = h[0], .wr = h[1], .semaphore = flags & EFD_SEMAPHORE_,
                    .owner = libos_pid};
    efd_signal(e, initval > 0);
    struct file *f = file_new(&efd_ops, (pal_handle)e, O_RDWR | (flags & O_NONBLOCK));
    if (f)
        f->anon_name = "anon_inode:[eventfd]";
    int fd = f ? fd_install(f, 0, flags & O_CLOEXEC) : -PAL_ENOMEM;
    if (fd < 0)
        f ? file_put(f) : efd_release(&(struct file){.h = (pal_handle)e});
    return fd;
}

SYS(eventfd)
{
    return make_eventfd(A(0), 0);
}
SYS(eventfd2)
{
    return make_eventfd(A(0), (int)A(1));
}
