/* EENTER and ERESUME, executed by the vDSO's ENCLU on the host side (SDM
 * vol. 3D, ENCLU[EENTER], ENCLU[ERESUME]). Success rewrites the signal
 * context into the enclave's state; a fault is reported as the kernel's
 * vDSO fixup would (function = the leaf, vector, error code, address). */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim_ctx.h"
#include "sim_exec.h"
#include "sim_signal.h"

/* #PF error code of an access to a lost enclave: user mode, SGX. */
#define PF_LOST (SGX_SIM_PF_SGX | 0x4)
#define RFLAGS_USER 0x254dd5ULL /* CF PF AF ZF SF TF IF DF OF AC ID (+ bit 1) */

struct entry {
    struct sgx_driver_encl *encl;
    struct sgx_tcs *tcs;  /* alias address */
    uint64_t tcs_addr;
    uint64_t page;
    unsigned vector, errcd; /* the fault, when the leaf fails */
    uint64_t addr;
};

static int fault(struct entry *e, unsigned vector, unsigned errcd, uint64_t addr)
{
    e->vector = vector;
    e->errcd = errcd;
    e->addr = addr;
    return -1;
}

/* An armed loss fires at its entry (sgx_sim_inject_epc_loss_after). */
static void count_down_loss(struct sgx_driver_encl *encl)
{
    uint64_t n = __atomic_load_n(&encl->loss_after_entries, __ATOMIC_ACQUIRE);

    while (n && !__atomic_compare_exchange_n(&encl->loss_after_entries, &n, n - 1, false, __ATOMIC_ACQ_REL,
                                             __ATOMIC_ACQUIRE))
        ;
    if (n == 1)
        sim_encl_lose(encl);
}

/* The checks both leaves make on RBX: a TCS page of a live, initialized
 * enclave, valid FLAGS, not busy (then marked busy). */
static int take_tcs(struct entry *e, uint64_t tcs_addr)
{
    struct sgx_driver_encl *encl = sim_encl_find(tcs_addr);
    uint64_t flags, aexn;

    e->tcs_addr = tcs_addr;
    if (!encl || (tcs_addr & (SGX_PAGE_SIZE - 1)))
        return fault(e, SGX_VEC_GP, 0, 0);
    count_down_loss(encl);
    if (encl->lost)
        return fault(e, SGX_VEC_PF, PF_LOST, tcs_addr);
    e->page = (tcs_addr - encl->secs.base) / SGX_PAGE_SIZE;
    if (!encl->initialized || !encl->epcm[e->page].valid || encl->epcm[e->page].type != SGX_PT_TCS)
        return fault(e, SGX_VEC_GP, 0, 0);
    e->encl = encl;
    e->tcs = sim_alias(encl, tcs_addr - encl->secs.base);
    flags = e->tcs->flags;
    aexn = encl->secs.attributes.flags & SGX_ATTR_AEXNOTIFY;
    if ((flags & ~SGX_TCS_FLAGS_KNOWN) ||
        (!(flags & SGX_TCS_DBGOPTIN) && !!(flags & SGX_TCS_AEXNOTIFY) != !!aexn))
        return fault(e, SGX_VEC_GP, 0, 0);
    if (!sim_tcs_take(encl, e->page))
        return fault(e, SGX_VEC_GP, 0, 0);
    return 0;
}

static void release_tcs(struct entry *e)
{
    sim_tcs_release(e->encl, e->page);
}

/* SSA frame n must be valid read-write REG pages. */
static bool frame_ok(const struct entry *e, uint32_t n)
{
    const struct sgx_secs *s = &e->encl->secs;
    uint64_t bytes = (uint64_t)s->ssa_frame_size * SGX_PAGE_SIZE;

    return sim_encl_range_ok(e->encl, s->base + e->tcs->ossa + n * bytes, bytes, SGX_SECINFO_R | SGX_SECINFO_W);
}

static uint64_t sigmask_get(const ucontext_t *uc)
{
    uint64_t m;

    memcpy(&m, &uc->uc_sigmask, sizeof(m));
    return m;
}

static void sigmask_set(ucontext_t *uc, uint64_t m)
{
    memcpy(&uc->uc_sigmask, &m, sizeof(m));
}

/* Fault signals must never be blocked while enclave code runs: the kernel
 * would kill the thread. Every other signal keeps the host's mask: the sim
 * owns each one with a handler (sim_signal.c), so none runs host code in
 * enclave mode, and the direct EENTER and EEXIT need no rt_sigprocmask. */
#define FAULT_SIGS                                                                                 \
    ((1ULL << (SIGILL - 1)) | (1ULL << (SIGSEGV - 1)) | (1ULL << (SIGBUS - 1)) | (1ULL << (SIGFPE - 1)) | \
     (1ULL << (SIGTRAP - 1)) | (1ULL << (SIGSYS - 1)))

/* Common tail: this thread now runs enclave code on e's TCS. A direct
 * EENTER (no signal frame: uc is built by sim_direct_eenter) leaves the
 * mask, the bases and the mode switch to its caller. */
static void enter_enclave_mode(struct sim_thread *t, const struct entry *e, ucontext_t *uc, uint64_t fs, uint64_t gs)
{
    t->encl = e->encl;
    t->tcs = e->tcs_addr;
    t->aep = e->tcs->aep;
    if (!uc->uc_mcontext.fpregs) {
        t->entry.fsbase = fs;
        t->entry.gsbase = gs;
        return;
    }
    t->host_sigmask = sigmask_get(uc);
    t->mask_switched = (t->host_sigmask & FAULT_SIGS) != 0;
    t->tsc_trapped = e->encl->cpu->rdtsc_ud;
    if (t->mask_switched)
        sigmask_set(uc, t->host_sigmask & ~FAULT_SIGS);
    sim_pkru_enter(t, uc);
    sim_thread_to_enclave(t, fs, gs);
}

/* EENTER's effect, also ERESUME's with a pending AEX notification: URSP/
 * URBP into SSA[CSSA], RAX = CSSA, RCX = the address after ENCLU, RIP =
 * OENTRY, FS/GS bases from the TCS; other registers pass through. */
static void enter_at_oentry(struct sim_thread *t, const struct entry *e, ucontext_t *uc)
{
    uint64_t base = e->encl->secs.base, rip = SIM_RIP(uc);
    struct sgx_gprsgx *gpr = sim_ssa_gpr(e->encl, sim_ssa_frame(e->encl, e->tcs, e->tcs->cssa));

    gpr->ursp = (uint64_t)SIM_GREG(uc, RSP);
    gpr->urbp = (uint64_t)SIM_GREG(uc, RBP);
    e->tcs->aep = (uint64_t)SIM_GREG(uc, RCX);
    SIM_GREG(uc, RAX) = (greg_t)e->tcs->cssa;
    SIM_GREG(uc, RCX) = (greg_t)(rip + 3);
    SIM_GREG(uc, RIP) = (greg_t)(base + e->tcs->oentry);
    enter_enclave_mode(t, e, uc, base + e->tcs->ofsbase, base + e->tcs->ogsbase);
}

static int eenter(struct sim_thread *t, struct entry *e, ucontext_t *uc)
{
    if (take_tcs(e, (uint64_t)SIM_GREG(uc, RBX)))
        return -1;
    if (e->tcs->cssa >= e->tcs->nssa || !frame_ok(e, e->tcs->cssa)) {
        release_tcs(e);
        return fault(e, SGX_VEC_GP, 0, 0);
    }
    __atomic_add_fetch(&e->encl->counters.eenter, 1, __ATOMIC_RELAXED);
    enter_at_oentry(t, e, uc);
    return 0;
}

/* ERESUME proper: the context of SSA[CSSA-1] back, CSSA--. */
static void resume_frame(struct sim_thread *t, struct entry *e, ucontext_t *uc, uint8_t *frame)
{
    struct sgx_gprsgx *gpr = sim_ssa_gpr(e->encl, frame);
    uint64_t rflags = (uint64_t)SIM_GREG(uc, EFL);

    /* Keep the untrusted stack of this ERESUME for the next AEX. */
    gpr->ursp = (uint64_t)SIM_GREG(uc, RSP);
    gpr->urbp = (uint64_t)SIM_GREG(uc, RBP);
    e->tcs->aep = (uint64_t)SIM_GREG(uc, RCX);
    sim_ctx_from_gpr(uc, gpr);
    SIM_GREG(uc, EFL) = (greg_t)((gpr->rflags & RFLAGS_USER) | (rflags & ~RFLAGS_USER));
    sim_xsave_restore(uc, frame, e->encl->secs.attributes.xfrm);
    e->tcs->cssa--;
    enter_enclave_mode(t, e, uc, gpr->fsbase, gpr->gsbase);
}

static int eresume(struct sim_thread *t, struct entry *e, ucontext_t *uc)
{
    uint32_t cssa;
    uint8_t *prev;

    if (take_tcs(e, (uint64_t)SIM_GREG(uc, RBX)))
        return -1;
    cssa = e->tcs->cssa;
    if (cssa == 0 || cssa > e->tcs->nssa || !frame_ok(e, cssa - 1)) {
        release_tcs(e);
        return fault(e, SGX_VEC_GP, 0, 0);
    }
    prev = sim_ssa_frame(e->encl, e->tcs, cssa - 1);
    __atomic_add_fetch(&e->encl->counters.eresume, 1, __ATOMIC_RELAXED);
    if ((e->tcs->flags & SGX_TCS_AEXNOTIFY) && (sim_ssa_gpr(e->encl, prev)->aexnotify & SGX_SSA_AEXNOTIFY_ENABLE)) {
        /* AEX-Notify: deliver the notification at OENTRY instead. */
        if (cssa >= e->tcs->nssa || !frame_ok(e, cssa)) {
            release_tcs(e);
            return fault(e, SGX_VEC_GP, 0, 0);
        }
        enter_at_oentry(t, e, uc);
        return 0;
    }
    resume_frame(t, e, uc, prev);
    return 0;
}

bool sim_exec_host_enclu(struct sim_thread *t, ucontext_t *uc)
{
    struct entry e = {0};
    uint64_t leaf = (uint64_t)SIM_GREG(uc, RAX);
    int ret;

    if (SIM_RIP(uc) != (uint64_t)(uintptr_t)sim_vdso_enclu)
        return false;
    if (leaf == SGX_EENTER)
        ret = eenter(t, &e, uc);
    else if (leaf == SGX_ERESUME)
        ret = eresume(t, &e, uc);
    else
        ret = fault(&e, SGX_VEC_UD, 0, 0); /* other leaves are illegal outside an enclave */
    if (ret)
        sim_fixup(uc, e.vector, e.errcd, e.addr);
    return true;
}

/* EENTER from the sim's vDSO without the #UD and the signal (sim_vdso.c):
 * the vDSO is the sim's code, not the enclave's, so it may call the leaf.
 * regs holds the GPRs at the vDSO's ENCLU (GPRSGX order, RSP = the
 * address after them). The leaf runs on a context built from them with
 * the checks, faults and effects of the signal path; what differs is how
 * the state is loaded: on success t->entry holds the enclave's registers,
 * RIP and bases (the signal mask is the host's, unchanged), and the vDSO
 * sets the mode, the bases and the selector and jumps
 * (sim_direct_window). A signal in that window
 * completes the entry first (sim_direct_complete): the AEX is at OENTRY.
 * Returns t, or NULL when the vDSO must execute ENCLU instead (the cases
 * whose state lives in the signal frame or needs syscalls in the window:
 * PKRU isolation, RDTSC trapping, bases moved with arch_prctl), or 1 for
 * a fault of the leaf (RDI, RSI, RDX of regs = vector, error code, address). */
void *sim_direct_eenter(uint64_t *regs)
{
    struct sim_thread *t = sim_thread_current();
    struct sgx_driver_encl *encl = sim_encl_find(regs[3]);
    struct entry e = {0};
    ucontext_t uc;

    if (!t || !encl || !sim_direct_ok(encl))
        return NULL;
    memset(&uc.uc_mcontext, 0, sizeof(uc.uc_mcontext)); /* fpregs NULL: direct */
    for (int i = 0; i < 16; i++)
        uc.uc_mcontext.gregs[sim_gpr_reg[i]] = (greg_t)regs[i];
    SIM_GREG(&uc, RSP) = (greg_t)(uintptr_t)(regs + 16);
    SIM_GREG(&uc, RIP) = (greg_t)(uintptr_t)sim_vdso_enclu;
    if (eenter(t, &e, &uc)) {
        regs[7] = e.vector; /* RDI */
        regs[6] = e.errcd;  /* RSI */
        regs[2] = e.addr;   /* RDX */
        return (void *)1;
    }
    __atomic_add_fetch(&encl->counters.eenter_direct, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < 16; i++)
        t->entry.gpr[i] = (uint64_t)uc.uc_mcontext.gregs[sim_gpr_reg[i]];
    t->entry.rip = SIM_RIP(&uc);
    t->tsc_trapped = false;
    t->durable_fsbase = t->entry.fsbase;
    t->durable_gsbase = t->entry.gsbase;
    /* The mask stays the host's: the caller of drv->enter does not block
     * the fault signals (sgx_driver.h), which the kernel cannot deliver
     * blocked. */
    t->mask_switched = false;
    return t;
}

bool sim_direct_in_window(const ucontext_t *uc)
{
    uint64_t rip = SIM_RIP(uc);

    return rip >= (uint64_t)(uintptr_t)sim_direct_window &&
           rip < (uint64_t)(uintptr_t)sim_direct_window_end;
}

void sim_direct_complete(struct sim_thread *t, ucontext_t *uc)
{
    for (int i = 0; i < 16; i++)
        uc->uc_mcontext.gregs[sim_gpr_reg[i]] = (greg_t)t->entry.gpr[i];
    SIM_GREG(uc, RIP) = (greg_t)t->entry.rip;
    t->encl_fsbase = t->entry.fsbase;
    t->encl_gsbase = t->entry.gsbase;
}

void sim_fixup(ucontext_t *uc, unsigned vector, unsigned errcd, uint64_t addr)
{
    SIM_GREG(uc, RIP) = (greg_t)(uintptr_t)sim_vdso_handle_exception;
    SIM_GREG(uc, RDI) = (greg_t)vector;
    SIM_GREG(uc, RSI) = (greg_t)errcd;
    SIM_GREG(uc, RDX) = (greg_t)addr;
}

void sim_exec_leave(struct sim_thread *t, ucontext_t *uc)
{
    struct sgx_driver_encl *encl = t->encl;
    sim_tcs_release(encl, (t->tcs - encl->secs.base) / SGX_PAGE_SIZE);
    t->in_enclave = false;
    if (t->mask_switched)
        sigmask_set(uc, t->host_sigmask);
    sim_pkru_leave(t, uc);
}

uint8_t *sim_ssa_frame(const struct sgx_driver_encl *encl, const struct sgx_tcs *tcs, uint32_t n)
{
    return sim_alias(encl, tcs->ossa + (uint64_t)n * encl->secs.ssa_frame_size * SGX_PAGE_SIZE);
}

struct sgx_gprsgx *sim_ssa_gpr(const struct sgx_driver_encl *encl, uint8_t *frame)
{
    return (struct sgx_gprsgx *)(frame + sgx_ssa_gprsgx_offset(encl->secs.ssa_frame_size));
}
