/* Syscall-site rewriting (core/rewrite.c): the regions of loaded images
 * whose syscall instructions may be rewritten into calls through a
 * trampoline. */
#ifndef GEODE_LIBOS_REWRITE_H
#define GEODE_LIBOS_REWRITE_H

#include "libos.h"

/* Trampoline space for syscall-site rewriting, reserved after each image. */
#define TRAMP_SPACE (64 * 1024)
void rewrite_add_region(uint64_t lo, uint64_t hi, uint64_t tramp);
void rewrite_add_mapping(uint64_t lo, uint64_t len);
void rewrite_reset(void);

#endif
