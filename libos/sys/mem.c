/* brk and the mmap family. Anonymous memory is a PAL reservation made
 * usable at once. A private file mapping is the PAL's own file mapping
 * when it offers file_map (direct mode), else anonymous memory filled by
 * pread, which works the same way inside an enclave. Every mapping is
 * recorded in the vma table (core/vma.c).
 *
 * MAP_SHARED: where the PAL shares memory between processes (direct mode:
 * file_map_shared, memfd_create) a shared mapping of a host file is the
 * host's own shared mapping, and anonymous shared memory is a memfd of its
 * size mapped the same way, so forked children and other mappings of the
 * file see every store at once, as on Linux. Inside an enclave no enclave
 * page can be shared with another process: a shared mapping of a file of
 * an untrusted_shm mount is host memory outside the enclave at an address
 * the PAL chooses (file_map_untrusted), which forked children and other
 * processes see at once, and which the host can read and change. Any
 * other shared file mapping there is a copy in enclave memory whose writes
 * reach the file (pwrite) at msync, munmap, execve and exit, and anonymous
 * shared memory is the process's own: enough for a process alone, but a
 * forked child gets its own copy (fork logs a warning for each writable
 * one, vma_warn_unshared), unless sys.insecure__shared_memory_untrusted
 * puts anonymous shared memory in host memory too. */
#include <linux/fcntl.h>
#include <linux/mman.h>

#include "core/mm.h"
#include "core/vma.h"
#include "elf/elf.h"
#include "fs/vfs.h"
#include "sys/sys.h"

static uint64_t brk_start, brk_cur, brk_committed, brk_end;
static spinlock_t brk_lock;

void mm_brk_init(uint64_t start, uint64_t max)
{
    brk_start = brk_cur = brk_committed = start;
    brk_end = start + max;
}

long mm_map_anon(uint64_t addr, size_t len, int prot, int pal_flags, uint64_t *out)
{
    void *p = (void *)addr;
    long r = pal->mem_reserve(&p, len, pal_flags);
    if (r < 0)
        return r;
    r = pal->mem_commit(p, len, prot);
    if (r < 0) {
        pal->mem_free(p, len);
        return r;
    }
    *out = (uint64_t)p;
    return 0;
}

/* Smaller ranges are committed at once: a fault costs more than zeroing
 * a few pages. */
#define LAZY_MIN (64 * 1024)

long mm_commit_anon(void *addr, size_t len, int prot)
{
    if (len >= LAZY_MIN && PAL_HAS(pal, mem_commit_lazy))
        return pal->mem_commit_lazy(addr, len, prot);
    return pal->mem_commit(addr, len, prot);
}

void mm_track_image(uint64_t lo, uint64_t len, const char *name)
{
    struct vma v = {.start = lo, .end = lo + ALIGN_UP(len, PAGE_SIZE),
                    .prot = PAL_PROT_READ | PAL_PROT_WRITE, .name = name};
    if (vma_add(&v) < 0)
        log_warn("mapping table full: %lx-%lx not tracked", (unsigned long)v.start,
                 (unsigned long)v.end);
}

void mm_untrack_image(uint64_t lo, uint64_t len)
{
    vma_remove(lo, ALIGN_UP(len, PAGE_SIZE), false);
    pal->mem_free((void *)lo, ALIGN_UP(len, PAGE_SIZE));
}

#define MAX_PIECES 64

/* Applies untrusted() to the untrusted ranges u[0..n) of [addr, end) and
 * other() to the gaps between them. */
static long each_piece(uint64_t addr, uint64_t end, int prot, const struct vma_range *u, int n,
                       long (*untrusted)(void *, size_t, int), long (*other)(void *, size_t, int))
{
    uint64_t at = addr;
    long r = 0;
    for (int i = 0; r == 0 && i <= n; i++) {
        uint64_t stop = i < n ? u[i].start : end;
        if (stop > at)
            r = other((void *)at, stop - at, prot);
        if (r == 0 && i < n)
            r = untrusted((void *)u[i].start, u[i].end - u[i].start, prot);
        at = i < n ? u[i].end : end;
    }
    return r;
}

static long protect_untrusted(void *a, size_t len, int prot)
{
    return pal->untrusted_protect(a, len, prot);
}

static long protect_other(void *a, size_t len, int prot)
{
    return pal->mem_protect(a, len, prot);
}

long mm_protect(uint64_t addr, size_t len, int prot)
{
    if ((prot & PAL_PROT_WRITE) && vma_write_denied(addr, addr + len))
        return -PAL_EACCES;
    struct vma_range u[MAX_PIECES];
    int n = vma_untrusted_ranges(addr, addr + len, u, MAX_PIECES);
    if (n > MAX_PIECES)
        return -PAL_ENOMEM;
    long r = n ? each_piece(addr, addr + len, prot, u, n, protect_untrusted, protect_other)
               : pal->mem_protect((void *)addr, len, prot);
    if (r == 0)
        vma_protect(addr, len, prot);
    return r;
}

static long unmap_untrusted(void *a, size_t len, int prot)
{
    (void)prot;
    return pal->untrusted_unmap(a, len);
}

static long unmap_other(void *a, size_t len, int prot)
{
    (void)prot;
    return pal->mem_free(a, len);
}

static long keep_other(void *a, size_t len, int prot)
{
    (void)a, (void)len, (void)prot;
    return 0;
}

long mm_unmap(uint64_t addr, uint64_t len, bool free_rest)
{
    struct vma_range u[MAX_PIECES];
    int n = vma_untrusted_ranges(addr, addr + len, u, MAX_PIECES);
    if (n > MAX_PIECES)
        return -PAL_ENOMEM;
    vma_remove(addr, len, true);
    if (n == 0) /* the common case: one call */
        return free_rest ? pal->mem_free((void *)addr, len) : 0;
    return each_piece(addr, addr + len, 0, u, n, unmap_untrusted,
                      free_rest ? unmap_other : keep_other);
}

void mm_release_images(void) { vma_release_all(); }

SYS(brk)
{
    uint64_t want = A(0);
    spin_lock(&brk_lock);
    if (want >= brk_start && want <= brk_end) {
        uint64_t top = ALIGN_UP(want, PAGE_SIZE), from = ALIGN_UP(brk_cur, PAGE_SIZE);
        long r = 0;
        if (top > brk_committed)
            r = mm_commit_anon((void *)brk_committed, top - brk_committed,
                               PAL_PROT_READ | PAL_PROT_WRITE);
        /* Pages a shrink gave back come back zero, as Linux's do (malloc's
         * calloc counts on it): they are still committed here. */
        uint64_t stale = top < brk_committed ? top : brk_committed;
        if (r == 0 && stale > from)
            memset((void *)from, 0, stale - from);
        if (r == 0) {
            brk_committed = top > brk_committed ? top : brk_committed;
            brk_cur = want;
        }
    }
    uint64_t ret = brk_cur;
    spin_unlock(&brk_lock);
    return (long)ret;
}

long mm_map_file_pages(uint64_t addr, size_t len, struct file *f, int64_t off, int prot)
{
    if (!PAL_HAS(pal, file_map) || f->ops != &host_file_ops || ((addr | (uint64_t)off) & (PAGE_SIZE - 1)))
        return -PAL_EOPNOTSUPP;
    return pal->file_map(f->h, (void *)addr, ALIGN_UP(len, PAGE_SIZE), off, prot);
}

long mm_fill_from_file(uint64_t addr, size_t len, struct file *f, int64_t off)
{
    long r = f->ops->pread ? 0 : -PAL_ENODEV;
    for (size_t done = 0; r == 0 && done < len;) {
        long n = f->ops->pread(f, (char *)addr + done, len - done, off + (int64_t)done);
        if (n < 0)
            r = n;
        else if (n == 0)
            break; /* past the end of the file: the rest stays zero */
        else
            done += (size_t)n;
    }
    return r;
}

static bool pal_shares_memory(void)
{
    return PAL_HAS(pal, memfd_create) && PAL_HAS(pal, file_map_shared);
}

long mm_back(const struct vma *v, uint64_t addr, uint64_t len)
{
    int64_t off = v->off + (int64_t)(addr - v->start);
    if (v->host_shared)
        return pal->file_map_shared(v->file->h, (void *)addr, len, off, v->prot);
    if (!v->file)
        return mm_commit_anon((void *)addr, len, v->prot);
    if (!v->shared && mm_map_file_pages(addr, len, v->file, off, v->prot) == 0)
        return 0;
    long r = pal->mem_commit((void *)addr, len, PAL_PROT_READ | PAL_PROT_WRITE);
    if (r == 0)
        r = mm_fill_from_file(addr, len, v->file, off);
    if (r == 0)
        r = pal->mem_protect((void *)addr, len, v->prot);
    return r;
}

long mm_place(struct vma *v, void *p, uint64_t len)
{
    v->start = (uint64_t)p, v->end = v->start + len;
    long r = mm_back(v, v->start, len);
    if (r == 0)
        r = vma_add(v);
    if (r < 0)
        pal->mem_free(p, len);
    return r;
}

long mm_anon_shared_file(uint64_t len, struct file **out)
{
    *out = NULL;
    if (!pal_shares_memory())
        return 0;
    pal_handle h;
    long r = pal->memfd_create("geode-shared", &h);
    if (r < 0)
        return r;
    r = pal->ftruncate(h, (int64_t)len);
    struct file *f = r < 0 ? NULL : file_new(&host_file_ops, h, O_RDWR);
    if (!f) {
        pal->close(h);
        return r < 0 ? r : -PAL_ENOMEM;
    }
    f->path = strdup("/dev/zero (deleted)"); /* what Linux's maps shows */
    *out = f;
    return 0;
}

/* Pipes, FIFOs and sockets have no pages to map (ENODEV on Linux). */
static bool mappable(struct file *f)
{
    uint32_t type = file_ifmt(f); /* 0: unknown, and the mapping itself will say */
    return type != 0010000 /* FIFO */ && type != 0140000 /* socket */;
}

/* What backs a mapping of file f: fills v->file (a reference), or leaves
 * it NULL for /dev/zero (anonymous memory); Linux's checks, in its order. */
static long map_source(int fd, int prot, struct vma *v)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -PAL_EBADF;
    int acc = f->flags & O_ACCMODE, dev = dev_map_kind(f);
    long r = 0;
    if (v->shared && (prot & PAL_PROT_WRITE) && acc != O_RDWR)
        r = -PAL_EACCES;
    else if (acc == O_WRONLY)
        r = -PAL_EACCES;
    else if (f->is_sock || file_is_dir(f) || (!f->ops->pread && !dev) || !mappable(f))
        r = -PAL_ENODEV;
    else if (v->shared && (prot & PAL_PROT_WRITE) && f->ops->private_maps_only) {
        log_warn("mmap of %s: MAP_SHARED with PROT_WRITE is not supported on this file system",
                 f->path ? f->path : "a file");
        r = -PAL_ENODEV;
    }
    else if (v->shared && (prot & PAL_PROT_WRITE) && memfd_write_sealed(f))
        r = -PAL_EPERM; /* F_SEAL_WRITE, F_SEAL_FUTURE_WRITE */
    else
        r = dev;
    if (r != 0) { /* 1: /dev/zero, mapped as anonymous memory */
        file_put(f);
        return r < 0 ? r : 0;
    }
    v->file = f;
    v->host_shared = v->shared && f->ops == &host_file_ops && pal_shares_memory();
    v->untrusted = v->shared && f->ops == &host_file_ops && f->untrusted_shm && !v->host_shared &&
                   PAL_HAS(pal, file_map_untrusted);
    return 0;
}

/* A shared mapping of a file of an untrusted_shm mount, in host memory
 * that the PAL places outside its own (pal.h file_map_untrusted). */
long mm_map_untrusted(struct vma *v, uint64_t len)
{
    void *p;
    long r = pal->file_map_untrusted(v->file ? v->file->h : -1, len, v->off, v->prot, &p);
    if (r < 0)
        return r;
    v->start = (uint64_t)p, v->end = v->start + len;
    r = vma_add(v);
    if (r < 0)
        pal->untrusted_unmap(p, len);
    return r;
}

#define MAP_SHARED_VALIDATE_ 0x03
#define MAP_SYNC_ 0x80000
/* The flags MAP_SHARED_VALIDATE accepts (Linux's LEGACY_MAP_MASK and
 * MAP_FIXED_NOREPLACE); MAP_SYNC needs a DAX file, which no mount is. */
#define MAP_KNOWN_ (MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE | \
                    MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE |       \
                    MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_FIXED_NOREPLACE)

SYS(mmap)
{
    uint64_t addr = A(0), len = ALIGN_UP(A(1), PAGE_SIZE);
    int prot = (int)A(2), flags = (int)A(3), type = flags & MAP_TYPE;
    bool anon = flags & MAP_ANONYMOUS, fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
    if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE_)
        return -PAL_EINVAL;
    if (type == MAP_SHARED_VALIDATE_ && anon)
        return -PAL_EINVAL; /* anonymous memory takes only MAP_SHARED or MAP_PRIVATE */
    if (type == MAP_SHARED_VALIDATE_ && (flags & (~MAP_KNOWN_ | MAP_SYNC_)))
        return -PAL_EOPNOTSUPP;
    if (!A(1) || len < A(1) || (A(5) & (PAGE_SIZE - 1)) || (fixed && (addr & (PAGE_SIZE - 1))))
        return -PAL_EINVAL;
    struct vma v = {.prot = prot & 7, .shared = type != MAP_PRIVATE, .off = anon ? 0 : (int64_t)A(5),
                    .growsdown = (flags & MAP_GROWSDOWN) != 0};
    long r = anon ? 0 : map_source((int)A(4), prot, &v);
    if (r == 0 && v.shared && !v.file) { /* anonymous shared memory */
        v.off = 0;
        r = mm_anon_shared_file(len, &v.file);
        v.host_shared = v.file != NULL;
        v.untrusted = !v.file && libos_cfg.shm_untrusted && PAL_HAS(pal, file_map_untrusted);
    }
    if (r < 0)
        return r;
    /* The PAL chooses where host memory goes: a fixed address gets the
     * enclave's own copy, like a file of any other mount. */
    v.untrusted = v.untrusted && !fixed;
    if (v.untrusted) {
        r = mm_map_untrusted(&v, len);
        if (v.file)
            file_put(v.file);
        return r < 0 ? r : (long)v.start;
    }
    if (fixed && (flags & MAP_FIXED)) /* the old pages are gone: flush them first */
        mm_unmap(addr, len, /*free_rest=*/false);
    /* MAP_FIXED_NOREPLACE must fail with EEXIST rather than replace. */
    int pflags = !fixed ? 0 : (flags & MAP_FIXED) ? PAL_MEM_FIXED : PAL_MEM_FIXED | PAL_MEM_NOREPLACE;
    void *p = (void *)addr;
    r = pal->mem_reserve(&p, len, pflags);
    if (r == 0)
        r = mm_place(&v, p, len);
    if (v.file)
        file_put(v.file);
    if (r < 0)
        return r;
    if (v.file && !v.shared && (prot & PAL_PROT_EXEC))
        rewrite_add_mapping(v.start, len);
    return (long)v.start;
}

SYS(munmap)
{
    if (A(0) & (PAGE_SIZE - 1) || !A(1))
        return -PAL_EINVAL;
    uint64_t len = ALIGN_UP(A(1), PAGE_SIZE);
    sysv_shm_unmapped(A(0), len);
    return mm_unmap(A(0), len, /*free_rest=*/true);
}

#define PROT_KNOWN_ (PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP)

/* Memory protection keys: the program runs as on a CPU without them (the
 * host's may lack them, and an enclave's PKRU is not the libOS's to
 * manage), where Linux answers EINVAL to pkey_alloc and pkey_free and
 * pkey_mprotect is mprotect for pkey -1 only (V8 and glibc fall back). */
SYS(pkey_alloc)
{
    (void)args;
    return -PAL_EINVAL;
}

SYS(pkey_free)
{
    (void)args;
    return -PAL_EINVAL;
}

SYS(pkey_mprotect)
{
    if ((int)A(3) != -1)
        return -PAL_EINVAL;
    return sys_mprotect(args);
}

SYS(mprotect)
{
    uint64_t len = ALIGN_UP(A(1), PAGE_SIZE);
    if ((A(0) & (PAGE_SIZE - 1)) || (A(2) & ~(uint64_t)PROT_KNOWN_) || len < A(1))
        return -PAL_EINVAL;
    if (A(2) & PROT_GROWSUP) /* x86-64 has no mapping that grows up */
        return -PAL_EINVAL;
    if (!len)
        return 0;
    uint64_t start = A(0);
    if (A(2) & PROT_GROWSDOWN) { /* down to the start of a MAP_GROWSDOWN mapping, else EINVAL */
        struct vma v;
        if (!vma_find(start, &v))
            return -PAL_ENOMEM;
        if (!v.growsdown)
            return -PAL_EINVAL;
        len += start - v.start;
        start = v.start;
    }
    if (!vma_covered(start, start + len)) /* part of the range is not mapped */
        return -PAL_ENOMEM;
    return mm_protect(start, len, (int)A(2) & 7);
}

SYS(msync)
{
    int flags = (int)A(2);
    if ((A(0) & (PAGE_SIZE - 1)) || (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
        ((flags & MS_ASYNC) && (flags & MS_SYNC)))
        return -PAL_EINVAL;
    uint64_t len = ALIGN_UP(A(1), PAGE_SIZE);
    if (!vma_covered(A(0), A(0) + len))
        return -PAL_ENOMEM;
    return vma_sync(A(0), len);
}
