/* The sim's enclave instance, shared by the build leaves (sim_build.c) and
 * the execution leaves (sim_enter.c, sim_aex.c, sim_keys.c). Internal to the
 * sim: the rest of Geode sees only struct sgx_driver_encl as an opaque type.
 *
 * Memory: the enclave's pages live in a memfd. The range [base, base+size)
 * maps it MAP_SHARED with each page's EPCM permissions (what enclave code
 * and, in sim, host code see); `alias` maps the same memfd read-write at
 * another address, so the sim's leaves (the "CPU") can read and write TCS
 * and SSA pages whose EPCM permissions deny ordinary accesses. */
#ifndef GEODE_SGX_SIM_ENCL_H
#define GEODE_SGX_SIM_ENCL_H

#include <stdbool.h>
#include <stdint.h>
#include <ucontext.h>

#include "measure.h"
#include "sim_build.h"
#include "sim_run.h"

struct sgx_driver_encl {
    struct sgx_secs secs; /* first: needs its 4096 alignment */
    const struct sgx_sim_cpu *cpu;
    bool created, initialized;
    volatile bool lost;   /* EPC loss injected: every page is gone */
    uint8_t *base;        /* the mapped part of ELRANGE: all of it, or from
                             SGX_LOW_BASE_GAP up when BASEADDR is 0 */
    uint64_t map_len;
    uint8_t *alias;       /* the same pages, read-write, for the sim only */
    int memfd;
    int pkey;             /* protection key of the pages (isolation), or -1 */
    struct sgx_sim_epcm *epcm;
    /* Per page, calloc'd and written only where used: the ETRACK epoch of
     * the last EMODPR/EMODT, and a TCS page's entry word (sim_edmm.c). */
    uint32_t *mod_epoch;
    uint32_t *tcs_entry;
    /* Per page: the host's page-table protection (PROT_*, what mprotect on
     * the enclave range asked for); the mapping gets it intersected with
     * what the EPCM allows (sim_edmm.c). */
    uint8_t *pte;
    /* Per page: SIM_XTRAP_* (sim_edmm.c, docs/sim.md "ENCLU pages"). */
    uint8_t *xtrap;
    /* The ENCLU whose page has the direct-EEXIT stub, or 0 (sim_xexit.c). */
    uint64_t xstub;
    /* SGX2: ETRACK epochs (entries record theirs in the TCS's entry word),
     * and the lock the SGX2 leaves take (spin: leaves run in handlers). */
    volatile uint32_t epoch, tracked;
    uint64_t *tcs_pages; /* page index of every TCS (EADD, EMODT), for ETRACK */
    uint64_t n_tcs, cap_tcs;
    volatile int sgx2_lock;
    struct sgx_measure measure;
    /* From the SIGSTRUCT at EINIT, for EREPORT/EGETKEY. */
    uint8_t isv_family_id[16];
    uint8_t isv_ext_prod_id[16];
    struct sgx_sim_counters counters;
    /* Entries left before an injected EPC loss (0: none armed). */
    volatile uint64_t loss_after_entries;
};

/* The registry of live enclaves, for the signal handlers: the enclave whose
 * ELRANGE holds addr, or NULL. Lock-free reads (async-signal-safe). */
struct sgx_driver_encl *sim_encl_find(uint64_t addr);
int sim_encl_register(struct sgx_driver_encl *encl);
void sim_encl_unregister(struct sgx_driver_encl *encl);

/* Address of enclave offset `off` in the sim's read-write alias. */
static inline void *sim_alias(const struct sgx_driver_encl *encl, uint64_t off)
{
    return encl->alias + off;
}

/* True when [addr, addr+len) lies inside ELRANGE, on valid REG pages whose
 * EPCM permissions include all of `perms`. */
bool sim_encl_range_ok(const struct sgx_driver_encl *encl, uint64_t addr, uint64_t len, uint8_t perms);

/* SGX2 (sim_edmm.c). The host mapping of pages [first, first + n): the
 * page-table protection intersected with the EPCM (none for pages not in
 * the EPCM, PENDING, MODIFIED, TRIM or TCS). 0 or -errno. */
int sim_apply_prot(struct sgx_driver_encl *encl, uint64_t first, uint64_t n);
/* ENCLU pages: a page where enclave code ran ENCLU (taken as #UD or #GP,
 * each a VM exit on a guest) is mapped without execute permission
 * (SIM_XTRAP_ON), so its next ENCLU is an instruction fetch #PF at the
 * ENCLU: the leaf, for a fraction of the cost. A fetch there of anything
 * else makes it SIM_XTRAP_MIXED: executable again, for good. */
enum { SIM_XTRAP_NONE, SIM_XTRAP_ON, SIM_XTRAP_MIXED, SIM_XTRAP_STUB };
/* After a #UD/#GP at the ENCLU at rip: its page gets the direct-EEXIT stub
 * (SIM_XTRAP_STUB, sim_xexit.c) or becomes an ENCLU page, unless other
 * code ran there, or the ENCLU crosses into the next page. */
void sim_xtrap_note(struct sgx_driver_encl *encl, uint64_t rip);
/* Whether a #PF at addr (instruction fetch) is the sim's own on an ENCLU page. */
bool sim_xtrap_fetch(const struct sgx_driver_encl *encl, uint64_t addr, uint32_t err);

/* The enclave-side SGX2 leaves; 0, or the vector of the fault to raise
 * (the #PF address and error code in fault_addr and errcd). */
int sim_eaccept(struct sgx_driver_encl *encl, ucontext_t *uc, uint64_t *fault_addr, uint32_t *errcd);
int sim_eacceptcopy(struct sgx_driver_encl *encl, ucontext_t *uc, uint64_t *fault_addr, uint32_t *errcd);
int sim_emodpe(struct sgx_driver_encl *encl, ucontext_t *uc, uint64_t *fault_addr, uint32_t *errcd);
/* A #PF of enclave code at addr (host error code err): the kernel's
 * sgx_vma_fault (EAUG of a page not in the enclave yet) and the EPCM's
 * verdict. Returns the error code the enclave sees (with SGX_PFEC_SGX when
 * the EPCM refused the access), err unchanged, or SIM_EDMM_FAULT_RESOLVED:
 * the sim's mapping lagged a widening leaf and is up to date now (no
 * exception: the access is retried, as on hardware it would not fault). */
#define SIM_EDMM_FAULT_RESOLVED 0xffffffffu
uint32_t sim_edmm_fault(struct sgx_driver_encl *encl, uint64_t addr, uint32_t err);
/* The driver interface's SGX2 operations (platform/sgx_driver.h). */
int sim_restrict_permissions(struct sgx_driver_encl *encl, struct sgx_enclave_restrict_permissions *a);
int sim_modify_types(struct sgx_driver_encl *encl, struct sgx_enclave_modify_types *a);
int sim_remove_pages(struct sgx_driver_encl *encl, struct sgx_enclave_remove_pages *a);
int sim_augment(struct sgx_driver_encl *encl, uint64_t addr, uint64_t len);
int sim_protect(struct sgx_driver_encl *encl, uint64_t addr, uint64_t len, int prot);
/* MADV_POPULATE_WRITE of [addr, addr + len), a large range's upper half by
 * a helper thread (sim_populate.c); sim_populate_forked after a fork. */
void sim_populate_write(uint64_t addr, uint64_t len);
void sim_populate_forked(void);
/* A page became a TCS (EADD, EMODT): ETRACK looks at it. 0 or -ENOMEM. */
int sim_tcs_note(struct sgx_driver_encl *encl, uint64_t page);
/* EENTER/ERESUME take the TCS page (false: busy, #GP), which records the
 * entry's ETRACK epoch; EEXIT, an AEX or a failed entry release it. */
bool sim_tcs_take(struct sgx_driver_encl *encl, uint64_t tcs_page);
void sim_tcs_release(struct sgx_driver_encl *encl, uint64_t tcs_page);

/* Makes every page inaccessible and marks the enclave lost. */
void sim_encl_lose(struct sgx_driver_encl *encl);

/* The process's protection key for enclave pages (allocated once, denied
 * to host code). 0 or -errno (no PKU). */
int sim_isolation_pkey(int *pkey);

/* PKRU in the signal frame: enclave mode allows the enclave's key; the host
 * side gets back the PKRU it had at entry (sim_xsave.c). */
struct sim_thread;
void sim_pkru_enter(struct sim_thread *t, ucontext_t *uc);
void sim_pkru_leave(struct sim_thread *t, ucontext_t *uc);

/* Loads the default root key if none is set yet (sim_keys.c). */
void sim_root_key_ensure(void);

#endif
