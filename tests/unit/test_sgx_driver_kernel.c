/* Tests for pal/sgx/platform/driver_kernel.c with a fake system-call layer: the
 * exact ioctl numbers and argument structs, the mmap of added pages, EINTR
 * and partial-progress handling, error mapping; and that the real device
 * cannot be opened on this machine (no SGX), with a clear message. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include "driver_kernel.h"
#include "tap.h"

#define PAGE 4096ULL
#define BASE 0x7f0000000000ULL
#define SIZE (1ULL << 20)
#define FD 42

/* One recorded call and a script of results for ioctl. */
struct call {
    unsigned long request;
    struct sgx_enclave_add_pages add; /* copy of the argument at call time */
    void *arg;
};

static struct {
    const char *open_path;
    int open_flags, open_ret;
    struct call calls[2048];
    int n_calls;
    int script_ret[8];       /* ioctl return per call (last repeats) */
    uint64_t script_count[8]; /* ADD_PAGES count per call (last repeats) */
    int n_script;
    void *mmap_addr;
    size_t mmap_len;
    int mmap_prot, mmap_flags, mmap_fd, n_mmap, mmap_ret;
    void *munmap_addr;
    size_t munmap_len;
    int closed_fd;
    int enter_ret;
} fk;

static void fake_reset(void)
{
    memset(&fk, 0, sizeof(fk));
    fk.open_ret = FD;
    fk.closed_fd = -1;
}

static int fake_open(const char *path, int flags)
{
    fk.open_path = path;
    fk.open_flags = flags;
    return fk.open_ret;
}

static int fake_ioctl(int fd, unsigned long request, void *arg)
{
    int i = fk.n_calls < fk.n_script ? fk.n_calls : fk.n_script - 1;
    struct call *c = &fk.calls[fk.n_calls < 2047 ? fk.n_calls : 2047];

    if (fd != FD)
        return -EBADF;
    c->request = request;
    c->arg = arg;
    if (request == SGX_IOC_ENCLAVE_ADD_PAGES) {
        struct sgx_enclave_add_pages *a = arg;

        c->add = *a;
        a->count = i >= 0 ? fk.script_count[i] : a->length;
    }
    fk.n_calls++;
    return i >= 0 ? fk.script_ret[i] : 0;
}

static int fake_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off, void **out)
{
    fk.n_mmap++;
    fk.mmap_addr = addr;
    fk.mmap_len = len;
    fk.mmap_prot = prot;
    fk.mmap_flags = flags;
    fk.mmap_fd = fd + (int)off; /* off must be 0 */
    *out = addr;
    return fk.mmap_ret;
}

static int fake_munmap(void *addr, size_t len)
{
    fk.munmap_addr = addr;
    fk.munmap_len = len;
    return 0;
}

static int fake_close(int fd)
{
    fk.closed_fd = fd;
    return 0;
}

static int fake_enter_fn(unsigned long a, unsigned long b, unsigned long c, unsigned int d,
                         unsigned long e, unsigned long f, struct sgx_enclave_run *r)
{
    (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)r;
    return 0;
}

static int fake_find_enter(vdso_sgx_enter_enclave_t *fn)
{
    if (fk.enter_ret)
        return fk.enter_ret;
    *fn = fake_enter_fn;
    return 0;
}

static const struct sgx_kernel_ops fake_ops = {fake_open, fake_ioctl, fake_mmap, fake_munmap,
                                               fake_close, fake_find_enter};
static const struct sgx_kernel_config fake_cfg = {"/dev/fake_sgx", &fake_ops};

static struct sgx_secs secs;
static const struct sgx_secinfo si_rx = {.flags = SGX_SECINFO_REG | SGX_SECINFO_R | SGX_SECINFO_X};
static const struct sgx_secinfo si_tcs = {.flags = SGX_SECINFO_TCS};

/* A created enclave on the fake. */
static struct sgx_driver_encl *fake_created(struct sgx_driver *drv)
{
    struct sgx_driver_encl *encl = NULL;
    struct sgx_err e = {{0}};

    fake_reset();
    sgx_kernel_driver_init(drv, &fake_cfg, &e);
    secs.base = BASE;
    secs.size = SIZE;
    if (drv->open(drv, &encl) || drv->create(encl, &(struct sgx_enclave_create){(uintptr_t)&secs}))
        return NULL;
    fk.n_calls = 0;
    return encl;
}

static void test_ioctl_numbers(void)
{
    /* _IOW/_IOWR('\xa4', nr, struct): direction, 14-bit size, magic 0xA4, number. */
    CHECK(SGX_IOC_ENCLAVE_CREATE == 0x4008a400UL, "ENCLAVE_CREATE is _IOW(0xA4, 0, 8 bytes)");
    CHECK(SGX_IOC_ENCLAVE_ADD_PAGES == 0xc030a401UL, "ENCLAVE_ADD_PAGES is _IOWR(0xA4, 1, 48 bytes)");
    CHECK(SGX_IOC_ENCLAVE_INIT == 0x4008a402UL, "ENCLAVE_INIT is _IOW(0xA4, 2, 8 bytes)");
}

static void test_open_create(void)
{
    struct sgx_driver drv;
    struct sgx_driver_encl *encl = NULL;
    struct sgx_err e = {{0}};
    int ret;

    fake_reset();
    ret = sgx_kernel_driver_init(&drv, &fake_cfg, &e);
    CHECK(ret == 0 && drv.enter == fake_enter_fn && !strcmp(drv.name, "kernel"),
          "init: enter is the vDSO function found");
    ret = drv.open(&drv, &encl);
    CHECK(ret == 0 && !strcmp(fk.open_path, "/dev/fake_sgx") && fk.open_flags == (O_RDWR | O_CLOEXEC),
          "open: the configured device, O_RDWR|O_CLOEXEC");
    secs.base = BASE;
    secs.size = SIZE;
    ret = drv.create(encl, &(struct sgx_enclave_create){(uintptr_t)&secs});
    CHECK(ret == 0 && fk.n_calls == 1 && fk.calls[0].request == SGX_IOC_ENCLAVE_CREATE &&
              ((struct sgx_enclave_create *)fk.calls[0].arg)->src == (uintptr_t)&secs,
          "create: ENCLAVE_CREATE with src = the SECS");
    ret = drv.create(encl, &(struct sgx_enclave_create){(uintptr_t)&secs});
    CHECK(ret == -EINVAL && fk.n_calls == 1, "create twice: -EINVAL without an ioctl");
    drv.close(encl);
    CHECK(fk.munmap_addr == (void *)BASE && fk.munmap_len == SIZE && fk.closed_fd == FD,
          "close: unmaps [base, base+size) and closes the fd");

    fake_reset();
    fk.open_ret = -ENOENT;
    encl = NULL;
    ret = drv.open(&drv, &encl);
    CHECK(ret == -ENOENT && encl == NULL, "open failure is returned as -errno");
    fk.open_ret = FD;
    drv.open(&drv, &encl);
    fk.script_ret[0] = -EINVAL;
    fk.n_script = 1;
    ret = drv.create(encl, &(struct sgx_enclave_create){(uintptr_t)&secs});
    drv.close(encl);
    CHECK(ret == -EINVAL && fk.munmap_addr == NULL && fk.closed_fd == FD,
          "create refused by the kernel: -EINVAL passed on; close unmaps nothing");
}

static void test_add_pages_partial(void)
{
    static uint8_t src[4 * PAGE];
    struct sgx_driver drv;
    struct sgx_driver_encl *encl = fake_created(&drv);
    struct sgx_enclave_add_pages a = {(uintptr_t)src, 0x3000, 4 * PAGE, (uintptr_t)&si_rx,
                                      SGX_PAGE_MEASURE, 0};
    int ret;

    if (!CHECK(encl != NULL, "fake enclave created"))
        return;
    /* Kernel: 1 page then EINTR; 0 pages then EINTR; the remaining 3 pages. */
    fk.script_ret[0] = -EINTR, fk.script_count[0] = PAGE;
    fk.script_ret[1] = -EINTR, fk.script_count[1] = 0;
    fk.script_ret[2] = 0, fk.script_count[2] = 3 * PAGE;
    fk.n_script = 3;
    ret = drv.add_pages(encl, &a);
    CHECK(ret == 0 && a.count == 4 * PAGE && fk.n_calls == 3, "EINTR retried, partial count continued");
    CHECK(fk.calls[0].request == SGX_IOC_ENCLAVE_ADD_PAGES && fk.calls[0].add.src == (uintptr_t)src &&
              fk.calls[0].add.offset == 0x3000 && fk.calls[0].add.length == 4 * PAGE &&
              fk.calls[0].add.secinfo == (uintptr_t)&si_rx && fk.calls[0].add.flags == SGX_PAGE_MEASURE,
          "first ADD_PAGES: src, offset, length, secinfo, flags as given");
    CHECK(fk.calls[1].add.src == (uintptr_t)src + PAGE && fk.calls[1].add.offset == 0x4000 &&
              fk.calls[1].add.length == 3 * PAGE && fk.calls[1].add.flags == SGX_PAGE_MEASURE,
          "retry continues after the added page");
    CHECK(fk.calls[2].add.src == (uintptr_t)src + PAGE && fk.calls[2].add.length == 3 * PAGE,
          "a retry without progress repeats the same range");
    CHECK(fk.n_mmap == 1 && fk.mmap_addr == (void *)(BASE + 0x3000) && fk.mmap_len == 4 * PAGE &&
              fk.mmap_prot == (PROT_READ | PROT_EXEC) && fk.mmap_flags == (MAP_SHARED | MAP_FIXED) &&
              fk.mmap_fd == FD,
          "added range mapped MAP_SHARED|MAP_FIXED from the fd with the EPCM permissions");
    drv.close(encl);
}

static void test_add_pages_errors(void)
{
    static uint8_t src[4 * PAGE];
    struct sgx_driver drv;
    struct sgx_driver_encl *encl = fake_created(&drv);
    struct sgx_enclave_add_pages a = {(uintptr_t)src, 0, 2 * PAGE, (uintptr_t)&si_tcs, 0, 0};
    int ret;

    if (!CHECK(encl != NULL, "fake enclave created"))
        return;
    ret = drv.add_pages(encl, &a);
    CHECK(ret == 0 && fk.mmap_prot == (PROT_READ | PROT_WRITE), "TCS pages mapped read|write");

    fk.n_calls = fk.n_mmap = 0;
    fk.script_ret[0] = -EIO, fk.script_count[0] = PAGE;
    fk.n_script = 1;
    a = (struct sgx_enclave_add_pages){(uintptr_t)src, 0x8000, 4 * PAGE, (uintptr_t)&si_rx, 0, 0};
    ret = drv.add_pages(encl, &a);
    CHECK(ret == -EIO && a.count == PAGE && fk.n_calls == 1, "-EIO after one page: error and count 4096");
    CHECK(fk.n_mmap == 1 && fk.mmap_addr == (void *)(BASE + 0x8000) && fk.mmap_len == PAGE,
          "the page added before the failure is mapped");

    fk.n_calls = fk.n_mmap = 0;
    fk.script_ret[0] = -EINTR, fk.script_count[0] = 0;
    ret = drv.add_pages(encl, &a);
    CHECK(ret == -EINTR && a.count == 0 && fk.n_calls == 1000 && fk.n_mmap == 0,
          "endless EINTR without progress gives up (-EINTR after %d tries)", fk.n_calls);

    fk.n_calls = 0;
    fk.n_script = 0;
    a.offset = 0x8100;
    CHECK(drv.add_pages(encl, &a) == -EINVAL && fk.n_calls == 0, "unaligned offset: -EINVAL, no ioctl");
    a.offset = SIZE - PAGE;
    CHECK(drv.add_pages(encl, &a) == -EINVAL && fk.n_calls == 0, "range beyond SIZE: -EINVAL, no ioctl");
    a.offset = 0, a.length = 0;
    CHECK(drv.add_pages(encl, &a) == -EINVAL, "length 0: -EINVAL");

    fk.script_ret[0] = 0, fk.script_count[0] = PAGE;
    fk.n_script = 1;
    fk.mmap_ret = -EPERM;
    a = (struct sgx_enclave_add_pages){(uintptr_t)src, 0x10000, PAGE, (uintptr_t)&si_rx, 0, 0};
    ret = drv.add_pages(encl, &a);
    CHECK(ret == -EPERM && a.count == PAGE, "mmap refusal (noexec /dev) is returned (%d)", ret);
    drv.close(encl);
}

static void test_init(void)
{
    static struct sgx_sigstruct sig;
    struct sgx_driver drv;
    struct sgx_driver_encl *encl = fake_created(&drv);
    struct sgx_enclave_init arg = {(uintptr_t)&sig};
    int ret;

    if (!CHECK(encl != NULL, "fake enclave created"))
        return;
    fk.script_ret[0] = -EINTR;
    fk.script_ret[1] = SGX_INVALID_MEASUREMENT;
    fk.n_script = 2;
    ret = drv.init(encl, &arg);
    CHECK(ret == SGX_INVALID_MEASUREMENT && fk.n_calls == 2 &&
              fk.calls[1].request == SGX_IOC_ENCLAVE_INIT && fk.calls[1].arg == &arg &&
              arg.sigstruct == (uintptr_t)&sig,
          "init: ENCLAVE_INIT retried on EINTR; the SGX error code is returned (%d)", ret);
    fk.n_calls = 0;
    fk.script_ret[0] = -EACCES;
    fk.n_script = 1;
    CHECK(drv.init(encl, &arg) == -EACCES, "init: -errno passed on");
    drv.close(encl);
}

static void test_no_vdso_and_messages(void)
{
    struct sgx_driver drv;
    struct sgx_err e = {{0}};
    int ret;

    fake_reset();
    fk.enter_ret = -ENOENT;
    ret = sgx_kernel_driver_init(&drv, &fake_cfg, &e);
    CHECK(ret == -ENOENT && drv.enter == NULL && drv.open != NULL &&
              strstr(e.msg, "__vdso_sgx_enter_enclave") && strstr(e.msg, "CONFIG_X86_SGX"),
          "no vDSO symbol: enter NULL, clear message (%s)", e.msg);
    sgx_kernel_explain("open", -EACCES, NULL, &e);
    CHECK(strstr(e.msg, "/dev/sgx_enclave") && strstr(e.msg, "sgx"), "EACCES names device and group: %s",
          e.msg);
    sgx_kernel_explain("mmap", -EPERM, NULL, &e);
    CHECK(strstr(e.msg, "noexec") != NULL, "mmap EPERM mentions noexec: %s", e.msg);
    sgx_kernel_explain("ADD_PAGES", -EIO, "/dev/x", &e);
    CHECK(strstr(e.msg, "/dev/x") && strstr(e.msg, "ADD_PAGES") && strstr(e.msg, "Input/output"),
          "other errors: device, operation, strerror: %s", e.msg);
}

/* On this machine (no SGX) the real device cannot be opened; the failure is an
 * error code with a message, not a crash. */
static void test_real_device(void)
{
    struct sgx_driver drv;
    struct sgx_driver_encl *encl = NULL;
    struct sgx_err e = {{0}};
    int ret;

    sgx_kernel_driver_init(&drv, NULL, &e);
    ret = drv.open(&drv, &encl);
    if (ret == 0) {
        SKIP("this machine has %s: the no-SGX failure cannot be tested", SGX_KERNEL_DEVICE);
        drv.close(encl);
        return;
    }
    sgx_kernel_explain("open", ret, NULL, &e);
    CHECK(ret < 0 && encl == NULL && strstr(e.msg, SGX_KERNEL_DEVICE),
          "opening the real device fails cleanly here (%d): %s", ret, e.msg);
}

int main(void)
{
    test_ioctl_numbers();
    test_open_create();
    test_add_pages_partial();
    test_add_pages_errors();
    test_init();
    test_no_vdso_and_messages();
    test_real_device();
    return TAP_DONE();
}
