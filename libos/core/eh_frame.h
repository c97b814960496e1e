/* The program's unwind tables (core/eh_frame.c), read for syscall-site
 * rewriting (core/rewrite.c): which bytes around a syscall instruction
 * belong to no function. Every function a compiler emits (and glibc's
 * assembly, through its CFI macros) has an FDE covering exactly its code;
 * what lies between two FDEs is padding that nothing executes. */
#ifndef GEODE_LIBOS_EH_FRAME_H
#define GEODE_LIBOS_EH_FRAME_H

#include "libos.h"

struct eh_range {
    uint64_t lo, hi; /* a function's code, hi exclusive */
};

/* Up to max FDE ranges from the .eh_frame_hdr search table at hdr, in
 * address order: the function holding pc and its neighbours on either
 * side (at most (max - 1) / 2 of each). Returns how many, with *at the
 * index of pc's function; -1 when pc is in no function the table lists or
 * the tables cannot be read (not mapped readable, or an encoding this
 * parser does not know: the caller then leaves the site alone). */
int eh_frame_ranges(uint64_t hdr, uint64_t pc, struct eh_range *out, int max, int *at);

/* The .eh_frame_hdr of the ELF image whose executable mapping starts at
 * start (a file mapping made by the program's dynamic loader: its first
 * page, the ELF header, is mapped from offset 0 of the same file at
 * start - the mapping's offset); 0 when there is none or it cannot be
 * found that way. Reads only the ELF and program headers, which must be
 * mapped readable already. */
uint64_t eh_frame_hdr_of_mapping(uint64_t start);

#endif
