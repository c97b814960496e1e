/* clone for threads (CLONE_VM | CLONE_THREAD): a new PAL thread that
 * resumes the program from the parent's syscall context with rax = 0 on
 * the new stack and TLS. Process creation (fork, vfork, clone without
 * CLONE_VM) uses the PAL's process_fork when it has one. */
#include <linux/sched.h>

#include "core/mm.h"
#include "core/process.h"
#include "core/signal.h"
#include "core/vma.h"
#include "fs/encrypted.h"
#include "sys/sys.h"
#include "sys/vfork.h"

#define FXSAVE_SIZE 512

struct clone_start {
    /* The parent's x87 and SSE state at the clone (FXSAVE layout), its
     * control words above all (rounding, precision, flush-to-zero in
     * MXCSR and the x87 control word): Linux's clone copies the FP state,
     * and a new thread that started from the init state computed with
     * round-to-nearest where its parent had set another mode. */
    uint8_t fp[FXSAVE_SIZE] __attribute__((aligned(16)));
    struct pal_context ctx;
    uint64_t tls;
    bool set_tls;
};

/* First libOS code of the new thread, on its libOS stack, GS already set.
 * The libOS's own code never touches the FP registers (general registers
 * only), so what is loaded here is what the program finds. */
static void clone_thread_start(void *arg)
{
    struct clone_start cs = *(struct clone_start *)arg;
    free(arg);
    cur_thread()->host_tid = pal->thread_id();
    if (cs.set_tls && pal->set_fs_base((void *)cs.tls) < 0) {
        log_error("thread %d: cannot set its TLS base", cur_thread()->tid);
        libos_exit(127);
    }
    __asm__ volatile("fxrstor64 %0" : : "m"(*(char(*)[FXSAVE_SIZE])cs.fp));
    libos_resume_context(&cs.ctx);
}

static long start_thread(uint64_t flags, struct sc_args *args, struct libos_thread *t)
{
    struct clone_start *cs = malloc(sizeof(*cs));
    if (!cs)
        return -PAL_ENOMEM;
    signal_fp_legacy(args->ctx, cs->fp);
    cs->ctx = *args->ctx;
    cs->ctx.rax = 0;
    cs->ctx.fpstate = NULL; /* the parent's host frame is not the child's */
    if (A(1))
        cs->ctx.rsp = A(1);
    cs->tls = A(4);
    cs->set_tls = flags & CLONE_SETTLS;
    __atomic_add_fetch(&libos_thread_count, 1, __ATOMIC_SEQ_CST);
    long r = pal->thread_create(clone_thread_start, cs, (void *)t->stack_top, t);
    if (r > 0)
        __atomic_store_n(&t->host_tid, r, __ATOMIC_RELAXED);
    if (r < 0) {
        __atomic_sub_fetch(&libos_thread_count, 1, __ATOMIC_SEQ_CST);
        thread_forget(t);
        free(cs);
    }
    return r;
}

/* fork: while the PAL forks or copies the process, no other
 * thread is inside the descriptor table or the allocator, so the child
 * gets both whole (the table first: it allocates under its lock). The
 * locks are the thread's own (host signals wait), released on both
 * sides. A lock that another thread held at the fork is released in the
 * child by thread_forget_others: that thread does not exist there. */
static void fork_locks_take(void)
{
    spin_lock(fd_fork_lock());
    spin_lock(alloc_fork_lock());
}

static void fork_locks_drop(void)
{
    spin_unlock(alloc_fork_lock());
    spin_unlock(fd_fork_lock());
}

long fork_now(const struct pal_mem_range *skip, size_t n_skip)
{
    encrypted_flush_all();
    /* The child starts with nothing pending: it forgets what was pending
     * in the parent at the fork, not a signal sent to the child itself
     * that arrived before this code ran (one it blocks stays pending). */
    uint64_t parent_pending = signal_pending_set();
    uint64_t parent_thread_pending = cur_thread()->pending;
    fork_locks_take();
    long r = n_skip && PAL_HAS(pal, process_fork_exec) ? pal->process_fork_exec(skip, n_skip)
                                                       : pal->process_fork();
    fork_locks_drop();
    if (r != 0)
        return r; /* parent: the child's id, or an error */
    libos_ppid = libos_pid;
    libos_pid = (int)pal->process_id();
    libos_thread_count = 1;
    signal_forget_pending(parent_pending);
    thread_forget_others();
    cur_thread()->host_tid = pal->thread_id();
    cur_thread()->pending &= ~parent_thread_pending;
    signalfd_after_fork();
    signal_host_ignore_sync(SIGTTIN_, true);
    signal_host_ignore_sync(SIGTTOU_, true);
    timers_forked();
    prctl_forked();
    sysv_shm_forked();
    sysv_sem_forked();
    sysv_msg_forked();
    proc_forked();
    cur_thread()->tid = libos_pid;
    cur_thread()->clear_child_tid = NULL; /* unless CLONE_CHILD_CLEARTID */
    return 0;
}

/* A new process. vfork and posix_spawn (CLONE_VM | CLONE_VFORK) run the
 * child on this thread, in this process's memory, until it execs, exits
 * or makes a call that needs a process of its own (sys/vfork.c); where
 * that cannot be (other threads, clone flags it does not keep), the child
 * gets a copy of the memory, not a share: what it writes before exec is
 * then not seen by the parent. The child continues on newsp if one is
 * given. */
static long fork_process(uint64_t flags, struct sc_args *args)
{
    /* sys.disallow_subprocesses: as Gramine, EAGAIN (programs such as
     * Python fall back when they cannot spawn), logged once. */
    if (libos_cfg.no_subprocesses) {
        static bool logged;
        if (!__atomic_exchange_n(&logged, true, __ATOMIC_RELAXED))
            log_warn("the program tried to create a process; sys.disallow_subprocesses = true "
                     "refuses it (EAGAIN)");
        return -PAL_EAGAIN;
    }
    if (!pal->process_fork) {
        log_warn("fork: this PAL cannot create processes yet");
        return -PAL_ENOSYS;
    }
    if (vfork_can_defer(flags) && vfork_begin(flags, args))
        return 0;
    if (!(flags & CLONE_VM))
        vma_warn_unshared();
    long r = fork_now(NULL, 0);
    if (r > 0 && (flags & CLONE_PARENT_SETTID))
        *(int *)PTR(2) = (int)r;
    if (r != 0)
        return r;
    struct libos_thread *t = cur_thread();
    if (flags & CLONE_CHILD_SETTID)
        *(int *)PTR(3) = libos_pid;
    if (flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = PTR(3);
    if (A(1))
        args->ctx->rsp = A(1);
    return 0;
}

SYS(clone)
{
    uint64_t flags = A(0);
    const uint64_t need = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND;
    if (!(flags & CLONE_THREAD))
        return fork_process(flags, args);
    if ((flags & need) != need)
        return -PAL_EINVAL;
    long id = ns_tid_alloc();
    if (id < 0)
        return id;
    int tid = (int)id;
    struct libos_thread *t = thread_new(tid);
    if (!t) {
        ns_tid_free(tid);
        return -PAL_ENOMEM;
    }
    proc_thread_started(cur_thread()->tid, tid);
    if (flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = PTR(3);
    if (flags & CLONE_PARENT_SETTID)
        *(int *)PTR(2) = tid;
    if (flags & CLONE_CHILD_SETTID)
        *(int *)PTR(3) = tid;
    long r = start_thread(flags, args, t);
    if (r < 0)
        ns_tid_free(tid);
    return r < 0 ? r : tid;
}

/* clone3 is refused so that libc falls back to clone (glibc does on
 * ENOSYS), which carries the same information. */
SYS(clone3) { return -PAL_ENOSYS; }
SYS(fork)
{
    struct sc_args a = {{17 /* SIGCHLD */, 0, 0, 0, 0, 0}, args->ctx};
    return fork_process(17, &a);
}

SYS(vfork)
{
    struct sc_args a = {{CLONE_VM | CLONE_VFORK | 17 /* SIGCHLD */, 0, 0, 0, 0, 0}, args->ctx};
    return fork_process(a.a[0], &a);
}

/* The PAL's wait target (wait4's pid convention) for waitid's idtype and
 * id, ids of the program's pid namespace as every id the PAL takes. Group
 * 1 has no -pgid form (-1 means any child): it is the caller's own group
 * when the caller is in it, else one this process has no children in. */
static long waitid_target(uint64_t idtype, int id, long *target)
{
    enum { P_ALL_ = 0, P_PID_ = 1, P_PGID_ = 2, P_PIDFD_ = 3 };
    switch (idtype) {
    case P_ALL_: *target = -1; return 0;
    case P_PID_: *target = id; return id > 0 ? 0 : -PAL_EINVAL;
    case P_PGID_:
        if (id < 0)
            return -PAL_EINVAL;
        if (id == 1 && PAL_HAS(pal, process_getpgid) && pal->process_getpgid(0) != 1)
            return -PAL_ECHILD;
        *target = id > 1 ? -(long)id : 0; /* 0: the caller's group */
        return 0;
    case P_PIDFD_: *target = pidfd_pid(id); return *target < 0 ? *target : 0;
    default: return -PAL_EINVAL;
    }
}

/* A reaped child's struct rusage (wait4, waitid): its CPU times are what
 * the wait added to the children's (after - before); the other counters
 * are not kept (zero), nor the times of a stopped child. */
static void child_rusage(int64_t *ru, const int64_t *after, const int64_t *before)
{
    memset(ru, 0, 144);
    for (int i = 0; after && i < 2; i++) {
        int64_t ns = after[i] > before[i] ? after[i] - before[i] : 0;
        ru[2 * i] = ns / 1000000000LL;
        ru[2 * i + 1] = ns % 1000000000LL / 1000;
    }
}

/* With SIGCHLD ignored or SA_NOCLDWAIT, children leave no zombie: a wait
 * reaps every child as it ends and reports none, returning ECHILD once
 * none is left (or 0 with WNOHANG while some still run). */
static long wait_autoreaped(long target, int options)
{
    int status;
    long r;
    while ((r = proc_wait_unaccounted(target, &status, options & 1 /* WNOHANG */)) > 0) {
    }
    return r;
}

/* The PAL's wait. One the host ended with EINTR (a signal came in, often
 * the child's own SIGCHLD, which the kernel sends once the child is a
 * zombie) looks at the children once more without blocking: Linux's
 * do_wait scans them again before it gives up on a pending signal, so a
 * child waitable by then is reported, and the signal is delivered on the
 * way out. */
static long wait_child(long id, int *status, int options)
{
    long r = pal->process_wait(id, status, options);

    if (r == -PAL_EINTR && !(options & 1 /* WNOHANG */)) {
        int again_status = 0;
        long again = pal->process_wait(id, &again_status, options | 1);

        if (again > 0) {
            *status = again_status;
            return again;
        }
    }
    return r;
}

/* waitid over the PAL's wait: P_ALL / P_PID / P_PGID / P_PIDFD; WEXITED,
 * WSTOPPED, WCONTINUED, optionally WNOHANG and WNOWAIT. */
SYS(waitid)
{
    enum { WNOHANG_ = 1, WSTOPPED_ = 2, WEXITED_ = 4, WCONTINUED_ = 8, WNOWAIT_ = 0x01000000 };
    const uint64_t valid = WNOHANG_ | WSTOPPED_ | WEXITED_ | WCONTINUED_ | WNOWAIT_ | 0xe0000000;
    uint64_t opt = A(3);
    int status = 0;
    long id;
    if ((opt & ~valid) || !(opt & (WEXITED_ | WSTOPPED_ | WCONTINUED_)) || !pal->process_wait)
        return -PAL_EINVAL;
    long t = waitid_target(A(0), (int)A(1), &id);
    if (t < 0)
        return t;
    if (signal_child_autoreap() && (opt & WEXITED_))
        return wait_autoreaped(id, (int)opt) < 0 ? -PAL_ECHILD : 0;
    int pal_opt = (int)(opt & (WNOHANG_ | WSTOPPED_ | WCONTINUED_ | WNOWAIT_));
    if (!(opt & WEXITED_))
        pal_opt |= PAL_WAIT_NO_EXITED;
    int64_t before[2], after[2];
    bool ru = PTR(4) && !(opt & WNOWAIT_) && proc_rusage(-1, before) == 0;
    long r = wait_child(id, &status, pal_opt);
    if (r > 0 && !(opt & WNOWAIT_))
        signal_child_reported(r, status);
    bool ended = (status & 0x7f) != 0x7f && status != 0xffff;
    if (r >= 0 && PTR(4))
        child_rusage(PTR(4), r > 0 && ended && ru && proc_rusage(-1, after) == 0 ? after : NULL,
                     before);
    int32_t *si = PTR(2);
    if (r >= 0 && si) {
        memset(si, 0, 128);
        if (r > 0) {
            si[0] = 17;         /* SIGCHLD */
            si[4] = (int32_t)r; /* si_pid */
            si[2] = signal_child_code(status, &si[6]);
        }
    }
    return r < 0 ? r : 0;
}

SYS(wait4)
{
    int status = 0;
    /* WNOHANG WUNTRACED WCONTINUED __WNOTHREAD __WALL __WCLONE */
    if (A(2) & ~(uint64_t)(1 | 2 | 8 | 0xe0000000))
        return -PAL_EINVAL;
    if (!pal->process_wait)
        return -PAL_ECHILD;
    long pid = (int)A(0);
    if (pid == (-2147483647 - 1))
        return -PAL_ESRCH; /* Linux: -INT_MIN is no group */
    if (signal_child_autoreap())
        return wait_autoreaped(pid, (int)A(2));
    int64_t before[2], after[2];
    bool ru = PTR(3) && proc_rusage(-1, before) == 0;
    long r = wait_child(pid, &status, (int)A(2) & (1 | 2 | 8));
    if (r > 0)
        signal_child_reported(r, status);
    if (r > 0 && PTR(1))
        *(int *)PTR(1) = status;
    if (r > 0 && PTR(3))
        child_rusage(
            PTR(3),
            ru && (status & 0xff) != 0x7f && status != 0xffff && proc_rusage(-1, after) == 0 ? after
                                                                                             : NULL,
            before);
    return r;
}
