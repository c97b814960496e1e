/* futex: waits and wakes go to the PAL on the program's own word. The
 * bitset variants treat every bitset as "all" (a waiter may wake
 * spuriously, which futex users must handle anyway); requeue wakes every
 * waiter instead of moving them, for the same reason. */
#include <linux/futex.h>

#include "core/user.h"
#include "sys/sys.h"

#define NSEC 1000000000LL

struct k_timespec {
    int64_t tv_sec, tv_nsec;
};

/* Relative timeout in ns from the user's timespec; -1 for none. */
static long timeout_ns(const struct k_timespec *ts, bool absolute, int clock, int64_t *out)
{
    *out = -1;
    if (!ts)
        return 0;
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NSEC)
        return -PAL_EINVAL;
    int64_t t = ts->tv_sec * NSEC + ts->tv_nsec, now = 0;
    if (absolute) {
        long r = pal->clock_get(clock, &now);
        if (r < 0)
            return r;
        t = t > now ? t - now : 0;
    }
    *out = t;
    return 0;
}

/* FUTEX_PRIVATE_FLAG: the process's own futex even on shared memory, where
 * the PAL can tell them apart (PAL_HAS futex_wait_private). */
static long do_wait(bool priv, uint32_t *uaddr, uint32_t val, int64_t ns)
{
    if (priv && PAL_HAS(pal, futex_wait_private))
        return pal->futex_wait_private(uaddr, val, ns);
    return pal->futex_wait(uaddr, val, ns);
}

static long do_wake(bool priv, uint32_t *uaddr, int n)
{
    if (priv && PAL_HAS(pal, futex_wake_private))
        return pal->futex_wake_private(uaddr, n);
    return pal->futex_wake(uaddr, n);
}

static long futex_wait(bool priv, uint32_t *uaddr, uint32_t val, const void *ts, bool abs,
                       int clock)
{
    int64_t ns;
    long r = timeout_ns(ts, abs, clock, &ns);
    if (r < 0)
        return r;
    if (abs && ts && ns == 0)
        return -PAL_ETIMEDOUT;
    return do_wait(priv, uaddr, val, ns);
}

SYS(futex)
{
    uint32_t *uaddr = PTR(0);
    int op = (int)A(1) & FUTEX_CMD_MASK;
    bool priv = (A(1) & FUTEX_PRIVATE_FLAG) != 0;
    int clock = (A(1) & FUTEX_CLOCK_REALTIME) ? 0 : 1;
    if ((uint64_t)uaddr & 3)
        return -PAL_EINVAL;
    /* The PAL reads the word (inside an enclave: the trusted PAL, where a
     * fault is fatal): a bad pointer faults here instead, giving EFAULT. */
    long bad = user_check_read(uaddr, sizeof(*uaddr));
    if (bad < 0)
        return bad;
    switch (op) {
    case FUTEX_WAIT: return futex_wait(priv, uaddr, (uint32_t)A(2), PTR(3), false, clock);
    case FUTEX_WAIT_BITSET:
        if (!A(5))
            return -PAL_EINVAL;
        return futex_wait(priv, uaddr, (uint32_t)A(2), PTR(3), true, clock);
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: return do_wake(priv, uaddr, (int)A(2));
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
        if (op == FUTEX_CMP_REQUEUE && __atomic_load_n(uaddr, __ATOMIC_SEQ_CST) != (uint32_t)A(5))
            return -PAL_EAGAIN;
        return do_wake(priv, uaddr, 0x7fffffff);
    default:
        return -PAL_ENOSYS;
    }
}
