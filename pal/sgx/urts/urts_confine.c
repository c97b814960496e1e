/* The confined host: a seccomp filter (libseccomp) on geode run's process
 * once its enclave is built (docs/sgx-pal.md, "Confined host"). The list
 * below is what the untrusted runtime itself calls after that point: the
 * OCALL handlers (urts_ocall*.c, urts_procs.c), forks and the process pool
 * (urts_fork.c, urts_pool.c: a host fork rebuilds its enclave, so enclave
 * builds stay allowed), host threads and exitless workers, signals, the
 * EPC-loss restart (run_restart.c) and, in sim mode, the software SGX in
 * the same process (signals, Syscall User Dispatch, FS/GS, EPC memfd).
 *
 * Anything else traps (SECCOMP_RET_TRAP): the SIGSYS handler below makes
 * the call return -EPERM and names it once on geode's diagnostic
 * descriptor, so a refusal is an error its caller handles and a line in
 * the log, never a silent change of behaviour. RET_ERRNO alone would say
 * nothing; RET_KILL would take the program down for a call its caller can
 * survive. Only clone3 gets a plain ENOSYS: glibc falls back to clone,
 * whose flags a filter can see (clone3 keeps them in memory). */
#include "urts_confine.h"

#include <asm/sgx.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/prctl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <ucontext.h>
#include <unistd.h>

#include "diag.h"
#include "pal_ioctl.h"

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1 /* si_code of a seccomp SIGSYS */
#endif
#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#endif
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

/* Host calls allowed whatever the manifest says, without argument checks:
 * files and descriptors (the file OCALLs act on host files the enclave
 * opened through them), memory without PROT_EXEC, threads and futexes,
 * signals and timers, time, poll/epoll, the process tree (waits, groups,
 * sessions, pidfds, signals to its processes), local socket I/O (the fork
 * channel, the pool's SCM_RIGHTS, socketpairs), identity queries. */
static const char *const always[] = {
    /* files and descriptors */
    "read",
    "write",
    "readv",
    "writev",
    "pread64",
    "pwrite64",
    "preadv",
    "pwritev",
    "preadv2",
    "pwritev2",
    "splice",
    "tee",
    "lgetxattr",
    "fgetxattr",
    "lsetxattr",
    "fsetxattr",
    "llistxattr",
    "flistxattr",
    "lremovexattr",
    "fremovexattr",
    "lseek",
    "close",
    "close_range",
    "open",
    "openat",
    "openat2",
    "creat",
    "stat",
    "fstat",
    "lstat",
    "newfstatat",
    "statx",
    "readlink",
    "readlinkat",
    "getdents64",
    "mkdir",
    "mkdirat",
    "rmdir",
    "unlink",
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "chmod",
    "fchmod",
    "fchmodat",
    "chown",
    "fchown",
    "fchownat",
    "lchown",
    "setfsuid", /* set_fs_ids: the program's file-system ids */
    "setfsgid",
    "setgroups",
    "truncate",
    "ftruncate",
    "fsync",
    "fdatasync",
    "sync",
    "syncfs",
    "fallocate",
    "fadvise64",
    "utimensat",
    "access",
    "faccessat",
    "faccessat2",
    "statfs",
    "fstatfs",
    "flock",
    "fcntl",
    "dup",
    "dup2",
    "dup3",
    "getcwd",
    "umask",
    "mknod",
    "mknodat",
    "pipe",
    "pipe2",
    "sendfile",
    "copy_file_range",
    "eventfd2",
    "inotify_init",
    "inotify_init1",
    "inotify_add_watch",
    "inotify_rm_watch",
    /* memory (PROT_EXEC: rules below) */
    "munmap",
    "mremap",
    "madvise",
    "brk",
    "msync",
    "mincore",
    "memfd_create",
    "pkey_alloc",
    "pkey_free",
    /* threads, futexes, scheduling */
    "futex",
    "set_robust_list",
    "get_robust_list",
    "rseq",
    "exit",
    "exit_group",
    "set_tid_address",
    "gettid",
    "getpid",
    "getppid",
    "tgkill",
    "tkill",
    "kill",
    "rt_sigqueueinfo", /* sigqueue to a process of the tree (OCALL_PROCS_SIGQUEUE) */
    "sched_yield",
    "sched_getaffinity",
    "sched_setaffinity",
    "sched_getscheduler",
    "sched_setscheduler",
    "getpriority",
    "setpriority",
    "restart_syscall",
    /* signals and timers */
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "sigaltstack",
    "rt_sigpending",
    "rt_sigtimedwait",
    "rt_sigsuspend",
    "setitimer",
    "getitimer",
    "alarm",
    "timer_create",
    "timer_settime",
    "timer_gettime",
    "timer_delete",
    "timer_getoverrun",
    "timerfd_create",
    "timerfd_settime",
    "timerfd_gettime",
    "signalfd4",
    /* time */
    "clock_gettime",
    "clock_getres",
    "clock_nanosleep",
    "nanosleep",
    "gettimeofday",
    "time",
    /* poll */
    "poll",
    "ppoll",
    "select",
    "pselect6",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    "epoll_pwait2",
    /* the process tree */
    "wait4",
    "waitid",
    "setpgid",
    "getpgid",
    "getpgrp",
    "getsid",
    "setsid",
    "pidfd_open",
    "pidfd_send_signal",
    /* identity and the machine */
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getgroups",
    "getresuid",
    "getresgid",
    "uname",
    "sysinfo",
    "getrandom",
    "getrusage",
    "getcpu",
    "times",
    /* socket I/O on descriptors the runtime holds */
    "sendmsg",
    "recvmsg",
    "sendto",
    "recvfrom",
    "shutdown",
    "getsockname",
    "getpeername",
    "setsockopt",
    "getsockopt",
};

/* With geode.host_network: the calls that reach other hosts or services. */
static const char *const network[] = {"bind", "listen", "connect", "accept", "accept4"};
static const int socket_domains[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};

static const unsigned long prctl_ops[] = {
    PR_SET_PDEATHSIG,
    PR_GET_PDEATHSIG,
    PR_SET_NAME,
    PR_GET_NAME,
    PR_GET_TSC,
    PR_SET_TSC,
    PR_SET_CHILD_SUBREAPER,
    PR_GET_CHILD_SUBREAPER,
    PR_SET_SYSCALL_USER_DISPATCH,
};
static const unsigned long arch_prctl_ops[] = {ARCH_SET_GS, ARCH_SET_FS, ARCH_GET_FS, ARCH_GET_GS};
/* The pool's process-group check; the tty OCALL's (urts_ocall_fs.c) are
 * pal_ioctl.h's table. */
static const unsigned long ioctl_ops[] = {TIOCGPGRP};
/* sgx mode: the enclave's build, and EDMM's (SGX2) permission, type and
 * page-removal requests (driver_kernel.c). */
static const unsigned long sgx_ioctl_ops[] = {
    SGX_IOC_ENCLAVE_CREATE,       SGX_IOC_ENCLAVE_ADD_PAGES,
    SGX_IOC_ENCLAVE_INIT,         SGX_IOC_ENCLAVE_RESTRICT_PERMISSIONS,
    SGX_IOC_ENCLAVE_MODIFY_TYPES, SGX_IOC_ENCLAVE_REMOVE_PAGES};

/* Namespace and tracing flags never pass; CLONE_VM and CLONE_THREAD only
 * together (a thread) or neither (a fork). */
#define CLONE_CHECKED                                                                              \
    (CLONE_VM | CLONE_THREAD | CLONE_VFORK | CLONE_PTRACE | CLONE_NEWNS | CLONE_NEWCGROUP |        \
     CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

/* Syscall names, prepared before the filter is loaded so that the handler
 * only reads memory and calls write; which refusals were named already. */
#define NR_MAX 512
static char names[NR_MAX][24];
static unsigned char logged[NR_MAX], logged_family;

/* What a refused call returns, why, and the flag that names it once. */
struct verdict {
    long err;
    const char *why;
    unsigned char *once;
};

static bool known_family(uint64_t d)
{
    return d == AF_UNIX || d == AF_INET || d == AF_INET6 || d == AF_NETLINK;
}

/* Socket families the filter refuses get what a kernel without them says
 * (EAFNOSUPPORT; socketpair of a known family other than AF_UNIX:
 * EOPNOTSUPP, as Linux for AF_INET), so programs that probe families see
 * Linux's answer; a family refused for geode.host_network = false is EPERM. */
static struct verdict judge(int nr, const greg_t *regs)
{
    uint64_t domain = (uint64_t)regs[REG_RDI];
    unsigned char *once = nr >= 0 && nr < NR_MAX ? &logged[nr] : NULL;

    if (nr == SYS_socket && !known_family(domain))
        return (struct verdict){-EAFNOSUPPORT,
                                "manifest does not allow socket families other than AF_UNIX, "
                                "AF_INET, AF_INET6 and AF_NETLINK",
                                &logged_family};
    if (nr == SYS_socketpair)
        return (struct verdict){domain && domain < AF_MAX ? -EOPNOTSUPP : -EAFNOSUPPORT,
                                "manifest does not allow socketpairs other than AF_UNIX", once};
    if (nr == SYS_socket || nr == SYS_bind || nr == SYS_listen || nr == SYS_connect ||
        nr == SYS_accept || nr == SYS_accept4)
        return (struct verdict){-EPERM,
                                "manifest does not allow host networking: geode.host_network = "
                                "false",
                                once};
    if (nr == SYS_mmap || nr == SYS_mprotect || nr == SYS_pkey_mprotect)
        return (struct verdict){
            -EPERM, "manifest does not allow executable host memory outside the enclave", once};
    return (struct verdict){-EPERM, "manifest does not allow it: no OCALL of this run needs it",
                            once};
}

static void put(char **p, char *end, const char *s)
{
    while (*s && *p < end)
        *(*p)++ = *s++;
}

static void log_refusal(int nr, const struct verdict *v)
{
    char line[256], num[16], *p = line, *end = line + sizeof(line) - 1;
    const char *name = nr >= 0 && nr < NR_MAX && names[nr][0] ? names[nr] : NULL;

    if (v->once && __atomic_exchange_n(v->once, 1, __ATOMIC_RELAXED))
        return;
    if (!name) { /* a number past the table: print it */
        unsigned v = (unsigned)nr, i = sizeof(num) - 1;

        num[i] = 0;
        do
            num[--i] = (char)('0' + v % 10);
        while ((v /= 10) && i);
        name = &num[i];
    }
    put(&p, end, "geode: host call ");
    put(&p, end, name);
    put(&p, end, " refused by the confinement filter (");
    put(&p, end, v->why);
    put(&p, end, ")\n");
    if (write(geode_diag_fd >= 0 ? geode_diag_fd : 2, line, (size_t)(p - line)) < 0)
        return;
}

static void on_sigsys(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    int saved = errno;

    /* Another SIGSYS in host code (kill -SYS; the sim takes Syscall User
     * Dispatch's in enclave code itself): the default action, as before
     * this handler. Not the previous handler: that is the sim's, which
     * chains host-side SIGSYS back here. */
    if (si->si_code != SYS_SECCOMP) {
        signal(sig, SIG_DFL);
        raise(sig); /* delivered once this handler returns */
        return;
    }
    struct verdict v = judge(si->si_syscall, uc->uc_mcontext.gregs);

    uc->uc_mcontext.gregs[REG_RAX] = v.err;
    log_refusal(si->si_syscall, &v);
    errno = saved;
}

static int allow(scmp_filter_ctx ctx, const char *name, unsigned n, const struct scmp_arg_cmp *cmp)
{
    int nr = seccomp_syscall_resolve_name(name);

    if (nr == __NR_SCMP_ERROR)
        return 0; /* not a call of this architecture */
    return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp);
}

static int allow_arg0(scmp_filter_ctx ctx, const char *name, const unsigned long *v, size_t n)
{
    int ret = 0;

    for (size_t i = 0; i < n && !ret; i++) {
        struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_EQ, v[i]);

        ret = allow(ctx, name, 1, &c);
    }
    return ret;
}

static int allow_ioctls(scmp_filter_ctx ctx, const unsigned long *v, size_t n)
{
    int ret = 0;

    for (size_t i = 0; i < n && !ret; i++) {
        struct scmp_arg_cmp c = SCMP_A1(SCMP_CMP_EQ, v[i]);

        ret = allow(ctx, "ioctl", 1, &c);
    }
    return ret;
}

/* mmap, mprotect, pkey_mprotect: any protection without PROT_EXEC; with it
 * only inside the enclave's range (the sim maps EPC pages there with their
 * EPCM permissions, the kernel driver maps the enclave fd there), and for
 * mmap only MAP_FIXED (a hint could land anywhere). */
static int allow_memory(scmp_filter_ctx ctx, const struct urts_confine_policy *p)
{
    struct scmp_arg_cmp noexec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
    struct scmp_arg_cmp exec[3] = {SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC),
                                   SCMP_A0(SCMP_CMP_MASKED_EQ, ~(p->elsize - 1), p->elrange),
                                   SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_FIXED, MAP_FIXED)};
    int ret = 0;

    ret = ret ? ret : allow(ctx, "mmap", 1, &noexec);
    ret = ret ? ret : allow(ctx, "mprotect", 1, &noexec);
    ret = ret ? ret : allow(ctx, "pkey_mprotect", 1, &noexec);
    ret = ret ? ret : allow(ctx, "mmap", 3, exec);
    ret = ret ? ret : allow(ctx, "mprotect", 2, exec);
    ret = ret ? ret : allow(ctx, "pkey_mprotect", 2, exec);
    return ret;
}

static int allow_processes(scmp_filter_ctx ctx)
{
    struct scmp_arg_cmp thread =
        SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_CHECKED, CLONE_VM | CLONE_THREAD);
    struct scmp_arg_cmp fork = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_CHECKED, 0);
    struct scmp_arg_cmp own = SCMP_A0(SCMP_CMP_EQ, 0); /* prlimit64 on this process only */
    int ret = allow(ctx, "clone", 1, &thread);

    ret = ret ? ret : allow(ctx, "clone", 1, &fork);
    ret = ret ? ret : allow(ctx, "prlimit64", 1, &own);
    ret = ret ? ret : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    ret = ret ? ret : allow_arg0(ctx, "prctl", prctl_ops, sizeof(prctl_ops) / sizeof(prctl_ops[0]));
    return ret ? ret
               : allow_arg0(ctx, "arch_prctl", arch_prctl_ops,
                            sizeof(arch_prctl_ops) / sizeof(arch_prctl_ops[0]));
}

static int allow_sockets(scmp_filter_ctx ctx, bool net, bool aesm)
{
    struct scmp_arg_cmp unix_pair = SCMP_A0(SCMP_CMP_EQ, AF_UNIX);
    int ret = allow(ctx, "socketpair", 1, &unix_pair);

    /* Quotes on hardware: the runtime itself connects to aesmd's AF_UNIX
     * socket for each (urts_aesm.c), whatever the program may do. */
    if (aesm && !net) {
        ret = ret ? ret : allow(ctx, "socket", 1, &unix_pair);
        ret = ret ? ret : allow(ctx, "connect", 0, NULL);
    }

    for (size_t i = 0; net && !ret && i < sizeof(socket_domains) / sizeof(socket_domains[0]); i++) {
        struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_EQ, (uint64_t)socket_domains[i]);

        ret = allow(ctx, "socket", 1, &c);
    }
    for (size_t i = 0; net && !ret && i < sizeof(network) / sizeof(network[0]); i++)
        ret = allow(ctx, network[i], 0, NULL);
    return ret;
}

static int build(scmp_filter_ctx ctx, const struct urts_confine_policy *p)
{
    int ret = 0;

    for (size_t i = 0; !ret && i < sizeof(always) / sizeof(always[0]); i++)
        ret = allow(ctx, always[i], 0, NULL);
    ret = ret ? ret : allow_memory(ctx, p);
    ret = ret ? ret : allow_processes(ctx);
    ret = ret ? ret : allow_sockets(ctx, p->network, p->aesm);
    ret = ret ? ret : allow_ioctls(ctx, ioctl_ops, sizeof(ioctl_ops) / sizeof(ioctl_ops[0]));
    for (size_t i = 0; i < sizeof(pal_ioctls) / sizeof(pal_ioctls[0]) && !ret; i++) {
        const unsigned long req = pal_ioctls[i].req;
        ret = allow_ioctls(ctx, &req, 1);
    }
    if (!ret && !p->sim)
        ret = allow_ioctls(ctx, sgx_ioctl_ops, sizeof(sgx_ioctl_ops) / sizeof(sgx_ioctl_ops[0]));
    /* The sim's EADD reads source pages through process_vm_readv on its own
     * pid (a fault becomes -EFAULT); a fork child rebuilds with another
     * pid, which a filter fixed at the parent's start cannot name. */
    if (!ret && p->sim)
        ret = allow(ctx, "process_vm_readv", 0, NULL);
    return ret;
}

static void name_table(void)
{
    for (int nr = 0; nr < NR_MAX; nr++) {
        char *n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

        if (n)
            snprintf(names[nr], sizeof(names[nr]), "%s", n);
        free(n);
    }
}

int urts_confine(const struct urts_confine_policy *p)
{
    struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
    scmp_filter_ctx ctx;
    int ret;

    if (!p->elsize || (p->elsize & (p->elsize - 1)) || (p->elrange & (p->elsize - 1)))
        return -EINVAL;
    ctx = seccomp_init(SCMP_ACT_TRAP);
    if (!ctx)
        return -ENOMEM;
    name_table();
    ret = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
    ret = ret ? ret : seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    ret = ret ? ret : build(ctx, p);
    sigfillset(&sa.sa_mask);
    if (!ret && sigaction(SIGSYS, &sa, NULL))
        ret = -errno;
    ret = ret ? ret : seccomp_load(ctx);
    seccomp_release(ctx);
    return ret;
}

/* One attempt of the test hook, logged with its result. */
static void try_call(const char *what, long r)
{
    dprintf(geode_diag_fd >= 0 ? geode_diag_fd : 2, "geode: confinement test: %s: %s\n", what,
            r < 0 ? strerror(errno) : "allowed");
}

void urts_confine_test_hook(void)
{
    const char *spec = getenv("GEODE_TEST_CONFINE");
    char *const argv[] = {"/bin/true", NULL};

    if (!spec || strcmp(spec, "1"))
        return;
    for (int i = 0; i < 2; i++) /* named once */
        try_call("execve /bin/true", execve("/bin/true", argv, environ));
    int s = socket(AF_INET, SOCK_STREAM, 0);

    try_call("socket AF_INET", s);
    if (s >= 0)
        close(s);
    try_call("ptrace", syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0));
    void *m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    try_call("mmap PROT_EXEC outside the enclave", m == MAP_FAILED ? -1 : 0);
    if (m != MAP_FAILED)
        munmap(m, 4096);
}
