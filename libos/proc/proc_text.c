/* Contents of the libOS's /proc files, generated when they are opened.
 * Everything comes from the libOS's own state (boot info, the vma table,
 * the clock), never from the host's /proc. */
#include "core/signal.h"
#include "core/vma.h"
#include "proc/proc.h"
#include "core/creds.h"
#include "sys/sys.h"

#define MAPS_MAX (1024 * 1024)

/* --- /proc/cpuinfo ---
 * Linux prints what CPUID says. The program sees the host's CPUID in
 * every mode: natively in direct mode and in the sim (which cannot trap
 * it, docs/sim.md), through the trusted PAL's emulation (the host's
 * values, pal_upcall.c) in an enclave on hardware, where the instruction
 * below takes the same path. So vendor_id, model name, family, model and
 * stepping come from CPUID here, never an invented name. The flags of
 * CPUID.1:EDX are AT_HWCAP's bits and "fsgsbase" is AT_HWCAP2's bit 1 (the
 * SGX PAL clears it where enclave bases are volatile), so the file agrees
 * with the auxv; the other flags are CPUID's, AVX ones only where XCR0
 * enables their state, as Linux clears them otherwise. */

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

struct flag {
    uint8_t word, bit; /* word: 0 HWCAP (1.EDX), 1 1.ECX, 2 ext EDX, 3 ext ECX, 4 7.EBX, 5 7.ECX */
    const char *name;
};

#define AVX_STATE 0x100 /* flag needs XCR0's SSE and AVX state */

static const struct flag flags_table[] = {
    {0, 0, "fpu"},         {0, 1, "vme"},           {0, 2, "de"},       {0, 3, "pse"},
    {0, 4, "tsc"},         {0, 5, "msr"},           {0, 6, "pae"},      {0, 7, "mce"},
    {0, 8, "cx8"},         {0, 9, "apic"},          {0, 11, "sep"},     {0, 12, "mtrr"},
    {0, 13, "pge"},        {0, 14, "mca"},          {0, 15, "cmov"},    {0, 16, "pat"},
    {0, 17, "pse36"},      {0, 19, "clflush"},      {0, 21, "dts"},     {0, 22, "acpi"},
    {0, 23, "mmx"},        {0, 24, "fxsr"},         {0, 25, "sse"},     {0, 26, "sse2"},
    {0, 27, "ss"},         {0, 28, "ht"},           {0, 29, "tm"},      {0, 31, "pbe"},
    {2, 11, "syscall"},    {2, 20, "nx"},           {2, 22, "mmxext"},  {2, 25, "fxsr_opt"},
    {2, 26, "pdpe1gb"},    {2, 27, "rdtscp"},       {2, 29, "lm"},      {1, 0, "pni"},
    {1, 1, "pclmulqdq"},   {1, 3, "monitor"},       {1, 5, "vmx"},      {1, 9, "ssse3"},
    {1, 12, "fma"},        {1, 13, "cx16"},         {1, 17, "pcid"},    {1, 19, "sse4_1"},
    {1, 20, "sse4_2"},     {1, 21, "x2apic"},       {1, 22, "movbe"},   {1, 23, "popcnt"},
    {1, 25, "aes"},        {1, 26, "xsave"},        {1, 28, "avx"},     {1, 29, "f16c"},
    {1, 30, "rdrand"},     {1, 31, "hypervisor"},   {3, 0, "lahf_lm"},  {3, 5, "abm"},
    {3, 6, "sse4a"},       {3, 8, "3dnowprefetch"}, {4, 0, "fsgsbase"}, {4, 3, "bmi1"},
    {4, 5, "avx2"},        {4, 7, "smep"},          {4, 8, "bmi2"},     {4, 9, "erms"},
    {4, 16, "avx512f"},    {4, 18, "rdseed"},       {4, 19, "adx"},     {4, 20, "smap"},
    {4, 23, "clflushopt"}, {4, 24, "clwb"},         {4, 29, "sha_ni"},  {5, 1, "avx512vbmi"},
    {5, 9, "vaes"},        {5, 10, "vpclmulqdq"},
};

static bool needs_avx(const struct flag *f)
{
    return (f->word == 1 && (f->bit == 12 || f->bit == 28 || f->bit == 29)) ||
           (f->word == 4 && (f->bit == 5 || f->bit == 16)) ||
           (f->word == 5 && (f->bit == 1 || f->bit == 9 || f->bit == 10));
}

struct cpu_desc {
    char vendor[13], model_name[49], flags[1024];
    unsigned family, model, stepping, level, phys_bits, virt_bits;
};

static void trim(char *s)
{
    size_t n = strlen(s), lead = 0;
    while (n && s[n - 1] == ' ')
        s[--n] = 0;
    while (s[lead] == ' ')
        lead++;
    memmove(s, s + lead, n - lead + 1);
}

static void cpu_describe(struct cpu_desc *d)
{
    uint32_t r[4], w[6] = {0};
    memset(d, 0, sizeof(*d));
    cpuid(0, 0, r);
    d->level = r[0];
    memcpy(d->vendor, &r[1], 4), memcpy(d->vendor + 4, &r[3], 4), memcpy(d->vendor + 8, &r[2], 4);
    w[0] = (uint32_t)pal_boot_info->hwcap;
    uint32_t fsgsbase = pal_boot_info->hwcap2 & 2 ? 1 : 0; /* AT_HWCAP2 bit 1 */
    if (d->level >= 1) {
        cpuid(1, 0, r);
        unsigned fam = (r[0] >> 8) & 0xf;
        d->family = fam == 0xf ? fam + ((r[0] >> 20) & 0xff) : fam;
        d->model = ((r[0] >> 4) & 0xf) | (d->family >= 6 ? ((r[0] >> 16) & 0xf) << 4 : 0);
        d->stepping = r[0] & 0xf;
        w[1] = r[2];
    }
    if (d->level >= 7) {
        cpuid(7, 0, r);
        w[4] = (r[1] & ~1u) | fsgsbase, w[5] = r[2];
    }
    cpuid(0x80000000, 0, r);
    uint32_t ext = r[0];
    if (ext >= 0x80000001) {
        cpuid(0x80000001, 0, r);
        w[2] = r[3], w[3] = r[2];
    }
    if (ext >= 0x80000004) {
        for (uint32_t i = 0; i < 3; i++) {
            cpuid(0x80000002 + i, 0, r);
            memcpy(d->model_name + 16 * i, r, 16);
        }
        trim(d->model_name);
    }
    d->phys_bits = 36, d->virt_bits = 48;
    if (ext >= 0x80000008) {
        cpuid(0x80000008, 0, r);
        d->phys_bits = r[0] & 0xff, d->virt_bits = (r[0] >> 8) & 0xff;
    }
    bool avx_state = false;
    if (w[1] & (1u << 27)) { /* OSXSAVE: XCR0 says which states the OS (or enclave) enables */
        uint32_t lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        avx_state = (lo & 6) == 6;
    }
    size_t k = 0;
    for (size_t i = 0; i < ARRAY_LEN(flags_table); i++) {
        const struct flag *f = &flags_table[i];
        if (!(w[f->word] & (1u << f->bit)) || (needs_avx(f) && !avx_state))
            continue;
        k += (size_t)snprintf(d->flags + k, sizeof(d->flags) - k, "%s%s", k ? " " : "", f->name);
    }
}

static char *cpuinfo_text(size_t *len)
{
    /* Described once: the CPU does not change, and on hardware each
     * CPUID is a trip out of the enclave. A reader that finds another
     * thread describing it (or a fork's child that inherited that state)
     * makes its own. */
    static struct cpu_desc desc;
    static int described; /* 0 no, 1 being made, 2 made */
    struct cpu_desc *own = NULL;
    const struct cpu_desc *d = &desc;
    int expect = 0;
    if (__atomic_load_n(&described, __ATOMIC_ACQUIRE) != 2) {
        if (__atomic_compare_exchange_n(&described, &expect, 1, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            cpu_describe(&desc);
            __atomic_store_n(&described, 2, __ATOMIC_RELEASE);
        } else if (expect != 2) {
            if (!(own = malloc(sizeof(*own))))
                return NULL;
            cpu_describe(own);
            d = own;
        }
    }
    uint32_t n = pal_boot_info->cpu_count ? pal_boot_info->cpu_count : 1;
    size_t cap = 2048 * n;
    char *t = malloc(cap);
    if (!t) {
        free(own);
        return NULL;
    }
    for (uint32_t i = 0; i < n && *len < cap; i++)
        *len += (size_t)snprintf(
            t + *len, cap - *len,
            "processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
            "model name\t: %s\nstepping\t: %u\nphysical id\t: 0\nsiblings\t: %u\n"
            "core id\t\t: %u\ncpu cores\t: %u\napicid\t\t: %u\ninitial apicid\t: %u\n"
            "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\n"
            "flags\t\t: %s\nbugs\t\t:\nclflush size\t: 64\ncache_alignment\t: 64\n"
            "address sizes\t: %u bits physical, %u bits virtual\npower management:\n\n",
            i, d->vendor, d->family, d->model, d->model_name, d->stepping, n, i, n, i, i, d->level,
            d->flags, d->phys_bits, d->virt_bits);
    free(own);
    *len = *len < cap ? *len : cap;
    return t;
}

/* --- uptime, loadavg, version --- */

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
                         c.id.suid, c.id.fsuid, c.id.gid, c.id.egid, c.id.sgid, c.id.fsgid, fd_table_span());
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
    default: return NULL; /* proc_info.c's (proc_file_text) */
    }
    if (!get_info(who, &p))
        return NULL;
    return which == PROC_STATUS     ? status_text(&p, len)
           : which == PROC_PID_STAT ? stat_line(&p, len)
                                    : comm_text(&p, len);
}
