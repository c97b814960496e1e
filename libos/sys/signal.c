/* Signal dispositions, masks and the alternate stack are kept per process
 * and per thread. Delivery of signals to program handlers is not done yet:
 * a fault or a fatal host signal ends the process with the native status. */
#include "sys/sys.h"

#define NSIG_ 64
#define SS_DISABLE_ 2
#define SS_ONSTACK_ 1
#define MINSIGSTKSZ_ 2048

struct k_sigaction {
    uint64_t handler, flags, restorer, mask;
};

struct k_stack {
    uint64_t sp;
    int32_t flags, pad;
    uint64_t size;
};

static struct k_sigaction actions[NSIG_ + 1];
static spinlock_t sig_lock;

bool signal_has_handler(int sig)
{
    return sig > 0 && sig <= NSIG_ && actions[sig].handler > 1; /* not DFL/IGN */
}

bool signal_ignored(int sig)
{
    return sig > 0 && sig <= NSIG_ && actions[sig].handler == 1;
}

SYS(rt_sigaction)
{
    int sig = (int)A(0);
    if (sig < 1 || sig > NSIG_ || A(3) != 8)
        return -PAL_EINVAL;
    if (PTR(1) && (sig == 9 || sig == 19))
        return -PAL_EINVAL; /* SIGKILL, SIGSTOP */
    spin_lock(&sig_lock);
    if (PTR(2))
        memcpy(PTR(2), &actions[sig], sizeof(struct k_sigaction));
    if (PTR(1))
        memcpy(&actions[sig], PTR(1), sizeof(struct k_sigaction));
    spin_unlock(&sig_lock);
    return 0;
}

SYS(rt_sigprocmask)
{
    struct libos_thread *t = cur_thread();
    const uint64_t unblockable = (1ULL << 8) | (1ULL << 18); /* SIGKILL, SIGSTOP */
    if (A(3) != 8)
        return -PAL_EINVAL;
    uint64_t old = t->sigmask;
    if (PTR(1)) {
        uint64_t set = *(uint64_t *)PTR(1);
        switch (A(0)) {
        case 0: t->sigmask |= set; break;   /* SIG_BLOCK */
        case 1: t->sigmask &= ~set; break;  /* SIG_UNBLOCK */
        case 2: t->sigmask = set; break;    /* SIG_SETMASK */
        default: return -PAL_EINVAL;
        }
        t->sigmask &= ~unblockable;
    }
    if (PTR(2))
        *(uint64_t *)PTR(2) = old;
    return 0;
}

SYS(sigaltstack)
{
    struct libos_thread *t = cur_thread();
    if (PTR(1)) {
        struct k_stack *o = PTR(1);
        o->sp = t->altstack_sp;
        o->size = t->altstack_size;
        o->flags = t->altstack_size ? 0 : SS_DISABLE_;
    }
    if (PTR(0)) {
        const struct k_stack *n = PTR(0);
        if (n->flags & ~SS_DISABLE_)
            return -PAL_EINVAL;
        if (!(n->flags & SS_DISABLE_) && n->size < MINSIGSTKSZ_)
            return -PAL_ENOMEM;
        t->altstack_sp = n->flags & SS_DISABLE_ ? 0 : n->sp;
        t->altstack_size = n->flags & SS_DISABLE_ ? 0 : n->size;
    }
    return 0;
}

/* A signal sent to ourselves: without delivery support, a signal with a
 * handler is refused, an ignored one is dropped, any other is fatal. */
static long self_signal(int sig)
{
    if (sig == 0)
        return 0;
    if (sig < 0 || sig > NSIG_)
        return -PAL_EINVAL;
    /* SIGCHLD, SIGCONT, SIGURG, SIGWINCH are ignored by default. */
    bool default_ignored = sig == 17 || sig == 18 || sig == 23 || sig == 28;
    if (signal_ignored(sig) || (default_ignored && !signal_has_handler(sig)))
        return 0;
    if (signal_has_handler(sig)) {
        log_warn("signal %d to a program handler: delivery not implemented yet", sig);
        return -PAL_ENOSYS;
    }
    pal->process_kill(sig);
}

SYS(kill) { return ((int)A(0) == 1 || A(0) == 0) ? self_signal((int)A(1)) : -PAL_ESRCH; }
SYS(tgkill) { return A(0) == 1 && (int)A(1) == cur_thread()->tid ? self_signal((int)A(2)) : -PAL_ESRCH; }
SYS(tkill) { return (int)A(0) == cur_thread()->tid ? self_signal((int)A(1)) : -PAL_ESRCH; }
