/* One driver interface for building and entering enclaves, with the exact
 * semantics of the Linux SGX driver's ioctls on /dev/sgx_enclave, so the loader
 * has a single code path whether the backend is the kernel or the sim.
 *
 * Argument structs are the kernel's (<asm/sgx.h>) and are in/out exactly as in
 * the ioctls. Return values:
 *   create     0 or -errno: -EINVAL (already created, SECS invalid: SIZE not a
 *              power of two >= 2 pages, BASEADDR not SIZE aligned, reserved
 *              ATTRIBUTES/MISCSELECT/XFRM bits or ones the CPU lacks, MODE64BIT
 *              clear, SSAFRAMESIZE too small, reserved fields nonzero),
 *              -EFAULT (src unreadable), -ENOMEM, -EIO (ECREATE failed).
 *   add_pages  0 or -errno; arg->count is set to the bytes added even on
 *              failure (partial progress; retry from offset + count). -EINVAL
 *              (not created or already initialized, src/offset/length not page
 *              aligned, length 0, range beyond SIZE, flags other than
 *              SGX_PAGE_MEASURE, bad SECINFO: type not REG/TCS, W without R,
 *              TCS with permissions, reserved bits), -EBUSY (page already
 *              added), -EFAULT (EADD faulted, e.g. a malformed TCS), -EIO
 *              (EADD/EEXTEND failed, e.g. after EPC loss), -EINTR.
 *   init       0 on success, > 0 an SGX error code from EINIT (enum sgx_error:
 *              SGX_INVALID_SIG_STRUCT, SGX_INVALID_SIGNATURE,
 *              SGX_INVALID_ATTRIBUTE, SGX_INVALID_MEASUREMENT, ...), < 0 -errno:
 *              -EINVAL (not created, already initialized, VENDOR not 0/0x8086),
 *              -EACCES (PROVISIONKEY not permitted), -EFAULT, -EIO.
 *   enter      __vdso_sgx_enter_enclave() semantics (see <asm/sgx.h> and
 *              sgx-facts.md); NULL in a backend that cannot enter yet. The
 *              calling thread must not have SIGILL, SIGSEGV, SIGBUS, SIGFPE,
 *              SIGTRAP or SIGSYS blocked: the sim raises them in enclave code,
 *              and the kernel kills a thread whose fault signal is blocked.
 *
 * Memory: as with the kernel, the caller chooses BASEADDR by reserving a
 * SIZE-aligned range (sgx_reserve_range) before create; the backend then owns
 * that range for the enclave's lifetime. */
#ifndef GEODE_SGX_DRIVER_H
#define GEODE_SGX_DRIVER_H

/* An enclave based at address 0 (the manifest layout: programs linked at
 * fixed low addresses load into its heap) leaves its first 64 KiB unmapped
 * and never adds pages there: the host kernel keeps them (vm.mmap_min_addr). */
#define SGX_LOW_BASE_GAP 0x10000ULL

#include <stdbool.h>
#include <stdint.h>

#include "sgx_arch.h"

/* One enclave instance (what an open fd on /dev/sgx_enclave is). */
struct sgx_driver_encl;

struct sgx_driver {
    const char *name;
    /* open("/dev/sgx_enclave"): a new, empty instance. 0 or -errno. */
    int (*open)(const struct sgx_driver *drv, struct sgx_driver_encl **out);
    int (*create)(struct sgx_driver_encl *encl, struct sgx_enclave_create *arg);
    int (*add_pages)(struct sgx_driver_encl *encl, struct sgx_enclave_add_pages *arg);
    /* add_pages of pages whose source is all zeros, arg->src unused: what
     * the CPU measures and stores is the same, without reading a source.
     * NULL where the backend needs one (the kernel: add_pages with a zero
     * source). */
    int (*add_zero_pages)(struct sgx_driver_encl *encl, struct sgx_enclave_add_pages *arg);
    int (*init)(struct sgx_driver_encl *encl, struct sgx_enclave_init *arg);
    /* close(fd): destroys the enclave and releases its address range. */
    void (*close)(struct sgx_driver_encl *encl);
    vdso_sgx_enter_enclave_t enter;
    void *priv; /* backend configuration (e.g. the sim's CPU model) */
    /* Host code installed signal handlers after an enclave was entered: a
     * backend that intercepts signals (the sim) takes them over again
     * before the next entry. NULL where nothing intercepts (the kernel). */
    void (*handlers_changed)(void);
    /* In a forked host process, on its only thread: redo the per-task
     * state a fork does not carry over (the sim's syscall dispatch and
     * timers). 0 or -errno; NULL where there is none (the kernel). */
    int (*after_fork)(void);
    /* After EINIT (urts_build): the instance gives up its descriptor (the
     * mappings keep the enclave; SGX1 makes no ioctl on it afterwards);
     * close then only unmaps. NULL: keeps it. */
    void (*release_fd)(struct sgx_driver_encl *encl);

    /* SGX2 (EDMM), the kernel's model (Linux >= 6.0): after EINIT, an
     * access to a page of the enclave's range that was never added EAUGs
     * it (zeroed, REG, RW, PENDING until the enclave EACCEPTs it), and
     * these are the SGX2 ioctls with the kernel's checks, in/out fields and
     * errnos: -ENODEV (no SGX2), -EINVAL (not initialized, range not page
     * aligned or outside the enclave, reserved bits, result/count not 0,
     * W without R, a page type that cannot change), -EFAULT (a page not in
     * the enclave, or EMODPR/EMODT failed: SGX code in result), -EPERM
     * (REMOVE: page not trimmed or not EACCEPTed yet), -EAGAIN/-EBUSY.
     * count = bytes done. NULL in a backend without SGX2. */
    bool sgx2; /* the CPU (or the sim's model) has SGX2 and the driver its ioctls */
    int (*restrict_permissions)(struct sgx_driver_encl *encl, struct sgx_enclave_restrict_permissions *arg);
    int (*modify_types)(struct sgx_driver_encl *encl, struct sgx_enclave_modify_types *arg);
    int (*remove_pages)(struct sgx_driver_encl *encl, struct sgx_enclave_remove_pages *arg);
    /* Makes every page of [addr, addr + len) that is not in the enclave
     * yet be EAUGed, as a host access to each does (the kernel backend
     * reads each page through the mapping: one fault per page and no exit
     * of the enclave). 0, -EINVAL, -ENODEV, or -EFAULT (a page was not
     * added: e.g. its page-table protection is PROT_NONE). */
    int (*augment)(struct sgx_driver_encl *encl, uint64_t addr, uint64_t len);
    /* mprotect of whole pages inside the enclave's range (the page
     * tables; the EPCM permissions still apply). 0 or -errno. NULL: plain
     * mprotect. */
    int (*protect)(struct sgx_driver_encl *encl, uint64_t addr, uint64_t len, int prot);
    /* Test hook: the enclave's EPC is lost, as at a power transition (the
     * next entry fails and the run restarts; docs/sim.md). NULL where the
     * platform cannot do it on request (the kernel). */
    void (*inject_epc_loss)(struct sgx_driver_encl *encl);
    /* A backend whose added pages may have no memory behind them until
     * first touched (the sim does not write an all-zero page at EADD; on
     * hardware an added page is in the EPC): which pages of the enclave
     * have memory now (one byte per page, bit 0, as mincore; 0 or -errno),
     * and giving pages so marked of another instance memory ahead of their
     * first access. A pool member (urts_pool.c) gives its enclave the pages
     * its parent's had, so that the forked child does not fault them in.
     * NULL where every added page is backed (the kernel). */
    int (*resident)(struct sgx_driver_encl *encl, unsigned char *vec, size_t pages);
    void (*prefault)(struct sgx_driver_encl *encl, const unsigned char *vec, size_t pages);
};

/* Reserves a PROT_NONE range of `size` bytes aligned to `size` (a power of
 * two): maps 2*size and trims both ends. Returns 0 or -errno. */
int sgx_reserve_range(uint64_t size, uint64_t *base);

#endif
