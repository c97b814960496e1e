/* brk and the mmap family. Anonymous memory is a PAL reservation made
 * usable at once. A private file mapping is the PAL's own file mapping
 * when it offers file_map (direct mode), else anonymous memory filled by
 * pread, which works the same way inside an enclave. Every mapping is
 * recorded in the vma table (core/vma.c). MAP_SHARED file mappings are
 * copies: writes reach the file (pwrite) when the program calls msync or
 * munmap, at execve and at exit; they are not shared with other processes
 * mapping the same file. */
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

long mm_protect(uint64_t addr, size_t len, int prot)
{
    long r = pal->mem_protect((void *)addr, len, prot);
    if (r == 0)
        vma_protect(addr, len, prot);
    return r;
}

void mm_release_images(void) { vma_release_all(); }

SYS(brk)
{
    uint64_t want = A(0);
    spin_lock(&brk_lock);
    if (want >= brk_start && want <= brk_end) {
        uint64_t top = ALIGN_UP(want, PAGE_SIZE);
        long r = 0;
        if (top > brk_committed)
            r = pal->mem_commit((void *)brk_committed, top - brk_committed,
                                PAL_PROT_READ | PAL_PROT_WRITE);
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

SYS(mmap)
{
    uint64_t addr = A(0), len = ALIGN_UP(A(1), PAGE_SIZE), out;
    int prot = (int)A(2), flags = (int)A(3), fd = (int)A(4);
    bool anon = flags & MAP_ANONYMOUS, fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
    if (!A(1) || (A(5) & (PAGE_SIZE - 1)) || (fixed && (addr & (PAGE_SIZE - 1))))
        return -PAL_EINVAL;
    if (fixed && (flags & MAP_FIXED)) /* the old pages are gone: flush them first */
        vma_remove(addr, len, true);
    /* MAP_FIXED_NOREPLACE must fail with EEXIST rather than replace. */
    int pflags = !fixed ? 0 : (flags & MAP_FIXED) ? PAL_MEM_FIXED : PAL_MEM_FIXED | PAL_MEM_NOREPLACE;
    long r = mm_map_anon(addr, len, anon ? prot : PAL_PROT_READ | PAL_PROT_WRITE, pflags, &out);
    if (r < 0)
        return r;
    struct vma v = {.start = out, .end = out + len, .prot = prot & 7,
                    .shared = (flags & MAP_TYPE) == MAP_SHARED, .off = (int64_t)A(5)};
    if (!anon) {
        v.file = fd_get(fd);
        r = v.file ? 0 : -PAL_EBADF;
        /* Private: the PAL's own file mapping when it has one (no copy);
         * shared, or without it: a copy, written back by msync/munmap. */
        if (r == 0 && (v.shared || mm_map_file_pages(out, len, v.file, v.off, prot) < 0)) {
            r = mm_fill_from_file(out, A(1), v.file, (int64_t)A(5));
            if (r == 0)
                r = pal->mem_protect((void *)out, len, prot);
        }
    }
    if (r == 0)
        r = vma_add(&v);
    if (v.file)
        file_put(v.file);
    if (r < 0) {
        pal->mem_free((void *)out, len);
        return r;
    }
    if (!anon && (prot & PAL_PROT_EXEC))
        rewrite_add_mapping(out, len);
    return (long)out;
}

SYS(munmap)
{
    if (A(0) & (PAGE_SIZE - 1) || !A(1))
        return -PAL_EINVAL;
    uint64_t len = ALIGN_UP(A(1), PAGE_SIZE);
    vma_remove(A(0), len, true);
    return pal->mem_free(PTR(0), len);
}

SYS(mprotect)
{
    if (A(0) & (PAGE_SIZE - 1))
        return -PAL_EINVAL;
    return mm_protect(A(0), ALIGN_UP(A(1), PAGE_SIZE), (int)A(2) & 7);
}

SYS(msync)
{
    if (A(0) & (PAGE_SIZE - 1))
        return -PAL_EINVAL;
    uint64_t len = ALIGN_UP(A(1), PAGE_SIZE);
    if (!vma_covered(A(0), A(0) + len))
        return -PAL_ENOMEM;
    return vma_sync(A(0), len);
}
