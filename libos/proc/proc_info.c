/* /proc files that programs read at start: cpuinfo, uptime, loadavg,
 * version, and the process's limits, statm, auxv, fdinfo/<fd>, cgroup and
 * oom_score_adj; each from the libOS's own state, in Linux's format
 * (proc(5)). */
#include <linux/auxvec.h>
#include <linux/fcntl.h>

#include "core/creds.h"
#include "core/vma.h"
#include "proc/proc.h"
#include "sys/sys.h"

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

char *proc_cpuinfo_text(size_t *len)
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

/* lib/format.c has no widths, precision or %o: these make Linux's. */

/* s, then spaces up to width, then one space (the kernel's "%-Ns "). */
static size_t cell(char *t, size_t cap, const char *s, size_t width)
{
    size_t k = (size_t)snprintf(t, cap, "%s", s);
    while (k < width + 1 && k + 1 < cap)
        t[k++] = ' ';
    t[k < cap ? k : cap - 1] = 0;
    return k;
}

/* Hundredths as "S.HH". */
static size_t centi(char *t, size_t cap, uint64_t cs)
{
    return (size_t)snprintf(t, cap, "%lu.%c%c", (unsigned long)(cs / 100),
                            (char)('0' + cs / 10 % 10), (char)('0' + cs % 10));
}

/* v in octal (no prefix). */
static void octal(char out[24], unsigned v)
{
    char tmp[24];
    int n = 0;
    do
        tmp[n++] = (char)('0' + (v & 7));
    while (v >>= 3);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = 0;
}

static int64_t clock_ns(int id)
{
    int64_t ns = 0;
    return pal->clock_get(id, &ns) == 0 && ns > 0 ? ns : 0;
}

/* Seconds since boot (CLOCK_BOOTTIME, as Linux; CLOCK_MONOTONIC where the
 * PAL has no boot clock) and the idle time summed over the CPUs: what the
 * CPUs had, less the process's own CPU time (the libOS sees no other). */
char *proc_uptime_text(size_t *len)
{
    uint32_t n = pal_boot_info->cpu_count ? pal_boot_info->cpu_count : 1;
    int64_t up = clock_ns(7 /* CLOCK_BOOTTIME */);
    if (!up)
        up = clock_ns(1 /* CLOCK_MONOTONIC */);
    int64_t busy = clock_ns(2 /* CLOCK_PROCESS_CPUTIME_ID */);
    uint64_t cs = (uint64_t)up / 10000000, idle = cs * n;
    idle = idle > (uint64_t)busy / 10000000 ? idle - (uint64_t)busy / 10000000 : 0;
    char *t = malloc(64);
    if (!t)
        return NULL;
    size_t k = centi(t, 64, cs);
    t[k++] = ' ';
    k += centi(t + k, 64 - k, idle);
    t[k++] = '\n';
    t[k] = 0;
    *len = k;
    return t;
}

/* Load averages are not measured: 0.00 (an idle machine). Then runnable /
 * existing threads of the namespace (the reader runs) and the newest id
 * there, the largest one the PAL lists (ids are handed out rising). */
char *proc_loadavg_text(size_t *len)
{
    int32_t ids[512];
    long procs = PAL_HAS(pal, process_list) ? pal->process_list(0, ids, ARRAY_LEN(ids)) : 0;
    int last = libos_pid;
    size_t shown =
        procs > 0 ? ((size_t)procs < ARRAY_LEN(ids) ? (size_t)procs : ARRAY_LEN(ids)) : 0;
    long threads = 0;
    for (size_t i = 0; i < shown; i++)
        last = ids[i] > last ? ids[i] : last;
    long own = ns_thread_ids(ids, ARRAY_LEN(ids));
    shown = own > 0 ? ((size_t)own < ARRAY_LEN(ids) ? (size_t)own : ARRAY_LEN(ids)) : 0;
    for (size_t i = 0; i < shown; i++)
        last = ids[i] > last ? ids[i] : last;
    threads = (procs > 0 ? procs : 1) + (own > 0 ? own : 0);
    char *t = malloc(64);
    if (t)
        *len = (size_t)snprintf(t, 64, "0.00 0.00 0.00 1/%ld %d\n", threads, last);
    return t;
}

/* uname's release and version (libos.h), as /proc/sys/kernel says them. */
char *proc_version_text(size_t *len)
{
    char *t = malloc(160);
    if (t)
        *len = (size_t)snprintf(t, 160, "Linux version %s (geode@geode) (Geode libOS) %s\n",
                                LIBOS_UTS_RELEASE, LIBOS_UTS_VERSION);
    return t;
}

/* --- the process's own files --- */

/* The rlimits of sys/proc.c (through prlimit64 on this process), as
 * Linux's table: names, soft and hard limits ("unlimited"), units. */
char *proc_limits_text(size_t *len)
{
    static const char *const rows[][2] = {
        {"Max cpu time", "seconds"},     {"Max file size", "bytes"},
        {"Max data size", "bytes"},      {"Max stack size", "bytes"},
        {"Max core file size", "bytes"}, {"Max resident set", "bytes"},
        {"Max processes", "processes"},  {"Max open files", "files"},
        {"Max locked memory", "bytes"},  {"Max address space", "bytes"},
        {"Max file locks", "locks"},     {"Max pending signals", "signals"},
        {"Max msgqueue size", "bytes"},  {"Max nice priority", NULL},
        {"Max realtime priority", NULL}, {"Max realtime timeout", "us"},
    };
    size_t cap = 2048, k;
    char *t = malloc(cap);
    if (!t)
        return NULL;
    k = cell(t, cap, "Limit", 25);
    k += cell(t + k, cap - k, "Soft Limit", 20);
    k += cell(t + k, cap - k, "Hard Limit", 20);
    k += cell(t + k, cap - k, "Units", 10) - 1;
    k += (size_t)snprintf(t + k, cap - k, "\n");
    for (unsigned r = 0; r < ARRAY_LEN(rows); r++) {
        uint64_t lim[2] = {~0ULL, ~0ULL};
        struct sc_args a = {{0, r, 0, (uint64_t)lim}, NULL};
        char v[2][24];
        sys_prlimit64(&a);
        for (int j = 0; j < 2; j++)
            snprintf(v[j], sizeof(v[j]), lim[j] == ~0ULL ? "unlimited" : "%lu",
                     (unsigned long)lim[j]);
        k += cell(t + k, cap - k, rows[r][0], 25);
        k += cell(t + k, cap - k, v[0], 20);
        k += cell(t + k, cap - k, v[1], 20);
        if (rows[r][1])
            k += cell(t + k, cap - k, rows[r][1], 10) - 1;
        k += (size_t)snprintf(t + k, cap - k, "\n");
    }
    *len = k < cap ? k : cap;
    return t;
}

/* Pages: size, resident, shared, text, lib (0 since 2.6), data, dirty (0).
 * The vma table gives the size and what is accessible; resident is the
 * smaller of that and the host's figure, as in /proc/self/status; data
 * (with the stack) is the whole size: the libOS does not tell file-backed
 * text apart here. */
char *proc_statm_text(uint64_t rss, size_t *len)
{
    uint64_t vsize, accessible;
    vma_totals(&vsize, &accessible);
    rss = rss && rss < accessible ? rss : accessible;
    char *t = malloc(128);
    if (t)
        *len = (size_t)snprintf(t, 128, "%lu %lu 0 0 0 %lu 0\n", (unsigned long)(vsize / 4096),
                                (unsigned long)(rss / 4096), (unsigned long)(vsize / 4096));
    return t;
}

/* The auxv elf/stack.c gave the program: Linux keeps a copy made at
 * execve; the libOS's is where it put it, on the initial stack, as
 * (type, value) pairs ending with AT_NULL just below the environment
 * strings (whose start proc_args(2) gives), 16-byte aligned. Found from
 * that end, back to the first pair whose type is not an AT_* number (the
 * envp NULL, or a pointer). Empty when the stack is gone. */
char *proc_auxv_text(size_t *len)
{
    uint64_t top = ALIGN_DOWN(proc_args(2), 8);
    char *t = malloc(64 * 16);
    if (!t)
        return NULL;
    for (uint64_t end = top; end >= top - 8 && end > 64; end -= 8) {
        const uint64_t *w = (const uint64_t *)end;
        if (!vma_covered(ALIGN_DOWN(end - 64 * 16, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE)) ||
            w[-1] != 0 || w[-2] != AT_NULL || w[-4] == 0 || w[-4] > 64)
            continue;
        size_t pairs = 1;
        while (pairs < 64 && w[-2 * (int)pairs - 2] > 0 && w[-2 * (int)pairs - 2] <= 64)
            pairs++;
        *len = pairs * 16;
        memcpy(t, w - 2 * pairs, *len);
        return t;
    }
    return t;
}

/* The descriptor's position, its status flags (Linux's f_flags, in octal:
 * O_LARGEFILE on what open(2) made, O_CLOEXEC from the descriptor, never
 * the open-only O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC), the id of the mount
 * holding it (mountinfo's first field) and its inode number. */
char *proc_fdinfo_text(int fd, size_t *len)
{
    struct file *f = fd_get(fd);
    int cloexec = fd_get_cloexec(fd);
    struct pal_stat st = {0};
    if (!f || cloexec < 0) {
        if (f)
            file_put(f);
        return NULL;
    }
    long pos = f->ops->seek ? f->ops->seek(f, 0, 1 /* SEEK_CUR */) : 0;
    unsigned fl =
        (unsigned)f->flags & ~(unsigned)(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
    if (f->path && !f->is_sock)
        fl |= O_LARGEFILE;
    if (cloexec)
        fl |= O_CLOEXEC;
    if (f->ops->fstat)
        f->ops->fstat(f, &st);
    int mnt = proc_mount_id(f->path && f->path[0] == '/' ? f->path : NULL);
    char *t = malloc(128), oct[24];
    octal(oct, fl);
    if (t)
        *len = (size_t)snprintf(t, 128, "pos:\t%ld\nflags:\t0%s\nmnt_id:\t%d\nino:\t%lu\n",
                                pos > 0 ? pos : 0, oct, mnt, (unsigned long)st.ino);
    file_put(f);
    return t;
}

/* cgroup v2 only, the process at its root (as in a container's own
 * cgroup namespace). */
char *proc_cgroup_text(size_t *len)
{
    char *t = malloc(8);
    if (t)
        *len = (size_t)snprintf(t, 8, "0::/\n");
    return t;
}

/* oom_score_adj: kept per process (a forked child inherits it, as on
 * Linux); the libOS kills nothing for memory, so it only reads back. */
static int oom_adj, oom_adj_min;

char *proc_oom_text(size_t *len)
{
    char *t = malloc(16);
    if (t)
        *len = (size_t)snprintf(t, 16, "%d\n", __atomic_load_n(&oom_adj, __ATOMIC_RELAXED));
    return t;
}

/* A write: one decimal number (leading spaces and a newline allowed),
 * -1000..1000, else EINVAL; below the lowest value set so far needs
 * CAP_SYS_RESOURCE (EACCES), as Linux. */
long proc_oom_write(const char *buf, size_t n)
{
    char s[24];
    size_t i = 0, k;
    long v = 0;
    bool neg = false;
    if (n >= sizeof(s))
        return -PAL_EINVAL;
    memcpy(s, buf, n);
    s[n] = 0;
    while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')
        i++;
    if (s[i] == '-' || s[i] == '+')
        neg = s[i++] == '-';
    for (k = i; s[k] >= '0' && s[k] <= '9' && v <= 100000; k++)
        v = v * 10 + (s[k] - '0');
    while (s[k] == ' ' || s[k] == '\t' || s[k] == '\n')
        k++;
    if (k == i || s[k] || v > 1000)
        return -PAL_EINVAL;
    v = neg ? -v : v;
    uint64_t prm, eff;
    creds_caps(&prm, &eff);
    if (v < oom_adj_min && !(eff & (1ULL << 24 /* CAP_SYS_RESOURCE */)))
        return -PAL_EACCES;
    __atomic_store_n(&oom_adj, (int)v, __ATOMIC_RELAXED);
    if (eff & (1ULL << 24))
        oom_adj_min = (int)v;
    return (long)n;
}
