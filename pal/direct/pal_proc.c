/* Direct PAL: processes of the program's tree (fork, wait, signals, groups,
 * sessions, thread ids), every id translated through the pid namespace
 * (pidns.h): the libOS hands in virtual ids and gets virtual ids back, and
 * only host pids found in the table are ever passed to the host. */
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "host.h"
#include "pidns.h"

/* Processes in direct mode (fork/exec of a new libOS instance) are not
 * implemented yet; the libOS reports ENOSYS to the program. */
static long direct_process_create(const uint8_t *m, size_t len, const char *const *argv,
                                  pal_handle *out)
{
    (void)m, (void)len, (void)argv, (void)out;
    return -PAL_ENOSYS;
}

/* The process entry standing for id: a thread id stands for its process.
 * NULL when there is none, or while its fork has not returned. */
static struct ns_entry *process_of(int32_t id)
{
    struct ns_entry *e = pidns_find(id);
    if (e && e->kind == NS_THREAD)
        e = pidns_find(e->owner);
    return e && e->kind == NS_PROCESS && e->host > 0 ? e : NULL;
}

/* A host fork: the child is a copy of this process with only the calling
 * thread. Its id is taken before the fork so that the child knows it at
 * once; the entry gets its host pid from whichever side runs first. SUD is
 * per task and copy_process() does not carry it over, so the child switches
 * it on again before returning into the libOS. */
static long direct_process_fork(void)
{
    pidns_lock();
    const struct ns_entry *me = pidns_self();
    struct ns_entry *e = pidns_new(NS_PROCESS, 0);
    if (e) {
        e->pgid = me->pgid, e->sid = me->sid, e->hpgid = me->hpgid;
    }
    pidns_unlock();
    if (!e)
        return -PAL_EAGAIN;
    /* Host signals wait until the child knows its id: one arriving before
     * would be judged by the parent's (process 1 ignores some). */
    uint64_t all = ~((1ULL << (SIGSYS - 1)) | (1ULL << (SIGSEGV - 1)) | (1ULL << (SIGBUS - 1)) |
                     (1ULL << (SIGFPE - 1)) | (1ULL << (SIGILL - 1)) | (1ULL << (SIGTRAP - 1)));
    uint64_t old = 0;
    HS4(SYS_rt_sigprocmask, SIG_BLOCK, &all, &old, 8);
    long r = HS5(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (r == 0)
        pidns_child_start(e);
    HS4(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, 8);
    if (r == 0) {
        if (direct_sud_enable() < 0) {
            direct_log_str("geode: fork: cannot enable syscall trapping in the child\n");
            HS1(SYS_exit_group, 127);
        }
        return 0;
    }
    if (r < 0) {
        pidns_lock();
        pidns_remove(e);
        pidns_unlock();
        return r;
    }
    __atomic_store_n(&e->host, (int32_t)r, __ATOMIC_RELEASE);
    return e->id;
}

/* A fork for a child that execs at once: the ranges' pages are left out
 * of the host fork (MADV_DONTFORK), so their page tables are not copied;
 * the parent gets them back (MADV_DOFORK: the libOS never sets
 * MADV_DONTFORK on the host itself). Best effort: a range the host
 * refuses is copied as a plain fork would. */
static long direct_process_fork_exec(const struct pal_mem_range *skip, size_t n)
{
    for (size_t i = 0; i < n; i++)
        HS3(SYS_madvise, skip[i].addr, skip[i].len, MADV_DONTFORK);
    long r = direct_process_fork();
    if (r != 0)
        for (size_t i = 0; i < n; i++)
            HS3(SYS_madvise, skip[i].addr, skip[i].len, MADV_DOFORK);
    return r;
}

/* Which host children a wait for child (virtual: -1, pid, 0, -pgid) means. */
static long wait_target(pal_handle child, int *idtype, int *id)
{
    *idtype = child == -1 ? P_ALL : child > 0 ? P_PID : P_PGID;
    *id = 0;
    if (child == -1 || child == 0)
        return 0;
    long r = -PAL_ECHILD;
    pidns_lock();
    for (int i = 0; i < pidns_slots() && r < 0; i++) {
        const struct ns_entry *e = pidns_slot(i);
        if (!e->id || e->kind != NS_PROCESS || e->host <= 0)
            continue;
        if (child > 0 && e->id == child)
            *id = e->host, r = 0;
        else if (child < -1 && e->pgid == -child)
            *id = e->hpgid, r = 0;
    }
    pidns_unlock();
    return r;
}

static int wait_status(const siginfo_t *si)
{
    switch (si->si_code) {
    case CLD_EXITED: return (si->si_status & 0xff) << 8;
    case CLD_KILLED: return si->si_status & 0x7f;
    case CLD_DUMPED: return (si->si_status & 0x7f) | 0x80;
    case CLD_CONTINUED:
        return 0xffff;
    default: return ((si->si_status & 0xff) << 8) | 0x7f; /* CLD_STOPPED */
    }
}

/* The waitid flag that takes the report si describes. */
static int report_kind(const siginfo_t *si)
{
    return si->si_code == CLD_STOPPED     ? WSTOPPED
           : si->si_code == CLD_CONTINUED ? WCONTINUED
                                          : WEXITED;
}

/* Takes the report of host child pid found by a WNOWAIT wait: under the
 * lock, so that its entry goes away together with the host pid and no
 * signal can be sent to the pid once it may be reused. Returns the child's
 * id, or 0 when another thread took the report first. */
static long take_report(pid_t pid, int kind, int *status)
{
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    pidns_lock();
    struct ns_entry *e = pidns_find_host(pid);
    long id = e ? e->id : 0;
    long r = HS5(SYS_waitid, P_PID, pid, &si, kind | WNOHANG, NULL);
    if (r == 0 && si.si_pid == pid) {
        *status = wait_status(&si);
        if (e && kind == WEXITED)
            pidns_remove(e);
    } else {
        id = 0;
    }
    pidns_unlock();
    return id;
}

/* WNOWAIT: the child's id and status, the child left as it is. */
static long peek_report(const siginfo_t *si, int *status)
{
    pidns_lock();
    struct ns_entry *e = pidns_find_host(si->si_pid);
    long id = e ? e->id : 0;
    pidns_unlock();
    if (id)
        *status = wait_status(si);
    return id;
}

static long direct_process_wait(pal_handle child, int *status, int options)
{
    int idtype, id, flags = WNOWAIT | (options & WNOHANG);
    if (!(options & PAL_WAIT_NO_EXITED))
        flags |= WEXITED;
    if (options & WUNTRACED)
        flags |= WSTOPPED;
    if (options & WCONTINUED)
        flags |= WCONTINUED;
    long r = wait_target(child, &idtype, &id);
    while (r == 0) {
        siginfo_t si;
        memset(&si, 0, sizeof(si));
        r = (flags & WNOHANG) ? HS5(SYS_waitid, idtype, id, &si, flags, NULL)
                              : HC5(SYS_waitid, idtype, id, &si, flags, NULL);
        if (r < 0 || si.si_pid == 0)
            return r;
        r = (options & WNOWAIT) ? peek_report(&si, status)
                                : take_report(si.si_pid, report_kind(&si), status);
        /* A host child outside the namespace (an enclave pool member of
         * the SGX host, urts_pool.c) is reaped, never reported, and the
         * wait goes on (take_report reaped it already without WNOWAIT). */
        if (r == 0 && (options & WNOWAIT))
            take_report(si.si_pid, report_kind(&si), status);
    }
    return r;
}

/* Which host signals reach the libOS: the direct PAL's, or those of the
 * host that serves these calls for an enclave (direct_proc_use_forwarded). */
static int (*forwarded)(int sig) = direct_signal_forwarded;

void direct_proc_use_forwarded(int (*fn)(int sig)) { forwarded = fn; }

/* A signal the receiving host does not forward as itself, as its carrier
 * (host_cp.h): this process's host pid and uid as the kernel would put
 * them, so that the receiver knows the sender (signal_sender). */
static long send_carried(int32_t host, int signo, bool queued, uint64_t value)
{
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    si.si_signo = DIRECT_WAKE_SIGNAL;
    si.si_code = direct_carry_code(signo, queued);
    si.si_pid = (pid_t)HS0(SYS_getpid);
    si.si_uid = (uid_t)HS0(SYS_getuid);
    memcpy(&si.si_value, &value, sizeof(si.si_value));
    return HS3(SYS_rt_sigqueueinfo, host, DIRECT_WAKE_SIGNAL, &si);
}

/* SIGKILL and SIGSTOP go as themselves (the host acts on them), and
 * process 1 ignores them from another process of the tree, as a Linux
 * namespace's init; every other signal reaches the receiver's libOS,
 * which ignores what init has no handler for. */
static long signal_one(const struct ns_entry *p, int signo)
{
    if (signo == SIGKILL || signo == SIGSTOP) {
        if (p->id == 1 && pidns_self()->id != 1)
            return 0;
    } else if (signo != 0 && !forwarded(signo)) {
        return send_carried(p->host, signo, false, 0);
    }
    return HS2(SYS_kill, p->host, signo);
}

static bool signal_matches(const struct ns_entry *e, pal_handle proc)
{
    const struct ns_entry *me = pidns_self();
    if (proc == 0)
        return e->hpgid == me->hpgid;
    if (proc == -1)
        return e != me && e->id != 1;
    return e->pgid == -proc;
}

/* Nice value and policy on the host: of the calling thread, or of the
 * main thread of a process of the tree (the host pid, found under the
 * lock: it cannot be reaped and reused meanwhile). */
static long direct_process_sched(pal_handle proc, int op, int value)
{
    struct sched_param param = {0};
    int policy = value & ~SCHED_RESET_ON_FORK;
    if (op < PAL_SCHED_GET_NICE || op > PAL_SCHED_SET_POLICY || proc < 0 ||
        (op == PAL_SCHED_SET_POLICY && policy != SCHED_OTHER && policy != SCHED_BATCH &&
         policy != SCHED_IDLE))
        return -PAL_EINVAL;
    pidns_lock();
    int32_t host = 0;
    if (proc > 0) {
        const struct ns_entry *e = process_of((int32_t)proc);
        if (!e) {
            pidns_unlock();
            return -PAL_ESRCH;
        }
        host = e->host;
    }
    long r;
    switch (op) {
    case PAL_SCHED_GET_NICE:
        r = HS2(SYS_getpriority, PRIO_PROCESS, host);
        break;
    case PAL_SCHED_SET_NICE:
        r = HS3(SYS_setpriority, PRIO_PROCESS, host, value);
        break;
    case PAL_SCHED_GET_POLICY:
        r = HS1(SYS_sched_getscheduler, host);
        break;
    default:
        r = HS3(SYS_sched_setscheduler, host, value, &param);
        break;
    }
    pidns_unlock();
    return r;
}

/* The host's subreaper: the host reparents orphans and host getppid
 * follows (process_parent). Process 1 stays the host's subreaper. */
static long direct_set_subreaper(int on)
{
    if (on != 0 && on != 1)
        return -PAL_EINVAL;
    if (pidns_self() && pidns_self()->id == 1)
        return 0;
    return HS2(SYS_prctl, PR_SET_CHILD_SUBREAPER, on);
}

/* The host's affinity of a thread: a process's main thread (its host
 * pid, found under the lock), or a thread of this process (checked to be
 * one: tgkill with signal 0). */
static long direct_thread_affinity(pal_handle proc, long host_tid, int set, uint64_t *mask)
{
    long host = host_tid, r;
    pid_t me = (pid_t)HS0(SYS_getpid);
    if (proc < 0 || host_tid < 0)
        return -PAL_ESRCH;
    pidns_lock();
    if (proc > 0) {
        const struct ns_entry *e = process_of((int32_t)proc);
        host = e ? e->host : -1;
    } else if (host_tid > 0 && HS3(SYS_tgkill, me, host_tid, 0) < 0) {
        host = -1;
    }
    if (host < 0)
        r = -PAL_ESRCH;
    else if (set)
        r = HS3(SYS_sched_setaffinity, host, PAL_AFFINITY_BYTES, mask);
    else {
        memset(mask, 0, PAL_AFFINITY_BYTES);
        r = HS3(SYS_sched_getaffinity, host, PAL_AFFINITY_BYTES, mask);
        r = r < 0 ? r : 0;
    }
    pidns_unlock();
    return r;
}

/* sigqueue to a process of the tree: the host's rt_sigqueueinfo, with this
 * process's host pid and uid as the kernel would put them (the receiver's
 * PAL turns the pid into an id: signal_sender). Under the lock, as a
 * kill. */
static long direct_process_sigqueue(pal_handle proc, int signo, int code, uint64_t value)
{
    siginfo_t si;
    if (code >= 0 || code == SI_TKILL || signo < 1 || signo > 64)
        return -PAL_EPERM;
    memset(&si, 0, sizeof(si));
    si.si_signo = signo;
    si.si_code = code;
    si.si_pid = (pid_t)HS0(SYS_getpid);
    si.si_uid = (uid_t)HS0(SYS_getuid);
    memcpy(&si.si_value, &value, sizeof(si.si_value));
    pidns_lock();
    pidns_check_root();
    const struct ns_entry *e = proc > 0 ? process_of((int32_t)proc) : NULL;
    bool carry = !forwarded(signo) && signo != SIGKILL && signo != SIGSTOP;
    long r = !e      ? -PAL_ESRCH
             : carry ? send_carried(e->host, signo, true, value)
                     : HS3(SYS_rt_sigqueueinfo, e->host, signo, &si);
    pidns_unlock();
    return r;
}

static long direct_process_signal(pal_handle proc, int signo)
{
    long r = -PAL_ESRCH;
    int sent = 0;
    pidns_lock();
    pidns_check_root();
    if (proc > 0) {
        const struct ns_entry *p = process_of((int32_t)proc);
        r = p ? signal_one(p, signo) : -PAL_ESRCH;
    } else {
        for (int i = 0; i < pidns_slots(); i++) {
            const struct ns_entry *e = pidns_slot(i);
            if (!e->id || e->kind != NS_PROCESS || e->host <= 0 || !signal_matches(e, proc))
                continue;
            long one = signal_one(e, signo);
            sent += one == 0;
            if (one < 0)
                r = one;
        }
    }
    pidns_unlock();
    return sent ? 0 : r;
}

static long direct_process_id(void) { return pidns_self()->id; }

static long direct_process_parent(void)
{
    return pidns_peek_host((int32_t)HS0(SYS_getppid));
}

static long direct_thread_id_alloc(void)
{
    pidns_lock();
    const struct ns_entry *e = pidns_new(NS_THREAD, pidns_self()->id);
    long id = e ? e->id : -PAL_EAGAIN;
    pidns_unlock();
    return id;
}

static void direct_thread_id_free(pal_handle id)
{
    pidns_lock();
    struct ns_entry *e = pidns_find((int32_t)id);
    if (e && e->kind == NS_THREAD && e->owner == pidns_self()->id)
        pidns_remove(e);
    pidns_unlock();
}

static long direct_id_owner(pal_handle id)
{
    pidns_lock();
    const struct ns_entry *e = pidns_find((int32_t)id);
    long r = e ? e->owner : -PAL_ESRCH;
    pidns_unlock();
    return r;
}

/* A host pidfd on a process of the tree; pidfd_open(2) refuses a thread
 * id that is not a process (EINVAL), as Linux does without PIDFD_THREAD. */
static long direct_process_open(pal_handle id, pal_handle *out)
{
    pidns_lock();
    pidns_check_root();
    const struct ns_entry *e = pidns_find((int32_t)id);
    long r = !e ? -PAL_ESRCH : e->kind != NS_PROCESS ? -PAL_EINVAL : e->host <= 0 ? -PAL_ESRCH
             : HS2(SYS_pidfd_open, e->host, 0);
    pidns_unlock();
    if (r >= 0)
        *out = r;
    return r < 0 ? r : 0;
}

void direct_fill_proc(struct pal_api *api)
{
    api->process_create = direct_process_create;
    api->process_fork = direct_process_fork;
    api->process_fork_exec = direct_process_fork_exec;
    api->process_wait = direct_process_wait;
    api->process_signal = direct_process_signal;
    api->process_sched = direct_process_sched;
    api->process_set_subreaper = direct_set_subreaper;
    api->thread_affinity = direct_thread_affinity;
    api->process_sigqueue = direct_process_sigqueue;
    api->process_id = direct_process_id;
    api->process_parent = direct_process_parent;
    api->thread_id_alloc = direct_thread_id_alloc;
    api->thread_id_free = direct_thread_id_free;
    api->id_owner = direct_id_owner;
    api->process_open = direct_process_open;
    direct_fill_groups(api);
    direct_fill_procinfo(api);
}
