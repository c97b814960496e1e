/* Signals: dispositions, pending set, and delivery into program handlers
 * by rewriting the interrupted context (core/signal.c). */
#ifndef GEODE_LIBOS_SIGNAL_H
#define GEODE_LIBOS_SIGNAL_H

#include "libos.h"

#define NSIG_ 64
#define SIGBIT(s) (1ULL << ((s) - 1))
#define SA_RESTART_ 0x10000000
#define SA_ONSTACK_ 0x08000000
#define SA_NODEFER_ 0x40000000
#define SA_RESETHAND_ 0x80000000
#define SA_RESTORER_ 0x04000000
#define SA_SIGINFO_ 4
#define SA_NOCLDWAIT_ 2

struct k_sigaction {
    uint64_t handler, flags, restorer, mask;
};

/* Process-wide dispositions (guarded by sig_lock). */
extern struct k_sigaction sig_actions[NSIG_ + 1];
extern spinlock_t sig_lock;

bool signal_has_handler(int sig);
bool signal_ignored(int sig);
/* True when the default action of sig is to do nothing. */
bool signal_default_ignored(int sig);

/* The process's pending set (bit SIGBIT(s) for signal s). */
uint64_t signal_pending_set(void);

/* True when a signal not in mask is pending. */
bool signal_pending_for(uint64_t mask);

/* Removes and returns one pending signal of set (0 if none): sigtimedwait. */
int signal_take(uint64_t set);

/* SIGCHLD is SIG_IGN or has SA_NOCLDWAIT: children that end are reaped
 * at once and never reported by wait (wait(2), "NOTES"). */
bool signal_child_autoreap(void);
/* A child ended while signal_child_autoreap(): reap it at the next safe
 * point (the next syscall's way out). */
void signal_reap_children_later(void);
/* A forked child starts with nothing pending (fork(2)): it drops the
 * signals of which (those pending in the parent at the fork). */
void signal_forget_pending(uint64_t which);
/* Marks sig pending for the process (kill, host signals), then tells
 * signal_raise_hook when one is set (sys/signalfd.c's readiness). */
void signal_raise(int sig);
extern void (*volatile signal_raise_hook)(int sig);

/* Called before returning to the program from a syscall whose result is
 * ret: delivers one pending unblocked signal by redirecting ctx to its
 * handler (restarting the syscall first for SA_RESTART). Returns true
 * when ctx now enters a handler. nr is the syscall number. */
bool signal_deliver_pending(struct pal_context *ctx, bool in_syscall, uint64_t nr, long *ret);

/* A synchronous fault in the program: enters its handler, or ends the
 * process with the default action. */
void signal_deliver_fault(struct pal_context *ctx, int sig, int code, uint64_t addr);

/* rt_sigreturn: restores ctx and the mask from the frame at ctx->rsp. */
long signal_return(struct pal_context *ctx);

#endif
