/* The syscall table: designated initializers indexed by syscall number.
 * Unknown numbers return -ENOSYS and are logged once each, by name. */
#include <asm/unistd_64.h>

#include "core/creds.h"
#include "sys/sys.h"
#include "sys/vfork.h"

#define NR_MAX 512
#define E(name) [__NR_##name] = sys_##name
/* Administration calls Geode refuses as to a process without privilege. */
#define P(name) [__NR_##name] = sys_eperm

static const sys_fn table[NR_MAX] = {
    E(read), E(write), E(readv), E(writev), E(pread64), E(pwrite64), E(lseek), E(close),
    E(dup), E(dup2), E(dup3), E(fcntl), E(ioctl), E(pipe), E(pipe2), E(ftruncate),
    E(fsync), E(fdatasync),
    E(open), E(openat), E(stat), E(lstat), E(fstat), E(newfstatat), E(statx), E(access),
    E(faccessat), E(faccessat2), E(readlink), E(readlinkat),
    E(getdents64), E(getdents), E(getcwd), E(chdir), E(fchdir), E(mkdir), E(mkdirat), E(rmdir),
    E(unlink), E(unlinkat), E(rename), E(renameat), E(renameat2), E(chmod), E(fchmod),
    E(umask), E(symlink), E(symlinkat), E(link), E(linkat), E(utimensat), E(setuid), E(setgid),
    E(rt_sigtimedwait),
    E(brk), E(mmap), E(munmap), E(mprotect), E(madvise), E(mremap), E(msync),
    E(mincore), E(mlock), E(munlock), E(mlock2), E(mlockall), E(munlockall),
    E(pkey_alloc), E(pkey_free), E(pkey_mprotect),
    E(shmget), E(shmat), E(shmdt), E(shmctl), E(semget), E(semop), E(semtimedop), E(semctl),
    E(msgget), E(msgsnd), E(msgrcv), E(msgctl),
    E(exit), E(exit_group), E(getpid), E(getppid), E(gettid), E(getuid), E(geteuid),
    E(getgid), E(getegid), E(getpgrp), E(getpgid), E(setpgid), E(getsid), E(setsid),
    E(getgroups), E(uname), E(arch_prctl), E(set_tid_address), E(set_robust_list), E(rseq),
    E(prlimit64), E(getrlimit), E(setrlimit), E(sysinfo), E(prctl), E(sched_getaffinity),
    E(sched_yield), E(getcpu),
    E(clock_gettime), E(clock_getres), E(gettimeofday), E(time), E(nanosleep),
    E(clock_nanosleep), E(getrandom),
    E(futex), E(sendfile),
    E(socket), E(socketpair), E(bind), E(connect), E(listen), E(accept), E(accept4),
    E(getsockname), E(getpeername), E(shutdown), E(setsockopt), E(getsockopt), E(sendto),
    E(recvfrom), E(sendmsg), E(recvmsg),
    E(poll), E(ppoll), E(select), E(pselect6), E(epoll_create), E(epoll_create1), E(epoll_ctl),
    E(epoll_wait), E(epoll_pwait), E(epoll_pwait2), E(clone), E(clone3), E(fork), E(vfork), E(wait4), E(execve),
    E(setitimer), E(getitimer), E(alarm), E(timer_create), E(timer_settime), E(timer_gettime),
    E(timer_getoverrun), E(timer_delete), E(fchown), E(chown), E(lchown), E(fchownat),
    E(getrusage), E(times), E(sched_setaffinity), E(flock), E(close_range), E(unshare), E(rt_sigsuspend),
    E(pause), E(waitid), E(truncate), E(fchmodat), E(eventfd), E(eventfd2), E(memfd_create),
    E(timerfd_create), E(timerfd_settime), E(timerfd_gettime), E(signalfd), E(signalfd4),
    E(inotify_init), E(inotify_init1), E(inotify_add_watch), E(inotify_rm_watch),
    E(rt_sigaction), E(rt_sigprocmask), E(sigaltstack), E(kill), E(tgkill), E(tkill), E(rt_sigreturn), E(rt_sigpending),
    E(rt_sigqueueinfo), E(rt_tgsigqueueinfo), E(pidfd_open), E(pidfd_send_signal),
    /* credentials (sys/creds.c) */
    E(getresuid), E(getresgid), E(setreuid), E(setregid), E(setresuid), E(setresgid),
    E(setfsuid), E(setfsgid), E(setgroups),
    /* files (sys/fs_space.c, fs_path.c, fs_dir.c) */
    E(fallocate), E(fadvise64), E(copy_file_range), E(sync), E(syncfs), E(creat), E(mknod),
    E(mknodat), E(readahead), E(sync_file_range), E(preadv), E(pwritev), E(preadv2),
    E(pwritev2), E(utime), E(utimes), E(futimesat), E(setxattr), E(lsetxattr), E(fsetxattr),
    E(getxattr), E(lgetxattr), E(fgetxattr), E(listxattr), E(llistxattr), E(flistxattr),
    E(removexattr), E(lremovexattr), E(fremovexattr), E(name_to_handle_at),
    E(open_by_handle_at), E(openat2), E(sendmmsg), E(recvmmsg), E(execveat),
    E(splice), E(tee), E(vmsplice),
    [452] = sys_fchmodat2, /* not in this libc's unistd_64.h (Linux 6.6) */
    /* scheduling, settings, capabilities (sys/misc.c, sys/creds.c) */
    E(getpriority), E(setpriority), E(sched_get_priority_max), E(sched_get_priority_min),
    E(sched_getscheduler), E(sched_getparam), E(sched_setscheduler), E(sched_setparam),
    E(sched_rr_get_interval), E(sched_getattr), E(sched_setattr), E(ioprio_get), E(ioprio_set),
    E(personality), E(membarrier), E(syslog), E(capget), E(capset), E(clock_settime),
    E(settimeofday),
    P(mount), P(umount2), P(pivot_root), P(chroot), P(acct),
    P(swapon), P(swapoff), P(reboot), P(sethostname), P(setdomainname), P(iopl), P(ioperm),
    P(init_module), P(finit_module), P(delete_module), P(kexec_load), P(kexec_file_load),
    P(quotactl), P(quotactl_fd), P(vhangup), P(setns), P(bpf), P(process_vm_readv),
    P(process_vm_writev), P(open_tree), P(move_mount), P(fsopen), P(fsconfig), P(fsmount),
    P(fspick), P(mount_setattr),
    E(statfs), E(fstatfs),
};

static const char *const names[NR_MAX] = {
#include "libos_sysnames.h"
};

static uint64_t logged[NR_MAX / 64];

const char *syscall_name(uint64_t nr)
{
    return nr < NR_MAX ? names[nr] : NULL;
}

static long unknown(uint64_t nr)
{
    if (nr < NR_MAX) {
        uint64_t bit = 1ULL << (nr % 64);
        if (__atomic_fetch_or(&logged[nr / 64], bit, __ATOMIC_RELAXED) & bit)
            return -PAL_ENOSYS;
    }
    const char *name = syscall_name(nr);
    log_warn("unsupported syscall %s (%lu): returning ENOSYS", name ? name : "?",
             (unsigned long)nr);
    return -PAL_ENOSYS;
}

/* Runs a handler so that a fault on a program pointer inside it (caught by
 * entry/upcall.c) ends the syscall with -EFAULT instead of the process. */
static long run_handler(sys_fn fn, struct sc_args *args)
{
    struct libos_thread *t = cur_thread();
    struct libos_jmpbuf jb, *outer = t->recover;
    int held = t->nheld;
    long r;
    if (libos_setjmp(&jb) == 0) {
        t->recover = &jb;
        r = fn(args);
    } else {
        for (int i = t->nheld; i > held; i--) {
            if (i - 1 < MAX_HELD_LOCKS)
                spin_unlock(t->held[i - 1]);
            else
                t->nheld--; /* deeper than tracked: cannot happen with today's nesting */
        }
        r = -PAL_EFAULT;
    }
    t->recover = outer;
    return r;
}

static long vfork_leave(struct sc_args *args)
{
    uint64_t nr = args->ctx->rax;
    if (nr == __NR_exit || nr == __NR_exit_group)
        return vfork_exit(args->ctx, (int)args->a[0]);
    return vfork_materialize(args->ctx, false);
}

long syscall_dispatch(struct pal_context *ctx)
{
    uint64_t nr = ctx->rax;
    struct libos_thread *t = cur_thread();
    struct sc_args args = {{ctx->rdi, ctx->rsi, ctx->rdx, ctx->r10, ctx->r8, ctx->r9}, ctx};
    /* A vfork child on its parent's thread becomes a process of its own
     * before a call it cannot make here; the parent then returns from its
     * vfork instead (sys/vfork.c). Only on the trap path: the trampoline
     * path sends such a call back to its site's syscall instruction
     * (entry/upcall.c). */
    if (vfork_child_active() && !vfork_syscall_allowed(nr, args.a)) {
        long r = run_handler(vfork_leave, &args);
        if (r != 0)
            return r;
    }
    if (nr >= NR_MAX || !table[nr])
        return unknown(nr);
    if (__builtin_expect(t->creds_gen != creds_generation, 0))
        creds_sync_thread();
    t->tty_stop_blocked = false; /* only a signal during this call counts */
    long r = run_handler(table[nr], &args);
    if (libos_log_level >= LOG_TRACE)
        log_at(LOG_TRACE, "%s(%lx, %lx, %lx) = %ld", names[nr] ? names[nr] : "?",
               (unsigned long)args.a[0], (unsigned long)args.a[1], (unsigned long)args.a[2], r);
    return r;
}
