/* timerfd_create, timerfd_settime, timerfd_gettime: a PAL timer whose
 * handle carries the expiration count (pal.h timer_create). The handle is
 * a host timerfd in both modes, so poll and epoll see it like a pipe and a
 * forked child shares the timer, as on Linux. Inside an enclave the host
 * keeps time (as for every clock): it can delay or hasten expirations,
 * never forge the count's size, which is checked here. */
#include <linux/fcntl.h>

#include "fs/vfs.h"
#include "core/creds.h"
#include "sys/poll.h"
#include "sys/sys.h"

#define NSEC 1000000000LL
#define CLOCK_REALTIME_ 0
#define CLOCK_MONOTONIC_ 1
#define CLOCK_BOOTTIME_ 7
#define CLOCK_REALTIME_ALARM_ 8
#define CLOCK_BOOTTIME_ALARM_ 9
#define CAP_WAKE_ALARM_ 35
#define TFD_TIMER_ABSTIME_ 1
#define TFD_TIMER_CANCEL_ON_SET_ 2

struct k_itimerspec {
    struct k_timespec interval, value;
};

static long tfd_read(struct file *f, void *buf, size_t len)
{
    uint64_t count;
    if (len < 8)
        return -PAL_EINVAL;
    for (;;) {
        long r = pal->read(f->h, &count, sizeof(count));
        if (r == (long)sizeof(count))
            break;
        if (r >= 0)
            return -PAL_EIO; /* a timer gives 8 bytes or nothing */
        if (r != -PAL_EAGAIN || (f->flags & O_NONBLOCK))
            return r; /* -ECANCELED for TFD_TIMER_CANCEL_ON_SET */
        struct pal_pollfd p = {.handle = f->h, .events = POLLIN_};
        r = pal->poll(&p, 1, -1);
        if (r < 0)
            return r;
    }
    memcpy(buf, &count, sizeof(count));
    return sizeof(count);
}

static const struct file_ops tfd_ops = {
    .read = tfd_read,
    .fstat = anon_fstat,
    .poll_handle = anon_poll_handle,
    .release = anon_release,
};

SYS(timerfd_create)
{
    int clock = (int)A(0), flags = (int)A(1);
    if (flags & ~(O_CLOEXEC | O_NONBLOCK))
        return -PAL_EINVAL;
    bool alarm = clock == CLOCK_REALTIME_ALARM_ || clock == CLOCK_BOOTTIME_ALARM_;
    if (!alarm && clock != CLOCK_REALTIME_ && clock != CLOCK_MONOTONIC_ && clock != CLOCK_BOOTTIME_)
        return -PAL_EINVAL;
    if (alarm) { /* needs CAP_WAKE_ALARM (and then the host's too) */
        uint64_t permitted, effective;
        creds_caps(&permitted, &effective);
        if (!(effective & (1ull << CAP_WAKE_ALARM_)))
            return -PAL_EPERM;
    }
    pal_handle h;
    long r = pal->timer_create(clock, &h);
    if (r < 0)
        return r;
    return anon_install(&tfd_ops, h, O_RDWR | flags, flags & O_CLOEXEC, "anon_inode:[timerfd]");
}

static bool ts_ok(const struct k_timespec *t)
{
    return t->tv_sec >= 0 && t->tv_nsec >= 0 && t->tv_nsec < NSEC && t->tv_sec < (1LL << 62) / NSEC;
}

static void put_pair(struct k_itimerspec *out, const int64_t v[2])
{
    out->value = (struct k_timespec){v[0] / NSEC, v[0] % NSEC};
    out->interval = (struct k_timespec){v[1] / NSEC, v[1] % NSEC};
}

SYS(timerfd_settime)
{
    int flags = (int)A(1);
    const struct k_itimerspec *unew = PTR(2);
    struct k_itimerspec *uold = PTR(3), nv;
    if (flags & ~(TFD_TIMER_ABSTIME_ | TFD_TIMER_CANCEL_ON_SET_))
        return -PAL_EINVAL;
    if (!unew)
        return -PAL_EFAULT;
    memcpy(&nv, unew, sizeof(nv)); /* a bad pointer faults into EFAULT */
    if (!ts_ok(&nv.value) || !ts_ok(&nv.interval))
        return -PAL_EINVAL;
    struct file *f;
    long r = fd_get_of((int)A(0), &tfd_ops, &f);
    if (r < 0)
        return r;
    int64_t old[2];
    int64_t value = nv.value.tv_sec * NSEC + nv.value.tv_nsec;
    int64_t interval = nv.interval.tv_sec * NSEC + nv.interval.tv_nsec;
    /* Linux ignores CANCEL_ON_SET without ABSTIME, and refuses it on a
     * clock other than CLOCK_REALTIME when the timer is armed with it. */
    r = pal->timer_set(f->h, flags, value, interval, old);
    file_put(f);
    if (r == 0 && uold)
        put_pair(uold, old);
    return r;
}

SYS(timerfd_gettime)
{
    struct k_itimerspec *ucur = PTR(1);
    struct file *f;
    long r = fd_get_of((int)A(0), &tfd_ops, &f);
    if (r < 0)
        return r;
    int64_t cur[2];
    r = pal->timer_get(f->h, cur);
    file_put(f);
    if (r == 0) {
        if (!ucur)
            return -PAL_EFAULT;
        put_pair(ucur, cur);
    }
    return r;
}
