/* uRTS: #BP (int3) inside the enclave. The kernel never fixes up #DB/#BP at
 * the vDSO: the AEX is delivered as SIGTRAP with the context at the AEP
 * (RAX = ERESUME, RBX = TCS), and returning from the handler executes that
 * ENCLU. With AEX-Notify the ERESUME already enters the enclave's handler;
 * on the classic path we turn it into EENTER (stage 1), whose EEXIT then
 * reaches the vDSO's user_handler like any other stage-1 exit. SIGTRAPs that
 * are not ours go to the previous handler or take the default action. */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include "urts_internal.h"

static struct sigaction previous;
static pthread_once_t installed = PTHREAD_ONCE_INIT;
static __thread struct urts_thread *current;

void urts_trap_enter(struct urts_thread *th)
{
    current = th;
}

static void chain(int sig, siginfo_t *si, void *uc)
{
    if (previous.sa_flags & SA_SIGINFO) {
        previous.sa_sigaction(sig, si, uc);
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
        previous.sa_handler(sig);
    } else {
        signal(sig, SIG_DFL); /* re-delivered with the default action on return */
        raise(sig);
    }
}

static void on_sigtrap(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    struct urts_thread *th = current;

    if (!th || g[REG_RAX] != SGX_ERESUME || (uint64_t)g[REG_RBX] != th->tcs) {
        chain(sig, si, ucv);
        return;
    }
    urts_count(&th->encl->cnt.exceptions);
    if (th->encl->desc.aex_notify) {
        urts_count(&th->encl->cnt.eresume);
    } else {
        g[REG_RAX] = SGX_EENTER;
        urts_count(&th->encl->cnt.eenter);
    }
}

static void install(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigtrap;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTRAP, &sa, &previous);
}

void urts_trap_install(void)
{
    pthread_once(&installed, install);
}
