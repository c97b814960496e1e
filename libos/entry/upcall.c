/* Entry points from the PAL: a trapped syscall, a fault, a host signal.
 * And the trampoline path's C half (libos_syscall_fast). */
#include "core/config.h"
#include "core/rewrite.h"
#include "core/mm.h"
#include "core/signal.h"
#include "fs/encrypted.h"
#include "sys/sys.h"
#include "sys/vfork.h"

volatile uint64_t libos_trap_count;
void libos_syscall_fast(struct pal_context *ctx);

/* A blocking call cut short by the host's terminal (a background read or
 * write) with a SIGTTIN or SIGTTOU this thread blocks: the host could not
 * know the program's mask and sent it; Linux sends none and fails the call
 * with EIO (job_control). True, with *r = -EIO, for such a call. */
static bool tty_refused(long *r)
{
    struct libos_thread *t = cur_thread();
    if (!t->tty_stop_blocked)
        return false;
    t->tty_stop_blocked = false;
    *r = -PAL_EIO;
    return true;
}

static void up_syscall(struct pal_context *ctx)
{
    uint64_t nr = ctx->rax;
    __atomic_add_fetch(&libos_trap_count, 1, __ATOMIC_RELAXED);
    if (libos_cfg.syscall_rewrite)
        rewrite_site(ctx->rip, nr);
    long r = syscall_dispatch(ctx);
    /* rt_sigreturn's result is the restored rax, not a syscall outcome. */
    bool sigreturn = nr == 15;
    if (!signal_deliver_pending(ctx, !sigreturn, nr, &r) && !sigreturn && r == -PAL_EINTR &&
        !tty_refused(&r)) {
        /* A host signal the program ignores cut a blocking call short:
         * run the syscall again, as Linux would never show this EINTR. */
        ctx->rip -= 2;
        r = (long)nr;
    }
    ctx->rax = (uint64_t)r;
}

/* On the trampoline path ctx->rsp points at the return address into the
 * trampoline, which continues with `lea 128(%rsp),%rsp` (8 bytes) and
 * `jmp rel32` to the site: from those the program's own rsp and rip are
 * recovered, so a signal can be delivered exactly as on the trap path. */
static void fast_path_program_ctx(struct pal_context *ctx)
{
    uint64_t ra = *(uint64_t *)ctx->rsp;
    int32_t rel;
    __builtin_memcpy(&rel, (void *)(ra + 9), 4); /* inlined: this runs on every call */
    ctx->rsp += 8 + 128;
    ctx->rip = ra + 13 + (uint64_t)(int64_t)rel;
}

static void fast_path_signal(struct pal_context *ctx, uint64_t nr, long r)
{
    fast_path_program_ctx(ctx);
    ctx->rax = (uint64_t)r;
    bool delivered = signal_deliver_pending(ctx, true, nr, &r);
    if (!delivered && r == -PAL_EINTR && tty_refused(&r)) {
        ctx->rax = (uint64_t)r;
        delivered = true;
    } else if (!delivered && r == -PAL_EINTR) {
        ctx->rip -= 2; /* restart at the site's syscall instruction */
        r = (long)nr;
        delivered = true;
    }
    if (delivered) {
        ctx->rax = (uint64_t)r;
        libos_resume_context(ctx);
    }
}

void libos_syscall_fast(struct pal_context *ctx)
{
    uint64_t nr = ctx->rax;
    if (rewrite_context_sensitive(nr) ||
        (vfork_child_active() && !vfork_syscall_allowed(nr, (uint64_t[6]){ctx->rdi, ctx->rsi, ctx->rdx,
                                                                          ctx->r10, ctx->r8, ctx->r9}))) {
        /* The trap path instead, with the exact context: a clone, execve
         * or sigreturn through a wide trampoline (core/rewrite.c), or a
         * vfork child becoming a process, whose stack the PAL's fork copies
         * (sys/vfork.c). */
        uint64_t ra = *(uint64_t *)ctx->rsp;
        fast_path_program_ctx(ctx);
        ctx->rip = rewrite_trap_insn(ra, ctx->rip);
        ctx->rax = nr;
        libos_resume_context(ctx);
    }
    long r = syscall_dispatch(ctx);
    uint64_t saved_rsp = ctx->rsp;
    fast_path_signal(ctx, nr, r);
    ctx->rsp = saved_rsp; /* no signal: return through the trampoline */
    ctx->rax = (uint64_t)r;
}

/* A fault in libOS code: a bad pointer from the program if a syscall
 * handler is running (it resumes at its recovery point and returns
 * -EFAULT), otherwise a libOS bug. */
static void libos_fault(struct pal_context *ctx, const struct pal_exception *exc)
{
    struct libos_thread *t = libos_threads_ready ? cur_thread() : NULL;
    if (!t || !t->recover || exc->signo != 11 /* SIGSEGV */) {
        log_error("internal error: signal %d in the libOS at offset %lx, address %lx", exc->signo,
                  (unsigned long)(ctx->rip - (uint64_t)pal_boot_info->libos_base),
                  (unsigned long)exc->addr);
        pal->process_kill(exc->signo);
    }
    const struct libos_jmpbuf *jb = t->recover;
    log_debug("bad program pointer %lx in a syscall: EFAULT", (unsigned long)exc->addr);
    ctx->rbx = jb->rbx, ctx->rbp = jb->rbp, ctx->r12 = jb->r12, ctx->r13 = jb->r13;
    ctx->r14 = jb->r14, ctx->r15 = jb->r15, ctx->rsp = jb->rsp, ctx->rip = jb->rip;
    ctx->rax = 1;
}

static void up_exception(struct pal_context *ctx, const struct pal_exception *exc)
{
    uint64_t base = (uint64_t)pal_boot_info->libos_base;
    /* A fault in PAL code reaches us only from the PAL copying a buffer
     * the libOS handed it, on the libOS's behalf: the same as our own. */
    if ((ctx->rip >= base && ctx->rip < base + pal_boot_info->libos_size) ||
        (ctx->rip >= pal_boot_info->pal_text_lo && ctx->rip < pal_boot_info->pal_text_hi))
        libos_fault(ctx, exc);
    else if (!vfork_child_active() || vfork_materialize(ctx, false) == 0)
        /* (a vfork child's fault is its own process's; its parent goes on
         * from the clone: sys/vfork.c) */
        signal_deliver_fault(ctx, exc->signo, exc->code, exc->addr);
}

/* ctx is NULL when the signal interrupted the libOS or the PAL: it stays
 * pending until the current syscall returns. */
/* Inside an enclave every host signal comes from the untrusted host (the
 * process's own signals never leave the libOS): as in Gramine, SIGTERM
 * reaches the program only when the measured manifest says so
 * (sys.enable_sigterm_injection). Outside an enclave there is no such
 * boundary and host signals arrive as on Linux (docs/manifest.md). A
 * SIGTERM one of the program's own processes sent (kill(2) inside the
 * tree, which the PAL marks as such) is the program's: it is not an
 * injection from the host. */
static bool host_sigterm_dropped(int signo, bool inside)
{
    static bool logged;
    if (signo != 15 || inside || !(pal_boot_info->flags & PAL_BOOT_ENCLAVE) || libos_cfg.sigterm_injection)
        return false;
    if (!__atomic_exchange_n(&logged, true, __ATOMIC_RELAXED))
        log_warn("SIGTERM from the host ignored (sys.enable_sigterm_injection is false)");
    return true;
}

static volatile int host_alarm_due;

void signal_run_deferred(void)
{
    /* The host's SIGALRM: the timers that expired raise their signals; a
     * SIGALRM when no timer of the libOS was armed came from elsewhere. */
    /* A plain load first: this runs at every syscall's exit, and a locked
     * exchange only when there is work. */
    if (__atomic_load_n(&host_alarm_due, __ATOMIC_RELAXED) &&
        __atomic_exchange_n(&host_alarm_due, 0, __ATOMIC_SEQ_CST) && !ptimer_host_alarm())
        signal_async(14, NULL);
    signal_run_hooks();
}

void signal_async(int signo, const struct signal_info *info)
{
    if (signo == 17 && signal_child_autoreap()) {
        signal_reap_children_later();
        if (!signal_has_handler(signo))
            return;
    }
    if (signal_discarded(signo, 0))
        return;
    /* Kept although ignored: the main thread blocks it (signal_discarded),
     * and it stays pending, whichever thread the host gave it to.
     * No handler: the default action at once, unless this thread blocks
     * the signal; then it stays pending (for sigwait, signalfd, or the
     * default action when a thread unblocks it), as on Linux. A stop is
     * taken at once too (the thread may be about to block in the host,
     * where a pending one would wait for the call to end), unless the PAL
     * says not now: then it waits for the way out of the libOS. */
    if (!signal_inert(signo) && !signal_has_handler(signo) &&
        !(cur_thread()->sigmask & SIGBIT(signo))) {
        if (signal_init_discards(signo))
            return; /* deferred while process 1 blocked it: sent from inside */
        if (!signal_default_stops(signo))
            libos_die_by(signo);
        if (signal_stop_now(signo))
            return;
    }
    if (info)
        signal_raise_info(signo, info);
    else
        signal_raise(signo);
}

/* Raises a host signal now, or keeps it for signal_run_deferred_host when
 * this thread holds a lock (without a context, the PAL may have
 * interrupted libOS code anywhere, inside the lock raising one takes). */
static void host_signal_raise(int signo, const struct signal_info *info)
{
    struct libos_thread *t = libos_threads_ready ? cur_thread() : NULL;
    if (!t || t->nheld == 0) {
        signal_async(signo, info);
        return;
    }
    if (t->ndeferred_host < MAX_DEFERRED_HOST) {
        int i = t->ndeferred_host;
        t->deferred_host[i].signo = signo;
        t->deferred_host[i].has_info = info != NULL;
        t->deferred_host[i].info = info ? *info : (struct signal_info){0};
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        t->ndeferred_host = i + 1;
    } else {
        t->deferred_host_bits |= SIGBIT(signo);
    }
}

void signal_run_deferred_host(void)
{
    struct libos_thread *t = cur_thread();
    typeof(t->deferred_host) items;
    int n = t->ndeferred_host;
    uint64_t bits = t->deferred_host_bits;
    /* Copied out first: a signal handed over while these are raised (a
     * lock taken inside) is deferred into the emptied table and run at
     * that lock's release. */
    memcpy(items, t->deferred_host, (size_t)n * sizeof(items[0]));
    t->deferred_host_bits = 0;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    t->ndeferred_host = 0;
    for (int i = 0; i < n; i++)
        signal_async(items[i].signo, items[i].has_info ? &items[i].info : NULL);
    for (int sig = 1; bits; sig++, bits >>= 1)
        if (bits & 1)
            signal_async(sig, NULL);
}

static void up_host_signal(struct pal_context *ctx, int signo)
{
    bool inside = signo & PAL_SIGNAL_FROM_INSIDE, child_state = signo & PAL_SIGNAL_CHILD_STATE;
    signo &= ~(PAL_SIGNAL_FROM_INSIDE | PAL_SIGNAL_CHILD_STATE);
    if (signo == 0) { /* a wake: what another thread raised for this one */
        if (ctx && libos_threads_ready) {
            long r = (long)ctx->rax;
            signal_run_deferred();
            signal_deliver_pending(ctx, false, 0, &r);
        }
        return;
    }
    if (child_state && signo == 17 && (sig_actions[17].flags & 1 /* SA_NOCLDSTOP */))
        return;
    if (ns_init_ignores(signo, inside) || host_sigterm_dropped(signo, inside))
        return;
    /* The host's terminal sends SIGTTIN or SIGTTOU to a background group
     * whose member reads or writes it; a thread that blocks the signal,
     * interrupted in a syscall, gets EIO instead, as on Linux, and no
     * signal (tty_refused). */
    if ((signo == SIGTTIN_ || signo == SIGTTOU_) && !inside && !ctx && libos_threads_ready &&
        (cur_thread()->sigmask & SIGBIT(signo))) {
        cur_thread()->tty_stop_blocked = true;
        return;
    }
    /* The host's SIGALRM is the libOS's timer tick (sys/timer.c): handled
     * where no lock is held (at once when program code was interrupted). */
    struct pal_sender who;
    if (signo == 14 && !inside) {
        __atomic_store_n(&host_alarm_due, 1, __ATOMIC_SEQ_CST);
    } else if (inside && PAL_HAS(pal, signal_sender) && pal->signal_sender(signo, &who) == 0) {
        /* Another process of the tree sent it: its siginfo (kill's si_pid
         * and si_uid, sigqueue's si_value too). */
        struct signal_info info = {
            .code = who.code, .f0 = (uint32_t)who.pid | (uint64_t)who.uid << 32, .f1 = who.value};
        host_signal_raise(signo, &info);
    } else {
        host_signal_raise(signo, NULL);
    }
    if (ctx)
        signal_run_deferred();
    if (ctx) {
        long r = (long)ctx->rax;
        signal_deliver_pending(ctx, false, 0, &r);
    }
}

const struct pal_upcalls libos_upcalls = {
    .syscall = up_syscall,
    .exception = up_exception,
    .host_signal = up_host_signal,
};

__attribute__((noreturn)) void libos_die_by(int sig)
{
    sysv_sem_exit();
    pal->process_kill(sig);
}

__attribute__((noreturn)) void libos_exit(int status)
{
    sysv_sem_exit();
    encrypted_flush_all();
    if (pal_boot_info && config_host_env_trusted() && config_host_env("GEODE_TRAP_STATS")) {
        char buf[96];
        int n = snprintf(buf, sizeof(buf), "geode: syscall traps=%lu rewritten_sites=%lu\n",
                         (unsigned long)libos_trap_count, (unsigned long)libos_rewrite_count);
        pal->log(buf, (size_t)n);
    }
    pal->process_exit(status);
}
