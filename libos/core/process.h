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
/* A thread's own name (PR_SET_NAME, /proc/PID/task/TID/comm): the main
 * thread's is the process's; another starts with its creator's. */
void proc_set_thread_name(int tid, const char *name);
void proc_thread_name_copy(int tid, char out[16]);
void proc_thread_started(int creator, int tid);
/* The program's argument and environment strings on its initial stack
 * ([start, end), the kernel's arg_start..env_end), set by elf/stack.c. */
void proc_set_args(uint64_t arg_start, uint64_t arg_end, uint64_t env_start, uint64_t env_end);
/* arg_start, arg_end, env_start, env_end for i = 0..3. */
uint64_t proc_args(int i);

/* getrusage's user and system CPU time in ns (t[0], t[1]) of who:
 * RUSAGE_SELF 0, RUSAGE_THREAD 1, RUSAGE_CHILDREN -1 (the children waited
 * for, without those proc_wait_unaccounted reaped). 0 or -errno. */
long proc_rusage(int who, int64_t t[2]);
/* pal->process_wait for a child that Linux reaps without accounting its
 * times to the parent (SIGCHLD ignored, SA_NOCLDWAIT). */
long proc_wait_unaccounted(long target, int *status, int options);
/* In a forked child: it has no children's times yet (nor unaccounted ones). */
void proc_forked(void);

/* The thread a vfork child runs on, its parent's (sys/vfork.c), while it
 * does; NULL otherwise. */
extern struct libos_thread *vfork_child_thread;
/* True on that thread while the child runs there: it sees the child's
 * descriptors, working directory, umask and dispositions, every other
 * thread the process's. */
static inline bool vfork_child_active(void)
{
    return __builtin_expect(vfork_child_thread != NULL, 0) && cur_thread() == vfork_child_thread;
}

#endif
