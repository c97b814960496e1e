/* Program memory: brk and the mmap family, backed by PAL reservations. */
#ifndef GEODE_LIBOS_MM_H
#define GEODE_LIBOS_MM_H

#include "libos.h"

/* The program break lives in [start, start + max), already reserved. */
void mm_brk_init(uint64_t start, uint64_t max);

/* Anonymous zero-filled memory in the program's address space. addr is a
 * hint unless pal_flags has PAL_MEM_FIXED (and PAL_MEM_NOREPLACE). */
long mm_map_anon(uint64_t addr, size_t len, int prot, int pal_flags, uint64_t *out);

/* Makes the reserved range [addr, addr + len) zero-filled program memory
 * with prot: a large range only as the program touches it, where the PAL
 * pages on demand (pal.h mem_commit_lazy), as Linux does. */
long mm_commit_anon(void *addr, size_t len, int prot);

/* Records a range the libOS mapped for the program (ELF images with
 * their brk and trampolines, the initial stack) in the vma table. */
void mm_track_image(uint64_t lo, uint64_t len, const char *name);
/* Undoes mm_track_image and the reservation under it (a load that failed
 * half way). */
void mm_untrack_image(uint64_t lo, uint64_t len);
/* mprotect for the libOS's own mappings of program memory (ELF segments). */
long mm_protect(uint64_t addr, size_t len, int prot);
/* munmap: [addr, addr + len) leaves the table (shared file pages written
 * back); its untrusted mappings are unmapped, and with free_rest the other
 * pages go back to the PAL too (without: MAP_FIXED replaces them). */
long mm_unmap(uint64_t addr, uint64_t len, bool free_rest);
/* execve: every mapping of the old program goes (shared file mappings are
 * written back first). */
void mm_release_images(void);

struct file;
/* Reads len bytes of f at off into program memory at addr (a file
 * mapping's contents); past the end of the file the memory stays zero. */
long mm_fill_from_file(uint64_t addr, size_t len, struct file *f, int64_t off);
/* Maps whole pages of a host file privately at addr (page aligned addr and
 * off) when the PAL offers file_map; -EOPNOTSUPP when the caller must copy
 * with mm_fill_from_file instead. */
long mm_map_file_pages(uint64_t addr, size_t len, struct file *f, int64_t off, int prot);

struct vma;
/* Makes the reserved range [addr, addr + len) of mapping v (whose start,
 * off, prot and backing it uses) fresh pages as v has them: zero
 * (anonymous), the file's contents (private, or a shared copy), or the
 * file itself (v->host_shared); with v's protection. */
long mm_back(const struct vma *v, uint64_t addr, uint64_t len);
/* Mapping v (backing, prot, off set) on the reserved range [p, p + len):
 * backs it (mm_back) and records it; on failure the range is freed. */
long mm_place(struct vma *v, void *p, uint64_t len);
/* The file behind anonymous shared memory of len bytes that forked
 * children share (a PAL memfd), in *out; *out = NULL where the PAL cannot
 * share memory (the memory is then the process's own). */
long mm_anon_shared_file(uint64_t len, struct file **out);

/* Mapping v (file, off, prot set) as host memory that other processes
 * see, at an address the PAL chooses (v->untrusted: pal.h
 * file_map_untrusted), and records it. */
long mm_map_untrusted(struct vma *v, uint64_t len);

/* System V shared memory (sys/sysv_shm.c). init: at start, before any
 * fork (the table must be the whole tree's); forked: in a new child (its
 * attaches count); unmapped: munmap dropped [start, start + len), which
 * detaches whole attaches in it; detach_all: at execve and exit. */
void sysv_shm_init(void);
void sysv_shm_forked(void);
void sysv_shm_unmapped(uint64_t start, uint64_t len);
void sysv_shm_detach_all(void);
/* sys/sysv_sem.c: the table (shared across the tree where the PAL shares
 * memory), a forked child's start, and the process's end (its SEM_UNDO
 * adjustments applied). */
void sysv_sem_init(void);
void sysv_sem_forked(void);
void sysv_sem_exit(void);
/* sys/sysv_msg.c: the same for System V message queues. */
void sysv_msg_init(void);
void sysv_msg_forked(void);

#endif
