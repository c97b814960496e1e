/* Direct PAL: threads, futexes, GS/FS bases. */
#include <asm/prctl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>

#include "host.h"
#include "pidns.h"

struct thread_start {
    void (*fn)(void *);
    void *arg;
    void *gs_base;
};

/* First code of a new host thread: it inherits nothing but the address
 * space and signal handlers, so it sets up its own GS, altstack and SUD.
 * It also inherits the creator's signal mask, which is "everything
 * blocked" when the creator is inside a SIGSYS handler: a blocked SIGSYS
 * from SUD would kill the process, so the mask is cleared (program signal
 * masks are virtual, kept by the libOS). */
__attribute__((noreturn)) static void thread_trampoline(void *p)
{
    struct thread_start st = *(struct thread_start *)p;
    uint64_t none = 0;
    if (HS2(SYS_arch_prctl, ARCH_SET_GS, st.gs_base) < 0 || direct_altstack_setup() < 0 ||
        HS4(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8) < 0 || direct_sud_enable() < 0) {
        direct_log_str("geode: cannot set up a new thread (GS, altstack or SUD)\n");
        HS1(SYS_exit_group, 127);
    }
    pidns_thread_start();
    st.fn(st.arg);
    direct_log_str("geode: internal error: thread function returned\n");
    HS1(SYS_exit_group, 127);
    __builtin_unreachable();
}

static long direct_thread_create(void (*fn)(void *), void *arg, void *stack_top, void *gs)
{
    /* The start block lives at the top of the new stack, below which the
     * child's own frames begin. */
    uintptr_t top = ((uintptr_t)stack_top - sizeof(struct thread_start)) & ~(uintptr_t)15;
    struct thread_start *st = (struct thread_start *)top;
    st->fn = fn;
    st->arg = arg;
    st->gs_base = gs;
    direct_gs_claim(gs);
    unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                          CLONE_SYSVSEM;
    return host_clone_thread(flags, (void *)(top - 64), thread_trampoline, st);
}

__attribute__((noreturn)) static void direct_thread_exit(uint32_t *clear_tid)
{
    if (clear_tid) {
        __atomic_store_n(clear_tid, 0, __ATOMIC_SEQ_CST);
        HS3(SYS_futex, clear_tid, FUTEX_WAKE, 1);
    }
    for (;;)
        HS1(SYS_exit, 0);
}

static long direct_thread_id(void) { return HS0(SYS_gettid); }
static long direct_set_gs(void *b)
{
    direct_gs_claim(b);
    long r = HS2(SYS_arch_prctl, ARCH_SET_GS, b);
    if (r == 0)
        direct_wake_flag_from_gs();
    return r;
}
static long direct_set_fs(void *b) { return HS2(SYS_arch_prctl, ARCH_SET_FS, b); }
static long direct_get_fs(void **b) { return HS2(SYS_arch_prctl, ARCH_GET_FS, b); }

static long direct_futex_wait(uint32_t *addr, uint32_t val, int64_t timeout_ns)
{
    struct timespec ts = {timeout_ns / 1000000000LL, timeout_ns % 1000000000LL};
    return HC4(SYS_futex, addr, FUTEX_WAIT, val, timeout_ns < 0 ? NULL : &ts);
}

static long direct_futex_wake(uint32_t *addr, int n) { return HS3(SYS_futex, addr, FUTEX_WAKE, n); }

/* The host's own requeue: its waiters are the program's. */
static long direct_futex_requeue(uint32_t *addr, int n_wake, uint32_t *addr2, int n_requeue,
                                 const uint32_t *cmp, int flags)
{
    int op = (cmp ? FUTEX_CMP_REQUEUE : FUTEX_REQUEUE) |
             ((flags & PAL_FUTEX_PRIVATE) ? FUTEX_PRIVATE_FLAG : 0);
    return HS6(SYS_futex, addr, op, n_wake, n_requeue, addr2, cmp ? *cmp : 0);
}

static long direct_futex_wait_private(uint32_t *addr, uint32_t val, int64_t timeout_ns)
{
    struct timespec ts = {timeout_ns / 1000000000LL, timeout_ns % 1000000000LL};
    return HC4(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, timeout_ns < 0 ? NULL : &ts);
}

static long direct_futex_wake_private(uint32_t *addr, int n)
{
    return HS3(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n);
}
static long direct_yield(void) { return HS0(SYS_sched_yield); }

void direct_fill_thread(struct pal_api *api)
{
    api->thread_create = direct_thread_create;
    api->thread_exit = direct_thread_exit;
    api->thread_id = direct_thread_id;
    api->set_gs_base = direct_set_gs;
    api->set_fs_base = direct_set_fs;
    api->get_fs_base = direct_get_fs;
    api->futex_wait = direct_futex_wait;
    api->futex_wake = direct_futex_wake;
    api->futex_requeue = direct_futex_requeue;
    api->futex_wait_private = direct_futex_wait_private;
    api->futex_wake_private = direct_futex_wake_private;
    api->yield = direct_yield;
}
