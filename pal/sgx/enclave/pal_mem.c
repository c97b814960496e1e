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
 * permissions are then enclave_edmm_perms() of their PAL_PROT_* bits.
 *
 * Demand paging (mem_commit_lazy): a lazy page (PMAP_LAZY) is reserved, not
 * committed, and its PAL_PROT_* bits are the protection it will get; the
 * host's page table keeps it PROT_NONE (and under EDMM it is not in the
 * enclave), so the first access faults. The exception handler (stage 2,
 * before the libOS sees anything) commits the lazy run around the page,
 * up to LAZY_CHUNK pages, and resumes the access: the page reads as zeros,
 * as Linux's anonymous memory does. Commits, protection changes, frees and
 * lazy faults are serialized by ops_lock, held across their OCALLs, so two
 * threads touching one lazy page cannot both zero it.
 *
 * Only EDMM pages are lazy with a protection that allows access: they
 * arrive zeroed by EAUG and are inaccessible until EACCEPTed, whatever the
 * host's page table says, so any thread may fault on them, wait for the
 * commit and resume. Below the EDMM part (all of the heap on SGX1) a page's
 * first access would fault only if the host's page table made it, so
 * mem_commit_lazy commits there at once (a host that left a lazy page
 * mapped would show the program the heap's initial contents, which are the
 * host's: t_sim_dirty_heap.sh). The exception is PROT_NONE: such a range
 * (a reservation: glibc's 64 MiB arena of each thread, a JVM's class space)
 * stays lazy with no access, and mem_protect zeroes it when it allows an
 * access. Until then the program has no business reading it: Linux would
 * deliver SIGSEGV, and so does the libOS unless the host widens the page
 * table, as it could for a committed PROT_NONE page too. */
#include "pal_enclave.h"
#include "pal_signal.h"

#define PAGE 4096ULL
#define PMAP_COMMITTED 8
#define PMAP_EPC 16
#define PMAP_LAZY 32
#define LAZY_CHUNK 64ULL /* pages a lazy fault commits at most: 256 KiB */

static struct {
    uint64_t lo, pages; /* usable pages, after the maps */
    uint64_t *bits;     /* 1 = reserved */
    uint8_t *pmap;      /* per page: host PAL_PROT_* bits | PMAP_COMMITTED */
    uint32_t lock;
} heap;

/* Held only for bitmap and pmap updates, never across an OCALL. */
static void lock(void)
{
    while (__atomic_exchange_n(&heap.lock, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&heap.lock, __ATOMIC_RELAXED))
            __asm__ volatile("pause");
}

static void unlock(void)
{
    __atomic_store_n(&heap.lock, 0, __ATOMIC_RELEASE);
}

/* Held across a whole memory operation, OCALLs and the zeroing of a
 * commit included; owner says which thread, so that a lazy fault inside one
 * (a bug) is not a deadlock. A waiter spins (test and test-and-set) a
 * little, then gives its CPU to the holder, whose OCALLs take far longer
 * than a spin should: a yield OCALL, quiet (no host signal goes to the
 * libOS after it: the waiter may be a lazy fault in code holding any libOS
 * lock). It never sleeps on the enclave's futex: a memory operation can run
 * inside that futex's own wait (a host signal handed to the libOS after its
 * OCALL may allocate), whose waiter record is one per thread. */
static struct {
    uint32_t lock;
    struct enclave_thread *owner;
} ops;

#define OPS_SPINS 128

static void ops_lock(void)
{
    struct enclave_thread *t = thread_self();

    while (__atomic_exchange_n(&ops.lock, 1, __ATOMIC_ACQUIRE)) {
        for (int i = 0; __atomic_load_n(&ops.lock, __ATOMIC_RELAXED); i++) {
            if (i < OPS_SPINS) {
                __asm__ volatile("pause");
                continue;
            }
            t->quiet_ocalls++;
            enclave_yield();
            t->quiet_ocalls--;
            i = 0;
        }
    }
    ops.owner = t;
}

/* Host signals posted while the lock was held go to the libOS now: none
 * is handed over under it (enclave_heap_ops_mine). */
static void ops_unlock(void)
{
    ops.owner = NULL;
    __atomic_store_n(&ops.lock, 0, __ATOMIC_RELEASE);
    enclave_signal_after_ocall();
}

int enclave_heap_ops_mine(void)
{
    return __atomic_load_n(&ops.owner, __ATOMIC_RELAXED) == thread_self();
}

void enclave_heap_freeze(void)
{
    ops_lock();
}

void enclave_heap_thaw(void)
{
    ops_unlock();
}

/* The host's page-table permissions for [addr, addr + len). */
static long host_protect(uint64_t addr, uint64_t len, int prot)
{
    struct ocall_args a = {{(int64_t)addr, (int64_t)len, prot}};
    struct ocall_iov iov = {&a, sizeof(a)};
    int64_t r = enclave_ocallv(OCALL_MPROTECT, &iov, 1, NULL, 0, NULL);

    return r > 0 ? -PAL_EIO : r;
}

/* Pages of the two maps at the end of a heap of `total` pages: the
 * layout's count, which EDMM layouts add at build. */
static uint64_t meta_pages(uint64_t total)
{
    return sgx_layout_heap_meta_pages(total);
}

/* Where the pmap starts in the maps: after the bitmap's whole pages. */
static uint64_t pmap_offset(uint64_t total)
{
    return (total / 8 + PAGE - 1) / PAGE * PAGE;
}

/* The maps (the bitmap, then the pmap) are the heap's last pages: its
 * start stays free for a program linked at a fixed address (0x400000 in a
 * heap-low layout, which the maps of a 16 GiB heap would cover). With EDMM
 * the layout added them at build (SGX_LAYOUT_TLS_MAPS_TOP). */
int enclave_heap_init(uint64_t lo, uint64_t size)
{
    uint64_t total = size / PAGE, map_pages = meta_pages(total), maps = lo + (total - map_pages) * PAGE;

    if (total <= map_pages + 1 || !(tls_self()->flags & SGX_LAYOUT_TLS_MAPS_TOP))
        return -1;
    heap.bits = (uint64_t *)maps;
    heap.pmap = (uint8_t *)(maps + pmap_offset(total));
    memset(heap.bits, 0, map_pages * PAGE);
    heap.lo = lo;
    heap.pages = total - map_pages;
    return host_protect(heap.lo, heap.pages * PAGE, PAL_PROT_NONE) ? -1 : 0;
}

/* Sets the pmap bytes of pages [first, first + n) to v, keeping PMAP_EPC,
 * and with keep_state their PMAP_COMMITTED and PMAP_LAZY too. */
static void set_pmap(uint64_t first, uint64_t n, int keep_state, uint8_t v)
{
    uint8_t keep = PMAP_EPC | (keep_state ? PMAP_COMMITTED | PMAP_LAZY : 0);

    for (uint64_t i = first; i < first + n; i++)
        heap.pmap[i] = (uint8_t)((heap.pmap[i] & keep) | v);
}

static int test(uint64_t i)
{
    return (heap.bits[i / 64] >> (i % 64)) & 1;
}

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

/* Highest free run of n pages (mmap hands out addresses top-down too).
 * Whole words of the bitmap are taken at once when all reserved or all
 * free and the run needs all of it. */
static int64_t find_free(uint64_t n)
{
    uint64_t run = 0;

    for (uint64_t i = heap.pages; i-- > 0;) {
        if (i % 64 == 63 && heap.bits[i / 64] == ~0ULL) {
            run = 0;
            i -= 63;
            continue;
        }
        if (i % 64 == 63 && heap.bits[i / 64] == 0 && run + 64 < n) {
            run += 64;
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

static void record(const void *addr, size_t size, int keep_state, uint8_t v)
{
    uint64_t n;
    int64_t first = to_pages((uint64_t)addr, size, &n);

    lock();
    set_pmap((uint64_t)first, n, keep_state, v);
    unlock();
}

/* --- EDMM pages (from enclave_edmm_from() up) --- */

/* Page index of an address in the heap. */
static uint64_t idx(uint64_t a)
{
    return (a - heap.lo) / PAGE;
}

/* Index of the first heap page of the EDMM part (heap.pages: none). */
static uint64_t edmm_first_page(void)
{
    uint64_t from = enclave_edmm_from();

    return from <= heap.lo ? 0 : from >= heap.lo + heap.pages * PAGE ? heap.pages : idx(from);
}

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

/* A page that left the enclave (trimmed): not PMAP_EPC any more. */
static void edmm_gone(uint64_t a)
{
    lock();
    heap.pmap[idx(a)] &= (uint8_t)~PMAP_EPC;
    unlock();
}

/* Freed EDMM pages leave the enclave; a page the host would not let go
 * keeps PMAP_EPC (it is zeroed when committed again). */
static void edmm_free(uint64_t lo, uint64_t hi)
{
    if (idx(hi) - idx(lo) < EDMM_TRIM_MIN_PAGES)
        return;
    for (uint64_t i = idx(lo); i < idx(hi);) {
        uint64_t j = run_end(i, idx(hi), PMAP_EPC);

        if (heap.pmap[i] & PMAP_EPC)
            enclave_edmm_remove(heap.lo + i * PAGE, j - i, edmm_gone);
        i = j;
    }
}

/* A forked child adds heap pages [i, j) to its enclave read-write (host
 * mapping, EAUG, EACCEPT) and marks them in the enclave (PMAP_EPC). */
static long fork_add_run(uint64_t i, uint64_t j)
{
    uint64_t a = heap.lo + i * PAGE;

    if (host_protect(a, (j - i) * PAGE, PAL_PROT_READ | PAL_PROT_WRITE) ||
        enclave_edmm_add(a, j - i))
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

        if ((heap.pmap[i] & PMAP_EPC) && enclave_edmm_change(heap.lo + i * PAGE, j - i, rw,
                                                             enclave_edmm_perms(heap.pmap[i] & 7)))
            return -1;
        i = j;
    }
    return 0;
}

/* mem_commit under ops_lock: zero-filled pages with prot. */
static long commit(void *addr, size_t size, int prot)
{
    uint64_t lo, hi, a = (uint64_t)addr;

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

static int valid_prot(int prot)
{
    return !(prot & ~(PAL_PROT_READ | PAL_PROT_WRITE | PAL_PROT_EXEC));
}

static long mem_commit(void *addr, size_t size, int prot)
{
    long r;

    if (!valid_prot(prot) || !all_reserved(addr, size))
        return -PAL_EINVAL;
    ops_lock();
    r = commit(addr, size, prot);
    ops_unlock();
    return r;
}

/* Pages that were never committed since they were reserved (or are lazy
 * already) become lazy (not in the enclave, PROT_NONE in the host's page
 * table), but only in the EDMM part of the heap: there a page is not in
 * the enclave until it is EAUGed and EACCEPTed, so the first access faults
 * whatever the host's page table says, and EAUG zeroes it. Below that part
 * (all of the heap on SGX1) a page is in the EPC from the start with
 * contents the host chose (the heap is not measured) or the program's old
 * data, and only the host's page table would make the first access fault:
 * a host that leaves the page mapped would let the program read what is
 * there. So those pages are committed (zeroed) at once unless prot is
 * PROT_NONE (zeroed by mem_protect, see the top). Pages that hold data or
 * are in the enclave are committed again (zeroed) run by run, so that
 * MADV_DONTNEED of a thread's stack costs the pages it touched, not the
 * whole stack. */
static int may_be_lazy(uint64_t i, int prot, uint64_t edmm_first)
{
    return (prot == PAL_PROT_NONE || i >= edmm_first) &&
           (heap.pmap[i] == 0 || (heap.pmap[i] & PMAP_LAZY));
}

static long mem_commit_lazy(void *addr, size_t size, int prot)
{
    uint64_t n, j, edmm_first = edmm_first_page();
    int64_t first = to_pages((uint64_t)addr, size, &n);
    long r = 0;

    if (!valid_prot(prot) || !all_reserved(addr, size))
        return -PAL_EINVAL;
    ops_lock();
    for (uint64_t i = (uint64_t)first; !r && i < (uint64_t)first + n; i = j) {
        int lazy;

        lock();
        lazy = may_be_lazy(i, prot, edmm_first);
        for (j = i + 1; j < (uint64_t)first + n && may_be_lazy(j, prot, edmm_first) == lazy;)
            j++;
        if (lazy)
            set_pmap(i, j - i, 0, (uint8_t)(PMAP_LAZY | prot));
        unlock();
        if (!lazy)
            r = commit((void *)(heap.lo + i * PAGE), (j - i) * PAGE, prot);
    }
    ops_unlock();
    return r;
}

/* True when a committed page's protection allows the access that faulted
 * (#PF error code: bit 1 write, bit 4 instruction fetch). */
static int access_allowed(uint8_t v, uint32_t errcd)
{
    if (!(v & PMAP_COMMITTED))
        return 0;
    if (errcd & (1u << 1))
        return v & PAL_PROT_WRITE;
    if (errcd & (1u << 4))
        return v & PAL_PROT_EXEC;
    return v & PAL_PROT_READ;
}

/* A page fault at addr: when it is a lazy page whose protection allows
 * some access, its run (within the aligned LAZY_CHUNK window, same pmap
 * byte) is committed and 1 is returned: the access is resumed. So it is
 * when another thread committed the page while this one waited (the
 * access its protection allows faulted before). 0: the fault is the
 * libOS's (not a lazy page, an access the protection forbids, or a page
 * that could not be committed). */
int enclave_heap_lazy_fault(uint64_t addr, uint32_t errcd)
{
    struct enclave_thread *t = thread_self();
    uint64_t i, lo, hi, end;
    uint8_t v;
    long r;

    if (addr < heap.lo || addr - heap.lo >= heap.pages * PAGE || ops.owner == t)
        return 0;
    ops_lock();
    lock();
    i = idx(addr);
    v = heap.pmap[i];
    lo = hi = i;
    if (access_allowed(v, errcd)) {
        /* Committed meanwhile: the access again. A host whose page table
         * keeps refusing it would make that a loop: the fault is then the
         * libOS's (SIGSEGV), as before demand paging. */
        uint64_t page = addr & ~(PAGE - 1);
        t->retries = t->retry_page == page ? t->retries + 1 : 1;
        t->retry_page = page;
        unlock();
        ops_unlock();
        return t->retries <= 64;
    }
    if ((v & PMAP_LAZY) && (v & 7)) {
        end = (i & ~(LAZY_CHUNK - 1)) + LAZY_CHUNK;
        end = end < heap.pages ? end : heap.pages;
        while (lo > (i & ~(LAZY_CHUNK - 1)) && heap.pmap[lo - 1] == v)
            lo--;
        for (hi = i + 1; hi < end && heap.pmap[hi] == v;)
            hi++;
    }
    unlock();
    if (lo == hi) {
        ops_unlock();
        return 0;
    }
    t->retry_page = 0;
    t->quiet_ocalls++; /* the faulting code may hold any libOS lock */
    r = commit((void *)(heap.lo + lo * PAGE), (hi - lo) * PAGE, v & 7);
    t->quiet_ocalls--;
    ops_unlock();
    return r == 0;
}

/* mem_protect of pages that are not lazy, under ops_lock. */
static long protect(void *addr, size_t size, int prot)
{
    uint64_t lo, hi;

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

/* Runs of lazy EDMM pages only change the protection they will get (their
 * host page table stays PROT_NONE until the first access). A lazy run
 * below the EDMM part (PROT_NONE, see mem_commit_lazy) is committed now,
 * zeroed, when prot allows an access. */
static long mem_protect(void *addr, size_t size, int prot)
{
    uint64_t n, i, j, sgx1_end = edmm_first_page();
    int64_t first = to_pages((uint64_t)addr, size, &n);
    long r = 0;

    if (!valid_prot(prot) || !all_reserved(addr, size))
        return -PAL_EINVAL;
    ops_lock();
    for (i = (uint64_t)first; !r && i < (uint64_t)first + n; i = j) {
        int lazy, zero;

        lock();
        j = run_end(i, (uint64_t)first + n, PMAP_LAZY);
        lazy = heap.pmap[i] & PMAP_LAZY;
        zero = lazy && i < sgx1_end && prot != PAL_PROT_NONE;
        if (zero && j > sgx1_end)
            j = sgx1_end;
        if (lazy && !zero)
            set_pmap(i, j - i, 1, (uint8_t)prot);
        unlock();
        if (zero)
            r = commit((void *)(heap.lo + i * PAGE), (j - i) * PAGE, prot);
        else if (!lazy)
            r = protect((void *)(heap.lo + i * PAGE), (j - i) * PAGE, prot);
    }
    ops_unlock();
    return r;
}

static long mem_free(void *addr, size_t size)
{
    uint64_t n, lo, hi;
    int64_t first = to_pages((uint64_t)addr, size, &n);

    if (first < 0)
        return -PAL_EINVAL;
    ops_lock();
    edmm_part((uint64_t)addr, size, &lo, &hi);
    if (lo < hi)
        edmm_free(lo, hi);
    host_protect((uint64_t)addr, size, PAL_PROT_NONE); /* best effort: the pages are free anyway */
    lock();
    set_range((uint64_t)first, n, 0);
    set_pmap((uint64_t)first, n, 0, 0);
    unlock();
    ops_unlock();
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

    *hi = g_encl.base + tls->heap_offset + total * PAGE;
    *lo = *hi - meta_pages(total) * PAGE;
}

uint64_t enclave_heap_start(void)
{
    return g_encl.base + tls_self()->heap_offset;
}

void enclave_heap_pmap_span(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    uint64_t end = heap.lo + heap.pages * PAGE;

    a = a < heap.lo ? heap.lo : a > end ? end : a;
    b = b < a ? a : b > end ? end : b;
    *lo = (uint64_t)heap.pmap + idx(a);
    *hi = (uint64_t)heap.pmap + idx(b);
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
    if ((uint64_t)heap.bits != lo || heap.lo != enclave_heap_start() || heap.pages != total - meta_pages(total) ||
        (uint64_t)heap.pmap != lo + pmap_offset(total))
        return -1;
    for (uint64_t i = 0; i < heap.pages;) {
        uint64_t j = i + 1;
        int prot = heap.pmap[i] & PMAP_LAZY ? PAL_PROT_NONE : heap.pmap[i] & 7;

        while (j < heap.pages &&
               (heap.pmap[j] & PMAP_LAZY ? PAL_PROT_NONE : heap.pmap[j] & 7) == prot)
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
    api->mem_commit_lazy = mem_commit_lazy;
    api->file_map = NULL; /* the libOS copies file contents in */
}
