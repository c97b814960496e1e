/* Entry points from the PAL: a trapped syscall, a fault, a host signal.
 * And the trampoline path's C half (libos_syscall_fast). */
#include "core/config.h"
#include "sys/sys.h"

volatile uint64_t libos_trap_count;
void rewrite_site(uint64_t rip);
void libos_syscall_fast(struct pal_context *ctx);

static void up_syscall(struct pal_context *ctx)
{
    __atomic_add_fetch(&libos_trap_count, 1, __ATOMIC_RELAXED);
    if (libos_cfg.syscall_rewrite)
        rewrite_site(ctx->rip);
    ctx->rax = (uint64_t)syscall_dispatch(ctx);
}

void libos_syscall_fast(struct pal_context *ctx) { ctx->rax = (uint64_t)syscall_dispatch(ctx); }

/* Without signal delivery yet, a fault ends the process the way the
 * kernel's default action would. */
static void up_exception(struct pal_context *ctx, const struct pal_exception *exc)
{
    if (signal_has_handler(exc->signo))
        log_warn("signal %d at rip %lx: program handlers are not invoked yet", exc->signo,
                 (unsigned long)ctx->rip);
    log_debug("program fault: signal %d at rip %lx, address %lx", exc->signo,
              (unsigned long)ctx->rip, (unsigned long)exc->addr);
    pal->process_kill(exc->signo);
}

static void up_host_signal(struct pal_context *ctx, int signo)
{
    (void)ctx;
    if (signal_ignored(signo))
        return;
    if (signal_has_handler(signo))
        log_warn("host signal %d: program handlers are not invoked yet", signo);
    pal->process_kill(signo);
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
