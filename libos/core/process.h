/* The process's name and argument area (core/process.c). */
#ifndef GEODE_LIBOS_PROCESS_H
#define GEODE_LIBOS_PROCESS_H

#include "libos.h"

/* The process's name (comm): name, or the program's file name when NULL
 * (at start and execve); told to the PAL, where other processes of the
 * tree read it. */
void proc_set_name(const char *name);
const char *proc_name(void);
/* A consistent copy of it (15 characters and a NUL). */
void proc_name_copy(char out[16]);
/* The program's argument and environment strings on its initial stack
 * ([start, end), the kernel's arg_start..env_end), set by elf/stack.c. */
void proc_set_args(uint64_t arg_start, uint64_t arg_end, uint64_t env_start, uint64_t env_end);
/* arg_start, arg_end, env_start, env_end for i = 0..3. */
uint64_t proc_args(int i);

#endif
