/* mremap and madvise: both need what the vma table knows about a mapping
 * (its protection, its file) to recreate pages the way the program had
 * them. mincore and the mlock family check ranges against the same table:
 * every mapped page is reported resident, and locking keeps nothing in
 * memory that would not stay there anyway (the PAL never swaps; an
 * enclave's pages may still be paged by the host's EPC driver). */
#include <linux/mman.h>

#include "core/mm.h"
#include "core/vma.h"
#include "sys/sys.h"

#define MREMAP_MAYMOVE_ 1
#define MREMAP_FIXED_ 2

/* MADV_DONTNEED: private pages read back as zeros (anonymous) or as the
 * file's contents (file mappings); shared file pages keep what the file
 * would show, which is their current contents. */
static long dontneed(uint64_t start, uint64_t end)
{
    if (!vma_covered(start, end))
        return -PAL_ENOMEM;
    for (uint64_t at = start; at < end;) {
        struct vma v;
        if (!vma_find(at, &v))
            return -PAL_ENOMEM;
        uint64_t stop = v.end < end ? v.end : end;
        long r = (v.shared && v.file) || v.untrusted ? 0 : mm_back(&v, at, stop - at);
        if (r < 0)
            return r;
        at = stop;
    }
    return 0;
}

/* The advice values Linux knows (asm-generic/mman-common.h). */
static bool known_advice(uint64_t a)
{
    return a <= 4 || (a >= 8 && a <= 25) || a == 100 || a == 101;
}

/* Other advice changes nothing the program can observe. */
SYS(madvise)
{
    if ((A(0) & (PAGE_SIZE - 1)) || !known_advice(A(2)))
        return -PAL_EINVAL;
    uint64_t len = ALIGN_UP(A(1), PAGE_SIZE);
    if (len < A(1))
        return -PAL_EINVAL;
    if (A(2) == MADV_DONTNEED)
        return dontneed(A(0), A(0) + len);
    if (len && !vma_covered(A(0), A(0) + len))
        return -PAL_ENOMEM; /* part of the range is not mapped */
    return 0;
}

SYS(mincore)
{
    uint64_t start = A(0), len = ALIGN_UP(A(1), PAGE_SIZE);
    unsigned char *vec = PTR(2);
    if ((start & (PAGE_SIZE - 1)) || len < A(1))
        return -PAL_EINVAL;
    if (!len)
        return 0;
    if (!vma_covered(start, start + len))
        return -PAL_ENOMEM;
    memset(vec, 1, len / PAGE_SIZE); /* a bad pointer faults: EFAULT */
    return 0;
}

/* The whole pages of [addr, addr + len), which must all be mapped. */
static long lock_range(uint64_t addr, uint64_t len)
{
    uint64_t start = addr & ~(uint64_t)(PAGE_SIZE - 1), end = ALIGN_UP(addr + len, PAGE_SIZE);
    if (end < start || addr + len < addr)
        return -PAL_EINVAL;
    return end == start || vma_covered(start, end) ? 0 : -PAL_ENOMEM;
}

#define MLOCK_ONFAULT_ 1
#define MCL_CURRENT_ 1
#define MCL_FUTURE_ 2
#define MCL_ONFAULT_ 4

SYS(mlock) { return lock_range(A(0), A(1)); }
SYS(munlock) { return lock_range(A(0), A(1)); }
SYS(mlock2) { return A(2) & ~(uint64_t)MLOCK_ONFAULT_ ? -PAL_EINVAL : lock_range(A(0), A(1)); }
SYS(munlockall) { return 0; }

SYS(mlockall)
{
    uint64_t f = A(0);
    if (!f || (f & ~(uint64_t)(MCL_CURRENT_ | MCL_FUTURE_ | MCL_ONFAULT_)) || f == MCL_ONFAULT_)
        return -PAL_EINVAL;
    return 0;
}

/* Adds [at, at + len) to mapping v (grown in place or moved there). */
static long extend(const struct vma *v, uint64_t at, uint64_t len, uint64_t new_start)
{
    struct vma n = *v;
    n.start = new_start;
    n.end = at + len;
    long r = mm_back(&n, at, len);
    return r < 0 ? r : vma_add(&n);
}

static long grow_in_place(const struct vma *v, uint64_t old, uint64_t osz, uint64_t nsz)
{
    void *p = (void *)(old + osz);
    if (pal->mem_reserve(&p, nsz - osz, PAL_MEM_FIXED | PAL_MEM_NOREPLACE) < 0)
        return -PAL_ENOMEM;
    struct vma head = *v;
    head.off = v->off + (int64_t)(old - v->start);
    long r = extend(&head, old + osz, nsz - osz, old);
    if (r < 0) {
        pal->mem_free(p, nsz - osz);
        return r;
    }
    return (long)old;
}

/* A new range (at `to` when fixed) with the old contents copied over. */
static long move(const struct vma *v, uint64_t old, uint64_t osz, uint64_t nsz, uint64_t to,
                 bool fixed)
{
    uint64_t out;
    if (fixed && to < old + osz && old < to + nsz)
        return -PAL_EINVAL; /* overlapping ranges */
    long r = mm_map_anon(to, nsz, PAL_PROT_READ | PAL_PROT_WRITE, fixed ? PAL_MEM_FIXED : 0, &out);
    if (r < 0)
        return -PAL_ENOMEM;
    uint64_t keep = osz < nsz ? osz : nsz;
    struct vma n = *v;
    n.start = out, n.end = out + nsz, n.off = v->off + (int64_t)(old - v->start);
    if (n.host_shared) { /* the same file pages, mapped again: still shared */
        r = mm_back(&n, out, nsz);
    } else {
        if (v->prot & PAL_PROT_READ)
            memcpy((void *)out, (const void *)old, keep);
        r = nsz > keep ? mm_back(&n, out + keep, nsz - keep) : 0;
        if (r == 0)
            r = pal->mem_protect((void *)out, keep, v->prot);
    }
    if (r == 0)
        r = vma_add(&n);
    if (r < 0) {
        pal->mem_free((void *)out, nsz);
        return r;
    }
    vma_remove(old, osz, false); /* the contents moved: nothing to write back */
    pal->mem_free((void *)old, osz);
    return (long)out;
}

/* Host memory outside the PAL's own: the PAL chooses every address, so it
 * shrinks in place and grows only by moving (the same file pages mapped
 * again: still shared; anonymous memory has no file to map again, so it
 * cannot grow); MREMAP_FIXED cannot be honoured. */
static long remap_untrusted(const struct vma *v, uint64_t old, uint64_t osz, uint64_t nsz,
                            uint64_t flags)
{
    if (flags & MREMAP_FIXED_)
        return -PAL_EINVAL;
    if (nsz <= osz) {
        long r = nsz < osz ? mm_unmap(old + nsz, osz - nsz, /*free_rest=*/true) : 0;
        return r < 0 ? r : (long)old;
    }
    if (!(flags & MREMAP_MAYMOVE_) || !v->file)
        return -PAL_ENOMEM;
    struct vma n = *v;
    n.off = v->off + (int64_t)(old - v->start);
    long r = mm_map_untrusted(&n, nsz);
    if (r < 0)
        return r;
    mm_unmap(old, osz, /*free_rest=*/true);
    return (long)n.start;
}

SYS(mremap)
{
    uint64_t old = A(0), osz = ALIGN_UP(A(1), PAGE_SIZE), nsz = ALIGN_UP(A(2), PAGE_SIZE);
    uint64_t flags = A(3);
    if ((old & (PAGE_SIZE - 1)) || !nsz || (flags & ~(uint64_t)(MREMAP_MAYMOVE_ | MREMAP_FIXED_)) ||
        ((flags & MREMAP_FIXED_) && !(flags & MREMAP_MAYMOVE_)) ||
        ((flags & MREMAP_FIXED_) && (A(4) & (PAGE_SIZE - 1))))
        return -PAL_EINVAL;
    struct vma v;
    if (!osz || !vma_find(old, &v) || !vma_covered(old, old + osz))
        return -PAL_EFAULT;
    if (v.untrusted)
        return remap_untrusted(&v, old, osz, nsz, flags);
    if (flags & MREMAP_FIXED_)
        return move(&v, old, osz, nsz, A(4), true);
    if (nsz <= osz) {
        if (nsz < osz) {
            vma_remove(old + nsz, osz - nsz, true);
            pal->mem_free((void *)(old + nsz), osz - nsz);
        }
        return (long)old;
    }
    long r = grow_in_place(&v, old, osz, nsz);
    if (r >= 0 || !(flags & MREMAP_MAYMOVE_))
        return r;
    return move(&v, old, osz, nsz, 0, false);
}
