/* uRTS: enclave threads and their futex words (abi/ocall_abi.h,
 * OCALL_THREAD_START, OCALL_FUTEX_WAIT, OCALL_FUTEX_WAKE).
 *
 * Each TCS has a host thread at most: OCALL_THREAD_START for slot i starts
 * one that runs ECALL_THREAD on TCS i, after waiting for the previous host
 * thread of that TCS (the enclave frees a slot just before its EEXIT). Each
 * TCS also has a 32-bit word in host memory that its enclave thread sleeps
 * on with futex(2); the enclave names words by address, and only the
 * addresses of these words are accepted. */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "host_cp.h"
#include "urts_internal.h"
#include "urts_ocall.h"

#define NS 1000000000LL

struct thread_boot {
    struct urts_enclave *e;
    uint32_t slot;
    pid_t tid;
    sem_t ready;
};

static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;

uint64_t urts_futex_word(struct urts_enclave *e, uint32_t thread)
{
    return thread < e->threads ? (uint64_t)(uintptr_t)&e->thread[thread].futex_word : 0;
}

/* The enclave thread ended (its ECALL returned), was stopped, or failed.
 * A failure goes to the handler that geode run sets (the whole run ends);
 * without one, the process cannot go on (whoever waits for the thread
 * would wait forever), as when the main thread's ECALL fails. */
static void *thread_main(void *p)
{
    struct thread_boot *b = p;
    struct urts_enclave *e = b->e;
    uint32_t slot = b->slot;
    struct urts_result res = {0};
    int ret;

    b->tid = (pid_t)syscall(SYS_gettid);
    sem_post(&b->ready); /* b is the starter's: gone from here on */
    if (urts_halted(e))
        return NULL; /* started just as the run ends: not in */
    ret =
        urts_ecall(e, slot, ECALL_THREAD, (void *)(uintptr_t)urts_futex_word(e, slot), slot, &res);
    if (ret == URTS_ESTOPPED || (!ret && !res.status))
        return NULL;
    if (ret == URTS_ELOST && e->lost_fn) {
        e->lost_fn(e, slot, e->lost_ctx); /* geode run restarts the program */
        return NULL;
    }
    if (!ret)
        sgx_err_set(&e->thread[slot].err, "the enclave refused to start it (status %lld)",
                    (long long)res.status);
    if (e->fatal_fn) {
        e->fatal_fn(e, slot, e->fatal_ctx); /* geode run ends */
        return NULL;
    }
    fprintf(stderr, "geode: enclave thread %u: %s\n", slot, urts_last_error(e, slot));
    fflush(NULL);
    _exit(1);
}

static int64_t spawn(struct urts_enclave *e, struct urts_thread *th)
{
    struct thread_boot b = {.e = e, .slot = th->index};
    int ret;

    if (sem_init(&b.ready, 0, 0))
        return -errno;
    ret = pthread_create(&th->host_thread, NULL, thread_main, &b);
    if (ret == 0) {
        th->host_started = true;
        while (sem_wait(&b.ready) && errno == EINTR)
            ;
    }
    sem_destroy(&b.ready);
    return ret ? -ret : b.tid;
}

static int64_t thread_start(struct urts_enclave *e, int64_t slot)
{
    struct urts_thread *th;
    int64_t ret;

    if (slot <= 0 || slot >= e->threads)
        return -EINVAL;
    th = &e->thread[slot];
    pthread_mutex_lock(&start_lock);
    if (th->host_started) {
        pthread_join(th->host_thread, NULL); /* it is leaving the TCS */
        th->host_started = false;
    }
    ret = spawn(e, th);
    pthread_mutex_unlock(&start_lock);
    return ret;
}

void urts_set_lost_handler(struct urts_enclave *e, urts_lost_fn fn, void *ctx)
{
    e->lost_fn = fn;
    e->lost_ctx = ctx;
}

void urts_set_fatal_handler(struct urts_enclave *e, urts_lost_fn fn, void *ctx)
{
    e->fatal_fn = fn;
    e->fatal_ctx = ctx;
}

/* One pass over the started host threads: joins those that ended, wakes and
 * kicks the others. Returns how many are still running. */
static unsigned stop_pass(struct urts_enclave *e, int kick)
{
    unsigned running = 0;

    pthread_mutex_lock(&start_lock);
    for (uint32_t i = 1; i < e->threads; i++) {
        struct urts_thread *th = &e->thread[i];

        if (!th->host_started)
            continue;
        if (pthread_tryjoin_np(th->host_thread, NULL) == 0) {
            th->host_started = false;
            continue;
        }
        running++;
        syscall(SYS_futex, &th->futex_word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
        if (kick)
            pthread_kill(th->host_thread, kick);
    }
    pthread_mutex_unlock(&start_lock);
    return running;
}

int urts_stop_threads(struct urts_enclave *e, int kick, unsigned timeout_ms)
{
    const struct timespec tick = {0, 10 * 1000 * 1000};

    urts_halt(e); /* a thread that comes out is not entered again */
    for (unsigned waited = 0; stop_pass(e, kick); waited += 10) {
        if (waited >= timeout_ms)
            return -ETIMEDOUT;
        nanosleep(&tick, NULL);
    }
    for (uint32_t i = 0; i < e->threads; i++)
        __atomic_store_n(&e->thread[i].futex_word, 0, __ATOMIC_RELAXED);
    return 0;
}

/* The index of the thread whose word is at addr, or -1. */
static int64_t word_owner(const struct urts_enclave *e, int64_t addr)
{
    for (uint32_t i = 0; i < e->threads; i++)
        if ((uint64_t)addr == (uint64_t)(uintptr_t)&e->thread[i].futex_word)
            return i;
    return -1;
}

static int64_t futex_wait(struct urts_enclave *e, uint32_t thread, int64_t addr, int64_t val,
                          int64_t timeout_ns)
{
    struct timespec ts = {timeout_ns / NS, timeout_ns % NS};

    if (word_owner(e, addr) != thread || val < 0 || val > UINT32_MAX || timeout_ns < -1)
        return -EINVAL;
    return HC4(SYS_futex, &e->thread[thread].futex_word, FUTEX_WAIT_PRIVATE, (uint32_t)val,
               timeout_ns < 0 ? NULL : &ts);
}

static int64_t futex_wake(struct urts_enclave *e, int64_t addr)
{
    int64_t i = word_owner(e, addr);
    long r;

    if (i < 0)
        return -EINVAL;
    r = syscall(SYS_futex, &e->thread[i].futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    return r < 0 ? -errno : r;
}

int64_t urts_ocall_thread(struct urts_enclave *e, uint32_t thread, uint64_t number,
                          const struct ocall_args *a)
{
    if (thread >= e->threads)
        return -EINVAL;
    switch (number) {
    case OCALL_THREAD_START:
        return thread_start(e, a->a[0]);
    case OCALL_FUTEX_WAIT:
        return futex_wait(e, thread, a->a[0], a->a[1], a->a[2]);
    case OCALL_FUTEX_WAKE:
        return futex_wake(e, a->a[0]);
    }
    return -ENOSYS;
}
