/* libFuzzer target: the libOS's program loader (libos/elf/load.c, elf_load).
 *
 * load.c is compiled here as it is, with test doubles for what it calls:
 *  - the VFS: the one file is the fuzz input (pread, and fstat in some runs);
 *  - memory: one arena of address space mapped PROT_NONE once, low enough
 *    that ET_EXEC images (0x400000) land in it. mem_reserve hands out parts
 *    of it and refuses anything else; mem_commit/mm_protect/file pages
 *    really mprotect their pages. A loader request outside what it reserved
 *    or committed aborts, and a stray write faults (PROT_NONE), so both are
 *    findings, not accepted silently; an empty or unaligned size gets
 *    -EINVAL, as from both PALs;
 *  - rewrite_add_region, mm_track_image, log_error: recorded and checked.
 * Each input is run three ways: fstat and file mappings, fstat without file
 * mappings and with short reads, and pread only (no fstat).
 *
 * On success the result must describe what was mapped: entry inside
 * [image start, end), end within the reservation, TRAMP_SPACE after it,
 * a NUL-terminated absolute PT_INTERP. GEODE_FUZZ_LOG=1 prints the loader's
 * log lines and each result.
 *
 * Found by this target and fixed: an e_entry below the lowest PT_LOAD was
 * accepted (reproducers in tests/fuzz/crashes/libos_elf-*). */
#include "../../libos/elf/load.c"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ARENA_BASE 0x10000UL
#define ARENA_SIZE (1UL << 30)
#define ARENA_PAGES (ARENA_SIZE / PAGE_SIZE)
#define MAX_RES 8

enum { PG_RESERVED = 1, PG_COMMITTED = 2 }; /* bits 2..4: the PAL_PROT_* bits */

enum run_mode { RUN_MAP, RUN_SHORT_READS, RUN_PREAD_ONLY, RUN_MODES };

struct reservation {
    uint64_t lo, hi;
};


static struct {
    uint8_t pages[ARENA_PAGES];
    uint64_t touched_lo, touched_hi; /* page indexes whose state changed */
    struct reservation res[MAX_RES];
    int nres;
    const uint8_t *data;
    size_t size;
    enum run_mode mode;
    int open_refs;
    bool image_released; /* mm_untrack_image was called for the image */
    char *image_name;
    uint64_t image_lo, image_len;
    bool region_added;
    uint64_t region_lo, region_hi, region_tramp;
} fz;

__attribute__((noreturn, format(printf, 1, 2))) static void finding(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz_libos_elf: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    abort();
}

/* --- the arena --- */

static bool in_arena(uint64_t lo, uint64_t len)
{
    return lo >= ARENA_BASE && len <= ARENA_SIZE && lo - ARENA_BASE <= ARENA_SIZE - len;
}

static uint8_t *page_state(uint64_t addr)
{
    return &fz.pages[(addr - ARENA_BASE) / PAGE_SIZE];
}

static void set_pages(uint64_t lo, uint64_t len, uint8_t state)
{
    uint64_t first = (lo - ARENA_BASE) / PAGE_SIZE, n = ALIGN_UP(len, PAGE_SIZE) / PAGE_SIZE;
    memset(&fz.pages[first], state, n);
    fz.touched_lo = first < fz.touched_lo ? first : fz.touched_lo;
    fz.touched_hi = first + n > fz.touched_hi ? first + n : fz.touched_hi;
}

/* True when every page of [lo, lo+len) has all the bits of want. */
static bool pages_are(uint64_t lo, uint64_t len, uint8_t want)
{
    if (!in_arena(lo, ALIGN_UP(len, PAGE_SIZE)))
        return false;
    for (uint64_t a = ALIGN_DOWN(lo, PAGE_SIZE); a < lo + len; a += PAGE_SIZE)
        if ((*page_state(a) & want) != want)
            return false;
    return true;
}

static int host_prot(int prot)
{
    return (prot & PAL_PROT_READ ? PROT_READ : 0) | (prot & PAL_PROT_WRITE ? PROT_WRITE : 0) |
           (prot & PAL_PROT_EXEC ? PROT_EXEC : 0);
}

static void arena_protect(uint64_t lo, uint64_t len, int prot)
{
    if (mprotect((void *)lo, ALIGN_UP(len, PAGE_SIZE), host_prot(prot)) != 0)
        finding("mprotect(%#lx, %#lx) failed", (unsigned long)lo, (unsigned long)len);
    set_pages(lo, len, PG_RESERVED | PG_COMMITTED | (uint8_t)((prot & 7) << 2));
}

static void arena_init(void)
{
    void *p = mmap((void *)ARENA_BASE, ARENA_SIZE, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void *)ARENA_BASE) {
        fprintf(stderr, "fuzz_libos_elf: cannot map the arena at %#lx\n", ARENA_BASE);
        exit(1);
    }
    fz.touched_lo = ARENA_PAGES;
}

/* Back to all PROT_NONE and zero, for the next input. */
static void arena_reset(void)
{
    if (fz.touched_lo < fz.touched_hi) {
        uint64_t lo = ARENA_BASE + fz.touched_lo * PAGE_SIZE;
        uint64_t len = (fz.touched_hi - fz.touched_lo) * PAGE_SIZE;
        if (mmap((void *)lo, len, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) != (void *)lo)
            finding("cannot reset the arena");
        memset(&fz.pages[fz.touched_lo], 0, fz.touched_hi - fz.touched_lo);
    }
    fz.touched_lo = ARENA_PAGES;
    fz.touched_hi = 0;
    fz.nres = 0;
}

static const struct reservation *reservation_of(uint64_t lo, uint64_t len)
{
    for (int i = 0; i < fz.nres; i++)
        if (lo >= fz.res[i].lo && lo <= fz.res[i].hi && len <= fz.res[i].hi - lo)
            return &fz.res[i];
    return NULL;
}

/* --- the PAL's memory calls --- */

/* Where a movable reservation goes: after every other one and at least a
 * quarter into the arena, so writes below an image hit PROT_NONE pages
 * rather than the host's memory. */
static uint64_t free_spot(uint64_t size)
{
    uint64_t at = ARENA_BASE + ARENA_SIZE / 4;
    for (int i = 0; i < fz.nres; i++)
        at = fz.res[i].hi > at ? ALIGN_UP(fz.res[i].hi, 1UL << 20) : at;
    return in_arena(at, size) ? at : 0;
}

static long fuzz_mem_reserve(void **addr, size_t size, int flags)
{
    uint64_t at = (uint64_t)*addr;
    if (size == 0 || size % PAGE_SIZE || fz.nres == MAX_RES)
        return -PAL_EINVAL;
    if (!(flags & PAL_MEM_FIXED))
        at = free_spot(size);
    if (at % PAGE_SIZE)
        return -PAL_EINVAL;
    if (at == 0 || !in_arena(at, size))
        return -PAL_ENOMEM; /* the real PAL would not have it either */
    for (uint64_t a = at; a < at + size; a += PAGE_SIZE)
        if (*page_state(a) & PG_RESERVED) {
            if (flags & PAL_MEM_NOREPLACE)
                return -PAL_EEXIST;
            finding("mem_reserve over a live reservation at %#lx", (unsigned long)a);
        }
    set_pages(at, size, PG_RESERVED);
    fz.res[fz.nres++] = (struct reservation){at, at + size};
    *addr = (void *)at;
    return 0;
}

static long fuzz_mem_commit(void *addr, size_t size, int prot)
{
    uint64_t lo = (uint64_t)addr;
    if (lo % PAGE_SIZE || size % PAGE_SIZE || size == 0)
        return -PAL_EINVAL; /* as both PALs (the trusted one's to_pages) */
    if (!pages_are(lo, size, PG_RESERVED))
        finding("mem_commit(%#lx, %#zx) outside a reservation", (unsigned long)lo, size);
    if (mmap(addr, ALIGN_UP(size, PAGE_SIZE), host_prot(prot),
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) != addr)
        finding("cannot commit arena pages");
    set_pages(lo, size, PG_RESERVED | PG_COMMITTED | (uint8_t)((prot & 7) << 2));
    return 0;
}

static const struct pal_api fuzz_pal = {
    .version = PAL_API_VERSION,
    .size = sizeof(struct pal_api),
    .mem_reserve = fuzz_mem_reserve,
    .mem_commit = fuzz_mem_commit,
};
const struct pal_api *pal = &fuzz_pal;
static const struct pal_boot fuzz_boot = {.version = PAL_API_VERSION, .flags = PAL_BOOT_ENCLAVE};
const struct pal_boot *pal_boot_info = &fuzz_boot;
const char *errno_name(long err) { return err ? "an errno" : "0"; }

/* --- the libOS's memory calls --- */

long mm_protect(uint64_t addr, size_t len, int prot)
{
    if (addr % PAGE_SIZE || len % PAGE_SIZE || len == 0)
        return -PAL_EINVAL;
    if (!pages_are(addr, len, PG_COMMITTED))
        finding("mm_protect(%#lx, %#zx) outside committed memory", (unsigned long)addr, len);
    arena_protect(addr, len, prot);
    return 0;
}

/* As the real one: whole pages (page-aligned addr and off) or
 * -EOPNOTSUPP. Pages wholly past the end of the file would raise SIGBUS
 * when touched, so mapping them is a finding. */
long mm_map_file_pages(uint64_t addr, size_t len, struct file *f, int64_t off, int prot)
{
    if (fz.mode != RUN_MAP || ((addr | (uint64_t)off) & (PAGE_SIZE - 1)))
        return -PAL_EOPNOTSUPP;
    if (f == NULL || fz.open_refs <= 0)
        finding("mm_map_file_pages of a file that is not open");
    if (len == 0 || !pages_are(addr, len, PG_COMMITTED))
        finding("mm_map_file_pages(%#lx, %#zx) outside committed memory", (unsigned long)addr, len);
    if (off < 0 || (uint64_t)off + ALIGN_UP(len, PAGE_SIZE) > ALIGN_UP(fz.size, PAGE_SIZE))
        finding(
            "mm_map_file_pages maps pages past the end of the file (off %#lx len %#zx size %#zx)",
            (unsigned long)off, len, fz.size);
    arena_protect(addr, len, PAL_PROT_READ | PAL_PROT_WRITE);
    size_t n = (uint64_t)off < fz.size ? fz.size - (size_t)off : 0;
    n = n < len ? n : len;
    memcpy((void *)addr, fz.data + off, n);
    memset((char *)addr + n, 0, ALIGN_UP(len, PAGE_SIZE) - n);
    arena_protect(addr, len, prot);
    return 0;
}

void mm_track_image(uint64_t lo, uint64_t len, const char *name)
{
    const struct reservation *r = reservation_of(lo, len);
    if (r == NULL || r->lo != lo || r->hi != lo + ALIGN_UP(len, PAGE_SIZE))
        finding("mm_track_image(%#lx, %#lx) is not what was reserved", (unsigned long)lo,
                (unsigned long)len);
    if (fz.image_name != NULL)
        finding("two images tracked by one elf_load");
    fz.image_name = (char *)name;
    fz.image_lo = lo;
    fz.image_len = len;
}

void mm_untrack_image(uint64_t lo, uint64_t len)
{
    if (fz.image_name == NULL || lo != fz.image_lo || len != fz.image_len)
        finding("mm_untrack_image(%#lx, %#lx) is not the tracked image", (unsigned long)lo,
                (unsigned long)len);
    fz.image_name = NULL; /* the loader frees the name */
    fz.image_released = true;
}

void rewrite_add_region(uint64_t lo, uint64_t hi, uint64_t tramp, uint64_t eh_hdr)
{
    if (lo >= hi || !pages_are(lo, hi - lo, PG_COMMITTED))
        finding("rewrite region %#lx-%#lx is not committed", (unsigned long)lo, (unsigned long)hi);
    if (!pages_are(tramp, TRAMP_SPACE, PG_RESERVED) || pages_are(tramp, PAGE_SIZE, PG_COMMITTED))
        finding("trampoline space at %#lx is not reserved and free", (unsigned long)tramp);
    if (eh_hdr && (eh_hdr < lo || eh_hdr >= hi))
        finding("the .eh_frame_hdr at %#lx is outside the image %#lx-%#lx", (unsigned long)eh_hdr,
                (unsigned long)lo, (unsigned long)hi);
    fz.region_added = true;
    fz.region_lo = lo, fz.region_hi = hi, fz.region_tramp = tramp;
}

/* --- log --- */

void log_at(int level, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (getenv("GEODE_FUZZ_LOG"))
        fprintf(stderr, "[%d] %s\n", level, line);
}

/* --- the VFS: one file, the fuzz input --- */

/* The loader writes file bytes only into memory it committed writable, or
 * into its own variables (outside the arena). */
static void check_dest(const void *buf, size_t len)
{
    uint64_t lo = (uint64_t)buf;
    bool touches = lo < ARENA_BASE + ARENA_SIZE && lo + len > ARENA_BASE;
    if (touches && !pages_are(lo, len, PG_COMMITTED | (PAL_PROT_WRITE << 2)))
        finding("pread into %#lx+%#zx: not committed writable memory", (unsigned long)lo, len);
}

static long fuzz_pread(struct file *f, void *buf, size_t len, int64_t off)
{
    if (f == NULL || fz.open_refs <= 0)
        finding("pread of a file that is not open");
    if (off < 0)
        return -PAL_EINVAL;
    if ((uint64_t)off >= fz.size || len == 0)
        return 0;
    size_t n = fz.size - (size_t)off < len ? fz.size - (size_t)off : len;
    if (fz.mode == RUN_SHORT_READS && n > 1)
        n = 1 + (size_t)off % 1531 % n; /* short reads: read_exact must loop */
    check_dest(buf, n);
    memcpy(buf, fz.data + off, n);
    return (long)n;
}

static long fuzz_fstat(struct file *f, struct pal_stat *st)
{
    if (f == NULL || fz.open_refs <= 0)
        finding("fstat of a file that is not open");
    memset(st, 0, sizeof(*st));
    st->mode = 0100755;
    st->size = (int64_t)fz.size;
    st->blksize = 4096;
    return 0;
}

static const struct file_ops ops_with_fstat = {.pread = fuzz_pread, .fstat = fuzz_fstat};
static const struct file_ops ops_pread_only = {.pread = fuzz_pread};
static struct file the_file;

int vfs_open_at(int dirfd, const char *path, int flags, uint32_t mode, struct file **out)
{
    (void)path, (void)mode;
    if (dirfd != AT_FDCWD)
        finding("the loader opens relative to a directory descriptor");
    if ((flags & O_ACCMODE) != O_RDONLY)
        finding("the loader opens its file for writing");
    fz.open_refs++;
    the_file = (struct file){.refs = 1, .flags = flags};
    the_file.ops = fz.mode == RUN_PREAD_ONLY ? &ops_pread_only : &ops_with_fstat;
    *out = &the_file;
    return 0;
}

void file_put(struct file *f)
{
    if (f != &the_file || fz.open_refs <= 0)
        finding("file_put of a file that is not open");
    fz.open_refs--;
}

/* --- the target --- */

static void check_loaded(const struct loaded_elf *out)
{
    const struct reservation *r = reservation_of(fz.image_lo, fz.image_len);
    if (fz.image_name == NULL || r == NULL || !fz.region_added)
        finding("success without a tracked image and a rewrite region");
    if (out->end <= fz.image_lo || out->end % PAGE_SIZE || out->end > r->hi - TRAMP_SPACE)
        finding("end %#lx outside the reservation %#lx-%#lx", (unsigned long)out->end,
                (unsigned long)r->lo, (unsigned long)r->hi);
    if (!pages_are(fz.image_lo, out->end - fz.image_lo, PG_COMMITTED))
        finding("image %#lx-%#lx not all committed", (unsigned long)fz.image_lo,
                (unsigned long)out->end);
    /* Below the image: the known loader bug (see above). */
    if (out->entry < fz.image_lo || out->entry >= out->end)
        finding("entry %#lx outside the image %#lx-%#lx", (unsigned long)out->entry,
                (unsigned long)fz.image_lo, (unsigned long)out->end);
    if (fz.region_lo != fz.image_lo || fz.region_hi != out->end || fz.region_tramp != out->end)
        finding("rewrite region %#lx-%#lx (trampolines %#lx) is not the image",
                (unsigned long)fz.region_lo, (unsigned long)fz.region_hi,
                (unsigned long)fz.region_tramp);
    if (out->phnum == 0 || out->phnum > MAX_PHNUM)
        finding("phnum %u", out->phnum);
    size_t n = strnlen(out->interp, sizeof(out->interp));
    if (n == sizeof(out->interp) || (n > 0 && out->interp[0] != '/'))
        finding("PT_INTERP not an absolute NUL-terminated path");
}

static void run_one(enum run_mode mode)
{
    struct loaded_elf out;
    fz.mode = mode;
    fz.region_added = false;
    /* An interpreter is loaded with extra = 0, a program with its brk. */
    uint64_t extra = mode == RUN_MAP ? 0 : (uint64_t)(mode + 1) << 20;
    int r = elf_load(mode == RUN_MAP ? "/lib/ld.so" : "/bin/prog", extra, &out);
    if (fz.open_refs != 0)
        finding("elf_load returned with the file still open (%d)", fz.open_refs);
    if (r > 0 || (r < 0 && r < -4095))
        finding("elf_load returned %d", r);
    if (r == 0)
        check_loaded(&out);
    if (r < 0 && fz.image_name != NULL)
        finding("a failed elf_load (%d) left its image reserved and tracked", r);
    if (getenv("GEODE_FUZZ_LOG"))
        fprintf(stderr, "mode %d: %d base %#lx entry %#lx end %#lx phdr %#lx interp '%s'\n", mode,
                r, (unsigned long)out.base, (unsigned long)out.entry, (unsigned long)out.end,
                (unsigned long)out.phdr, r == 0 ? out.interp : "");
    free(fz.image_name);
    fz.image_name = NULL;
    fz.image_released = false;
    arena_reset();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    arena_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz.data = data;
    fz.size = size;
    for (int m = 0; m < RUN_MODES; m++)
        run_one((enum run_mode)m);
    return 0;
}
