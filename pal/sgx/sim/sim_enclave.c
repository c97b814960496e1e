/* Signals taken while enclave code runs: ENCLU leaves executed by the
 * enclave (EEXIT, EDECCSSA, EREPORT, EGETKEY) or an AEX. */
#include <string.h>

#include "sim_ctx.h"
#include "enclave_abi.h"
#include "sim_exec.h"

#ifndef SYS_USER_DISPATCH
#define SYS_USER_DISPATCH 2 /* si_code of a Syscall User Dispatch SIGSYS */
#endif

/* The 3 bytes at rip, read through the alias (code pages may be X-only). */
static bool enclu_at(const struct sgx_driver_encl *encl, uint64_t rip)
{
    const uint8_t *p;

    if (!sim_encl_range_ok(encl, rip, 3, SGX_SECINFO_X))
        return false;
    p = sim_alias(encl, rip - encl->secs.base);
    return p[0] == 0x0f && p[1] == 0x01 && p[2] == 0xd7;
}

/* The base sync (enclave_abi.h) at rip, served only where the sim told the
 * enclave its bases are volatile; elsewhere UD1 is the #UD it is. */
static bool base_sync_at(const struct sgx_driver_encl *encl, const ucontext_t *uc)
{
    const uint8_t *p;
    uint64_t rip = SIM_RIP(uc);

    if (!sim_bases.arch_prctl || (uint64_t)SIM_GREG(uc, RAX) != ENCLAVE_SYNC_BASES_RAX ||
        !sim_encl_range_ok(encl, rip, ENCLAVE_SYNC_BASES_LEN, SGX_SECINFO_X))
        return false;
    p = sim_alias(encl, rip - encl->secs.base);
    return p[0] == 0x0f && p[1] == 0xb9 && p[2] == 0xc0;
}

/* RDTSC (0F 31) or RDTSCP (0F 01 F9) at rip: with PR_TSC_SIGSEGV they
 * fault as #GP; on a CPU model where they are illegal in enclaves, #UD. */
static bool rdtsc_at(const struct sgx_driver_encl *encl, uint64_t rip)
{
    const uint8_t *p;

    if (!encl->cpu->rdtsc_ud || !sim_encl_range_ok(encl, rip, 3, SGX_SECINFO_X))
        return false;
    p = sim_alias(encl, rip - encl->secs.base);
    return p[0] == 0x0f && (p[1] == 0x31 || (p[1] == 0x01 && p[2] == 0xf9));
}

/* Maps a signal from enclave code to the exception the CPU raised (or -1:
 * an interrupt). Signals sent by a process (si_code <= 0) are interrupts. */
static struct sim_event event_from_signal(const struct sgx_driver_encl *encl, int sig, const siginfo_t *si,
                                          ucontext_t *uc)
{
    struct sim_event ev = {.vector = -1};
    long trapno = (long)SIM_GREG(uc, TRAPNO);

    if (si->si_code <= 0 && si->si_code != SI_KERNEL)
        return ev;
    if (sig == SIGILL) {
        ev.vector = SGX_VEC_UD;
    } else if (sig == SIGSYS && si->si_code == SYS_USER_DISPATCH) {
        /* `syscall` is #UD in an enclave; the fault is at the instruction. */
        ev.vector = SGX_VEC_UD;
        SIM_GREG(uc, RIP) -= 2;
    } else if (sig == SIGSEGV && si->si_code == SI_KERNEL && rdtsc_at(encl, SIM_RIP(uc))) {
        ev.vector = SGX_VEC_UD;
    } else if (sig == SIGSEGV || sig == SIGBUS) {
        ev.vector = trapno == SGX_VEC_GP || si->si_code == SI_KERNEL ? SGX_VEC_GP : SGX_VEC_PF;
        ev.errcd = (uint32_t)SIM_GREG(uc, ERR);
        ev.maddr = ev.vector == SGX_VEC_PF ? (uint64_t)(uintptr_t)si->si_addr : 0;
        if (ev.vector == SGX_VEC_PF && sim_encl_find(ev.maddr) == encl) {
            uint32_t e = sim_edmm_fault((struct sgx_driver_encl *)encl, ev.maddr, ev.errcd);

            if (e == SIM_EDMM_FAULT_RESOLVED && sig == SIGSEGV && si->si_code == SEGV_ACCERR)
                ev.vector = SIM_EVENT_NONE;
            else if (e != SIM_EDMM_FAULT_RESOLVED)
                ev.errcd = e;
        }
    } else if (sig == SIGFPE) {
        ev.vector = trapno == SGX_VEC_MF || trapno == SGX_VEC_XM ? (int)trapno : SGX_VEC_DE;
    } else if (sig == SIGTRAP) {
        ev.vector = trapno == SGX_VEC_DB ? SGX_VEC_DB : SGX_VEC_BP;
    }
    return ev;
}

static void eexit(struct sim_thread *t, ucontext_t *uc)
{
    SIM_GREG(uc, RIP) = SIM_GREG(uc, RBX);
    SIM_GREG(uc, RCX) = (greg_t)t->aep;
    __atomic_add_fetch(&t->encl->counters.eexit, 1, __ATOMIC_RELAXED);
    sim_exec_leave(t, uc);
}

static int edeccssa(struct sim_thread *t)
{
    struct sgx_driver_encl *encl = t->encl;
    struct sgx_tcs *tcs = sim_alias(encl, t->tcs - encl->secs.base);

    if (!encl->cpu->edeccssa)
        return SGX_VEC_UD;
    if (tcs->cssa == 0)
        return SGX_VEC_GP;
    tcs->cssa--;
    __atomic_add_fetch(&encl->counters.edeccssa, 1, __ATOMIC_RELAXED);
    return 0;
}

/* Runs the leaf in RAX; 0 when execution continues after the ENCLU, 1 when
 * the thread left the enclave, or -vector for a fault (#PF: address and
 * error code in *ev). */
static int enclave_leaf(struct sim_thread *t, ucontext_t *uc, struct sim_event *ev)
{
    int v;

    switch (SIM_GREG(uc, RAX)) {
    case SGX_EEXIT:
        eexit(t, uc);
        return 1;
    case SGX_EDECCSSA:
        v = edeccssa(t);
        break;
    case SGX_EREPORT:
        v = sim_ereport(t->encl, uc);
        break;
    case SGX_EGETKEY:
        v = sim_egetkey(t->encl, uc);
        break;
    case SGX_EACCEPT:
        v = sim_eaccept(t->encl, uc, &ev->maddr, &ev->errcd);
        break;
    case SGX_EMODPE:
        v = sim_emodpe(t->encl, uc, &ev->maddr, &ev->errcd);
        break;
    case SGX_EACCEPTCOPY:
        v = sim_eacceptcopy(t->encl, uc, &ev->maddr, &ev->errcd);
        break;
    case SGX_EVERIFYREPORT2:
        v = SGX_VEC_UD; /* not simulated (docs/sim.md) */
        break;
    default:
        v = SGX_VEC_GP; /* EENTER/ERESUME inside an enclave, unknown leaves */
        break;
    }
    return -v;
}

#define SIM_REFRESH_MAX 4

/* Whether the signal is enclave code's ENCLU at RIP: its #UD or #GP (the
 * page then becomes an ENCLU page), the #PF of a fetch on an ENCLU page
 * (the sim's own: the page table and the EPCM allow execution), or a #PF
 * with the SGX error bit. Any other #PF there is the page fault it is. */
static bool enclu_trap(struct sgx_driver_encl *encl, int sig, const siginfo_t *si, const ucontext_t *uc)
{
    uint64_t rip = SIM_RIP(uc);
    uint32_t err = (uint32_t)SIM_GREG(uc, ERR);

    if (!sim_enclu_fault(sig, si) || !enclu_at(encl, rip))
        return false;
    if (sig == SIGSEGV && si->si_code != SI_KERNEL) {
        if (err & SGX_PFEC_SGX)
            return true;
        if (!sim_xtrap_fetch(encl, (uint64_t)(uintptr_t)si->si_addr, err))
            return false;
        __atomic_add_fetch(&encl->counters.enclu_fetch, 1, __ATOMIC_RELAXED);
        return true;
    }
    sim_xtrap_note(encl, rip);
    return true;
}

void sim_exec_enclave_signal(struct sim_thread *t, int sig, siginfo_t *si, ucontext_t *uc)
{
    siginfo_t ill;
    struct sim_event ev;
    int ret;

    if (t->encl->lost) {
        sim_aex_lost(t, si, uc);
        return;
    }
    if (sim_xexit_stub_rewind(t->encl, sig, si, uc)) {
        ill = (siginfo_t){.si_signo = SIGILL, .si_code = ILL_ILLOPN};
        sig = SIGILL;
        si = &ill; /* the trap of the page's ENCLU */
    }
    if (sig == SIGILL && si->si_code > 0 && base_sync_at(t->encl, uc)) {
        /* sim_thread_to_host read the live bases; writing them back with
         * arch_prctl makes them the ones the kernel keeps. */
        __atomic_add_fetch(&t->encl->counters.base_syncs, 1, __ATOMIC_RELAXED);
        SIM_GREG(uc, RIP) += ENCLAVE_SYNC_BASES_LEN;
        sim_thread_to_enclave(t, t->encl_fsbase, t->encl_gsbase);
        return;
    }
    if (enclu_trap(t->encl, sig, si, uc)) {
        struct sim_event leaf_ev = {0};

        ret = enclave_leaf(t, uc, &leaf_ev);
        if (ret == 0) {
            SIM_GREG(uc, RIP) += 3;
            sim_thread_to_enclave(t, t->encl_fsbase, t->encl_gsbase);
        }
        if (ret >= 0)
            return;
        ev = (struct sim_event){.vector = -ret};
        if (ev.vector == SGX_VEC_PF) {
            ev.maddr = leaf_ev.maddr;
            ev.errcd = leaf_ev.errcd;
        }
    } else {
        ev = event_from_signal(t->encl, sig, si, uc);
        if (ev.vector == SIM_EVENT_NONE) {
            /* The same page again and again right after its refresh: the
             * mapping is not the reason, and retrying would loop (a #PF as
             * it was). Once more is another thread's widening leaf. */
            uint64_t page = (uint64_t)(uintptr_t)si->si_addr & ~0xfffULL;

            t->refreshes = t->refreshed_page == page ? t->refreshes + 1 : 1;
            t->refreshed_page = page;
            if (t->refreshes <= SIM_REFRESH_MAX) {
                sim_thread_to_enclave(t, t->encl_fsbase, t->encl_gsbase);
                return;
            }
            ev.vector = SGX_VEC_PF;
        }
        t->refreshed_page = 0;
    }
    sim_aex(t, sig, si, uc, &ev);
}
