/* The kernel backend of struct sgx_driver (platform/sgx_driver.h): the Linux SGX
 * driver's ioctls on /dev/sgx_enclave and __vdso_sgx_enter_enclave.
 *
 * Every system call goes through struct sgx_kernel_ops so that the exact
 * argument construction (ioctl numbers, argument structs, mmap addresses,
 * protections, flags) and the EINTR / partial-progress handling can be tested
 * with a fake on machines without SGX. sgx_kernel_sys_ops is the real thing.
 *
 * Flow (as in the kernel's selftests):
 *   open       open(device, O_RDWR | O_CLOEXEC)
 *   create     SGX_IOC_ENCLAVE_CREATE {src = &secs}; remembers SECS.BASEADDR/SIZE.
 *              The caller has reserved [base, base+size) with sgx_reserve_range.
 *   add_pages  SGX_IOC_ENCLAVE_ADD_PAGES, retried on EINTR and continued after
 *              partial progress (count), then the added range is mapped
 *              mmap(base+offset, length, prot, MAP_SHARED|MAP_FIXED, fd, 0) with
 *              prot = the SECINFO permissions (TCS: read|write, which the kernel
 *              allows for TCS pages although their EPCM permissions are 0).
 *              arg->count is the total added, even on failure.
 *   init       SGX_IOC_ENCLAVE_INIT {sigstruct}, retried on EINTR; > 0 is the
 *              SGX error code of EINIT, as the kernel returns it.
 *   close      munmap(base, size), close(fd).
 *   enter      __vdso_sgx_enter_enclave, found with vdso_lookup.
 *
 * The source pages given to add_pages must lie in a mapping that may be
 * executable (the kernel checks VM_MAYEXEC: a file on a noexec mount gives
 * EACCES); anonymous memory (malloc, mmap) is fine. */
#ifndef GEODE_SGX_DRIVER_KERNEL_H
#define GEODE_SGX_DRIVER_KERNEL_H

#include <stddef.h>
#include <sys/types.h>

#include "sgx_driver.h"
#include "sgx_err.h"

#define SGX_KERNEL_DEVICE "/dev/sgx_enclave"

/* System calls used by the backend. Each returns >= 0 on success or -errno
 * (mmap returns 0 and sets *out). */
struct sgx_kernel_ops {
    int (*open)(const char *path, int flags);
    int (*ioctl)(int fd, unsigned long request, void *arg);
    int (*mmap)(void *addr, size_t len, int prot, int flags, int fd, off_t off, void **out);
    int (*munmap)(void *addr, size_t len);
    int (*close)(int fd);
    /* Finds __vdso_sgx_enter_enclave; 0, or -ENOENT (not in the vDSO) / -EINVAL. */
    int (*find_enter)(vdso_sgx_enter_enclave_t *fn);
};

extern const struct sgx_kernel_ops sgx_kernel_sys_ops;

/* Backend configuration (drv->priv); must outlive the driver. */
struct sgx_kernel_config {
    const char *device;               /* NULL: SGX_KERNEL_DEVICE */
    const struct sgx_kernel_ops *ops; /* NULL: sgx_kernel_sys_ops */
};

/* Fills drv with the kernel backend. Looks up the vDSO entry point: when it is
 * missing, drv->enter is NULL, the message in e says why, and -ENOENT is
 * returned (the enclave can still be built, not entered). Returns 0. */
int sgx_kernel_driver_init(struct sgx_driver *drv, const struct sgx_kernel_config *cfg,
                           struct sgx_err *e);

/* One line explaining a failure of op ("open", "mmap", ...) with -errno err on
 * the device, with the fix when there is a known one (missing device, group
 * permissions, a noexec /dev). */
void sgx_kernel_explain(const char *op, int err, const char *device, struct sgx_err *e);

#endif
