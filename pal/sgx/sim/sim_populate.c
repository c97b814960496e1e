/* Page-table entries for a range the enclave is about to write, made by two
 * CPUs where the host has one to spare.
 *
 * sim_protect makes the host mapping of a range the enclave made writable
 * present at once (MADV_POPULATE_WRITE): the trusted PAL zeroes what it
 * commits, and one call costs less than a fault per page. Most of that call
 * is the kernel allocating and clearing the memfd's pages (about 1 ms per
 * MiB on the VMs this runs on: an 8 MiB main stack is 7 ms of a static
 * hello's start). On hardware those EPC pages exist from EADD on; the sim
 * gives a page memory only when it is first touched. So a large range is
 * split: a helper thread populates the upper half while the caller
 * populates the lower half and returns, and the enclave's zeroing (from the
 * bottom up) meets the helper's work (from wherever it got). Nothing the
 * enclave sees changes: populating neither writes nor reads a page's bytes,
 * and where the mapping no longer allows writing (the enclave narrowed it,
 * removed the pages, the enclave is gone) the call stops there, as the
 * synchronous one does. With the helper busy, or none, the caller does it
 * all, as before.
 *
 * One helper per process, started at the first large range; it blocks every
 * signal, so the sim's handlers never run on it, and makes no system call
 * but madvise and futex. A forked child starts its own (sim_populate_forked). */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim_ctx.h"

/* Below this the caller populates all of it: a thread hand-off costs more. */
#define SPLIT_MIN (1UL << 20)
/* The helper's stack: it calls madvise and futex only, but glibc puts the
 * static TLS (geode's is 68 KiB) on it too. */
#define HELPER_STACK (256 * 1024)

/* The helper's job: 0 when idle; else the range's start, and `job_len`. */
static uint64_t job_addr;
static uint64_t job_len;
static uint32_t job_seq; /* futex word: bumped per job */
static int helper_state; /* 0 none, 1 starting or running, -1 could not start */
static pid_t helper_pid; /* the process the helper belongs to */

static void populate(uint64_t addr, uint64_t len)
{
    if (len)
        madvise((void *)(uintptr_t)addr, len, MADV_POPULATE_WRITE);
}

static void *helper_main(void *arg)
{
    uint32_t seen = 0;

    (void)arg;
    for (;;) {
        uint32_t seq = __atomic_load_n(&job_seq, __ATOMIC_ACQUIRE);

        if (seq == seen) {
            syscall(SYS_futex, &job_seq, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
            continue;
        }
        seen = seq;
        populate(__atomic_load_n(&job_addr, __ATOMIC_ACQUIRE), job_len);
        __atomic_store_n(&job_addr, 0, __ATOMIC_RELEASE); /* idle again */
    }
    return NULL;
}

/* 1 when the helper runs in this process (started now if need be). */
static int helper_ready(void)
{
    int expect = 0;
    sigset_t all, old;
    pthread_attr_t attr;
    pthread_t t;
    int ok;

    if (__atomic_load_n(&helper_state, __ATOMIC_ACQUIRE) && helper_pid == getpid())
        return __atomic_load_n(&helper_state, __ATOMIC_ACQUIRE) > 0;
    if (!__atomic_compare_exchange_n(&helper_state, &expect, 1, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return 0; /* another thread is starting it: do this range alone */
    helper_pid = getpid();
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    ok = !pthread_attr_init(&attr);
    ok = ok && !pthread_attr_setstacksize(&attr, HELPER_STACK) &&
         !pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    ok = ok && !pthread_create(&t, &attr, helper_main, NULL);
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    __atomic_store_n(&helper_state, ok ? 1 : -1, __ATOMIC_RELEASE);
    return ok;
}

void sim_populate_write(uint64_t addr, uint64_t len)
{
    uint64_t half = (len / 2) & ~(uint64_t)(SGX_PAGE_SIZE - 1), idle = 0;

    if (len < SPLIT_MIN || !half || !helper_ready() ||
        !__atomic_compare_exchange_n(&job_addr, &idle, addr + half, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        populate(addr, len);
        return;
    }
    job_len = len - half; /* read by the helper after it sees the new seq */
    __atomic_add_fetch(&job_seq, 1, __ATOMIC_RELEASE);
    syscall(SYS_futex, &job_seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    populate(addr, half);
}

/* A forked child has no helper (threads do not survive fork) and may hold a
 * job slot the parent's helper was working on. */
void sim_populate_forked(void)
{
    __atomic_store_n(&job_addr, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&helper_state, 0, __ATOMIC_RELEASE);
}
