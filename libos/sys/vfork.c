/* vfork and posix_spawn (clone with CLONE_VM | CLONE_VFORK) as Linux runs
 * them: the child shares the parent's memory, and the parent waits until
 * the child execs or exits.
 *
 * The child runs on the parent's own thread. At the clone the parent's
 * context and the process state a child may change before it execs are
 * put aside (the descriptor table, holding a reference to each file, the
 * working directory, the umask, the signal dispositions and mask), and
 * the syscall returns 0 to the child, on its new stack when it has one.
 * What the child writes is in the parent's memory, as on Linux: glibc's
 * posix_spawn reports a failed exec to the parent through such a write
 * (a copy of the memory lost it, and posix_spawn of a missing program
 * succeeded).
 *
 * The calls a child makes before it execs (descriptor and signal set-up,
 * chdir, umask, I/O, memory, reading ids, an exec that fails) run here,
 * on the child's state. Any other call first makes the child a process of
 * its own: a fork of this one, whose state is the child's. So do exit and
 * an exec that passed its checks (sys/exec.c), at its point of no return,
 * and a fault of the child's code. The parent then gets its state back
 * and returns from the clone with the child's id, its context restored;
 * the new process goes on with the call.
 *
 * Only with one thread in the process: another thread would see the
 * child's state. Otherwise, and for clone flags this does not keep, the
 * child is a fork with a copy of the memory (sys/clone.c). Signals for the
 * process wait while the child runs (signal_deliver_pending), as the
 * parent is suspended. */
#include <linux/fcntl.h>
#include <linux/sched.h>

#include "core/file.h"
#include "core/signal.h"
#include "core/vma.h"
#include "fs/vfs.h"
#include "sys/sys.h"
#include "sys/vfork.h"

static struct {
    struct pal_context ctx; /* the parent's, at the clone */
    int *parent_tid;        /* CLONE_PARENT_SETTID */
    struct fd_saved fds;
    char cwd[PATH_MAX_LEN];
    uint32_t umask;
    struct k_sigaction actions[NSIG_ + 1];
    uint64_t sigmask;
} parent;

bool vfork_can_defer(uint64_t flags)
{
    const uint64_t need = CLONE_VM | CLONE_VFORK;
    return (flags & need) == need && !(flags & ~(need | CLONE_PARENT_SETTID | 0xff)) &&
           (flags & 0xff) == 17 /* SIGCHLD */ && !vfork_child_on &&
           __atomic_load_n(&libos_thread_count, __ATOMIC_ACQUIRE) == 1;
}

long vfork_begin(uint64_t flags, struct sc_args *args)
{
    struct libos_thread *t = cur_thread();
    parent.ctx = *args->ctx;
    parent.ctx.fpstate = NULL; /* that host frame is gone when the parent resumes */
    parent.parent_tid = (flags & CLONE_PARENT_SETTID) ? PTR(2) : NULL;
    fd_table_save(&parent.fds);
    snprintf(parent.cwd, sizeof(parent.cwd), "%s", vfs_cwd());
    parent.umask = umask_get();
    spin_lock(&sig_lock);
    memcpy(parent.actions, sig_actions, sizeof(parent.actions));
    spin_unlock(&sig_lock);
    parent.sigmask = t->sigmask;
    vfork_child_on = true;
    log_debug("vfork: the child runs on the parent's thread until it execs or exits");
    if (A(1))
        args->ctx->rsp = A(1);
    return 0;
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
    case 0: case 1: case 17: case 18: case 19: case 20: /* read write pread pwrite readv writev */
    case 2: case 257: case 3: case 436:                 /* open openat close close_range */
    case 32: case 33: case 292:                         /* dup dup2 dup3 */
    case 4: case 5: case 6: case 262: case 332: case 8: /* stat fstat lstat newfstatat statx lseek */
    case 21: case 269: case 439:                        /* access faccessat faccessat2 */
    case 89: case 267: case 217:                        /* readlink readlinkat getdents64 */
    case 79: case 80: case 81: case 95:                 /* getcwd chdir fchdir umask */
    case 13: case 14:                                   /* rt_sigaction rt_sigprocmask */
    case 9: case 10: case 11: case 12:                  /* mmap mprotect munmap brk: shared */
    case 102: case 104: case 107: case 108:             /* getuid getgid geteuid getegid */
    case 110:                                           /* getppid: this process */
    case 115: case 118: case 120:                       /* getgroups getresuid getresgid */
    case 24: case 35: case 228: case 230: case 318:     /* sched_yield nanosleep clocks getrandom */
    case 59: case 322:                                  /* execve execveat: see sys/exec.c */
        return true;
    case 72: /* fcntl */
        return fcntl_allowed(a[1]);
    case 16: /* ioctl: FIONCLEX and FIOCLEX only (Python's set_inheritable) */
        return a[1] == 0x5450 || a[1] == 0x5451;
    default:
        return false;
    }
}

/* The parent's dispositions again; the host follows where a child's
 * sigaction changed what it ignores. */
static void restore_actions(void)
{
    struct k_sigaction child[NSIG_ + 1];
    spin_lock(&sig_lock);
    memcpy(child, sig_actions, sizeof(child));
    memcpy(sig_actions, parent.actions, sizeof(child));
    spin_unlock(&sig_lock);
    for (int s = 1; s <= NSIG_; s++)
        if (memcmp(&child[s], &parent.actions[s], sizeof(child[s])))
            signal_host_ignore_sync(s, false);
}

long vfork_materialize(struct pal_context *ctx, bool for_exec)
{
    struct pal_mem_range *skip = NULL;
    int n = for_exec ? vma_private_ranges(&skip) : 0;
    vfork_child_on = false;
    long r = fork_now(skip, n > 0 ? (size_t)n : 0);
    free(skip);
    if (r == 0) {
        fd_table_forget(&parent.fds); /* the parent's references, in this copy */
        log_debug("vfork: the child is process %d", libos_pid);
        return 0;
    }
    if (r < 0)
        log_warn("vfork: no process for the child (%s); the parent's vfork fails", errno_name(r));
    fd_table_restore(&parent.fds);
    vfs_set_cwd(parent.cwd);
    umask_set(parent.umask);
    restore_actions();
    cur_thread()->sigmask = parent.sigmask;
    if (r > 0 && parent.parent_tid)
        *parent.parent_tid = (int)r;
    void *fp = ctx->fpstate;
    *ctx = parent.ctx;
    ctx->fpstate = fp;
    ctx->rax = (uint64_t)r; /* (a syscall's caller sets it again) */
    return r;
}
