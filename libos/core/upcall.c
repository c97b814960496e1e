/* Entry points from the PAL: a trapped syscall, a fault, a host signal.
 * And the trampoline path's C half (libos_syscall_fast). */
#include "core/config.h"
#include "core/signal.h"
#include "sys/sys.h"

volatile uint64_t libos_trap_count;
void rewrite_site(uint64_t rip);
void libos_syscall_fast(struct pal_context *ctx);

static void up_syscall(struct pal_context *ctx)
{
    uint64_t nr = ctx->rax;
    __atomic_add_fetch(&libos_trap_count, 1, __ATOMIC_RELAXED);
    if (libos_cfg.syscall_rewrite)
        rewrite_site(ctx->rip);
    long r = syscall_dispatch(ctx);
    /* rt_sigreturn's result is the restored rax, not a syscall outcome. */
    bool sigreturn = nr == 15;
    if (!signal_deliver_pending(ctx, !sigreturn, nr, &r) && !sigreturn && r == -PAL_EINTR) {
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
static void fast_path_signal(struct pal_context *ctx, uint64_t nr, long r)
{
    uint64_t ra = *(uint64_t *)ctx->rsp;
    int32_t rel;
    memcpy(&rel, (void *)(ra + 9), 4);
    ctx->rsp += 8 + 128;
    ctx->rip = ra + 13 + (uint64_t)(int64_t)rel;
    ctx->rax = (uint64_t)r;
    bool delivered = signal_deliver_pending(ctx, true, nr, &r);
    if (!delivered && r == -PAL_EINTR) {
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
    long r = syscall_dispatch(ctx);
    uint64_t saved_rsp = ctx->rsp;
    fast_path_signal(ctx, nr, r);
    ctx->rsp = saved_rsp; /* no signal: return through the trampoline */
    ctx->rax = (uint64_t)r;
}

static void up_exception(struct pal_context *ctx, const struct pal_exception *exc)
{
    signal_deliver_fault(ctx, exc->signo, exc->code, exc->addr);
}

/* ctx is NULL when the signal interrupted the libOS or the PAL: it stays
 * pending until the current syscall returns. */
static void up_host_signal(struct pal_context *ctx, int signo)
{
    if (signal_ignored(signo) || (signal_default_ignored(signo) && !signal_has_handler(signo)))
        return;
    if (!signal_has_handler(signo))
        pal->process_kill(signo);
    signal_raise(signo);
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

__attribute__((noreturn)) void libos_exit(int status)
{
    if (pal_boot_info && config_host_env("GEODE_TRAP_STATS")) {
        char buf[96];
        int n = snprintf(buf, sizeof(buf), "geode: syscall traps=%lu rewritten_sites=%lu\n",
                         (unsigned long)libos_trap_count, (unsigned long)libos_rewrite_count);
        pal->log(buf, (size_t)n);
    }
    pal->process_exit(status);
}
