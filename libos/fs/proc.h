/* The libOS's /proc: its namespace (proc.c), the contents of its process
 * files (proc_text.c) and of /proc/sys (proc_sys.c). */
#ifndef GEODE_LIBOS_PROC_H
#define GEODE_LIBOS_PROC_H

#include "fs/vfs.h"

enum proc_text {
    PROC_CPUINFO, PROC_MEMINFO, PROC_STAT, PROC_STATUS, PROC_MAPS, PROC_PID_STAT, PROC_COMM,
    PROC_CMDLINE, PROC_ENVIRON,
};

/* Whose file: pid is the process, tid the thread shown (pid itself for
 * /proc/<pid>/...). */
struct proc_who {
    int pid, tid;
};

/* The text of a generated file (heap-allocated, *len bytes); NULL when out
 * of memory or when the process has gone (*len is then 0). */
char *proc_text(enum proc_text which, struct proc_who who, size_t *len);

/* True when pid is a process of the program's tree other than the
 * caller (the PAL knows it). */
bool proc_other_exists(int pid);

/* At start (main.c): the boot id, the start time, the process's name. */
void proc_init(const Geode__Manifest *m);
/* The process's name (comm): name, or the program's file name when NULL
 * (at start and execve); told to the PAL, where other processes of the
 * tree read it. */
void proc_set_name(const char *name);
const char *proc_name(void);

/* At start: the boot id and threads-max (proc_sys.c). */
void proc_sys_init(const Geode__Manifest *m);
/* The program's argument and environment strings on its initial stack
 * ([start, end), the kernel's arg_start..env_end), set by elf/stack.c. */
void proc_set_args(uint64_t arg_start, uint64_t arg_end, uint64_t env_start, uint64_t env_end);

/* /proc/sys: the index of a file or directory (inside path), or -1. */
int proc_sys_find(const char *inside, bool *is_dir);
/* A /proc/sys file's text, or a directory's "T name\n" listing. */
char *proc_sys_text(int idx, size_t *len);

#endif
