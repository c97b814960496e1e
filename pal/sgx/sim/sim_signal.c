/* Signal ownership (rt_sigaction with the sim's trampoline), the handler's
 * first dispatch, and chaining to the host's handlers. */
#include "sim_signal.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

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
#define NSTD 32 /* standard signals 1..31 */

extern const char sim_restorer[];

/* The host's action per standard signal, when the sim took the signal over. */
static struct ksigaction host_action[NSTD];
static volatile bool owned[NSTD];

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
    for (int sig = 1; sig < NSTD && !ret; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            ret = take_over(sig);
    ret = ret ? ret : take_switch_signal();
    if (!ret) /* a bump since gen was read leaves them unequal: synced again */
        __atomic_store_n(&synced_gen, gen, __ATOMIC_SEQ_CST);
    return ret;
}

uint64_t sim_signals_enclave_block(void)
{
    uint64_t rt = ~0ULL << (NSTD - 1); /* bits of signals 32..64 */

    return sim_bases.emulate_loss ? rt & ~(1ULL << (SIM_SWITCH_SIG - 1)) : rt;
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

    if (sig <= 0 || sig >= NSTD || a->handler == SIG_DFL || (a->handler == SIG_IGN && is_fault_signal(sig))) {
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

static void sim_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    struct sim_thread *t = sim_thread_from_uc(uc);

    if (sig == SIM_SWITCH_SIG) {
        if (t && t->in_enclave)
            sim_thread_context_switch(t);
        return;
    }
    if (t && t->in_enclave) {
        sim_thread_to_host(t);
        if (sim_direct_in_window(uc))
            sim_direct_complete(t, uc);
        sim_exec_enclave_signal(t, sig, si, uc);
        return;
    }
    if (sig == SIGILL && t && sim_exec_host_enclu(t, uc))
        return;
    sim_signal_chain(sig, si, uc);
}
