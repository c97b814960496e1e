/* vfork on the parent's own thread (sys/vfork.c). */
#ifndef GEODE_LIBOS_VFORK_H
#define GEODE_LIBOS_VFORK_H

#include "core/process.h"
#include "core/signal.h"

struct sc_args;

/* Whether clone's flags let the child run on the calling thread. */
bool vfork_can_defer(uint64_t flags);
/* Enters the child on the calling thread: the parent's context is kept,
 * the child gets copies of the process state it may change, and the
 * syscall is to return 0 to the child, on newsp when it is given. False
 * when another vfork child runs (the caller forks instead). */
bool vfork_begin(uint64_t flags, struct sc_args *args);
/* The dispositions the child's thread sees (a copy of the process's). */
extern struct k_sigaction vfork_child_actions[];
/* True when syscall nr with arguments a can run in the child on the
 * parent's thread; any other makes the child a process first. */
bool vfork_syscall_allowed(uint64_t nr, const uint64_t a[6]);
/* Makes the child a process of its own (a fork of this one, the child's
 * state current; for_exec: at exec's point of no return, when the
 * program's private memory is not copied, as the exec frees it).
 * Returns 0 in the new process, which goes on with what
 * the child was doing; in the parent, *ctx becomes the parent's context
 * at vfork, the child's copies are dropped, and the result is vfork's
 * (the child's id, or an error when no process could be made), which
 * the caller returns as its syscall's result (ctx->rax holds it too).
 * On the trap path or a fault's only: the PAL's fork copies the stack it
 * runs on, which the trampoline path's is not. */
long vfork_materialize(struct pal_context *ctx, bool for_exec);
/* exit or exit_group(code) of the child before it execs: where the PAL
 * makes a child that has already exited (process_exited_child), that is
 * the child's whole process and nothing is copied; the parent returns
 * from vfork with its id, as vfork_materialize's parent does. Otherwise
 * (or when that fails) vfork_materialize, and the new process exits. */
long vfork_exit(struct pal_context *ctx, int code);
/* sys/clone.c: pal->process_fork, and in the child the new process's
 * identity (pid, one thread, nothing pending that was the parent's).
 * The child's id or an error in the parent, 0 in the child. With skip
 * (a child that execs at once), pal->process_fork_exec where the PAL has
 * it: those pages are not copied. */
long fork_now(const struct pal_mem_range *skip, size_t n_skip);

#endif
