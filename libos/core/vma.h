/* The program's mappings (core/vma.c). */
#ifndef GEODE_LIBOS_VMA_H
#define GEODE_LIBOS_VMA_H

#include "core/file.h"
#include "libos.h"

struct vma {
    uint64_t start, end; /* page aligned, end exclusive */
    int prot;            /* PAL_PROT_* */
    bool shared;         /* MAP_SHARED */
    /* The PAL's own shared mapping of file (file_map_shared): stores reach
     * the file at once, so there is nothing to write back. Without it a
     * shared file mapping is a copy, written back by msync/munmap/exit. */
    bool host_shared;
    /* Host memory outside the PAL's own (pal.h file_map_untrusted: a file
     * of an untrusted_shm mount inside an enclave), at an address the PAL
     * chose: stores reach the file and other processes at once, and the
     * pages are unmapped and protected with the PAL's untrusted_* calls. */
    bool untrusted;
    /* MAP_GROWSDOWN: mprotect with PROT_GROWSDOWN reaches down to its start. */
    bool growsdown;
    struct file *file;   /* backing file (a reference), or NULL */
    int64_t off;         /* file offset of start */
    const char *name;    /* "[stack]", "[heap]"... static string, or NULL */
};

/* Records a mapping, replacing whatever the table had in its range
 * (takes its own reference on v->file). */
int vma_add(const struct vma *v);
/* Forgets [start, start + len); with writeback, writable shared file
 * pages are written back to their file first. Does not free memory. */
int vma_remove(uint64_t start, uint64_t len, bool writeback);
int vma_protect(uint64_t start, uint64_t len, int prot);
/* The mapping holding addr (a copy; its file reference is not taken). */
bool vma_find(uint64_t addr, struct vma *out);
/* True when every page of [start, end) is mapped. */
bool vma_covered(uint64_t start, uint64_t end);
/* Writes [start, end) of a writable shared file mapping back to its file. */
void vma_writeback(const struct vma *v, uint64_t start, uint64_t end);
int vma_sync(uint64_t start, uint64_t len);
/* True when [start, end) holds a shared file mapping of a file not open
 * for writing: PROT_WRITE there is EACCES (mmap(2), mprotect(2)). */
bool vma_write_denied(uint64_t start, uint64_t end);
/* True when some shared mapping of f is writable or could be made so by
 * mprotect (fcntl F_ADD_SEALS F_SEAL_WRITE is then EBUSY). */
bool vma_file_mapped_writable(const struct file *f);
/* Stores up to max ranges of [start, end) that untrusted mappings cover,
 * in address order; returns how many there are. */
struct vma_range {
    uint64_t start, end;
};
int vma_untrusted_ranges(uint64_t start, uint64_t end, struct vma_range *out, int max);
/* fork: logs one line for each writable shared mapping that is a copy in
 * this process's memory (the child gets its own copy: they stop sharing). */
void vma_warn_unshared(void);
/* execve: writes back, frees and forgets every mapping. */
void vma_release_all(void);
/* The private mappings (what vma_release_all frees with nothing to write
 * back), ascending, adjacent ones merged, in *out (malloc'd; the caller
 * frees it): their number, or -ENOMEM. */
int vma_private_ranges(struct pal_mem_range **out);
/* Bytes mapped, and of them bytes not PROT_NONE (/proc/<pid>/stat). */
void vma_totals(uint64_t *vsize, uint64_t *accessible);
/* /proc/self/maps text into buf; returns its length. */
size_t vma_format(char *buf, size_t size);

#endif
