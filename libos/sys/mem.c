/* brk and the mmap family. Anonymous memory is a PAL reservation made
 * usable at once; a file mapping is anonymous memory filled by pread, so it
 * works the same way inside an enclave. MAP_SHARED file mappings are
 * therefore private copies (writes do not reach the file). */
#include <linux/mman.h>

#include "core/mm.h"
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

long mm_map_anon(uint64_t addr, size_t len, int prot, bool fixed, uint64_t *out)
{
    void *p = (void *)addr;
    long r = pal->mem_reserve(&p, len, fixed ? PAL_MEM_FIXED : 0);
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

#define MAX_TRACKED 8
static struct { uint64_t lo, len; } tracked[MAX_TRACKED];
static int n_tracked;

void mm_track_image(uint64_t lo, uint64_t len)
{
    if (n_tracked < MAX_TRACKED)
        tracked[n_tracked].lo = lo, tracked[n_tracked++].len = len;
}

void mm_release_images(void)
{
    for (int i = 0; i < n_tracked; i++)
        pal->mem_free((void *)tracked[i].lo, tracked[i].len);
    n_tracked = 0;
}

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

static long fill_from_file(uint64_t addr, size_t len, int fd, int64_t off)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -PAL_EBADF;
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
    file_put(f);
    return r;
}

SYS(mmap)
{
    uint64_t addr = A(0), len = ALIGN_UP(A(1), PAGE_SIZE), out;
    int prot = (int)A(2), flags = (int)A(3), fd = (int)A(4);
    bool anon = flags & MAP_ANONYMOUS, fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
    if (!A(1) || (A(5) & (PAGE_SIZE - 1)) || (fixed && (addr & (PAGE_SIZE - 1))))
        return -PAL_EINVAL;
    long r = mm_map_anon(addr, len, anon ? prot : PAL_PROT_READ | PAL_PROT_WRITE, fixed, &out);
    if (r < 0 || anon)
        return r < 0 ? r : (long)out;
    r = fill_from_file(out, A(1), fd, (int64_t)A(5));
    if (r == 0)
        r = pal->mem_protect((void *)out, len, prot);
    if (r < 0) {
        pal->mem_free((void *)out, len);
        return r;
    }
    if (prot & PAL_PROT_EXEC)
        rewrite_add_mapping(out, len);
    return (long)out;
}

SYS(munmap)
{
    if (A(0) & (PAGE_SIZE - 1) || !A(1))
        return -PAL_EINVAL;
    return pal->mem_free(PTR(0), ALIGN_UP(A(1), PAGE_SIZE));
}

SYS(mprotect)
{
    if (A(0) & (PAGE_SIZE - 1))
        return -PAL_EINVAL;
    return pal->mem_protect(PTR(0), ALIGN_UP(A(1), PAGE_SIZE), (int)A(2) & 7);
}

/* Advice changes nothing observable for the program, except MADV_DONTNEED
 * on private anonymous memory, which must read back as zeros. */
SYS(madvise)
{
    if (A(2) == MADV_DONTNEED)
        return -PAL_EINVAL; /* refuse rather than leave stale data behind */
    return 0;
}

SYS(mremap) { return -PAL_ENOSYS; } /* glibc falls back to malloc+copy */
SYS(msync) { return 0; }
