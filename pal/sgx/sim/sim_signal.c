/* Signal ownership (rt_sigaction with the sim's trampoline), the handler's
 * first dispatch, and chaining to the host's handlers. */
#include "sim_signal.h"

#include <cpuid.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sgx_cpuid.h"
#include "sim_exec.h"
#include "sim_thread.h"

/* The kernel's struct sigaction for rt_sigaction (glibc's layout differs,
 * and glibc would replace our restorer with its own). */
struct ksigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};

#define KSA_RESTORER 0x04000000UL
#define NSIGS 65 /* signals 1..64: standard and real-time */

extern const char sim_restorer[];

/* The host's action per signal, when the sim took the signal over. */
static struct ksigaction host_action[NSIGS];
static volatile bool owned[NSIGS];

static void sim_handler(int sig, siginfo_t *si, void *ucv);
static int take_switch_signal(void);

static int ksigaction(int sig, const struct ksigaction *act, struct ksigaction *old)
{
    return syscall(SYS_rt_sigaction, sig, act, old, sizeof(uint64_t)) ? -errno : 0;
}

static bool is_fault_signal(int sig)
{
    return sig == SIGILL || sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGTRAP || sig == SIGSYS;
}

/* Takes sig over if its current handler is not ours and it needs to be. */
static int take_over(int sig)
{
    struct ksigaction cur, ours;
    int ret = ksigaction(sig, NULL, &cur);

    if (ret || cur.handler == (void *)sim_handler)
        return ret;
    /* Default or ignored asynchronous signals never run host code. */
    if (!is_fault_signal(sig) && (cur.handler == SIG_DFL || cur.handler == SIG_IGN))
        return 0;
    host_action[sig] = cur;
    ours = (struct ksigaction){.handler = (void *)sim_handler,
                               .flags = SA_SIGINFO | SA_ONSTACK | KSA_RESTORER | (cur.flags & SA_RESTART),
                               .restorer = (void *)sim_restorer,
                               .mask = ~0ULL};
    ret = ksigaction(sig, &ours, NULL);
    if (!ret)
        owned[sig] = true;
    return ret;
}

/* Bumped when the host may have installed handlers; synced_gen is the
 * generation the last complete sync saw. */
static unsigned handler_gen = 1, synced_gen;

void sim_signals_changed(void) { __atomic_add_fetch(&handler_gen, 1, __ATOMIC_SEQ_CST); }

int sim_signals_sync(void)
{
    unsigned gen = __atomic_load_n(&handler_gen, __ATOMIC_SEQ_CST);
    int ret = 0;

    if (__atomic_load_n(&synced_gen, __ATOMIC_SEQ_CST) == gen)
        return 0;
    for (int sig = 1; sig < NSIGS && !ret; sig++)
        if (sig != SIGKILL && sig != SIGSTOP && !(sig == SIM_SWITCH_SIG && sim_bases.emulate_loss))
            ret = take_over(sig);
    ret = ret ? ret : take_switch_signal();
    if (!ret) /* a bump since gen was read leaves them unequal: synced again */
        __atomic_store_n(&synced_gen, gen, __ATOMIC_SEQ_CST);
    return ret;
}

int sim_signals_take_faults(void)
{
    int ret = take_over(SIGSEGV);

    return ret ? ret : take_over(SIGBUS);
}

/* The context-switch tick of sim_bases.emulate_loss (sim_thread.h). */
static int take_switch_signal(void)
{
    static volatile bool done;
    struct ksigaction ours = {.handler = (void *)sim_handler,
                              .flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART | KSA_RESTORER,
                              .restorer = (void *)sim_restorer,
                              .mask = ~0ULL};
    int ret;

    if (!sim_bases.emulate_loss || done)
        return 0;
    ret = ksigaction(SIM_SWITCH_SIG, &ours, NULL);
    done = !ret;
    return ret;
}

/* No host handler: the default action, as if the sim were not there. */
static void chain_default(int sig)
{
    struct ksigaction dfl = {.handler = SIG_DFL};

    if (sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT)
        return;
    ksigaction(sig, &dfl, NULL);
    owned[sig] = false;
    /* Pending now; delivered with the default action once the handler
     * returns and the mask is restored (faults recur on their own). */
    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
}

void sim_signal_chain(int sig, siginfo_t *si, ucontext_t *uc)
{
    struct ksigaction *a = &host_action[sig];

    if (sig <= 0 || sig >= NSIGS || a->handler == SIG_DFL || (a->handler == SIG_IGN && is_fault_signal(sig))) {
        chain_default(sig);
        return;
    }
    if (a->handler == SIG_IGN)
        return;
    if (a->flags & SA_SIGINFO)
        ((void (*)(int, siginfo_t *, void *))a->handler)(sig, si, uc);
    else
        ((void (*)(int))a->handler)(sig);
    if (a->flags & SA_RESETHAND)
        a->handler = SIG_DFL;
}

/* sim_read_page: OR of the whole page into four accumulators (AVX2, 128
 * bytes a round, where the CPU has it, else SSE2, 64), then, unless all
 * zero, REP MOVSB into dst. Every load of src lies in [sim_read_page_sse2,
 * sim_read_page_end); a fault there resumes at the variant's fault label
 * with RAX = -EFAULT (14). */
__asm__(".text\n"
        ".globl sim_read_page_sse2\n"
        ".hidden sim_read_page_sse2\n"
        ".type sim_read_page_sse2, @function\n"
        "sim_read_page_sse2:\n"
        "    pxor %xmm0, %xmm0\n"
        "    pxor %xmm1, %xmm1\n"
        "    pxor %xmm2, %xmm2\n"
        "    pxor %xmm3, %xmm3\n"
        "    xor %eax, %eax\n"
        "1:  movdqu (%rsi,%rax), %xmm4\n"
        "    por %xmm4, %xmm0\n"
        "    movdqu 16(%rsi,%rax), %xmm5\n"
        "    por %xmm5, %xmm1\n"
        "    movdqu 32(%rsi,%rax), %xmm4\n"
        "    por %xmm4, %xmm2\n"
        "    movdqu 48(%rsi,%rax), %xmm5\n"
        "    por %xmm5, %xmm3\n"
        "    add $64, %eax\n"
        "    cmp $4096, %eax\n"
        "    jb 1b\n"
        "    por %xmm1, %xmm0\n"
        "    por %xmm3, %xmm2\n"
        "    por %xmm2, %xmm0\n"
        "    pxor %xmm1, %xmm1\n"
        "    pcmpeqb %xmm1, %xmm0\n"
        "    pmovmskb %xmm0, %eax\n"
        "    cmp $0xffff, %eax\n"
        "    mov $0, %eax\n"
        "    je 2f\n"
        "    mov $4096, %ecx\n"
        "    rep movsb\n"
        "    mov $1, %eax\n"
        "2:  ret\n"
        "sim_read_page_sse2_fault:\n"
        "    mov $-14, %rax\n"
        "    ret\n"
        ".size sim_read_page_sse2, .-sim_read_page_sse2\n"
        ".globl sim_read_page_avx2\n"
        ".hidden sim_read_page_avx2\n"
        ".type sim_read_page_avx2, @function\n"
        "sim_read_page_avx2:\n"
        "    vpxor %ymm0, %ymm0, %ymm0\n"
        "    vpxor %ymm1, %ymm1, %ymm1\n"
        "    vpxor %ymm2, %ymm2, %ymm2\n"
        "    vpxor %ymm3, %ymm3, %ymm3\n"
        "    xor %eax, %eax\n"
        "1:  vpor (%rsi,%rax), %ymm0, %ymm0\n"
        "    vpor 32(%rsi,%rax), %ymm1, %ymm1\n"
        "    vpor 64(%rsi,%rax), %ymm2, %ymm2\n"
        "    vpor 96(%rsi,%rax), %ymm3, %ymm3\n"
        "    sub $-128, %eax\n"
        "    cmp $4096, %eax\n"
        "    jb 1b\n"
        "    vpor %ymm1, %ymm0, %ymm0\n"
        "    vpor %ymm3, %ymm2, %ymm2\n"
        "    vpor %ymm2, %ymm0, %ymm0\n"
        "    vptest %ymm0, %ymm0\n"
        "    vzeroupper\n"
        "    mov $0, %eax\n"
        "    jz 2f\n"
        "    mov $4096, %ecx\n"
        "    rep movsb\n"
        "    mov $1, %eax\n"
        "2:  ret\n"
        "sim_read_page_avx2_fault:\n"
        "    vzeroupper\n"
        "    mov $-14, %rax\n"
        "    ret\n"
        ".size sim_read_page_avx2, .-sim_read_page_avx2\n"
        "sim_read_page_end:\n");

extern const char sim_read_page_sse2[], sim_read_page_sse2_fault[], sim_read_page_avx2[],
    sim_read_page_avx2_fault[], sim_read_page_end[];
long sim_read_page_sse2_fn(void *dst, const void *src) __asm__("sim_read_page_sse2");
long sim_read_page_avx2_fn(void *dst, const void *src) __asm__("sim_read_page_avx2");

/* AVX2 usable: the CPU has it (CPUID.7.0:EBX[5]) and the OS saves the
 * YMM state (CPUID.1:ECX OSXSAVE, XCR0 SSE|AVX). Asked here rather than
 * with __builtin_cpu_supports, whose libgcc constructor runs a dozen
 * CPUIDs at every start of geode (each a VM exit on a guest). */
static int have_avx2(void)
{
    struct cpuid_regs l0, l7;

    if ((host_xcr0() & 6) != 6) /* SSE and AVX state saved by the OS */
        return 0;
    cpuid_exec(0, 0, &l0);
    if (l0.eax < 7)
        return 0;
    cpuid_exec(7, 0, &l7);
    return (l7.ebx & bit_AVX2) != 0;
}

long sim_read_page(void *dst, const void *src)
{
    static int avx2 = -1;

    if (avx2 < 0)
        avx2 = have_avx2();
    return avx2 ? sim_read_page_avx2_fn(dst, src) : sim_read_page_sse2_fn(dst, src);
}

bool sim_read_page_fixup(ucontext_t *uc)
{
    uintptr_t rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];

    if (rip < (uintptr_t)sim_read_page_sse2 || rip >= (uintptr_t)sim_read_page_end)
        return false;
    uc->uc_mcontext.gregs[REG_RIP] =
        (greg_t)(rip < (uintptr_t)sim_read_page_avx2 ? (uintptr_t)sim_read_page_sse2_fault
                                                      : (uintptr_t)sim_read_page_avx2_fault);
    return true;
}

static void sim_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    struct sim_thread *t = sim_thread_from_uc(uc);

    if (sig == SIM_SWITCH_SIG && sim_bases.emulate_loss) {
        if (t && t->in_enclave)
            sim_thread_context_switch(t);
        return;
    }
    if (t && t->in_enclave) {
        sim_thread_to_host(t);
        if (sim_direct_in_window(uc)) {
            sim_direct_complete(t, uc);
        } else if (sim_xexit_in_window(uc) && sim_xexit_rewind(t, sig, si, uc)) {
            siginfo_t ill = {.si_signo = SIGILL, .si_code = ILL_ILLOPN};

            sim_exec_enclave_signal(t, SIGILL, &ill, uc); /* the EEXIT, the usual way */
            return;
        }
        sim_exec_enclave_signal(t, sig, si, uc);
        return;
    }
    if (sim_enclu_fault(sig, si) && t && sim_exec_host_enclu(t, uc))
        return;
    if ((sig == SIGSEGV || sig == SIGBUS) && sim_read_page_fixup(uc))
        return;
    sim_signal_chain(sig, si, uc);
}
