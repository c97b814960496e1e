/* Signal syscalls: dispositions, masks, the alternate stack, sending a
 * signal to ourselves, sigreturn. Delivery itself is in core/signal.c. */
#include "core/signal.h"
#include "core/creds.h"
#include "sys/sys.h"
#include "sys/vfork.h"

#define SS_ONSTACK_ 1
#define SS_DISABLE_ 2
#define MINSIGSTKSZ_ 2048
#define SS_AUTODISARM_ ((int32_t)(1U << 31))

struct k_stack {
    uint64_t sp;
    int32_t flags, pad;
    uint64_t size;
};

SYS(rt_sigaction)
{
    int sig = (int)A(0);
    if (sig < 1 || sig > NSIG_ || A(3) != 8)
        return -PAL_EINVAL;
    if (PTR(1) && (sig == 9 || sig == 19))
        return -PAL_EINVAL; /* SIGKILL, SIGSTOP */
    /* A vfork child's own dispositions (sys/vfork.c): the host's follow
     * them once the child is a process of its own. */
    bool child = vfork_child_active();
    struct k_sigaction *acts = child ? vfork_child_actions : sig_actions;
    spin_lock(&sig_lock);
    if (PTR(2))
        memcpy(PTR(2), &acts[sig], sizeof(struct k_sigaction));
    if (PTR(1))
        memcpy(&acts[sig], PTR(1), sizeof(struct k_sigaction));
    spin_unlock(&sig_lock);
    if (PTR(1) && !child)
        signal_host_ignore_sync(sig, false);
    return 0;
}

SYS(rt_sigprocmask)
{
    struct libos_thread *t = cur_thread();
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
        t->sigmask &= ~(SIGBIT(9) | SIGBIT(19));
    }
    if (PTR(2))
        *(uint64_t *)PTR(2) = old;
    return 0;
}

/* As Linux's do_sigaltstack: the new stack is read before the old one is
 * written (they may be one struct); the stack in use cannot change (EPERM)
 * and is reported SS_ONSTACK; SS_ONSTACK as a new mode means 0. */
SYS(sigaltstack)
{
    struct libos_thread *t = cur_thread();
    struct k_stack n, old = {t->altstack_sp, SS_DISABLE_, 0, t->altstack_size};
    uint64_t sp = args->ctx ? args->ctx->rsp : 0;
    /* A stack with SS_AUTODISARM is never "in use": it is disarmed while
     * a handler runs on it (Linux's on_sig_stack). */
    bool on = !(t->altstack_flags & SS_AUTODISARM_) && sp > t->altstack_sp &&
              sp <= t->altstack_sp + t->altstack_size;
    if (t->altstack_size)
        old.flags = on ? SS_ONSTACK_ : 0;
    old.flags |= t->altstack_flags & SS_AUTODISARM_;
    if (PTR(0)) {
        memcpy(&n, PTR(0), sizeof(n));
        if (on)
            return -PAL_EPERM;
        int mode = n.flags & ~SS_AUTODISARM_;
        if (mode != 0 && mode != SS_ONSTACK_ && mode != SS_DISABLE_)
            return -PAL_EINVAL;
        if (mode != SS_DISABLE_ && n.size < MINSIGSTKSZ_)
            return -PAL_ENOMEM;
        t->altstack_sp = mode == SS_DISABLE_ ? 0 : n.sp;
        t->altstack_size = mode == SS_DISABLE_ ? 0 : n.size;
        t->altstack_flags = n.flags & SS_AUTODISARM_;
    }
    if (PTR(1))
        memcpy(PTR(1), &old, sizeof(old));
    return 0;
}

/* A signal to ourselves: pending until the syscall returns, where
 * core/signal.c delivers it or applies the default action. */
static long self_signal(int sig)
{
    if (signal_discarded(sig, 0))
        return 0;
    /* SI_USER with the sender: this process and its real uid. */
    struct creds_ids ids;
    creds_ids(&ids);
    struct signal_info info = {.code = 0, .f0 = (uint32_t)libos_pid | (uint64_t)ids.uid << 32};
    return signal_raise_info(sig, &info) ? 0 : -PAL_EAGAIN;
}

long signal_epipe(long r)
{
    if (r == -PAL_EPIPE)
        self_signal(13 /* SIGPIPE */);
    return r;
}

static bool valid_signal(int sig) { return sig >= 0 && sig <= NSIG_; }

#define SI_TKILL_ (-6)

/* Without a pid namespace the process knows no thread ids but its own. */
static bool own_thread(int tid) { return ns_enabled() ? ns_own_id(tid) : true; }

/* Other processes are the PAL's: ids of the program's pid namespace, so a
 * pid outside the program's tree does not exist (ESRCH). */
long signal_send(int pid, int sig)
{
    if (ns_own_id(pid))
        return self_signal(sig);
    if (!pal->process_signal)
        return -PAL_ESRCH;
    return pal->process_signal(pid, sig);
}

/* Groups and "every process" (pid <= 0) go through sys/pgrp.c. */
SYS(kill)
{
    int pid = (int)A(0), sig = (int)A(1);
    if (!valid_signal(sig))
        return -PAL_EINVAL;
    return pid > 0 ? signal_send(pid, sig) : pgrp_kill(pid, sig);
}

/* A signal to thread tid of process tgid (tgid 0: whichever process tid
 * belongs to). Pending signals are the process's, so a thread's signal is
 * its process's. */
static long thread_signal(int tgid, int tid, int sig)
{
    if (tid <= 0 || tgid < 0 || !valid_signal(sig))
        return -PAL_EINVAL;
    if (own_thread(tid)) {
        if (tgid != 0 && tgid != libos_pid)
            return -PAL_ESRCH;
        if (signal_discarded(sig, tid))
            return 0;
        /* To that thread alone, with what tgkill's siginfo says (glibc's
         * pthread_cancel checks SI_TKILL and the sender's pid). */
        struct creds_ids ids;
        creds_ids(&ids);
        struct signal_info info = {.code = SI_TKILL_,
                                   .f0 = (uint32_t)libos_pid | (uint64_t)ids.uid << 32};
        if (!signal_raise_thread(tid, sig, &info))
            signal_raise_info(sig, &info);
        return 0;
    }
    if (!ns_enabled())
        return -PAL_ESRCH;
    long owner = pal->id_owner(tid);
    if (owner < 0 || (tgid != 0 && owner != tgid))
        return -PAL_ESRCH;
    return pal->process_signal(owner, sig);
}

SYS(tgkill) { return (int)A(0) <= 0 ? -PAL_EINVAL : thread_signal((int)A(0), (int)A(1), (int)A(2)); }
SYS(tkill) { return thread_signal(0, (int)A(0), (int)A(1)); }

/* sigqueue: a siginfo whose si_code claims the kernel or kill (>= 0) or
 * tkill may be sent only to oneself (EPERM otherwise). The payload
 * travels within the process (core/signal.c's queue: realtime signals
 * queue, a standard one already pending is dropped), and to another
 * process where the PAL carries it (pal.h process_sigqueue: direct mode);
 * else the signal arrives with SI_USER. */
static long check_queueinfo(const int32_t *info, bool to_self)
{
    int code = info[2];
    return (code >= 0 || code == SI_TKILL_) && !to_self ? -PAL_EPERM : 0;
}

/* What a queued siginfo carries to this process: si_code, and the union's
 * first 16 bytes (si_pid, si_uid, si_value), as signal_info's f0 and f1. */
static struct signal_info queued_info(const int32_t *info)
{
    struct signal_info si = {.code = info[2]};
    memcpy(&si.f0, info + 4, 8);
    memcpy(&si.f1, info + 6, 8);
    return si;
}


SYS(rt_sigqueueinfo)
{
    int pid = (int)A(0), sig = (int)A(1);
    if (!valid_signal(sig))
        return -PAL_EINVAL;
    long r = check_queueinfo(PTR(2), pid == cur_thread()->tid);
    if (r < 0)
        return r;
    if (pid > 0 && ns_own_id(pid)) { /* this process: the siginfo travels */
        struct signal_info si = queued_info(PTR(2));
        if (!signal_discarded(sig, 0) && !signal_raise_info(sig, &si))
            return -PAL_EAGAIN;
        return 0;
    }
    /* Another process: si_code and si_value travel where the PAL carries
     * them (the sender's ids are the kernel's to fill). */
    if (pid > 0 && sig != 0 && PAL_HAS(pal, process_sigqueue)) {
        struct signal_info si = queued_info(PTR(2));
        return pal->process_sigqueue(pid, sig, si.code, si.f1);
    }
    return pid > 0 ? signal_send(pid, sig) : -PAL_ESRCH;
}

SYS(rt_tgsigqueueinfo)
{
    int tgid = (int)A(0), tid = (int)A(1), sig = (int)A(2);
    if (tgid <= 0 || tid <= 0 || !valid_signal(sig))
        return -PAL_EINVAL;
    long r = check_queueinfo(PTR(3), tid == cur_thread()->tid);
    if (r < 0)
        return r;
    if (tgid == libos_pid && own_thread(tid)) {
        struct signal_info si = queued_info(PTR(3));
        if (!signal_discarded(sig, tid) && !signal_raise_thread(tid, sig, &si))
            return -PAL_ESRCH;
        return 0;
    }
    return thread_signal(tgid, tid, sig);
}

SYS(rt_sigreturn) { return signal_return(args->ctx); }

SYS(rt_sigpending)
{
    if (A(1) > 8) /* a smaller set gets its first bytes (Linux) */
        return -PAL_EINVAL;
    /* Unblocked pending signals are delivered on the way out of every
     * call: what stays pending is what the thread blocks. */
    uint64_t set = signal_pending_set() & cur_thread()->sigmask;
    memcpy(PTR(0), &set, A(1));
    return 0;
}

struct k_timespec {
    int64_t sec, nsec;
};

static int64_t now_ns(void)
{
    int64_t ns = 0;
    pal->clock_get(1 /* CLOCK_MONOTONIC */, &ns);
    return ns;
}

/* Waits for a signal of the set (normally blocked, so it stays pending
 * instead of running a handler). The thread's sigwait names the set: a
 * signal of it raised by another thread wakes this one (core/signal.c),
 * as a host signal does, out of its sleep. An unblocked signal outside
 * the set ends the wait with EINTR and is delivered on the way out. */
#define SIGWAIT_SLICE_NS 1000000000LL /* a backstop: wakes end the sleep */

SYS(rt_sigtimedwait)
{
    if (A(3) != 8)
        return -PAL_EINVAL;
    uint64_t set = *(const uint64_t *)PTR(0) & ~(SIGBIT(9) | SIGBIT(19));
    int64_t timeout = -1, start = now_ns();
    if (PTR(2)) {
        const struct k_timespec *ts = PTR(2);
        if (ts->sec < 0 || ts->nsec < 0 || ts->nsec > 999999999)
            return -PAL_EINVAL;
        timeout = ts->sec * 1000000000LL + ts->nsec;
    }
    struct libos_thread *self = cur_thread();
    __atomic_store_n(&self->sigwait, set, __ATOMIC_SEQ_CST);
    for (;;) {
        struct signal_info si;
        int sig = signal_take_info(set, &si);
        if (sig) {
            __atomic_store_n(&self->sigwait, 0, __ATOMIC_SEQ_CST);
            if (PTR(1)) {
                /* As a handler would get it: SIGCHLD names its child. */
                int32_t *info = PTR(1), code;
                uint64_t f[2];
                signal_siginfo_fields(sig, &si, &code, f);
                memset(info, 0, 128);
                info[0] = sig;
                info[2] = code; /* 0: SI_USER */
                memcpy(info + 4, &f[0], 8);
                memcpy(info + 6, &f[1], 8);
            }
            return sig;
        }
        int64_t left = timeout < 0 ? SIGWAIT_SLICE_NS : timeout - (now_ns() - start);
        long r = left <= 0 ? -PAL_EAGAIN : signal_pending_for(self->sigmask) ? -PAL_EINTR : 0;
        if (r < 0) {
            __atomic_store_n(&self->sigwait, 0, __ATOMIC_SEQ_CST);
            return r;
        }
        pal->sleep(left < SIGWAIT_SLICE_NS ? left : SIGWAIT_SLICE_NS);
    }
}
