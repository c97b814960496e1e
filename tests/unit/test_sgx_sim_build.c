/* The sim's ECREATE/EADD/EEXTEND/EINIT behind the driver interface: a correctly
 * signed enclave initializes; every EINIT failure gives the SDM's code; the
 * kernel's argument checks give its errnos. The expected MRENCLAVE is computed
 * here with the measurement engine from the planned pages; the sim recomputes
 * it on its own from what is actually added. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure.h"
#include "sigstruct.h"
#include "sim_build.h"
#include "tap.h"

#define PAGE 4096
#define ENCL_SIZE (16 * PAGE)

static sgx_sign_key *key;
static struct sgx_sim_cpu cpu;
static struct sgx_driver drv;

/* A 3-page enclave: TCS @0, code (RX, measured) @0x1000, data (RW, unmeasured) @0x2000. */
struct image {
    struct sgx_tcs tcs;
    uint8_t code[PAGE] __attribute__((aligned(PAGE)));
    uint8_t data[PAGE] __attribute__((aligned(PAGE)));
    struct sgx_secs secs;
};

static struct sgx_secinfo si_tcs = {.flags = SGX_SECINFO_TCS};
static struct sgx_secinfo si_rx = {.flags = SGX_SECINFO_REG | SGX_SECINFO_R | SGX_SECINFO_X};
static struct sgx_secinfo si_rw = {.flags = SGX_SECINFO_REG | SGX_SECINFO_R | SGX_SECINFO_W};

static void make_image(struct image *im, uint64_t attrs)
{
    memset(im, 0, sizeof(*im));
    im->tcs.ossa = 0x3000;
    im->tcs.nssa = 1;
    im->tcs.oentry = 0x1000;
    im->tcs.fslimit = im->tcs.gslimit = 0xfff;
    for (int i = 0; i < PAGE; i++) {
        im->code[i] = (uint8_t)(i * 13);
        im->data[i] = (uint8_t)(i ^ 0xa5);
    }
    im->secs.size = ENCL_SIZE;
    im->secs.ssa_frame_size = 1;
    im->secs.attributes.flags = attrs;
    im->secs.attributes.xfrm = SGX_XFRM_LEGACY;
}

static void expected_mrenclave(const struct image *im, uint8_t mr[32])
{
    struct sgx_measure m;

    sgx_measure_init(&m, 1, ENCL_SIZE);
    sgx_measure_add_page(&m, 0, &si_tcs, (const uint8_t *)&im->tcs, true);
    sgx_measure_add_page(&m, 0x1000, &si_rx, im->code, true);
    sgx_measure_add_page(&m, 0x2000, &si_rw, im->data, false);
    sgx_measure_final(&m, mr);
}

static void sign(const uint8_t mr[32], uint64_t attrs, uint64_t mask, struct sgx_sigstruct *sig)
{
    struct sgx_sign_params p = {.date_bcd = 0x20261122,
                                .miscmask = ~0U,
                                .attributes = {attrs, SGX_XFRM_LEGACY},
                                .attribute_mask = {mask, ~0ULL}};

    memcpy(p.enclave_hash, mr, 32);
    if (sgx_sigstruct_sign(&p, key, sig, NULL))
        abort();
}

static int add(struct sgx_driver_encl *e, uint64_t off, const void *src, size_t len,
               const struct sgx_secinfo *si, int measure, uint64_t *count)
{
    struct sgx_enclave_add_pages a = {(uintptr_t)src, off, len, (uintptr_t)si, measure ? SGX_PAGE_MEASURE : 0, 0};
    int ret = drv.add_pages(e, &a);

    if (count)
        *count = a.count;
    return ret;
}

/* open + reserve + create + add the three pages; returns the create/add error. */
static int build(struct image *im, struct sgx_driver_encl **out)
{
    struct sgx_enclave_create c = {(uintptr_t)&im->secs};
    int ret = drv.open(&drv, out);

    ret = ret ? ret : sgx_reserve_range(ENCL_SIZE, &im->secs.base);
    ret = ret ? ret : drv.create(*out, &c);
    ret = ret ? ret : add(*out, 0, &im->tcs, PAGE, &si_tcs, 1, NULL);
    ret = ret ? ret : add(*out, 0x1000, im->code, PAGE, &si_rx, 1, NULL);
    ret = ret ? ret : add(*out, 0x2000, im->data, PAGE, &si_rw, 0, NULL);
    return ret;
}

static int init(struct sgx_driver_encl *e, const struct sgx_sigstruct *sig)
{
    struct sgx_enclave_init i = {(uintptr_t)sig};

    return drv.init(e, &i);
}

/* Page protection of addr from /proc/self/maps, e.g. "r-xp". */
static int prot_is(const void *addr, const char *want)
{
    FILE *f = fopen("/proc/self/maps", "r");
    unsigned long lo, hi, a = (unsigned long)addr;
    char perms[8], line[512];
    int found = 0;

    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && a >= lo && a < hi)
            found = !strcmp(perms, want);
    if (f)
        fclose(f);
    return found;
}

static void test_accepts(void)
{
    static struct image im;
    struct sgx_driver_encl *e = NULL;
    struct sgx_sigstruct sig;
    uint8_t mr[32], mrsigner[32];
    const struct sgx_secs *secs;
    uint8_t *base;

    make_image(&im, SGX_ATTR_MODE64BIT);
    expected_mrenclave(&im, mr);
    sign(mr, SGX_ATTR_MODE64BIT, ~0ULL, &sig);
    CHECK(build(&im, &e) == 0, "ECREATE + 3 x EADD");
    CHECK(init(e, &sig) == 0, "EINIT accepts a correctly signed enclave");
    secs = sgx_sim_secs(e);
    base = (uint8_t *)(uintptr_t)secs->base;
    sgx_sigstruct_mrsigner(&sig, mrsigner);
    CHECK(!memcmp(secs->mrenclave, mr, 32) && !memcmp(secs->mrsigner, mrsigner, 32), "SECS MRENCLAVE/MRSIGNER set");
    CHECK(secs->attributes.flags & SGX_ATTR_INIT, "SECS.ATTRIBUTES.INIT set by EINIT");
    CHECK(secs->base % ENCL_SIZE == 0 && !memcmp(base + 0x1000, im.code, PAGE), "code page content at base+0x1000");
    CHECK(prot_is(base + 0x1000, "r-xs") && prot_is(base + 0x2000, "rw-s") && prot_is(base, "---s"),
          "EPCM permissions as page protections (TCS: none)");
    CHECK(sgx_sim_epcm(e)[0].type == SGX_PT_TCS && sgx_sim_epcm(e)[1].perms == 5 && !sgx_sim_epcm(e)[3].valid,
          "EPCM entries");
    CHECK(add(e, 0x3000, im.data, PAGE, &si_rw, 0, NULL) == -EINVAL, "EADD after EINIT -> -EINVAL");
    CHECK(init(e, &sig) == -EINVAL, "second EINIT -> -EINVAL");
    drv.close(e);
}

/* Builds the standard image, initializes with sig, returns init's result. */
static int try_init(struct image *im, const struct sgx_sigstruct *sig)
{
    struct sgx_driver_encl *e = NULL;
    int ret = build(im, &e);

    if (!ret)
        ret = init(e, sig);
    else
        ret = 1000 + ret;
    drv.close(e);
    return ret;
}

static void test_einit_failures(void)
{
    static struct image im;
    struct sgx_sigstruct sig, bad;
    uint8_t mr[32], wrong[32];

    make_image(&im, SGX_ATTR_MODE64BIT);
    expected_mrenclave(&im, mr);
    memcpy(wrong, mr, 32);
    wrong[0] ^= 1;
    sign(wrong, SGX_ATTR_MODE64BIT, ~0ULL, &bad);
    CHECK(try_init(&im, &bad) == SGX_INVALID_MEASUREMENT, "wrong ENCLAVEHASH -> SGX_INVALID_MEASUREMENT");
    sign(mr, SGX_ATTR_MODE64BIT, ~0ULL, &sig);
    bad = sig;
    bad.signature[10] ^= 1;
    CHECK(try_init(&im, &bad) == SGX_INVALID_SIGNATURE, "bad signature -> SGX_INVALID_SIGNATURE");
    bad = sig;
    bad.isv_svn ^= 1;
    CHECK(try_init(&im, &bad) == SGX_INVALID_SIGNATURE, "signed field changed -> SGX_INVALID_SIGNATURE");
    bad = sig;
    bad.header2[0] ^= 1;
    CHECK(try_init(&im, &bad) == SGX_INVALID_SIG_STRUCT, "bad HEADER2 -> SGX_INVALID_SIG_STRUCT");
    bad = sig;
    bad.vendor = 0x1234;
    CHECK(try_init(&im, &bad) == -EINVAL, "vendor 0x1234 -> -EINVAL (kernel pre-check)");
    sign(mr, SGX_ATTR_MODE64BIT | SGX_ATTR_DEBUG, ~0ULL, &bad);
    CHECK(try_init(&im, &bad) == SGX_INVALID_ATTRIBUTE, "DEBUG mismatch under the mask -> SGX_INVALID_ATTRIBUTE");
    sign(mr, SGX_ATTR_MODE64BIT | SGX_ATTR_DEBUG, ~SGX_ATTR_DEBUG, &bad);
    CHECK(try_init(&im, &bad) == 0, "DEBUG mismatch outside the mask is accepted");
    im.code[100] ^= 1;
    CHECK(try_init(&im, &sig) == SGX_INVALID_MEASUREMENT, "flipped byte of a measured page -> INVALID_MEASUREMENT");
    im.code[100] ^= 1;
    im.data[100] ^= 1;
    CHECK(try_init(&im, &sig) == 0, "flipped byte of an unmeasured page is not detected (by design)");
}

static void test_retry_after_failure(void)
{
    static struct image im;
    struct sgx_driver_encl *e = NULL;
    struct sgx_sigstruct sig, bad;
    uint8_t mr[32];

    make_image(&im, SGX_ATTR_MODE64BIT);
    expected_mrenclave(&im, mr);
    sign(mr, SGX_ATTR_MODE64BIT, ~0ULL, &sig);
    bad = sig;
    bad.q1[3] ^= 1;
    CHECK(build(&im, &e) == 0 && init(e, &bad) == SGX_INVALID_SIGNATURE && init(e, &sig) == 0,
          "EINIT can be retried after a failure");
    drv.close(e);
}

static int unknown_flag(struct sgx_driver_encl *e, const void *src)
{
    struct sgx_enclave_add_pages a = {(uintptr_t)src, 0x4000, PAGE, (uintptr_t)&si_rw, 2, 0};

    return drv.add_pages(e, &a);
}

static void test_add_checks(void)
{
    static struct image im;
    struct sgx_driver_encl *e = NULL;
    struct sgx_secinfo w_only = {.flags = SGX_SECINFO_REG | SGX_SECINFO_W};
    struct sgx_secinfo tcs_r = {.flags = SGX_SECINFO_TCS | SGX_SECINFO_R};
    struct sgx_secinfo va = {.flags = (uint64_t)SGX_PT_VA << 8 | SGX_SECINFO_R};
    struct sgx_secinfo pending = {.flags = SGX_SECINFO_REG | SGX_SECINFO_R | SGX_SECINFO_PENDING};
    static uint8_t three[3 * PAGE] __attribute__((aligned(PAGE)));
    uint64_t count = 99;

    make_image(&im, SGX_ATTR_MODE64BIT);
    CHECK(build(&im, &e) == 0, "build for argument checks");
    CHECK(add(e, 0x4000, im.data, PAGE, &w_only, 0, NULL) == -EINVAL, "W without R -> -EINVAL");
    CHECK(add(e, 0x4000, &im.tcs, PAGE, &tcs_r, 0, NULL) == -EINVAL, "TCS with permissions -> -EINVAL");
    CHECK(add(e, 0x4000, im.data, PAGE, &va, 0, NULL) == -EINVAL, "page type VA -> -EINVAL");
    CHECK(add(e, 0x4000, im.data, PAGE, &pending, 0, NULL) == -EINVAL, "reserved SECINFO bit -> -EINVAL");
    CHECK(add(e, 0x4800, im.data, PAGE, &si_rw, 0, NULL) == -EINVAL, "unaligned offset -> -EINVAL");
    CHECK(add(e, 0x4000, im.data + 8, PAGE, &si_rw, 0, NULL) == -EINVAL, "unaligned src -> -EINVAL");
    CHECK(add(e, ENCL_SIZE, im.data, PAGE, &si_rw, 0, NULL) == -EINVAL, "offset beyond SIZE -> -EINVAL");
    CHECK(add(e, ENCL_SIZE - PAGE, three, 2 * PAGE, &si_rw, 0, NULL) == -EINVAL, "range beyond SIZE -> -EINVAL");
    CHECK(unknown_flag(e, im.data) == -EINVAL, "unknown flag -> -EINVAL");
    CHECK(add(e, 0x4000, (void *)0x1000, PAGE, &si_rw, 0, NULL) == -EFAULT, "unreadable src -> -EFAULT");
    CHECK(add(e, 0x1000, im.data, PAGE, &si_rw, 0, NULL) == -EBUSY, "page already added -> -EBUSY");
    CHECK(add(e, 0x6000, three, 3 * PAGE, &si_rw, 0, &count) == 0 && count == 3 * PAGE, "3 pages, count");
    CHECK(add(e, 0x9000, three, 3 * PAGE, &si_rw, 0, NULL) == 0, "3 more pages");
    CHECK(add(e, 0x3000, three, 3 * PAGE, &si_rw, 0, &count) == 0, "pages 3-5");
    CHECK(add(e, 0xc000, three, 3 * PAGE, &si_rw, 0, NULL) == 0, "pages c-e");
    CHECK(add(e, 0xe000, three, 2 * PAGE, &si_rw, 0, &count) == -EBUSY && count == 0, "collision on first page");
    CHECK(add(e, 0xf000, three, PAGE, &si_rw, 0, &count) == 0 && count == PAGE, "last page");
    drv.close(e);
}

static void test_partial_and_tcs(void)
{
    static struct image im;
    struct sgx_driver_encl *e = NULL;
    static uint8_t three[3 * PAGE] __attribute__((aligned(PAGE)));
    uint64_t count = 0;
    int ret;

    make_image(&im, SGX_ATTR_MODE64BIT);
    CHECK(build(&im, &e) == 0, "build for partial add");
    CHECK(add(e, 0x5000, three, PAGE, &si_rw, 0, NULL) == 0, "page at 0x5000");
    ret = add(e, 0x3000, three, 3 * PAGE, &si_rw, 0, &count);
    CHECK(ret == -EBUSY && count == 2 * PAGE, "partial progress: count = %llu bytes before the collision",
          (unsigned long long)count);
    im.tcs.aep = 0x1234;
    CHECK(add(e, 0x6000, &im.tcs, PAGE, &si_tcs, 1, NULL) == -EFAULT, "TCS with AEP != 0 -> -EFAULT (EADD #GP)");
    im.tcs.aep = 0;
    im.tcs.cssa = 1;
    CHECK(add(e, 0x6000, &im.tcs, PAGE, &si_tcs, 1, NULL) == -EFAULT, "TCS with CSSA >= NSSA -> -EFAULT");
    im.tcs.cssa = 0;
    im.tcs.flags = SGX_TCS_DBGOPTIN;
    CHECK(add(e, 0x6000, &im.tcs, PAGE, &si_tcs, 1, NULL) == -EFAULT, "TCS with DBGOPTIN -> -EFAULT");
    im.tcs.flags = SGX_TCS_AEXNOTIFY;
    CHECK(add(e, 0x6000, &im.tcs, PAGE, &si_tcs, 1, NULL) == 0, "TCS with FLAGS.AEXNOTIFY accepted");
    drv.close(e);
}

static int create_with(struct image *im, int twice)
{
    struct sgx_driver_encl *e = NULL;
    struct sgx_enclave_create c = {(uintptr_t)&im->secs};
    int ret = drv.open(&drv, &e);

    if (!ret && !im->secs.base && sgx_reserve_range(ENCL_SIZE, &im->secs.base))
        ret = -ENOMEM;
    ret = ret ? ret : drv.create(e, &c);
    if (!ret && twice)
        ret = drv.create(e, &c);
    drv.close(e);
    return ret;
}

static void test_create_checks(void)
{
    static struct image im;
    struct sgx_sim_cpu with_aex;

    make_image(&im, SGX_ATTR_MODE64BIT | SGX_ATTR_AEXNOTIFY);
    CHECK(create_with(&im, 0) == -EINVAL, "AEXNOTIFY on a CPU without it -> -EINVAL");
    sgx_sim_cpu_default(&with_aex, true);
    drv.priv = &with_aex;
    im.secs.base = 0;
    CHECK(create_with(&im, 0) == 0, "AEXNOTIFY on a CPU with it -> 0");
    drv.priv = &cpu;
    make_image(&im, SGX_ATTR_MODE64BIT);
    CHECK(create_with(&im, 1) == -EINVAL, "second ECREATE -> -EINVAL");
    im.secs.base = 0;
    im.secs.ssa_frame_size = 0;
    CHECK(create_with(&im, 0) == -EINVAL, "SSAFRAMESIZE 0 -> -EINVAL");
    make_image(&im, 0);
    CHECK(create_with(&im, 0) == -EINVAL, "MODE64BIT clear -> -EINVAL");
    make_image(&im, SGX_ATTR_MODE64BIT);
    im.secs.size = 3 * PAGE;
    CHECK(create_with(&im, 0) == -EINVAL, "SIZE not a power of two -> -EINVAL");
    make_image(&im, SGX_ATTR_MODE64BIT | (1ULL << 3));
    CHECK(create_with(&im, 0) == -EINVAL, "reserved attribute bit -> -EINVAL");
    make_image(&im, SGX_ATTR_MODE64BIT);
    im.secs.attributes.xfrm = 1;
    CHECK(create_with(&im, 0) == -EINVAL, "XFRM without SSE -> -EINVAL");
    make_image(&im, SGX_ATTR_MODE64BIT);
    im.secs.base = 0x1000;
    CHECK(create_with(&im, 0) == -EINVAL, "BASEADDR not SIZE-aligned -> -EINVAL");
}

/* add_zero_pages: an all-zero page measured (EEXTEND of zeros) and one
 * not, as add_pages of a zero source makes them: the same MRENCLAVE, the
 * pages added and reading zero, and the kernel's argument checks. */
static void test_add_zero_pages(void)
{
    static const uint8_t zero[2 * PAGE] __attribute__((aligned(PAGE)));
    static struct image im;
    struct sgx_sigstruct sig;
    struct sgx_measure m;
    uint8_t mr[32];

    make_image(&im, SGX_ATTR_MODE64BIT);
    sgx_measure_init(&m, 1, ENCL_SIZE);
    sgx_measure_add_page(&m, 0, &si_tcs, (const uint8_t *)&im.tcs, true);
    sgx_measure_add_page(&m, 0x1000, &si_rx, im.code, true);
    sgx_measure_add_page(&m, 0x2000, &si_rw, im.data, false);
    sgx_measure_add_page(&m, 0x3000, &si_rx, zero, true);
    sgx_measure_add_page(&m, 0x4000, &si_rw, zero, false);
    sgx_measure_final(&m, mr);
    sign(mr, SGX_ATTR_MODE64BIT, ~0ULL, &sig);
    for (int z = 0; z < 2; z++) {
        struct sgx_driver_encl *e = NULL;
        struct sgx_enclave_add_pages a = {z ? 0 : (uintptr_t)zero, 0x3000, PAGE, (uintptr_t)&si_rx, SGX_PAGE_MEASURE, 0};
        struct sgx_enclave_add_pages b = {z ? 0 : (uintptr_t)zero, 0x4000, PAGE, (uintptr_t)&si_rw, 0, 0};
        int (*fn)(struct sgx_driver_encl *, struct sgx_enclave_add_pages *) = z ? drv.add_zero_pages : drv.add_pages;

        CHECK(build(&im, &e) == 0, "ECREATE + 3 x EADD (%s)", z ? "add_zero_pages" : "add_pages");
        CHECK(fn(e, &a) == 0 && a.count == PAGE && fn(e, &b) == 0 && b.count == PAGE,
              "a measured RX and an unmeasured RW zero page added (%s)", z ? "add_zero_pages" : "add_pages");
        const uint8_t *base = (const uint8_t *)(uintptr_t)sgx_sim_secs(e)->base;
        CHECK(sgx_sim_epcm(e)[3].valid && sgx_sim_epcm(e)[4].valid && !memcmp(base + 0x3000, zero, PAGE) &&
                  prot_is(base + 0x3000, "r-xs"),
              "EPCM entries, contents zero, permissions (%s)", z ? "add_zero_pages" : "add_pages");
        if (z) {
            struct sgx_enclave_add_pages again = {0, 0x4000, PAGE, (uintptr_t)&si_rw, 0, 0};
            struct sgx_enclave_add_pages odd = {0, 0x5000, 100, (uintptr_t)&si_rw, 0, 0};
            CHECK(drv.add_zero_pages(e, &again) == -EBUSY && drv.add_zero_pages(e, &odd) == -EINVAL,
                  "add_zero_pages: a page added twice -> -EBUSY, a length not in pages -> -EINVAL");
        }
        CHECK(init(e, &sig) == 0, "EINIT: the measurement of zero pages (%s)", z ? "add_zero_pages" : "add_pages");
        drv.close(e);
    }
}

int main(void)
{
    struct sgx_err e = {{0}};

    key = sgx_key_generate(&e);
    if (!CHECK(key != NULL, "signing key (%s)", e.msg))
        return TAP_DONE();
    sgx_sim_cpu_default(&cpu, false);
    sgx_sim_driver_init(&drv, &cpu);
    test_accepts();
    test_einit_failures();
    test_retry_after_failure();
    test_add_checks();
    test_partial_and_tcs();
    test_create_checks();
    test_add_zero_pages();
    sgx_key_free(key);
    return TAP_DONE();
}
