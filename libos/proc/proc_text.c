/* Contents of the libOS's /proc files, generated when they are opened.
 * Everything comes from the libOS's own state (boot info, the vma table,
 * the clock), never from the host's /proc. */
#include "core/signal.h"
#include "core/vma.h"
#include "proc/proc.h"
#include "core/creds.h"
#include "sys/sys.h"

#define MAPS_MAX (1024 * 1024)

/* x86 CPUID.1:EDX bits (AT_HWCAP) and the names /proc/cpuinfo gives them. */
static const struct { int bit; const char *name; } hwcap_names[] = {
    {0, "fpu"}, {4, "tsc"}, {5, "msr"}, {8, "cx8"}, {11, "sep"}, {15, "cmov"},
    {19, "clflush"}, {23, "mmx"}, {24, "fxsr"}, {25, "sse"}, {26, "sse2"}, {28, "ht"},
};

static char *cpuinfo_text(size_t *len)
{
    uint32_t n = pal_boot_info->cpu_count ? pal_boot_info->cpu_count : 1;
    char flags[256] = "";
    size_t fl = 0;
    for (size_t i = 0; i < ARRAY_LEN(hwcap_names); i++)
        if (pal_boot_info->hwcap & (1ULL << hwcap_names[i].bit))
            fl += (size_t)snprintf(flags + fl, sizeof(flags) - fl, "%s%s", fl ? " " : "",
                                   hwcap_names[i].name);
    size_t cap = 512 * n;
    char *t = malloc(cap);
    if (!t)
        return NULL;
    for (uint32_t i = 0; i < n && *len < cap; i++)
        *len += (size_t)snprintf(t + *len, cap - *len,
                                 "processor\t: %u\nvendor_id\t: GeodeVirtual\ncpu family\t: 6\n"
                                 "model name\t: Geode virtual CPU\nphysical id\t: 0\n"
                                 "core id\t\t: %u\ncpu cores\t: %u\nflags\t\t: %s\n\n",
                                 i, i, n, flags);
    return t;
}

/* The libOS has no memory limit of its own to report beyond the brk
 * reservation, so meminfo describes what the program can count on. */
static char *meminfo_text(size_t *len)
{
    char *t = malloc(256);
    uint64_t kb = libos_cfg.brk_max / 1024;
    if (t)
        *len = (size_t)snprintf(t, 256, "MemTotal:       %lu kB\nMemFree:        %lu kB\n"
                                        "MemAvailable:   %lu kB\nSwapTotal:             0 kB\n"
                                        "SwapFree:              0 kB\n",
                                (unsigned long)kb, (unsigned long)kb, (unsigned long)kb);
    return t;
}

/* Per-CPU times in clock ticks (USER_HZ = 100): all time since boot is
 * reported as user time, split evenly between the CPUs. */
static char *stat_text(size_t *len)
{
    uint32_t n = pal_boot_info->cpu_count ? pal_boot_info->cpu_count : 1;
    int64_t ns = 0, boot = 0;
    pal->clock_get(7 /* CLOCK_BOOTTIME */, &ns);
    pal->clock_get(0 /* CLOCK_REALTIME */, &boot);
    uint64_t ticks = (uint64_t)ns / 10000000;
    size_t cap = 256 + 80 * n;
    char *t = malloc(cap);
    if (!t)
        return NULL;
    *len = (size_t)snprintf(t, cap, "cpu  %lu 0 0 0 0 0 0 0 0 0\n", (unsigned long)ticks);
    for (uint32_t i = 0; i < n; i++)
        *len += (size_t)snprintf(t + *len, cap - *len, "cpu%u %lu 0 0 0 0 0 0 0 0 0\n", i,
                                 (unsigned long)(ticks / n));
    *len += (size_t)snprintf(t + *len, cap - *len, "btime %lu\nprocesses 1\nprocs_running 1\n",
                             (unsigned long)((boot - ns) / 1000000000));
    return t;
}

/* --- the process's start --- */

static uint64_t start_ns; /* CLOCK_BOOTTIME at start, without a PAL figure */

/* A copy of the program's memory [start, end), as Linux reads cmdline and
 * environ from the process: what the program wrote there since (a
 * changed process title) shows. A range it unmapped reads as empty. */
static char *range_text(uint64_t start, uint64_t end, size_t *len)
{
    size_t n = end > start && end - start <= 1024 * 1024 ? end - start : 0;
    char *t = malloc(n ? n : 1);
    if (!t)
        return NULL;
    if (n && vma_covered(ALIGN_DOWN(start, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE))) {
        memcpy(t, (const void *)start, n);
        *len = n;
    }
    return t;
}

/* --- /proc/<pid>/stat, status and comm --- */

#define TICK_NS 10000000ULL /* USER_HZ = 100 */
#define PF_RANDOMIZE_ 0x00400000

/* One process as its stat and status files show it. */
struct pinfo {
    struct pal_proc_info i;
    int pid, tid;
    bool self;
};

static void self_info(struct pinfo *p)
{
    struct pal_proc_info *i = &p->i;
    uint64_t vsize, accessible;
    int64_t ns = 0;
    bool groups = ns_enabled() && PAL_HAS(pal, process_getsid);
    if (!PAL_HAS(pal, process_info) || pal->process_info(0, i) < 0) {
        *i = (struct pal_proc_info){0};
        pal->clock_get(2 /* CLOCK_PROCESS_CPUTIME_ID */, &ns);
        i->utime_ns = (uint64_t)(ns > 0 ? ns : 0);
        i->start_ns = start_ns;
    }
    vma_totals(&vsize, &accessible);
    i->vsize = vsize;
    /* The host's figure counts the libOS's own pages too: the program's
     * resident pages are at most its accessible mappings. */
    i->rss = i->rss && i->rss < accessible ? i->rss : accessible;
    i->state = 'R'; /* it is reading its own file */
    i->ppid = PAL_HAS(pal, process_parent) ? (int32_t)pal->process_parent() : libos_ppid;
    i->pgid = groups ? (int32_t)pal->process_getpgid(0) : libos_pid;
    i->sid = groups ? (int32_t)pal->process_getsid(0) : libos_pid;
    i->threads = libos_thread_count;
    proc_thread_name_copy(p->tid ? p->tid : libos_pid, i->comm);
}

static bool get_info(struct proc_who who, struct pinfo *p)
{
    *p = (struct pinfo){.pid = who.pid, .tid = who.tid, .self = who.pid == libos_pid};
    if (p->self) {
        self_info(p);
        return true;
    }
    return PAL_HAS(pal, process_info) && pal->process_info(who.pid, &p->i) == 0;
}

bool proc_other_exists(int pid)
{
    struct pal_proc_info i;
    return pid > 0 && pid != libos_pid && PAL_HAS(pal, process_info) &&
           pal->process_info(pid, &i) == 0;
}

/* Signal sets of the calling process: pending, blocked, ignored, caught. */
static void sig_sets(uint64_t s[4])
{
    s[0] = signal_pending_set();
    s[1] = cur_thread()->sigmask;
    s[2] = s[3] = 0;
    for (int sig = 1; sig <= NSIG_; sig++) {
        if (signal_ignored(sig))
            s[2] |= SIGBIT(sig);
        if (signal_has_handler(sig))
            s[3] |= SIGBIT(sig);
    }
}

static char *stat_line(const struct pinfo *p, size_t *len)
{
    const struct pal_proc_info *i = &p->i;
    uint64_t s[4] = {0};
    size_t cap = 1024;
    char *t = malloc(cap);
    if (!t)
        return NULL;
    if (p->self)
        sig_sets(s);
    *len = (size_t)snprintf(
        t, cap,
        "%d (%s) %c %d %d %d 0 -1 %u 0 0 0 0 %lu %lu 0 0 20 0 %d 0 %lu %lu %lu "
        "18446744073709551615 0 0 0 0 0 %lu %lu %lu %lu 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
        p->tid, i->comm, i->state, i->ppid, i->pgid, i->sid, PF_RANDOMIZE_,
        (unsigned long)(i->utime_ns / TICK_NS), (unsigned long)(i->stime_ns / TICK_NS),
        i->threads, (unsigned long)(i->start_ns / TICK_NS), (unsigned long)i->vsize,
        (unsigned long)(i->rss / 4096), (unsigned long)s[0], (unsigned long)s[1],
        (unsigned long)s[2], (unsigned long)s[3]);
    return t;
}

static const char *state_name(char c)
{
    switch (c) {
    case 'R': return "R (running)";
    case 'S': return "S (sleeping)";
    case 'D': return "D (disk sleep)";
    case 'T': return "T (stopped)";
    case 't': return "t (tracing stop)";
    case 'Z': return "Z (zombie)";
    case 'X': return "X (dead)";
    case 'I': return "I (idle)";
    default: return "S (sleeping)";
    }
}

/* 16 hex digits, as the kernel prints a signal set. */
static void hex16(char out[17], uint64_t v)
{
    for (int i = 15; i >= 0; i--, v >>= 4)
        out[i] = "0123456789abcdef"[v & 15];
    out[16] = 0;
}

/* Lines only the process itself knows (its umask, after Name as in Linux,
 * and its signal sets); other processes' status files leave them out
 * rather than guess. */
static size_t status_umask(char *t, size_t cap)
{
    uint32_t um = umask_get();
    return (size_t)snprintf(t, cap, "Umask:\t0%c%c%c\n", '0' + (um >> 6 & 7), '0' + (um >> 3 & 7),
                            '0' + (um & 7));
}

static size_t status_self(char *t, size_t cap)
{
    uint64_t s[4];
    char h[4][17];
    sig_sets(s);
    for (int k = 0; k < 4; k++)
        hex16(h[k], s[k]);
    return (size_t)snprintf(t, cap,
                            "SigQ:\t%d/%d\nSigPnd:\t0000000000000000\nShdPnd:\t%s\nSigBlk:\t%s\n"
                            "SigIgn:\t%s\nSigCgt:\t%s\n",
                            __builtin_popcountll(s[0]), 63, h[0], h[1], h[2], h[3]);
}

/* The calling process's ids, groups and capabilities (sys/creds.c); other
 * processes' are not known here: the manifest's ids, no capabilities. */
struct status_creds {
    struct creds_ids id;
    uint32_t ngroups, groups[32];
    uint64_t prm, eff;
};

static void status_creds(const struct pinfo *p, struct status_creds *c)
{
    uint32_t u = libos_cfg.uid, g = libos_cfg.gid;
    *c = (struct status_creds){{u, u, u, u, g, g, g, g}, 1, {g}, 0, 0};
    if (!p->self)
        return;
    creds_ids(&c->id);
    c->ngroups = creds_groups(c->groups, 32);
    c->ngroups = c->ngroups < 32 ? c->ngroups : 32;
    creds_caps(&c->prm, &c->eff);
}

static size_t groups_text(char *t, size_t cap, const struct status_creds *c)
{
    /* Linux's layout: separated by spaces, then one more space. */
    size_t n = (size_t)snprintf(t, cap, "Groups:\t");
    for (uint32_t k = 0; k < c->ngroups && n < cap; k++)
        n += (size_t)snprintf(t + n, cap - n, k ? " %u" : "%u", c->groups[k]);
    return n < cap ? n + (size_t)snprintf(t + n, cap - n, " \n") : n;
}

static char *status_text(const struct pinfo *p, size_t *len)
{
    const struct pal_proc_info *i = &p->i;
    struct status_creds c;
    char prm[17], eff[17];
    uint32_t n = pal_boot_info->cpu_count;
    status_creds(p, &c);
    hex16(prm, c.prm);
    hex16(eff, c.eff);
    size_t cap = 2048;
    char *t = malloc(cap);
    if (!t)
        return NULL;
    *len = (size_t)snprintf(t, cap, "Name:\t%s\n", i->comm);
    if (p->self)
        *len += status_umask(t + *len, cap - *len);
    *len +=
        (size_t)snprintf(t + *len, cap - *len,
                         "State:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n"
                         "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\n",
                         state_name(i->state), p->pid, p->tid, i->ppid, c.id.uid, c.id.euid,
                         c.id.suid, c.id.fsuid, c.id.gid, c.id.egid, c.id.sgid, c.id.fsgid, FD_MAX);
    *len += groups_text(t + *len, cap - *len, &c);
    *len += (size_t)snprintf(
        t + *len, cap - *len,
        "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n"
        "VmPeak:\t%lu kB\nVmSize:\t%lu kB\nVmRSS:\t%lu kB\nThreads:\t%d\n",
        p->pid, p->tid, i->pgid, i->sid, (unsigned long)(i->vsize / 1024),
        (unsigned long)(i->vsize / 1024), (unsigned long)(i->rss / 1024), i->threads);
    if (p->self)
        *len += status_self(t + *len, cap - *len);
    *len += (size_t)snprintf(t + *len, cap - *len,
                             "CapInh:\t0000000000000000\nCapPrm:\t%s\n"
                             "CapEff:\t%s\nCapBnd:\t000001ffffffffff\n"
                             "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"
                             "Cpus_allowed_list:\t0-%u\nMems_allowed_list:\t0\n",
                             prm, eff, n ? n - 1 : 0);
    return t;
}

static char *comm_text(const struct pinfo *p, size_t *len)
{
    char *t = malloc(32);
    if (t)
        *len = (size_t)snprintf(t, 32, "%s\n", p->i.comm);
    return t;
}

static char *maps_text(size_t *len)
{
    char *t = malloc(MAPS_MAX);
    if (t)
        *len = vma_format(t, MAPS_MAX);
    return t;
}

void proc_init(const Geode__Manifest *m)
{
    int64_t ns = 0;
    proc_sys_init(m);
    pal->clock_get(7 /* CLOCK_BOOTTIME */, &ns);
    start_ns = (uint64_t)(ns > 0 ? ns : 0);
    proc_set_name(NULL);
}

char *proc_text(enum proc_text which, struct proc_who who, size_t *len)
{
    struct pinfo p;
    *len = 0;
    switch (which) {
    case PROC_CPUINFO: return cpuinfo_text(len);
    case PROC_MEMINFO: return meminfo_text(len);
    case PROC_STAT: return stat_text(len);
    case PROC_MAPS: return maps_text(len);
    case PROC_CMDLINE: return range_text(proc_args(0), proc_args(1), len);
    case PROC_ENVIRON: return range_text(proc_args(2), proc_args(3), len);
    case PROC_STATUS:
    case PROC_PID_STAT:
    case PROC_COMM: break;
    }
    if (!get_info(who, &p))
        return NULL;
    return which == PROC_STATUS     ? status_text(&p, len)
           : which == PROC_PID_STAT ? stat_line(&p, len)
                                    : comm_text(&p, len);
}
