/* The direct EEXIT: an EEXIT without a signal (docs/sim.md, "Direct EEXIT").
 *
 * An ENCLU that is alone at the end of an ENCLU page (the 3 bytes before
 * the page end, int3 fill before it: the trusted PAL's enclave_enclu) gets
 * a stub: the sim maps, at that page's address, a private copy of the page
 * in which the ENCLU is a jump back into the fill, where a few
 * instructions test RAX == EEXIT without touching a flag or a register
 * they do not put back. EEXIT jumps to sim_xexit (sim_vdso.c); every
 * other leaf jumps to a page of the sim's without access, whose fetch
 * fault is taken as the trap of the page's own ENCLU. sim_xexit does on
 * the host side what the signal handler would: bases, selector, mask,
 * TCS, counters, RIP = RBX.
 *
 * Only the fill differs from the enclave's page: the enclave's own reads
 * of those bytes see the stub (the sim's alias, EDBGRD and the measurement
 * keep the real ones). A signal while the thread is in the stub or in
 * sim_xexit before it leaves enclave mode is taken at the ENCLU, with the
 * registers the enclave had there (sim_xexit_stub_rewind,
 * sim_xexit_rewind). */
#include <string.h>
#include <sys/mman.h>

#include "sim_ctx.h"
#include "sim_exec.h"

#define PAGE SGX_PAGE_SIZE
/* The stub starts STUB_BACK bytes before the ENCLU (in reach of a short jump). */
#define STUB_BACK 56
#define STUB_EXIT 32 /* the address of sim_xexit */
#define STUB_LEAF 40 /* the address of leaf_trap */

static const uint8_t stub_code[STUB_EXIT] = {
    0x48, 0x91,                         /*  0: xchg %rax, %rcx */
    0x48, 0x8d, 0x49, 0xfc,             /*  2: lea -4(%rcx), %rcx */
    0xe3, 0x0c,                         /*  6: jrcxz 20 */
    0x48, 0x8d, 0x49, 0x04,             /*  8: lea 4(%rcx), %rcx */
    0x48, 0x91,                         /* 12: xchg %rax, %rcx */
    0xff, 0x25, 0x14, 0x00, 0x00, 0x00, /* 14: jmp *40(%rip): any leaf but EEXIT */
    0x48, 0x8d, 0x49, 0x04,             /* 20: lea 4(%rcx), %rcx */
    0x48, 0x91,                         /* 24: xchg %rax, %rcx */
    0xff, 0x25, 0x00, 0x00, 0x00, 0x00, /* 26: jmp *32(%rip): EEXIT */
};
_Static_assert(STUB_LEAF + 8 <= STUB_BACK, "the stub ends before the ENCLU");

/* A page of the sim's with no access: the other leaves jump there, and the
 * fetch fault at it is the ENCLU's trap (a #PF costs the guest less than
 * the #UD or #GP of an ENCLU: "ENCLU pages"). One per process. */
static void *leaf_trap;

/* What a position in the stub means for the registers the enclave had at
 * the ENCLU. */
enum { AT_ENCLU, SWAPPED, SWAPPED_MINUS4 };

static int stub_state(uint64_t off)
{
    switch (off) {
    case 0:
    case 14:
    case 26:
        return AT_ENCLU;
    case 2:
    case 12:
    case 24:
        return SWAPPED;
    case 6:
    case 8:
    case 20:
        return SWAPPED_MINUS4;
    default:
        return -1;
    }
}

static void *leaf_trap_page(void)
{
    void *p = __atomic_load_n(&leaf_trap, __ATOMIC_ACQUIRE), *none = NULL;

    if (p)
        return p;
    p = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (!__atomic_compare_exchange_n(&leaf_trap, &none, p, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        munmap(p, PAGE);
        p = none;
    }
    return p;
}

bool sim_direct_ok(const struct sgx_driver_encl *encl)
{
    return !encl->cpu->rdtsc_ud && encl->pkey <= 0 && !sim_bases.arch_prctl &&
           !sim_bases.emulate_loss;
}

int sim_xexit_install(struct sgx_driver_encl *encl, uint64_t rip, int prot)
{
    uint64_t page = rip & ~(PAGE - 1);
    const uint8_t *real = sim_alias(encl, page - encl->secs.base);
    uint8_t *copy;
    uint64_t exit = (uint64_t)(uintptr_t)sim_xexit, leaf = (uint64_t)(uintptr_t)leaf_trap_page();

    if (encl->xstub || rip % PAGE != PAGE - 3 || !sim_direct_ok(encl) || (prot & PROT_WRITE) ||
        (prot & (PROT_READ | PROT_EXEC)) != (PROT_READ | PROT_EXEC))
        return -1;
    if (!leaf)
        return -1;
    for (uint64_t i = PAGE - 3 - STUB_BACK; i < PAGE - 3; i++)
        if (real[i] != 0xcc)
            return -1;
    copy = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (copy == MAP_FAILED)
        return -1;
    memcpy(copy, real, PAGE);
    memcpy(copy + PAGE - 3 - STUB_BACK, stub_code, sizeof(stub_code));
    memcpy(copy + PAGE - 3 - STUB_BACK + STUB_EXIT, &exit, sizeof(exit));
    memcpy(copy + PAGE - 3 - STUB_BACK + STUB_LEAF, &leaf, sizeof(leaf));
    copy[PAGE - 3] = 0xeb; /* jmp back to the stub */
    copy[PAGE - 2] = (uint8_t)(-(STUB_BACK + 2));
    /* Prepared aside, then moved over the page in one step: a thread
     * running there sees the old page or the whole new one, at worst
     * without execute permission until the mprotect below (its fetch fault
     * waits for the lock the caller holds, then finds the mapping up to
     * date). Execute permission is given only inside the enclave's range,
     * which is all that geode's host confinement allows (urts_confine.c). */
    if (mprotect(copy, PAGE, PROT_READ) || mremap(copy, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
                                                  (void *)(uintptr_t)page) == MAP_FAILED) {
        munmap(copy, PAGE);
        return -1;
    }
    /* Failing that, the enclave's own page back, as ECREATE mapped it;
     * failing that too, the stub stays (published below), and the fetch
     * fault of the next thread there makes the mapping up to date. */
    if (mprotect((void *)(uintptr_t)page, PAGE, prot) &&
        mmap((void *)(uintptr_t)page, PAGE, prot, MAP_SHARED | MAP_FIXED, encl->memfd,
             (off_t)(page - encl->secs.base)) != MAP_FAILED)
        return -1;
    __atomic_store_n(&encl->xstub, rip, __ATOMIC_RELEASE);
    return 0;
}

static void swap_rax_rcx(ucontext_t *uc)
{
    greg_t v = SIM_GREG(uc, RAX);

    SIM_GREG(uc, RAX) = SIM_GREG(uc, RCX);
    SIM_GREG(uc, RCX) = v;
}

bool sim_xexit_stub_rewind(struct sgx_driver_encl *encl, int sig, const siginfo_t *si,
                           ucontext_t *uc)
{
    uint64_t enclu = __atomic_load_n(&encl->xstub, __ATOMIC_ACQUIRE), rip = SIM_RIP(uc);
    uint64_t trap = (uint64_t)(uintptr_t)__atomic_load_n(&leaf_trap, __ATOMIC_ACQUIRE);
    int state;

    if (!enclu)
        return false;
    if (rip == trap) {
        /* After the jump: the registers are the ENCLU's. Its fetch fault
         * is the trap of the leaf; any other signal came before it. */
        SIM_GREG(uc, RIP) = (greg_t)enclu;
        if (sig == SIGSEGV && si->si_code > 0 && (uint64_t)(uintptr_t)si->si_addr == trap)
            return true;
        __atomic_add_fetch(&encl->counters.xexit_rewinds, 1, __ATOMIC_RELAXED);
        return false;
    }
    /* #BP/#DB in the fill stay where they are (int3 reports the next RIP). */
    if (rip < enclu - STUB_BACK || rip >= enclu || (sig == SIGTRAP && si->si_code > 0))
        return false;
    state = stub_state(rip - (enclu - STUB_BACK));
    if (state == SWAPPED_MINUS4)
        SIM_GREG(uc, RCX) += 4;
    if (state == SWAPPED || state == SWAPPED_MINUS4)
        swap_rax_rcx(uc);
    if (state >= 0) {
        SIM_GREG(uc, RIP) = (greg_t)enclu;
        __atomic_add_fetch(&encl->counters.xexit_rewinds, 1, __ATOMIC_RELAXED);
    }
    return false;
}

bool sim_xexit_in_window(const ucontext_t *uc)
{
    uint64_t rip = SIM_RIP(uc);

    return rip >= (uint64_t)(uintptr_t)sim_xexit && rip < (uint64_t)(uintptr_t)sim_xexit_commit;
}

bool sim_xexit_rewind(struct sim_thread *t, int sig, const siginfo_t *si, ucontext_t *uc)
{
    uint64_t rip = SIM_RIP(uc), sp = (uint64_t)SIM_GREG(uc, RSP);
    const uint64_t *slot = (const uint64_t *)(uintptr_t)sp;
    bool own = si->si_code > 0 && (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL) &&
               rip < (uint64_t)(uintptr_t)sim_xexit_bases;

    if (rip >= (uint64_t)(uintptr_t)sim_xexit_saved) {
        SIM_GREG(uc, RCX) = (greg_t)slot[XEXIT_RCX / 8];
        SIM_GREG(uc, RDX) = (greg_t)slot[XEXIT_RDX / 8];
        SIM_GREG(uc, RSI) = (greg_t)slot[XEXIT_RSI / 8];
        SIM_GREG(uc, RDI) = (greg_t)slot[XEXIT_RDI / 8];
        SIM_GREG(uc, R8) = (greg_t)slot[XEXIT_R8 / 8];
        SIM_GREG(uc, R9) = (greg_t)slot[XEXIT_R9 / 8];
        SIM_GREG(uc, R10) = (greg_t)slot[XEXIT_R10 / 8];
        SIM_GREG(uc, R11) = (greg_t)slot[XEXIT_R11 / 8];
        SIM_GREG(uc, RAX) = SGX_EEXIT;
    }
    if (rip >= (uint64_t)(uintptr_t)sim_xexit_bases) {
        t->encl_fsbase = slot[XEXIT_FS / 8];
        t->encl_gsbase = slot[XEXIT_GS / 8];
    }
    if (rip > (uint64_t)(uintptr_t)sim_xexit)
        SIM_GREG(uc, RSP) = (greg_t)(sp + XEXIT_FRAME);
    SIM_GREG(uc, RIP) = (greg_t)__atomic_load_n(&t->encl->xstub, __ATOMIC_ACQUIRE);
    __atomic_add_fetch(&t->encl->counters.xexit_rewinds, 1, __ATOMIC_RELAXED);
    return own;
}

/* sim_xexit's last step, on the host side: what the signal path's EEXIT
 * does after the mode switch (sim_exec_leave). No vector register is
 * touched: the enclave's are left as it left them. Returns the AEP (RCX). */
__attribute__((target("general-regs-only"))) uint64_t sim_xexit_done(struct sim_thread *t)
{
    struct sgx_driver_encl *encl = t->encl;

    sim_tcs_release(encl, (t->tcs - encl->secs.base) / PAGE);
    __atomic_add_fetch(&encl->counters.eexit, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&encl->counters.eexit_direct, 1, __ATOMIC_RELAXED);
    return t->aep;
}
