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
/* The job-control signals (signal(7)). */
#define SIGCONT_ 18
#define SIGSTOP_ 19
#define SIGTSTP_ 20
#define SIGTTIN_ 21
#define SIGTTOU_ 22

struct k_sigaction {
    uint64_t handler, flags, restorer, mask;
};

/* Process-wide dispositions (guarded by sig_lock). */
extern struct k_sigaction sig_actions[NSIG_ + 1];
extern spinlock_t sig_lock;

bool signal_has_handler(int sig);
/* Delivered now, sig would do nothing: SIG_IGN, or ignored by default with
 * no handler. */
bool signal_inert(int sig);
/* Sent now to thread tid (0: to the process), sig does nothing and is
 * discarded, as Linux does: 0, or a signal ignored (SIG_IGN, or ignored by
 * default with no handler) that the thread does not block. A blocked one
 * stays pending, for sigwait or a signalfd, since the disposition may
 * change before it is unblocked; a process's is judged by its main
 * thread, as Linux judges it by the group leader. */
bool signal_discarded(int sig, int tid);
/* The siginfo of sig taken with si, as a handler gets it: si_code and the
 * union's first two words (si_pid and si_uid, then si_value or si_status;
 * a SIGCHLD raised for a child is filled from its report). */
void signal_siginfo_fields(int sig, const struct signal_info *si, int32_t *code, uint64_t f[2]);
bool signal_ignored(int sig);
/* True when the default action of sig is to do nothing. */
bool signal_default_ignored(int sig);
/* True when the default action of sig is to stop the process. */
bool signal_default_stops(int sig);
/* After a change of sig's disposition (force: in a forked child): the
 * host ignores SIGTTIN and SIGTTOU when the program does (pal.h's
 * signal_host_ignore). Other signals: nothing. */
void signal_host_ignore_sync(int sig, bool force);
/* The default action of stop signal sig now: true once the process has
 * stopped and been continued (or could not stop), false when the PAL says
 * not now (the caller keeps the signal pending). */
bool signal_stop_now(int sig);
/* Takes sig's default action now: nothing, a stop until SIGCONT, or the
 * end of the process. */
void signal_default_action(int sig);

/* The pending set the calling thread sees: the process's and its own
 * (bit SIGBIT(s) for signal s). */
uint64_t signal_pending_set(void);

/* True when a signal not in mask is pending. */
bool signal_pending_for(uint64_t mask);

/* struct signal_info: libos.h (a thread keeps deferred ones). */

/* Removes and returns one pending signal of set (0 if none): sigtimedwait.
 * info (may be NULL) gets what the signal carries (code 0 when nothing). */
int signal_take(uint64_t set);
int signal_take_info(uint64_t set, struct signal_info *info);

/* SIGCHLD is SIG_IGN or has SA_NOCLDWAIT: children that end are reaped
 * at once and never reported by wait (wait(2), "NOTES"). */
bool signal_child_autoreap(void);
/* A child ended while signal_child_autoreap(): reap it at the next safe
 * point (the next syscall's way out). */
void signal_reap_children_later(void);
/* A wait status as SIGCHLD's si_code (CLD_EXITED, CLD_KILLED, CLD_DUMPED,
 * CLD_STOPPED, CLD_CONTINUED) and, in *st, its si_status. */
int signal_child_code(int status, int *st);
/* A wait reported child pid's new state (status): the siginfo of a
 * SIGCHLD raised before the wait took it, when no other child has one. */
void signal_child_reported(long pid, int status);
/* A forked child starts with nothing pending (fork(2)): it drops the
 * signals of which (those pending in the parent at the fork). */
void signal_forget_pending(uint64_t which);
/* Marks sig pending for the process (kill, host signals). Only atomics:
 * a host signal's upcall may run it while this thread is inside libOS
 * code holding a lock. signal_raise_hook (sys/signalfd.c's readiness) is
 * called for it later, from signal_run_deferred. */
void signal_raise(int sig);
/* Process 1 only (sys/pidns.c): where the copy of sig about to be pending
 * came from. One from another process of the tree is discarded when it is
 * taken without a handler, as Linux's init discards it. */
void signal_note_init_origin(int sig, bool from_inside);
/* sig, just taken, came from inside the tree to process 1: without a
 * handler it is discarded, as Linux's get_signal discards what a
 * namespace's init has no handler for (SIGKILL and SIGSTOP aside). Clears
 * the note. */
bool signal_init_discards(int sig);
extern void (*volatile signal_raise_hook)(int sig);
void signal_run_hooks(void);

/* Work a host signal's upcall leaves for a point where the thread holds no
 * libOS lock (entry/upcall.c): the libOS's timers (a host SIGALRM) and the
 * raise hooks. Run on the way out of every syscall, and by every check of
 * the pending set a waiting syscall makes. */
void signal_run_deferred(void);
/* signal_raise with what the signal carries (kept until it is taken): a
 * standard signal already pending drops the new one, a realtime signal
 * queues (each is delivered once, in the order sent). False when a
 * realtime signal finds the queue full (sigqueue's EAGAIN). */
bool signal_raise_info(int sig, const struct signal_info *info);
/* Whether timer's signal (SI_TIMER, si_tid timer) is still queued for the
 * process (tid 0) or for the thread tid (a timer's overrun); if so, and
 * update is not NULL, it now carries update (the new overrun count). */
bool signal_timer_queued(int sig, int tid, int timer, const struct signal_info *update);
/* Marks sig pending for the thread tid alone (tgkill, SIGEV_THREAD_ID);
 * false when the process has no such thread. */
bool signal_raise_thread(int tid, int sig, const struct signal_info *info);
/* A signal from outside the program's code (host signals, timers): its
 * default action at once when no handler takes it and this thread does
 * not block it, else pending (entry/upcall.c). info may be NULL. */
void signal_async(int sig, const struct signal_info *info);

/* Called before returning to the program from a syscall whose result is
 * ret: delivers one pending unblocked signal by redirecting ctx to its
 * handler (restarting the syscall first for SA_RESTART). Returns true
 * when ctx now enters a handler. nr is the syscall number. */
bool signal_deliver_pending(struct pal_context *ctx, bool in_syscall, uint64_t nr, long *ret);

/* A synchronous fault in the program: enters its handler, or ends the
 * process with the default action. */
void signal_deliver_fault(struct pal_context *ctx, int sig, int code, uint64_t addr);
/* The program's x87/SSE state at ctx as a 512-byte FXSAVE image (16-byte
 * aligned out): the PAL's copy when it has one, else the live registers
 * (the libOS never touches them); MXCSR's reserved bits cleared, so
 * FXRSTOR takes it. */
void signal_fp_legacy(const struct pal_context *ctx, uint8_t out[512]);

/* rt_sigreturn: restores ctx and the mask from the frame at ctx->rsp. */
long signal_return(struct pal_context *ctx);

#endif
