/* Spinlocks that the thread state remembers, and the libc hooks that end
 * the process: what needs the libOS's threads, kept out of lib/. */
#include "libos.h"

/* Each thread remembers the locks it holds so that a syscall aborted by a
 * bad program pointer (entry/syscall.c) can release them. The count covers
 * the whole time a lock may be held (from before it is taken to after it
 * is freed): host signals handed over meanwhile wait (upcall.c). */
#define LOCK_SPINS 256

void spin_lock(spinlock_t *l)
{
    struct libos_thread *t = libos_threads_ready ? cur_thread() : NULL;
    if (t) {
        if (t->nheld < MAX_HELD_LOCKS)
            t->held[t->nheld] = l;
        t->nheld++;
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
    }
    /* A holder the host took the CPU from (more threads than CPUs, an
     * enclave exit) keeps the lock for a time slice: after a short spin
     * the CPU goes to it. A host signal handed over by the yield waits
     * (the count above). */
    while (__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE)) {
        for (int i = 0; __atomic_load_n(&l->v, __ATOMIC_RELAXED); i++) {
            if (i < LOCK_SPINS || !t || !PAL_HAS(pal, yield)) {
                __builtin_ia32_pause();
                continue;
            }
            pal->yield();
            i = 0;
        }
    }
}

void spin_unlock(spinlock_t *l)
{
    spin_unlock_raw(l);
    if (libos_threads_ready) {
        struct libos_thread *t = cur_thread();
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        if (--t->nheld == 0 && (t->ndeferred_host || t->deferred_host_bits))
            signal_run_deferred_host();
    }
}

/* A lock of another kind held (a futex word that other processes share,
 * sys/sysv_ipc.c): counted as a spinlock is, so that host signals wait
 * for its release; its slot names a word of its own, which a syscall's
 * recovery or a fork's clean-up may "release" without harm. */
static spinlock_t counted_only;

void lock_count_begin(void)
{
    spin_lock(&counted_only);
    spin_unlock_raw(&counted_only); /* only the count stays */
}

void lock_count_end(void)
{
    spin_unlock(&counted_only);
}

/* libprotobuf-c references these; in the libOS they end the process. */
__attribute__((noreturn)) void __assert_fail(const char *expr, const char *file, unsigned line,
                                             const char *fn)
{
    log_error("internal assertion failed: %s (%s:%u, %s)", expr, file, line, fn);
    libos_exit(134);
}

__attribute__((noreturn)) void __stack_chk_fail(void)
{
    log_error("internal error: stack smashing detected in the libOS");
    libos_exit(134);
}
