/* Asynchronous Enclave Exit (SDM vol. 3D 36.3 and the AEX pseudocode):
 * the interrupted context goes into SSA[CSSA] (GPRSGX, XSAVE image, EXITINFO,
 * EXINFO), CSSA++, and the thread continues on the host side at the AEP with
 * the synthetic state RAX = ERESUME, RBX = TCS, RCX = AEP, RSP/RBP =
 * URSP/URBP, other GPRs 0. Then, like the kernel, the sim reports an
 * exception taken at the vDSO's ENCLU through the fixup (except #DB/#BP,
 * which the kernel never fixes up: those are delivered as SIGTRAP at the
 * AEP), and an interrupt (any other signal) by running the host's handler
 * at the AEP; returning from it executes ENCLU[ERESUME] there. */
#include <string.h>

#include "sim_ctx.h"
#include "sim_exec.h"
#include "sim_signal.h"

#define PF_LOST (SGX_SIM_PF_SGX | 0x4)

static uint32_t exitinfo_for(const struct sgx_secs *secs, int vector)
{
    if (vector < 0)
        return 0; /* interrupt: valid = 0 */
    /* #PF and #GP are reported only when the enclave asked for EXINFO. */
    if ((vector == SGX_VEC_PF || vector == SGX_VEC_GP) && !(secs->miscselect & SGX_MISC_EXINFO))
        return 0;
    return sgx_exitinfo_encode((uint8_t)vector, vector == SGX_VEC_BP ? SGX_EXITINFO_TYPE_SW : SGX_EXITINFO_TYPE_HW);
}

/* The interrupted context into the frame at CSSA. */
static void save_context(struct sim_thread *t, struct sgx_tcs *tcs, const ucontext_t *uc, const struct sim_event *ev)
{
    struct sgx_driver_encl *encl = t->encl;
    uint8_t *frame = sim_ssa_frame(encl, tcs, tcs->cssa);
    struct sgx_gprsgx *gpr = sim_ssa_gpr(encl, frame);

    sim_ctx_to_gpr(uc, gpr);
    gpr->fsbase = t->encl_fsbase;
    gpr->gsbase = t->encl_gsbase;
    gpr->exitinfo = exitinfo_for(&encl->secs, ev->vector);
    if (sgx_exitinfo_valid(gpr->exitinfo) && (ev->vector == SGX_VEC_PF || ev->vector == SGX_VEC_GP)) {
        struct sgx_exinfo *x = (struct sgx_exinfo *)(frame + sgx_ssa_exinfo_offset(encl->secs.ssa_frame_size));

        *x = (struct sgx_exinfo){.maddr = ev->maddr, .errcd = ev->errcd};
    }
    sim_xsave_save(uc, frame, encl->secs.attributes.xfrm);
}

/* The synthetic state at the AEP, on the untrusted stack saved in frame. */
static void synthetic_state(struct sim_thread *t, const struct sgx_gprsgx *frame_gpr, ucontext_t *uc)
{
    sim_ctx_clear_gprs(uc);
    SIM_GREG(uc, RAX) = SGX_ERESUME;
    SIM_GREG(uc, RBX) = (greg_t)t->tcs;
    SIM_GREG(uc, RCX) = (greg_t)t->aep;
    SIM_GREG(uc, RSP) = (greg_t)frame_gpr->ursp;
    SIM_GREG(uc, RBP) = (greg_t)frame_gpr->urbp;
    SIM_GREG(uc, RIP) = (greg_t)t->aep;
    SIM_GREG(uc, EFL) = 0x202;
    sim_xsave_init(uc, t->encl->secs.attributes.xfrm);
}

static bool kernel_fixes_up(const struct sim_thread *t, int vector)
{
    return vector >= 0 && vector != SGX_VEC_DB && vector != SGX_VEC_BP &&
           t->aep == (uint64_t)(uintptr_t)sim_vdso_enclu;
}

void sim_aex(struct sim_thread *t, int sig, siginfo_t *si, ucontext_t *uc, const struct sim_event *ev)
{
    struct sgx_driver_encl *encl = t->encl;
    struct sgx_tcs *tcs = sim_alias(encl, t->tcs - encl->secs.base);
    struct sgx_gprsgx *gpr = sim_ssa_gpr(encl, sim_ssa_frame(encl, tcs, tcs->cssa));

    save_context(t, tcs, uc, ev);
    tcs->cssa++;
    __atomic_add_fetch(&encl->counters.aex, 1, __ATOMIC_RELAXED);
    synthetic_state(t, gpr, uc);
    sim_exec_leave(t, uc);
    if (kernel_fixes_up(t, ev->vector)) {
        bool has_addr = ev->vector == SGX_VEC_PF;

        sim_fixup(uc, (unsigned)ev->vector, has_addr || ev->vector == SGX_VEC_GP ? ev->errcd : 0,
                  has_addr ? ev->maddr & ~0xfffULL : 0);
        return;
    }
    sim_signal_chain(sig, si, uc);
}

/* The enclave was lost under running code: nothing can be saved (the SSA is
 * gone too); the thread leaves at the AEP and the ERESUME the host would
 * execute there faults, which the kernel reports as #PF with the SGX bit. */
void sim_aex_lost(struct sim_thread *t, siginfo_t *si, ucontext_t *uc)
{
    struct sgx_driver_encl *encl = t->encl;
    const struct sgx_tcs *tcs = sim_alias(encl, t->tcs - encl->secs.base);
    /* The untrusted stack from the frame, as an AEX taken just before the
     * loss would have found it. */
    const struct sgx_gprsgx *gpr = sim_ssa_gpr(encl, sim_ssa_frame(encl, tcs, tcs->cssa));
    uint64_t addr = si && si->si_addr ? (uint64_t)(uintptr_t)si->si_addr : t->tcs;

    __atomic_add_fetch(&encl->counters.aex, 1, __ATOMIC_RELAXED);
    synthetic_state(t, gpr, uc);
    sim_exec_leave(t, uc);
    sim_fixup(uc, SGX_VEC_PF, PF_LOST, addr & ~0xfffULL);
}
