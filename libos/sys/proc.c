/* Process and thread identity, limits, uname, arch_prctl, exit. The
 * first process is pid 1 in its own namespace, as under Gramine: ids are
 * those of the PAL's pid namespace (sys/pidns.c). */
#include <asm/prctl.h>
#include <linux/prctl.h>
#include <linux/resource.h>
#include <linux/utsname.h>

#include "core/mm.h"
#include "core/vma.h"
#include "core/process.h"
#include "core/creds.h"
#include "fs/vfs.h"
#include "sys/sys.h"

/* The process ends: MAP_SHARED file pages reach their files, as the
 * kernel's page cache would see to on Linux. */
__attribute__((noreturn)) static void exit_process(int status)
{
    vma_sync(0, 1ULL << 47);
    sysv_shm_detach_all();
    libos_exit(status);
}

SYS(exit_group) { exit_process((int)(A(0) & 0xff)); }

/* Ends the calling thread; the last thread's exit ends the process. The
 * thread's libOS state is not reclaimed yet (its stack may still be in use
 * until the PAL has switched away from it). */
SYS(exit)
{
    if (__atomic_sub_fetch(&libos_thread_count, 1, __ATOMIC_SEQ_CST) == 0)
        exit_process((int)(A(0) & 0xff));
    thread_end(cur_thread()->clear_child_tid);
}

void thread_end(uint32_t *clear_tid)
{
    ns_tid_free(cur_thread()->tid);
    thread_forget(cur_thread());
    pal->thread_exit(clear_tid);
}

SYS(getpid) { return libos_pid; }
/* The parent can end before us: its children are then process 1's, which
 * only the PAL's namespace knows. */
SYS(getppid)
{
    if (vfork_child_active()) /* on its parent's thread (sys/vfork.c) */
        return libos_pid;
    /* The namespace's process 1 has its parent outside: 0, for good (a
     * process no one can reparent). Any other asks the host, which knows
     * whether its parent died and it was reparented. */
    if (libos_pid == 1)
        return 0;
    return PAL_HAS(pal, process_parent) ? pal->process_parent() : libos_ppid;
}
SYS(gettid) { return cur_thread()->tid; }
SYS(uname)
{
    struct new_utsname *u = PTR(0);
    memset(u, 0, sizeof(*u));
    memcpy(u->sysname, "Linux", 6);
    memcpy(u->nodename, etc_conf_hostname(), strlen(etc_conf_hostname()) + 1);
    memcpy(u->release, LIBOS_UTS_RELEASE, sizeof(LIBOS_UTS_RELEASE));
    memcpy(u->version, LIBOS_UTS_VERSION, sizeof(LIBOS_UTS_VERSION));
    memcpy(u->machine, "x86_64", 7);
    memcpy(u->domainname, "(none)", 7);
    return 0;
}

SYS(arch_prctl)
{
    switch (A(0)) {
    case ARCH_SET_FS: return pal->set_fs_base(PTR(1));
    case ARCH_GET_FS: return pal->get_fs_base(PTR(1));
    case ARCH_SET_GS:
    case ARCH_GET_GS: return -PAL_EPERM; /* GS belongs to the libOS */
    default: return -PAL_EINVAL;
    }
}

SYS(set_tid_address)
{
    cur_thread()->clear_child_tid = PTR(0);
    return cur_thread()->tid;
}

SYS(set_robust_list) { return A(1) == 24 ? 0 : -PAL_EINVAL; }
SYS(rseq) { return -PAL_ENOSYS; }

/* The process's resource limits: kept and reported as set (a forked child
 * inherits them), checked as Linux checks them (rlim_cur <= rlim_max;
 * raising rlim_max needs euid 0; RLIMIT_NOFILE at most nr_open, the
 * descriptor table's FD_MAX). RLIMIT_NOFILE is enforced (new descriptors
 * below its soft limit: core/fd.c); the others no more than the libOS
 * enforces anyway (the stack the manifest sizes). */
static struct rlimit64 limits[RLIM_NLIMITS];
static bool limits_set;
static spinlock_t limits_lock;

static void limits_init(void)
{
    if (limits_set)
        return;
    for (unsigned r = 0; r < RLIM_NLIMITS; r++)
        limits[r].rlim_cur = limits[r].rlim_max = RLIM64_INFINITY;
    limits[RLIMIT_STACK].rlim_cur = libos_cfg.stack_size;
    limits[RLIMIT_NOFILE].rlim_cur = limits[RLIMIT_NOFILE].rlim_max = (uint64_t)fd_get_limit();
    limits_set = true;
}

/* getrlimit/setrlimit/prlimit64 on this process: old (may be NULL) gets
 * the limit before new (may be NULL) is applied. */
static long rlimit(unsigned res, const struct rlimit64 *new, struct rlimit64 *old)
{
    struct rlimit64 n = {0}, o;
    if (res >= RLIM_NLIMITS)
        return -PAL_EINVAL;
    if (new) {
        n = *new; /* a bad pointer faults: EFAULT */
        if (n.rlim_cur > n.rlim_max)
            return -PAL_EINVAL;
    }
    struct creds_ids ids;
    creds_ids(&ids);
    long r = 0;
    spin_lock(&limits_lock);
    limits_init();
    o = limits[res];
    if (new && n.rlim_max > o.rlim_max && ids.euid != 0)
        r = -PAL_EPERM;
    else if (new && res == RLIMIT_NOFILE && n.rlim_max > FD_MAX)
        r = -PAL_EPERM; /* above /proc/sys/fs/nr_open */
    else if (new)
        limits[res] = n;
    if (r == 0 && new && res == RLIMIT_NOFILE)
        fd_set_limit(n.rlim_cur);
    spin_unlock(&limits_lock);
    if (r == 0 && old)
        *old = o; /* a bad pointer faults: EFAULT */
    return r;
}

SYS(prlimit64)
{
    if (A(0) != 0 && (int)A(0) != libos_pid)
        return -PAL_ESRCH;
    return rlimit((unsigned)A(1), PTR(2), PTR(3));
}

SYS(getrlimit) { return rlimit((unsigned)A(0), NULL, PTR(1)); }

static long set_limit(unsigned res, const struct rlimit64 *new)
{
    if (!new)
        return -PAL_EFAULT;
    return rlimit(res, new, NULL);
}

SYS(setrlimit) { return set_limit((unsigned)A(0), PTR(1)); }

SYS(sysinfo)
{
    uint64_t *p = PTR(0);
    memset(p, 0, 112); /* struct sysinfo on x86-64 */
    int64_t ns = 0;
    pal->clock_get(1 /* CLOCK_MONOTONIC */, &ns);
    p[0] = (uint64_t)(ns / 1000000000);
    /* Memory as /proc/meminfo tells it (the brk reservation), less what the
     * program has mapped; the process's threads as procs; mem_unit 1. */
    uint64_t vsize, accessible;
    vma_totals(&vsize, &accessible);
    uint64_t total = libos_cfg.brk_max;
    p[4] = total;                                       /* totalram */
    p[5] = accessible < total ? total - accessible : 0; /* freeram */
    ((uint16_t *)p)[40] = (uint16_t)libos_thread_count; /* procs, at byte 80 */
    ((uint32_t *)p)[26] = 1;                            /* mem_unit, at byte 104 */
    return 0;
}

SYS(prctl)
{
    char name[16] = {0};
    static int dumpable = 1; /* SUID_DUMP_USER; no core dumps are written either way */
    switch (A(0)) {
    case PR_SET_DUMPABLE: return A(1) > 1 ? -PAL_EINVAL : (dumpable = (int)A(1), 0);
    case PR_GET_DUMPABLE: return dumpable;
    case PR_SET_NAME:
        memcpy(name, PTR(1), 15);
        proc_set_thread_name(cur_thread()->tid, name);
        return 0;
    case PR_GET_NAME:
        proc_thread_name_copy(cur_thread()->tid, name);
        memcpy(PTR(1), name, 16);
        return 0;
    case PR_GET_KEEPCAPS: return creds_keepcaps(0, 0);
    case PR_SET_KEEPCAPS: return creds_keepcaps(1, A(1));
    default: return prctl_more(args);
    }
}

/* CPU affinity: the host's, of each thread (pal.h thread_affinity), where
 * the PAL keeps it; else one mask for the process, kept here. Either way
 * it starts as every CPU the PAL reports and holds only those. */
#define AFFINITY_WORDS (PAL_AFFINITY_BYTES / 8)
static uint64_t affinity[AFFINITY_WORDS];
static bool affinity_set;

static uint32_t cpu_count(void)
{
    uint32_t n = pal_boot_info->cpu_count;
    return n < 1 ? 1 : n > 64 * AFFINITY_WORDS ? 64 * AFFINITY_WORDS : n;
}

static bool affinity_pid(long pid)
{
    return pid == 0 || pid == libos_pid || ns_own_id((int)pid);
}

/* The PAL's target for pid: a thread of this process by its host id
 * (pid 0: the caller), else a process of the tree. */
static long affinity_target(long pid, long *proc, long *host_tid)
{
    struct libos_thread *t = pid == 0 ? cur_thread() : thread_find((int)pid);
    *proc = 0;
    if (pid < 0)
        return -PAL_ESRCH;
    if (t) {
        *host_tid = t->host_tid ? t->host_tid : t == cur_thread() ? pal->thread_id() : 0;
        return *host_tid > 0 ? 0 : -PAL_ESRCH;
    }
    *proc = pid;
    *host_tid = 0;
    return 0;
}

/* Only CPUs that exist; false when none is left. */
static bool affinity_clip(uint64_t mask[AFFINITY_WORDS])
{
    uint32_t n = cpu_count();
    bool any = false;
    for (uint32_t w = 0; w < AFFINITY_WORDS; w++) {
        uint64_t exists = n >= 64 * (w + 1) ? ~0ULL : n > 64 * w ? (1ULL << (n - 64 * w)) - 1 : 0;
        mask[w] &= exists;
        any |= mask[w] != 0;
    }
    return any;
}

static long affinity_get(long pid, uint64_t mask[AFFINITY_WORDS])
{
    long proc, tid;
    memset(mask, 0, PAL_AFFINITY_BYTES);
    if (PAL_HAS(pal, thread_affinity)) {
        long r = affinity_target(pid, &proc, &tid);
        if (r == 0)
            r = pal->thread_affinity(proc, tid, 0, mask);
        if (r < 0)
            return r;
        if (!affinity_clip(mask))
            mask[0] = 1; /* the host's CPUs are not the ones reported: CPU 0 */
        return 0;
    }
    if (!affinity_pid(pid))
        return -PAL_ESRCH;
    for (uint32_t i = 0; i < cpu_count(); i++)
        if (!affinity_set || (affinity[i / 64] >> (i % 64) & 1))
            mask[i / 64] |= 1ULL << (i % 64);
    return 0;
}

SYS(sched_getaffinity)
{
    uint32_t n = cpu_count();
    size_t bytes = ALIGN_UP((n + 7) / 8, 8);
    uint64_t mask[AFFINITY_WORDS];
    if (A(1) < bytes || (A(1) & 7))
        return -PAL_EINVAL;
    long r = affinity_get((int)A(0), mask);
    if (r < 0)
        return r;
    memcpy(PTR(2), mask, bytes);
    return (long)bytes;
}

/* sched_setaffinity(2): the mask given, shorter than the kernel's with
 * the rest zero, and only CPUs that exist; EINVAL when none is left. */
SYS(sched_setaffinity)
{
    uint64_t mask[AFFINITY_WORDS] = {0};
    size_t len = A(1) < sizeof(mask) ? A(1) : sizeof(mask);
    long proc, tid, r = 0;
    if (PAL_HAS(pal, thread_affinity))
        r = affinity_target((int)A(0), &proc, &tid);
    else if ((int)A(0) < 0 || !affinity_pid((int)A(0)))
        r = -PAL_ESRCH;
    if (r < 0)
        return r;
    memcpy(mask, PTR(2), len);
    if (!affinity_clip(mask))
        return -PAL_EINVAL;
    if (PAL_HAS(pal, thread_affinity))
        return pal->thread_affinity(proc, tid, 1, mask);
    memcpy(affinity, mask, sizeof(mask));
    affinity_set = true;
    return 0;
}

SYS(sched_yield) { return pal->yield(); }

/* getcpu(2): the first CPU the thread may run on (the host's CPU is not
 * asked); node 0. */
SYS(getcpu)
{
    uint64_t mask[AFFINITY_WORDS];
    uint32_t cpu = 0;
    if (affinity_get(0, mask) < 0)
        mask[0] = 1;
    while (cpu + 1 < cpu_count() && !(mask[cpu / 64] >> (cpu % 64) & 1))
        cpu++;
    if (PTR(0))
        *(uint32_t *)PTR(0) = cpu;
    if (PTR(1))
        *(uint32_t *)PTR(1) = 0;
    return 0;
}
