/* Trusted PAL: the enclave heap as the libOS's address space.
 *
 * SGX1 cannot add or change pages after EINIT, so every page the libOS and
 * the program will ever use is in the heap region from the start, EADDed
 * read-write-execute (the program's code is loaded there) and not measured.
 * This file keeps one bit per heap page (reserved or free) in a bitmap at
 * the start of the heap; commit zeroes pages (their initial content is the
 * host's choice); protect only checks the range, since EPCM permissions are
 * fixed on SGX1 (RWX for the heap), but the host's page-table permissions
 * follow the libOS's requests (OCALL_MPROTECT): free and reserved pages are
 * PROT_NONE, so guard pages and PROT_NONE mappings fault as on Linux. The
 * host may ignore that (a program then misses a fault it expected) or deny
 * access (the enclave stops): neither exposes enclave data.
 *
 * Next to the bitmap, one byte per page records what the host's page
 * table should say (PAL_PROT_* bits) and whether the page is committed
 * (holds data): a forked child gets exactly the committed pages and the
 * same host permissions (pal_fork.c).
 *
 * With EDMM (sgx.edmm_enable, edmm.c) the heap above what the image builder
 * added starts outside the enclave: commit adds and accepts the pages (EAUG
 * zeroes them; the accepted PENDING state proves it), their EPCM permissions
 * follow the libOS's protections (EMODPE, EMODPR), and free trims and removes
 * them. PMAP_EPC marks such pages while they are in the enclave; their EPCM
 * permissions are then enclave_edmm_perms() of their PAL_PROT_* bits. */
#include "pal_enclave.h"

#define PAGE 4096ULL
#define PMAP_COMMITTED 8
#define PMAP_EPC 16

static struct {
    uint64_t lo, pages;  /* usable pages, after the maps */
    uint64_t *bits;      /* 1 = reserved */
    uint8_t *pmap;       /* per page: host PAL_PROT_* bits | PMAP_COMMITTED */
    uint32_t lock;
} heap;

static void lock(void)
{
    while (__atomic_exchange_n(&heap.lock, 1, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
}

static void unlock(void)
{
    __atomic_store_n(&heap.lock, 0, __ATOMIC_RELEASE);
}

/* The host's page-table permissions for [addr, addr + len). */
static long host_protect(uint64_t addr, uint64_t len, int prot)
{
    struct ocall_args a = {{(int64_t)addr, (int64_t)len, prot}};
    struct ocall_iov iov = {&a, sizeof(a)};
    int64_t r = enclave_ocallv(OCALL_MPROTECT, &iov, 1, NULL, 0, NULL);

    return r > 0 ? -PAL_EIO : r;
}

/* Pages of the two maps at the start of a heap of `total` pages. */
static uint64_t meta_pages(uint64_t total)
{
    return (total / 8 + PAGE - 1) / PAGE + (total + PAGE - 1) / PAGE;
}

int enclave_heap_init(uint64_t lo, uint64_t size)
{
    uint64_t total = size / PAGE, map_pages = meta_pages(total);

    if (total <= map_pages + 1 || lo + map_pages * PAGE > enclave_edmm_from())
        return -1; /* EDMM: the maps must be among the pages added at build */
    heap.bits = (uint64_t *)lo;
    heap.pmap = (uint8_t *)(lo + (total / 8 + PAGE - 1) / PAGE * PAGE);
    memset(heap.bits, 0, map_pages * PAGE);
    heap.lo = lo + map_pages * PAGE;
    heap.pages = total - map_pages;
    return host_protect(heap.lo, heap.pages * PAGE, PAL_PROT_NONE) ? -1 : 0;
}

static void set_pmap(uint64_t first, uint64_t n, int keep_committed, uint8_t v)
{
    for (uint64_t i = first; i < first + n; i++)
        heap.pmap[i] = (uint8_t)((heap.pmap[i] & PMAP_EPC) | (keep_committed ? heap.pmap[i] & PMAP_COMMITTED : 0) | v);
}

static int test(uint64_t i) { return (heap.bits[i / 64] >> (i % 64)) & 1; }

static void set_range(uint64_t first, uint64_t n, int on)
{
    for (uint64_t i = first; i < first + n; i++) {
        if (on)
            heap.bits[i / 64] |= 1ULL << (i % 64);
        else
            heap.bits[i / 64] &= ~(1ULL << (i % 64));
    }
}

static int range_free(uint64_t first, uint64_t n)
{
    for (uint64_t i = first; i < first + n; i++)
        if (test(i))
            return 0;
    return 1;
}

static int range_reserved(uint64_t first, uint64_t n)
{
    for (uint64_t i = first; i < first + n; i++)
        if (!test(i))
            return 0;
    return 1;
}

/* The page range [first, first + n) of [addr, addr + size), or -1 when it
 * is not page aligned or not inside the heap. */
static int64_t to_pages(uint64_t addr, uint64_t size, uint64_t *n)
{
    if (!size || addr % PAGE || size % PAGE || addr < heap.lo)
        return -1;
    if ((addr - heap.lo) / PAGE > heap.pages || size / PAGE > heap.pages - (addr - heap.lo) / PAGE)
        return -1;
    *n = size / PAGE;
    return (int64_t)((addr - heap.lo) / PAGE);
}

/* Highest free run of n pages (mmap hands out addresses top-down too). */
static int64_t find_free(uint64_t n)
{
    uint64_t run = 0;

    for (uint64_t i = heap.pages; i-- > 0;) {
        if (i % 64 == 63 && heap.bits[i / 64] == ~0ULL) {
            run = 0;
            i -= 63;
            continue;
        }
        run = test(i) ? 0 : run + 1;
        if (run == n)
            return (int64_t)i;
    }
    return -1;
}

static long mem_reserve(void **addr, size_t size, int flags)
{
    uint64_t n = 0;
    int64_t first;
    long ret = 0;

    if (!size || size % PAGE)
        return -PAL_EINVAL;
    lock();
    first = to_pages((uint64_t)*addr, size, &n);
    if (flags & PAL_MEM_FIXED) {
        if (first < 0)
            ret = -PAL_ENOMEM;
        else if ((flags & PAL_MEM_NOREPLACE) && !range_free((uint64_t)first, n))
            ret = -PAL_EEXIST;
    } else if (first < 0 || !range_free((uint64_t)first, n)) {
        n = size / PAGE;
        first = n <= heap.pages ? find_free(n) : -1;
        if (first < 0)
            ret = -PAL_ENOMEM;
    }
    if (!ret) {
        set_range((uint64_t)first, n, 1);
        *addr = (void *)(heap.lo + (uint64_t)first * PAGE);
    }
    unlock();
    return ret;
}

/* True when [addr, addr + size) is whole heap pages, all reserved. */
static int all_reserved(const void *addr, size_t size)
{
    uint64_t n;
    int64_t first = to_pages((uint64_t)addr, size, &n);
    int ok;

    if (first < 0)
        return 0;
    lock();
    ok = range_reserved((uint64_t)first, n);
    unlock();
    return ok;
}

static void record(const void *addr, size_t size, int keep_committed, uint8_t v)
{
    uint64_t n;
    int64_t first = to_pages((uint64_t)addr, size, &n);

    lock();
    set_pmap((uint64_t)first, n, keep_committed, v);
    unlock();
}

/* --- EDMM pages (from enclave_edmm_from() up) --- */

/* Page index of an address in the heap. */
static uint64_t idx(uint64_t a) { return (a - heap.lo) / PAGE; }

/* The EDMM part of [a, a + len): [*lo, *hi), empty when lo == hi. */
static void edmm_part(uint64_t a, uint64_t len, uint64_t *lo, uint64_t *hi)
{
    uint64_t from = enclave_edmm_from(), end = a + len;

    *lo = a > from ? a : from < end ? from : end;
    *hi = end;
}

/* Runs of pages in [lo, hi) sharing their pmap byte under `mask`. */
static uint64_t run_end(uint64_t i, uint64_t end, uint8_t mask)
{
    uint64_t j = i + 1;

    while (j < end && (heap.pmap[j] & mask) == (heap.pmap[i] & mask))
        j++;
    return j;
}

/* Every page of [lo, hi) in the enclave with RW EPCM permissions (zeroed
 * when `zero`); the pmap says RW too. */
static long edmm_make_rw(uint64_t lo, uint64_t hi, int zero)
{
    uint8_t rw = SGX_SECINFO_R | SGX_SECINFO_W;

    for (uint64_t i = idx(lo); i < idx(hi);) {
        uint64_t j = run_end(i, idx(hi), PMAP_EPC | 7), a = heap.lo + i * PAGE;
        long r;

        if (heap.pmap[i] & PMAP_EPC) {
            r = enclave_edmm_change(a, j - i, enclave_edmm_perms(heap.pmap[i] & 7), rw);
            if (!r && zero)
                memset((void *)a, 0, (j - i) * PAGE);
        } else {
            r = enclave_edmm_add(a, j - i);
        }
        if (r)
            return r;
        lock();
        for (uint64_t k = i; k < j; k++)
            heap.pmap[k] = (uint8_t)((heap.pmap[k] & PMAP_COMMITTED) | PMAP_EPC | PAL_PROT_READ |
                                     PAL_PROT_WRITE);
        unlock();
        i = j;
    }
    return 0;
}

/* EPCM permissions of the committed EDMM pages of [lo, hi) to `prot`. */
static long edmm_protect(uint64_t lo, uint64_t hi, int prot)
{
    for (uint64_t i = idx(lo); i < idx(hi);) {
        uint64_t j = run_end(i, idx(hi), PMAP_EPC | 7);

        if ((heap.pmap[i] & PMAP_EPC) &&
            enclave_edmm_change(heap.lo + i * PAGE, j - i, enclave_edmm_perms(heap.pmap[i] & 7),
                                enclave_edmm_perms(prot)))
            return -PAL_ENOMEM;
        i = j;
    }
    return 0;
}

/* Freed runs of at least this many pages leave the enclave; shorter ones
 * stay (PMAP_EPC) and are zeroed when committed again, as on SGX1: malloc's
 * small unmap/map churn would otherwise cost a trim and an add each time. */
#define EDMM_TRIM_MIN_PAGES 256

/* Freed EDMM pages leave the enclave; a page the host would not let go
 * keeps PMAP_EPC (it is zeroed when committed again). */
static void edmm_free(uint64_t lo, uint64_t hi)
{
    if (idx(hi) - idx(lo) < EDMM_TRIM_MIN_PAGES)
        return;
    for (uint64_t i = idx(lo); i < idx(hi);) {
        uint64_t j = run_end(i, idx(hi), PMAP_EPC);

        if ((heap.pmap[i] & PMAP_EPC) && !enclave_edmm_remove(heap.lo + i * PAGE, j - i)) {
            lock();
            for (uint64_t k = i; k < j; k++)
                heap.pmap[k] &= (uint8_t)~PMAP_EPC;
            unlock();
        }
        i = j;
    }
}

/* A forked child adds heap pages [i, j) to its enclave read-write (host
 * mapping, EAUG, EACCEPT) and marks them in the enclave (PMAP_EPC). */
static long fork_add_run(uint64_t i, uint64_t j)
{
    uint64_t a = heap.lo + i * PAGE;

    if (host_protect(a, (j - i) * PAGE, PAL_PROT_READ | PAL_PROT_WRITE) || enclave_edmm_add(a, j - i))
        return -PAL_EIO;
    for (uint64_t k = i; k < j; k++)
        heap.pmap[k] |= PMAP_EPC;
    return 0;
}

/* A forked child, once the parent's page maps are in (pal_fork.c sends them
 * first) and before any heap page: every committed EDMM page the parent
 * will send is added read-write, one host protection and one EAUG request
 * per run of committed pages (not per record), each page EACCEPTed here. */
long enclave_heap_fork_prepare_all(void)
{
    uint64_t from = enclave_edmm_from(), first;

    if (from == ~0ULL)
        return 0;
    first = from > heap.lo ? idx(from) : 0;
    for (uint64_t i = first; i < heap.pages; i++)
        heap.pmap[i] &= (uint8_t)~PMAP_EPC; /* the parent's: nothing is in this enclave yet */
    for (uint64_t i = first; i < heap.pages;) {
        uint64_t j = run_end(i, heap.pages, PMAP_COMMITTED);

        if ((heap.pmap[i] & PMAP_COMMITTED) && fork_add_run(i, j))
            return -PAL_EIO;
        i = j;
    }
    return 0;
}

/* Before a forked child writes a record's pages: its EDMM pages must be in
 * the enclave. After enclave_heap_fork_prepare_all they are (PMAP_EPC); a
 * page it did not add (not committed in the parent's map) is added here,
 * run by run, so that no page is ever accepted twice. */
long enclave_heap_fork_prepare(uint64_t addr, uint64_t pages)
{
    uint64_t lo, hi;

    if (addr < heap.lo || addr >= heap.lo + heap.pages * PAGE || pages > heap.pages - idx(addr))
        return 0; /* not the heap (the libOS image's pages were added at build) */
    edmm_part(addr, pages * PAGE, &lo, &hi);
    for (uint64_t i = idx(lo); i < idx(hi);) {
        uint64_t j = run_end(i, idx(hi), PMAP_EPC);

        if (!(heap.pmap[i] & PMAP_EPC) && fork_add_run(i, j))
            return -PAL_EIO;
        i = j;
    }
    return 0;
}

/* A forked child's EDMM pages: the parent's committed ones were added
 * read-write by enclave_heap_fork_prepare_all; now they get their
 * permissions, one change per run of one protection. */
static int edmm_adopt(void)
{
    uint64_t from = enclave_edmm_from(), first = from > heap.lo ? idx(from) : 0;

    if (from == ~0ULL)
        return 0;
    for (uint64_t i = first; i < heap.pages; i++)
        if (!(heap.pmap[i] & PMAP_COMMITTED))
            heap.pmap[i] &= (uint8_t)~PMAP_EPC;
    for (uint64_t i = first; i < heap.pages;) {
        uint64_t j = run_end(i, heap.pages, PMAP_EPC | 7);
        uint8_t rw = SGX_SECINFO_R | SGX_SECINFO_W;

        if ((heap.pmap[i] & PMAP_EPC) &&
            enclave_edmm_change(heap.lo + i * PAGE, j - i, rw, enclave_edmm_perms(heap.pmap[i] & 7)))
            return -1;
        i = j;
    }
    return 0;
}

static long mem_commit(void *addr, size_t size, int prot)
{
    uint64_t lo, hi, a = (uint64_t)addr;

    if (prot & ~(PAL_PROT_READ | PAL_PROT_WRITE | PAL_PROT_EXEC) || !all_reserved(addr, size))
        return -PAL_EINVAL;
    if (host_protect((uint64_t)addr, size, PAL_PROT_READ | PAL_PROT_WRITE))
        return -PAL_ENOMEM;
    edmm_part(a, size, &lo, &hi);
    if (lo > a)
        memset(addr, 0, lo - a);
    if (lo < hi && (edmm_make_rw(lo, hi, 1) || edmm_protect(lo, hi, prot)))
        return -PAL_ENOMEM;
    if (prot != (PAL_PROT_READ | PAL_PROT_WRITE) && host_protect((uint64_t)addr, size, prot))
        return -PAL_ENOMEM;
    record(addr, size, 0, (uint8_t)(PMAP_COMMITTED | prot));
    return 0;
}

static long mem_protect(void *addr, size_t size, int prot)
{
    uint64_t lo, hi;

    if (prot & ~(PAL_PROT_READ | PAL_PROT_WRITE | PAL_PROT_EXEC) || !all_reserved(addr, size))
        return -PAL_EINVAL;
    edmm_part((uint64_t)addr, size, &lo, &hi);
    /* Widen the page table first and narrow it last: the EPCM change in
     * between never runs under a page table that allows less. */
    if (host_protect((uint64_t)addr, size, prot | PAL_PROT_READ))
        return -PAL_ENOMEM;
    if (lo < hi && edmm_protect(lo, hi, prot))
        return -PAL_ENOMEM;
    if (!(prot & PAL_PROT_READ) && host_protect((uint64_t)addr, size, prot))
        return -PAL_ENOMEM;
    record(addr, size, 1, (uint8_t)prot);
    return 0;
}

static long mem_free(void *addr, size_t size)
{
    uint64_t n;
    int64_t first = to_pages((uint64_t)addr, size, &n);

    if (first < 0)
        return -PAL_EINVAL;
    {
        uint64_t lo, hi;

        edmm_part((uint64_t)addr, size, &lo, &hi);
        if (lo < hi)
            edmm_free(lo, hi);
    }
    host_protect((uint64_t)addr, size, PAL_PROT_NONE); /* best effort: the pages are free anyway */
    lock();
    set_range((uint64_t)first, n, 0);
    set_pmap((uint64_t)first, n, 0, 0);
    unlock();
    return 0;
}

/* --- fork (pal_fork.c) --- */

struct enclave_fork_state enclave_heap_fork_state(void)
{
    return (struct enclave_fork_state){&heap, sizeof(heap)};
}

long enclave_heap_host_protect(uint64_t addr, uint64_t len, int prot)
{
    return host_protect(addr, len, prot);
}

/* From the measured layout, not from state a parent sent. */
void enclave_heap_meta(uint64_t *lo, uint64_t *hi)
{
    const struct sgx_layout_tls *tls = tls_self();
    uint64_t total = tls->heap_size / PAGE;

    *lo = g_encl.base + tls->heap_offset;
    *hi = *lo + meta_pages(total) * PAGE;
}

uint64_t enclave_heap_end(void)
{
    const struct sgx_layout_tls *tls = tls_self();

    return g_encl.base + tls->heap_offset + tls->heap_size / PAGE * PAGE;
}

int enclave_heap_next_run(uint64_t *next, struct enclave_heap_run *run)
{
    uint64_t i = *next, j;

    while (i < heap.pages && !(heap.pmap[i] & PMAP_COMMITTED))
        i++;
    if (i >= heap.pages)
        return 0;
    for (j = i + 1; j < heap.pages && heap.pmap[j] == heap.pmap[i]; j++)
        ;
    *run = (struct enclave_heap_run){heap.lo + i * PAGE, j - i, heap.pmap[i] & 7};
    *next = j;
    return 1;
}

/* The heap a parent described must be this enclave's; then the host's
 * page table is made to say what the parent's said. */
int enclave_heap_adopt(void)
{
    uint64_t lo, hi, total = tls_self()->heap_size / PAGE;

    enclave_heap_meta(&lo, &hi);
    heap.lock = 0;
    if ((uint64_t)heap.bits != lo || heap.lo != hi || heap.pages != total - meta_pages(total) ||
        (uint64_t)heap.pmap != lo + (total / 8 + PAGE - 1) / PAGE * PAGE)
        return -1;
    for (uint64_t i = 0; i < heap.pages;) {
        uint64_t j = i + 1;
        int prot = heap.pmap[i] & 7;

        while (j < heap.pages && (heap.pmap[j] & 7) == prot)
            j++;
        if (host_protect(heap.lo + i * PAGE, (j - i) * PAGE, prot))
            return -1;
        i = j;
    }
    return edmm_adopt();
}

void enclave_fill_mem(struct pal_api *api)
{
    api->mem_reserve = mem_reserve;
    api->mem_commit = mem_commit;
    api->mem_protect = mem_protect;
    api->mem_free = mem_free;
    api->file_map = NULL; /* the libOS copies file contents in */
}
