/* Syscall-site rewriting (core/rewrite.c): the regions of loaded images
 * whose syscall instructions may be rewritten into calls through a
 * trampoline. */
#ifndef GEODE_LIBOS_REWRITE_H
#define GEODE_LIBOS_REWRITE_H

#include "libos.h"

/* Trampoline space for syscall-site rewriting, reserved after each image. */
#define TRAMP_SPACE (64 * 1024)
/* An image whose sites in [lo, hi) may be rewritten, with trampolines at
 * tramp and its .eh_frame_hdr at eh_hdr (0: none known, so only the
 * narrow shape of rewrite.c applies). */
void rewrite_add_region(uint64_t lo, uint64_t hi, uint64_t tramp, uint64_t eh_hdr);
void rewrite_add_mapping(uint64_t lo, uint64_t len);
void rewrite_reset(void);
/* After a trapped syscall (number nr) whose instruction ends at rip: its
 * site becomes a call into the libOS where it can (rewrite.c). */
void rewrite_site(uint64_t rip, uint64_t nr);

/* Syscalls that need the exact trapped context: never called through a
 * narrow trampoline; sent back to the trap path from a wide one. */
static inline bool rewrite_context_sensitive(uint64_t nr)
{
    return nr == 15 || nr == 56 || nr == 57 || nr == 58 || nr == 59 || nr == 322 || nr == 435;
}

/* On the fast path, ra the return address into a trampoline and rip the
 * program's rip after the syscall (rip - 2 is the site's syscall in the
 * narrow shape): a syscall instruction that runs the call again on the
 * trap path, with the program going on at rip afterwards. */
uint64_t rewrite_trap_insn(uint64_t ra, uint64_t rip);

#endif
