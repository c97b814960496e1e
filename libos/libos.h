/* Shared state of the libOS core: the PAL table, boot info, per-thread
 * state behind GS, and the process-wide settings from the manifest. */
#ifndef GEODE_LIBOS_H
#define GEODE_LIBOS_H

#include "lib/lib.h"
#include "pal.h"

extern const struct pal_boot *pal_boot_info;

/* Where a syscall resumes when the program handed it a bad pointer. */
struct libos_jmpbuf {
    uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};
/* Returns 0; returns 1 again when a fault in libOS code is recovered. */
__attribute__((returns_twice)) int libos_setjmp(struct libos_jmpbuf *jb);

#define MAX_HELD_LOCKS 4
#define MAX_DEFERRED_HOST 16

/* What a pending signal carries beyond its number, when its sender said
 * more than SI_USER (a POSIX timer: SI_TIMER, timer id and overrun in f0,
 * the sigev_value in f1, as Linux's siginfo _timer fields). */
struct signal_info {
    int code;
    uint64_t f0, f1;
};

/* Per-thread libOS state. GS points at it; the layout of the first three
 * fields is fixed because arch/entry.S reads them. */
struct libos_thread {
    struct libos_thread *self; /* gs:0 */
    uint64_t saved_rsp;        /* gs:8  program rsp while on the libOS stack */
    uint64_t stack_top;        /* gs:16 libOS stack for the trampoline path */
    uint64_t resume_rip;       /* gs:24 scratch for libos_resume_context */
    uint64_t pal_private[PAL_GS_PRIVATE_SIZE / 8]; /* gs:32 the PAL's (pal.h) */
    int tid;
    uint32_t *clear_child_tid;
    uint64_t sigmask;
    uint64_t saved_sigmask;    /* rt_sigsuspend: restored by the handler's return */
    bool has_saved_sigmask;
    struct libos_jmpbuf *recover; /* set while a syscall handler runs */
    void *held[MAX_HELD_LOCKS];   /* spinlocks held, released on recovery */
    int nheld;                    /* counted before the lock is taken, after it is freed */
    /* Host signals the PAL handed over while this thread held a spinlock
     * (entry/upcall.c): taken when it holds none (spin_unlock), as the
     * code the PAL interrupted may hold the very lock raising one takes.
     * Past MAX_DEFERRED_HOST, only their numbers (without siginfo). */
    struct {
        int signo;
        bool has_info;
        struct signal_info info;
    } deferred_host[MAX_DEFERRED_HOST];
    int ndeferred_host;
    uint64_t deferred_host_bits;
    uint64_t altstack_sp, altstack_size;
    int altstack_flags;
    uint32_t creds_gen; /* sys/creds.c: the credentials this host thread carries */
    /* Signals sent to this thread alone (tgkill, SIGEV_THREAD_ID timers);
     * the process's own pending set is in core/signal.c. */
    volatile uint64_t pending;
    /* A host SIGTTIN or SIGTTOU that this thread blocks came while it was
     * in a syscall (entry/upcall.c): the host's terminal refused it a
     * background read or write, which Linux fails with EIO. */
    bool tty_stop_blocked;
    /* sys/time.c: the host id of this thread (for its CPU-time clock read
     * by another thread), 0 until the thread has recorded it. */
    long host_tid;
    /* sys/signal.c: the set rt_sigtimedwait waits for (blocked, yet a
     * signal of it raised elsewhere wakes this thread). */
    volatile uint64_t sigwait;
};

_Static_assert(offsetof(struct libos_thread, pal_private) == PAL_GS_PRIVATE_OFFSET,
               "the PAL's words in the GS block");

static inline struct libos_thread *cur_thread(void)
{
    struct libos_thread *t;
    __asm__("mov %%gs:0, %0" : "=r"(t));
    return t;
}

/* True once GS points at thread state on every thread. */
extern bool libos_threads_ready;

/* core/lock.c: spinlocks that the calling thread remembers holding, so
 * that a syscall aborted by a bad program pointer (entry/syscall.c) can
 * release them. */
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
/* Around a lock of another kind (core/lock.c): host signals wait too. */
void lock_count_begin(void);
void lock_count_end(void);
/* core/fd.c: the descriptor table's lock, which fork holds across the
 * PAL's fork (sys/clone.c). */
spinlock_t *fd_fork_lock(void);
/* entry/upcall.c: the host signals deferred while this thread held locks. */
void signal_run_deferred_host(void);

/* Creates the state of the calling thread and points GS at it. */
struct libos_thread *thread_init_current(int tid);
/* Creates the state of a new thread (GS is set by the PAL's thread_create). */
struct libos_thread *thread_new(int tid);
/* The live thread with id tid, or NULL; the registry forgets a thread at
 * its exit, and a forked child keeps only its caller. */
struct libos_thread *thread_find(int tid);
/* Live thread tid blocks signal sig (1-64); false when there is none. */
bool thread_blocks(int tid, int sig);
/* The host id of a live thread other than except that would take signal
 * sig now (does not block it, or waits for it), 0 when none does. */
long thread_taker(int sig, const struct libos_thread *except);
void thread_forget(struct libos_thread *t);
/* Every other live thread gets pending_bit in its pending set and is
 * woken (thread_wake; up to 64 of them a call); the number of others. */
int thread_wake_others(uint64_t pending_bit);
/* A forked child: every thread but the caller is gone, and so are the
 * locks they held (or were about to take) at the fork. */
void thread_forget_others(void);
/* sys/proc.c: the calling thread ends (its id freed, its record
 * forgotten), clear_tid cleared and woken as CLONE_CHILD_CLEARTID; the
 * caller has taken it out of libos_thread_count. */
__attribute__((noreturn)) void thread_end(uint32_t *clear_tid);
/* sys/exec.c: called where a thread is about to deliver signals: a thread
 * other than one in execve ends here while that execve takes the process
 * (Linux's de_thread). */
void exec_end_if_other(void);
/* The process's ids: 1 and 0 for the first process; forked children
 * take the id the PAL gives them. */
extern int libos_pid, libos_ppid;

/* Live program threads; the last one to exit ends the process. */
extern volatile int libos_thread_count;

/* Continues the program from ctx on the calling thread (arch/entry.S). */
__attribute__((noreturn)) void libos_resume_context(const struct pal_context *ctx);

/* The longest path, with its NUL (Linux's PATH_MAX). */
#define PATH_MAX_LEN 4096

/* What uname(2) and /proc/sys/kernel tell the program. */
#define LIBOS_UTS_RELEASE "6.1.0-geode"
#define LIBOS_UTS_NODENAME "localhost" /* as Gramine; a name /etc/hosts resolves */
#define LIBOS_UTS_VERSION "#1 SMP Geode libOS"

/* Process-wide settings (from the manifest). */
struct libos_config {
    const char *exec_path;   /* libos.entrypoint, a path inside */
    bool syscall_rewrite;
    uint64_t stack_size, brk_max;
    uint32_t uid, gid;
    bool sigterm_injection; /* sys.enable_sigterm_injection */
    bool shm_untrusted;     /* sys.insecure__shared_memory_untrusted */
    bool eventfd_host;      /* sys.insecure__allow_eventfd */
    bool no_subprocesses;   /* sys.disallow_subprocesses */
    bool dns_conf;          /* sys.enable_extra_runtime_domain_names_conf */
    bool use_host_env;      /* loader.insecure__use_host_env */
};
extern struct libos_config libos_cfg;

/* Syscall traps (SIGSYS) taken so far, and sites rewritten. */
extern volatile uint64_t libos_trap_count, libos_rewrite_count;

/* Ends the process; status is the exit code, or 128 + signal. */
__attribute__((noreturn)) void libos_exit(int status);
/* The process ends by signal sig's default action: what the process
 * leaves behind is settled first (its SEM_UNDO adjustments), as
 * libos_exit does. */
__attribute__((noreturn)) void libos_die_by(int sig);

#endif
