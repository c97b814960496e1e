/* Trusted PAL: SGX2 (EDMM) for the heap pages the image builder left out
 * (sgx.edmm_enable; struct sgx_layout_tls.flags/heap_added).
 *
 * The host adds, restricts, trims and removes pages (OCALL_EDMM: the kernel's
 * fault-driven EAUG and its SGX2 ioctls); the enclave believes none of it.
 * Each page is EACCEPTed with the exact SECINFO the change must have left
 * (REG|RW|PENDING after an EAUG: a fresh zero page no one accepted before;
 * REG|perms|PR after a restriction; TRIM|MODIFIED before a removal), and any
 * other answer from the CPU is an error. Permissions are only ever extended
 * from inside (EMODPE), which needs no host.
 *
 * Cost: one OCALL makes the host EAUG a whole range (it touches every page
 * on its side: a host fault each, no enclave exit), then one EACCEPT per
 * page inside; no page is taken by a fault of enclave code. */
#include "pal_enclave.h"

#define PAGE 4096ULL


static long host_edmm(enum ocall_edmm_op op, uint64_t addr, uint64_t len, uint64_t perms)
{
    struct ocall_args a = {{op, (int64_t)addr, (int64_t)len, (int64_t)perms}};
    struct ocall_iov iov = {&a, sizeof(a)};
    int64_t r = enclave_ocallv(OCALL_EDMM, &iov, 1, NULL, 0, NULL);

    return r > 0 ? -PAL_EIO : r;
}

/* EACCEPT of every page of [addr, addr + pages * PAGE) with `flags`; the
 * first page the CPU refuses stops it (-PAL_EIO). */
static long accept_all(uint64_t addr, uint64_t pages, uint64_t flags)
{
    struct sgx_secinfo si __attribute__((aligned(64)));

    memset(&si, 0, sizeof(si));
    si.flags = flags;
    for (uint64_t i = 0; i < pages; i++)
        if (enclave_enclu_leaf(SGX_EACCEPT, (uint64_t)&si, addr + i * PAGE))
            return -PAL_EIO;
    return 0;
}

int enclave_edmm_on(void)
{
    return (tls_self()->flags & SGX_LAYOUT_TLS_EDMM) != 0;
}

uint64_t enclave_edmm_from(void)
{
    const struct sgx_layout_tls *tls = tls_self();

    return enclave_edmm_on() ? g_encl.base + tls->heap_offset + tls->heap_added : ~0ULL;
}

/* R always: the PAL itself reads committed pages whatever their protection
 * (fork sends them all), so a PROT_NONE or execute-only page is kept out of
 * reach by the host's page table, as on SGX1; W and X are the EPCM's. */
uint8_t enclave_edmm_perms(int prot)
{
    return (uint8_t)(SGX_SECINFO_R | ((prot & PAL_PROT_WRITE) ? SGX_SECINFO_W : 0) |
                     ((prot & PAL_PROT_EXEC) ? SGX_SECINFO_X : 0));
}

long enclave_edmm_add(uint64_t addr, uint64_t pages)
{
    long r = host_edmm(OCALL_EDMM_AUGMENT, addr, pages * PAGE, 0);

    /* Even when the host says no: the EACCEPT is the check (a page it did
     * not add faults, and the kernel adds it then). */
    (void)r;
    return accept_all(addr, pages,
                      SGX_SECINFO_REG | SGX_SECINFO_R | SGX_SECINFO_W | SGX_SECINFO_PENDING);
}

long enclave_edmm_change(uint64_t addr, uint64_t pages, uint8_t from, uint8_t to)
{
    struct sgx_secinfo si __attribute__((aligned(64)));
    uint8_t wider = (uint8_t)(from | to);

    if (wider != from) {
        memset(&si, 0, sizeof(si));
        si.flags = SGX_SECINFO_REG | wider;
        for (uint64_t i = 0; i < pages; i++)
            enclave_enclu_leaf(SGX_EMODPE, (uint64_t)&si, addr + i * PAGE);
    }
    if (wider == to)
        return 0;
    if (host_edmm(OCALL_EDMM_RESTRICT, addr, pages * PAGE, to))
        return -PAL_EIO;
    return accept_all(addr, pages, SGX_SECINFO_REG | SGX_SECINFO_PR | to);
}

/* Each page is EACCEPTed as trimmed whatever the host answered (a host
 * that trimmed part of the range and failed, or claimed a failure): a page
 * the CPU accepts as TRIM, or one trimmed but not tracked (which an honest
 * kernel never leaves after its ETRACK), is out of reach for good and goes
 * to gone(); a page the CPU says is not trimmed (attributes mismatch) is
 * still the enclave's, as it was. 0 when every page left. */
long enclave_edmm_remove(uint64_t addr, uint64_t pages, void (*gone)(uint64_t addr))
{
    struct sgx_secinfo si __attribute__((aligned(64)));
    uint64_t left = 0;
    long r = host_edmm(OCALL_EDMM_TRIM, addr, pages * PAGE, 0);

    memset(&si, 0, sizeof(si));
    si.flags = ((uint64_t)SGX_PT_TRIM << SGX_SECINFO_TYPE_SHIFT) | SGX_SECINFO_MODIFIED;
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t e = enclave_enclu_leaf(SGX_EACCEPT, (uint64_t)&si, addr + i * PAGE);

        if (e == 0 || e == SGX_NOT_TRACKED) {
            gone(addr + i * PAGE);
            left++;
        }
    }
    /* Whether the host frees the trimmed pages is its business. */
    if (left)
        host_edmm(OCALL_EDMM_REMOVE, addr, pages * PAGE, 0);
    return !r && left == pages ? 0 : -PAL_EIO;
}
