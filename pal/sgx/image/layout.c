/* The enclave image builder (see layout.h for the map). */
#include "layout.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elf_image.h"
#include "measure.h"
#include "ssa_size.h"

#define PAGE SGX_PAGE_SIZE
#define MAX_NSSA 16
/* Bounds the page list (16 M entries) and keeps every offset exact in JSON. */
#define MAX_ENCLAVE_SIZE (1ULL << 36)

/* Region offsets computed from the description, before any page is emitted. */
struct plan {
    uint64_t tcs, ssa, tls, stacks, blob, heap, heap_size, heap_added, end;
    uint64_t elf_off[SGX_LAYOUT_MAX_ELFS];
    struct elf_image img[SGX_LAYOUT_MAX_ELFS];
};

static uint64_t page_round(uint64_t v)
{
    return (v + PAGE - 1) & ~(PAGE - 1);
}

static int check_desc(const struct sgx_layout_desc *d, struct sgx_err *e)
{
    if (d->n_elfs < 1 || d->n_elfs > SGX_LAYOUT_MAX_ELFS)
        return sgx_err_set(e, "need 1 to %d ELF files, got %zu", SGX_LAYOUT_MAX_ELFS, d->n_elfs), -EINVAL;
    if (d->threads < 1 || d->threads > SGX_LAYOUT_MAX_THREADS)
        return sgx_err_set(e, "threads must be 1..%d, got %u", SGX_LAYOUT_MAX_THREADS, d->threads), -EINVAL;
    if (d->nssa < 1 || d->nssa > MAX_NSSA)
        return sgx_err_set(e, "NSSA must be 1..%d, got %u", MAX_NSSA, d->nssa), -EINVAL;
    if (!d->stack_size || d->stack_size % PAGE || d->stack_size > MAX_ENCLAVE_SIZE)
        return sgx_err_set(e, "stack size must be a nonzero multiple of 4096"), -EINVAL;
    if (d->heap_size % PAGE || d->heap_size > MAX_ENCLAVE_SIZE)
        return sgx_err_set(e, "heap size must be a multiple of 4096 below 64 GiB"), -EINVAL;
    if (d->blob_size > MAX_ENCLAVE_SIZE || (d->blob_size && !d->blob))
        return sgx_err_set(e, "blob missing or too large"), -EINVAL;
    if (!(d->attributes & SGX_ATTR_MODE64BIT) || (d->attributes & ~SGX_ATTR_KNOWN) ||
        (d->attributes & SGX_ATTR_INIT))
        return sgx_err_set(e, "attributes 0x%llx: MODE64BIT required, INIT and unknown bits not allowed",
                           (unsigned long long)d->attributes), -EINVAL;
    if (d->enclave_size && (d->enclave_size & (d->enclave_size - 1)))
        return sgx_err_set(e, "enclave size 0x%llx is not a power of two",
                           (unsigned long long)d->enclave_size), -EINVAL;
    return 0;
}

/* Places the ELF images: at the requested offset, or after a guard page. */
static int plan_elfs(const struct sgx_layout_desc *d, struct plan *p, uint64_t *cursor, struct sgx_err *e)
{
    for (size_t i = 0; i < d->n_elfs; i++) {
        const struct sgx_layout_elf *elf = &d->elfs[i];
        int ret = elf_image_load(elf->path, &p->img[i], e);

        if (ret)
            return ret;
        if (elf->has_offset && (elf->offset % PAGE || elf->offset > MAX_ENCLAVE_SIZE)) {
            sgx_err_set(e, "%s: offset 0x%llx is not page aligned or too large", elf->path,
                        (unsigned long long)elf->offset);
            return -EINVAL;
        }
        p->elf_off[i] = elf->has_offset ? elf->offset : *cursor + PAGE;
        if (p->elf_off[i] + p->img[i].span > *cursor)
            *cursor = p->elf_off[i] + p->img[i].span;
    }
    return 0;
}

/* The heap-low layout: the regions planned from offset 0 (ending at `used`)
 * move to the top of SIZE, and the heap runs from heap_low up to a guard page
 * below them, so a program linked at a fixed low address (ET_EXEC, e.g.
 * 0x400000) lands in the heap of an enclave based at 0. */
static int plan_low(const struct sgx_layout_desc *d, struct plan *p, uint64_t used, struct sgx_err *e)
{
    uint64_t size = d->enclave_size, origin, top;

    for (size_t i = 0; i < d->n_elfs; i++)
        if (d->elfs[i].has_offset)
            return sgx_err_set(e, "%s: fixed ELF offsets and a low heap exclude each other",
                               d->elfs[i].path), -EINVAL;
    if (!size || d->heap_low % PAGE || used > size || size - page_round(used) < d->heap_low + 2 * PAGE)
        return sgx_err_set(e, "enclave size 0x%llx leaves no heap above 0x%llx: the image needs 0x%llx",
                           (unsigned long long)size, (unsigned long long)d->heap_low,
                           (unsigned long long)used), -EINVAL;
    origin = size - page_round(used);
    top = origin - PAGE; /* guard page below the regions */
    if (d->heap_size && d->heap_size > top - d->heap_low)
        return sgx_err_set(e, "heap 0x%llx does not fit below 0x%llx", (unsigned long long)d->heap_size,
                           (unsigned long long)top), -EINVAL;
    p->tcs += origin;
    p->ssa += origin;
    p->tls += origin;
    p->stacks += origin;
    if (d->blob_size)
        p->blob += origin;
    for (size_t i = 0; i < d->n_elfs; i++)
        p->elf_off[i] += origin;
    p->heap = d->heap_low;
    p->heap_size = d->heap_size ? d->heap_size : top - d->heap_low;
    p->end = size;
    return 0;
}

static int plan_regions(const struct sgx_layout_desc *d, uint32_t frame, struct plan *p,
                        struct sgx_err *e)
{
    uint64_t cursor;
    int ret;

    p->tcs = 0;
    p->ssa = p->tcs + d->threads * PAGE;
    p->tls = p->ssa + (uint64_t)d->threads * d->nssa * frame * PAGE;
    p->stacks = p->tls + d->threads * PAGE;
    cursor = p->stacks + d->threads * (PAGE + d->stack_size);
    p->blob = d->blob_size ? cursor + PAGE : 0;
    cursor += d->blob_size ? PAGE + page_round(d->blob_size) : 0;
    ret = plan_elfs(d, p, &cursor, e);
    if (ret)
        return ret;
    if (d->heap_low)
        return plan_low(d, p, cursor, e);
    p->heap = d->heap_size ? cursor + PAGE : 0;
    p->heap_size = d->heap_size;
    p->end = cursor + (d->heap_size ? PAGE + d->heap_size : 0);
    return 0;
}

static int choose_size(const struct sgx_layout_desc *d, uint64_t end, uint64_t *size, struct sgx_err *e)
{
    uint64_t s = 2 * PAGE;

    if (end > MAX_ENCLAVE_SIZE) {
        sgx_err_set(e, "layout needs 0x%llx bytes, more than 64 GiB", (unsigned long long)end);
        return -EINVAL;
    }
    while (s < end)
        s <<= 1;
    if (d->enclave_size && d->enclave_size < s) {
        sgx_err_set(e, "enclave size 0x%llx is too small: the layout needs 0x%llx",
                    (unsigned long long)d->enclave_size, (unsigned long long)s);
        return -EINVAL;
    }
    *size = d->enclave_size ? d->enclave_size : s;
    return 0;
}

static int add_entry(struct sgx_layout *l, uint64_t off, uint64_t flags, bool measured,
                     const uint8_t *data, const char *region, uint64_t more)
{
    if (l->n_pages == l->cap_pages) {
        size_t cap = l->cap_pages ? 2 * l->cap_pages : 256;
        struct sgx_layout_page *p = realloc(l->pages, cap * sizeof(*p));

        if (!p)
            return -ENOMEM;
        l->pages = p;
        l->cap_pages = cap;
    }
    l->pages[l->n_pages++] = (struct sgx_layout_page){off, flags, measured, data, region, more};
    return 0;
}

static int add_page(struct sgx_layout *l, uint64_t off, uint64_t flags, bool measured,
                    const uint8_t *data, const char *region)
{
    return add_entry(l, off, flags, measured, data, region, 0);
}

/* Adds `len` bytes of pages starting at off; data (if any) advances with
 * them. Zero pages not measured are one entry. */
static int add_range(struct sgx_layout *l, uint64_t off, uint64_t len, uint64_t flags, bool measured,
                     const uint8_t *data, const char *region)
{
    if (!data && !measured)
        return len ? add_entry(l, off, flags, false, NULL, region, len / PAGE - 1) : 0;
    for (uint64_t i = 0; i < len; i += PAGE) {
        int ret = add_page(l, off + i, flags, measured, data ? data + i : NULL, region);

        if (ret)
            return ret;
    }
    return 0;
}

/* Page-aligned: TCS and SECS contents are typed 4096-aligned structures. */
static void *own(struct sgx_layout *l, size_t size)
{
    size_t rounded = (size + PAGE - 1) / PAGE * PAGE;
    void *buf = aligned_alloc(PAGE, rounded ? rounded : PAGE);

    if (buf)
        memset(buf, 0, rounded ? rounded : PAGE);
    if (buf)
        l->owned[l->n_owned++] = buf;
    return buf;
}

static void fill_tls(const struct sgx_layout_desc *d, const struct plan *p, uint64_t size,
                     uint32_t frame_pages, uint32_t t, struct sgx_layout_tls *tls)
{
    tls->self_offset = p->tls + t * PAGE;
    tls->thread_index = t;
    tls->tcs_offset = p->tcs + t * PAGE;
    tls->ssa_offset = p->ssa + (p->tls - p->ssa) / d->threads * t;
    tls->stack_top_offset = p->stacks + (uint64_t)(t + 1) * (PAGE + d->stack_size);
    tls->stack_size = d->stack_size;
    tls->blob_offset = p->blob;
    tls->blob_size = d->blob_size;
    tls->heap_offset = p->heap;
    tls->heap_size = p->heap_size;
    tls->enclave_size = size;
    tls->n_elfs = d->n_elfs;
    for (size_t i = 0; i < d->n_elfs; i++) {
        tls->elf_offset[i] = p->elf_off[i];
        tls->elf_span[i] = p->img[i].span;
    }
    tls->nssa = d->nssa;
    tls->ssa_frame_pages = frame_pages;
    tls->flags = SGX_LAYOUT_TLS_MAPS_TOP;
    if (d->edmm) {
        tls->flags |= SGX_LAYOUT_TLS_EDMM;
        tls->heap_added = p->heap_added;
    }
}

static void fill_tcs(const struct sgx_layout_desc *d, const struct sgx_layout_tls *tls,
                     uint64_t entry, struct sgx_tcs *tcs)
{
    /* EADD of a TCS requires STATE, CSSA, AEP, DBGOPTIN zero (calloc'd). */
    tcs->flags = (d->attributes & SGX_ATTR_AEXNOTIFY) ? SGX_TCS_AEXNOTIFY : 0;
    tcs->ossa = tls->ssa_offset;
    tcs->nssa = d->nssa;
    tcs->oentry = entry;
    tcs->ofsbase = tls->self_offset;
    tcs->ogsbase = tls->self_offset;
    /* Ignored in 64-bit mode; all ones as the SDK and Gramine set them. */
    tcs->fslimit = 0xfff;
    tcs->gslimit = 0xfff;
}

/* TCS, SSA, TLS and stack pages for every thread. */
/* The heap's page maps at its end (sgx_layout_heap_meta_pages), in bytes. */
static uint64_t heap_maps(const struct plan *p)
{
    uint64_t n = sgx_layout_heap_meta_pages(p->heap_size / PAGE) * PAGE;

    return n < p->heap_size ? n : p->heap_size;
}

/* The heap's part added at build from its start: all of it, or with EDMM
 * heap_precommit bytes (the page maps at its end are added too). */
static void plan_heap_added(const struct sgx_layout_desc *d, struct plan *p)
{
    uint64_t n;

    p->heap_added = p->heap_size;
    if (!d->edmm)
        return;
    n = page_round(d->heap_precommit);
    if (n > p->heap_size - heap_maps(p))
        n = p->heap_size - heap_maps(p);
    p->heap_added = n;
}

static int emit_threads(const struct sgx_layout_desc *d, const struct plan *p, struct sgx_layout *l)
{
    struct sgx_tcs *tcs = own(l, d->threads * PAGE);
    uint8_t *tls = own(l, d->threads * PAGE);
    uint64_t rw = sgx_secinfo_flags(SGX_PT_REG, SGX_SECINFO_R | SGX_SECINFO_W);
    int ret;

    if (!tcs || !tls)
        return -ENOMEM;
    for (uint32_t t = 0; t < d->threads; t++) {
        fill_tls(d, p, l->size, l->ssa_frame_size, t, (struct sgx_layout_tls *)(tls + t * PAGE));
        fill_tcs(d, (struct sgx_layout_tls *)(tls + t * PAGE), l->entry_offset, &tcs[t]);
    }
    ret = add_range(l, p->tcs, d->threads * PAGE, SGX_SECINFO_TCS, true, (uint8_t *)tcs, "tcs");
    if (!ret)
        ret = add_range(l, p->ssa, p->tls - p->ssa, rw, true, NULL, "ssa");
    if (!ret)
        ret = add_range(l, p->tls, d->threads * PAGE, rw, true, tls, "tls");
    for (uint32_t t = 0; !ret && t < d->threads; t++)
        ret = add_range(l, p->stacks + t * (PAGE + d->stack_size) + PAGE, d->stack_size, rw, false,
                        NULL, "stack");
    return ret;
}

static const char *const elf_names[SGX_LAYOUT_MAX_ELFS] = {"elf0", "elf1", "elf2", "elf3",
                                                           "elf4", "elf5", "elf6", "elf7"};

static int emit_images(const struct sgx_layout_desc *d, struct plan *p, struct sgx_layout *l)
{
    int ret = 0;

    if (d->blob_size) {
        uint8_t *blob = own(l, page_round(d->blob_size));

        if (!blob)
            return -ENOMEM;
        memcpy(blob, d->blob, d->blob_size);
        ret = add_range(l, p->blob, page_round(d->blob_size), SGX_SECINFO_REG | SGX_SECINFO_R, true,
                        blob, "blob");
    }
    for (size_t i = 0; !ret && i < d->n_elfs; i++) {
        for (uint64_t pg = 0; !ret && pg < p->img[i].span / PAGE; pg++)
            if (p->img[i].perms[pg])
                ret = add_page(l, p->elf_off[i] + pg * PAGE, SGX_SECINFO_REG | p->img[i].perms[pg], true,
                               p->img[i].mem + pg * PAGE, elf_names[i]);
        /* The page data now belongs to the layout. */
        l->owned[l->n_owned++] = p->img[i].mem;
        p->img[i].mem = NULL;
    }
    return ret;
}

/* RWX: on SGX1 the EPCM permissions are fixed at EADD, and the program's
 * code is loaded into the heap by the libOS. */
static int emit_heap(const struct plan *p, struct sgx_layout *l)
{
    uint64_t rwx = SGX_SECINFO_REG | SGX_SECINFO_R | SGX_SECINFO_W | SGX_SECINFO_X, maps = heap_maps(p);
    int ret;

    if (!p->heap_size)
        return 0;
    if (p->heap_added == p->heap_size)
        return add_range(l, p->heap, p->heap_size, rwx, false, NULL, "heap");
    /* EDMM: the precommitted start, and the page maps at the end. */
    ret = add_range(l, p->heap, p->heap_added, rwx, false, NULL, "heap");
    return ret ? ret : add_range(l, p->heap + p->heap_size - maps, maps, rwx, false, NULL, "heap");
}

/* The offset just past an entry's pages. */
static uint64_t entry_end(const struct sgx_layout_page *p)
{
    return p->offset + sgx_layout_entry_pages(p) * PAGE;
}

static int cmp_page(const void *a, const void *b)
{
    uint64_t x = ((const struct sgx_layout_page *)a)->offset, y = ((const struct sgx_layout_page *)b)->offset;

    return x < y ? -1 : x > y;
}

struct run {
    size_t start, n;
};

static int cmp_run(const void *a, const void *b, void *pages)
{
    const struct sgx_layout_page *p = pages;

    return cmp_page(&p[((const struct run *)a)->start], &p[((const struct run *)b)->start]);
}

/* The pages come in ascending runs (a region each): sorting the runs by
 * their first page, and copying them once, is the sort unless two runs
 * interleave (overlapping regions), where it falls back to sorting pages.
 * 0, or -1 when that cannot be done (no memory). */
static int sort_runs(struct sgx_layout *l)
{
    struct sgx_layout_page *p = l->pages, *out;
    struct run *runs;
    size_t n = 0, k = 0;

    for (size_t i = 0; i < l->n_pages; i++)
        n += !i || p[i].offset <= p[i - 1].offset;
    if (n <= 1)
        return 0;
    runs = malloc(n * sizeof(*runs));
    out = malloc(l->n_pages * sizeof(*out));
    if (!runs || !out) {
        free(runs);
        free(out);
        return -1;
    }
    n = 0;
    for (size_t i = 0; i < l->n_pages; i++) {
        if (!i || p[i].offset <= p[i - 1].offset)
            runs[n++] = (struct run){i, 0};
        runs[n - 1].n++;
    }
    qsort_r(runs, n, sizeof(*runs), cmp_run, p);
    for (size_t r = 0; r < n; k += runs[r].n, r++)
        memcpy(out + k, p + runs[r].start, runs[r].n * sizeof(*out));
    free(runs);
    for (size_t i = 1; i < l->n_pages; i++)
        if (out[i].offset < entry_end(&out[i - 1])) {
            free(out);
            return -1; /* interleaved or overlapping: the page sort, then the check */
        }
    memcpy(p, out, l->n_pages * sizeof(*p));
    free(out);
    return 0;
}

/* Sorts into EADD order and rejects two regions on one page or a page past SIZE. */
static int sort_and_check(struct sgx_layout *l, struct sgx_err *e)
{
    if (sort_runs(l))
        qsort(l->pages, l->n_pages, sizeof(*l->pages), cmp_page);
    for (size_t i = 1; i < l->n_pages; i++) {
        if (l->pages[i].offset < entry_end(&l->pages[i - 1])) {
            sgx_err_set(e, "regions %s and %s overlap at offset 0x%llx", l->pages[i - 1].region,
                        l->pages[i].region, (unsigned long long)l->pages[i].offset);
            return -EINVAL;
        }
    }
    return 0;
}

static int build(const struct sgx_layout_desc *d, struct plan *p, struct sgx_layout *l, struct sgx_err *e)
{
    bool heap_first;
    int ret = check_desc(d, e);

    if (!ret)
        ret = sgx_ssa_frame_pages(d->xfrm, d->miscselect, &l->ssa_frame_size, e);
    if (!ret)
        ret = plan_regions(d, l->ssa_frame_size, p, e);
    if (!ret)
        ret = choose_size(d, p->end, &l->size, e);
    if (ret)
        return ret;
    l->entry_offset = p->elf_off[0] + p->img[0].entry;
    plan_heap_added(d, p);
    /* In offset order where the heap is below the rest (heap-low layouts):
     * then the sort finds one run and moves nothing. The sort makes the
     * order; this only saves work. */
    heap_first = p->heap < p->tcs;
    ret = heap_first ? emit_heap(p, l) : 0;
    if (!ret)
        ret = emit_threads(d, p, l);
    if (!ret)
        ret = emit_images(d, p, l);
    if (!ret && !heap_first)
        ret = emit_heap(p, l);
    if (ret == -ENOMEM)
        sgx_err_set(e, "out of memory building the page list");
    return ret ? ret : sort_and_check(l, e);
}

int sgx_layout_build(const struct sgx_layout_desc *desc, struct sgx_layout *out, struct sgx_err *e)
{
    struct plan *p = calloc(1, sizeof(*p));
    int ret;

    memset(out, 0, sizeof(*out));
    if (!p) {
        sgx_err_set(e, "out of memory");
        return -ENOMEM;
    }
    ret = build(desc, p, out, e);
    for (size_t i = 0; i < SGX_LAYOUT_MAX_ELFS; i++)
        elf_image_free(&p->img[i]);
    free(p);
    if (ret)
        sgx_layout_free(out);
    return ret;
}

uint64_t sgx_layout_page_count(const struct sgx_layout *l)
{
    uint64_t n = 0;

    for (size_t i = 0; i < l->n_pages; i++)
        n += sgx_layout_entry_pages(&l->pages[i]);
    return n;
}

int sgx_layout_measure(const struct sgx_layout *l, uint8_t mrenclave[32])
{
    static const uint8_t zero[PAGE];
    struct sgx_measure m;
    int ret = sgx_measure_init(&m, l->ssa_frame_size, l->size);

    for (size_t i = 0; !ret && i < l->n_pages; i++) {
        const struct sgx_layout_page *pg = &l->pages[i];
        struct sgx_secinfo si = {.flags = pg->secinfo_flags};

        for (uint64_t k = 0; !ret && k < sgx_layout_entry_pages(pg); k++)
            ret = sgx_measure_add_page(&m, pg->offset + k * PAGE, &si, pg->data ? pg->data : zero,
                                       pg->measured);
    }
    if (!ret)
        ret = sgx_measure_final(&m, mrenclave);
    sgx_measure_free(&m);
    return ret;
}

void sgx_layout_free(struct sgx_layout *l)
{
    for (size_t i = 0; i < l->n_owned; i++)
        free(l->owned[i]);
    free(l->pages);
    memset(l, 0, sizeof(*l));
}
