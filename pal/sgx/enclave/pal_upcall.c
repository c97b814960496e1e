/* Trusted PAL: an exception in program or libOS code, handed to the libOS.
 *
 * Stage 2 (exception.c) calls enclave_upcall with the interrupted context on
 * the PAL stack. A `syscall` instruction raised #UD (SGX forbids it inside
 * enclaves): that is the program's system call (or was, when another thread
 * has since rewritten the site to a jmp: it runs again). CPUID and RDTSC raise #UD on
 * SGX1 hardware and are emulated here. Everything else becomes the Linux
 * signal the kernel would send. The libOS runs with GS = its thread block;
 * the context resumes with the program's FS base and the libOS's GS. */
#include "pal_enclave.h"
#include "pal_signal.h"

#define SIGILL 4
#define SIGTRAP 5
#define SIGBUS 7
#define SIGFPE 8
#define SIGSEGV 11
#define ILL_ILLOPN 2
#define FPE_INTDIV 1
#define FPE_FLTINV 7
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN 1
#define TRAP_BRKPT 1
#define SI_KERNEL 0x80
#define CLOCK_MONOTONIC 1

static void to_pal(const struct sgx_gprsgx *g, struct pal_context *c)
{
    *c = (struct pal_context){g->rax, g->rbx, g->rcx, g->rdx, g->rsi, g->rdi, g->rbp, g->rsp,
                              g->r8,  g->r9,  g->r10, g->r11, g->r12, g->r13, g->r14, g->r15,
                              g->rip, g->rflags, NULL};
}

static void from_pal(const struct pal_context *c, struct sgx_gprsgx *g)
{
    g->rax = c->rax, g->rbx = c->rbx, g->rcx = c->rcx, g->rdx = c->rdx;
    g->rsi = c->rsi, g->rdi = c->rdi, g->rbp = c->rbp, g->rsp = c->rsp;
    g->r8 = c->r8, g->r9 = c->r9, g->r10 = c->r10, g->r11 = c->r11;
    g->r12 = c->r12, g->r13 = c->r13, g->r14 = c->r14, g->r15 = c->r15;
    g->rip = c->rip, g->rflags = c->rflags;
}

/* The two instruction bytes at rip, or 0 when rip is not inside the enclave. */
static uint16_t opcode_at(uint64_t rip)
{
    const uint8_t *p = (const uint8_t *)rip;

    if (rip < g_encl.base || rip - g_encl.base > g_encl.size - 2)
        return 0;
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* The host's CPUID answer for (leaf, sub), as it gave it. */
static int host_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    struct ocall_args a = {{leaf, sub}};
    struct ocall_iov iov = {&a, sizeof(a)};
    uint64_t got = 0;

    if (enclave_ocallv(OCALL_CPUID, &iov, 1, r, 4 * sizeof(uint32_t), &got) < 0 ||
        got != 4 * sizeof(uint32_t))
        return -1;
    return 0;
}

/* CPUID: the host's answer without the features XFRM leaves out. */
static int emulate_cpuid(struct pal_context *c)
{
    uint32_t leaf = (uint32_t)c->rax, sub = (uint32_t)c->rcx, r[4];

    if (host_cpuid(leaf, sub, r))
        return -1;
    enclave_cpuid_mask(leaf, sub, r, g_encl.xfrm, host_cpuid);
    c->rax = r[0], c->rbx = r[1], c->rcx = r[2], c->rdx = r[3];
    return 0;
}

/* RDTSC: the monotonic clock in nanoseconds, as a 1 GHz counter. */
static int emulate_rdtsc(struct pal_context *c)
{
    struct ocall_args a = {{CLOCK_MONOTONIC}};
    struct ocall_iov iov = {&a, sizeof(a)};
    int64_t ns;
    uint64_t got = 0;

    if (enclave_ocallv(OCALL_CLOCK_GET, &iov, 1, &ns, sizeof(ns), &got) < 0 || got != sizeof(ns))
        return -1;
    c->rax = (uint32_t)ns, c->rdx = (uint64_t)ns >> 32;
    return 0;
}

static struct pal_exception to_signal(uint8_t vector, const struct exc_ctx *ctx)
{
    switch (vector) {
    case SGX_VEC_DE:
        return (struct pal_exception){SIGFPE, FPE_INTDIV, ctx->gpr.rip};
    case SGX_VEC_DB:
    case SGX_VEC_BP:
        return (struct pal_exception){SIGTRAP, vector == SGX_VEC_BP ? SI_KERNEL : TRAP_BRKPT, 0};
    case SGX_VEC_UD:
        return (struct pal_exception){SIGILL, ILL_ILLOPN, ctx->gpr.rip};
    case SGX_VEC_PF:
        return (struct pal_exception){SIGSEGV, (ctx->exinfo.errcd & 1) ? SEGV_ACCERR : SEGV_MAPERR,
                                      ctx->exinfo.maddr};
    case SGX_VEC_AC:
        return (struct pal_exception){SIGBUS, BUS_ADRALN, ctx->exinfo.maddr};
    case SGX_VEC_MF:
    case SGX_VEC_XM:
        return (struct pal_exception){SIGFPE, FPE_FLTINV, ctx->gpr.rip};
    }
    return (struct pal_exception){SIGSEGV, SI_KERNEL, 0}; /* #GP and the rest */
}

/* The interrupted context as the libOS sees it; GS becomes the libOS's. */
static void enter_libos(struct exc_ctx *ctx, struct pal_context *c)
{
    to_pal(&ctx->gpr, c);
    /* The Linux signal-frame layout marks an XSAVE image by a magic in
     * bytes 464..511; without it the libOS treats the area as FXSAVE. */
    memset(ctx->xsave + 464, 0, 48);
    c->fpstate = ctx->xsave;
    enclave_set_gs(thread_self()->libos_gs);
}

/* Resumes what the libOS made of the context, with the program's FS base. */
__attribute__((noreturn)) static void leave_libos(struct exc_ctx *ctx, const struct pal_context *c)
{
    struct enclave_thread *t = thread_self();

    from_pal(c, &ctx->gpr);
    ctx->gpr.fsbase = t->fs_base;
    ctx->gpr.gsbase = t->libos_gs;
    enclave_resume(ctx);
}

void enclave_upcall(struct exc_ctx *ctx)
{
    uint8_t vector = sgx_exitinfo_vector(ctx->gpr.exitinfo);
    uint16_t op = vector == SGX_VEC_UD ? opcode_at(ctx->gpr.rip) : 0;
    struct pal_context c;
    struct pal_exception exc;

    enter_libos(ctx, &c);
    if (op == 0x0f05) {
        c.rip += 2;
        enclave_upcalls->syscall(&c);
    } else if ((op >> 8) == 0xeb || (op >> 8) == 0xe9) {
        /* A jmp never raises #UD: the bytes changed after the fault. The
         * libOS rewrote the `syscall` that raised it while this thread was
         * on its way here (libos/core/rewrite.c: another thread's trap
         * stores a jmp over the site's 2 bytes). Run the site again: the
         * jmp now takes the call to its trampoline. */
    } else if (op == 0x0fa2 && !emulate_cpuid(&c)) {
        c.rip += 2;
    } else if (op == 0x0f31 && !emulate_rdtsc(&c)) {
        c.rip += 2;
    } else {
        exc = to_signal(vector, ctx);
        enclave_upcalls->exception(&c, &exc);
    }
    enclave_signal_check(&c);
    leave_libos(ctx, &c);
}

void enclave_upcall_signal(struct exc_ctx *ctx)
{
    struct pal_context c;

    enter_libos(ctx, &c);
    enclave_signal_notified_program(&c);
    leave_libos(ctx, &c);
}
