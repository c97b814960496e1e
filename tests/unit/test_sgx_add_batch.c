/* Multi-page EADD: the sim measures a batched add exactly as page-by-page
 * adds, leaves all-zero pages unwritten in its memfd, protects the whole run
 * and keeps the added prefix when the source faults part-way; the image
 * builder (enclave_image_load) coalesces runs of pages into single
 * ADD_PAGES calls and continues after partial progress and -EINTR. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "enclave_image.h"
#include "measure.h"
#include "sim_build.h"
#include "sim_encl.h"
#include "sim_signal.h"
#include "tap.h"

#define PAGE 4096
#define ENCL_PAGES 64
#define ENCL_SIZE (ENCL_PAGES * PAGE)
#define RUN 40 /* more than the sim's 16-page source chunk */

static struct sgx_sim_cpu cpu;
static struct sgx_driver drv;
static struct sgx_secinfo si_rw = {.flags = SGX_SECINFO_REG | SGX_SECINFO_R | SGX_SECINFO_W};

/* Page i of the source: zero when i % 3 == 1, a pattern otherwise. */
static uint8_t *make_source(size_t pages)
{
    uint8_t *src = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (src == MAP_FAILED)
        abort();
    for (size_t i = 0; i < pages; i++)
        for (size_t b = 0; b < PAGE && i % 3 != 1; b++)
            src[i * PAGE + b] = (uint8_t)(i * 7 + b);
    return src;
}

static struct sgx_driver_encl *create(void)
{
    static struct sgx_secs secs __attribute__((aligned(PAGE)));
    struct sgx_driver_encl *e = NULL;

    memset(&secs, 0, sizeof(secs));
    secs.size = ENCL_SIZE;
    secs.ssa_frame_size = 1;
    secs.attributes = (struct sgx_attributes){SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY};
    if (drv.open(&drv, &e) || sgx_reserve_range(ENCL_SIZE, &secs.base) ||
        drv.create(e, &(struct sgx_enclave_create){(uintptr_t)&secs}))
        abort();
    return e;
}

static int add(struct sgx_driver_encl *e, uint64_t off, const void *src, uint64_t len, bool measure,
               uint64_t *count)
{
    struct sgx_enclave_add_pages a = {(uintptr_t)src, off, len, (uintptr_t)&si_rw, measure ? SGX_PAGE_MEASURE : 0,
                                      0};
    int ret = drv.add_pages(e, &a);

    *count = a.count;
    return ret;
}

static bool prot_rw(const void *addr)
{
    FILE *f = fopen("/proc/self/maps", "r");
    unsigned long lo, hi, a = (unsigned long)addr;
    char perms[8], line[512];
    bool found = false;

    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && a >= lo && a < hi)
            found = !strcmp(perms, "rw-s");
    if (f)
        fclose(f);
    return found;
}

static uint64_t resident_pages(const unsigned char *v)
{
    uint64_t n = 0;

    for (int i = 0; i < RUN; i++)
        n += v[i] & 1;
    return n;
}

static void test_batched_measure(void)
{
    uint8_t *src = make_source(RUN), mr_batch[32], mr_pages[32];
    struct sgx_driver_encl *batch = create(), *pages = create();
    uint64_t count = 0, bad = 0, zero_pages = 0;
    unsigned char resident[RUN];
    int ret = add(batch, PAGE, src, RUN * PAGE, true, &count);

    CHECK(ret == 0 && count == RUN * PAGE, "one %d-page measured add (ret %d, count %llu)", RUN, ret,
          (unsigned long long)count);
    for (uint64_t i = 0; i < RUN; i++)
        if (add(pages, PAGE + i * PAGE, src + i * PAGE, PAGE, true, &count) || count != PAGE)
            bad++;
    CHECK(!bad, "the same pages one by one");
    /* Before reading the alias back: a read fault would allocate shmem pages. */
    for (uint64_t i = 0; i < RUN; i++)
        zero_pages += i % 3 == 1;
    CHECK(!mincore(batch->alias + PAGE, RUN * PAGE, resident) && resident_pages(resident) == RUN - zero_pages,
          "zero pages not written to the memfd (%llu of %d pages resident, %llu nonzero)",
          (unsigned long long)resident_pages(resident), RUN, (unsigned long long)(RUN - zero_pages));
    CHECK(!sgx_measure_peek(&batch->measure, mr_batch) && !sgx_measure_peek(&pages->measure, mr_pages) &&
              !memcmp(mr_batch, mr_pages, 32), "same MRENCLAVE batched and page by page");
    for (uint64_t i = 0; i < RUN; i++) {
        bad += memcmp(sim_alias(batch, PAGE + i * PAGE), src + i * PAGE, PAGE) != 0;
        bad += !sgx_sim_epcm(batch)[1 + i].valid || sgx_sim_epcm(batch)[1 + i].perms != (SGX_SECINFO_R | SGX_SECINFO_W);
    }
    CHECK(!bad, "contents and EPCM entries of every page");
    CHECK(prot_rw(batch->base + PAGE) && prot_rw(batch->base + RUN * PAGE), "the run is mapped rw");
    CHECK(!sgx_sim_epcm(batch)[RUN + 1].valid, "the page after the run is not added");
    drv.close(batch);
    drv.close(pages);
    munmap(src, RUN * PAGE);
}

/* The source's page 20 is unreadable: pages 0..19 are added, counted and
 * mapped; the rest are not. */
static void test_fault_midway(void)
{
    uint8_t *src = make_source(RUN);
    struct sgx_driver_encl *e = create();
    uint64_t count = 0, bad = 0;
    int ret;

    mprotect(src + 20 * PAGE, PAGE, PROT_NONE);
    ret = add(e, PAGE, src, RUN * PAGE, false, &count);
    CHECK(ret == -EFAULT && count == 20 * PAGE, "fault at source page 20 -> -EFAULT, count %llu",
          (unsigned long long)count);
    for (uint64_t i = 0; i < RUN; i++)
        bad += sgx_sim_epcm(e)[1 + i].valid != (i < 20);
    CHECK(!bad, "EPCM: exactly the 20 pages before the fault");
    CHECK(prot_rw(e->base + PAGE) && prot_rw(e->base + 20 * PAGE) && !prot_rw(e->base + 21 * PAGE),
          "the added prefix is mapped, the rest is not");
    ret = add(e, 21 * PAGE, src + 20 * PAGE, (RUN - 20) * PAGE, false, &count);
    CHECK(ret == -EFAULT && count == 0, "retry from the fault faults again");
    mprotect(src + 20 * PAGE, PAGE, PROT_READ | PROT_WRITE);
    ret = add(e, 21 * PAGE, src + 20 * PAGE, (RUN - 20) * PAGE, false, &count);
    CHECK(ret == 0 && count == (RUN - 20) * PAGE, "retry from offset + count completes");
    drv.close(e);
    munmap(src, RUN * PAGE);
}

static volatile sig_atomic_t host_segv;
static sigjmp_buf host_jmp;

static void host_segv_handler(int sig)
{
    (void)sig;
    host_segv++;
    siglongjmp(host_jmp, 1);
}

/* The sim reads sources in place and takes their faults with its own
 * SIGSEGV handler: also with SIGSEGV blocked in the calling thread (the
 * mask is given back), and a fault of host code elsewhere still reaches
 * the host's handler. A source unmapped part-way is -EFAULT too. */
static void test_fault_handling(void)
{
    uint8_t *src = make_source(RUN);
    struct sgx_driver_encl *e = create();
    struct sigaction sa = {.sa_handler = host_segv_handler};
    sigset_t segv, mask;
    uint64_t count = 0;
    int ret;

    sigaction(SIGSEGV, &sa, NULL);
    sigemptyset(&segv);
    sigaddset(&segv, SIGSEGV);
    sigprocmask(SIG_BLOCK, &segv, NULL);
    mprotect(src + 7 * PAGE, PAGE, PROT_NONE);
    ret = add(e, PAGE, src, RUN * PAGE, false, &count);
    sigprocmask(SIG_SETMASK, NULL, &mask);
    CHECK(ret == -EFAULT && count == 7 * PAGE && sigismember(&mask, SIGSEGV),
          "SIGSEGV blocked: fault at source page 7 -> -EFAULT, count %llu, still blocked",
          (unsigned long long)count);
    sigprocmask(SIG_UNBLOCK, &segv, NULL);
    if (!sigsetjmp(host_jmp, 1))
        *(volatile uint8_t *)(src + 7 * PAGE) = 1;
    CHECK(host_segv == 1, "a host fault after the add reaches the host's SIGSEGV handler");
    munmap(src + 10 * PAGE, PAGE);
    mprotect(src + 7 * PAGE, PAGE, PROT_READ);
    ret = add(e, 8 * PAGE, src + 7 * PAGE, 10 * PAGE, false, &count);
    CHECK(ret == -EFAULT && count == 3 * PAGE, "unmapped source page -> -EFAULT after the pages before it (%llu)",
          (unsigned long long)count);
    signal(SIGSEGV, SIG_DFL);
    drv.close(e);
    munmap(src, RUN * PAGE);
}

/* Both variants of the sim's page read (the AVX2 one is what this CPU
 * runs if it has AVX2; the SSE2 one is the fallback): zero, non-zero
 * (copied), and unreadable (-EFAULT through the fault fixup). */
long read_sse2(void *dst, const void *src) __asm__("sim_read_page_sse2");
long read_avx2(void *dst, const void *src) __asm__("sim_read_page_avx2");

static void test_read_page(void)
{
    uint8_t *src = make_source(3), *dst = aligned_alloc(PAGE, PAGE);
    bool avx2 = __builtin_cpu_supports("avx2");

    if (!dst || sim_signals_take_faults())
        abort();
    mprotect(src + 2 * PAGE, PAGE, PROT_NONE);
    for (int v = 0; v < 2; v++) {
        long (*rd)(void *, const void *) = v ? read_avx2 : read_sse2;
        const char *name = v ? "AVX2" : "SSE2";
        long z, nz, bad;

        if (v && !avx2) {
            SKIP("the AVX2 read: this CPU has no AVX2");
            continue;
        }
        memset(dst, 0xa5, PAGE);
        z = rd(dst, src + PAGE);
        CHECK(z == 0 && dst[0] == 0xa5, "%s: a zero page reads as 0, nothing copied", name);
        src[PAGE + PAGE - 1] = 1; /* the last byte alone */
        nz = rd(dst, src + PAGE);
        CHECK(nz == 1 && !memcmp(dst, src + PAGE, PAGE),
              "%s: a page non-zero in its last byte is copied", name);
        src[PAGE + PAGE - 1] = 0;
        nz = rd(dst, src);
        CHECK(nz == 1 && !memcmp(dst, src, PAGE), "%s: a pattern page is copied", name);
        bad = rd(dst, src + 2 * PAGE);
        CHECK(bad == -EFAULT, "%s: an unreadable page -> -EFAULT (%ld)", name, bad);
    }
    free(dst);
    munmap(src, 3 * PAGE);
}

/* A driver recording ADD_PAGES calls; it adds at most 3 pages per call and
 * returns -EINTR without progress on every 4th call. */
struct call {
    uint64_t offset, length, flags, sflags;
};
static struct call calls[256];
static size_t n_calls, fake_calls;
static uint8_t fake_mem[ENCL_SIZE];
static int fake_token;

static int fake_open(const struct sgx_driver *d, struct sgx_driver_encl **out)
{
    (void)d;
    *out = (struct sgx_driver_encl *)&fake_token;
    return 0;
}

static int fake_create(struct sgx_driver_encl *e, struct sgx_enclave_create *a)
{
    (void)e;
    (void)a;
    return 0;
}

static int fake_add(struct sgx_driver_encl *e, struct sgx_enclave_add_pages *a)
{
    uint64_t n = a->length < 3 * PAGE ? a->length : 3 * PAGE;

    (void)e;
    a->count = 0;
    if (++fake_calls % 4 == 0)
        return -EINTR;
    if (n_calls < sizeof(calls) / sizeof(calls[0]))
        calls[n_calls++] = (struct call){a->offset, a->length, a->flags,
                                         ((const struct sgx_secinfo *)(uintptr_t)a->secinfo)->flags};
    memcpy(fake_mem + a->offset, (const void *)(uintptr_t)a->src, n);
    a->count = n;
    return 0;
}

static int fake_init(struct sgx_driver_encl *e, struct sgx_enclave_init *a)
{
    (void)e;
    (void)a;
    return 0;
}

static void fake_close(struct sgx_driver_encl *e)
{
    (void)e;
}

static void test_image_runs(void)
{
    static const struct sgx_driver fake = {.name = "fake", .open = fake_open, .create = fake_create,
                                           .add_pages = fake_add, .init = fake_init, .close = fake_close};
    uint64_t rx = SGX_SECINFO_REG | SGX_SECINFO_R | SGX_SECINFO_X, rw = si_rw.flags;
    uint8_t *data = (uint8_t *)malloc(8 * PAGE + 16) + 16; /* not page aligned */
    struct sgx_layout_page pg[12];
    struct sgx_layout l = {.size = ENCL_SIZE, .ssa_frame_size = 1, .pages = pg, .n_pages = 12};
    struct sgx_secs secs __attribute__((aligned(PAGE))) = {.size = ENCL_SIZE, .ssa_frame_size = 1};
    struct sgx_sigstruct sig;
    struct sgx_driver_encl *out = NULL;
    struct sgx_err err = {0};
    size_t bad = 0, added = 0;
    int ret;

    for (int i = 0; i < 8 * PAGE; i++)
        data[i] = (uint8_t)(i / PAGE + 1);
    /* 0-4: rx measured data; 5: rw measured data; 6-7: rw measured zero;
     * 8-10: rw unmeasured zero; 11, at offset 12 (a gap at 11): rw unmeasured zero. */
    for (int i = 0; i < 12; i++)
        pg[i] = (struct sgx_layout_page){.offset = (uint64_t)(i < 11 ? i : 12) * PAGE, .secinfo_flags = i < 5 ? rx : rw,
                                         .measured = i < 8, .data = i < 6 ? data + i * PAGE : NULL, .region = "t"};
    memset(fake_mem, 0xee, sizeof(fake_mem));
    memset(&sig, 0, sizeof(sig));
    ret = enclave_image_load(&fake, &l, &secs, &sig, &out, &err);
    CHECK(ret == 0, "loaded through a driver with partial progress and -EINTR (%s)", err.msg);
    for (size_t i = 0; i < n_calls; i++)
        added += calls[i].length == 0 ? 0 : 1;
    /* Runs: [0,5) rx, [5,6) rw data, [6,8) zero measured, [8,11) zero, [12,13). */
    CHECK(n_calls >= 5 && calls[0].offset == 0 && calls[0].length == 5 * PAGE && calls[0].sflags == rx &&
              calls[0].flags == SGX_PAGE_MEASURE, "first run: 5 rx pages in one call");
    CHECK(n_calls >= 2 && calls[1].offset == 3 * PAGE && calls[1].length == 2 * PAGE,
          "after partial progress: continued from offset + count");
    for (int i = 0; i < 12; i++)
        for (int b = 0; b < PAGE; b++)
            bad += fake_mem[pg[i].offset + b] != (pg[i].data ? pg[i].data[b] : 0);
    CHECK(!bad, "every page's data arrived at its offset");
    CHECK(fake_mem[11 * PAGE] == 0xee && fake_mem[12 * PAGE - 1] == 0xee, "the gap is not added");
    for (size_t i = 0; i < n_calls; i++)
        bad += (calls[i].offset < 8 * PAGE) != (calls[i].flags == SGX_PAGE_MEASURE) ||
               (calls[i].offset / PAGE == 12 && calls[i].length != PAGE);
    CHECK(!bad && added == n_calls, "measure flags and run boundaries (%zu calls)", n_calls);
    free(data - 16);
}

int main(void)
{
    sgx_sim_cpu_default(&cpu, false);
    sgx_sim_driver_init(&drv, &cpu);
    test_batched_measure();
    test_fault_midway();
    test_fault_handling();
    test_read_page();
    test_image_runs();
    return TAP_DONE();
}
