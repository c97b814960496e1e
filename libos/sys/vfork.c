/* vfork and posix_spawn (clone with CLONE_VM | CLONE_VFORK) as Linux runs
 * them: the child shares the parent's memory, and the calling thread waits
 * until the child execs or exits (the process's other threads go on).
 *
 * The child runs on the calling thread. At the clone the parent's context
 * is kept, and the process state a child may change before it execs is
 * copied for the child: its descriptor table (a reference to each file),
 * working directory, umask and dispositions, which that thread alone sees
 * while the child runs (vfork_child_active); the mask is the thread's own
 * and is restored. The syscall returns 0 to the child, on its new stack
 * when it has one. What the child writes is in the parent's memory, as on
 * Linux: glibc's posix_spawn reports a failed exec to the parent through
 * such a write (a copy of the memory lost it, and posix_spawn of a
 * missing program succeeded).
 *
 * The calls a child makes before it execs (descriptor and signal set-up,
 * chdir, umask, I/O, memory, reading ids, an exec that fails) run here,
 * on the child's state. Any other call first makes the child a process of
 * its own: a fork of this one, where the child's state becomes the
 * process's. So do an exec that passed its checks (sys/exec.c), at its
 * point of no return (the program's private memory is then not copied:
 * the exec frees it), a fault of the child's code, and exit where the PAL
 * cannot make a child that has already exited (process_exited_child:
 * then the child's exit before an exec, a failed posix_spawn's, copies
 * nothing and builds no enclave: vfork_exit). The
 * parent's thread then drops the child's copies and returns from the
 * clone with the child's id, its context restored; the new process goes
 * on with the call.
 *
 * One such child at a time in a process: a vfork on another thread
 * meanwhile, and clone flags this does not keep, make the child a fork
 * with a copy of the memory (sys/clone.c). Signals wait on the child's
 * thread while it runs (signal_deliver_pending), as the parent's thread
 * is suspended; the process's other threads take the process's. */
#include <asm/unistd_64.h>
#include <linux/fcntl.h>
#include <linux/sched.h>

#include "core/file.h"
#include "core/signal.h"
#include "core/vma.h"
#include "fs/vfs.h"
#include "sys/sys.h"
#include "sys/vfork.h"

struct k_sigaction vfork_child_actions[NSIG_ + 1];

static struct {
    struct pal_context ctx; /* the parent's, at the clone */
    int *parent_tid;        /* CLONE_PARENT_SETTID */
    uint64_t sigmask;       /* the parent thread's */
} parent;
static uint32_t busy; /* a child runs (or is being set up) */

bool vfork_can_defer(uint64_t flags)
{
    const uint64_t need = CLONE_VM | CLONE_VFORK;
    return (flags & need) == need && !(flags & ~(need | CLONE_PARENT_SETTID | 0xff)) &&
           (flags & 0xff) == 17 /* SIGCHLD */;
}

bool vfork_begin(uint64_t flags, struct sc_args *args)
{
    struct libos_thread *t = cur_thread();
    uint32_t idle = 0;
    if (!__atomic_compare_exchange_n(&busy, &idle, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return false;
    parent.ctx = *args->ctx;
    parent.ctx.fpstate = NULL; /* that host frame is gone when the parent resumes */
    parent.parent_tid = (flags & CLONE_PARENT_SETTID) ? PTR(2) : NULL;
    parent.sigmask = t->sigmask;
    if (fd_table_fork_child() < 0) {
        fd_table_child_drop();
        __atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
        return false; /* a full fork instead */
    }
    vfs_cwd_fork_child();
    umask_fork_child();
    spin_lock(&sig_lock);
    memcpy(vfork_child_actions, sig_actions, sizeof(vfork_child_actions));
    spin_unlock(&sig_lock);
    __atomic_store_n(&vfork_child_thread, t, __ATOMIC_RELEASE);
    log_debug("vfork: the child runs on the parent's thread until it execs or exits");
    if (A(1))
        args->ctx->rsp = A(1);
    return true;
}

/* fcntl commands that change only the child's table or the open file
 * description (shared with the parent on Linux too); record locks and
 * owners are the process's. */
static bool fcntl_allowed(uint64_t cmd)
{
    return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_GETFD || cmd == F_SETFD ||
           cmd == F_GETFL || cmd == F_SETFL;
}

bool vfork_syscall_allowed(uint64_t nr, const uint64_t a[6])
{
    switch (nr) {
    case __NR_read:
    case __NR_write:
    case __NR_pread64:
    case __NR_pwrite64:
    case __NR_readv:
    case __NR_writev:
    case __NR_lseek:
    case __NR_open:
    case __NR_openat:
    case __NR_close:
    case __NR_close_range:
    case __NR_unshare:
    case __NR_dup:
    case __NR_dup2:
    case __NR_dup3:
    case __NR_stat:
    case __NR_fstat:
    case __NR_lstat:
    case __NR_newfstatat:
    case __NR_statx:
    case __NR_access:
    case __NR_faccessat:
    case __NR_faccessat2:
    case __NR_readlink:
    case __NR_readlinkat:
    case __NR_getdents64:
    case __NR_getdents:
    case __NR_getcwd:
    case __NR_chdir:
    case __NR_fchdir:
    case __NR_umask:
    case __NR_rt_sigaction:
    case __NR_rt_sigprocmask:
    case __NR_mmap:
    case __NR_mprotect:
    case __NR_munmap:
    case __NR_brk: /* shared memory */
    case __NR_getuid:
    case __NR_getgid:
    case __NR_geteuid:
    case __NR_getegid:
    case __NR_getgroups:
    case __NR_getresuid:
    case __NR_getresgid:
    case __NR_getppid: /* this process */
    case __NR_sched_yield:
    case __NR_nanosleep:
    case __NR_clock_gettime:
    case __NR_clock_nanosleep:
    case __NR_getrandom:
    case __NR_execve:
    case __NR_execveat: /* see sys/exec.c */
        return true;
    case __NR_fcntl:
        return fcntl_allowed(a[1]);
    case __NR_ioctl: /* FIONCLEX and FIOCLEX only (Python's set_inheritable) */
        return a[1] == 0x5450 || a[1] == 0x5451;
    default:
        return false;
    }
}

/* In the child's own process: its dispositions become the process's, and
 * the host follows where they differ from the parent's. */
static void adopt_actions(void)
{
    static struct k_sigaction old[NSIG_ + 1];
    spin_lock(&sig_lock);
    memcpy(old, sig_actions, sizeof(old));
    memcpy(sig_actions, vfork_child_actions, sizeof(old));
    spin_unlock(&sig_lock);
    for (int s = 1; s <= NSIG_; s++)
        if (memcmp(&old[s], &sig_actions[s], sizeof(old[s])))
            signal_host_ignore_sync(s, false);
}

/* The parent's thread takes its own context back: the child's copies are
 * dropped, and vfork returns r (the child's id, or an error). */
static long parent_resumes(struct pal_context *ctx, long r)
{
    struct libos_thread *t = cur_thread();
    __atomic_store_n(&vfork_child_thread, NULL, __ATOMIC_RELEASE);
    fd_table_child_drop();
    t->sigmask = parent.sigmask;
    if (r > 0 && parent.parent_tid)
        *parent.parent_tid = (int)r;
    void *fp = ctx->fpstate;
    *ctx = parent.ctx;
    ctx->fpstate = fp;
    ctx->rax = (uint64_t)r; /* (a syscall's caller sets it again) */
    __atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
    return r;
}

long vfork_exit(struct pal_context *ctx, int code)
{
    if (PAL_HAS(pal, process_exited_child)) {
        long id = pal->process_exited_child(code & 0xff);
        if (id > 0) {
            log_debug("vfork: the child exited (%d) before it execed: process %ld, nothing copied",
                      code & 0xff, id);
            return parent_resumes(ctx, id);
        }
        log_debug("vfork: no exited child from the PAL (%s): the child becomes a process",
                  errno_name(id));
    }
    return vfork_materialize(ctx, false);
}

long vfork_materialize(struct pal_context *ctx, bool for_exec)
{
    struct pal_mem_range *skip = NULL;
    int n = for_exec ? vma_private_ranges(&skip) : 0;
    long r = fork_now(skip, n > 0 ? (size_t)n : 0);
    free(skip);
    if (r == 0) {
        fd_table_child_adopt();
        vfs_cwd_child_adopt();
        umask_child_adopt();
        adopt_actions();
        __atomic_store_n(&vfork_child_thread, NULL, __ATOMIC_RELEASE);
        __atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
        log_debug("vfork: the child is process %d", libos_pid);
        return 0;
    }
    if (r < 0)
        log_warn("vfork: no process for the child (%s); the parent's vfork fails", errno_name(r));
    return parent_resumes(ctx, r);
}
