/* The kernel backend of the driver interface: see platform/driver_kernel.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "driver_kernel.h"
#include "vdso.h"

#define PAGE SGX_PAGE_SIZE
/* EINTR without any progress this many times in a row: give up rather than
 * spin forever under a signal storm. */
#define MAX_IDLE_RETRIES 1000

struct sgx_driver_encl {
    const struct sgx_kernel_ops *ops;
    int fd;
    uint64_t base, size; /* from the SECS given to create; 0 before */
    uint8_t *added;      /* per page: 1 once ADD_PAGES added it (SGX2: map_unadded) */
};

/* ---- the real system calls -------------------------------------------------- */

static int sys_open(const char *path, int flags)
{
    int fd = open(path, flags);

    return fd < 0 ? -errno : fd;
}

static int sys_ioctl(int fd, unsigned long request, void *arg)
{
    int ret = ioctl(fd, request, arg);

    /* > 0 is meaningful: ENCLAVE_INIT returns the SGX error code of EINIT. */
    return ret < 0 ? -errno : ret;
}

static int sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off, void **out)
{
    void *p = mmap(addr, len, prot, flags, fd, off);

    if (p == MAP_FAILED)
        return -errno;
    *out = p;
    return 0;
}

static int sys_munmap(void *addr, size_t len)
{
    return munmap(addr, len) ? -errno : 0;
}

static int sys_close(int fd)
{
    return close(fd) ? -errno : 0;
}

static int sys_find_enter(vdso_sgx_enter_enclave_t *fn)
{
    struct vdso_image img;
    uintptr_t addr;
    enum vdso_status st = vdso_open_self(&img);

    if (st == VDSO_OK)
        st = vdso_lookup(&img, "__vdso_sgx_enter_enclave", "LINUX_2.6", &addr);
    if (st != VDSO_OK)
        return st == VDSO_NOT_FOUND || st == VDSO_NO_VDSO ? -ENOENT : -EINVAL;
    *fn = (vdso_sgx_enter_enclave_t)addr;
    return 0;
}

const struct sgx_kernel_ops sgx_kernel_sys_ops = {
    .open = sys_open,
    .ioctl = sys_ioctl,
    .mmap = sys_mmap,
    .munmap = sys_munmap,
    .close = sys_close,
    .find_enter = sys_find_enter,
};

/* ---- the backend ------------------------------------------------------------ */

static const struct sgx_kernel_config *config(const struct sgx_driver *drv)
{
    static const struct sgx_kernel_config defaults = {SGX_KERNEL_DEVICE, &sgx_kernel_sys_ops};

    return drv->priv ? drv->priv : &defaults;
}

static int kernel_open(const struct sgx_driver *drv, struct sgx_driver_encl **out)
{
    const struct sgx_kernel_config *cfg = config(drv);
    const struct sgx_kernel_ops *ops = cfg->ops ? cfg->ops : &sgx_kernel_sys_ops;
    struct sgx_driver_encl *encl = calloc(1, sizeof(*encl));
    int fd;

    if (!encl)
        return -ENOMEM;
    fd = ops->open(cfg->device ? cfg->device : SGX_KERNEL_DEVICE, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        free(encl);
        return fd;
    }
    encl->ops = ops;
    encl->fd = fd;
    *out = encl;
    return 0;
}

static int kernel_create(struct sgx_driver_encl *encl, struct sgx_enclave_create *arg)
{
    const struct sgx_secs *secs = (const struct sgx_secs *)(uintptr_t)arg->src;
    int ret;

    if (encl->size)
        return -EINVAL;
    if (!secs)
        return -EFAULT;
    ret = encl->ops->ioctl(encl->fd, SGX_IOC_ENCLAVE_CREATE, arg);
    if (ret < 0)
        return ret;
    /* Remember the range: add_pages maps into it, close releases it. */
    encl->base = secs->base;
    encl->size = secs->size;
    encl->added = calloc(secs->size / PAGE, 1);
    return encl->added ? 0 : -ENOMEM;
}

/* The VMA protection the kernel allows for a page: its EPCM permissions, and
 * read|write for a TCS (EPCM permissions 0, but the CPU accesses it). */
static int page_prot(uint64_t secinfo_flags)
{
    if (sgx_secinfo_type(secinfo_flags) == SGX_PT_TCS)
        return PROT_READ | PROT_WRITE;
    return ((secinfo_flags & SGX_SECINFO_R) ? PROT_READ : 0) |
           ((secinfo_flags & SGX_SECINFO_W) ? PROT_WRITE : 0) |
           ((secinfo_flags & SGX_SECINFO_X) ? PROT_EXEC : 0);
}

/* ADD_PAGES until everything is added: the kernel stops early (count < length)
 * when a signal is pending (-EINTR) or it needs to reschedule; each retry
 * continues after what was added. Returns 0 or -errno; *done = bytes added. */
static int add_all(struct sgx_driver_encl *encl, const struct sgx_enclave_add_pages *arg, uint64_t *done)
{
    int idle = 0;

    *done = 0;
    while (*done < arg->length) {
        struct sgx_enclave_add_pages a = {
            .src = arg->src + *done,
            .offset = arg->offset + *done,
            .length = arg->length - *done,
            .secinfo = arg->secinfo,
            .flags = arg->flags,
        };
        int ret = encl->ops->ioctl(encl->fd, SGX_IOC_ENCLAVE_ADD_PAGES, &a);

        if (a.count > a.length || a.count % PAGE)
            return -EIO; /* the kernel never does this; don't loop on garbage */
        *done += a.count;
        idle = a.count ? 0 : idle + 1;
        if (ret < 0 && ret != -EINTR)
            return ret;
        if (idle >= MAX_IDLE_RETRIES)
            return ret < 0 ? ret : -EIO;
    }
    return 0;
}

static int kernel_add_pages(struct sgx_driver_encl *encl, struct sgx_enclave_add_pages *arg)
{
    const struct sgx_secinfo *si = (const struct sgx_secinfo *)(uintptr_t)arg->secinfo;
    uint64_t done;
    void *mapped;
    int ret, map_ret;

    arg->count = 0;
    if (!encl->size || !si)
        return !si ? -EFAULT : -EINVAL;
    if (!arg->length || (arg->offset | arg->length) % PAGE || arg->offset >= encl->size ||
        arg->length > encl->size - arg->offset)
        return -EINVAL; /* checked here too: the mmap below must stay inside the range */
    ret = add_all(encl, arg, &done);
    arg->count = done;
    memset(encl->added + arg->offset / PAGE, 1, done / PAGE);
    if (!done)
        return ret;
    /* Only after EADD: the kernel checks the VMA protection against the EPCM
     * permissions of the pages already in the range. Pages added before a
     * failure are mapped too, so a caller retrying from offset + count ends up
     * with every page mapped. */
    map_ret = encl->ops->mmap((void *)(uintptr_t)(encl->base + arg->offset), done,
                              page_prot(si->flags), MAP_SHARED | MAP_FIXED, encl->fd, 0, &mapped);
    if (!map_ret && mapped != (void *)(uintptr_t)(encl->base + arg->offset))
        map_ret = -EIO;
    return ret ? ret : map_ret;
}

static bool kernel_has_sgx2(void);

/* SGX2: the pages never added are mapped from the enclave fd too
 * (PROT_NONE until the host's mprotect), so an access there reaches the
 * kernel's fault handler, which EAUGs the page. The first 64 KiB of an
 * enclave at 0 stay the host's (SGX_LOW_BASE_GAP). */
static int map_unadded(struct sgx_driver_encl *encl)
{
    uint64_t n = encl->size / PAGE, i = encl->base ? 0 : SGX_LOW_BASE_GAP / PAGE;
    void *mapped;

    while (i < n) {
        uint64_t j = i;
        int ret;

        if (encl->added[i]) {
            i++;
            continue;
        }
        while (j < n && !encl->added[j])
            j++;
        ret = encl->ops->mmap((void *)(uintptr_t)(encl->base + i * PAGE), (j - i) * PAGE, PROT_NONE,
                              MAP_SHARED | MAP_FIXED, encl->fd, 0, &mapped);
        if (ret)
            return ret;
        i = j;
    }
    return 0;
}

static int kernel_init(struct sgx_driver_encl *encl, struct sgx_enclave_init *arg)
{
    int ret, tries = 0;

    if (!encl->size)
        return -EINVAL;
    do
        ret = encl->ops->ioctl(encl->fd, SGX_IOC_ENCLAVE_INIT, arg);
    while (ret == -EINTR && ++tries < MAX_IDLE_RETRIES);
    if (ret == 0 && kernel_has_sgx2() && encl->ops == &sgx_kernel_sys_ops)
        ret = map_unadded(encl);
    return ret;
}

/* ---- SGX2 (EDMM): the kernel's ioctls, Linux >= 6.0 ------------------------
 * Written to <asm/sgx.h> and arch/x86/kernel/cpu/sgx/ioctl.c; not run here
 * (no SGX2 hardware on the development machines): the sim implements the
 * same semantics and is what the tests exercise. */

/* An ioctl that makes partial progress (count) and may stop early with
 * -EAGAIN/-EINTR/-EBUSY (reclaimer, signals): retried from offset + count
 * with count and result zeroed, as the kernel requires. */
static int sgx2_ioctl(struct sgx_driver_encl *encl, unsigned long req, void *arg, __u64 *offset, __u64 *length,
                      __u64 *count, __u64 *result)
{
    uint64_t done = 0, off0 = *offset, len0 = *length;
    int ret, idle = 0;

    for (;;) {
        *offset = off0 + done;
        *length = len0 - done;
        *count = 0;
        if (result)
            *result = 0;
        ret = encl->ops->ioctl(encl->fd, req, arg);
        if (*count > *length || *count % PAGE)
            return -EIO;
        done += *count;
        idle = *count ? 0 : idle + 1;
        if (!(ret == -EAGAIN || ret == -EINTR || ret == -EBUSY) || done == len0 || idle >= MAX_IDLE_RETRIES)
            break;
    }
    *offset = off0;
    *length = len0;
    *count = done;
    return done == len0 && ret != -EFAULT ? 0 : ret < 0 ? ret : -EIO;
}

static int kernel_restrict_permissions(struct sgx_driver_encl *encl, struct sgx_enclave_restrict_permissions *a)
{
    if (encl->fd < 0)
        return -EBADF;
    return sgx2_ioctl(encl, SGX_IOC_ENCLAVE_RESTRICT_PERMISSIONS, a, &a->offset, &a->length, &a->count,
                      &a->result);
}

static int kernel_modify_types(struct sgx_driver_encl *encl, struct sgx_enclave_modify_types *a)
{
    if (encl->fd < 0)
        return -EBADF;
    return sgx2_ioctl(encl, SGX_IOC_ENCLAVE_MODIFY_TYPES, a, &a->offset, &a->length, &a->count, &a->result);
}

static int kernel_remove_pages(struct sgx_driver_encl *encl, struct sgx_enclave_remove_pages *a)
{
    if (encl->fd < 0)
        return -EBADF;
    return sgx2_ioctl(encl, SGX_IOC_ENCLAVE_REMOVE_PAGES, a, &a->offset, &a->length, &a->count, NULL);
}

/* The kernel EAUGs a page when it is first accessed (sgx_vma_fault ->
 * sgx_encl_eaug_page): a read from the host side is enough (it returns the
 * abort page's 0xff bytes once mapped). The range must be mapped from the
 * enclave fd (every page of SIZE is, see map_unadded) and readable. A
 * fault the kernel cannot serve is SIGBUS: not caught here, so callers ask
 * only for ranges they made readable. */
static int kernel_augment(struct sgx_driver_encl *encl, uint64_t addr, uint64_t len)
{
    if (!encl->size || addr < encl->base || (addr | len) % PAGE || !len || addr - encl->base >= encl->size ||
        len > encl->size - (addr - encl->base))
        return -EINVAL;
    for (uint64_t a = addr; a < addr + len; a += PAGE)
        (void)*(volatile const uint8_t *)(uintptr_t)a;
    return 0;
}

/* CPUID(0x12, 0).EAX bit 1, and the SGX2 ioctls (Linux >= 6.0): a
 * REMOVE_PAGES with count != 0 is -EINVAL there and -ENOTTY before. */
static bool kernel_has_sgx2(void)
{
    unsigned a, b, c, d;

    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "0"(0U), "2"(0U));
    if (a < SGX_CPUID_LEAF)
        return false;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "0"(SGX_CPUID_LEAF), "2"(0U));
    return (a & SGX_CPUID0_EAX_SGX2) != 0;
}

/* After EINIT the mappings hold the enclave (SGX1: no ioctl is made on it
 * any more); the descriptor would only be inherited by forked processes.
 * With SGX2 it stays: the EDMM ioctls need it. */
static void kernel_release_fd(struct sgx_driver_encl *encl)
{
    if (encl && encl->fd >= 0 && !kernel_has_sgx2()) {
        encl->ops->close(encl->fd);
        encl->fd = -1;
    }
}

static void kernel_close(struct sgx_driver_encl *encl)
{
    if (!encl)
        return;
    if (encl->size)
        encl->ops->munmap((void *)(uintptr_t)encl->base, encl->size);
    if (encl->fd >= 0)
        encl->ops->close(encl->fd);
    free(encl->added);
    free(encl);
}

int sgx_kernel_driver_init(struct sgx_driver *drv, const struct sgx_kernel_config *cfg,
                           struct sgx_err *e)
{
    const struct sgx_kernel_ops *ops = cfg && cfg->ops ? cfg->ops : &sgx_kernel_sys_ops;
    vdso_sgx_enter_enclave_t enter = NULL;
    int ret;

    *drv = (struct sgx_driver){.name = "kernel", .open = kernel_open, .create = kernel_create,
                               .add_pages = kernel_add_pages, .init = kernel_init,
                               .close = kernel_close, .release_fd = kernel_release_fd,
                               .priv = (void *)cfg};
    if (kernel_has_sgx2()) {
        drv->sgx2 = true;
        drv->restrict_permissions = kernel_restrict_permissions;
        drv->modify_types = kernel_modify_types;
        drv->remove_pages = kernel_remove_pages;
        drv->augment = kernel_augment;
    }
    ret = ops->find_enter(&enter);
    if (ret) {
        sgx_err_set(e, "the vDSO has no __vdso_sgx_enter_enclave: this kernel was built without "
                       "CONFIG_X86_SGX (SGX needs Linux >= 5.11 with SGX enabled)");
        return -ENOENT;
    }
    drv->enter = enter;
    return 0;
}

void sgx_kernel_explain(const char *op, int err, const char *device, struct sgx_err *e)
{
    device = device ? device : SGX_KERNEL_DEVICE;
    if (!strcmp(op, "open") && err == -ENOENT)
        sgx_err_set(e, "%s does not exist: no SGX here (CPU without SGX, SGX disabled in the "
                       "BIOS, or a kernel older than 5.11); use mode \"sim\"", device);
    else if (!strcmp(op, "open") && (err == -EACCES || err == -EPERM))
        sgx_err_set(e, "%s: permission denied: add the user to the group owning the device "
                       "(usually 'sgx': usermod -aG sgx USER, then log in again)", device);
    else if (!strcmp(op, "mmap") && err == -EPERM)
        sgx_err_set(e, "%s: mapping the enclave executable was refused: /dev is mounted noexec "
                       "(remount it exec)", device);
    else
        sgx_err_set(e, "%s: %s failed: %s", device, op, strerror(-err));
}
