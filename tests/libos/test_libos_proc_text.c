/* libOS unit tier: proc/proc_text.c, the text of the libOS's /proc files,
 * against proc(5) and the host kernel's own files: /proc/<pid>/stat has
 * Linux's 52 fields in order (a comm with spaces and parentheses included),
 * /proc/<pid>/status has Linux's keys in Linux's order with the values the
 * libOS's state gives, comm, cpuinfo, stat, maps, cmdline. The PAL's
 * process information, the credentials and the pid namespace are faked;
 * signals (core/signal.c) and the mapping table (core/vma.c) are the real
 * ones. */
#include <asm/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/signal.h"
#include "core/vma.h"
#include "fake_pal.h"
#include "proc/proc.h"
#include "core/creds.h"

/* --- fakes of the libOS's other files --- */
void file_put(struct file *f)
{
    (void)f;
}
static bool ns_on = true;
bool ns_enabled(void)
{
    return ns_on;
}
void proc_sys_init(const Geode__Manifest *m)
{
    (void)m;
}
static uint32_t umask_value = 022;
uint32_t umask_get(void)
{
    return umask_value;
}
void creds_ids(struct creds_ids *out)
{
    *out = (struct creds_ids){1, 2, 3, 4, 5, 6, 7, 8};
}
static uint32_t ngroups = 3;
uint32_t creds_groups(uint32_t *out, uint32_t max)
{
    for (uint32_t i = 0; i < ngroups && i < max; i++)
        out[i] = 100 + i;
    return ngroups;
}
void creds_caps(uint64_t *permitted, uint64_t *effective)
{
    *permitted = 0x1ffffffffffull;
    *effective = 0x3400;
}

/* --- the PAL's process information --- */
static struct pal_proc_info other = {.ppid = 1,
                                     .pgid = 77,
                                     .sid = 1,
                                     .threads = 3,
                                     .state = 'S',
                                     .comm = "other",
                                     .utime_ns = 2500000000ull,
                                     .stime_ns = 700000000ull,
                                     .start_ns = 123450000000ull,
                                     .vsize = 1 << 24,
                                     .rss = 1 << 20};
static long f_process_info(pal_handle id, struct pal_proc_info *out)
{
    if (id == 0) { /* the caller: what the host says */
        *out = (struct pal_proc_info){.utime_ns = 1230000000ull,
                                      .stime_ns = 40000000ull,
                                      .start_ns = 5000000000ull,
                                      .rss = 1ull << 40};
        return 0;
    }
    if (id != 77)
        return -PAL_ESRCH;
    *out = other;
    return 0;
}
static long f_parent(void)
{
    return 9;
}
static long f_getpgid(pal_handle p)
{
    return p == 0 ? 11 : -PAL_ESRCH;
}
static long f_getsid(pal_handle p)
{
    return p == 0 ? 12 : -PAL_ESRCH;
}
static char set_name[32];
static long f_set_name(const char *n)
{
    snprintf(set_name, sizeof(set_name), "%s", n);
    return 0;
}

static struct pal_api api;
static struct pal_boot boot = {.cpu_count = 3, .hwcap = (1u << 0) | (1u << 25) | (1u << 26)};
static struct libos_thread thr;

/* The fields of a stat line: pid, comm (between the first '(' and the
 * last ')'), then the rest split at spaces. Returns how many. */
static int stat_fields(const char *line, char f[64][64])
{
    const char *open = strchr(line, '('), *close = strrchr(line, ')');
    if (!open || !close || close < open || (size_t)(close - open) > 63)
        return 0;
    snprintf(f[0], 64, "%.*s", (int)(open - line - 1), line);
    snprintf(f[1], 64, "%.*s", (int)(close - open - 1), open + 1);
    int n = 2;
    for (const char *p = close + 2; *p && *p != '\n' && n < 64;) {
        size_t l = strcspn(p, " \n");
        snprintf(f[n++], 64, "%.*s", (int)l, p);
        p += l;
        if (*p == ' ')
            p++;
    }
    return n;
}

static char *read_host(const char *path)
{
    static char buf[65536];
    FILE *fp = fopen(path, "r");
    size_t n = fp ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;
    if (fp)
        fclose(fp);
    buf[n] = 0;
    return buf;
}

static char *text(enum proc_text which, int pid, size_t *len)
{
    return proc_text(which, (struct proc_who){pid, pid}, len);
}

static unsigned long num(const char *s)
{
    return strtoul(s, NULL, 10);
}

static void pid_stat(void)
{
    static char f[64][64], h[64][64];
    size_t len;
    char *t = text(PROC_PID_STAT, libos_pid, &len);
    int n = t ? stat_fields(t, f) : 0;
    int hn = stat_fields(read_host("/proc/self/stat"), h);
    CHECK(n == 52 && hn == 52 && t[len - 1] == '\n' && strlen(t) == len,
          "/proc/self/stat: %d fields, the host's %d (proc(5): 52), one line", n, hn);
    if (n != 52) {
        free(t);
        return;
    }
    uint64_t vsize, acc;
    vma_totals(&vsize, &acc);
    CHECK(num(f[0]) == (unsigned long)libos_pid && !strcmp(f[1], "we) ird (name") &&
              !strcmp(f[2], "R") && num(f[3]) == 9 && num(f[4]) == 11 && num(f[5]) == 12,
          "pid, comm (with ')' and spaces), state, ppid, pgrp, session: %s (%s) %s %s %s %s", f[0],
          f[1], f[2], f[3], f[4], f[5]);
    CHECK(num(f[13]) == 123 && num(f[14]) == 4 && num(f[19]) == 2 && num(f[21]) == 500 &&
              num(f[22]) == vsize && num(f[23]) == acc / 4096,
          "utime %s stime %s (ticks of 10 ms), threads %s, starttime %s, vsize %s, rss %s "
          "pages (at most the accessible mappings)",
          f[13], f[14], f[19], f[21], f[22], f[23]);
    uint64_t pend = signal_pending_set();
    CHECK(num(f[30]) == pend && strtoull(f[31], NULL, 10) == thr.sigmask &&
              num(f[32]) == SIGBIT(13) && num(f[33]) == (SIGBIT(10) | SIGBIT(12)) &&
              num(f[37]) == 17,
          "signal %s blocked %s sigignore %s sigcatch %s (decimal), exit_signal %s", f[30], f[31],
          f[32], f[33], f[37]);
    free(t);

    t = text(PROC_PID_STAT, 77, &len);
    n = t ? stat_fields(t, f) : 0;
    CHECK(n == 52 && num(f[0]) == 77 && !strcmp(f[1], "other") && !strcmp(f[2], "S") &&
              num(f[3]) == 1 && num(f[4]) == 77 && num(f[13]) == 250 && num(f[14]) == 70 &&
              num(f[19]) == 3 && num(f[21]) == 12345 && num(f[22]) == 1 << 24 &&
              num(f[23]) == 256 && num(f[30]) == 0 && num(f[31]) == 0,
          "another process's stat: the PAL's figures, no signal sets");
    free(t);
    CHECK(text(PROC_PID_STAT, 78, &len) == NULL && len == 0, "a process that is gone: no text");
}

/* Every "Key:" of the libOS's status is one of the host's, in the host's
 * order. */
static void pid_status(void)
{
    size_t len;
    char *t = text(PROC_STATUS, libos_pid, &len);
    const char *host = read_host("/proc/self/status");
    int keys = 0, bad = 0;
    const char *prev = host;
    for (const char *l = t; l && *l; l = strchr(l, '\n') + 1) {
        size_t kl = strcspn(l, ":\n");
        char key[64];
        snprintf(key, sizeof(key), "\n%.*s:\t", (int)kl, l);
        const char *at = !strncmp(host, key + 1, kl + 2) ? host : strstr(host, key);
        EXPECT(at && at >= prev, "status key %s %s", key + 1,
               at ? "out of Linux's order" : "is not Linux's");
        bad += !at || at < prev;
        prev = at ? at : prev;
        keys++;
        if (!strchr(l, '\n'))
            break;
    }
    CHECK(t && keys >= 25 && !bad && t[len - 1] == '\n',
          "/proc/self/status: %d keys, all Linux's, in Linux's order", keys);
    char want[512];
    snprintf(want, sizeof(want),
             "Name:\twe) ird (name\nUmask:\t0022\nState:\tR "
             "(running)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t9\n"
             "TracerPid:\t0\nUid:\t1\t2\t3\t4\nGid:\t5\t6\t7\t8\nFDSize:\t1024\n"
             "Groups:\t100 101 102 \nNStgid:\t%d\n",
             libos_pid, libos_pid, libos_pid);
    CHECK(t && !strncmp(t, want, strlen(want)),
          "status: name, umask (4 octal digits), state, ids, Uid/Gid (real, "
          "effective, saved, fs), Groups with Linux's "
          "trailing space");
    char sig[256];
    snprintf(sig, sizeof(sig),
             "SigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\nCapInh:\t"
             "0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t0000000000003400\n",
             (unsigned long)thr.sigmask, (unsigned long)SIGBIT(13),
             (unsigned long)(SIGBIT(10) | SIGBIT(12)));
    CHECK(t && strstr(t, sig), "status: signal sets and capabilities in 16 hex digits");
    /* The Groups line has the host's shape: tab, ids separated by spaces,
     * a trailing space. */
    const char *hg = strstr(host, "\nGroups:\t");
    const char *hgend = hg ? strchr(hg + 1, '\n') : NULL;
    CHECK(hg && hgend && hgend[-1] == ' ', "the host's Groups line ends with a space too");
    free(t);

    ngroups = 0;
    t = text(PROC_STATUS, libos_pid, &len);
    CHECK(t && strstr(t, "\nGroups:\t \n"), "no supplementary groups: \"Groups:\\t \\n\"");
    free(t);
    ngroups = 3;

    t = text(PROC_STATUS, 77, &len);
    CHECK(t && strstr(t, "Name:\tother\nState:\tS (sleeping)\nTgid:\t77\n") &&
              !strstr(t, "SigBlk") && strstr(t, "Threads:\t3\n") && strstr(t, "VmRSS:\t1024 kB\n"),
          "another process's status: the PAL's figures, no signal lines");
    free(t);
}

static void small_files(void)
{
    size_t len;
    char *t = text(PROC_COMM, libos_pid, &len);
    CHECK(t && len == 14 && !strcmp(t, "we) ird (name\n") && !strcmp(set_name, "we) ird (name"),
          "comm: the name and a newline; the PAL was told");
    free(t);
    proc_set_name("a-name-longer-than-fifteen");
    t = text(PROC_COMM, libos_pid, &len);
    CHECK(t && !strcmp(t, "a-name-longer-t\n"), "comm keeps 15 bytes, as TASK_COMM_LEN");
    free(t);
    proc_set_name(NULL);
    t = text(PROC_COMM, libos_pid, &len);
    CHECK(t && !strcmp(t, "prog\n"), "no name: the program's file name");
    free(t);
    proc_set_name("we) ird (name");

    t = proc_text(PROC_CPUINFO, (struct proc_who){0, 0}, &len);
    int cpus = 0;
    for (const char *p = t; p && (p = strstr(p, "processor\t: ")); p++)
        cpus++;
    /* CPUID.1:EDX's flags are AT_HWCAP's (fpu, sse, sse2 here; no tsc or
     * cmov though the host has them), the others and the vendor CPUID's. */
    unsigned id[4];
    char vendor[40] = "vendor_id\t: ";
    __asm__ volatile("cpuid" : "=a"(id[0]), "=b"(id[1]), "=c"(id[2]), "=d"(id[3]) : "a"(0), "c"(0));
    memcpy(vendor + 12, &id[1], 4), memcpy(vendor + 16, &id[3], 4), memcpy(vendor + 20, &id[2], 4);
    const char *fl = t ? strstr(t, "flags\t\t: fpu sse sse2") : NULL;
    const char *nl = fl ? strchr(fl, '\n') : NULL;
    CHECK(t && cpus == 3 && fl && (fl[21] == ' ' || fl[21] == '\n') && strlen(t) == len &&
              !memmem(fl, (size_t)(nl - fl), " tsc ", 5) &&
              !memmem(fl, (size_t)(nl - fl), " cmov ", 6) && strstr(t, vendor),
          "cpuinfo: one entry per CPU, EDX flags from AT_HWCAP, CPUID's vendor");
    /* The model name is CPUID's brand string, trimmed (natively it is the
     * kernel's CPUID at boot, which a hypervisor may answer differently
     * from user mode's: tests/conformance/proc_files.c checks only that
     * there is one). */
    char brand[49] = {0}, want[80];
    __asm__ volatile("cpuid" : "=a"(id[0]), "=b"(id[1]), "=c"(id[2]), "=d"(id[3]) : "a"(0x80000000), "c"(0));
    if (id[0] >= 0x80000004) {
        for (unsigned i = 0; i < 3; i++) {
            __asm__ volatile("cpuid"
                             : "=a"(id[0]), "=b"(id[1]), "=c"(id[2]), "=d"(id[3])
                             : "a"(0x80000002 + i), "c"(0));
            memcpy(brand + 16 * i, id, 16);
        }
        char *b = brand, *e = brand + strlen(brand);
        while (*b == ' ')
            b++;
        while (e > b && e[-1] == ' ')
            *--e = 0;
        snprintf(want, sizeof(want), "\nmodel name\t: %s\n", b);
        CHECK(t && strstr(t, want), "cpuinfo: the model name is CPUID's brand (%s)", b);
    } else {
        printf("skip - cpuinfo model name: CPUID has no brand string here\n");
    }
    free(t);

    fake_clock_ns = 12345678900ll;
    t = proc_text(PROC_STAT, (struct proc_who){0, 0}, &len);
    const char *host = read_host("/proc/stat");
    int hcols = 0, cols = 0;
    for (const char *p = host; *p && *p != '\n'; p++)
        hcols += *p == ' ' && p[1] != ' ';
    for (const char *p = t; p && *p && *p != '\n'; p++)
        cols += *p == ' ' && p[1] != ' ';
    CHECK(t && cols == hcols && !strncmp(t, "cpu  1234 0 0 0 0 0 0 0 0 0\ncpu0 411 ", 37) &&
              strstr(t, "\ncpu2 411 ") && strstr(t, "\nbtime 0\n"),
          "stat: the cpu line has the host's %d columns, per-CPU lines, btime", hcols);
    free(t);

    t = proc_text(PROC_MAPS, (struct proc_who){0, 0}, &len);
    static char maps[1 << 16];
    size_t ml = vma_format(maps, sizeof(maps));
    CHECK(t && len == ml && !memcmp(t, maps, ml) && strstr(t, "[stack]\n"),
          "maps: the mapping table's text");
    free(t);
}

static void cmdline(void)
{
    size_t len;
    void *page = NULL;
    pal->mem_reserve(&page, PAGE_SIZE, 0);
    pal->mem_commit(page, PAGE_SIZE, PAL_PROT_READ | PAL_PROT_WRITE);
    memcpy(page, "prog\0-x\0A=1\0", 12);
    proc_set_args((uint64_t)page, (uint64_t)page + 8, (uint64_t)page + 8, (uint64_t)page + 12);
    char *t = proc_text(PROC_CMDLINE, (struct proc_who){0, 0}, &len);
    CHECK(t && len == 0, "cmdline: not in the mapping table: empty");
    free(t);
    struct vma v = {.start = (uint64_t)page, .end = (uint64_t)page + PAGE_SIZE, .prot = 3};
    vma_add(&v);
    t = proc_text(PROC_CMDLINE, (struct proc_who){0, 0}, &len);
    char *e = proc_text(PROC_ENVIRON, (struct proc_who){0, 0}, &len);
    size_t elen = len;
    CHECK(t && !memcmp(t, "prog\0-x\0", 8) && e && elen == 4 && !memcmp(e, "A=1\0", 4),
          "cmdline and environ: the program's memory");
    free(t);
    free(e);
    vma_remove((uint64_t)page, PAGE_SIZE, false);
    t = proc_text(PROC_CMDLINE, (struct proc_who){0, 0}, &len);
    CHECK(t && len == 0, "cmdline of unmapped memory: empty");
    free(t);
}

int main(void)
{
    fake_pal_init();
    api = *pal;
    api.process_info = f_process_info;
    api.process_parent = f_parent;
    api.process_getpgid = f_getpgid;
    api.process_getsid = f_getsid;
    api.process_set_name = f_set_name;
    pal = &api;
    pal_boot_info = &boot;
    thr.self = &thr;
    if (syscall(SYS_arch_prctl, ARCH_SET_GS, &thr) != 0)
        return 1;
    libos_threads_ready = true;
    libos_pid = 42;
    libos_thread_count = 2;
    libos_cfg.exec_path = "/usr/bin/prog";
    thr.sigmask = SIGBIT(2) | SIGBIT(15);
    sig_actions[13].handler = 1; /* SIG_IGN */
    sig_actions[10].handler = sig_actions[12].handler = 0x401000;
    signal_raise(2);
    struct vma stack = {.start = 0x7ffd0000000, .end = 0x7ffd0021000, .prot = 3, .name = "[stack]"};
    struct vma none = {.start = 0x500000, .end = 0x510000, .prot = 0};
    vma_add(&stack);
    vma_add(&none);
    fake_clock_ns = 5000000000ll;
    proc_init(NULL); /* start_ns, the name from exec_path */
    proc_set_name("we) ird (name");
    pid_stat();
    pid_status();
    small_files();
    cmdline();
    return fake_done();
}
