/* Cancellable host calls (host_syscall.S's host_syscall_cp): the blocking
 * calls of the direct PAL, and of the SGX host's OCALL service, which a
 * wake of the calling thread ends with -EINTR, also when it came just
 * before the call. Shared by pal/direct and pal/sgx/urts. */
#ifndef GEODE_PAL_DIRECT_HOST_CP_H
#define GEODE_PAL_DIRECT_HOST_CP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* host_syscall for a call that may block: a wake of the thread (a host
 * signal, thread_wake) ends it with -EINTR, also one that came just before
 * it (host_syscall.S). flag: the thread's wake flag (direct_wake_flag()). */
long host_syscall_cp(volatile long *flag, long nr, long a1, long a2, long a3, long a4, long a5,
                     long a6);
extern char host_cp_begin[], host_cp_end[], host_cp_cancel[];

/* The calling thread's wake flag: in a direct run the first of the PAL's
 * words in the libOS's GS block (the second holds its address), from the
 * libOS's first set_gs_base on; in the SGX host a thread variable
 * (direct_wake_flag_use); before either, one word for all (a wake there
 * may end another thread's call once: a spurious EINTR, never a lost
 * wake of the thread that gets it). */
extern volatile long *(*direct_wake_flag)(void);
/* Sets up the PAL's words of a GS block the libOS hands over (the wake
 * flag and its address). */
void direct_gs_claim(void *gs_base);
/* GS points at such a block on every thread from now on. */
void direct_wake_flag_from_gs(void);
/* Ends a thread's blocking host call (thread_wake): ignored by default,
 * so a stray one from elsewhere harms nothing. The uRTS kicks with it too. */
#define DIRECT_WAKE_SIGNAL 23 /* SIGURG */
/* A signal one process of the program's tree sends another that the
 * receiving host process does not take as itself (the PALs forward only
 * some signals: SIGURG is the wake above, the fault signals and SIGSYS are
 * the PAL's own, and SIGPROF, SIGXCPU and the like would end it) travels
 * as DIRECT_WAKE_SIGNAL sent with rt_sigqueueinfo, its si_code naming the
 * signal and whether sigqueue sent it (si_value is then the program's).
 * The host merges a second one with a first not yet taken, as Linux
 * merges two of one standard signal. */
#define DIRECT_CARRY_BASE (-0x4000)
#define DIRECT_CARRY_QUEUED 0x100
static inline int direct_carry_code(int signo, bool queued)
{
    return DIRECT_CARRY_BASE - (queued ? DIRECT_CARRY_QUEUED : 0) - signo;
}
/* A carrier's siginfo made the signal it names, as kill or sigqueue sent
 * it, in *as: returns that signal (1-64), or 0 when si is not a carrier's
 * (a wake, or SIGURG from elsewhere). */
static inline int direct_uncarry(const siginfo_t *si, siginfo_t *as)
{
    int v = DIRECT_CARRY_BASE - si->si_code, signo = v & ~DIRECT_CARRY_QUEUED;
    if (v < 0 || v > (DIRECT_CARRY_QUEUED | 64) || signo < 1 || signo > 64)
        return 0;
    *as = *si;
    as->si_signo = signo;
    as->si_code = (v & DIRECT_CARRY_QUEUED) ? SI_QUEUE : SI_USER;
    return signo;
}
void direct_wake_flag_use(volatile long *(*fn)(void));
/* A wake came on the thread whose flag is flag, interrupting *rip: the
 * flag is set, and a rip about to make a cancellable call skips it. */
void direct_wake_mark(volatile long *flag, uint64_t *rip);

/* After a cancellable call on fd gave -EINTR: whether fd may block at all
 * (not a regular file, block device or directory, which Linux never
 * interrupts; the caller then makes the call again plainly). */
#include <stdbool.h>
bool direct_may_block(long fd);
/* openat(AT_FDCWD, ...) cancellable only where an open may block (a FIFO,
 * a device); returns the fd or -errno. */
long direct_cp_open(const char *path, int flags, uint32_t mode);

#define HC3(n, a, b, c)                                                                            \
    host_syscall_cp(direct_wake_flag(), (n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define HC4(n, a, b, c, d)                                                                         \
    host_syscall_cp(direct_wake_flag(), (n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define HC5(n, a, b, c, d, e)                                                                      \
    host_syscall_cp(direct_wake_flag(), (n), (long)(a), (long)(b), (long)(c), (long)(d),           \
                    (long)(e), 0)
#define HC6(n, a, b, c, d, e, f)                                                                   \
    host_syscall_cp(direct_wake_flag(), (n), (long)(a), (long)(b), (long)(c), (long)(d),           \
                    (long)(e), (long)(f))

#endif
