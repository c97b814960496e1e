/* The program's mappings as the libOS made them: a sorted array of
 * non-overlapping ranges with their protection and what backs them. It is
 * what mremap and madvise need (the protection to recreate), what
 * /proc/self/maps shows, what msync/munmap write back for shared file
 * mappings, and what execve releases. */
#include "core/vma.h"

#define MAX_VMAS 4096

static struct vma vmas[MAX_VMAS];
static int n_vmas;
static spinlock_t vma_lock;

/* A shared mapping of f can never be made writable (Linux: no VM_MAYWRITE):
 * not open for writing, or a libOS memfd sealed with F_SEAL_WRITE or
 * F_SEAL_FUTURE_WRITE (sys/memfd.c; a host file's seals are the host's). */
static bool vma_write_denied_file(const struct file *f)
{
    return (f->flags & 3) != 2 /* O_RDWR */ || (f->seals & (0x8 | 0x10));
}

/* Index of the first vma ending after addr. */
static int first_after(uint64_t addr)
{
    int lo = 0, hi = n_vmas;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (vmas[mid].end <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void drop_file(struct vma *v)
{
    if (v->file)
        file_put(v->file);
    v->file = NULL;
}

/* Splits the vma containing addr (if any) so that addr is a boundary. */
static int split_at(uint64_t addr)
{
    int i = first_after(addr);
    if (i == n_vmas || vmas[i].start >= addr)
        return 0;
    if (n_vmas == MAX_VMAS)
        return -PAL_ENOMEM;
    memmove(&vmas[i + 1], &vmas[i], (size_t)(n_vmas - i) * sizeof(vmas[0]));
    n_vmas++;
    vmas[i].end = addr;
    vmas[i + 1].off += (int64_t)(addr - vmas[i + 1].start);
    vmas[i + 1].start = addr;
    if (vmas[i + 1].file)
        __atomic_add_fetch(&vmas[i + 1].file->refs, 1, __ATOMIC_ACQ_REL);
    return 0;
}

/* Removes [start, end) from the table; with writeback, dirty shared file
 * pages go back to their file first. Caller holds vma_lock. */
static int remove_locked(uint64_t start, uint64_t end, bool writeback)
{
    int r = split_at(start);
    if (r == 0)
        r = split_at(end);
    if (r < 0)
        return r;
    int i = first_after(start), j = i;
    for (; j < n_vmas && vmas[j].start < end; j++) {
        if (writeback)
            vma_writeback(&vmas[j], vmas[j].start, vmas[j].end);
        drop_file(&vmas[j]);
    }
    memmove(&vmas[i], &vmas[j], (size_t)(n_vmas - j) * sizeof(vmas[0]));
    n_vmas -= j - i;
    return 0;
}

int vma_add(const struct vma *v)
{
    spin_lock(&vma_lock);
    int r = remove_locked(v->start, v->end, false);
    if (r == 0 && n_vmas == MAX_VMAS)
        r = -PAL_ENOMEM;
    if (r == 0) {
        int i = first_after(v->start);
        memmove(&vmas[i + 1], &vmas[i], (size_t)(n_vmas - i) * sizeof(vmas[0]));
        vmas[i] = *v;
        if (v->file)
            __atomic_add_fetch(&v->file->refs, 1, __ATOMIC_ACQ_REL);
        n_vmas++;
    }
    spin_unlock(&vma_lock);
    return r;
}

int vma_remove(uint64_t start, uint64_t len, bool writeback)
{
    spin_lock(&vma_lock);
    int r = remove_locked(start, start + len, writeback);
    spin_unlock(&vma_lock);
    return r;
}

int vma_protect(uint64_t start, uint64_t len, int prot)
{
    spin_lock(&vma_lock);
    int r = split_at(start);
    if (r == 0)
        r = split_at(start + len);
    for (int i = first_after(start); r == 0 && i < n_vmas && vmas[i].start < start + len; i++)
        vmas[i].prot = prot;
    spin_unlock(&vma_lock);
    return r;
}

bool vma_find(uint64_t addr, struct vma *out)
{
    spin_lock(&vma_lock);
    int i = first_after(addr);
    bool found = i < n_vmas && vmas[i].start <= addr;
    if (found)
        *out = vmas[i];
    spin_unlock(&vma_lock);
    return found;
}

bool vma_covered(uint64_t start, uint64_t end)
{
    spin_lock(&vma_lock);
    uint64_t at = start;
    for (int i = first_after(start); i < n_vmas && vmas[i].start <= at && at < end; i++)
        at = vmas[i].end;
    spin_unlock(&vma_lock);
    return at >= end;
}

void vma_writeback(const struct vma *v, uint64_t start, uint64_t end)
{
    if (!v->file || !v->shared || v->host_shared || v->untrusted || !(v->prot & PAL_PROT_WRITE) ||
        !v->file->ops->pwrite)
        return;
    /* Only what the file holds: the tail past its end stays in memory. */
    struct pal_stat st;
    int64_t off = v->off + (int64_t)(start - v->start);
    if (!v->file->ops->fstat || v->file->ops->fstat(v->file, &st) < 0 || st.size <= off)
        return;
    uint64_t n = end - start;
    if ((uint64_t)(st.size - off) < n)
        n = (uint64_t)(st.size - off);
    long w = v->file->ops->pwrite(v->file, (const void *)start, n, off);
    if (w < 0 || (uint64_t)w != n)
        log_warn("msync: writing back %lu bytes at offset %ld of %s failed: %s", (unsigned long)n,
                 (long)off, v->file->path ? v->file->path : "a file",
                 w < 0 ? errno_name(w) : "short write");
}

int vma_sync(uint64_t start, uint64_t len)
{
    spin_lock(&vma_lock);
    uint64_t end = start + len;
    for (int i = first_after(start); i < n_vmas && vmas[i].start < end; i++) {
        uint64_t a = vmas[i].start > start ? vmas[i].start : start;
        uint64_t b = vmas[i].end < end ? vmas[i].end : end;
        vma_writeback(&vmas[i], a, b);
    }
    spin_unlock(&vma_lock);
    return 0;
}

int vma_untrusted_ranges(uint64_t start, uint64_t end, struct vma_range *out, int max)
{
    int n = 0;
    spin_lock(&vma_lock);
    for (int i = first_after(start); i < n_vmas && vmas[i].start < end; i++) {
        if (!vmas[i].untrusted)
            continue;
        if (n < max)
            out[n] = (struct vma_range){vmas[i].start > start ? vmas[i].start : start,
                                        vmas[i].end < end ? vmas[i].end : end};
        n++;
    }
    spin_unlock(&vma_lock);
    return n;
}

/* The first fork that breaks sharing says so at error level (shown by
 * default: a program that shares memory with its children, e.g. python's
 * multiprocessing locks in /dev/shm, gets wrong results, not an error);
 * every mapping of every fork is listed at warning level. */
void vma_warn_unshared(void)
{
    static bool said;
    spin_lock(&vma_lock);
    for (int i = 0; i < n_vmas; i++) {
        const struct vma *v = &vmas[i];
        if (!v->shared || v->host_shared || v->untrusted || !(v->prot & PAL_PROT_WRITE))
            continue;
        const char *what = v->file && v->file->path ? v->file->path : "anonymous memory";
        const char *fix = v->file ? "put the file on an untrusted_shm mount"
                                  : "sys.insecure__shared_memory_untrusted puts it in host memory";
        if (!__atomic_exchange_n(&said, true, __ATOMIC_RELAXED))
            log_error("fork: the MAP_SHARED mapping of %s (and any listed at log level warning) "
                      "is this process's own copy: the child gets another and they do not share "
                      "it; in an enclave, %s (docs/manifest.md, \"Shared memory in an enclave\")",
                      what, fix);
        log_warn("fork: the MAP_SHARED mapping %lx-%lx of %s is this process's own copy: the "
                 "child gets another and they stop sharing it (in an enclave, %s)",
                 (unsigned long)v->start, (unsigned long)v->end, what, fix);
    }
    spin_unlock(&vma_lock);
}

int vma_private_ranges(struct pal_mem_range **out)
{
    /* Allocated outside the lock; a mapping added meanwhile is left out
     * (the list may be short, never wrong). */
    int cap = __atomic_load_n(&n_vmas, __ATOMIC_RELAXED) + 1, n = 0;
    struct pal_mem_range *r = malloc((size_t)cap * sizeof(*r));
    *out = r;
    if (!r)
        return -PAL_ENOMEM;
    spin_lock(&vma_lock);
    for (int i = 0; i < n_vmas; i++) {
        const struct vma *v = &vmas[i];
        if (v->shared || v->untrusted)
            continue;
        if (n && r[n - 1].addr + r[n - 1].len == v->start)
            r[n - 1].len += v->end - v->start;
        else if (n < cap)
            r[n++] = (struct pal_mem_range){v->start, v->end - v->start};
        else
            break;
    }
    spin_unlock(&vma_lock);
    return n;
}

void vma_release_all(void)
{
    spin_lock(&vma_lock);
    for (int i = 0; i < n_vmas; i++) {
        vma_writeback(&vmas[i], vmas[i].start, vmas[i].end);
        if (vmas[i].untrusted)
            pal->untrusted_unmap((void *)vmas[i].start, vmas[i].end - vmas[i].start);
        else
            pal->mem_free((void *)vmas[i].start, vmas[i].end - vmas[i].start);
        drop_file(&vmas[i]);
    }
    n_vmas = 0;
    spin_unlock(&vma_lock);
}

/* Zero-padded hex of at least 8 digits (the libOS snprintf has no widths). */
static void hex8(char *out, size_t size, uint64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof(tmp), "%lx", (unsigned long)v);
    int pad = n < 8 ? 8 - n : 0;
    snprintf(out, size, "%s%s", "00000000" + (8 - pad), tmp);
}

/* One /proc/self/maps line as Linux's show_map_vma() writes it: the
 * addresses and offset zero-padded to 8 digits, the inode (1 stands for any
 * file here), a space, and the name padded to column 73. Returns its length
 * or -1 when it is too long. */
static int format_one(const struct vma *v, char *line, size_t size)
{
    static const char pad[] =
        "                                                                        ";
    char start[24], end[24], off[24];
    const char *name = v->name ? v->name : v->file && v->file->path ? v->file->path : "";
    hex8(start, sizeof(start), v->start);
    hex8(end, sizeof(end), v->end);
    hex8(off, sizeof(off), v->file ? (uint64_t)v->off : 0);
    int n = snprintf(line, size, "%s-%s %c%c%c%c %s 00:00 %lu ", start, end,
                     v->prot & PAL_PROT_READ ? 'r' : '-', v->prot & PAL_PROT_WRITE ? 'w' : '-',
                     v->prot & PAL_PROT_EXEC ? 'x' : '-', v->shared ? 's' : 'p', off,
                     v->file ? 1UL : 0UL);
    if (n < 0 || (size_t)n >= size)
        return -1;
    int fill = !name[0] ? 0 : n < 72 ? 72 - n + 1 : 1;
    int m = snprintf(line + n, size - (size_t)n, "%s%s\n", pad + (sizeof(pad) - 1 - (size_t)fill),
                     name);
    return m < 0 || (size_t)(n + m) >= size ? -1 : n + m;
}

size_t vma_format(char *buf, size_t size)
{
    size_t used = 0;
    char line[PATH_MAX_LEN + 128];
    spin_lock(&vma_lock);
    for (int i = 0; i < n_vmas; i++) {
        int n = format_one(&vmas[i], line, sizeof(line));
        if (n < 0 || used + (size_t)n >= size)
            break;
        memcpy(buf + used, line, (size_t)n);
        used += (size_t)n;
    }
    spin_unlock(&vma_lock);
    return used;
}

bool vma_write_denied(uint64_t start, uint64_t end)
{
    bool denied = false;
    spin_lock(&vma_lock);
    for (int i = first_after(start); !denied && i < n_vmas && vmas[i].start < end; i++)
        denied = vmas[i].shared && vmas[i].file && vma_write_denied_file(vmas[i].file);
    spin_unlock(&vma_lock);
    return denied;
}

bool vma_file_mapped_writable(const struct file *f)
{
    bool found = false;
    spin_lock(&vma_lock);
    for (int i = 0; !found && i < n_vmas; i++)
        found = vmas[i].shared && vmas[i].file == f &&
                ((vmas[i].prot & PAL_PROT_WRITE) || !vma_write_denied_file(f));
    spin_unlock(&vma_lock);
    return found;
}

void vma_totals(uint64_t *vsize, uint64_t *accessible)
{
    *vsize = *accessible = 0;
    spin_lock(&vma_lock);
    for (int i = 0; i < n_vmas; i++) {
        *vsize += vmas[i].end - vmas[i].start;
        if (vmas[i].prot != PAL_PROT_NONE)
            *accessible += vmas[i].end - vmas[i].start;
    }
    spin_unlock(&vma_lock);
}
