/* Loading programs: ELF images through the VFS, and the initial stack. */
#ifndef GEODE_LIBOS_ELF_H
#define GEODE_LIBOS_ELF_H

#include "core/rewrite.h"
#include "libos.h"

struct loaded_elf {
    uint64_t base;     /* load bias (0 for ET_EXEC) */
    uint64_t entry;    /* biased entry point */
    uint64_t phdr;     /* biased address of the program headers */
    uint32_t phnum;
    uint64_t end;      /* first byte after the highest segment */
    char interp[256];  /* PT_INTERP, empty if none */
};

/* Maps the ELF at inside path (extra: bytes to reserve right after the
 * image for brk, 0 for an interpreter). Returns 0 or a negative errno after
 * logging a line that names the file and the problem. */
int elf_load(const char *path, uint64_t extra, struct loaded_elf *out);

/* Loads the program (and its interpreter), builds the stack; fills the
 * entry point and initial stack pointer. */
int elf_exec(const char *path, char **argv, char **envp, uint64_t *entry, uint64_t *sp);

/* The stack: argv, envp and auxv as the kernel lays them out. */
struct stack_info {
    const struct loaded_elf *prog;
    uint64_t interp_base;
    const char *execfn;
};
int stack_build(char **argv, char **envp, const struct stack_info *si, uint64_t *sp);


#endif
