/* uRTS: host signals for the libOS in the enclave (sim and sgx).
 *
 * A handler ORs the signal into one word of untrusted memory (bit signo - 1;
 * bit 32 + signo - 1 instead when another process of the program's tree
 * sent it, which process 1 may ignore: urts_signal.h); the trusted PAL
 * exchanges it with 0 after each OCALL and when an AEX-Notify notification
 * enters it (enclave/pal_signal.c). Handlers are installed without
 * SA_RESTART, so a host call blocked in an OCALL returns EINTR and the
 * enclave sees the signal as soon as that OCALL returns.
 *
 * A signal taken while enclave code runs is an AEX: the handler runs on the
 * host side with the context at the AEP (RAX = ERESUME, RBX = TCS; in the sim
 * after the AEX, docs/sim.md). With AEX-Notify that ERESUME already enters the
 * enclave's handler, which finds the word. On the classic path a plain
 * ERESUME would go back to the interrupted code, so the handler turns it into
 * EENTER (stage 1, then stage 2 of a notification), as urts_trap.c does for
 * int3. The same registers are also seen just before the vDSO's ERESUME after
 * a stage-1 exit: the enclave's stage 1 recognizes that case and asks for the
 * ERESUME again.
 *
 * The kernel gives a process-directed signal to any thread that does not
 * block it: a helper thread (the EPC-loss watcher, an exitless worker), or
 * another enclave thread while the one that should see it blocks every
 * signal for a moment (the sim's handlers do). So a handler that did not
 * interrupt enclave code kicks, with URTS_KICK_SIGNAL thread-directed,
 * every other thread running enclave code (an AEX, which reaches the word
 * as above), or when none does, one thread in an OCALL (thread 0 first),
 * whose blocking host call returns EINTR, as on Linux only the thread that
 * takes a signal is interrupted.
 *
 * SIGINT and SIGTERM must always be able to end the run: when the enclave
 * is known dead (urts_signal_dead), or when one of them arrives while an
 * earlier one is still in the word (the enclave did not take it: no thread
 * comes back to look, e.g. one runs inside without exits while the others
 * wait in the host), the handler ends geode at once by that signal
 * (status 128 + signo), as a shell would see the program killed. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "diag.h"
#include "ocall_abi.h"
#include "urts_internal.h"
#include "urts_procs.h"
#include "urts_signal.h"
#include "pidns.h"
#include "host_cp.h"

/* The job-control signals too: the program's handlers and default actions
 * apply to them (a stop is the libOS's OCALL_STOP_SELF), and a SIGCONT,
 * which the kernel has already acted on, still reaches its handler. */
static const int forwarded[] = {SIGHUP,  SIGINT,   SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM,
                                SIGCHLD, SIGWINCH, SIGIO,   SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU};

int urts_signal_forwarded(int sig)
{
    if (sig >= URTS_SIGNAL_RT_FIRST && sig <= URTS_SIGNAL_RT_LAST)
        return 1;
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
        if (forwarded[i] == sig)
            return 1;
    return 0;
}

/* Forces another host thread out of enclave code or a blocking OCALL;
 * ignored by default, so a stray one harms nothing. The enclave's
 * thread_wake (OCALL_THREAD_WAKE) sends it too. */
#define URTS_KICK_SIGNAL DIRECT_WAKE_SIGNAL

/* This host thread's wake flag (host_cp.h): set by every handler here, so
 * that the blocking host call of an OCALL this thread serves, or the next
 * one it makes, ends with EINTR; the enclave then takes what was posted,
 * and its libOS looks at its pending signals before it blocks again. */
static __thread volatile long wake_flag;

static volatile long *urts_wake_flag(void) { return &wake_flag; }

void urts_wake_flag_install(void) { direct_wake_flag_use(urts_wake_flag); }

static void woken(ucontext_t *uc)
{
    direct_wake_mark(&wake_flag, (uint64_t *)&uc->uc_mcontext.gregs[REG_RIP]);
}

#define ENDING_SIGNALS ((1ULL << (SIGINT - 1)) | (1ULL << (SIGTERM - 1)))

/* [0]: signals 1..32, [1]: the realtime ones (urts_signal.h). */
static volatile uint64_t pending[2] __attribute__((aligned(64)));
/* sys.enable_sigterm_injection is false: SIGTERM is not the program's
 * (the libOS would drop it anyway); the first is reported, a second ends
 * the run. */
static bool sigterm_kept_out;
static int sigterms; /* __atomic */
static struct urts_enclave *volatile target;
static int dead; /* __atomic */

/* The interrupted context is an AEX of one of e's threads, at the AEP. */
static bool at_aep(const struct urts_enclave *e, const greg_t *g)
{
    if (g[REG_RAX] != SGX_ERESUME)
        return false;
    for (uint32_t i = 0; i < e->threads; i++)
        if ((uint64_t)g[REG_RBX] == e->thread[i].tcs)
            return true;
    return false;
}

/* Dies of sig (SIGINT or SIGTERM); only async-signal-safe calls. */
__attribute__((noreturn)) static void end_now(int sig, bool quiet)
{
    static const char intr[] = "geode run: SIGINT, and the enclave has not taken the last SIGINT "
                               "or SIGTERM: ending the run\n",
                      term[] = "geode run: SIGTERM, and the enclave has not taken the last SIGINT "
                               "or SIGTERM: ending the run\n";
    const char *msg = sig == SIGINT ? intr : term;
    sigset_t set;

    if (!quiet && write(geode_diag_fd, msg, strlen(msg)) < 0)
        quiet = true; /* stderr is gone: nothing more to say */
    urts_procs_exit(); /* process 1 ends: the rest of the tree with it (raw syscalls) */
    signal(sig, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig);
}

/* Only async-signal-safe calls (pthread_kill is). */
static void kick_others(struct urts_enclave *e)
{
    pthread_t self = pthread_self();
    int in_ocall = -1;
    bool kicked = false;

    for (uint32_t i = 0; i < e->threads; i++)
        if (__atomic_load_n(&e->thread[i].busy, __ATOMIC_SEQ_CST) &&
            pthread_equal(e->thread[i].runner, self))
            return; /* this thread is in an OCALL itself: its EINTR is the kick */
    for (uint32_t i = 0; i < e->threads; i++) {
        struct urts_thread *th = &e->thread[i];
        int busy = __atomic_load_n(&th->busy, __ATOMIC_SEQ_CST);

        if (busy == URTS_BUSY_ENCLAVE) {
            pthread_kill(th->runner, URTS_KICK_SIGNAL);
            kicked = true;
        } else if (busy == URTS_BUSY_OCALL && in_ocall < 0) {
            in_ocall = (int)i;
        }
    }
    if (!kicked && in_ocall >= 0)
        pthread_kill(e->thread[in_ocall].runner, URTS_KICK_SIGNAL);
}

/* A kick: at the AEP, what on_signal does there; elsewhere nothing (the
 * interrupted host call returns EINTR). */
static void on_signal(int sig, siginfo_t *si, void *ucv);

static void on_kick(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    struct urts_enclave *e = target;
    siginfo_t as;
    int carried = direct_uncarry(si, &as);

    (void)sig;
    if (carried) { /* another process of the tree sent this signal (host_cp.h) */
        on_signal(carried, &as, ucv);
        return;
    }
    woken(uc);
    if (e && !e->desc.aex_notify && at_aep(e, uc->uc_mcontext.gregs)) {
        uc->uc_mcontext.gregs[REG_RAX] = SGX_EENTER;
        urts_count(&e->cnt.eenter);
    }
}

/* SIGTERM while sys.enable_sigterm_injection is false (only async-signal-
 * safe calls): the program never sees it, and a second one ends geode. */
static void sigterm_outside(void)
{
    static const char first[] = "geode run: SIGTERM not passed to the program "
                                "(sys.enable_sigterm_injection is false); a second SIGTERM ends the run\n",
                      again[] = "geode run: SIGTERM again: ending the run\n";

    if (__atomic_fetch_add(&sigterms, 1, __ATOMIC_SEQ_CST) == 0) {
        if (write(geode_diag_fd, first, sizeof(first) - 1) < 0)
            return;
        return;
    }
    if (write(geode_diag_fd, again, sizeof(again) - 1) < 0) {
        /* stderr is gone: end all the same */
    }
    end_now(SIGTERM, true);
}

void urts_signal_keep_sigterm_out(bool out) { sigterm_kept_out = out; }

/* Sent by kill, tkill or sigqueue from another geode process of the
 * program's tree (pal/direct/pidns.h; the kernel's own signals, SIGCHLD
 * included, have a positive si_code), or by kill(2) from this process:
 * the program's own copy of its kill(0, sig) or kill(-pgid, sig), which
 * the enclave's OCALL sent to a group this process is in (this host code
 * never kill()s itself: its own re-raises are tgkill after SIG_DFL).
 * Async-signal-safe. */
static bool from_inside(const siginfo_t *si)
{
    if (si->si_pid == getpid())
        return si->si_code == SI_USER;
    return (si->si_code == SI_USER || si->si_code == SI_TKILL || si->si_code == SI_QUEUE) &&
           pidns_host_inside(si->si_pid);
}

/* Who sent the signals that came from inside the tree, per number, oldest
 * first, for the enclave's signal_sender (OCALL_PROCS_SIGNAL_SENDER).
 * Handlers, on any thread, push: a slot claimed by compare-and-swap on
 * tail, filled, then marked ready; the word's bit is set only after, so
 * the enclave finds the sender once it sees the bit. The OCALL pops, one
 * thread at a time (senders_lock). A standard signal keeps only its first
 * sender until it is taken (Linux does not queue them); a realtime one
 * queues up to SENDER_QUEUE, and past that is counted in `lost` (the
 * enclave delivers those without a sender). */
#define SENDER_QUEUE 32
static struct sender_queue {
    uint64_t head, tail; /* __atomic */
    uint32_t lost;       /* __atomic */
    struct {
        uint64_t ready; /* slot index + 1 once filled */
        struct ocall_signal_sender s;
    } slot[SENDER_QUEUE];
} senders[65];
static pthread_mutex_t senders_lock = PTHREAD_MUTEX_INITIALIZER;

/* Async-signal-safe. */
static void push_sender(int sig, const siginfo_t *si)
{
    struct sender_queue *q = &senders[sig];
    uint64_t cap = sig >= URTS_SIGNAL_RT_FIRST ? SENDER_QUEUE : 1, t, h;

    do {
        t = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
        h = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
        if (t - h >= cap) {
            if (cap > 1)
                __atomic_fetch_add(&q->lost, 1, __ATOMIC_SEQ_CST);
            return;
        }
    } while (!__atomic_compare_exchange_n(&q->tail, &t, t + 1, false, __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE));
    struct ocall_signal_sender *s = &q->slot[t % SENDER_QUEUE].s;
    uint64_t value = 0;

    memcpy(&value, &si->si_value, sizeof(si->si_value));
    *s = (struct ocall_signal_sender){.code = si->si_code,
                                      .pid = pidns_peek_host(si->si_pid),
                                      .uid = si->si_uid,
                                      .value = value};
    __atomic_store_n(&q->slot[t % SENDER_QUEUE].ready, t + 1, __ATOMIC_RELEASE);
}

int urts_signal_sender(int sig, struct ocall_signal_sender *out)
{
    struct sender_queue *q;
    uint64_t h;
    int got = 0;

    if (sig < 1 || sig > 64)
        return -EINVAL;
    q = &senders[sig];
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&senders_lock);
    h = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
    /* A slot still being filled (its handler was interrupted) is taken
     * later: its bit comes after it. */
    if (h != __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE) &&
        __atomic_load_n(&q->slot[h % SENDER_QUEUE].ready, __ATOMIC_ACQUIRE) == h + 1) {
        *out = q->slot[h % SENDER_QUEUE].s;
        __atomic_store_n(&q->head, h + 1, __ATOMIC_RELEASE);
        out->more = (uint32_t)(__atomic_load_n(&q->tail, __ATOMIC_ACQUIRE) - (h + 1));
        got = 1;
    } else {
        out->lost = __atomic_exchange_n(&q->lost, 0, __ATOMIC_SEQ_CST);
    }
    pthread_mutex_unlock(&senders_lock);
    return got;
}

/* A signal is posted: the enclave takes it soon. Interrupted at the AEP
 * (an AEX on this thread) without AEX-Notify, the thread re-enters by
 * EENTER for the classic stage 1; elsewhere the enclave's other threads
 * are kicked out of enclave code or a blocking OCALL. */
static void take_soon(struct urts_enclave *e, ucontext_t *uc)
{
    if (e && at_aep(e, uc->uc_mcontext.gregs)) {
        if (!e->desc.aex_notify) {
            uc->uc_mcontext.gregs[REG_RAX] = SGX_EENTER;
            urts_count(&e->cnt.eenter);
        }
    } else if (e) {
        kick_others(e);
    }
}

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    struct urts_enclave *e = target;
    uint64_t bit = 1ULL << (sig - 1), was;
    bool inside = from_inside(si);

    woken(uc);
    if (inside)
        push_sender(sig, si);
    if (sig >= URTS_SIGNAL_RT_FIRST) {
        /* Realtime: the second word, never ending the run from here. */
        uint64_t rt = 1ULL << (sig - URTS_SIGNAL_RT_FIRST);
        __atomic_fetch_or(&pending[1], inside ? rt << URTS_SIGNAL_INSIDE_SHIFT : rt,
                          __ATOMIC_SEQ_CST);
        take_soon(e, uc);
        return;
    }

    /* A SIGTERM from the host is kept out; one the program's own processes
     * send each other (kill(2) inside the tree) is theirs. */
    if (sig == SIGTERM && sigterm_kept_out && !inside) {
        sigterm_outside();
        if (e && !e->desc.aex_notify && at_aep(e, uc->uc_mcontext.gregs)) {
            uc->uc_mcontext.gregs[REG_RAX] = SGX_EENTER; /* this AEX still needs its stage 1 */
            urts_count(&e->cnt.eenter);
        }
        return;
    }
    if (inside) {
        /* Another process of the program's tree sent it: the upper half
         * of the word, so that process 1 can ignore it as a namespace's
         * init does. It never ends the run from here. */
        __atomic_fetch_or(&pending[0], bit << URTS_SIGNAL_INSIDE_SHIFT, __ATOMIC_SEQ_CST);
        was = 0, bit = 0;
    } else if (sig == SIGCHLD && (si->si_code == CLD_STOPPED || si->si_code == CLD_CONTINUED)) {
        __atomic_fetch_or(&pending[0], URTS_SIGNAL_CHILD_STATE, __ATOMIC_SEQ_CST);
        was = 0, bit = 0;
    } else {
        was = __atomic_fetch_or(&pending[0], bit, __ATOMIC_SEQ_CST);
    }
    if (bit & ENDING_SIGNALS) {
        /* Known dead: the line naming why is out already. */
        if (__atomic_load_n(&dead, __ATOMIC_SEQ_CST))
            end_now(sig, true);
        if (was & ENDING_SIGNALS)
            end_now(sig, false);
    }
    take_soon(e, uc);
}

/* Every signal urts_signal_setup forwards. */
static void forwarded_set(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
        sigaddset(set, forwarded[i]);
    for (int s = URTS_SIGNAL_RT_FIRST; s <= URTS_SIGNAL_RT_LAST; s++)
        sigaddset(set, s);
}

int urts_helper_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
    sigset_t block, old;
    int r;

    forwarded_set(&block);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    r = pthread_create(t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return r;
}

void urts_handlers_changed(struct urts_enclave *e)
{
    if (e->drv && e->drv->handlers_changed)
        e->drv->handlers_changed();
}

uint64_t urts_signal_setup(struct urts_enclave *e)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK; /* no SA_RESTART: blocked OCALLs return EINTR */
    forwarded_set(&sa.sa_mask);
    target = e;
    urts_wake_flag_install();
    /* A host write to a pipe or socket without a reader is an EPIPE for the
     * OCALL to return, never the runtime's death: SIGPIPE is the libOS's to
     * raise inside, as the program's disposition says. */
    signal(SIGPIPE, SIG_IGN);
    struct sigaction kick = sa;

    kick.sa_sigaction = on_kick;
    if (sigaction(URTS_KICK_SIGNAL, &kick, NULL)) {
        perror("geode run: installing the host signal handlers");
        return 0;
    }
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
        if (sigaction(forwarded[i], &sa, NULL)) {
            perror("geode run: installing the host signal handlers");
            while (i--)
                signal(forwarded[i], SIG_DFL);
            urts_handlers_changed(e);
            return 0;
        }
    }
    /* Realtime signals another process of the tree may send (the second
     * word); without a handler they would end this process. */
    for (int s = URTS_SIGNAL_RT_FIRST; s <= URTS_SIGNAL_RT_LAST; s++) {
        if (sigaction(s, &sa, NULL)) {
            perror("geode run: installing the host signal handlers");
            urts_handlers_changed(e);
            return 0;
        }
    }
    urts_handlers_changed(e);
    return (uint64_t)(uintptr_t)&pending[0];
}

void urts_signal_clear(void)
{
    struct ocall_signal_sender s;

    __atomic_store_n(&pending[0], 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&pending[1], 0, __ATOMIC_SEQ_CST);
    for (int sig = 1; sig <= 64; sig++)
        while (urts_signal_sender(sig, &s) == 1)
            ;
}

void urts_signal_dead(bool is_dead)
{
    __atomic_store_n(&dead, is_dead, __ATOMIC_SEQ_CST);
}
