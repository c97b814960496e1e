/* futex: waits and wakes go to the PAL on the program's own word. The
 * bitset variants treat every bitset as "all" (a waiter may wake
 * spuriously, which futex users must handle anyway); requeue is the
 * PAL's, or wakes every waiter where it has none, for the same reason.
 * FUTEX_WAKE_OP's operation is an atomic update of the program's word
 * here. */
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

/* The second word of FUTEX_WAKE_OP (written) or a requeue (read):
 * aligned (EINVAL) and the program's (EFAULT). */
static long second_word_ok(uint32_t *w, bool write)
{
    if ((uint64_t)w & 3)
        return -PAL_EINVAL;
    return write ? user_check_write(w, sizeof(*w)) : user_check_read(w, sizeof(*w));
}

/* FUTEX_WAKE_OP's operation on *uaddr2 (encoded in val3, futex(2)),
 * atomic against the program's other atomic operations on the word; the
 * comparison of the old value: 1 true, 0 false, or -errno. */
static long wake_op_apply(uint32_t *uaddr2, uint32_t enc)
{
    unsigned op = enc >> 28 & 7, cmp = enc >> 24 & 15;
    int32_t oparg = (int32_t)(enc << 8) >> 20, cmparg = (int32_t)(enc << 20) >> 20;
    if (enc >> 28 & FUTEX_OP_OPARG_SHIFT)
        oparg = 1 << (oparg & 31); /* Linux takes the low 5 bits of a bad shift too */
    if (op > FUTEX_OP_XOR)
        return -PAL_ENOSYS;
    long bad = second_word_ok(uaddr2, true);
    if (bad < 0)
        return bad;
    uint32_t old = __atomic_load_n(uaddr2, __ATOMIC_SEQ_CST), nv;
    do {
        nv = op == FUTEX_OP_SET    ? (uint32_t)oparg
             : op == FUTEX_OP_ADD  ? old + (uint32_t)oparg
             : op == FUTEX_OP_OR   ? old | (uint32_t)oparg
             : op == FUTEX_OP_ANDN ? old & ~(uint32_t)oparg
                                   : old ^ (uint32_t)oparg;
    } while (!__atomic_compare_exchange_n(uaddr2, &old, nv, false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_SEQ_CST));
    int32_t o = (int32_t)old;
    switch (cmp) {
    case FUTEX_OP_CMP_EQ: return o == cmparg;
    case FUTEX_OP_CMP_NE: return o != cmparg;
    case FUTEX_OP_CMP_LT: return o < cmparg;
    case FUTEX_OP_CMP_LE: return o <= cmparg;
    case FUTEX_OP_CMP_GT: return o > cmparg;
    case FUTEX_OP_CMP_GE: return o >= cmparg;
    default: return -PAL_ENOSYS; /* as Linux, after the operation was done */
    }
}

/* FUTEX_WAKE_OP (glibc's pthread_cond_signal before 2.25): the operation
 * on *uaddr2, then up to n waiters of uaddr woken, and when the old value
 * of *uaddr2 passed the comparison up to n2 of uaddr2's; the number woken.
 * A waiter on uaddr2 that comes between the operation and the wake sees
 * the new value, as under Linux's locks, or is woken by it. */
static long wake_op(bool priv, uint32_t *uaddr, int n, int n2, uint32_t *uaddr2, uint32_t enc)
{
    long cmp = wake_op_apply(uaddr2, enc);
    if (cmp < 0)
        return cmp;
    long woken = n > 0 ? do_wake(priv, uaddr, n) : 0;
    if (woken < 0)
        return woken;
    long woken2 = cmp && n2 > 0 ? do_wake(priv, uaddr2, n2) : 0;
    return woken2 < 0 ? woken2 : woken + woken2;
}

/* FUTEX_REQUEUE / FUTEX_CMP_REQUEUE: the PAL's requeue, woken plus moved;
 * where the PAL has none (or not for these addresses), every waiter of
 * uaddr is woken instead (spurious wakeups, which futex users handle). */
static long requeue(bool priv, uint32_t *uaddr, int n_wake, int n_requeue, uint32_t *uaddr2,
                    const uint32_t *cmp)
{
    if (n_wake < 0 || n_requeue < 0)
        return -PAL_EINVAL;
    long bad = second_word_ok(uaddr2, false);
    if (bad < 0)
        return bad;
    long r = -PAL_ENOSYS;
    if (PAL_HAS(pal, futex_requeue))
        r = pal->futex_requeue(uaddr, n_wake, uaddr2, n_requeue, cmp, priv ? PAL_FUTEX_PRIVATE : 0);
    if (r != -PAL_ENOSYS)
        return r;
    if (cmp && __atomic_load_n(uaddr, __ATOMIC_SEQ_CST) != *cmp)
        return -PAL_EAGAIN;
    return do_wake(priv, uaddr, 0x7fffffff);
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
    case FUTEX_WAKE_OP:
        return wake_op(priv, uaddr, (int)A(2), (int)A(3), PTR(4), (uint32_t)A(5));
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
        return requeue(priv, uaddr, (int)A(2), (int)A(3), PTR(4),
                       op == FUTEX_CMP_REQUEUE ? &(uint32_t){(uint32_t)A(5)} : NULL);
    default:
        return -PAL_ENOSYS;
    }
}
