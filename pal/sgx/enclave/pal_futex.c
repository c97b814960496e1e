/* Trusted PAL: futex wait and wake between enclave threads.
 *
 * Who waits on which address is trusted state: one waiter record per
 * thread (TCS index), under one spinlock. A thread sleeps on its own
 * untrusted 32-bit word in host memory (the host gives it at ECALL_RUN /
 * ECALL_THREAD) with OCALL_FUTEX_WAIT, and a waker marks it woken, sets
 * that word to 1 and asks the host to wake it (OCALL_FUTEX_WAKE). The host
 * can only delay or hasten wakeups: a thread returns 0 only when a waker
 * marked it or as a spurious wakeup (allowed by futex semantics), and never
 * misses a wake, since it registers and compares *addr under the lock that
 * wakers take. Without a host word (an old host), a waiter polls. */
#include "pal_enclave.h"

#define POLL_NS 1000000LL
#define WAKE_BATCH 16

struct waiter {
    const uint32_t *addr; /* waited-on address, NULL when not waiting */
    uint32_t woken;
    uint64_t word; /* host address of this thread's futex word, 0: none */
};

static struct waiter waiters[PAL_MAX_THREADS];
static uint32_t lock;
static uint32_t n_waiting;

static void spin_lock(void)
{
    while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&lock, __ATOMIC_RELAXED))
            __asm__ volatile("pause");
}

static void spin_unlock(void)
{
    __atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

static struct waiter *self(void)
{
    uint64_t i = tls_self()->thread_index;

    return i < PAL_MAX_THREADS ? &waiters[i] : NULL;
}

int enclave_futex_set_word(uint64_t word)
{
    struct waiter *w = self();

    if (!w || word % 4 ||
        (word && !host_range_ok(g_encl.base, g_encl.size, word, sizeof(uint32_t))))
        return -PAL_EFAULT;
    w->word = word;
    return 0;
}

/* Without a host word: sleep in slices, counting the time slept. */
static long poll_woken(struct waiter *w, int64_t timeout_ns)
{
    struct ocall_args a = {{0}};
    struct ocall_iov iov = {&a, sizeof(a)};
    int64_t r;

    for (;;) {
        a.a[0] = timeout_ns < 0 || timeout_ns > POLL_NS ? POLL_NS : timeout_ns;
        r = enclave_ocallv(OCALL_SLEEP, &iov, 1, NULL, 0, NULL);
        if (__atomic_load_n(&w->woken, __ATOMIC_SEQ_CST))
            return 0;
        if (r)
            return r == -PAL_EINTR ? r : -PAL_EIO;
        if (timeout_ns >= 0 && (timeout_ns -= a.a[0]) == 0)
            return -PAL_ETIMEDOUT;
    }
}

/* Sleeps on the host word until woken, the timeout, a host signal or a
 * spurious wakeup (returned as 0 only when there is a timeout to keep). */
static long sleep_woken(struct waiter *w, int64_t timeout_ns)
{
    struct ocall_args a = {{(int64_t)w->word, 0, timeout_ns}};
    struct ocall_iov iov = {&a, sizeof(a)};
    int64_t r;

    if (!w->word)
        return poll_woken(w, timeout_ns);
    for (;;) {
        r = enclave_ocallv(OCALL_FUTEX_WAIT, &iov, 1, NULL, 0, NULL);
        if (__atomic_load_n(&w->woken, __ATOMIC_SEQ_CST))
            return 0;
        if (r == -PAL_EINTR || (r == -PAL_ETIMEDOUT && timeout_ns >= 0))
            return r;
        if (r != 0 && r != -PAL_EAGAIN && r != -PAL_ETIMEDOUT)
            return -PAL_EIO;
        if (timeout_ns >= 0)
            return 0; /* spurious: the caller re-checks, as with Linux */
    }
}

static long pal_futex_wait(uint32_t *addr, uint32_t val, int64_t timeout_ns)
{
    static const uint32_t zero;
    struct waiter *w = self();
    long r;

    if (!w)
        return -PAL_EINVAL;
    spin_lock();
    __atomic_add_fetch(&n_waiting, 1, __ATOMIC_SEQ_CST);
    w->addr = addr;
    __atomic_store_n(&w->woken, 0, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(addr, __ATOMIC_SEQ_CST) != val) {
        r = -PAL_EAGAIN;
    } else if (w->word && copy_to_host(w->word, &zero, sizeof(zero))) {
        r = -PAL_EFAULT;
    } else {
        spin_unlock();
        r = sleep_woken(w, timeout_ns);
        spin_lock();
    }
    if (__atomic_load_n(&w->woken, __ATOMIC_SEQ_CST))
        r = 0;
    w->addr = NULL;
    __atomic_sub_fetch(&n_waiting, 1, __ATOMIC_SEQ_CST);
    spin_unlock();
    return r;
}

/* Marks up to n waiters on addr woken and writes 1 to their host words,
 * which go to out[] for the wake OCALLs (0: nothing to wake on the host).
 * Under the lock. */
static int mark_woken(const uint32_t *addr, int n, uint64_t *out)
{
    static const uint32_t one = 1;
    int woken = 0;

    for (uint64_t i = 0; i < PAL_MAX_THREADS && woken < n; i++) {
        struct waiter *w = &waiters[i];

        if (w->addr != addr || __atomic_load_n(&w->woken, __ATOMIC_RELAXED))
            continue;
        __atomic_store_n(&w->woken, 1, __ATOMIC_SEQ_CST);
        out[woken] = 0;
        if (w->word && !copy_to_host(w->word, &one, sizeof(one)))
            out[woken] = w->word;
        woken++;
    }
    return woken;
}

static void host_wake(const uint64_t *words, int n)
{
    struct ocall_args a = {{0}};
    struct ocall_iov iov = {&a, sizeof(a)};

    for (int i = 0; i < n; i++) {
        if (!words[i])
            continue;
        a.a[0] = (int64_t)words[i];
        enclave_ocallv(OCALL_FUTEX_WAKE, &iov, 1, NULL, 0,
                       NULL); /* a lost wake is the host's DoS */
    }
}

long enclave_futex_wake(uint32_t *addr, int n)
{
    uint64_t words[WAKE_BATCH];
    int woken = 0, batch;

    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the caller's store to *addr, then n_waiting */
    if (!__atomic_load_n(&n_waiting, __ATOMIC_SEQ_CST))
        return 0;
    while (woken < n) {
        spin_lock();
        batch = mark_woken(addr, n - woken < WAKE_BATCH ? n - woken : WAKE_BATCH, words);
        spin_unlock();
        host_wake(words, batch);
        woken += batch;
        if (batch < WAKE_BATCH)
            break;
    }
    return woken;
}

/* Up to n_wake waiters of addr woken, up to n_requeue others moved to
 * addr2, all under the lock (with cmp: *addr compared there first, as a
 * waiter compares its value under it). A moved waiter keeps sleeping on
 * its host word until a wake of addr2 marks it. */
long enclave_futex_requeue(uint32_t *addr, int n_wake, uint32_t *addr2, int n_requeue,
                           const uint32_t *cmp, int flags)
{
    uint64_t words[WAKE_BATCH];
    int woken = 0, moved = 0, batch;

    (void)flags; /* every enclave futex is the process's own */
    if (n_wake < 0 || n_requeue < 0)
        return -PAL_EINVAL;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    spin_lock();
    if (cmp && __atomic_load_n(addr, __ATOMIC_SEQ_CST) != *cmp) {
        spin_unlock();
        return -PAL_EAGAIN;
    }
    for (;;) {
        batch = mark_woken(addr, n_wake - woken < WAKE_BATCH ? n_wake - woken : WAKE_BATCH, words);
        woken += batch;
        if (batch < WAKE_BATCH || woken == n_wake)
            break;
        spin_unlock();
        host_wake(words, batch);
        spin_lock();
    }
    for (uint64_t i = 0; i < PAL_MAX_THREADS && moved < n_requeue; i++) {
        struct waiter *w = &waiters[i];
        if (w->addr == addr && !__atomic_load_n(&w->woken, __ATOMIC_RELAXED)) {
            w->addr = addr2;
            moved++;
        }
    }
    spin_unlock();
    host_wake(words, batch);
    return woken + moved;
}

void enclave_fill_futex(struct pal_api *api)
{
    api->futex_wait = pal_futex_wait;
    api->futex_wake = enclave_futex_wake;
    api->futex_requeue = enclave_futex_requeue;
}
