/* EADD (+EEXTEND) of a whole page list through a driver, in runs: one
 * ADD_PAGES call per run of consecutive pages with one SECINFO and measure
 * flag (as the kernel ioctl allows), continued after partial progress and
 * retried on -EINTR. Shared by the uRTS and enclave_image_load. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "layout.h"
#include "sgx_driver.h"

#define PAGE 4096ULL
/* Pages per ADD_PAGES call; the stage holds one run of data pages (the
 * layout's data need not be page aligned) and one run of zero pages. */
#define RUN_PAGES 256
#define STAGE_SIZE (2 * RUN_PAGES * PAGE)

/* A position in the page list: page k of entry i. */
struct cursor {
    size_t i;
    uint64_t k;
};

/* Pages from c that one ADD_PAGES call can add, at most max: alike pages
 * (one SECINFO, measure flag, data or none, region) at consecutive offsets,
 * across entries. */
static uint64_t run_length(const struct sgx_layout *l, struct cursor c, uint64_t max)
{
    const struct sgx_layout_page *first = &l->pages[c.i];
    uint64_t n = 0, next = first->offset + c.k * PAGE;

    for (size_t i = c.i; i < l->n_pages && n < max; i++) {
        const struct sgx_layout_page *p = &l->pages[i];
        uint64_t avail = sgx_layout_entry_pages(p) - (i == c.i ? c.k : 0), take;

        if (i > c.i && (p->offset != next || p->secinfo_flags != first->secinfo_flags ||
                        p->measured != first->measured || !p->data != !first->data || p->region != first->region))
            break;
        take = avail < max - n ? avail : max - n;
        n += take;
        next += take * PAGE;
        if (take < avail)
            break;
    }
    return n;
}

/* c moved on by n pages. */
static struct cursor advance(const struct sgx_layout *l, struct cursor c, uint64_t n)
{
    while (n && c.i < l->n_pages) {
        uint64_t left = sgx_layout_entry_pages(&l->pages[c.i]) - c.k;

        if (n < left) {
            c.k += n;
            break;
        }
        n -= left;
        c.i++;
        c.k = 0;
    }
    return c;
}

/* ADD_PAGES for the run until all of it is added (src 0: zero pages,
 * through add_zero_pages, which add_pages gives only a backend that has
 * it). *done: bytes added. */
static int add_run(const struct sgx_driver *drv, struct sgx_driver_encl *encl,
                   const struct sgx_enclave_add_pages *run, uint64_t *done)
{
    int ret = 0;

    *done = 0;
    while (!ret && *done < run->length) {
        struct sgx_enclave_add_pages a = {run->src + *done, run->offset + *done, run->length - *done,
                                          run->secinfo, run->flags, 0};

        ret = run->src ? drv->add_pages(encl, &a) : drv->add_zero_pages(encl, &a);
        if (a.count > a.length || a.count % PAGE)
            return -EIO;
        *done += a.count;
        if (ret == -EINTR || (!ret && !a.count))
            ret = ret ? 0 : -EIO; /* retried; no progress without an error is a broken driver */
    }
    return ret;
}

uint64_t sgx_layout_add_ns;

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int add_pages(const struct sgx_driver *drv, struct sgx_driver_encl *encl,
                     const struct sgx_layout *l, struct sgx_err *e);

int sgx_layout_add_pages(const struct sgx_driver *drv, struct sgx_driver_encl *encl,
                         const struct sgx_layout *l, struct sgx_err *e)
{
    uint64_t t0 = now_ns();
    int ret = add_pages(drv, encl, l, e);

    __atomic_add_fetch(&sgx_layout_add_ns, now_ns() - t0, __ATOMIC_RELAXED);
    return ret;
}

/* The zero source of a run: RUN_PAGES / VIEW_PAGES views of one shared
 * anonymous 64 KiB (mremap of a shared mapping with old_size 0 maps the
 * same pages again), so reading a run of zero pages reads the same 64 KiB,
 * which stays in the L2 cache, instead of 1 MiB from farther away (views
 * of a single page read no faster and cost 255 mremaps). Real pages (not
 * the shared zero page) in a mapping that may be executable (VM_MAYEXEC),
 * as the kernel wants of a source. Made once per process and kept,
 * read-only (forks share it). NULL when it cannot be made. */
#define VIEW_PAGES 16
static uint8_t *zero_views(void)
{
    static uint8_t *views;
    uint8_t *z = __atomic_load_n(&views, __ATOMIC_ACQUIRE), *none = NULL;

    if (z)
        return z;
    z = mmap(NULL, RUN_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (z == MAP_FAILED)
        return NULL;
    memset(z, 0, VIEW_PAGES * PAGE); /* the pages exist before they are viewed again */
    for (size_t k = VIEW_PAGES; k < RUN_PAGES; k += VIEW_PAGES)
        if (mremap(z, 0, VIEW_PAGES * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, z + k * PAGE) != z + k * PAGE) {
            munmap(z, RUN_PAGES * PAGE);
            return NULL;
        }
    if (mprotect(z, RUN_PAGES * PAGE, PROT_READ) ||
        !__atomic_compare_exchange_n(&views, &none, z, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        munmap(z, RUN_PAGES * PAGE);
        return none; /* another thread's, or NULL */
    }
    return z;
}

static int add_pages(const struct sgx_driver *drv, struct sgx_driver_encl *encl,
                     const struct sgx_layout *l, struct sgx_err *e)
{
    /* Anonymous memory: the kernel wants sources that may be executable,
     * and real pages (not the shared zero page) as zero sources. */
    uint8_t *stage = mmap(NULL, STAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *zero = zero_views();
    struct sgx_secinfo si __attribute__((aligned(64)));
    int ret = 0;

    if (stage == MAP_FAILED)
        return sgx_err_set(e, "cannot map the staging pages: %s", strerror(errno)), -ENOMEM;
    /* Test hook: a host that adds the heap (not measured) with contents of
     * its own choosing instead of zeros, which the enclave must never let
     * the program see (t_sim_dirty_heap.sh). */
    uint8_t *dirty = NULL;

    if (getenv("GEODE_TEST_HOST_DIRTY_HEAP")) {
        dirty = mmap(NULL, RUN_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (dirty == MAP_FAILED)
            dirty = NULL;
        else
            memset(dirty, 0xa5, RUN_PAGES * PAGE);
    }
    if (!zero) { /* the second half of the stage instead */
        zero = stage + RUN_PAGES * PAGE;
        memset(zero, 0, RUN_PAGES * PAGE);
    }
    for (struct cursor c = {0, 0}; !ret && c.i < l->n_pages;) {
        const struct sgx_layout_page *pg = &l->pages[c.i];
        uint8_t *src = pg->data ? stage : dirty && !strcmp(pg->region, "heap") ? dirty : zero;
        struct sgx_enclave_add_pages a = {src == zero && drv->add_zero_pages ? 0 : (uintptr_t)src,
                                          pg->offset + c.k * PAGE, 0, (uintptr_t)&si,
                                          pg->measured ? SGX_PAGE_MEASURE : 0, 0};
        uint64_t done, n;

        if (pg->more && (pg->data || pg->measured)) {
            ret = -EINVAL;
            sgx_err_set(e, "page list entry at offset 0x%llx: a run of pages with data or measured",
                        (unsigned long long)pg->offset);
            break;
        }
        /* A source holds RUN_PAGES; zero pages without one go in one call
         * per region (the sim's add_zero_pages: one mprotect for the
         * 65,536 heap pages of a 256 MiB enclave instead of 256). */
        n = run_length(l, c, a.src ? RUN_PAGES : UINT64_MAX);
        a.length = n * PAGE;
        for (uint64_t k = 0; pg->data && k < n; k++) /* data entries are one page each */
            memcpy(stage + k * PAGE, pg[k].data, PAGE);
        memset(&si, 0, sizeof(si));
        si.flags = pg->secinfo_flags;
        ret = add_run(drv, encl, &a, &done);
        if (ret) {
            struct cursor at = advance(l, c, done / PAGE);

            sgx_err_set(e, "EADD of the %s page at offset 0x%llx failed: %s",
                        l->pages[at.i < l->n_pages ? at.i : c.i].region, (unsigned long long)(a.offset + done),
                        strerror(-ret));
        }
        c = advance(l, c, n);
    }
    munmap(stage, STAGE_SIZE);
    if (dirty)
        munmap(dirty, RUN_PAGES * PAGE);
    return ret;
}
