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
 * host's workers also hand back (HANDOFF) reads and writes on handles that
 * are not regular files or block devices: a pipe or tty may block. */
#include "ocall_exitless.h"

#include "pal_enclave.h"

#define EFAULT 14
#define EBUSY 16
#define EIO 5
#define PAGE 4096ULL

/* Status reads before falling back to OCALL_EXITLESS_WAIT: long enough for
 * a worker to serve a file operation (tens of microseconds), short enough
 * that a call a worker handed back does not burn a CPU for long. */
#define SPIN_LIMIT 20000
#define ENQUEUE_TRIES 64

static uint64_t area; /* host address, 0: none */
/* The slot holds a queued OCALL: an OCALL made meanwhile on the same thread
 * (from an exception handler) takes the exit path. Set only while no libOS
 * memory is touched, so a fault recovery can never leave it set. */
static uint8_t busy[PAL_MAX_THREADS];
static volatile uint64_t n_exitless, n_waits;

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

uint64_t enclave_exitless_frame(uint64_t number)
{
    uint64_t index = tls_self()->thread_index, slot;

    if (!area || exitless_excluded(number) || index >= PAL_MAX_THREADS || busy[index])
        return 0;
    slot = own_slot(index);
    return slot ? slot + __builtin_offsetof(struct exitless_slot, frame) : 0;
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
 * worker handed the call back or the bound is reached. */
static uint32_t spin(uint64_t status)
{
    uint32_t s = EXITLESS_QUEUED;

    for (int i = 0; i < SPIN_LIMIT; i++) {
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
    uint32_t polling = 0, s = 0;
    int queued;

    busy[tls_self()->thread_index] = 1;
    if (host_store32(status, EXITLESS_QUEUED))
        return finish(-EIO);
    /* No worker polling: the wait below serves it on this thread at once. */
    queued = host_load32((uint64_t)&queue()->polling, &polling) == 0 && polling && enqueue(frame);
    if (queued && spin(status) == EXITLESS_DONE) {
        __atomic_add_fetch(&n_exitless, 1, __ATOMIC_RELAXED);
        return finish(0);
    }
    if (queued)
        __atomic_add_fetch(&n_waits, 1, __ATOMIC_RELAXED);
    if (enclave_ocall(OCALL_EXITLESS_WAIT, 0, 0, 0, 0, 0) != 0)
        return finish(-EIO);
    return finish(host_load32(status, &s) == 0 && s == EXITLESS_DONE ? 0 : -EIO);
}

void enclave_exitless_stats(uint64_t *exitless, uint64_t *waits)
{
    *exitless = n_exitless;
    *waits = n_waits;
}
