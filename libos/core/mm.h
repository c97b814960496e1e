/* Program memory: brk and the mmap family, backed by PAL reservations. */
#ifndef GEODE_LIBOS_MM_H
#define GEODE_LIBOS_MM_H

#include "libos.h"

/* The program break lives in [start, start + max), already reserved. */
void mm_brk_init(uint64_t start, uint64_t max);

/* Anonymous zero-filled memory for the libOS's own use in the program's
 * address space (stacks, images). addr is a hint unless fixed. */
long mm_map_anon(uint64_t addr, size_t len, int prot, bool fixed, uint64_t *out);

/* Address ranges that belong to the current program image (ELF images,
 * their brk and trampolines, the initial stack): released by execve. */
void mm_track_image(uint64_t lo, uint64_t len);
void mm_release_images(void);

#endif
