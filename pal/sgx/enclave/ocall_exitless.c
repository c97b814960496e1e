/* Exitless OCALLs (geode.ocall_workers > 0), enclave side: the frame goes
 * into this thread's slot in the host's area instead of below the host's
 * stack pointer, a host worker thread serves it while this thread spins on
 * the slot's status word, and after a bounded spin the thread sleeps via an
 * ordinary exit (OCALL_EXITLESS_WAIT), whose host side serves the request
 * itself if no worker took it. The reply is read by ocall.c with the same
 * checks as after an EEXIT.
 *
 * The area is host memory: the queue indices, cell sequence numbers, the
 * polling hint and the status word may change under us at any time. They
 * are only read as hints or masked into indices; every loop is bounded; the
 * only enclave state written from them is the status the caller returns.
 *
 * Calls that stay on the exit path: exitless_excluded (enclave_abi.h). The
 * host's workers also hand back (HANDOFF) reads and writes that may block:
 * on a pipe, a tty or a socket that is not non-blocking. */
#include "ocall_exitless.h"

#include "pal_enclave.h"

#define EFAULT 14
#define EBUSY 16
#define EIO 5
#define PAGE 4096ULL

/* Adaptive policy (issue 13: spin only while it pays, no loss on a busy
 * host), per enclave thread, all of it enclave state:
 * - the spin bound follows how long the worker took lately (a few times
 *   the last wait, between SPIN_MIN and SPIN_LIMIT status reads; SPIN_LIMIT
 *   is long enough for a worker to serve a file operation, tens of
 *   microseconds), doubled when a worker was still running a call at the
 *   bound;
 * - a call no worker took within the bound (their host threads were not
 *   running: a busy host) makes the next `backoff` calls take the exit
 *   path outright, backoff doubling up to BACKOFF_MAX while that goes on
 *   and back to none at the first call a worker serves in time;
 * - while no worker polls (they sleep when idle), only one eligible call in
 *   `wake_gap` goes through OCALL_EXITLESS_WAIT, whose host side wakes a
 *   worker; the others take the plain exit path (no host futex call). The
 *   gap doubles while woken workers serve nothing in time, and is 1 again
 *   after a call they served;
 * - reads and writes (io_call) on a handle a worker handed back (a pipe,
 *   a tty, a blocking socket) take the exit path for the next HANDOFF_SKIP
 *   calls on it, then ask a worker again (the handle may have been closed
 *   and reused, or made non-blocking). */
#define SPIN_LIMIT 20000
#define SPIN_MIN 512
#define BACKOFF_MAX 256
#define WAKE_GAP_MAX 64
#define HANDOFF_SKIP 256
#define HANDOFF_CACHE 4
#define ENQUEUE_TRIES 64

struct policy {
    uint32_t spin;    /* status reads before the wait (0: SPIN_LIMIT) */
    uint32_t skip;    /* calls left that take the exit path */
    uint32_t backoff; /* skip after the next miss */
    uint32_t wake_gap, wake_skip;
    int64_t handoff[HANDOFF_CACHE]; /* handles handed back (while handoff_left > 0) */
    uint32_t handoff_left[HANDOFF_CACHE];
    int64_t handle; /* of the call in flight */
};

static uint64_t area; /* host address, 0: none */
/* The slot holds a queued OCALL: an OCALL made meanwhile on the same thread
 * (from an exception handler) takes the exit path. Set only while no libOS
 * memory is touched, so a fault recovery can never leave it set. */
static uint8_t busy[PAL_MAX_THREADS];
static volatile uint64_t n_exitless, n_waits;
static struct policy pol[PAL_MAX_THREADS];

static struct exitless_queue *queue(void)
{
    return (struct exitless_queue *)area;
}

int enclave_exitless_setup(uint64_t a)
{
    uint64_t none = 0;

    if (!a)
        return 0;
    if (a % PAGE || !host_range_ok(g_encl.base, g_encl.size, a, EXITLESS_QUEUE_SIZE))
        return -EFAULT;
    if (!__atomic_compare_exchange_n(&area, &none, a, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return -EBUSY;
    return 0;
}

/* This thread's slot, checked to lie outside the enclave, or 0. */
static uint64_t own_slot(uint64_t index)
{
    uint64_t slot;

    if (__builtin_mul_overflow(index, EXITLESS_SLOT_SIZE, &slot) ||
        __builtin_add_overflow(slot, area + EXITLESS_QUEUE_SIZE, &slot) ||
        !host_range_ok(g_encl.base, g_encl.size, slot, EXITLESS_SLOT_SIZE))
        return 0;
    return slot;
}

/* Whether READ/WRITE on handle h was handed back lately (policy). */
static int handed_back(struct policy *p, int64_t h)
{
    for (int i = 0; i < HANDOFF_CACHE; i++) {
        if (p->handoff_left[i] && p->handoff[i] == h) {
            p->handoff_left[i]--;
            return 1;
        }
    }
    return 0;
}

static void note_handoff(struct policy *p, int64_t h)
{
    int victim = 0;

    for (int i = 0; i < HANDOFF_CACHE; i++) {
        if (p->handoff[i] == h || !p->handoff_left[i]) {
            victim = i;
            break;
        }
        if (p->handoff_left[i] < p->handoff_left[victim])
            victim = i;
    }
    p->handoff[victim] = h;
    p->handoff_left[victim] = HANDOFF_SKIP;
}

/* A read or write on a handle, which a worker may hand back (a pipe, a
 * tty, a blocking socket: urts_exitless.c). */
static int io_call(uint64_t number)
{
    return number == OCALL_READ || number == OCALL_WRITE || number == OCALL_SOCK_SEND ||
           number == OCALL_SOCK_RECV || number == OCALL_SOCK_SENDMSG || number == OCALL_SOCK_RECVMSG;
}

uint64_t enclave_exitless_frame(uint64_t number, int64_t handle)
{
    uint64_t index = tls_self()->thread_index, slot;
    uint32_t polling = 0;
    struct policy *p;

    if (!area || exitless_excluded(number) || index >= PAL_MAX_THREADS || busy[index])
        return 0;
    p = &pol[index];
    if (p->skip) {
        p->skip--;
        return 0;
    }
    if (handle >= 0 && io_call(number) && handed_back(p, handle))
        return 0;
    if (host_load32((uint64_t)&queue()->polling, &polling))
        return 0;
    if (!polling) {
        if (p->wake_skip) {
            p->wake_skip--;
            return 0;
        }
        p->wake_skip = p->wake_gap;
        p->wake_gap =
            p->wake_gap ? (p->wake_gap < WAKE_GAP_MAX ? p->wake_gap * 2 : WAKE_GAP_MAX) : 1;
    }
    slot = own_slot(index);
    if (!slot)
        return 0;
    p->handle = io_call(number) ? handle : -1;
    return slot + __builtin_offsetof(struct exitless_slot, frame);
}

static uint64_t status_word(uint64_t frame)
{
    return frame - __builtin_offsetof(struct exitless_slot, frame);
}

/* Vyukov's bounded MPMC enqueue; 0 when the ring is full or the host keeps
 * moving its indices under us. */
static int enqueue(uint64_t frame)
{
    struct exitless_queue *q = queue();
    uint64_t enq = (uint64_t)&q->enq;

    for (int tries = 0; tries < ENQUEUE_TRIES; tries++) {
        uint64_t pos, seq;
        struct exitless_cell *c;

        if (host_load64(enq, &pos))
            return 0;
        c = &q->ring[pos % EXITLESS_RING];
        if (host_load64((uint64_t)&c->seq, &seq) || (int64_t)(seq - pos) < 0)
            return 0;
        if (seq == pos && host_cas64(enq, &pos, pos + 1) == 1) {
            return host_store64((uint64_t)&c->frame, frame) == 0 &&
                   host_store64((uint64_t)&c->seq, pos + 1) == 0;
        }
        __builtin_ia32_pause();
    }
    return 0;
}

/* Spins while a worker may still answer: DONE, or anything else once the
 * worker handed the call back or the bound is reached; *reads is how many
 * status reads it took. */
static uint32_t spin(uint64_t status, uint32_t limit, uint32_t *reads)
{
    uint32_t s = EXITLESS_QUEUED;

    for (*reads = 0; *reads < limit; ++*reads) {
        if (host_load32(status, &s))
            return EXITLESS_QUEUED;
        if (s == EXITLESS_DONE || s == EXITLESS_HANDOFF)
            return s;
        __builtin_ia32_pause();
    }
    return s;
}

static int64_t finish(int64_t r)
{
    busy[tls_self()->thread_index] = 0;
    return r;
}

int64_t enclave_exitless_call(uint64_t frame)
{
    uint64_t status = status_word(frame);
    struct policy *p = &pol[tls_self()->thread_index];
    uint32_t polling = 0, s = 0, reads = 0, limit = p->spin ? p->spin : SPIN_LIMIT;
    int queued;

    busy[tls_self()->thread_index] = 1;
    if (host_store32(status, EXITLESS_QUEUED))
        return finish(-EIO);
    /* No worker polling: the wait below serves it on this thread at once. */
    queued = host_load32((uint64_t)&queue()->polling, &polling) == 0 && polling && enqueue(frame);
    if (queued) {
        s = spin(status, limit, &reads);
        if (s == EXITLESS_DONE) {
            /* Served in time: spin up to a few times this long next time. */
            uint32_t next = reads < SPIN_LIMIT / 4 ? reads * 4 : SPIN_LIMIT;
            p->spin = next < SPIN_MIN ? SPIN_MIN : next;
            p->backoff = 0;
            p->wake_gap = 0;
            __atomic_add_fetch(&n_exitless, 1, __ATOMIC_RELAXED);
            return finish(0);
        }
        if (s == EXITLESS_HANDOFF) {
            if (p->handle >= 0)
                note_handoff(p, p->handle);
        } else if (s == EXITLESS_RUNNING) {
            /* A worker runs it, a slower call than the last: wait longer. */
            p->spin = limit < SPIN_LIMIT / 2 ? limit * 2 : SPIN_LIMIT;
        } else {
            /* No worker took it in time: its host thread did not run. */
            p->skip = p->backoff;
            p->backoff = p->backoff ? (p->backoff < BACKOFF_MAX ? p->backoff * 2 : BACKOFF_MAX) : 1;
        }
        __atomic_add_fetch(&n_waits, 1, __ATOMIC_RELAXED);
    }
    if (enclave_ocall(OCALL_EXITLESS_WAIT, 0, 0, 0, 0, 0) != 0)
        return finish(-EIO);
    return finish(host_load32(status, &s) == 0 && s == EXITLESS_DONE ? 0 : -EIO);
}

void enclave_exitless_stats(uint64_t *exitless, uint64_t *waits)
{
    *exitless = n_exitless;
    *waits = n_waits;
}
