/* Signal delivery. A signal enters a program handler the way the kernel
 * does it: an rt_sigframe (return address = sa_restorer, ucontext, siginfo)
 * is pushed below the red zone or on the sigaltstack, and the context is
 * redirected to the handler with rdi/rsi/rdx = sig, &info, &uc. The
 * restorer's rt_sigreturn comes back to signal_return.
 *
 * The FP/SSE state goes into the frame too (uc_mcontext.fpregs, 64-byte
 * aligned above the frame, as Linux places it): a copy of the PAL's saved
 * area when the context has one, else an FXSAVE of the live registers
 * (the libOS is built with -mgeneral-regs-only, so they are still the
 * program's). rt_sigreturn copies it back, so a handler that clobbers
 * xmm registers cannot corrupt the interrupted code.
 *
 * Signals are delivered at syscall boundaries, on faults and when a host
 * signal interrupts program code, not at arbitrary points in libOS code. */
#include "core/creds.h"
#include "core/process.h"
#include "core/signal.h"

struct k_sigaction sig_actions[NSIG_ + 1];
spinlock_t sig_lock;
static volatile uint64_t sig_pending;

/* Linux's struct ucontext with the kernel's 8-byte sigset. */
struct k_ucontext {
    uint64_t flags, link;
    uint64_t ss_sp;
    int32_t ss_flags, pad;
    uint64_t ss_size;
    uint64_t gregs[23]; /* glibc's REG_R8 .. REG_CR2 order */
    uint64_t fpstate;
    uint64_t reserved1[8];
    uint64_t sigmask;
};

struct k_siginfo {
    int32_t signo, err, code, pad;
    uint64_t f[14]; /* union: si_addr / si_pid... at f[0] */
};

/* Linux's x86-64 struct rt_sigframe (tests/libos/test_libos_signal_frame
 * compares it with the kernel's headers). */
struct sigframe {
    uint64_t pretcode;
    struct k_ucontext uc;
    struct k_siginfo info;
};

enum { R8, R9, R10, R11, R12, R13, R14, R15, RDI, RSI, RBP, RBX, RDX, RAX, RCX, RSP, RIP, EFL,
       CSGSFS, ERR, TRAPNO, OLDMASK, CR2 };

bool signal_has_handler(int sig)
{
    return sig > 0 && sig <= NSIG_ && sig_actions[sig].handler > 1; /* not DFL/IGN */
}

bool signal_ignored(int sig)
{
    return sig > 0 && sig <= NSIG_ && sig_actions[sig].handler == 1;
}

bool signal_default_ignored(int sig)
{
    return sig == 17 || sig == 18 || sig == 23 || sig == 28; /* CHLD CONT URG WINCH */
}

bool signal_inert(int sig)
{
    return signal_ignored(sig) || (signal_default_ignored(sig) && !signal_has_handler(sig));
}

bool signal_discarded(int sig, int tid)
{
    if (sig == 0)
        return true;
    if (!signal_inert(sig))
        return false;
    return !thread_blocks(tid ? tid : libos_pid, sig);
}

/* The host's disposition of SIGTTIN and SIGTTOU as last set (1: ignored;
 * -1: not known, in a forked child whose host may not have inherited it). */
static int host_ignores[2];

void signal_host_ignore_sync(int sig, bool force)
{
    if ((sig != SIGTTIN_ && sig != SIGTTOU_) || !PAL_HAS(pal, signal_host_ignore))
        return;
    int *have = &host_ignores[sig - SIGTTIN_], want = signal_ignored(sig);
    if (force)
        *have = -1;
    if (*have != want && pal->signal_host_ignore(sig, want) == 0)
        *have = want;
}

bool signal_default_stops(int sig)
{
    return sig == SIGSTOP_ || sig == SIGTSTP_ || sig == SIGTTIN_ || sig == SIGTTOU_;
}

uint64_t signal_pending_set(void)
{
    uint64_t own = libos_threads_ready ? __atomic_load_n(&cur_thread()->pending, __ATOMIC_SEQ_CST) : 0;
    return __atomic_load_n(&sig_pending, __ATOMIC_SEQ_CST) | own;
}

bool signal_pending_for(uint64_t mask)
{
    signal_run_deferred();
    return (signal_pending_set() & ~mask) != 0;
}

bool signal_child_autoreap(void)
{
    return sig_actions[17].handler == 1 || (sig_actions[17].flags & SA_NOCLDWAIT_);
}

static volatile int reap_wanted;

void signal_reap_children_later(void) { __atomic_store_n(&reap_wanted, 1, __ATOMIC_SEQ_CST); }

/* Children that ended are reaped: none becomes a zombie. */
static void reap_children(void)
{
    int status;
    __atomic_store_n(&reap_wanted, 0, __ATOMIC_SEQ_CST);
    if (!signal_child_autoreap() || !pal->process_wait)
        return;
    while (proc_wait_unaccounted(-1, &status, 1 /* WNOHANG */) > 0) {
    }
}

static long last_report_pid;
static int last_report_status;
static spinlock_t info_lock;

void signal_child_reported(long pid, int status)
{
    spin_lock(&info_lock);
    last_report_pid = pid, last_report_status = status;
    spin_unlock(&info_lock);
}

int signal_child_code(int status, int *st)
{
    enum {
        CLD_EXITED_ = 1,
        CLD_KILLED_ = 2,
        CLD_DUMPED_ = 3,
        CLD_STOPPED_ = 5,
        CLD_CONTINUED_ = 6
    };
    if (status == 0xffff)
        return *st = 18, CLD_CONTINUED_; /* SIGCONT */
    if ((status & 0x7f) == 0x7f)
        return *st = (status >> 8) & 0xff, CLD_STOPPED_;
    if (status & 0x7f)
        return *st = status & 0x7f, status & 0x80 ? CLD_DUMPED_ : CLD_KILLED_;
    return *st = (status >> 8) & 0xff, CLD_EXITED_;
}

/* SIGCHLD's siginfo names a child whose state changed (one of them, when
 * several ended before it was delivered: the signal does not queue). */
static void child_info(struct k_siginfo *info)
{
    int status = 0;
    /* WNOHANG | WUNTRACED | WCONTINUED | WNOWAIT */
    long pid = pal->process_wait ? pal->process_wait(-1, &status, 1 | 2 | 8 | 0x01000000) : 0;
    if (pid <= 0) {
        /* A wait took the report already (the signal was raised while the
         * waiter was in the host): Linux's siginfo, made when the child's
         * state changed, names that one. */
        spin_lock(&info_lock);
        pid = last_report_pid, status = last_report_status;
        last_report_pid = 0;
        spin_unlock(&info_lock);
    }
    if (pid <= 0)
        return;
    int st, code = signal_child_code(status, &st);
    struct creds_ids ids;
    creds_ids(&ids);
    info->code = code;
    /* si_pid; si_uid: the child's real uid, which is ours unless it
     * changed its own (the wait status does not tell) */
    info->f[0] = (uint64_t)(uint32_t)pid | (uint64_t)ids.uid << 32;
    info->f[1] = (uint64_t)(uint32_t)st;
}

void signal_siginfo_fields(int sig, const struct signal_info *si, int32_t *code, uint64_t f[2])
{
    struct k_siginfo info = {.signo = sig, .code = si->code};
    info.f[0] = si->f0;
    info.f[1] = si->f1;
    if (sig == 17 && !si->code)
        child_info(&info);
    *code = info.code;
    f[0] = info.f[0], f[1] = info.f[1];
}

static void queue_forget(uint64_t which);

void signal_forget_pending(uint64_t which)
{
    __atomic_and_fetch(&sig_pending, ~which, __ATOMIC_SEQ_CST);
    queue_forget(which);
}

void (*volatile signal_raise_hook)(int sig);

/* What pending signals carry (sigqueue, rt_sigqueueinfo, tgkill, timers,
 * kill), guarded by info_lock, in the order sent: at most one entry per
 * pending standard signal (one sent while it is pending is dropped, as
 * Linux's legacy_queue), any number per realtime signal, each delivered
 * once. tid 0: the process's queue, else that thread's. A signal pending
 * without an entry (a host signal) carries nothing. */
#define QUEUE_MAX 1024
static struct queued {
    int sig, tid;
    struct signal_info info;
} queue[QUEUE_MAX];
static int queue_len;

static volatile uint64_t *pending_of(struct libos_thread *t)
{
    return t ? &t->pending : &sig_pending;
}

/* Appends an entry (info_lock held); a full queue first drops the entries
 * of threads that are gone. False when there is no room. */
static bool queue_add(int sig, int tid, const struct signal_info *info)
{
    if (queue_len == QUEUE_MAX) {
        int n = 0;
        for (int i = 0; i < queue_len; i++)
            if (!queue[i].tid || thread_find(queue[i].tid))
                queue[n++] = queue[i];
        queue_len = n;
    }
    if (queue_len == QUEUE_MAX)
        return false;
    queue[queue_len++] = (struct queued){sig, tid, *info};
    return true;
}

/* Queues info for sig to thread t (NULL: the process) and marks it
 * pending; false when a realtime signal finds the queue full (EAGAIN). */
static bool raise_queued(struct libos_thread *t, int sig, const struct signal_info *info)
{
    volatile uint64_t *pend = pending_of(t);
    bool ok = true;
    spin_lock(&info_lock);
    if (sig < 32 && (__atomic_load_n(pend, __ATOMIC_SEQ_CST) & SIGBIT(sig))) {
        spin_unlock(&info_lock);
        return true; /* already pending: this one is dropped */
    }
    if (!queue_add(sig, t ? t->tid : 0, info))
        ok = sig < 32; /* a standard signal is still marked pending */
    if (ok)
        __atomic_or_fetch(pend, SIGBIT(sig), __ATOMIC_SEQ_CST);
    spin_unlock(&info_lock);
    return ok;
}

bool signal_raise_info(int sig, const struct signal_info *info)
{
    if (!raise_queued(NULL, sig, info))
        return false;
    signal_raise(sig);
    return true;
}

bool signal_timer_queued(int sig, int tid, int timer, const struct signal_info *update)
{
    bool found = false;
    spin_lock(&info_lock);
    for (int i = 0; i < queue_len && !found; i++) {
        found = queue[i].sig == sig && queue[i].tid == tid &&
                queue[i].info.code == -2 /* SI_TIMER */ && (int)queue[i].info.f0 == timer;
        if (found && update)
            queue[i].info = *update;
    }
    spin_unlock(&info_lock);
    return found;
}

/* The info of sig just taken from the pending set of thread t (NULL: the
 * process's); code 0 and no fields when it carries none. A realtime
 * signal with more entries queued is pending again. */
static void take_info(struct libos_thread *t, int sig, struct signal_info *out)
{
    int tid = t ? t->tid : 0, first = -1;
    bool more = false;
    *out = (struct signal_info){0};
    spin_lock(&info_lock);
    for (int i = 0; i < queue_len; i++) {
        if (queue[i].sig != sig || queue[i].tid != tid)
            continue;
        if (first < 0) {
            first = i;
        } else {
            more = true;
            break;
        }
    }
    if (first >= 0) {
        *out = queue[first].info;
        memmove(&queue[first], &queue[first + 1],
                (size_t)(queue_len - first - 1) * sizeof(queue[0]));
        queue_len--;
    }
    if (more)
        __atomic_or_fetch(pending_of(t), SIGBIT(sig), __ATOMIC_SEQ_CST);
    spin_unlock(&info_lock);
}

/* The fork child: the parent's queue is not its own. */
static void queue_forget(uint64_t which)
{
    spin_lock(&info_lock);
    int n = 0;
    for (int i = 0; i < queue_len; i++)
        if (!queue[i].tid && !(which & SIGBIT(queue[i].sig)))
            queue[n++] = queue[i];
    queue_len = n;
    spin_unlock(&info_lock);
}

/* Raised signals whose hook has not run yet (signal_run_hooks). */
static volatile uint64_t hook_due;

/* Whether thread t would take sig now: it does not block it, or it waits
 * for it (sigtimedwait). */
static bool takes(const struct libos_thread *t, int sig)
{
    uint64_t bit = SIGBIT(sig);
    return !(__atomic_load_n(&t->sigmask, __ATOMIC_SEQ_CST) & bit) ||
           (__atomic_load_n(&t->sigwait, __ATOMIC_SEQ_CST) & bit);
}

/* Linux's signal_wake_up: another thread that takes sig is interrupted,
 * out of a blocking host call or the program's code (pal.h thread_wake);
 * the signal is pending before it looks (both sides SEQ_CST). */
static void wake(struct libos_thread *t, int sig)
{
    long tid = t->host_tid;
    if (tid > 0 && takes(t, sig) && PAL_HAS(pal, thread_wake))
        pal->thread_wake(tid);
}

/* A process-directed sig: the calling thread takes it on its way out of
 * the libOS when it can (as complete_signal prefers the current thread);
 * else one thread that can is woken. */
static void wake_taker(int sig)
{
    if (!libos_threads_ready || !PAL_HAS(pal, thread_wake))
        return;
    struct libos_thread *self = cur_thread();
    if (takes(self, sig))
        return;
    long tid = thread_taker(sig, self);
    if (tid > 0)
        pal->thread_wake(tid);
}

void signal_raise(int sig)
{
    __atomic_or_fetch(&sig_pending, SIGBIT(sig), __ATOMIC_SEQ_CST);
    __atomic_or_fetch(&hook_due, SIGBIT(sig), __ATOMIC_SEQ_CST);
    wake_taker(sig);
}

bool signal_raise_thread(int tid, int sig, const struct signal_info *info)
{
    struct libos_thread *t = thread_find(tid);
    if (!t)
        return false;
    if (info)
        raise_queued(t, sig, info); /* a full queue: that signal is lost */
    else
        __atomic_or_fetch(&t->pending, SIGBIT(sig), __ATOMIC_SEQ_CST);
    __atomic_or_fetch(&hook_due, SIGBIT(sig), __ATOMIC_SEQ_CST);
    if (t != cur_thread())
        wake(t, sig);
    return true;
}

void signal_run_hooks(void)
{
    void (*hook)(int) = signal_raise_hook;
    if (!__atomic_load_n(&hook_due, __ATOMIC_RELAXED))
        return; /* the common case, at every syscall's exit: no locked exchange */
    uint64_t due = __atomic_exchange_n(&hook_due, 0, __ATOMIC_SEQ_CST);
    for (int sig = 1; hook && due; sig++, due >>= 1)
        if (due & 1)
            hook(sig);
}

static void save_gregs(const struct pal_context *c, uint64_t *g)
{
    g[R8] = c->r8, g[R9] = c->r9, g[R10] = c->r10, g[R11] = c->r11;
    g[R12] = c->r12, g[R13] = c->r13, g[R14] = c->r14, g[R15] = c->r15;
    g[RDI] = c->rdi, g[RSI] = c->rsi, g[RBP] = c->rbp, g[RBX] = c->rbx;
    g[RDX] = c->rdx, g[RAX] = c->rax, g[RCX] = c->rcx, g[RSP] = c->rsp;
    g[RIP] = c->rip, g[EFL] = c->rflags, g[CSGSFS] = 0x33;
}

static void load_gregs(const uint64_t *g, struct pal_context *c)
{
    c->r8 = g[R8], c->r9 = g[R9], c->r10 = g[R10], c->r11 = g[R11];
    c->r12 = g[R12], c->r13 = g[R13], c->r14 = g[R14], c->r15 = g[R15];
    c->rdi = g[RDI], c->rsi = g[RSI], c->rbp = g[RBP], c->rbx = g[RBX];
    c->rdx = g[RDX], c->rax = g[RAX], c->rcx = g[RCX], c->rsp = g[RSP];
    c->rip = g[RIP];
    /* The program may change only the arithmetic flags, DF, TF and AC. */
    c->rflags = (c->rflags & ~0x40dd5ULL) | (g[EFL] & 0x40dd5ULL);
}

/* Linux's struct _fpx_sw_bytes, at byte 464 of an FXSAVE/XSAVE area. */
#define FP_SW_OFF 464
#define FP_XSTATE_MAGIC1 0x46505853u
#define FXSAVE_SIZE 512
struct fp_sw_bytes {
    uint32_t magic1, extended_size;
    uint64_t xfeatures;
    uint32_t xstate_size, pad[7];
};

static const struct fp_sw_bytes *fp_sw(const void *area)
{
    return (const struct fp_sw_bytes *)((const char *)area + FP_SW_OFF);
}

/* Bytes of an FP area: its XSAVE extent when the kernel's magic says it is
 * one, else the legacy FXSAVE image. */
static size_t fp_size(const void *area)
{
    const struct fp_sw_bytes *sw = fp_sw(area);
    if (sw->magic1 == FP_XSTATE_MAGIC1 && sw->extended_size > FXSAVE_SIZE &&
        sw->extended_size <= 64 * 1024)
        return sw->extended_size;
    return FXSAVE_SIZE;
}

#define SS_AUTODISARM_ ((int32_t)(1U << 31))

static bool on_altstack(const struct libos_thread *t, uint64_t sp)
{
    return sp > t->altstack_sp && sp <= t->altstack_sp + t->altstack_size;
}

/* rt_sigreturn puts back the alternate stack the frame recorded (Linux's
 * restore_altstack: a change the handler made is undone, a stack that
 * SS_AUTODISARM disarmed is armed again), unless that is refused as a
 * sigaltstack call would be. */
static void restore_altstack(struct libos_thread *t, const struct k_ucontext *uc, uint64_t sp)
{
    int mode = uc->ss_flags & ~SS_AUTODISARM_;
    if (!(t->altstack_flags & SS_AUTODISARM_) && on_altstack(t, sp))
        return;
    if (mode == 2 /* SS_DISABLE */) {
        t->altstack_sp = t->altstack_size = 0;
    } else if ((mode == 0 || mode == 1) && uc->ss_size >= 2048 /* MINSIGSTKSZ */) {
        t->altstack_sp = uc->ss_sp;
        t->altstack_size = uc->ss_size;
    } else {
        return;
    }
    t->altstack_flags = uc->ss_flags & SS_AUTODISARM_;
}

/* Where the frame goes; *fp receives the 64-byte aligned FP area above it. */
static uint64_t frame_address(const struct k_sigaction *act, const struct pal_context *ctx,
                              uint64_t *fp)
{
    struct libos_thread *t = cur_thread();
    uint64_t sp = ctx->rsp - 128; /* the red zone */
    if ((act->flags & SA_ONSTACK_) && t->altstack_size && !on_altstack(t, ctx->rsp))
        sp = t->altstack_sp + t->altstack_size;
    sp = ALIGN_DOWN(sp - (ctx->fpstate ? fp_size(ctx->fpstate) : FXSAVE_SIZE), 64);
    *fp = sp;
    sp -= sizeof(struct sigframe);
    return ALIGN_DOWN(sp, 16) - 8; /* as right after a call */
}

/* Saves the program's FP state into the frame's area at fp. */
static void save_fp(const struct pal_context *ctx, void *fp)
{
    if (ctx->fpstate) {
        memcpy(fp, ctx->fpstate, fp_size(ctx->fpstate));
        return;
    }
    __asm__ volatile("fxsave64 %0" : "=m"(*(char(*)[FXSAVE_SIZE])fp));
    memset((char *)fp + FP_SW_OFF, 0, FXSAVE_SIZE - FP_SW_OFF); /* no XSAVE magic */
}

/* MXCSR bits above 15 are reserved: loading them would #GP (in the libOS,
 * or in the host kernel's sigreturn). */
static void fp_sanitize(void *area)
{
    uint32_t mxcsr;
    memcpy(&mxcsr, (char *)area + 24, 4);
    mxcsr &= 0xffff;
    memcpy((char *)area + 24, &mxcsr, 4);
}

void signal_fp_legacy(const struct pal_context *ctx, uint8_t out[512])
{
    if (ctx->fpstate)
        memcpy(out, ctx->fpstate, FXSAVE_SIZE);
    else
        __asm__ volatile("fxsave64 %0" : "=m"(*(char(*)[FXSAVE_SIZE])out));
    fp_sanitize(out);
}

/* rt_sigreturn: the frame's FP area (src, program memory) back into the
 * context. The PAL's own software bytes stay as they are; the extended
 * XSAVE part is copied only when both areas are XSAVE images. */
static void restore_fp(struct pal_context *ctx, const void *src)
{
    if (!src)
        return; /* Linux: NULL fpregs leaves nothing to restore from */
    if (!ctx->fpstate) {
        uint8_t live[FXSAVE_SIZE] __attribute__((aligned(16)));
        memcpy(live, src, FXSAVE_SIZE);
        fp_sanitize(live);
        __asm__ volatile("fxrstor64 %0" : : "m"(*(char(*)[FXSAVE_SIZE])live));
        return;
    }
    memcpy(ctx->fpstate, src, FP_SW_OFF);
    fp_sanitize(ctx->fpstate);
    const struct fp_sw_bytes *s = fp_sw(src), *d = fp_sw(ctx->fpstate);
    if (s->magic1 != FP_XSTATE_MAGIC1 || d->magic1 != FP_XSTATE_MAGIC1)
        return;
    uint32_t n = s->xstate_size < d->xstate_size ? s->xstate_size : d->xstate_size;
    if (n > FXSAVE_SIZE)
        memcpy((char *)ctx->fpstate + FXSAVE_SIZE, (const char *)src + FXSAVE_SIZE,
               n - FXSAVE_SIZE);
}

/* Redirects ctx into the handler of sig; false if it cannot. */
static bool enter_handler(struct pal_context *ctx, int sig, const struct k_siginfo *info)
{
    struct libos_thread *t = cur_thread();
    spin_lock(&sig_lock);
    struct k_sigaction act = sig_actions[sig];
    if (act.flags & SA_RESETHAND_)
        sig_actions[sig].handler = 0;
    spin_unlock(&sig_lock);
    if (act.handler <= 1 || !(act.flags & SA_RESTORER_))
        return false;
    uint64_t fp;
    struct sigframe *f = (struct sigframe *)frame_address(&act, ctx, &fp);
    memset(&f->uc, 0, sizeof(f->uc));
    save_fp(ctx, (void *)fp);
    f->uc.fpstate = fp;
    f->uc.flags = fp_size((void *)fp) > FXSAVE_SIZE ? 1 /* UC_FP_XSTATE */ : 0;
    f->pretcode = act.restorer;
    f->uc.ss_sp = t->altstack_sp;
    f->uc.ss_size = t->altstack_size;
    f->uc.ss_flags = !t->altstack_size          ? 2 /* SS_DISABLE */
                     : on_altstack(t, ctx->rsp) ? 1 /* SS_ONSTACK */
                                                : 0;
    f->uc.ss_flags |= t->altstack_flags & SS_AUTODISARM_;
    if (t->altstack_flags & SS_AUTODISARM_) /* until the handler returns */
        t->altstack_sp = t->altstack_size = 0, t->altstack_flags = 0;
    save_gregs(ctx, f->uc.gregs);
    f->uc.sigmask = t->has_saved_sigmask ? t->saved_sigmask : t->sigmask;
    f->uc.gregs[OLDMASK] = f->uc.sigmask; /* as Linux's sigcontext */
    t->has_saved_sigmask = false;
    f->info = *info;
    t->sigmask |= act.mask | ((act.flags & SA_NODEFER_) ? 0 : SIGBIT(sig));
    ctx->rsp = (uint64_t)f;
    ctx->rip = act.handler;
    ctx->rdi = (uint64_t)sig;
    ctx->rsi = (uint64_t)&f->info;
    ctx->rdx = (uint64_t)&f->uc;
    ctx->rax = 0;
    ctx->rflags &= ~0x500ULL; /* clear TF and DF */
    return true;
}

/* The default action for an unhandled signal. */
bool signal_stop_now(int sig)
{
    if (!PAL_HAS(pal, process_stop))
        libos_die_by(sig); /* as before stops were known */
    long r = pal->process_stop(sig);
    if (r == -PAL_EAGAIN)
        return false;
    if (r < 0)
        log_warn("signal %d: the process cannot stop (error %ld); it goes on", sig, -r);
    return true;
}

void signal_default_action(int sig)
{
    if (signal_default_ignored(sig))
        return;
    /* The process stops until a SIGCONT, then goes on (here the PAL holds
     * nothing: a "not now" cannot come). */
    if (signal_default_stops(sig)) {
        signal_stop_now(sig);
        return;
    }
    libos_die_by(sig);
}

/* Takes one signal outside blocked: this thread's own first (as Linux
 * dequeues the thread's queue before the process's). */
static int take_pending(uint64_t blocked, struct libos_thread **from)
{
    *from = NULL;
    if (libos_threads_ready) {
        volatile uint64_t *own = &cur_thread()->pending;
        for (;;) {
            uint64_t p = __atomic_load_n(own, __ATOMIC_SEQ_CST), ready = p & ~blocked;
            if (!ready)
                break;
            int sig = __builtin_ctzll(ready) + 1;
            if (__atomic_compare_exchange_n(own, &p, p & ~SIGBIT(sig), false, __ATOMIC_SEQ_CST,
                                            __ATOMIC_SEQ_CST)) {
                *from = cur_thread();
                return sig;
            }
        }
    }
    for (;;) {
        uint64_t p = __atomic_load_n(&sig_pending, __ATOMIC_SEQ_CST), ready = p & ~blocked;
        if (!ready)
            return 0;
        int sig = __builtin_ctzll(ready) + 1;
        if (__atomic_compare_exchange_n(&sig_pending, &p, p & ~SIGBIT(sig), false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return sig;
    }
}

/* Signals pending in process 1 whose last copy came from another process
 * of the tree (signal_note_init_origin). */
static uint64_t init_inside_pending;

void signal_note_init_origin(int sig, bool from_inside)
{
    if (sig < 1 || sig > 64)
        return;
    if (from_inside)
        __atomic_or_fetch(&init_inside_pending, SIGBIT(sig), __ATOMIC_SEQ_CST);
    else
        __atomic_and_fetch(&init_inside_pending, ~SIGBIT(sig), __ATOMIC_SEQ_CST);
}

bool signal_init_discards(int sig)
{
    if (!(__atomic_fetch_and(&init_inside_pending, ~SIGBIT(sig), __ATOMIC_SEQ_CST) & SIGBIT(sig)))
        return false;
    /* (a forked child inherits the notes, but is not process 1) */
    return sig != 9 && sig != 19 && PAL_HAS(pal, process_id) && pal->process_id() == 1;
}

int signal_take_info(uint64_t set, struct signal_info *info)
{
    signal_run_deferred();
    struct libos_thread *from;
    int sig = take_pending(~set, &from);
    struct signal_info ignored;
    if (sig) {
        take_info(from, sig, info ? info : &ignored);
        signal_init_discards(sig); /* taken: its origin is spent */
    }
    return sig;
}

int signal_take(uint64_t set) { return signal_take_info(set, NULL); }

/* Syscalls Linux never restarts after a handler, SA_RESTART or not
 * (ERESTARTNOHAND, and System V IPC's -EINTR: signal(7)): waits for
 * signals or readiness, sleeps, semop, semtimedop, msgsnd, msgrcv. */
static bool restartable(uint64_t nr)
{
    static const uint16_t never[] = {7,   23,  34,  35,  65,  69,  70,  128,
                                     130, 220, 230, 232, 270, 271, 281, 441};
    for (size_t i = 0; i < ARRAY_LEN(never); i++)
        if (nr == never[i])
            return false;
    return true;
}

/* The next pending signal outside the thread's mask that has a handler;
 * ignored ones are dropped and default actions taken on the way, as
 * Linux's get_signal does. 0: none. */
static int next_handled(struct signal_info *si)
{
    for (;;) {
        struct libos_thread *from;
        int sig = take_pending(cur_thread()->sigmask, &from);
        if (!sig)
            return 0;
        take_info(from, sig, si);
        bool discard = signal_init_discards(sig);
        if (!signal_ignored(sig) && signal_has_handler(sig))
            return sig;
        if (!signal_ignored(sig) && !discard)
            signal_default_action(sig);
    }
}

/* Delivers every pending signal the mask lets through, as Linux does on
 * its way back to user mode: each handler's frame is set up on top of the
 * previous one (whose entry it saves), under the mask the previous
 * handler set, so the last signal taken runs first and each sigreturn
 * leads into the next handler down. Only the first frame saves the
 * interrupted code (and a syscall's restart or result). */
bool signal_deliver_pending(struct pal_context *ctx, bool in_syscall, uint64_t nr, long *ret)
{
    exec_end_if_other();
    signal_run_deferred();
    if (__atomic_load_n(&reap_wanted, __ATOMIC_RELAXED))
        reap_children();
    if (vfork_child_active())
        return false; /* the parent's, when it resumes (sys/vfork.c) */
    bool delivered = false;
    for (;;) {
        if (!__atomic_load_n(&sig_pending, __ATOMIC_RELAXED) &&
            !__atomic_load_n(&cur_thread()->pending, __ATOMIC_RELAXED))
            break;
        struct signal_info si;
        int sig = next_handled(&si);
        if (!sig)
            break;
        if (!delivered) {
            ctx->rax = (uint64_t)*ret;
            if (in_syscall && *ret == -PAL_EINTR && (sig_actions[sig].flags & SA_RESTART_) &&
                restartable(nr)) {
                ctx->rax = nr; /* the handler returns to the syscall instruction */
                ctx->rip -= 2;
            }
        }
        struct k_siginfo info = {.signo = sig};
        signal_siginfo_fields(sig, &si, &info.code, info.f);
        if (!enter_handler(ctx, sig, &info)) {
            signal_default_action(sig);
            break;
        }
        delivered = true;
    }
    if (delivered)
        *ret = (long)ctx->rax;
    return delivered;
}

void signal_deliver_fault(struct pal_context *ctx, int sig, int code, uint64_t addr)
{
    struct k_siginfo info = {.signo = sig, .code = code};
    info.f[0] = addr;
    bool blocked = cur_thread()->sigmask & SIGBIT(sig);
    if (blocked || !signal_has_handler(sig) || !enter_handler(ctx, sig, &info)) {
        log_debug("program fault: signal %d at rip %lx, address %lx", sig,
                  (unsigned long)ctx->rip, (unsigned long)addr);
        libos_die_by(sig);
    }
}

long signal_return(struct pal_context *ctx)
{
    struct k_ucontext *uc = (struct k_ucontext *)ctx->rsp;
    load_gregs(uc->gregs, ctx);
    restore_fp(ctx, (const void *)uc->fpstate);
    restore_altstack(cur_thread(), uc, ctx->rsp);
    cur_thread()->sigmask = uc->sigmask & ~(SIGBIT(9) | SIGBIT(19));
    return (long)ctx->rax;
}
