/* uRTS: exitless OCALLs (urts_exitless.h). Worker threads poll the ring
 * in the shared area (spin, then sleep on the queue's futex word), take a
 * slot's request by moving its status from QUEUED to RUNNING, serve the
 * frame with urts_serve_ocall and mark it DONE, waking the enclave thread's
 * host thread if it sleeps in OCALL_EXITLESS_WAIT.
 *
 * The area is written by the enclave as well: a frame address from the
 * ring is used only when it is exactly the frame of one of the slots, and
 * the frame itself goes through urts_serve_ocall's validation. A worker
 * never runs a call that may block for long (it would hold the worker):
 * those, and reads and writes on a pipe, a tty or a blocking socket
 * (io_mode), are handed back (HANDOFF) and served by OCALL_EXITLESS_WAIT on
 * the enclave thread's own host thread, where signals can interrupt them. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "urts_exitless.h"
#include "urts_internal.h"
#include "urts_ocall.h"
#include "urts_procs.h"
#include "urts_signal.h"

/* Empty polls before a worker sleeps, adaptive: halved each time the whole
 * budget went by with nothing to serve (down to WORKER_SPIN_MIN), doubled
 * (up to WORKER_SPIN, ~ms) each time a request came while it spun: on a
 * host where requests come rarely, or where the enclave threads take the
 * exit path (ocall_exitless.c), a worker does not keep a CPU busy. */
#define WORKER_SPIN 65536
#define WORKER_SPIN_MIN 16384
#define DEQUEUE_TRIES 64

struct urts_exitless {
    struct urts_enclave *e;
    uint8_t *mem;
    size_t size;
    struct exitless_queue *q;
    uint32_t threads;
    unsigned n_workers;
    pthread_t workers[URTS_EXITLESS_MAX_WORKERS];
    int stop;
    struct urts_exitless_counters cnt; /* __atomic */
};

static long futex(uint32_t *word, int op, uint32_t val)
{
    return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

static struct exitless_slot *slot_at(const struct urts_exitless *x, uint32_t i)
{
    return (struct exitless_slot *)(x->mem + EXITLESS_QUEUE_SIZE + (size_t)i * EXITLESS_SLOT_SIZE);
}

/* The slot whose frame is at `frame`, or -1 (anything else is refused). */
static int64_t slot_of(const struct urts_exitless *x, uint64_t frame)
{
    uint64_t first = (uint64_t)(uintptr_t)&slot_at(x, 0)->frame, off = frame - first;

    if (frame < first || off % EXITLESS_SLOT_SIZE || off / EXITLESS_SLOT_SIZE >= x->threads)
        return -1;
    return (int64_t)(off / EXITLESS_SLOT_SIZE);
}

/* Vyukov's bounded MPMC dequeue (the enclave enqueues). */
static int dequeue(struct exitless_queue *q, uint64_t *frame)
{
    uint64_t pos = __atomic_load_n(&q->deq, __ATOMIC_RELAXED);

    for (int tries = 0; tries < DEQUEUE_TRIES; tries++) {
        struct exitless_cell *c = &q->ring[pos % EXITLESS_RING];
        int64_t dif = (int64_t)(__atomic_load_n(&c->seq, __ATOMIC_ACQUIRE) - (pos + 1));

        if (dif < 0)
            return 0;
        if (dif == 0 && __atomic_compare_exchange_n(&q->deq, &pos, pos + 1, 0, __ATOMIC_RELAXED,
                                                    __ATOMIC_RELAXED)) {
            *frame = __atomic_load_n(&c->frame, __ATOMIC_RELAXED);
            __atomic_store_n(&c->seq, pos + EXITLESS_RING, __ATOMIC_RELEASE);
            return 1;
        }
        if (dif > 0)
            pos = __atomic_load_n(&q->deq, __ATOMIC_RELAXED);
    }
    return 0;
}

static int ring_empty(struct exitless_queue *q)
{
    uint64_t pos = __atomic_load_n(&q->deq, __ATOMIC_RELAXED);

    return __atomic_load_n(&q->ring[pos % EXITLESS_RING].seq, __ATOMIC_ACQUIRE) != pos + 1;
}

__thread int urts_ocall_dontwait;

/* How a worker may serve a call. */
enum serve_mode {
    HAND_BACK,    /* it may block for long: the caller's own host thread */
    SERVE,        /* as the exit path would */
    SERVE_NOWAIT, /* socket I/O with MSG_DONTWAIT (urts_ocall_dontwait) */
    TRY,          /* a poll or waitset wait without waiting: handed back
                     when nothing was ready (the caller then waits) */
};

/* A read or write: on a regular file or block device it never blocks; on
 * a socket that is O_NONBLOCK (checked now, as the kernel checks at the
 * call: a program changing it meanwhile sees one order or the other) or
 * asked MSG_DONTWAIT, it is served with MSG_DONTWAIT; a pipe, a tty or a
 * blocking socket may block, and is handed back. */
static enum serve_mode io_mode(uint64_t number, const struct ocall_frame *f)
{
    struct ocall_args a;
    struct stat st;
    int fl;

    if (f->in_size < sizeof(a))
        return SERVE; /* malformed: the handler refuses it at once */
    memcpy(&a, f->data, sizeof(a));
    if (a.a[0] < 0 || a.a[0] > INT_MAX || fstat((int)a.a[0], &st))
        return SERVE; /* EBADF */
    if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
        return number == OCALL_READ || number == OCALL_WRITE ? SERVE : HAND_BACK;
    if (!S_ISSOCK(st.st_mode))
        return HAND_BACK;
    bool dontwait = number != OCALL_READ && number != OCALL_WRITE && (a.a[2] & MSG_DONTWAIT);
    fl = fcntl((int)a.a[0], F_GETFL);
    return dontwait || (fl >= 0 && (fl & O_NONBLOCK)) ? SERVE_NOWAIT : HAND_BACK;
}

static enum serve_mode worker_mode(uint64_t number, const struct ocall_frame *f)
{
    if (exitless_excluded(number))
        return HAND_BACK;
    switch (number) {
    case OCALL_READ:
    case OCALL_WRITE:
    case OCALL_SOCK_SEND:
    case OCALL_SOCK_RECV:
    case OCALL_SOCK_SENDMSG:
    case OCALL_SOCK_RECVMSG:
        return io_mode(number, f);
    case OCALL_POLL:
    case OCALL_WAITSET_WAIT:
        return TRY; /* (a timeout of 0 gives 0 as the caller asked) */
    default:
        return SERVE;
    }
}

/* Sets the slot's status and wakes its thread if it sleeps on it. */
static void publish(struct exitless_slot *s, uint32_t status)
{
    __atomic_store_n(&s->status, status, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&s->waiting, __ATOMIC_SEQ_CST))
        futex(&s->status, FUTEX_WAKE_PRIVATE, 1);
}

/* Runs the RUNNING request in slot i, as the exit path would (mode SERVE),
 * or without blocking (urts_ocall_dontwait); a TRY that found nothing ready
 * gets its input back and is handed back instead. *served_count (if any)
 * counts a call served, before the caller can see DONE, so that its count
 * never runs ahead. */
static void serve(struct urts_exitless *x, uint32_t i, uint64_t number, enum serve_mode mode,
                  uint64_t *served_count)
{
    struct exitless_slot *s = slot_at(x, i);
    static __thread uint8_t saved[OCALL_MAX_DATA];
    uint64_t in_size = __atomic_load_n(&s->frame.in_size, __ATOMIC_RELAXED);
    int served;

    if (mode == TRY) /* the output overwrites the input */
        memcpy(saved, s->frame.data, in_size <= OCALL_MAX_DATA ? in_size : 0);
    urts_fs_ids_sync();
    urts_ocall_dontwait = mode != SERVE;
    served = urts_serve_ocall(x->e, i, number, (uint64_t)(uintptr_t)&s->frame);
    urts_ocall_dontwait = 0;
    if (!served && mode == TRY && s->frame.result == 0 && in_size <= OCALL_MAX_DATA) {
        memcpy(s->frame.data, saved, in_size);
        s->frame.result = -ENOSYS;
        s->frame.out_size = 0;
        __atomic_add_fetch(&x->cnt.handoffs, 1, __ATOMIC_RELAXED);
        publish(s, EXITLESS_HANDOFF);
        return;
    }
    if (served) {
        s->frame.result = -EPROTO;
        s->frame.out_size = 0;
    }
    if (served_count)
        __atomic_add_fetch(served_count, 1, __ATOMIC_RELAXED);
    publish(s, EXITLESS_DONE);
}

static void take(struct urts_exitless *x, uint64_t frame)
{
    int64_t i = slot_of(x, frame);
    uint32_t queued = EXITLESS_QUEUED;
    struct exitless_slot *s;
    uint64_t number;

    if (i < 0)
        return;
    s = slot_at(x, (uint32_t)i);
    /* A stale entry (the request was served by OCALL_EXITLESS_WAIT) finds
     * the status moved on: nothing to do. */
    if (!__atomic_compare_exchange_n(&s->status, &queued, EXITLESS_RUNNING, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return;
    number = __atomic_load_n(&s->frame.number, __ATOMIC_RELAXED);
    enum serve_mode mode = worker_mode(number, &s->frame);
    if (mode == HAND_BACK) {
        __atomic_add_fetch(&x->cnt.handoffs, 1, __ATOMIC_RELAXED);
        publish(s, EXITLESS_HANDOFF);
        return;
    }
    serve(x, (uint32_t)i, number, mode, &x->cnt.by_worker);
}

static void sleep_idle(struct urts_exitless *x)
{
    uint32_t seq = __atomic_load_n(&x->q->wake, __ATOMIC_SEQ_CST);

    __atomic_sub_fetch(&x->q->polling, 1, __ATOMIC_SEQ_CST);
    if (ring_empty(x->q) && !__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE))
        futex(&x->q->wake, FUTEX_WAIT_PRIVATE, seq);
    __atomic_add_fetch(&x->q->polling, 1, __ATOMIC_SEQ_CST);
}

static void *worker_main(void *p)
{
    struct urts_exitless *x = p;
    unsigned idle = 0, budget = WORKER_SPIN;
    uint64_t frame;
    sigset_t all;

    /* Host signals are for the enclave threads' host threads. */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    __atomic_add_fetch(&x->q->polling, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE)) {
        if (dequeue(x->q, &frame)) {
            take(x, frame);
            if (idle && budget < WORKER_SPIN)
                budget *= 2; /* the spin paid */
            idle = 0;
        } else if (++idle < budget) {
            __builtin_ia32_pause();
        } else {
            if (budget > WORKER_SPIN_MIN)
                budget /= 2;
            sleep_idle(x);
            idle = 0;
        }
    }
    __atomic_sub_fetch(&x->q->polling, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* The enclave cannot wake a sleeping worker; its first exit does. */
static void wake_workers(struct urts_exitless *x, int n)
{
    __atomic_add_fetch(&x->q->wake, 1, __ATOMIC_SEQ_CST);
    futex(&x->q->wake, FUTEX_WAKE_PRIVATE, (uint32_t)n);
}

/* Sleeps until no worker runs slot s's request any more. */
static void sleep_running(struct exitless_slot *s)
{
    __atomic_store_n(&s->waiting, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&s->status, __ATOMIC_SEQ_CST) == EXITLESS_RUNNING)
        futex(&s->status, FUTEX_WAIT_PRIVATE, EXITLESS_RUNNING);
    __atomic_store_n(&s->waiting, 0, __ATOMIC_SEQ_CST);
}

int64_t urts_exitless_wait(struct urts_enclave *e, uint32_t thread, const uint8_t *in,
                           uint64_t in_size, uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    struct urts_exitless *x = e->exitless;
    struct exitless_slot *s;
    bool slept = false;

    (void)in;
    (void)out;
    (void)out_cap;
    *out_size = 0;
    if (!x || in_size || thread >= x->threads)
        return -EINVAL;
    if (!__atomic_load_n(&x->q->polling, __ATOMIC_RELAXED))
        wake_workers(x, 1);
    s = slot_at(x, thread);
    for (;;) {
        uint32_t st = __atomic_load_n(&s->status, __ATOMIC_ACQUIRE);

        if ((st == EXITLESS_QUEUED || st == EXITLESS_HANDOFF) &&
            __atomic_compare_exchange_n(&s->status, &st, EXITLESS_RUNNING, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            serve(x, thread, __atomic_load_n(&s->frame.number, __ATOMIC_RELAXED), SERVE, NULL);
            __atomic_add_fetch(&x->cnt.inline_served, 1, __ATOMIC_RELAXED);
            return 0;
        }
        if (st != EXITLESS_QUEUED && st != EXITLESS_HANDOFF && st != EXITLESS_RUNNING)
            return 0; /* DONE (or nothing queued: the enclave checks) */
        if (st == EXITLESS_RUNNING) {
            if (!slept)
                __atomic_add_fetch(&x->cnt.waits, 1, __ATOMIC_RELAXED);
            slept = true;
            sleep_running(s);
        }
    }
}

static int map_area(struct urts_exitless *x)
{
    x->size = EXITLESS_QUEUE_SIZE + (size_t)x->threads * EXITLESS_SLOT_SIZE;
    x->mem = mmap(NULL, x->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (x->mem == MAP_FAILED)
        return -ENOMEM;
    x->q = (struct exitless_queue *)x->mem;
    for (uint64_t i = 0; i < EXITLESS_RING; i++)
        x->q->ring[i].seq = i;
    return 0;
}

int urts_exitless_start(struct urts_enclave *e, unsigned workers, uint64_t *area)
{
    struct urts_exitless *x;
    int ret;

    if (!workers || workers > URTS_EXITLESS_MAX_WORKERS || e->exitless)
        return -EINVAL;
    x = calloc(1, sizeof(*x));
    if (!x)
        return -ENOMEM;
    x->e = e;
    x->threads = e->threads;
    ret = map_area(x);
    if (ret) {
        free(x);
        return ret;
    }
    e->exitless = x;
    for (; x->n_workers < workers; x->n_workers++) {
        ret = urts_helper_thread(&x->workers[x->n_workers], worker_main, x);
        if (ret) {
            urts_exitless_stop(e);
            return -ret;
        }
    }
    *area = (uint64_t)(uintptr_t)x->mem;
    return 0;
}

void urts_exitless_stop(struct urts_enclave *e)
{
    struct urts_exitless *x = e->exitless;

    if (!x)
        return;
    __atomic_store_n(&x->stop, 1, __ATOMIC_RELEASE);
    wake_workers(x, INT_MAX);
    for (unsigned i = 0; i < x->n_workers; i++)
        pthread_join(x->workers[i], NULL);
    e->exitless = NULL;
    munmap(x->mem, x->size);
    free(x);
}

/* A forked host child: the workers were the parent's threads. */
void urts_exitless_forget(struct urts_enclave *e)
{
    struct urts_exitless *x = e->exitless;

    if (!x)
        return;
    e->exitless = NULL;
    munmap(x->mem, x->size);
    free(x);
}

uint64_t urts_exitless_area(const struct urts_enclave *e)
{
    return e->exitless ? (uint64_t)(uintptr_t)e->exitless->mem : 0;
}

void urts_exitless_counters(const struct urts_enclave *e, struct urts_exitless_counters *out)
{
    const struct urts_exitless *x = e->exitless;

    *out = (struct urts_exitless_counters){0};
    if (!x)
        return;
    out->by_worker = __atomic_load_n(&x->cnt.by_worker, __ATOMIC_RELAXED);
    out->handoffs = __atomic_load_n(&x->cnt.handoffs, __ATOMIC_RELAXED);
    out->inline_served = __atomic_load_n(&x->cnt.inline_served, __ATOMIC_RELAXED);
    out->waits = __atomic_load_n(&x->cnt.waits, __ATOMIC_RELAXED);
}
