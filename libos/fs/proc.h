/* The libOS's /proc: its namespace (proc.c) and file contents (proc_text.c). */
#ifndef GEODE_LIBOS_PROC_H
#define GEODE_LIBOS_PROC_H

#include "fs/vfs.h"

enum proc_text { PROC_CPUINFO, PROC_MEMINFO, PROC_STAT, PROC_STATUS, PROC_MAPS };

/* The text of a generated file (heap-allocated, *len bytes); NULL when out
 * of memory. */
char *proc_text(enum proc_text which, size_t *len);

#endif
