/* libOS unit tier: the signal frame core/signal.c builds on the program's
 * stack, read back through the kernel's own definitions (<asm/ucontext.h>,
 * <asm/sigcontext.h>, <asm/siginfo.h>): Linux's x86-64 struct rt_sigframe
 * (pretcode, ucontext with uc_flags / uc_link / uc_stack / uc_mcontext /
 * uc_sigmask, siginfo), the FP area above it 64-byte aligned, the red zone
 * untouched, the alternate stack chosen as Linux chooses it; and
 * rt_sigreturn restoring exactly what the frame holds. Then the syscalls
 * of sys/signal.c that set what delivery uses: sigaltstack (sigaltstack(2)
 * and the kernel's do_sigaltstack), rt_sigaction, rt_sigprocmask. The thread state
 * behind GS is a struct libos_thread of the test's (arch_prctl). */
#include <stddef.h>

#include <asm/prctl.h>
#include <asm/sigcontext.h>
#include <asm/siginfo.h>
#include <asm/signal.h>
#include <asm/ucontext.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/signal.h"
#include "fake_pal.h"
#include "core/creds.h"
#include "sys/sys.h"

/* sys/signal.c's other references (pid namespace, process groups). */
bool ns_enabled(void)
{
    return false;
}
bool ns_own_id(int id)
{
    return id == libos_pid;
}
long pgrp_kill(int pid, int sig)
{
    (void)pid, (void)sig;
    return -PAL_ESRCH;
}
/* core/process.c: reaping children nobody waits for (none here). */
long proc_wait_unaccounted(long target, int *status, int options)
{
    (void)target, (void)status, (void)options;
    return -PAL_ECHILD;
}
/* sys/creds.c: tgkill's siginfo names the sender's uid. */
void creds_ids(struct creds_ids *out)
{
    memset(out, 0, sizeof(*out));
}

/* Linux's frame (arch/x86/include/asm/sigframe.h, 64-bit). */
struct rt_sigframe {
    char *pretcode;
    struct ucontext uc;
    siginfo_t info;
    /* the FP state follows, 64-byte aligned */
};

/* The fixed layout every program's handler relies on. */
_Static_assert(offsetof(struct rt_sigframe, uc) == 8, "uc after pretcode");
_Static_assert(sizeof(struct ucontext) == 304, "the kernel's ucontext");
_Static_assert(offsetof(struct rt_sigframe, info) == 312, "siginfo right after uc");
_Static_assert(sizeof(siginfo_t) == 128, "siginfo");
_Static_assert(offsetof(struct ucontext, uc_stack) == 16 &&
                   offsetof(struct ucontext, uc_mcontext) == 40 &&
                   offsetof(struct ucontext, uc_sigmask) == 296,
               "ucontext fields");
_Static_assert(sizeof(struct sigcontext) == 256 && offsetof(struct sigcontext, r8) == 0 &&
                   offsetof(struct sigcontext, rdi) == 64 &&
                   offsetof(struct sigcontext, rip) == 128 &&
                   offsetof(struct sigcontext, cs) == 144 &&
                   offsetof(struct sigcontext, oldmask) == 168 &&
                   offsetof(struct sigcontext, fpstate) == 184,
               "gregs in Linux's order (glibc's REG_R8 .. REG_CR2), then fpstate");
_Static_assert(sizeof(struct pal_context) == 19 * 8, "the PAL's context");

#define SS_ONSTACK_ 1
#define SS_DISABLE_ 2
#define FP_SW 464
#define MAGIC1 0x46505853u
#define HANDLER 0x7000123400ull
#define RESTORER 0x7000567800ull
/* The rflags bits rt_sigreturn takes from the frame (Linux's FIX_EFLAGS,
 * without RF, which a program cannot observe here). */
#define FIX_EFLAGS 0x40dd5ull

static struct libos_thread thr;
static uint8_t stack[256 * 1024] __attribute__((aligned(64)));
static uint8_t alt[64 * 1024] __attribute__((aligned(64)));
static uint8_t xarea[4096] __attribute__((aligned(64)));
static uint8_t xcopy[4096];
static uint32_t xsize; /* the XSAVE area's extended_size */

static uint64_t rng = 0x6a09e667f3bcc908ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A program context with a distinct value in every register. */
static struct pal_context make_ctx(uint64_t rsp, bool xsave)
{
    struct pal_context c;
    uint64_t *w = (uint64_t *)&c;
    for (int i = 0; i < 18; i++)
        w[i] = 0x1111111111111111ull * (uint64_t)(i + 1) + (rnd() & 0xffff);
    c.rsp = rsp;
    c.rip = 0x5500001000ull + (rnd() & 0xfff);
    c.rflags = 0x246 | 0x400 | 0x100; /* IF ZF PF, DF and TF set */
    c.fpstate = NULL;
    if (xsave) {
        for (size_t i = 0; i < sizeof(xarea); i++)
            xarea[i] = (uint8_t)rnd();
        uint32_t mxcsr = 0x1f80, sw[4] = {MAGIC1, xsize, 0, xsize - 4};
        memcpy(xarea + 24, &mxcsr, 4);
        memcpy(xarea + FP_SW, sw, 8);
        uint64_t xfeatures = 7;
        memcpy(xarea + FP_SW + 8, &xfeatures, 8);
        memcpy(xarea + FP_SW + 16, &sw[3], 4);
        memcpy(xcopy, xarea, sizeof(xarea));
        c.fpstate = xarea;
    }
    return c;
}

static void set_action(int sig, uint64_t flags, uint64_t mask)
{
    sig_actions[sig] =
        (struct k_sigaction){HANDLER, flags | SA_RESTORER_ | SA_SIGINFO_, RESTORER, mask};
}

/* Fills the stacks with a pattern, to see what delivery writes. */
static void paint(void)
{
    memset(stack, 0xa5, sizeof(stack));
    memset(alt, 0xa5, sizeof(alt));
}

static bool painted(uint64_t lo, uint64_t hi)
{
    for (uint64_t p = lo; p < hi; p++)
        if (*(uint8_t *)p != 0xa5)
            return false;
    return true;
}

/* Checks one delivered frame against the context before delivery. */
static void check_frame(const char *what, const struct pal_context *before,
                        const struct pal_context *after, int sig, uint64_t old_mask, uint64_t lo,
                        uint64_t hi)
{
    uint64_t fa = after->rsp;
    const struct rt_sigframe *f = (const struct rt_sigframe *)fa;
    const struct sigcontext *sc = &f->uc.uc_mcontext;
    EXPECT(fa % 16 == 8, "%s: frame at %lx is not as right after a call (16n + 8)", what,
           (unsigned long)fa);
    EXPECT(fa >= lo && fa + sizeof(*f) <= hi, "%s: frame %lx outside its stack [%lx, %lx)", what,
           (unsigned long)fa, (unsigned long)lo, (unsigned long)hi);
    EXPECT((uint64_t)f->pretcode == RESTORER, "%s: pretcode %p is not sa_restorer", what,
           (void *)f->pretcode);
    EXPECT(after->rip == HANDLER && after->rdi == (uint64_t)sig &&
               after->rsi == (uint64_t)&f->info && after->rdx == (uint64_t)&f->uc &&
               after->rax == 0,
           "%s: the handler is entered with rdi = sig, rsi = &info, rdx = &uc (rsi %lx rdx %lx, "
           "frame %lx)",
           what, (unsigned long)after->rsi, (unsigned long)after->rdx, (unsigned long)fa);
    EXPECT((after->rflags & 0x500) == 0 &&
               (after->rflags & ~0x500ull) == (before->rflags & ~0x500ull),
           "%s: the handler runs with DF and TF clear, other flags kept", what);
    EXPECT(f->uc.uc_link == NULL, "%s: uc_link", what);
    EXPECT(f->uc.uc_sigmask == old_mask && sc->oldmask == old_mask,
           "%s: uc_sigmask %lx / oldmask %lx, the mask before was %lx", what,
           (unsigned long)f->uc.uc_sigmask, (unsigned long)sc->oldmask, (unsigned long)old_mask);
    const uint64_t want[] = {before->r8,  before->r9,  before->r10,   before->r11, before->r12,
                             before->r13, before->r14, before->r15,   before->rdi, before->rsi,
                             before->rbp, before->rbx, before->rdx,   before->rax, before->rcx,
                             before->rsp, before->rip, before->rflags};
    const uint64_t got[] = {sc->r8,  sc->r9,  sc->r10, sc->r11, sc->r12, sc->r13,
                            sc->r14, sc->r15, sc->rdi, sc->rsi, sc->rbp, sc->rbx,
                            sc->rdx, sc->rax, sc->rcx, sc->rsp, sc->rip, sc->eflags};
    for (size_t i = 0; i < ARRAY_LEN(want); i++)
        EXPECT(got[i] == want[i], "%s: sigcontext word %zu is %lx, the register was %lx", what, i,
               (unsigned long)got[i], (unsigned long)want[i]);
    EXPECT(sc->cs == 0x33, "%s: cs %x", what, sc->cs);
    EXPECT(f->info.si_signo == sig && f->info.si_errno == 0, "%s: siginfo signo %d errno %d", what,
           f->info.si_signo, f->info.si_errno);

    /* The FP area: above the frame, 64-byte aligned, below the red zone
     * (or the top of the alternate stack). */
    uint64_t fp = (uint64_t)sc->fpstate;
    size_t fsize = before->fpstate ? xsize : 512;
    EXPECT(fp % 64 == 0 && fp >= fa + sizeof(*f) && fp + fsize <= hi,
           "%s: FP area %lx (+%zu) not 64-byte aligned between the frame's end %lx and %lx", what,
           (unsigned long)fp, fsize, (unsigned long)(fa + sizeof(*f)), (unsigned long)hi);
    EXPECT(fp - (fa + sizeof(*f)) < 64 + 16,
           "%s: %lu bytes between the frame and the FP area (Linux packs them)", what,
           (unsigned long)(fp - (fa + sizeof(*f))));
    EXPECT(!!(f->uc.uc_flags & UC_FP_XSTATE) == (before->fpstate != NULL),
           "%s: uc_flags %lx: UC_FP_XSTATE exactly when the area is an XSAVE image", what,
           f->uc.uc_flags);
    if (before->fpstate)
        EXPECT(!memcmp((void *)fp, xcopy, xsize), "%s: the FP area is the context's XSAVE image",
               what);
    /* Nothing written outside [frame, FP area end). */
    EXPECT(painted(fa - 256, fa), "%s: bytes below the frame were written", what);
    EXPECT(fp + fsize + 64 > hi || painted(fp + fsize, fp + fsize + 64),
           "%s: bytes above the FP area were written", what);
}

static uint64_t stack_top(void)
{
    return (uint64_t)stack + sizeof(stack);
}

/* Delivers sig through signal_deliver_pending; returns the context. */
static struct pal_context deliver(struct pal_context *ctx, int sig)
{
    struct pal_context before = *ctx;
    long ret = 5;
    before.rax = (uint64_t)ret; /* the interrupted syscall's result */
    signal_raise(sig);
    bool in = signal_deliver_pending(ctx, /*in_syscall=*/true, /*nr=*/0, &ret);
    EXPECT(in && ret == 0, "signal %d entered its handler (%d, ret %ld)", sig, in, ret);
    return before;
}

static void plain_frames(void)
{
    int before_fail = fake_failures;
    for (int i = 0; i < 200; i++) {
        bool xs = i % 2;
        xsize = 576 + 64 * (uint32_t)(rnd() % 40) + 4;
        paint();
        uint64_t rsp = stack_top() - 4096 - (rnd() % 8192);
        if (i % 3 == 0)
            rsp &= ~7ull; /* a program's rsp is often 8-aligned, but need not be */
        struct pal_context ctx = make_ctx(rsp, xs);
        uint64_t mask = (rnd() & ~(SIGBIT(10) | SIGBIT(9) | SIGBIT(19)));
        thr.sigmask = mask;
        set_action(10, 0, SIGBIT(12));
        struct pal_context before = deliver(&ctx, 10);
        char what[64];
        snprintf(what, sizeof(what), "frame %d (%s, rsp %lx)", i, xs ? "XSAVE" : "FXSAVE",
                 (unsigned long)rsp);
        check_frame(what, &before, &ctx, 10, mask, (uint64_t)stack, rsp - 128);
        EXPECT(painted(rsp - 128, rsp + 64), "%s: the red zone or the caller's stack was written",
               what);
        EXPECT(thr.sigmask == (mask | SIGBIT(10) | SIGBIT(12)),
               "%s: the handler's mask %lx: the old one, sa_mask and the signal", what,
               (unsigned long)thr.sigmask);
        const struct rt_sigframe *f = (const struct rt_sigframe *)ctx.rsp;
        EXPECT(f->info.si_code == 0 /* SI_USER */, "%s: si_code %d", what, f->info.si_code);
        EXPECT(f->uc.uc_stack.ss_flags == SS_DISABLE_ && f->uc.uc_stack.ss_size == 0,
               "%s: uc_stack without an alternate stack: SS_DISABLE", what);
        if (fake_failures - before_fail > 20)
            break;
    }
    CHECK(fake_failures == before_fail,
          "200 frames (FXSAVE and XSAVE areas of many sizes, odd rsp) are Linux's rt_sigframe");
}

/* The live FP registers go into the frame when the PAL has no area. */
static void live_fp(void)
{
    paint();
    uint64_t rsp = stack_top() - 1000;
    struct pal_context ctx = make_ctx(rsp, false);
    thr.sigmask = 0;
    set_action(10, 0, 0);
    struct pal_context before = deliver(&ctx, 10);
    check_frame("live FP registers", &before, &ctx, 10, 0, (uint64_t)stack, rsp - 128);
    const struct rt_sigframe *f = (const struct rt_sigframe *)ctx.rsp;
    uint8_t *fp = (uint8_t *)f->uc.uc_mcontext.fpstate;
    uint32_t mxcsr, live = __builtin_ia32_stmxcsr(), magic;
    memcpy(&mxcsr, fp + 24, 4);
    memcpy(&magic, fp + FP_SW, 4);
    CHECK(mxcsr == live && magic != MAGIC1,
          "without the PAL's area the frame holds FXSAVE of the live registers (MXCSR %x), no "
          "XSAVE magic",
          mxcsr);
    /* rt_sigreturn loads the frame's area into the live registers. */
    uint32_t changed = (live & ~0x6000u) | 0x6000u; /* round toward zero */
    memcpy(fp + 24, &changed, 4);
    ctx.rsp += 8;
    signal_return(&ctx);
    uint32_t now = __builtin_ia32_stmxcsr();
    __builtin_ia32_ldmxcsr(live);
    CHECK(now == changed, "rt_sigreturn loads the frame's FXSAVE area (MXCSR %x, want %x)", now,
          changed);
}

static void altstacks(void)
{
    uint64_t alt_lo = (uint64_t)alt, alt_hi = alt_lo + sizeof(alt);
    xsize = 1088 + 4;
    /* SA_ONSTACK, running on the normal stack: the frame goes to the top
     * of the alternate stack; uc_stack describes it, not in use. */
    paint();
    thr.altstack_sp = alt_lo;
    thr.altstack_size = sizeof(alt);
    thr.sigmask = 0;
    uint64_t rsp = stack_top() - 512;
    struct pal_context ctx = make_ctx(rsp, true);
    set_action(12, SA_ONSTACK_, 0);
    struct pal_context before = deliver(&ctx, 12);
    check_frame("SA_ONSTACK", &before, &ctx, 12, 0, alt_lo, alt_hi);
    const struct rt_sigframe *f = (const struct rt_sigframe *)ctx.rsp;
    CHECK(ctx.rsp >= alt_lo && ctx.rsp < alt_hi && (uint64_t)f->uc.uc_stack.ss_sp == alt_lo &&
              f->uc.uc_stack.ss_size == sizeof(alt) && f->uc.uc_stack.ss_flags == 0 &&
              painted(rsp - 128, rsp + 64),
          "SA_ONSTACK: the frame is on the alternate stack, uc_stack = {sp, 0, size}");
    CHECK((uint64_t)f->uc.uc_mcontext.fpstate + xsize <= alt_hi &&
              alt_hi - ((uint64_t)f->uc.uc_mcontext.fpstate + xsize) < 64,
          "... its FP area right below the top");

    /* A second signal while on it: below the first one's red zone, and
     * uc_stack says SS_ONSTACK. */
    uint64_t inner = ctx.rsp - 40;
    paint();
    ctx = make_ctx(inner, true);
    thr.sigmask = 0;
    before = deliver(&ctx, 12);
    check_frame("nested on the alternate stack", &before, &ctx, 12, 0, alt_lo, inner - 128);
    f = (const struct rt_sigframe *)ctx.rsp;
    CHECK(f->uc.uc_stack.ss_flags == SS_ONSTACK_ && painted(inner - 128, inner + 8),
          "nested on the alternate stack: below the interrupted red zone, ss_flags SS_ONSTACK (%d)",
          f->uc.uc_stack.ss_flags);

    /* Without SA_ONSTACK the normal stack, even with an alternate one. */
    paint();
    ctx = make_ctx(rsp, false);
    thr.sigmask = 0;
    set_action(12, 0, 0);
    before = deliver(&ctx, 12);
    check_frame("altstack, no SA_ONSTACK", &before, &ctx, 12, 0, (uint64_t)stack, rsp - 128);
    CHECK(painted(alt_lo, alt_hi), "without SA_ONSTACK the alternate stack is not touched");

    /* A disabled alternate stack: the normal stack, SS_DISABLE. */
    thr.altstack_sp = thr.altstack_size = 0;
    paint();
    ctx = make_ctx(rsp, false);
    thr.sigmask = 0;
    set_action(12, SA_ONSTACK_, 0);
    before = deliver(&ctx, 12);
    f = (const struct rt_sigframe *)ctx.rsp;
    check_frame("SA_ONSTACK, no alternate stack", &before, &ctx, 12, 0, (uint64_t)stack, rsp - 128);
    CHECK(painted(alt_lo, alt_hi) && f->uc.uc_stack.ss_flags == SS_DISABLE_,
          "SA_ONSTACK without an alternate stack: the normal stack, ss_flags SS_DISABLE");
}

/* rt_sigreturn takes the frame as the handler left it. */
static void sigreturn(void)
{
    int before_fail = fake_failures;
    for (int i = 0; i < 100; i++) {
        xsize = 576 + 64 * (uint32_t)(rnd() % 30) + 4;
        paint();
        uint64_t rsp = stack_top() - 2048 - (rnd() % 4096);
        struct pal_context ctx = make_ctx(rsp, true);
        uint64_t mask = rnd() & ~(SIGBIT(10) | SIGBIT(9) | SIGBIT(19));
        thr.sigmask = mask;
        set_action(10, 0, 0);
        struct pal_context orig = deliver(&ctx, 10);
        struct rt_sigframe *f = (struct rt_sigframe *)ctx.rsp;
        char what[48];
        snprintf(what, sizeof(what), "sigreturn %d", i);
        if (i % 2) {
            /* The handler returns at once: everything is as it was. */
            memset(xarea, 0x5a, sizeof(xarea)); /* the handler's own FP state */
            memcpy(xarea + FP_SW, xcopy + FP_SW, 64);
            struct pal_context c = ctx;
            c.rsp = ctx.rsp + 8; /* ret popped pretcode */
            c.rflags = 0x202;
            c.fpstate = xarea;
            long r = signal_return(&c);
            EXPECT(r == (long)orig.rax && !memcmp(&c, &orig, offsetof(struct pal_context, fpstate)),
                   "%s: an unchanged frame gives back the interrupted context", what);
            EXPECT(!memcmp(xarea, xcopy, xsize - 4), "%s: and its FP state", what);
            EXPECT(thr.sigmask == mask, "%s: and its mask", what);
            continue;
        }
        /* The handler edits the frame. */
        struct sigcontext *sc = &f->uc.uc_mcontext;
        uint64_t *g = (uint64_t *)sc;
        for (int k = 0; k < 17; k++)
            g[k] = rnd();
        sc->eflags = ~0ull;
        f->uc.uc_sigmask = ~0ull;
        uint8_t *fp = (uint8_t *)sc->fpstate;
        for (uint32_t k = 32; k < FP_SW; k++)
            fp[k] = (uint8_t)rnd();
        for (uint32_t k = 576; k < xsize - 4; k++)
            fp[k] = (uint8_t)rnd();
        uint32_t bad_mxcsr = 0xffff1f80;
        memcpy(fp + 24, &bad_mxcsr, 4);
        memset(xarea, 0, sizeof(xarea));
        memcpy(xarea + FP_SW, xcopy + FP_SW, 64);
        struct pal_context c = ctx;
        c.rsp = ctx.rsp + 8;
        c.rflags = 0x202;
        c.fpstate = xarea;
        long r = signal_return(&c);
        const uint64_t got[] = {c.r8,  c.r9,  c.r10, c.r11, c.r12, c.r13, c.r14, c.r15, c.rdi,
                                c.rsi, c.rbp, c.rbx, c.rdx, c.rax, c.rcx, c.rsp, c.rip};
        for (int k = 0; k < 17; k++)
            EXPECT(got[k] == g[k], "%s: register %d is %lx, the frame says %lx", what, k,
                   (unsigned long)got[k], (unsigned long)g[k]);
        EXPECT(r == (long)sc->rax, "%s: returns the frame's rax", what);
        EXPECT(c.rflags == (0x202 | FIX_EFLAGS),
               "%s: rflags %lx: the frame may set only the arithmetic flags, DF, TF and AC", what,
               (unsigned long)c.rflags);
        EXPECT(thr.sigmask == ~(SIGBIT(9) | SIGBIT(19)),
               "%s: mask %lx: the frame's, without SIGKILL and SIGSTOP", what,
               (unsigned long)thr.sigmask);
        uint32_t mx;
        memcpy(&mx, xarea + 24, 4);
        EXPECT(mx == 0x1f80 && !memcmp(xarea + 32, fp + 32, FP_SW - 32) &&
                   !memcmp(xarea + 576, fp + 576, xsize - 4 - 576) &&
                   !memcmp(xarea + FP_SW, xcopy + FP_SW, 48),
               "%s: the FP area comes back (MXCSR's reserved bits cleared: %x), the PAL's "
               "software bytes kept",
               what, mx);
        if (fake_failures - before_fail > 20)
            break;
    }
    CHECK(fake_failures == before_fail, "100 rt_sigreturns restore exactly what the frame holds");
}

static void flags_and_faults(void)
{
    jmp_buf jb;
    uint64_t rsp = stack_top() - 3000;
    xsize = 580;

    /* SA_RESTART: the frame resumes at the syscall instruction. */
    struct pal_context ctx = make_ctx(rsp, false), before = ctx;
    thr.sigmask = 0;
    set_action(10, SA_RESTART_, 0);
    signal_raise(10);
    long ret = -PAL_EINTR;
    signal_deliver_pending(&ctx, true, 0 /* read */, &ret);
    const struct rt_sigframe *f = (const struct rt_sigframe *)ctx.rsp;
    CHECK(f->uc.uc_mcontext.rip == before.rip - 2 && f->uc.uc_mcontext.rax == 0,
          "SA_RESTART after EINTR: the frame resumes at the syscall with rax = its number");
    ctx = make_ctx(rsp, false);
    before = ctx;
    thr.sigmask = 0;
    signal_raise(10);
    ret = -PAL_EINTR;
    signal_deliver_pending(&ctx, true, 35 /* nanosleep: never restarted */, &ret);
    f = (const struct rt_sigframe *)ctx.rsp;
    CHECK(f->uc.uc_mcontext.rip == before.rip && f->uc.uc_mcontext.rax == (uint64_t)-PAL_EINTR,
          "SA_RESTART: nanosleep is not restarted, the frame holds -EINTR");

    /* SA_NODEFER, SA_RESETHAND, the mask rt_sigsuspend saved. */
    ctx = make_ctx(rsp, false);
    thr.sigmask = SIGBIT(3);
    thr.saved_sigmask = SIGBIT(4);
    thr.has_saved_sigmask = true;
    set_action(10, SA_NODEFER_ | SA_RESETHAND_, SIGBIT(5));
    deliver(&ctx, 10);
    f = (const struct rt_sigframe *)ctx.rsp;
    CHECK(thr.sigmask == (SIGBIT(3) | SIGBIT(5)) && sig_actions[10].handler == 0 &&
              f->uc.uc_sigmask == SIGBIT(4) && !thr.has_saved_sigmask,
          "SA_NODEFER leaves the signal unblocked, SA_RESETHAND resets the handler, uc_sigmask "
          "is the mask rt_sigsuspend replaced");

    /* A fault: si_code and si_addr. */
    ctx = make_ctx(rsp, false);
    before = ctx;
    thr.sigmask = 0;
    set_action(11, 0, 0);
    paint();
    signal_deliver_fault(&ctx, 11, 2 /* SEGV_ACCERR */, 0xdead000);
    f = (const struct rt_sigframe *)ctx.rsp;
    check_frame("SIGSEGV", &before, &ctx, 11, 0, (uint64_t)stack, rsp - 128);
    CHECK(f->info.si_signo == 11 && f->info.si_code == 2 && (uint64_t)f->info.si_addr == 0xdead000,
          "a fault's siginfo: si_code and si_addr where Linux has them");

    /* A blocked fault, or a handler without a restorer, ends the process. */
    ctx = make_ctx(rsp, false);
    thr.sigmask = SIGBIT(11);
    fake_exit_jmp = &jb;
    fake_killed_sig = 0;
    if (!setjmp(jb))
        signal_deliver_fault(&ctx, 11, 1, 0);
    CHECK(fake_killed_sig == 11, "a blocked SIGSEGV kills the process");
    sig_actions[10] = (struct k_sigaction){HANDLER, SA_SIGINFO_, 0, 0};
    thr.sigmask = 0;
    fake_killed_sig = 0;
    ctx = make_ctx(rsp, false);
    ret = 0;
    if (!setjmp(jb)) {
        signal_raise(10);
        signal_deliver_pending(&ctx, true, 0, &ret);
    }
    CHECK(fake_killed_sig == 10, "a handler without SA_RESTORER: the default action");
    fake_exit_jmp = NULL;
}

/* A syscall handler called as entry/syscall.c calls it. */
static long sys(long (*fn)(struct sc_args *), struct pal_context *ctx, uint64_t a0, uint64_t a1,
                uint64_t a2, uint64_t a3)
{
    struct sc_args args = {{a0, a1, a2, a3, 0, 0}, ctx};
    return fn(&args);
}

static void sigaltstack_calls(void)
{
    struct k_ss {
        uint64_t sp;
        int32_t flags, pad;
        uint64_t size;
    } o, n;
    _Static_assert(sizeof(struct k_ss) == sizeof(stack_t) &&
                       offsetof(struct k_ss, flags) == offsetof(stack_t, ss_flags) &&
                       offsetof(struct k_ss, size) == offsetof(stack_t, ss_size),
                   "the kernel's stack_t");
    uint64_t alt_lo = (uint64_t)alt;
    struct pal_context ctx = make_ctx(stack_top() - 256, false);
    thr.altstack_sp = thr.altstack_size = 0;
    memset(&o, 0x77, sizeof(o));
    CHECK(sys(sys_sigaltstack, &ctx, 0, (uint64_t)&o, 0, 0) == 0 && o.flags == SS_DISABLE_ &&
              o.sp == 0 && o.size == 0,
          "sigaltstack: none yet: SS_DISABLE");
    n = (struct k_ss){alt_lo, 0, 0, sizeof(alt)};
    CHECK(sys(sys_sigaltstack, &ctx, (uint64_t)&n, (uint64_t)&o, 0, 0) == 0 &&
              o.flags == SS_DISABLE_ && thr.altstack_sp == alt_lo &&
              thr.altstack_size == sizeof(alt),
          "sigaltstack: set, the old one (none) returned");
    n = (struct k_ss){alt_lo, 0, 0, 1024};
    long r1 = sys(sys_sigaltstack, &ctx, (uint64_t)&n, 0, 0, 0);
    n = (struct k_ss){alt_lo, 4, 0, sizeof(alt)};
    long r2 = sys(sys_sigaltstack, &ctx, (uint64_t)&n, 0, 0, 0);
    n = (struct k_ss){alt_lo, (int32_t)(1u << 30) /* no such flag */, 0, sizeof(alt)};
    long r3 = sys(sys_sigaltstack, &ctx, (uint64_t)&n, 0, 0, 0);
    CHECK(r1 == -PAL_ENOMEM && r2 == -PAL_EINVAL && r3 == -PAL_EINVAL &&
              thr.altstack_size == sizeof(alt),
          "sigaltstack: below MINSIGSTKSZ ENOMEM, unknown flags EINVAL, nothing changed");
    /* One struct for both: the new stack is taken, the old one returned. */
    o = (struct k_ss){alt_lo + 4096, SS_ONSTACK_, 0, 8192};
    CHECK(sys(sys_sigaltstack, &ctx, (uint64_t)&o, (uint64_t)&o, 0, 0) == 0 &&
              thr.altstack_sp == alt_lo + 4096 && thr.altstack_size == 8192 && o.sp == alt_lo &&
              o.size == sizeof(alt) && o.flags == 0,
          "sigaltstack(&s, &s) sets s and returns the old stack in it; SS_ONSTACK as a mode is 0");
    /* Running on it: reported SS_ONSTACK, and it cannot change. */
    struct pal_context on = make_ctx(alt_lo + 4096 + 5000, false);
    n = (struct k_ss){0, SS_DISABLE_, 0, 0};
    memset(&o, 0, sizeof(o));
    CHECK(sys(sys_sigaltstack, &on, 0, (uint64_t)&o, 0, 0) == 0 && o.flags == SS_ONSTACK_ &&
              sys(sys_sigaltstack, &on, (uint64_t)&n, 0, 0, 0) == -PAL_EPERM &&
              thr.altstack_size == 8192,
          "on the alternate stack: SS_ONSTACK, and changing it is EPERM");
    CHECK(sys(sys_sigaltstack, &ctx, (uint64_t)&n, (uint64_t)&o, 0, 0) == 0 && o.flags == 0 &&
              thr.altstack_size == 0 && thr.altstack_sp == 0,
          "SS_DISABLE off the stack: disabled");

    /* What delivery then uses. */
    n = (struct k_ss){alt_lo, 0, 0, sizeof(alt)};
    sys(sys_sigaltstack, &ctx, (uint64_t)&n, 0, 0, 0);
    struct k_sigaction act = {HANDLER, SA_ONSTACK_ | SA_SIGINFO_ | SA_RESTORER_, RESTORER, 0};
    struct k_sigaction oact;
    long r = sys(sys_rt_sigaction, &ctx, 12, (uint64_t)&act, (uint64_t)&oact, 8);
    thr.sigmask = 0;
    paint();
    struct pal_context before = deliver(&ctx, 12);
    check_frame("sigaltstack + rt_sigaction", &before, &ctx, 12, 0, alt_lo, alt_lo + sizeof(alt));
    CHECK(r == 0 && ctx.rsp > alt_lo && ctx.rsp < alt_lo + sizeof(alt),
          "a handler set with rt_sigaction and SA_ONSTACK runs on the stack sigaltstack set");
    /* rt_sigreturn through its syscall. */
    struct pal_context back = ctx;
    back.rsp += 8;
    long rr = sys(sys_rt_sigreturn, &back, 0, 0, 0, 0);
    CHECK(rr == (long)before.rax && back.rip == before.rip && back.rsp == before.rsp &&
              thr.sigmask == 0,
          "rt_sigreturn (the syscall) comes back to the interrupted code");
    thr.altstack_sp = thr.altstack_size = 0;
}

static void sigaction_calls(void)
{
    struct pal_context ctx = make_ctx(stack_top() - 256, false);
    struct k_sigaction act = {HANDLER, SA_SIGINFO_ | SA_RESTORER_, RESTORER, SIGBIT(3)}, oact;
    CHECK(sys(sys_rt_sigaction, &ctx, 10, (uint64_t)&act, 0, 4) == -PAL_EINVAL &&
              sys(sys_rt_sigaction, &ctx, 0, (uint64_t)&act, 0, 8) == -PAL_EINVAL &&
              sys(sys_rt_sigaction, &ctx, 65, (uint64_t)&act, 0, 8) == -PAL_EINVAL &&
              sys(sys_rt_sigaction, &ctx, 9, (uint64_t)&act, 0, 8) == -PAL_EINVAL &&
              sys(sys_rt_sigaction, &ctx, 19, (uint64_t)&act, 0, 8) == -PAL_EINVAL,
          "rt_sigaction: sigsetsize 8 only, signals 1..64, no handler for SIGKILL or SIGSTOP");
    CHECK(sys(sys_rt_sigaction, &ctx, 9, 0, (uint64_t)&oact, 8) == 0,
          "rt_sigaction: SIGKILL's action can be read");
    sys(sys_rt_sigaction, &ctx, 10, (uint64_t)&act, 0, 8);
    struct k_sigaction act2 = {1 /* SIG_IGN */, 0, 0, 0};
    CHECK(sys(sys_rt_sigaction, &ctx, 10, (uint64_t)&act2, (uint64_t)&oact, 8) == 0 &&
              !memcmp(&oact, &act, sizeof(act)) && signal_ignored(10),
          "rt_sigaction: the old action returned whole, the new one in force");
    uint64_t set = ~0ull, old = 0;
    thr.sigmask = SIGBIT(4);
    CHECK(sys(sys_rt_sigprocmask, &ctx, 0 /* SIG_BLOCK */, (uint64_t)&set, (uint64_t)&old, 8) ==
                  0 &&
              old == SIGBIT(4) && thr.sigmask == ~(SIGBIT(9) | SIGBIT(19)),
          "rt_sigprocmask: SIGKILL and SIGSTOP cannot be blocked");
    CHECK(sys(sys_rt_sigprocmask, &ctx, 3, (uint64_t)&set, 0, 8) == -PAL_EINVAL &&
              sys(sys_rt_sigprocmask, &ctx, 0, (uint64_t)&set, 0, 4) == -PAL_EINVAL,
          "rt_sigprocmask: bad how or sigsetsize is EINVAL");
    thr.sigmask = 0;
}

int main(void)
{
    fake_pal_init();
    thr.self = &thr;
    if (syscall(SYS_arch_prctl, ARCH_SET_GS, &thr) != 0) {
        printf("not ok - arch_prctl(ARCH_SET_GS)\n");
        return 1;
    }
    libos_threads_ready = true;
    plain_frames();
    live_fp();
    altstacks();
    sigreturn();
    flags_and_faults();
    sigaltstack_calls();
    sigaction_calls();
    return fake_done();
}
