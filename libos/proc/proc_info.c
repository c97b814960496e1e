/* /proc files that programs read at start: uptime, loadavg, version, and
 * the process's limits, statm, auxv, fdinfo/<fd>, cgroup and
 * oom_score_adj; each from the libOS's own state, in Linux's format
 * (proc(5)). proc_file_text dispatches every file to its maker. */
#include <linux/auxvec.h>
#include <linux/fcntl.h>

#include "core/creds.h"
#include "core/vma.h"
#include "proc/proc.h"
#include "sys/sys.h"

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
static char *proc_uptime_text(size_t *len)
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
static char *proc_loadavg_text(size_t *len)
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
static char *proc_version_text(size_t *len)
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
static char *proc_limits_text(size_t *len)
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
static char *proc_statm_text(uint64_t rss, size_t *len)
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
static char *proc_auxv_text(size_t *len)
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
static char *proc_fdinfo_text(int fd, size_t *len)
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
static char *proc_cgroup_text(size_t *len)
{
    char *t = malloc(8);
    if (t)
        *len = (size_t)snprintf(t, 8, "0::/\n");
    return t;
}

/* oom_score_adj: kept per process (a forked child inherits it, as on
 * Linux); the libOS kills nothing for memory, so it only reads back. */
static int oom_adj, oom_adj_min;

static char *proc_oom_text(size_t *len)
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

char *proc_file_text(enum proc_text which, struct proc_who who, int fd, size_t *len)
{
    struct pal_proc_info i = {0};
    *len = 0;
    switch (which) {
    case PROC_UPTIME:
        return proc_uptime_text(len);
    case PROC_LOADAVG:
        return proc_loadavg_text(len);
    case PROC_VERSION:
        return proc_version_text(len);
    case PROC_FILESYSTEMS:
        return proc_filesystems_text(len);
    case PROC_MOUNTS:
        return proc_mounts_text(false, len);
    case PROC_MOUNTINFO:
        return proc_mounts_text(true, len);
    case PROC_LIMITS:
        return proc_limits_text(len);
    case PROC_AUXV:
        return proc_auxv_text(len);
    case PROC_FDINFO:
        return proc_fdinfo_text(fd, len);
    case PROC_CGROUP:
        return proc_cgroup_text(len);
    case PROC_OOM_ADJ:
        return proc_oom_text(len);
    case PROC_NET:
        return proc_net_text(fd, len);
    case PROC_STATM: /* the caller's own: the host's resident figure, if any */
        if (PAL_HAS(pal, process_info) && pal->process_info(0, &i) < 0)
            i.rss = 0;
        return proc_statm_text(i.rss, len);
    default:
        return proc_text(which, who, len);
    }
}
