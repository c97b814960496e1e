/* signalfd, signalfd4: a descriptor that takes pending signals of its mask
 * (signalfd(2)). The signals themselves stay in the libOS's pending set
 * (core/signal.c); a read takes them from there as sigtimedwait does. A
 * host pipe carries readiness only, as for eventfd: while a signal of the
 * mask is pending the pipe holds a byte, so poll and epoll see the
 * signalfd readable. signal_raise reports each new pending signal through
 * signal_raise_hook. After fork the child's signalfds get pipes of their
 * own (the child's pending set is its own, as on Linux). */
#include <linux/fcntl.h>

#include "core/signal.h"
#include "fs/vfs.h"
#include "sys/poll.h"
#include "sys/sys.h"

#define SFD_MAX 64
#define SIGINFO_SIZE 128

struct sfd {
    uint64_t mask;
    pal_handle rd, wr;
    spinlock_t lock; /* the pipe's byte: signaled */
    bool signaled;
};

/* Every live signalfd, for the raise hook and fork. */
static struct sfd *all[SFD_MAX];
static spinlock_t all_lock;

static void sfd_set_ready(struct sfd *s, bool on)
{
    char b[64] = {1};
    spin_lock(&s->lock);
    if (on && !s->signaled) {
        if (pal->write(s->wr, b, 1) == 1)
            s->signaled = true;
    } else if (!on && s->signaled) {
        while (pal->read(s->rd, b, sizeof(b)) == (long)sizeof(b))
            ;
        s->signaled = false;
    }
    spin_unlock(&s->lock);
}

/* Readiness follows the pending set: cleared first, then set again when a
 * signal of the mask is (still, or newly) pending, so no raise is lost. */
static void sfd_refresh(struct sfd *s)
{
    sfd_set_ready(s, false);
    if (signal_pending_set() & s->mask)
        sfd_set_ready(s, true);
}

static void on_raise(int sig)
{
    spin_lock(&all_lock);
    for (int i = 0; i < SFD_MAX; i++)
        if (all[i] && (all[i]->mask & SIGBIT(sig)))
            sfd_set_ready(all[i], true);
    spin_unlock(&all_lock);
}

/* Linux's struct signalfd_siginfo. */
struct k_signalfd_siginfo {
    uint32_t signo;
    int32_t err, code;
    uint32_t pid, uid;
    int32_t fd;
    uint32_t tid, band, overrun, trapno;
    int32_t status, int_;
    uint64_t ptr, utime, stime, addr;
    uint16_t addr_lsb;
    uint8_t pad[46];
};
_Static_assert(sizeof(struct k_signalfd_siginfo) == SIGINFO_SIZE, "signalfd_siginfo is 128 bytes");

static long sfd_read(struct file *f, void *buf, size_t len)
{
    struct sfd *s = (struct sfd *)f->h;
    size_t max = len / SIGINFO_SIZE, n = 0;
    if (max == 0)
        return -PAL_EINVAL;
    for (;;) {
        int sig;
        struct signal_info info;
        while (n < max && (sig = signal_take_info(s->mask, &info))) {
            struct k_signalfd_siginfo si;
            memset(&si, 0, sizeof(si));
            uint64_t fld[2];
            si.signo = (uint32_t)sig;
            signal_siginfo_fields(sig, &info, &si.code, fld);
            if (si.code == -2) { /* SI_TIMER: timer id, overrun, value */
                si.tid = (uint32_t)fld[0];
                si.overrun = (uint32_t)(fld[0] >> 32);
                si.ptr = fld[1];
                si.int_ = (int32_t)fld[1];
            } else if (si.code <= 0 || sig == 17) {
                /* kill, tkill, sigqueue, or a child's report: the sender
                 * (or the child) and its uid; sigqueue's value, or the
                 * child's status (signalfd_copyinfo in Linux) */
                si.pid = (uint32_t)fld[0];
                si.uid = (uint32_t)(fld[0] >> 32);
                if (sig == 17 && si.code > 0)
                    si.status = (int32_t)fld[1];
                else if (si.code == -1 || si.code == -3) /* SI_QUEUE, SI_MESGQ */
                    si.ptr = fld[1], si.int_ = (int32_t)fld[1];
            }
            memcpy((uint8_t *)buf + n * SIGINFO_SIZE, &si, sizeof(si));
            n++;
        }
        sfd_refresh(s);
        if (n)
            return (long)(n * SIGINFO_SIZE);
        if (f->flags & O_NONBLOCK)
            return -PAL_EAGAIN;
        /* Signals raised inside the process set the byte; host signals
         * cut the wait short; a signal outside the mask that the thread
         * does not block ends the read with EINTR. */
        if (signal_pending_for(cur_thread()->sigmask | s->mask))
            return -PAL_EINTR;
        struct pal_pollfd p = {.handle = s->rd, .events = POLLIN_};
        long r = pal->poll(&p, 1, 10000000); /* 10 ms: see the EINTR check above */
        if (r < 0 && r != -PAL_EINTR)
            return r;
    }
}

static pal_handle sfd_poll_handle(struct file *f)
{
    return ((struct sfd *)f->h)->rd;
}

static void sfd_release(struct file *f)
{
    struct sfd *s = (struct sfd *)f->h;
    spin_lock(&all_lock);
    for (int i = 0; i < SFD_MAX; i++)
        if (all[i] == s)
            all[i] = NULL;
    spin_unlock(&all_lock);
    pal->close(s->rd);
    pal->close(s->wr);
    free(s);
}

static const struct file_ops sfd_ops = {
    .read = sfd_read,
    .fstat = anon_fstat,
    .poll_handle = sfd_poll_handle,
    .release = sfd_release,
};

/* A forked child: pipes of its own, and readiness from its own (empty)
 * pending set. */
void signalfd_after_fork(void)
{
    spin_lock(&all_lock);
    for (int i = 0; i < SFD_MAX; i++) {
        struct sfd *s = all[i];
        pal_handle h[2];
        if (!s || pal->pipe(h, O_NONBLOCK | O_CLOEXEC) < 0)
            continue; /* keeps the shared pipe: readiness may be spurious */
        pal->close(s->rd);
        pal->close(s->wr);
        s->rd = h[0], s->wr = h[1], s->signaled = false;
    }
    spin_unlock(&all_lock);
}

static long make_signalfd(int fd, const uint64_t *umask, size_t sizemask, int flags)
{
    if (flags & ~(O_CLOEXEC | O_NONBLOCK) || sizemask != 8)
        return -PAL_EINVAL;
    uint64_t mask = *umask & ~(SIGBIT(9) | SIGBIT(19)); /* a bad pointer faults: EFAULT */
    if (fd != -1) {
        struct file *f;
        long r = fd_get_of(fd, &sfd_ops, &f);
        if (r < 0)
            return r;
        struct sfd *s = (struct sfd *)f->h;
        __atomic_store_n(&s->mask, mask, __ATOMIC_SEQ_CST);
        sfd_refresh(s);
        file_put(f);
        return fd;
    }
    struct sfd *s = calloc(1, sizeof(*s));
    pal_handle h[2];
    long r = s ? pal->pipe(h, O_NONBLOCK | O_CLOEXEC) : -PAL_ENOMEM;
    if (r < 0) {
        free(s);
        return r;
    }
    s->mask = mask, s->rd = h[0], s->wr = h[1];
    int slot = -1;
    spin_lock(&all_lock);
    for (int i = 0; i < SFD_MAX && slot < 0; i++)
        if (!all[i])
            all[slot = i] = s;
    spin_unlock(&all_lock);
    struct file *f =
        slot >= 0 ? file_new(&sfd_ops, (pal_handle)s, O_RDWR | (flags & O_NONBLOCK)) : NULL;
    if (!f) {
        sfd_release(&(struct file){.h = (pal_handle)s});
        return slot < 0 ? -PAL_EMFILE : -PAL_ENOMEM;
    }
    f->anon_name = "anon_inode:[signalfd]";
    __atomic_store_n(&signal_raise_hook, on_raise, __ATOMIC_SEQ_CST);
    sfd_refresh(s);
    int nfd = fd_install(f, 0, flags & O_CLOEXEC);
    if (nfd < 0)
        file_put(f);
    return nfd;
}

SYS(signalfd)
{
    return make_signalfd((int)A(0), PTR(1), A(2), 0);
}

SYS(signalfd4)
{
    return make_signalfd((int)A(0), PTR(1), A(2), (int)A(3));
}
