/* Exception handling inside the enclave.
 *
 * Stage 1 (enclave_stage1, entered from enclave_entry with CSSA = c >= 1, on
 * the interrupted stack below its red zone) copies SSA[c-1] into a struct
 * exc_ctx. Then:
 *   AEX-Notify: EDECCSSA (CSSA = c-1, we now own the SSA[c-1] context),
 *     re-arm SSA[c-1].AEXNOTIFY as the interrupted code had it and run
 *     stage 2 right here: no EEXIT. Stage 2 runs armed: a fault there (a
 *     lazy page, a bad program pointer) reaches the enclave only through
 *     a notification.
 *   classic: point SSA[c-1].RIP/RSP/RDI at stage 2 and the saved context,
 *     EEXIT; the host's ERESUME restores SSA[c-1], which lands in stage 2.
 * Stage 2 handles the exception (EXITINFO valid) or the bare notification,
 * then enclave_resume restores every register, RFLAGS and XSAVE state.
 *
 * A fault in stage 1 itself (CSSA = c + 1) goes through the same code one
 * level deeper; it needs NSSA >= c + 2, which is why SSA[c] is armed only
 * when that frame can be entered (ERESUME-as-EENTER needs CSSA < NSSA), and
 * only while stage 1 runs on the PAL stack: from its C code to EDECCSSA.
 * Frames are off across EDECCSSA, so the instruction after it, where a
 * host delivers what waited for the leaf, never takes a nested entry: a
 * storm of signals cannot pile handlers up on the stack.
 *
 * The context's level is the CSSA it ran at (c - 1). Above 0 it is a
 * stage-1 entry that has not left its frame, where no OCALL can come back
 * (EENTER at CSSA >= 1 is, to enclave_entry, a stage-1 entry): an
 * interrupt there is resumed by EEXIT and the host's ERESUME, with nothing
 * taken; a fault there gets its fixup or is fatal, never a lazy commit or
 * the libOS. (Before 2026-12-06 such an interrupt handed signals over with
 * OCALLs one level too deep, and the first OCALL's return re-entered the
 * outer handler: the thread never took a host signal again.) */
#include "pal_enclave.h"
#include "pal_signal.h"
#ifdef GEODE_TEST_ECALLS
#include "test/ecalls_test.h"
#endif

#define RFLAGS_TF (1ULL << 8)
#define RFLAGS_DF (1ULL << 10)
#define RFLAGS_AC (1ULL << 18)

__attribute__((noreturn)) void enclave_stage1(struct exc_ctx *ctx, uint64_t cssa, uint64_t ursp,
                                              uint64_t urbp, uint64_t target, uint64_t base);
__attribute__((noreturn)) void enclave_stage2(struct exc_ctx *ctx);

static uint64_t ssa_frame_addr(uint64_t frame)
{
    return g_encl.base + tls_self()->ssa_offset + frame * ASM_SSA_FRAME;
}

struct sgx_gprsgx *enclave_ssa_gpr(uint64_t frame)
{
    return (struct sgx_gprsgx *)(ssa_frame_addr(frame + 1) - sizeof(struct sgx_gprsgx));
}

/* Arms (or disarms) AEX-Notify for the AEX that would save into SSA[frame]. */
void enclave_arm_aexnotify(uint64_t frame, int on)
{
    if (frame + 1 >= g_encl.nssa && on)
        return;
    if (frame >= g_encl.nssa)
        return;
    enclave_ssa_gpr(frame)->aexnotify = on ? SGX_SSA_AEXNOTIFY_ENABLE : 0;
}

static void save_context(struct exc_ctx *ctx, uint64_t frame)
{
    const struct sgx_gprsgx *g = enclave_ssa_gpr(frame);

    memcpy(&ctx->gpr, g, sizeof(*g));
    memcpy(&ctx->exinfo, (const uint8_t *)g - sizeof(struct sgx_exinfo), sizeof(struct sgx_exinfo));
    /* (before initialization, all of it) */
    memcpy(ctx->xsave, (const void *)ssa_frame_addr(frame),
           g_encl.xsave_bytes ? g_encl.xsave_bytes : sizeof(ctx->xsave));
}

void enclave_stage1(struct exc_ctx *ctx, uint64_t cssa, uint64_t ursp, uint64_t urbp, uint64_t target,
                    uint64_t base)
{
    struct enclave_thread *t = thread_self();
    struct sgx_gprsgx *g;

    (void)base;
    if (cssa > t->fault.max_cssa)
        t->fault.max_cssa = cssa;
    if (g_encl.aex_notify)
        enclave_arm_aexnotify(cssa, 1); /* a fault right here notifies one level deeper */
    save_context(ctx, cssa - 1);
    ctx->level = cssa - 1;
    if (cssa > 1 && !sgx_exitinfo_valid(ctx->gpr.exitinfo)) {
        /* An interrupt of a stage-1 entry (running at CSSA c-1 >= 1):
         * resumed as it was by the host's ERESUME; nothing is taken here,
         * as no OCALL comes back at CSSA >= 1. Its own stage 2 takes what
         * the host posted. Both frames disarmed, so that ERESUME does not
         * notify again and an AEX at the next OENTRY of this level (still
         * on the host's stack) only resumes. */
        if (g_encl.aex_notify) {
            enclave_arm_aexnotify(cssa, 0);
            enclave_arm_aexnotify(cssa - 1, 0);
        }
        __atomic_add_fetch(&g_encl.stage1_exits, 1, __ATOMIC_RELAXED);
        enclave_eexit(EXIT_STAGE1, 0, 0, ursp, urbp, target);
    }
#ifdef GEODE_TEST_ECALLS
    if (t->fault_in_stage1 && cssa == 1) {
        t->fault_in_stage1 = 0;
        enclave_fault_ud2_in_handler(); /* test: the handler itself faults */
    }
#endif
    if (g_encl.aex_notify) {
        /* Both frames off across EDECCSSA: an AEX right after it (where
         * the sim, like any host, delivers what waited for the leaf) only
         * resumes, and the next OENTRY at this level (still on the host's
         * stack) does too. Then the interrupted code's own setting back. */
        uint8_t notify = ctx->gpr.aexnotify & SGX_SSA_AEXNOTIFY_ENABLE;

        enclave_arm_aexnotify(cssa - 1, 0);
        enclave_arm_aexnotify(cssa, 0);
        enclave_edeccssa();
        __atomic_add_fetch(&g_encl.edeccssa, 1, __ATOMIC_RELAXED);
        t->fault.edeccssa++;
        if (notify)
            enclave_arm_aexnotify(cssa - 1, 1);
        enclave_stage2(ctx);
    }
    g = enclave_ssa_gpr(cssa - 1);
    /* A host signal handler turned the ERESUME of an earlier stage-1 exit
     * into this EENTER (it cannot tell that ERESUME from an AEX's): SSA
     * already leads to stage 2, so ask for the ERESUME again. */
    if (g->rip == (uint64_t)enclave_stage2_entry)
        enclave_eexit(EXIT_STAGE1, 0, 0, ursp, urbp, target);
    g->rip = (uint64_t)enclave_stage2_entry;
    g->rsp = (uint64_t)ctx;
    g->rdi = (uint64_t)ctx;
    g->rflags &= ~(RFLAGS_TF | RFLAGS_DF | RFLAGS_AC);
    __atomic_add_fetch(&g_encl.stage1_exits, 1, __ATOMIC_RELAXED);
    enclave_eexit(EXIT_STAGE1, 0, 0, ursp, urbp, target);
}

#ifndef GEODE_TEST_ECALLS
const struct fixup enclave_fixups[] = {{0, 0}};
#endif

/* Where a known fault site continues, or 0. */
static uint64_t fixup_for(uint64_t rip)
{
    for (const struct fixup *f = enclave_fixups; f->site; f++)
        if (f->site == rip)
            return f->cont;
    return 0;
}

extern const char __start_pal_usercopy[], __stop_pal_usercopy[];

/* PAL code whose faults are fatal: all of it but the copy routines. */
static int in_pal(uint64_t rip)
{
    const struct sgx_layout_tls *tls = tls_self();
    uint64_t lo = g_encl.base + tls->elf_offset[0];

    if (rip >= (uint64_t)__start_pal_usercopy && rip < (uint64_t)__stop_pal_usercopy)
        return 0;
    return rip >= lo && rip - lo < tls->elf_span[0];
}

/* rsp lies on this thread's PAL stack. */
static int on_pal_stack(uint64_t rsp)
{
    const struct sgx_layout_tls *tls = tls_self();
    uint64_t top = g_encl.base + tls->stack_top_offset;

    return rsp <= top && rsp > top - tls->stack_size;
}

/* A probe of the PAL's own: an instruction that faults on some hosts (with
 * one of `vectors`) and so tells something about the host for good (*flag
 * = value). It continues at cont. (Addresses come as arguments, computed
 * RIP-relative: no relocated table.) */
static void probe(struct exc_ctx *ctx, uint8_t vector, uint32_t vectors, const char *site, const char *cont,
                  uint8_t *flag, uint8_t value)
{
    if (vector >= 32 || !(vectors >> vector & 1) || ctx->gpr.rip != (uint64_t)site)
        return;
    __atomic_store_n(flag, value, __ATOMIC_RELAXED);
    ctx->gpr.rip = (uint64_t)cont;
    enclave_resume(ctx);
}

void enclave_stage2(struct exc_ctx *ctx)
{
    struct enclave_thread *t = thread_self();
    uint64_t level = ctx->level;

    if (level > 0 && !on_pal_stack(ctx->gpr.rsp))
        /* A stage-1 entry is interrupted only once it runs on this stack
         * (SSA[c] is armed there): resuming it anywhere else would stage
         * its registers on the host's stack. */
        enclave_eexit(EXIT_FATAL, FATAL_BAD_STACK, level, t->ursp, t->urbp, t->exit_addr);
    uint8_t vector = sgx_exitinfo_vector(ctx->gpr.exitinfo);
    uint64_t cont;

    if (!sgx_exitinfo_valid(ctx->gpr.exitinfo)) {
        /* An interrupt (AEX-Notify, or a host signal's EENTER; level 0:
         * stage 1 resumed any other by ERESUME): host signals posted
         * meanwhile go to the libOS, then resume. */
        __atomic_add_fetch(&g_encl.notifications, 1, __ATOMIC_RELAXED);
        enclave_signal_notified(ctx);
        enclave_resume(ctx);
    }
    __atomic_add_fetch(&g_encl.exceptions, 1, __ATOMIC_RELAXED);
    t->fault.handled++;
    t->fault.vector = vector;
    t->fault.addr = (vector == SGX_VEC_PF || vector == SGX_VEC_GP) ? ctx->exinfo.maddr : 0;
    if (level == 0 && vector == SGX_VEC_PF &&
        enclave_heap_lazy_fault(ctx->exinfo.maddr, ctx->exinfo.errcd))
        enclave_resume(ctx); /* a lazy page, committed now: the access again */
    if (level == 0 && enclave_upcalls && t->libos_gs && !in_pal(ctx->gpr.rip))
        enclave_upcall(ctx); /* program or libOS code: the libOS decides */
    if (vector == SGX_VEC_BP)
        enclave_resume(ctx); /* int3 is a trap: RIP already points past it */
    /* The base sync was an ordinary #UD: this host keeps bases on its own
     * (hardware, or a sim with FSGSBASE), whatever it said. */
    probe(ctx, vector, 1u << SGX_VEC_UD, enclave_sync_site, enclave_sync_cont, &enclave_bases_volatile, 0);
    /* RDTSC is illegal here (SGX1) or the host makes it fault: the clocks
     * ask the host from now on (pal_clock.c). */
    probe(ctx, vector, 1u << SGX_VEC_UD | 1u << SGX_VEC_GP, enclave_rdtsc_site, enclave_rdtsc_cont,
          &enclave_tsc_off, 1);
    cont = fixup_for(ctx->gpr.rip);
    if (!cont)
        enclave_eexit(EXIT_FATAL, FATAL_UNHANDLED, vector, t->ursp, t->urbp, t->exit_addr);
    ctx->gpr.rip = cont;
    enclave_resume(ctx);
}
