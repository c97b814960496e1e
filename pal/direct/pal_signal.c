/* Direct PAL: host signals and Syscall User Dispatch.
 *
 * SUD is switched on with the PAL's syscall section as the always-allowed
 * range and a selector that stays BLOCK for the life of the process: every
 * `syscall` outside that section (the program's, or a stray one in glibc)
 * raises SIGSYS, which we hand to the libOS. The handlers themselves only
 * issue syscalls through host_syscall, and return through host_sigreturn,
 * both inside the allowed range, so the selector never has to flip.
 *
 * SUD is per task and the kernel clears it in copy_process() for every new
 * task (threads and forks alike), so each thread we create enables it
 * again (pal_thread.c). */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>

#include "host.h"
#include "pidns.h"

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_ON 1
#endif
#define SUD_SELECTOR_BLOCK 1
#define SYS_USER_DISPATCH_CODE 2 /* si_code of a SUD SIGSYS */
#define ALTSTACK_SIZE (256 * 1024)

/* The kernel's struct sigaction for rt_sigaction (not glibc's). */
struct kernel_sigaction {
    void *handler;
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};
#define KSA_RESTORER 0x04000000

static volatile char sud_selector = SUD_SELECTOR_BLOCK;
static const struct pal_upcalls *upcalls;

/* Ranges whose faults are bugs in Geode rather than in the program. */
extern char __executable_start[], etext[];
static uint64_t libos_lo, libos_hi;

void direct_set_libos_range(uint64_t lo, uint64_t hi)
{
    libos_lo = lo;
    libos_hi = hi;
}

static void ctx_from_uc(const ucontext_t *uc, struct pal_context *c)
{
    const greg_t *g = uc->uc_mcontext.gregs;
    c->rax = g[REG_RAX], c->rbx = g[REG_RBX], c->rcx = g[REG_RCX], c->rdx = g[REG_RDX];
    c->rsi = g[REG_RSI], c->rdi = g[REG_RDI], c->rbp = g[REG_RBP], c->rsp = g[REG_RSP];
    c->r8 = g[REG_R8], c->r9 = g[REG_R9], c->r10 = g[REG_R10], c->r11 = g[REG_R11];
    c->r12 = g[REG_R12], c->r13 = g[REG_R13], c->r14 = g[REG_R14], c->r15 = g[REG_R15];
    c->rip = g[REG_RIP], c->rflags = g[REG_EFL];
    c->fpstate = uc->uc_mcontext.fpregs; /* restored by the host sigreturn */
}

static void ctx_to_uc(const struct pal_context *c, ucontext_t *uc)
{
    greg_t *g = uc->uc_mcontext.gregs;
    g[REG_RAX] = c->rax, g[REG_RBX] = c->rbx, g[REG_RCX] = c->rcx, g[REG_RDX] = c->rdx;
    g[REG_RSI] = c->rsi, g[REG_RDI] = c->rdi, g[REG_RBP] = c->rbp, g[REG_RSP] = c->rsp;
    g[REG_R8] = c->r8, g[REG_R9] = c->r9, g[REG_R10] = c->r10, g[REG_R11] = c->r11;
    g[REG_R12] = c->r12, g[REG_R13] = c->r13, g[REG_R14] = c->r14, g[REG_R15] = c->r15;
    g[REG_RIP] = c->rip, g[REG_EFL] = c->rflags;
}

static void log_hex(const char *what, uint64_t v)
{
    char buf[96];
    size_t n = strlen(what);
    if (n > 60)
        n = 60;
    memcpy(buf, what, n);
    buf[n++] = '0';
    buf[n++] = 'x';
    for (int i = 60; i >= 0; i -= 4)
        buf[n++] = "0123456789abcdef"[(v >> i) & 15];
    buf[n++] = '\n';
    direct_log(buf, n);
}

/* The wake flag of the calling thread (host.h): gs:PAL_GS_PRIVATE_OFFSET,
 * whose address the PAL keeps in the next word (direct_gs_claim); the
 * SGX host names its own. */
static volatile long *gs_wake_flag(void)
{
    volatile long *f;
    __asm__ volatile("mov %%gs:%c1, %0" : "=r"(f) : "i"(PAL_GS_PRIVATE_OFFSET + 8));
    return f;
}

static volatile long early_flag;
static volatile long *early_wake_flag(void) { return &early_flag; }

volatile long *(*direct_wake_flag)(void) = early_wake_flag;

void direct_wake_flag_use(volatile long *(*fn)(void)) { direct_wake_flag = fn; }

void direct_gs_claim(void *gs_base)
{
    uint64_t *w = (uint64_t *)((char *)gs_base + PAL_GS_PRIVATE_OFFSET);
    w[0] = 0;
    w[1] = (uint64_t)(uintptr_t)w;
}

void direct_wake_flag_from_gs(void) { direct_wake_flag = gs_wake_flag; }

void direct_wake_mark(volatile long *flag, uint64_t *rip)
{
    __atomic_store_n(flag, 1, __ATOMIC_SEQ_CST);
    if (*rip >= (uint64_t)host_cp_begin && *rip < (uint64_t)host_cp_end)
        *rip = (uint64_t)host_cp_cancel;
}

static int in_geode_code(uint64_t rip)
{
    if (rip >= (uint64_t)__executable_start && rip < (uint64_t)etext)
        return 1;
    return rip >= libos_lo && rip < libos_hi;
}

static void on_sigsys(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
    struct pal_context ctx;
    if (si->si_code != SYS_USER_DISPATCH_CODE || !upcalls) {
        log_hex("geode: unexpected SIGSYS at rip ", uc->uc_mcontext.gregs[REG_RIP]);
        HS1(SYS_exit_group, 128 + SIGSYS);
    }
    if (in_geode_code(uc->uc_mcontext.gregs[REG_RIP])) {
        /* A syscall from geode's own code outside the PAL section: a bug. */
        log_hex("geode: internal error: host syscall outside the PAL at rip ",
                uc->uc_mcontext.gregs[REG_RIP]);
        log_hex("geode:   syscall number ", uc->uc_mcontext.gregs[REG_RAX]);
        HS1(SYS_exit_group, 128 + SIGSYS);
    }
    if (direct_vdso_contains(uc->uc_mcontext.gregs[REG_RIP])) {
        /* The vDSO's own fallback, called by the PAL for the time: the
         * host's (the program is given no vDSO; a read of the time is all
         * it could run this way). */
        greg_t *g = uc->uc_mcontext.gregs;
        long nr = g[REG_RAX];
        g[REG_RAX] =
            nr == SYS_clock_gettime || nr == SYS_gettimeofday || nr == SYS_time ||
                    nr == SYS_clock_getres || nr == SYS_getcpu
                ? HS6(nr, g[REG_RDI], g[REG_RSI], g[REG_RDX], g[REG_R10], g[REG_R8], g[REG_R9])
                : -ENOSYS;
        return;
    }
    ctx_from_uc(uc, &ctx);
    upcalls->syscall(&ctx);
    ctx_to_uc(&ctx, uc);
}

/* Faults in libOS code go to the libOS too (it turns a bad program
 * pointer met inside a syscall into EFAULT); faults in the PAL are fatal. */
static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    uint64_t rip = uc->uc_mcontext.gregs[REG_RIP];
    bool in_pal = rip >= (uint64_t)__executable_start && rip < (uint64_t)etext;
    if (in_pal || !upcalls) {
        log_hex("geode: internal error: fault in geode code at rip ", rip);
        if (rip >= libos_lo && rip < libos_hi)
            log_hex("geode:   libos.elf offset ", rip - libos_lo);
        log_hex("geode:   signal ", (uint64_t)sig);
        log_hex("geode:   address ", (uint64_t)si->si_addr);
        HS1(SYS_exit_group, 128 + sig);
    }
    struct pal_exception exc = {.signo = sig, .code = si->si_code, .addr = (uint64_t)si->si_addr};
    struct pal_context ctx;
    ctx_from_uc(uc, &ctx);
    upcalls->exception(&ctx, &exc);
    ctx_to_uc(&ctx, uc);
}

/* The job-control signals too: the program's handlers and default actions
 * apply (a stop is process_stop), and a SIGCONT, which the kernel has
 * already acted on, still reaches its handler. */
static const int host_signals[] = {SIGINT,  SIGTERM, SIGHUP,   SIGQUIT, SIGUSR1,
                                   SIGUSR2, SIGALRM, SIGCHLD,  SIGWINCH,
                                   SIGIO /* O_ASYNC handles */, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU};
/* And the realtime signals a program can name (glibc's SIGRTMIN, 34, to 64:
 * 32 and 33 are libc's own), which another process of the tree may send:
 * without a handler here their default action would end this process. */
#define RT_FIRST 34
#define RT_LAST 64

int direct_signal_forwarded(int sig)
{
    if (sig >= RT_FIRST && sig <= RT_LAST)
        return 1;
    for (size_t i = 0; i < sizeof(host_signals) / sizeof(host_signals[0]); i++)
        if (host_signals[i] == sig)
            return 1;
    return 0;
}

/* Sent by kill, tkill or sigqueue from another process of the tree (the
 * kernel's own signals have a positive si_code). */
static int from_inside(const siginfo_t *si)
{
    return (si->si_code == SI_USER || si->si_code == SI_TKILL || si->si_code == SI_QUEUE) &&
           si->si_pid != HS0(SYS_getpid) && pidns_host_inside(si->si_pid);
}

/* The sender of the signal each handler is handing over (signal_sender),
 * written before the upcall: the host blocks sig while its handler runs. */
static struct pal_sender senders[65];
static volatile int sender_set[65];

static long direct_signal_sender(int signo, struct pal_sender *out)
{
    if (signo < 1 || signo > 64 || !sender_set[signo])
        return -PAL_ENOENT;
    *out = senders[signo];
    return 0;
}

static void on_host_signal(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    struct pal_context ctx;
    if (!upcalls)
        HS1(SYS_exit_group, 128 + sig);
    int plain = sig;
    sender_set[plain] = 0;
    if (from_inside(si)) {
        sig |= PAL_SIGNAL_FROM_INSIDE;
        uint64_t value = 0;
        memcpy(&value, &si->si_value, sizeof(si->si_value));
        senders[plain] = (struct pal_sender){.code = si->si_code,
                                             .pid = pidns_peek_host(si->si_pid),
                                             .uid = si->si_uid,
                                             .value = value};
        sender_set[plain] = senders[plain].pid > 0;
    } else if (sig == SIGCHLD && (si->si_code == CLD_STOPPED || si->si_code == CLD_CONTINUED))
        sig |= PAL_SIGNAL_CHILD_STATE;
    uint64_t rip = uc->uc_mcontext.gregs[REG_RIP];
    if (in_geode_code(rip) || direct_vdso_contains(rip)) {
        /* Delivered when the libOS returns; a blocking host call it is
         * about to make or makes now ends. (The host's vDSO runs only
         * for the PAL's reads of the time, on the libOS's stack: a signal
         * there is one in geode code, as on_wake has it.) */
        direct_wake_mark(direct_wake_flag(), (uint64_t *)&uc->uc_mcontext.gregs[REG_RIP]);
        upcalls->host_signal(NULL, sig);
        return;
    }
    ctx_from_uc(uc, &ctx);
    upcalls->host_signal(&ctx, sig);
    ctx_to_uc(&ctx, uc);
}

/* A wake (thread_wake): in geode code, the blocking host call the thread
 * makes or is about to make ends with EINTR, and the libOS delivers its
 * pending signals on its way out; in program code, the libOS delivers
 * them here (host_signal with no signal). */
static void on_wake(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    struct pal_context ctx;
    siginfo_t as;
    (void)sig;
    if (!upcalls)
        return; /* GS is not the libOS's yet: nothing can be pending */
    int carried = direct_uncarry(si, &as);
    if (carried) { /* another process of the tree sent this signal (host_cp.h) */
        on_host_signal(carried, &as, ucv);
        return;
    }
    uint64_t rip = uc->uc_mcontext.gregs[REG_RIP];
    if (in_geode_code(rip) || direct_vdso_contains(rip)) {
        direct_wake_mark(direct_wake_flag(), (uint64_t *)&uc->uc_mcontext.gregs[REG_RIP]);
        return;
    }
    ctx_from_uc(uc, &ctx);
    upcalls->host_signal(&ctx, 0);
    ctx_to_uc(&ctx, uc);
}

static long direct_signal_host_block(int signo, int block)
{
    uint64_t bit = 1ULL << (signo - 1);
    if (signo != SIGTTIN && signo != SIGTTOU)
        return -PAL_EINVAL;
    return HS4(SYS_rt_sigprocmask, block ? SIG_BLOCK : SIG_UNBLOCK, &bit, NULL, 8);
}

static long direct_thread_wake(long tid)
{
    if (tid <= 0 || tid > INT32_MAX)
        return -PAL_ESRCH;
    return HS3(SYS_tgkill, HS0(SYS_getpid), tid, DIRECT_WAKE_SIGNAL);
}

/* Host signals are not blocked while the libOS handles a syscall or a
 * fault: a blocking host call made for the program must be interruptible
 * (it returns -EINTR and the libOS delivers the signal on its way out).
 * Host-signal handlers block the other host signals among themselves. */
static long set_handler(int sig, void (*fn)(int, siginfo_t *, void *), uint64_t mask)
{
    struct kernel_sigaction ksa = {
        .handler = (void *)fn,
        .flags = SA_SIGINFO | SA_ONSTACK | KSA_RESTORER,
        .restorer = host_sigreturn,
        .mask = mask,
    };
    return HS4(SYS_rt_sigaction, sig, &ksa, NULL, 8);
}

int direct_signals_install(void)
{
    static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP};
    const size_t nhosts = sizeof(host_signals) / sizeof(host_signals[0]);
    uint64_t host_mask = 0;
    for (size_t i = 0; i < nhosts; i++)
        host_mask |= 1ULL << (host_signals[i] - 1);
    for (int s = RT_FIRST; s <= RT_LAST; s++)
        host_mask |= 1ULL << (s - 1);
    long r = set_handler(SIGSYS, on_sigsys, 0);
    for (size_t i = 0; r == 0 && i < sizeof(faults) / sizeof(faults[0]); i++)
        r = set_handler(faults[i], on_fault, 0);
    for (size_t i = 0; r == 0 && i < nhosts; i++)
        r = set_handler(host_signals[i], on_host_signal, host_mask);
    for (int s = RT_FIRST; r == 0 && s <= RT_LAST; s++)
        r = set_handler(s, on_host_signal, host_mask);
    if (r == 0)
        r = set_handler(DIRECT_WAKE_SIGNAL, on_wake, host_mask);
    /* The program must see a pipe error as EPIPE, like a native process
     * that ignores SIGPIPE would; SIGPIPE delivery is the libOS's job. */
    struct kernel_sigaction ign = {.handler = SIG_IGN, .flags = KSA_RESTORER,
                                   .restorer = host_sigreturn};
    if (r == 0)
        r = HS4(SYS_rt_sigaction, SIGPIPE, &ign, NULL, 8);
    return (int)r;
}

int direct_altstack_setup(void)
{
    long mem = HS6(SYS_mmap, 0, ALTSTACK_SIZE, 3, 0x22 /* PRIVATE|ANON */, -1, 0);
    if (mem < 0)
        return (int)mem;
    stack_t ss = {.ss_sp = (void *)mem, .ss_size = ALTSTACK_SIZE, .ss_flags = 0};
    return (int)HS2(SYS_sigaltstack, &ss, NULL);
}

long direct_sud_enable(void)
{
    uint64_t lo = (uint64_t)__start_geode_hostsys;
    uint64_t len = (uint64_t)__stop_geode_hostsys - lo;
    return HS5(SYS_prctl, PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, lo, len,
               &sud_selector);
}

static void direct_set_upcalls(const struct pal_upcalls *up) { upcalls = up; }
static long direct_trap_syscalls(void) { return direct_sud_enable(); }

__attribute__((noreturn)) static void direct_process_kill(int signo)
{
    struct kernel_sigaction dfl = {.handler = SIG_DFL, .flags = KSA_RESTORER,
                                   .restorer = host_sigreturn};
    uint64_t unblock = 1ULL << (signo - 1);
    pidns_root_exit();
    HS4(SYS_rt_sigaction, signo, &dfl, NULL, 8);
    HS4(SYS_rt_sigprocmask, SIG_UNBLOCK, &unblock, NULL, 8);
    HS3(SYS_tgkill, HS0(SYS_getpid), HS0(SYS_gettid), signo);
    /* Signals whose default is to be ignored end up here. */
    HS1(SYS_exit_group, 128 + signo);
    __builtin_unreachable();
}

/* The host stops the process by its own default action of signo: the
 * handler is the host's default and the signal unblocked on this thread
 * just for the tgkill, which returns once a SIGCONT has continued the
 * process (or at once when the host discards the stop, as for an
 * orphaned group). */
static long direct_process_stop(int signo)
{
    struct kernel_sigaction dfl = {.handler = SIG_DFL, .flags = KSA_RESTORER,
                                   .restorer = host_sigreturn},
                            old;
    uint64_t bit = 1ULL << (signo - 1), mask = 0;
    long pid = HS0(SYS_getpid), tid = HS0(SYS_gettid);
    if (pidns_held()) /* a process that would continue this one may need it */
        return -PAL_EAGAIN;
    if (signo == SIGSTOP)
        return HS3(SYS_tgkill, pid, tid, SIGSTOP);
    if (signo != SIGTSTP && signo != SIGTTIN && signo != SIGTTOU)
        return -PAL_EINVAL;
    long r = HS4(SYS_rt_sigaction, signo, &dfl, &old, 8);
    if (r < 0)
        return r;
    HS4(SYS_rt_sigprocmask, SIG_UNBLOCK, &bit, &mask, 8);
    r = HS3(SYS_tgkill, pid, tid, signo);
    HS4(SYS_rt_sigprocmask, SIG_SETMASK, &mask, NULL, 8);
    HS4(SYS_rt_sigaction, signo, &old, NULL, 8);
    return r;
}

/* The host's actions of SIGTTIN and SIGTTOU (the forwarding handler), put
 * aside while the program ignores the signal and the host ignores it too. */
static struct kernel_sigaction aside[2];
static bool is_aside[2];
static int aside_lock;

static long direct_signal_host_ignore(int signo, int ignore)
{
    struct kernel_sigaction ign = {.handler = SIG_IGN, .flags = KSA_RESTORER,
                                   .restorer = host_sigreturn};
    long r = 0;
    if (signo != SIGTTIN && signo != SIGTTOU)
        return -PAL_EINVAL;
    int i = signo - SIGTTIN;
    while (__atomic_exchange_n(&aside_lock, 1, __ATOMIC_ACQUIRE))
        HS0(SYS_sched_yield);
    if (ignore && !is_aside[i]) {
        r = HS4(SYS_rt_sigaction, signo, &ign, &aside[i], 8);
        is_aside[i] = r == 0;
    } else if (!ignore && is_aside[i]) {
        r = HS4(SYS_rt_sigaction, signo, &aside[i], NULL, 8);
        is_aside[i] = r != 0;
    }
    __atomic_store_n(&aside_lock, 0, __ATOMIC_RELEASE);
    return r;
}

void direct_fill_signal(struct pal_api *api)
{
    api->process_stop = direct_process_stop;
    api->signal_host_ignore = direct_signal_host_ignore;
    api->set_upcalls = direct_set_upcalls;
    api->signal_sender = direct_signal_sender;
    api->thread_wake = direct_thread_wake;
    api->signal_host_block = direct_signal_host_block;
    api->trap_syscalls = direct_trap_syscalls;
    api->process_kill = direct_process_kill;
}
