/* Contents of the libOS's /proc files, generated when they are opened.
 * Everything comes from the libOS's own state (boot info, the vma table,
 * the clock), never from the host's /proc. */
#include "core/vma.h"
#include "fs/proc.h"

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

static char *status_text(size_t *len)
{
    char *t = malloc(512);
    if (!t)
        return NULL;
    const char *slash = strrchr(libos_cfg.exec_path, '/');
    char name[16]; /* the kernel's comm is 15 characters */
    snprintf(name, sizeof(name), "%s", slash ? slash + 1 : libos_cfg.exec_path);
    *len = (size_t)snprintf(t, 512,
                            "Name:\t%s\nState:\tR (running)\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\n"
                            "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nThreads:\t%d\n",
                            name, libos_pid, libos_pid, libos_ppid, libos_cfg.uid, libos_cfg.uid,
                            libos_cfg.uid, libos_cfg.uid, libos_cfg.gid, libos_cfg.gid,
                            libos_cfg.gid, libos_cfg.gid, libos_thread_count);
    return t;
}

static char *maps_text(size_t *len)
{
    char *t = malloc(MAPS_MAX);
    if (t)
        *len = vma_format(t, MAPS_MAX);
    return t;
}

char *proc_text(enum proc_text which, size_t *len)
{
    *len = 0;
    switch (which) {
    case PROC_CPUINFO: return cpuinfo_text(len);
    case PROC_MEMINFO: return meminfo_text(len);
    case PROC_STAT: return stat_text(len);
    case PROC_STATUS: return status_text(len);
    case PROC_MAPS: return maps_text(len);
    }
    return NULL;
}
