/* SGX2 in the sim: the EPCM states PENDING, MODIFIED and PR, the page types
 * REG/TCS/TRIM, the leaves EAUG, EMODPR, EMODT, ETRACK, EREMOVE (ENCLS:
 * the driver side) and EACCEPT, EACCEPTCOPY, EMODPE (ENCLU: enclave code),
 * with the checks and faults of their SDM pseudocode (vol. 3D ch. 38), and
 * the kernel's EDMM model around them (arch/x86/kernel/cpu/sgx/): a fault on
 * a page of the enclave's range that was never added EAUGs it
 * (sgx_vma_fault -> sgx_encl_eaug_page), and the ioctls
 * SGX_IOC_ENCLAVE_RESTRICT_PERMISSIONS, _MODIFY_TYPES and _REMOVE_PAGES run
 * EMODPR, EMODT (each followed by ETRACK and the IPIs that end the epoch)
 * and EREMOVE as ioctl.c does, with its checks and errnos.
 *
 * The host mapping of a page is its page-table protection (what mprotect
 * asked for, `pte`) intersected with what the EPCM allows, so enclave code
 * faults where the CPU would. A page the EPCM refuses while the page table
 * allows the access faults with the SGX bit in the error code, as on
 * hardware. Leaves that only widen what the EPCM allows (EACCEPT,
 * EACCEPTCOPY, EMODPE) leave the mapping as it was: the first access that
 * faults on it brings it up to date (sim_edmm_fault) and resumes, so a
 * commit of many pages costs one mprotect, not one per EACCEPT (each a TLB
 * shootdown of every thread's CPU). Leaves and ioctls that narrow it apply
 * it before they return. Invariant: a page not in the EPCM reads zero in
 * the memfd (EREMOVE punches it), which is EAUG's zeroing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sim_ctx.h"
#include "sim_exec.h"

#define PAGE SGX_PAGE_SIZE
#define SECINFO_KNOWN (SGX_SECINFO_PERM_MASK | SGX_SECINFO_STATE_MASK | SGX_SECINFO_TYPE_MASK)
#define BUSY_STATE (SGX_SECINFO_PENDING | SGX_SECINFO_MODIFIED)
#define RFLAGS_ZF 0x40ULL
#define RFLAGS_STATUS 0x8d5ULL /* CF PF AF ZF SF OF */

static void lock(struct sgx_driver_encl *encl)
{
    while (__atomic_exchange_n(&encl->sgx2_lock, 1, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
}

static void unlock(struct sgx_driver_encl *encl)
{
    __atomic_store_n(&encl->sgx2_lock, 0, __ATOMIC_RELEASE);
}

static int perms_prot(uint8_t perms)
{
    return ((perms & SGX_SECINFO_R) ? PROT_READ : 0) | ((perms & SGX_SECINFO_W) ? PROT_WRITE : 0) |
           ((perms & SGX_SECINFO_X) ? PROT_EXEC : 0);
}

/* What the EPCM lets enclave code do with a page. */
static int epcm_allows(const struct sgx_sim_epcm *m)
{
    if (!m->valid || m->type != SGX_PT_REG || (m->state & BUSY_STATE))
        return PROT_NONE;
    return perms_prot(m->perms);
}

/* What both the page table and the EPCM allow on page i. */
static int page_allows(const struct sgx_driver_encl *encl, uint64_t i)
{
    return encl->pte[i] & epcm_allows(&encl->epcm[i]);
}

/* What the mapping of page i gives: page_allows, but no execution on an
 * ENCLU page. */
static int mapped_prot(const struct sgx_driver_encl *encl, uint64_t i)
{
    int prot = page_allows(encl, i);

    return encl->xtrap[i] == SIM_XTRAP_ON ? prot & ~PROT_EXEC : prot;
}

int sim_apply_prot(struct sgx_driver_encl *encl, uint64_t first, uint64_t n)
{
    uint64_t lo =
        (uint64_t)(encl->base - (uint8_t *)(uintptr_t)encl->secs.base) / PAGE; /* mapped from */

    if (first < lo) {
        n = first + n > lo ? first + n - lo : 0;
        first = lo;
    }
    for (uint64_t i = first; i < first + n;) {
        int prot = mapped_prot(encl, i);
        uint64_t j = i + 1;

        while (j < first + n && mapped_prot(encl, j) == prot)
            j++;
        if (pkey_mprotect((void *)(uintptr_t)(encl->secs.base + i * PAGE), (j - i) * PAGE, prot,
                          encl->pkey))
            return -errno;
        i = j;
    }
    return 0;
}

/* ---- ENCLS (driver side) ----------------------------------------------------- */

/* A page's epoch and entry word back to 0, as a whole EPCM entry once was;
 * read first, so the arrays' pages of pages never modified stay untouched. */
static void clear_side(struct sgx_driver_encl *encl, uint64_t p)
{
    if (encl->mod_epoch[p])
        encl->mod_epoch[p] = 0;
    if (__atomic_load_n(&encl->tcs_entry[p], __ATOMIC_RELAXED))
        __atomic_store_n(&encl->tcs_entry[p], 0, __ATOMIC_RELAXED);
}

/* EAUG: a zero page, REG, RW, PENDING. */
static void eaug(struct sgx_driver_encl *encl, uint64_t p)
{
    encl->epcm[p] = (struct sgx_sim_epcm){.valid = 1,
                                          .type = SGX_PT_REG,
                                          .perms = SGX_SECINFO_R | SGX_SECINFO_W,
                                          .state = SGX_SECINFO_PENDING};
    clear_side(encl, p);
    __atomic_add_fetch(&encl->counters.eaug, 1, __ATOMIC_RELAXED);
}

/* sgx_vma_fault's SGX2 branch: the page is not in the enclave, the enclave
 * is initialized and the VMA allows the access: EAUG. */
static bool fault_eaug(struct sgx_driver_encl *encl, uint64_t p, int need)
{
    if (encl->epcm[p].valid || !encl->cpu->sgx2 || !encl->initialized || encl->lost ||
        !(encl->pte[p] & need))
        return false;
    eaug(encl, p);
    return true;
}

static int access_of(uint32_t err)
{
    return (err & SGX_PFEC_W) ? PROT_WRITE : (err & SGX_PFEC_I) ? PROT_EXEC : PROT_READ;
}

/* Pages a stale mapping is brought up to date around a fault: one
 * mprotect for the run a commit just accepted. */
#define REFRESH_WINDOW 64ULL

uint32_t sim_edmm_fault(struct sgx_driver_encl *encl, uint64_t addr, uint32_t err)
{
    uint64_t p = (addr - encl->secs.base) / PAGE, first, n;
    int need = access_of(err);
    const struct sgx_sim_epcm *m = &encl->epcm[p];

    if (addr < encl->secs.base || p >= encl->secs.size / PAGE)
        return err;
    lock(encl);
    if (fault_eaug(encl, p, need))
        sim_apply_prot(encl, p, 1);
    if (need == PROT_EXEC && encl->xtrap[p] == SIM_XTRAP_ON) {
        encl->xtrap[p] = SIM_XTRAP_MIXED; /* other code runs there: below, the mapping is refreshed */
        __atomic_add_fetch(&encl->counters.xtrap_mixed, 1, __ATOMIC_RELAXED);
    }
    if (m->valid && (encl->pte[p] & need) && (epcm_allows(m) & need)) {
        /* Both allow it: the mapping is older than a widening leaf. */
        first = p & ~(REFRESH_WINDOW - 1);
        n = encl->secs.size / PAGE - first < REFRESH_WINDOW ? encl->secs.size / PAGE - first
                                                            : REFRESH_WINDOW;
        err = sim_apply_prot(encl, first, n) ? err : SIM_EDMM_FAULT_RESOLVED;
    } else if (m->valid && (encl->pte[p] & need)) {
        /* The page table allows it, the EPCM does not: an EPCM fault. */
        err |= SGX_PFEC_SGX | SGX_PFEC_P;
    }
    unlock(encl);
    return err;
}

void sim_xtrap_note(struct sgx_driver_encl *encl, uint64_t rip)
{
    uint64_t p = (rip - encl->secs.base) / PAGE;

    if (rip % PAGE > PAGE - 3 || encl->xtrap[p] != SIM_XTRAP_NONE)
        return;
    lock(encl);
    if (encl->xtrap[p] == SIM_XTRAP_NONE &&
        sim_xexit_install(encl, rip, page_allows(encl, p)) == 0) {
        encl->xtrap[p] = SIM_XTRAP_STUB;
    } else if (encl->xtrap[p] == SIM_XTRAP_NONE) {
        encl->xtrap[p] = SIM_XTRAP_ON;
        sim_apply_prot(encl, p, 1);
        __atomic_add_fetch(&encl->counters.xtrap_pages, 1, __ATOMIC_RELAXED);
    }
    unlock(encl);
}

bool sim_xtrap_fetch(const struct sgx_driver_encl *encl, uint64_t addr, uint32_t err)
{
    uint64_t p = (addr - encl->secs.base) / PAGE;

    return (err & SGX_PFEC_I) && addr >= encl->secs.base && p < encl->secs.size / PAGE &&
           __atomic_load_n(&encl->xtrap[p], __ATOMIC_RELAXED) == SIM_XTRAP_ON &&
           (page_allows(encl, p) & PROT_EXEC);
}

int sim_tcs_note(struct sgx_driver_encl *encl, uint64_t page)
{
    if (encl->n_tcs == encl->cap_tcs) {
        uint64_t cap = encl->cap_tcs ? 2 * encl->cap_tcs : 16,
                 *n = realloc(encl->tcs_pages, cap * sizeof(*n));

        if (!n)
            return -ENOMEM;
        encl->tcs_pages = n;
        encl->cap_tcs = cap;
    }
    encl->tcs_pages[encl->n_tcs++] = page;
    return 0;
}

/* The entry word of a TCS (its EPCM entry's `entry`) is both its busy
 * flag and the epoch of the thread on it: ENTRY_FREE, then ENTRY_ENTERING
 * once a thread took the TCS and has not read the epoch, then inside(e)
 * while it runs in epoch e. Entering threads take the epoch without the
 * SGX2 lock (EENTER and ERESUME run in signal handlers), so an ETRACK can
 * fall between the load of the epoch and the store: the entry then keeps
 * the newer epoch ETRACK gave it (compare-and-swap on both sides), and an
 * entry still ENTERING counts as the new epoch, which is where its load of
 * the epoch will put it. (With a separate busy flag, a thread seen busy
 * with its previous entry's epoch made EACCEPT of pages changed meanwhile
 * SGX_NOT_TRACKED until it left, as a CPU never would after the kernel's
 * ETRACK and IPIs.) */
#define ENTRY_FREE 0u
#define ENTRY_ENTERING 1u

static uint32_t inside(uint32_t epoch)
{
    return epoch << 1 | 1u;
}

bool sim_tcs_take(struct sgx_driver_encl *encl, uint64_t tcs_page)
{
    uint32_t *w = &encl->tcs_entry[tcs_page], want = ENTRY_FREE;

    if (!__atomic_compare_exchange_n(w, &want, ENTRY_ENTERING, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST))
        return false;
    want = ENTRY_ENTERING;
    __atomic_compare_exchange_n(w, &want, inside(__atomic_load_n(&encl->epoch, __ATOMIC_SEQ_CST)),
                                false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return true;
}

void sim_tcs_release(struct sgx_driver_encl *encl, uint64_t tcs_page)
{
    __atomic_store_n(&encl->tcs_entry[tcs_page], ENTRY_FREE, __ATOMIC_SEQ_CST);
}

static bool tcs_busy(const struct sgx_driver_encl *encl, uint64_t page)
{
    return __atomic_load_n(&encl->tcs_entry[page], __ATOMIC_ACQUIRE) != ENTRY_FREE;
}

/* ETRACK, then the kernel's IPIs (sgx_enclave_etrack): every thread inside
 * leaves by an AEX and comes back in the new epoch. The sim moves the
 * running entries to the new epoch without the AEX itself (no
 * notification is delivered for it). */
static void etrack(struct sgx_driver_encl *encl)
{
    uint32_t e = __atomic_add_fetch(&encl->epoch, 1, __ATOMIC_SEQ_CST);

    __atomic_store_n(&encl->tracked, e - 1, __ATOMIC_RELEASE);
    for (uint64_t i = 0; i < encl->n_tcs; i++) {
        uint32_t *w = &encl->tcs_entry[encl->tcs_pages[i]];
        uint32_t v = __atomic_load_n(w, __ATOMIC_SEQ_CST);

        while (v != ENTRY_FREE && !__atomic_compare_exchange_n(w, &v, inside(e), false,
                                                               __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            ;
    }
}

/* Tracking is complete for a change made in epoch `mod`: an ETRACK came
 * after it and no entry of that epoch or before is still inside. */
static bool tracked(const struct sgx_driver_encl *encl, uint32_t mod)
{
    uint32_t t = __atomic_load_n(&encl->tracked, __ATOMIC_ACQUIRE);

    if (mod > t || !t)
        return false;
    for (uint64_t i = 0; i < encl->n_tcs; i++) {
        uint32_t v = __atomic_load_n(&encl->tcs_entry[encl->tcs_pages[i]], __ATOMIC_SEQ_CST);

        if (v != ENTRY_FREE && v != ENTRY_ENTERING && v >> 1 <= t)
            return false;
    }
    return true;
}

/* The mapping of the pages an ioctl changed, [off, off + len), once at its
 * end: the EPCM changes it made take effect for enclave code when tracking
 * completes, which on hardware is the end of the ioctl too (its ETRACK and
 * IPIs), so one mprotect serves them all. */
static void narrow_mapping(struct sgx_driver_encl *encl, uint64_t off, uint64_t len)
{
    if (!len)
        return;
    lock(encl);
    sim_apply_prot(encl, off / PAGE, len / PAGE);
    unlock(encl);
}

/* sgx_validate_offset_length() */
static int check_range(const struct sgx_driver_encl *encl, uint64_t offset, uint64_t length)
{
    if ((offset | length) & (PAGE - 1) || !length || offset >= encl->secs.size ||
        length > encl->secs.size - offset)
        return -EINVAL;
    return 0;
}

/* sgx_ioc_sgx2_ready() */
static int sgx2_ready(const struct sgx_driver_encl *encl)
{
    if (!encl->cpu->sgx2)
        return -ENODEV;
    return encl->initialized ? 0 : -EINVAL;
}

/* EMODPR/EMODT return 0, an SGX error code, or ENCLS_FAULT (#GP/#PF: the
 * kernel turns it into -EFAULT). */
#define ENCLS_FAULT (-1)

/* EMODPR on page p. */
static int emodpr(struct sgx_driver_encl *encl, uint64_t p, uint64_t perms)
{
    struct sgx_sim_epcm *m = &encl->epcm[p];

    if ((perms & SGX_SECINFO_W) && !(perms & SGX_SECINFO_R))
        return ENCLS_FAULT;
    if (!m->valid)
        return ENCLS_FAULT;
    if (m->state & BUSY_STATE)
        return SGX_PAGE_NOT_MODIFIABLE;
    if (m->type != SGX_PT_REG)
        return ENCLS_FAULT;
    m->perms &= (uint8_t)perms;
    __atomic_add_fetch(&encl->counters.emodpr, 1, __ATOMIC_RELAXED);
    m->state |= SGX_SECINFO_PR;
    encl->mod_epoch[p] = encl->epoch;
    return 0;
}

/* EMODT on page p to type `type` (TCS or TRIM). */
static int emodt(struct sgx_driver_encl *encl, uint64_t p, uint8_t type)
{
    struct sgx_sim_epcm *m = &encl->epcm[p];

    if (type != SGX_PT_TCS && type != SGX_PT_TRIM)
        return ENCLS_FAULT;
    if (!m->valid)
        return ENCLS_FAULT;
    if (m->state & BUSY_STATE)
        return SGX_PAGE_NOT_MODIFIABLE;
    if (!(m->type == SGX_PT_REG || (m->type == SGX_PT_TCS && type == SGX_PT_TRIM)))
        return ENCLS_FAULT;
    m->type = type;
    __atomic_add_fetch(&encl->counters.emodt, 1, __ATOMIC_RELAXED);
    m->perms = 0;
    m->state = SGX_SECINFO_MODIFIED;
    encl->mod_epoch[p] = encl->epoch;
    return 0;
}

int sim_restrict_permissions(struct sgx_driver_encl *encl,
                             struct sgx_enclave_restrict_permissions *a)
{
    int ret = sgx2_ready(encl);
    uint64_t c;

    if (ret)
        return ret;
    if (check_range(encl, a->offset, a->length) || (a->permissions & ~SGX_SECINFO_PERM_MASK) ||
        ((a->permissions & SGX_SECINFO_W) && !(a->permissions & SGX_SECINFO_R)) || a->result ||
        a->count)
        return -EINVAL;
    for (c = 0; c < a->length; c += PAGE) {
        uint64_t p = (a->offset + c) / PAGE;

        lock(encl);
        if (!encl->epcm[p].valid)
            ret = -EFAULT; /* sgx_encl_load_page: no such page */
        else if (encl->epcm[p].type != SGX_PT_REG)
            ret = -EINVAL;
        else
            ret = emodpr(encl, p, a->permissions);
        if (ret > 0)
            a->result = (uint64_t)ret;
        if (!ret)
            etrack(encl);
        unlock(encl);
        if (ret)
            break;
    }
    a->count = c;
    narrow_mapping(encl, a->offset, c);
    return ret > 0 || ret == ENCLS_FAULT ? -EFAULT : ret;
}

int sim_modify_types(struct sgx_driver_encl *encl, struct sgx_enclave_modify_types *a)
{
    int ret = sgx2_ready(encl);
    uint8_t type = (uint8_t)a->page_type;
    uint64_t c;

    if (ret)
        return ret;
    if (check_range(encl, a->offset, a->length) || (a->page_type & ~0xffULL) || a->result ||
        a->count)
        return -EINVAL;
    if (type != SGX_PT_TCS && type != SGX_PT_TRIM)
        return -EINVAL;
    for (c = 0; c < a->length; c += PAGE) {
        uint64_t p = (a->offset + c) / PAGE;
        const struct sgx_sim_epcm *m = &encl->epcm[p];

        lock(encl);
        if (!m->valid)
            ret = -EFAULT;
        else if (!(m->type == SGX_PT_REG || (m->type == SGX_PT_TCS && type == SGX_PT_TRIM)))
            ret = -EINVAL;
        else if (m->type == SGX_PT_REG && type == SGX_PT_TCS &&
                 (encl->pte[p] & (PROT_READ | PROT_WRITE)) != (PROT_READ | PROT_WRITE))
            ret = -EPERM;
        else
            ret = emodt(encl, p, type);
        if (!ret && type == SGX_PT_TCS && sim_tcs_note(encl, p))
            ret = -ENOMEM;
        if (ret > 0)
            a->result = (uint64_t)ret;
        if (!ret)
            etrack(encl);
        unlock(encl);
        if (ret)
            break;
    }
    a->count = c;
    narrow_mapping(encl, a->offset, c);
    return ret > 0 || ret == ENCLS_FAULT ? -EFAULT : ret;
}

/* EREMOVE of page p: out of the EPCM; its contents go with punch(). */
static void eremove(struct sgx_driver_encl *encl, uint64_t p)
{
    encl->epcm[p] = (struct sgx_sim_epcm){0};
    clear_side(encl, p);
    __atomic_add_fetch(&encl->counters.eremove, 1, __ATOMIC_RELAXED);
}

/* The memfd pages [first, first + n) read zero again (the invariant at
 * the top): one hole for the run, one TLB shootdown. */
static void punch(struct sgx_driver_encl *encl, uint64_t first, uint64_t n)
{
    if (n && madvise(encl->alias + first * PAGE, n * PAGE, MADV_REMOVE))
        memset(encl->alias + first * PAGE, 0, n * PAGE);
}

/* Under one hold of the lock, so that no page is EAUGed again between its
 * EREMOVE and the hole that zeroes it. */
int sim_remove_pages(struct sgx_driver_encl *encl, struct sgx_enclave_remove_pages *a)
{
    int ret = sgx2_ready(encl);
    uint64_t c;

    if (ret)
        return ret;
    if (check_range(encl, a->offset, a->length) || a->count)
        return -EINVAL;
    lock(encl);
    for (c = 0; c < a->length; c += PAGE) {
        uint64_t p = (a->offset + c) / PAGE;
        const struct sgx_sim_epcm *m = &encl->epcm[p];

        if (!m->valid)
            ret = -EFAULT;
        else if (m->type != SGX_PT_TRIM || (m->state & SGX_SECINFO_MODIFIED))
            ret = -EPERM; /* not trimmed, or not EACCEPTed yet (EMODPR would succeed) */
        else if (tcs_busy(encl, p))
            ret = -EBUSY;
        if (ret)
            break;
        eremove(encl, p);
    }
    a->count = c;
    punch(encl, a->offset / PAGE, c / PAGE);
    if (c)
        sim_apply_prot(encl, a->offset / PAGE, c / PAGE);
    unlock(encl);
    return ret;
}

int sim_augment(struct sgx_driver_encl *encl, uint64_t addr, uint64_t len)
{
    uint64_t off = addr - encl->secs.base, first, n;
    int ret = 0;

    if (!encl->cpu->sgx2)
        return -ENODEV;
    if (addr < encl->secs.base || check_range(encl, off, len))
        return -EINVAL;
    first = off / PAGE;
    n = len / PAGE;
    lock(encl);
    for (uint64_t p = first; p < first + n && !ret; p++)
        if (!encl->epcm[p].valid && !fault_eaug(encl, p, PROT_READ))
            ret = -EFAULT; /* a host access there would get SIGBUS/SIGSEGV */
    if (!ret)
        ret = sim_apply_prot(encl, first, n);
    unlock(encl);
    return ret;
}

int sim_protect(struct sgx_driver_encl *encl, uint64_t addr, uint64_t len, int prot)
{
    uint64_t off = addr - encl->secs.base;
    int ret;

    if (addr < encl->secs.base || check_range(encl, off, len) ||
        (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
        return -EINVAL;
    lock(encl);
    memset(encl->pte + off / PAGE, prot, len / PAGE);
    ret = sim_apply_prot(encl, off / PAGE, len / PAGE);
    unlock(encl);
    /* A range the enclave has made writable it is about to write (the
     * trusted PAL zeroes what it commits): its page-table entries now, in
     * one call, rather than a fault per page (a large range's upper half
     * by a helper thread: sim_populate.c). A hint, as the host's page
     * tables are: where a page is not writable (not in the EPCM, or
     * another thread narrowed it meanwhile) the call stops there. */
    if (!ret && (prot & PROT_WRITE))
        sim_populate_write(addr, len);
    return ret;
}

/* ---- ENCLU (enclave code) ------------------------------------------------- */

struct leaf {
    struct sgx_driver_encl *encl;
    uint64_t *fault_addr;
    uint32_t *errcd;
};

static int gp(void)
{
    return SGX_VEC_GP;
}

static int pf(const struct leaf *l, uint64_t addr, uint32_t err)
{
    *l->fault_addr = addr;
    *l->errcd = err;
    return SGX_VEC_PF;
}

/* Inside ELRANGE and aligned to `align`, or #GP. */
static bool in_range(const struct sgx_driver_encl *encl, uint64_t addr, uint64_t align)
{
    return !(addr & (align - 1)) && addr >= encl->secs.base &&
           addr - encl->secs.base < encl->secs.size;
}

/* An operand page the leaf reads (SECINFO, EACCEPTCOPY's source): a valid,
 * readable REG page not PENDING or MODIFIED; else #PF at it. A page the
 * kernel would EAUG on this access is EAUGed (and is then PENDING). */
static int read_operand(const struct leaf *l, uint64_t addr, void *out, size_t len)
{
    struct sgx_driver_encl *encl = l->encl;
    uint64_t p = (addr - encl->secs.base) / PAGE;
    const struct sgx_sim_epcm *m = &encl->epcm[p];

    if (!m->valid && !fault_eaug(encl, p, PROT_READ))
        return pf(l, addr, SGX_PFEC_U);
    if (!(epcm_allows(m) & PROT_READ))
        return pf(l, addr, SGX_PFEC_U | SGX_PFEC_P | SGX_PFEC_SGX);
    memcpy(out, sim_alias(encl, addr - encl->secs.base), len);
    return 0;
}

/* SECINFO from RBX: 64-byte aligned in ELRANGE (#GP), readable (#PF),
 * reserved bits and bytes zero (#GP). */
static int read_secinfo(const struct leaf *l, uint64_t addr, struct sgx_secinfo *si)
{
    static const uint8_t zero[sizeof(si->reserved)];
    int v;

    if (!in_range(l->encl, addr, 64))
        return gp();
    v = read_operand(l, addr, si, sizeof(*si));
    if (v)
        return v;
    if ((si->flags & ~SECINFO_KNOWN) || memcmp(si->reserved, zero, sizeof(zero)))
        return gp();
    return 0;
}

/* The target page in RCX: 4 KiB aligned in ELRANGE (#GP); in the EPCM
 * (else the kernel EAUGs it on the fault, or #PF). */
static int target(const struct leaf *l, uint64_t addr, uint64_t *page)
{
    struct sgx_driver_encl *encl = l->encl;
    uint64_t p;

    if (!in_range(encl, addr, PAGE))
        return gp();
    p = (addr - encl->secs.base) / PAGE;
    if (!encl->epcm[p].valid && !fault_eaug(encl, p, PROT_READ))
        return pf(l, addr, SGX_PFEC_U);
    *page = p;
    return 0;
}

static void result(ucontext_t *uc, uint64_t rax)
{
    uint64_t fl = (uint64_t)SIM_GREG(uc, EFL) & ~RFLAGS_STATUS;

    SIM_GREG(uc, RAX) = (greg_t)rax;
    SIM_GREG(uc, EFL) = (greg_t)(fl | (rax ? RFLAGS_ZF : 0));
}

/* The SECINFO combinations EACCEPT accepts (SDM: EACCEPT, "Check that the
 * combination of requested PT, PENDING and MODIFIED is legal"). */
static bool accept_combination_ok(uint64_t f)
{
    uint8_t type = (uint8_t)sgx_secinfo_type(f);
    uint64_t st = f & SGX_SECINFO_STATE_MASK;

    if (type == SGX_PT_REG)
        return st == SGX_SECINFO_PR || st == SGX_SECINFO_PENDING || st == SGX_SECINFO_MODIFIED;
    return (type == SGX_PT_TCS || type == SGX_PT_TRIM) && st == SGX_SECINFO_MODIFIED;
}

static int eaccept_locked(const struct leaf *l, ucontext_t *uc)
{
    struct sgx_driver_encl *encl = l->encl;
    struct sgx_secinfo si;
    struct sgx_sim_epcm *m;
    uint64_t p;
    int v = read_secinfo(l, (uint64_t)SIM_GREG(uc, RBX), &si);

    v = v ? v : target(l, (uint64_t)SIM_GREG(uc, RCX), &p);
    if (v)
        return v;
    if (!accept_combination_ok(si.flags))
        return gp();
    m = &encl->epcm[p];
    if (m->type != SGX_PT_REG && m->type != SGX_PT_TCS && m->type != SGX_PT_TRIM)
        return pf(l, (uint64_t)SIM_GREG(uc, RCX), SGX_PFEC_U | SGX_PFEC_P | SGX_PFEC_SGX);
    if ((m->state & SGX_SECINFO_STATE_MASK) != (si.flags & SGX_SECINFO_STATE_MASK) ||
        m->perms != (si.flags & SGX_SECINFO_PERM_MASK) || m->type != sgx_secinfo_type(si.flags)) {
        result(uc, SGX_PAGE_ATTRIBUTES_MISMATCH);
        return 0;
    }
    if ((m->state & (SGX_SECINFO_MODIFIED | SGX_SECINFO_PR)) && !tracked(encl, encl->mod_epoch[p])) {
        result(uc, SGX_NOT_TRACKED);
        return 0;
    }
    m->state = 0; /* only widens: the mapping follows at a fault */
    __atomic_add_fetch(&encl->counters.eaccept, 1, __ATOMIC_RELAXED);
    result(uc, 0);
    return 0;
}

static int eacceptcopy_locked(const struct leaf *l, ucontext_t *uc)
{
    static uint8_t copy[PAGE]; /* under the lock */
    struct sgx_driver_encl *encl = l->encl;
    uint64_t src = (uint64_t)SIM_GREG(uc, RDX), p;
    struct sgx_secinfo si;
    struct sgx_sim_epcm *m;
    int v = read_secinfo(l, (uint64_t)SIM_GREG(uc, RBX), &si);

    if (!v && !in_range(encl, src, PAGE))
        v = gp();
    v = v ? v : read_operand(l, src, copy, PAGE);
    v = v ? v : target(l, (uint64_t)SIM_GREG(uc, RCX), &p);
    if (v)
        return v;
    if (sgx_secinfo_type(si.flags) != SGX_PT_REG || (si.flags & SGX_SECINFO_STATE_MASK) ||
        ((si.flags & SGX_SECINFO_W) && !(si.flags & SGX_SECINFO_R)))
        return gp();
    m = &encl->epcm[p];
    if (m->type != SGX_PT_REG || m->state != SGX_SECINFO_PENDING ||
        m->perms != (SGX_SECINFO_R | SGX_SECINFO_W)) {
        result(uc, SGX_PAGE_ATTRIBUTES_MISMATCH);
        return 0;
    }
    memcpy(sim_alias(encl, p * PAGE), copy, PAGE);
    m->perms = (uint8_t)(si.flags & SGX_SECINFO_PERM_MASK);
    m->state = 0; /* only widens: the mapping follows at a fault */
    result(uc, 0);
    return 0;
}

static int emodpe_locked(const struct leaf *l, ucontext_t *uc)
{
    struct sgx_driver_encl *encl = l->encl;
    uint64_t addr = (uint64_t)SIM_GREG(uc, RCX), p;
    struct sgx_secinfo si;
    struct sgx_sim_epcm *m;
    int v = read_secinfo(l, (uint64_t)SIM_GREG(uc, RBX), &si);

    v = v ? v : target(l, addr, &p);
    if (v)
        return v;
    m = &encl->epcm[p];
    if (m->type != SGX_PT_REG || (m->state & BUSY_STATE))
        return pf(l, addr, SGX_PFEC_U | SGX_PFEC_P | SGX_PFEC_SGX);
    if ((si.flags & SGX_SECINFO_W) && !(si.flags & SGX_SECINFO_R) && !(m->perms & SGX_SECINFO_R))
        return gp();
    m->perms |= (uint8_t)(si.flags & SGX_SECINFO_PERM_MASK); /* the mapping follows at a fault */
    __atomic_add_fetch(&encl->counters.emodpe, 1, __ATOMIC_RELAXED);
    return 0;
}

static int run_leaf(struct sgx_driver_encl *encl, ucontext_t *uc, uint64_t *fault_addr,
                    uint32_t *errcd, int (*fn)(const struct leaf *, ucontext_t *))
{
    struct leaf l = {encl, fault_addr, errcd};
    int v;

    if (!encl->cpu->sgx2)
        return SGX_VEC_UD;
    lock(encl);
    v = fn(&l, uc);
    unlock(encl);
    return v;
}

int sim_eaccept(struct sgx_driver_encl *encl, ucontext_t *uc, uint64_t *fault_addr, uint32_t *errcd)
{
    return run_leaf(encl, uc, fault_addr, errcd, eaccept_locked);
}

int sim_eacceptcopy(struct sgx_driver_encl *encl, ucontext_t *uc, uint64_t *fault_addr,
                    uint32_t *errcd)
{
    return run_leaf(encl, uc, fault_addr, errcd, eacceptcopy_locked);
}

int sim_emodpe(struct sgx_driver_encl *encl, ucontext_t *uc, uint64_t *fault_addr, uint32_t *errcd)
{
    return run_leaf(encl, uc, fault_addr, errcd, emodpe_locked);
}
