/* Small syscalls: resource usage, scheduling, personality, membarrier,
 * syslog, prctl's settings, CPU affinity, close_range, rt_sigsuspend. */
#include <linux/prctl.h>

#include "core/process.h"
#include "core/signal.h"
#include "fs/vfs.h"
#include "core/creds.h"
#include "sys/sys.h"
#include "sys/vfork.h"

/* getrusage(2): the user and system CPU time of the process, the thread
 * or the children waited for (core/process.c); the other counters are not
 * kept (zero). */
SYS(getrusage)
{
    int who = (int)A(0);
    int64_t t[2];
    if (who != 0 && who != -1 && who != 1)
        return -PAL_EINVAL; /* RUSAGE_SELF, _CHILDREN, _THREAD */
    int64_t *ru = PTR(1);
    memset(ru, 0, 144);
    if (proc_rusage(who, t) == 0)
        for (int i = 0; i < 2; i++) {
            ru[2 * i] = t[i] / 1000000000LL;
            ru[2 * i + 1] = t[i] % 1000000000LL / 1000;
        }
    return 0;
}

/* times(2): getrusage's times of the process and of its children, in
 * clock ticks of AT_CLKTCK = 100. */
SYS(times)
{
    int64_t ns = 0, self[2] = {0, 0}, kids[2] = {0, 0};
    pal->clock_get(1 /* CLOCK_MONOTONIC */, &ns);
    if (PTR(0)) {
        int64_t *tms = PTR(0);
        proc_rusage(0, self);
        proc_rusage(-1, kids);
        tms[0] = self[0] / 10000000, tms[1] = self[1] / 10000000;
        tms[2] = kids[0] / 10000000, tms[3] = kids[1] / 10000000;
    }
    return (long)(ns / 10000000);
}

/* CLOSE_RANGE_UNSHARE: the caller's own copy of the table first. A
 * process's threads share its one table in the libOS, so that is the
 * caller's own only when no other thread runs (a vfork child has its own
 * already); beside others it would close their descriptors too, which
 * Linux would not: refused instead, with a line in the log. */
SYS(close_range)
{
    if (A(0) > A(1) || (A(2) & ~6ULL /* CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE */))
        return -PAL_EINVAL;
    if ((A(2) & 2) && libos_thread_count > 1 && !vfork_child_active()) {
        log_warn("close_range with CLOSE_RANGE_UNSHARE beside %d other threads: their "
                 "descriptor table is the caller's (one per process here); refused (EINVAL)",
                 libos_thread_count - 1);
        return -PAL_EINVAL;
    }
    uint64_t hi = A(1) < FD_MAX ? A(1) : FD_MAX - 1;
    for (int fd = A(0) < FD_MAX ? fd_next((int)A(0)) : -1; fd >= 0 && (uint64_t)fd <= hi;
         fd = fd_next(fd + 1))
        (A(2) & 4) ? (void)fd_set_cloexec(fd, true) : (void)fd_close(fd);
    return 0;
}

/* unshare(2): what a process of one thread already has to itself (its
 * descriptor table, file system attributes, System V undo list) needs no
 * copy, so those flags succeed then; beside other threads the libOS,
 * which keeps them per process, cannot give the caller a copy of its own:
 * EINVAL with a warning. New namespaces are not made inside Geode: EPERM,
 * as for a process without CAP_SYS_ADMIN. */
#define CLONE_FS_ 0x200
#define CLONE_FILES_ 0x400
#define CLONE_SYSVSEM_ 0x40000
#define CLONE_NEWNS_ALL_ 0x7e020080ULL /* NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME */
SYS(unshare)
{
    /* CLONE_VM, CLONE_SIGHAND and CLONE_THREAD are Linux's no-ops for a
     * process of one thread too. */
    uint64_t flags = A(0), own = CLONE_FS_ | CLONE_FILES_ | CLONE_SYSVSEM_ | 0x100 | 0x800 | 0x10000;
    if (flags & ~(own | CLONE_NEWNS_ALL_))
        return -PAL_EINVAL;
    if (flags & CLONE_NEWNS_ALL_)
        return -PAL_EPERM;
    if ((flags & own) && libos_thread_count > 1 && !vfork_child_active()) {
        log_warn("unshare(%#lx) beside %d other threads: the libOS keeps one descriptor table "
                 "and file system state per process; refused (EINVAL)",
                 (unsigned long)flags, libos_thread_count - 1);
        return -PAL_EINVAL;
    }
    return 0;
}

SYS(pause)
{
    while (!signal_pending_for(cur_thread()->sigmask))
        pal->sleep(1000000000LL); /* cut short by the host signal */
    return -PAL_EINTR;
}

/* Waits with a temporary mask until a signal arrives; the handler's
 * sigreturn restores the mask from before the call. */
SYS(rt_sigsuspend)
{
    struct libos_thread *t = cur_thread();
    if (A(1) != 8)
        return -PAL_EINVAL;
    t->saved_sigmask = t->sigmask;
    t->has_saved_sigmask = true;
    t->sigmask = *(uint64_t *)PTR(0) & ~(SIGBIT(9) | SIGBIT(19));
    while (!signal_pending_for(t->sigmask))
        pal->sleep(1000000000LL); /* cut short by the host signal */
    return -PAL_EINTR;
}

/* Scheduling: every thread runs SCHED_OTHER, SCHED_BATCH or SCHED_IDLE.
 * The nice value and the policy are the host's where the PAL keeps them
 * (pal.h process_sched: other processes of the tree see them, a forked
 * child inherits them and SCHED_RESET_ON_FORK acts in the host); else
 * they are kept here, for this process alone (others: ESRCH). Real-time
 * policies are refused (EPERM, as without CAP_SYS_NICE): Geode cannot give
 * them. */
#define SCHED_OTHER_ 0
#define SCHED_FIFO_ 1
#define SCHED_RR_ 2
#define SCHED_BATCH_ 3
#define SCHED_IDLE_ 5
#define SCHED_DEADLINE_ 6
#define SCHED_RESET_ON_FORK_ 0x40000000
static int nice_value, sched_policy; /* sched_policy may carry SCHED_RESET_ON_FORK_ */

static bool self_pid(long pid) { return pid == 0 || pid == libos_pid || ns_own_id((int)pid); }

/* The PAL's process for pid: this process's own id for the caller (its
 * main thread), else pid. */
static long sched_proc(long pid)
{
    return self_pid(pid) ? (ns_enabled() ? libos_pid : 0) : pid;
}

static long get_nice(long pid, int *nice)
{
    if (pid < 0)
        return -PAL_ESRCH;
    if (!PAL_HAS(pal, process_sched)) {
        *nice = nice_value;
        return self_pid(pid) ? 0 : -PAL_ESRCH;
    }
    long r = pal->process_sched(sched_proc(pid), PAL_SCHED_GET_NICE, 0);
    if (r >= 0)
        *nice = 20 - (int)r;
    return r < 0 ? r : 0;
}

static long set_nice(long pid, int nice)
{
    if (!PAL_HAS(pal, process_sched)) {
        if (!self_pid(pid))
            return -PAL_ESRCH;
        nice_value = nice;
        return 0;
    }
    return pal->process_sched(sched_proc(pid), PAL_SCHED_SET_NICE, nice);
}

static long get_policy(long pid)
{
    if (!PAL_HAS(pal, process_sched))
        return self_pid(pid) ? sched_policy : -PAL_ESRCH;
    return pal->process_sched(sched_proc(pid), PAL_SCHED_GET_POLICY, 0);
}

/* PRIO_PROCESS names any process of the tree; PRIO_PGRP and PRIO_USER
 * only the caller's own group and user (as the caller alone). */
SYS(getpriority)
{
    int nice = 0;
    if (A(0) > 2)
        return -PAL_EINVAL;
    if (A(0) != 0 && !self_pid((int)A(1)))
        return -PAL_ESRCH;
    long r = get_nice(A(0) == 0 ? (int)A(1) : 0, &nice);
    return r < 0 ? r : 20 - nice; /* the syscall's encoding: 40..1 for nice -20..19 */
}

SYS(setpriority)
{
    int v = (int)A(2), cur = 0;
    if (A(0) > 2)
        return -PAL_EINVAL;
    if (A(0) != 0 && !self_pid((int)A(1)))
        return -PAL_ESRCH;
    long pid = A(0) == 0 ? (int)A(1) : 0;
    long r = get_nice(pid, &cur);
    if (r < 0)
        return r;
    v = v < -20 ? -20 : v > 19 ? 19 : v;
    struct creds_ids id;
    creds_ids(&id);
    if (v < cur && id.euid != 0)
        return -PAL_EACCES; /* raising priority needs CAP_SYS_NICE */
    return set_nice(pid, v);
}

static bool other_policy(int p)
{
    return p == SCHED_OTHER_ || p == SCHED_BATCH_ || p == SCHED_IDLE_;
}

/* SCHED_DEADLINE has no static priority either (its range is 0..0). */
static bool zero_priority_policy(int p)
{
    return other_policy(p) || p == SCHED_DEADLINE_;
}

SYS(sched_get_priority_max)
{
    int p = (int)A(0);
    return p == SCHED_FIFO_ || p == SCHED_RR_ ? 99 : zero_priority_policy(p) ? 0 : -PAL_EINVAL;
}

SYS(sched_get_priority_min)
{
    int p = (int)A(0);
    return p == SCHED_FIFO_ || p == SCHED_RR_ ? 1 : zero_priority_policy(p) ? 0 : -PAL_EINVAL;
}

SYS(sched_getscheduler)
{
    if ((int)A(0) < 0)
        return -PAL_EINVAL;
    return get_policy((int)A(0));
}

/* Every policy Geode gives has priority 0. */
SYS(sched_getparam)
{
    if ((int)A(0) < 0 || !PTR(1))
        return -PAL_EINVAL;
    long r = get_policy((int)A(0));
    if (r < 0)
        return r;
    *(int *)PTR(1) = 0;
    return 0;
}

static long set_sched(long pid, int policy, const int *param)
{
    if (pid < 0 || !param)
        return -PAL_EINVAL;
    int prio = *param;
    long r = get_policy(pid); /* ESRCH first */
    if (r < 0)
        return r;
    if (policy < 0)
        policy = (int)r; /* sched_setparam: the policy it has */
    int p = policy & ~SCHED_RESET_ON_FORK_;
    if (p == SCHED_FIFO_ || p == SCHED_RR_)
        return prio < 1 || prio > 99 ? -PAL_EINVAL : -PAL_EPERM;
    if (!other_policy(p) || prio != 0)
        return -PAL_EINVAL;
    if (PAL_HAS(pal, process_sched))
        return pal->process_sched(sched_proc(pid), PAL_SCHED_SET_POLICY, policy);
    sched_policy = policy;
    return 0;
}

SYS(sched_setscheduler)
{
    return (int)A(1) < 0 ? -PAL_EINVAL : set_sched((int)A(0), (int)A(1), PTR(2));
}
SYS(sched_setparam)
{
    return set_sched((int)A(0), -1, PTR(1));
}

/* sched_setattr(2): Linux's checks of struct sched_attr (its size: E2BIG
 * with the kernel's size written back), then the policy and the nice value
 * as sched_setscheduler and setpriority set them (EPERM for a lower nice
 * value without the capability); SCHED_FLAG_KEEP_POLICY, _KEEP_PARAMS and
 * _RESET_ON_FORK; the utilization clamps are accepted and not kept. */
SYS(sched_setattr)
{
    enum { VER0 = 48, VER1 = 56, RESET = 1, KEEP_POLICY = 8, KEEP_PARAMS = 0x10, UTIL = 0x60 };
    uint32_t *u = PTR(1);
    uint8_t attr[VER1] = {0};
    if (!u || (int)A(0) < 0 || A(2))
        return -PAL_EINVAL;
    uint32_t size = u[0] ? u[0] : VER0;
    bool too_big = size < VER0 || size > 4096;
    for (uint32_t i = VER1; !too_big && i < size; i++)
        too_big = ((const uint8_t *)u)[i] != 0;
    if (too_big) {
        u[0] = VER1;
        return -PAL_E2BIG;
    }
    memcpy(attr, u, size < VER1 ? size : VER1);
    uint32_t policy, prio;
    uint64_t flags;
    int32_t nice;
    memcpy(&policy, attr + 4, 4);
    memcpy(&flags, attr + 8, 8);
    memcpy(&nice, attr + 16, 4);
    memcpy(&prio, attr + 20, 4);
    if ((flags & UTIL) && size < VER1)
        return -PAL_EINVAL;
    nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
    if ((int)policy < 0)
        return -PAL_EINVAL;
    long cur = get_policy((int)A(0)); /* ESRCH */
    if (cur < 0)
        return cur;
    if (flags & KEEP_POLICY)
        policy = (uint32_t)(cur & ~SCHED_RESET_ON_FORK_);
    if (flags & ~(uint64_t)0x7f)
        return -PAL_EINVAL;
    int p = (int)policy;
    if (p == SCHED_FIFO_ || p == SCHED_RR_)
        return prio < 1 || prio > 99 ? -PAL_EINVAL : -PAL_EPERM;
    if (!other_policy(p) || prio != 0)
        return -PAL_EINVAL; /* SCHED_DEADLINE among them: not given */
    /* As Linux's __sched_setscheduler: with KEEP_POLICY the reset flag
     * stays as it was; with KEEP_PARAMS neither the policy nor the nice
     * value changes (only the reset flag). */
    int reset = flags & KEEP_POLICY ? (int)(cur & SCHED_RESET_ON_FORK_)
                                    : (flags & RESET ? SCHED_RESET_ON_FORK_ : 0);
    if (flags & KEEP_PARAMS)
        p = (int)(cur & ~SCHED_RESET_ON_FORK_);
    if (!(flags & KEEP_PARAMS)) {
        int now = 0;
        long r = get_nice((int)A(0), &now);
        struct creds_ids id;
        creds_ids(&id);
        if (r == 0 && nice < now && id.euid != 0)
            return -PAL_EPERM;
        r = r < 0 ? r : set_nice((int)A(0), nice);
        if (r < 0)
            return r;
    }
    int full = p | reset;
    if (PAL_HAS(pal, process_sched))
        return pal->process_sched(sched_proc((int)A(0)), PAL_SCHED_SET_POLICY, full);
    sched_policy = full;
    return 0;
}

/* sched_getattr(2): struct sched_attr of the process (56 bytes, Linux's
 * SCHED_ATTR_SIZE_VER1), size the smaller of it and the caller's. */
SYS(sched_getattr)
{
    enum { VER0 = 48, VER1 = 56 };
    uint32_t usize = (uint32_t)A(2);
    int nice = 0;
    if ((int)A(0) < 0 || !PTR(1) || usize < VER0 || usize > 4096 || A(3))
        return -PAL_EINVAL;
    long policy = get_policy((int)A(0));
    if (policy < 0)
        return policy;
    long r = get_nice((int)A(0), &nice);
    if (r < 0)
        return r;
    uint32_t attr[14] = {0};
    attr[0] = usize < VER1 ? usize : VER1;
    attr[1] = (uint32_t)(policy & ~SCHED_RESET_ON_FORK_);
    attr[2] = policy & SCHED_RESET_ON_FORK_ ? 1 /* SCHED_FLAG_RESET_ON_FORK */ : 0;
    attr[4] = (uint32_t)nice;
    attr[13] = 1024; /* sched_util_max: SCHED_CAPACITY_SCALE, no clamp */
    memcpy(PTR(1), attr, attr[0]);
    return 0;
}

SYS(sched_rr_get_interval)
{
    if ((int)A(0) < 0)
        return -PAL_EINVAL;
    long r = get_policy((int)A(0));
    if (r < 0)
        return r;
    int64_t *ts = PTR(1);
    ts[0] = 0;
    ts[1] = 100000000; /* the kernel's default round-robin slice */
    return 0;
}

/* personality(2): kept and reported; the flags (ADDR_NO_RANDOMIZE,
 * READ_IMPLIES_EXEC...) change nothing in Geode's address space. */
SYS(personality)
{
    static uint32_t persona;
    uint32_t old = persona;
    if ((uint32_t)A(0) != 0xffffffffu)
        persona = (uint32_t)A(0);
    return old;
}

/* membarrier(2): no command is offered (QUERY answers 0), so callers use
 * their fallback (ordinary fences). */
SYS(membarrier)
{
    if (A(0) == 0 /* MEMBARRIER_CMD_QUERY */)
        return A(1) ? -PAL_EINVAL : 0;
    return -PAL_EINVAL;
}

/* syslog(2): there is no kernel log to read inside Geode; the two queries
 * that need no privilege answer for an empty log. */
SYS(syslog)
{
    switch (A(0)) {
    case 9: /* SYSLOG_ACTION_SIZE_UNREAD */
        return 0;
    case 10: /* SYSLOG_ACTION_SIZE_BUFFER */
        return 0;
    default:
        return -PAL_EPERM;
    }
}

/* prctl options beyond names and KEEPCAPS (sys/proc.c): settings kept and
 * read back. The parent-death signal is the PAL's (the host's, in direct
 * mode; inside an enclave there is no parent process to die); dumpable
 * and the timer slack change nothing here; no_new_privs holds by itself
 * (set-user-ID bits are never honoured); CHILD_SUBREAPER only for process
 * 1, which adopts orphans anyway. Others: EINVAL, as for an option
 * this kernel does not know. */
/* prctl(PR_SET_PDEATHSIG)'s value; a forked child starts with none. */
static int pdeathsig;

/* Also the fork side of SCHED_RESET_ON_FORK (sched(7)): the child runs
 * SCHED_OTHER (a batch or idle policy stays), a negative nice value goes
 * to 0, and the flag is not inherited. */
void prctl_forked(void)
{
    pdeathsig = 0;
    if (!PAL_HAS(pal, process_sched) && (sched_policy & SCHED_RESET_ON_FORK_)) {
        sched_policy &= ~SCHED_RESET_ON_FORK_;
        if (nice_value < 0)
            nice_value = 0;
    }
}

long prctl_more(struct sc_args *args)
{
    static int dumpable = 1, no_new_privs, subreaper, thp_disable;
    static uint64_t timerslack = 50000;
    switch (A(0)) {
    case PR_SET_PDEATHSIG:
        if (A(1) > 64)
            return -PAL_EINVAL;
        if (PAL_HAS(pal, process_set_pdeathsig)) {
            long r = pal->process_set_pdeathsig((int)A(1));
            if (r < 0)
                return r;
        }
        pdeathsig = (int)A(1);
        return 0;
    case PR_GET_PDEATHSIG: *(int *)PTR(1) = pdeathsig; return 0;
    case PR_GET_DUMPABLE: return dumpable;
    case PR_SET_DUMPABLE:
        if (A(1) > 1)
            return -PAL_EINVAL;
        dumpable = (int)A(1);
        return 0;
    case PR_GET_TIMERSLACK: return (long)timerslack;
    case PR_SET_TIMERSLACK: timerslack = A(1) ? A(1) : 50000; return 0;
    case PR_SET_NO_NEW_PRIVS:
        if (A(1) != 1 || A(2) || A(3) || A(4))
            return -PAL_EINVAL;
        no_new_privs = 1;
        return 0;
    case PR_GET_NO_NEW_PRIVS: return A(1) || A(2) || A(3) || A(4) ? -PAL_EINVAL : no_new_privs;
    case PR_CAPBSET_READ: return A(1) > 40 ? -PAL_EINVAL : 1;
    case PR_SET_THP_DISABLE: /* kept: Geode maps no huge pages either way */
        if (A(2) || A(3) || A(4))
            return -PAL_EINVAL;
        thp_disable = A(1) != 0;
        return 0;
    case PR_GET_THP_DISABLE:
        return A(1) || A(2) || A(3) || A(4) ? -PAL_EINVAL : thp_disable;
    case PR_GET_TSC: /* rdtsc is never trapped */
        *(int *)PTR(1) = PR_TSC_ENABLE;
        return 0;
    case PR_GET_SECCOMP: /* no filter: seccomp(2) is not offered */
        return 0;
    case PR_GET_SECUREBITS: return creds_keepcaps(0, 0) ? 0x10 /* SECBIT_KEEP_CAPS */ : 0;
    case PR_SET_CHILD_SUBREAPER:
        /* Process 1 adopts every orphan of the namespace already (the
         * PAL's); another process asks the PAL (the host's subreaper). */
        if (libos_pid != 1) {
            if (!PAL_HAS(pal, process_set_subreaper))
                return A(1) ? -PAL_EINVAL : 0;
            long r = pal->process_set_subreaper(A(1) != 0);
            if (r < 0)
                return r;
        }
        subreaper = A(1) ? libos_pid : 0;
        return 0;
    case PR_GET_CHILD_SUBREAPER: /* not inherited across fork */
        *(int *)PTR(1) = subreaper != 0 && subreaper == libos_pid;
        return 0;
    default: return -PAL_EINVAL;
    }
}

/* System administration (mounts, time setting, modules, reboot, host
 * name, raw I/O ports, namespaces, BPF...): the program's root is not the
 * host's, and none of it reaches the host: EPERM, as for a process
 * without the capability (docs/syscalls.md lists them). */
SYS(eperm) { return -PAL_EPERM; }
