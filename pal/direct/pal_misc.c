/* Direct PAL: log, process exit, time, randomness. */
#include <elf.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <time.h>

#include "host.h"
#include "pidns.h"

int geode_diag_fd = 2; /* diag.h */

void geode_diag_init(void)
{
    static bool done;
    int fd;

    if (done)
        return;
    fd = fcntl(2, F_DUPFD_CLOEXEC, 10);
    if (fd < 0)
        return; /* no standard error: lines go to 2 as before */
    FILE *f = fdopen(fd, "w");

    if (!f) {
        close(fd);
        return;
    }
    setvbuf(f, NULL, _IONBF, 0);
    geode_diag_fd = fd;
    stderr = f;
    done = true;
}

void direct_log(const char *msg, size_t len)
{
    while (len > 0) {
        long r = HS3(SYS_write, geode_diag_fd, msg, len);
        if (r <= 0)
            return;
        msg += r;
        len -= (size_t)r;
    }
}

void direct_log_str(const char *msg) { direct_log(msg, strlen(msg)); }

__attribute__((noreturn)) static void direct_process_exit(int status)
{
    pidns_root_exit();
    for (;;)
        HS1(SYS_exit_group, status);
}

/* The host's vDSO clock_gettime: time without a host syscall (the libOS
 * gives the program no vDSO, so every clock read of the program comes
 * here). Where the vDSO falls back to its own `syscall` (a clock source it
 * cannot read from user space), SUD traps it and on_sigsys runs it on the
 * host (direct_vdso_contains). */
typedef long (*vdso_clock_fn)(long clock, struct timespec *ts);
static vdso_clock_fn vdso_clock_gettime;
static uint64_t vdso_lo, vdso_hi; /* its executable segment */

bool direct_vdso_contains(uint64_t rip) { return rip >= vdso_lo && rip < vdso_hi; }

/* Finds __vdso_clock_gettime in the kernel's image (DT_HASH gives the
 * symbol count); leaves vdso_clock_gettime NULL when anything is missing. */
static void vdso_init(void)
{
    const uint8_t *base = (const uint8_t *)getauxval(AT_SYSINFO_EHDR);
    if (!base || memcmp(base, ELFMAG, SELFMAG) != 0)
        return;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
    const Elf64_Dyn *dyn = NULL;
    uint64_t bias = 0, lo = 0, hi = 0;
    bool load = false;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && !load) {
            load = true;
            bias = (uint64_t)base - (ph[i].p_vaddr - ph[i].p_offset);
            lo = ph[i].p_vaddr, hi = ph[i].p_vaddr + ph[i].p_memsz;
        } else if (ph[i].p_type == PT_DYNAMIC) {
            dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
        }
    }
    if (!load || !dyn)
        return;
    const Elf64_Sym *sym = NULL;
    const char *str = NULL;
    const uint32_t *hash = NULL;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        if (dyn->d_tag == DT_SYMTAB)
            sym = (const Elf64_Sym *)(bias + dyn->d_un.d_ptr);
        else if (dyn->d_tag == DT_STRTAB)
            str = (const char *)(bias + dyn->d_un.d_ptr);
        else if (dyn->d_tag == DT_HASH)
            hash = (const uint32_t *)(bias + dyn->d_un.d_ptr);
    }
    if (!sym || !str || !hash)
        return;
    for (uint32_t i = 0; i < hash[1]; i++) { /* nchain: the symbol count */
        if (ELF64_ST_TYPE(sym[i].st_info) == STT_FUNC && sym[i].st_shndx != SHN_UNDEF &&
            strcmp(str + sym[i].st_name, "__vdso_clock_gettime") == 0) {
            vdso_lo = bias + lo, vdso_hi = bias + hi;
            vdso_clock_gettime = (vdso_clock_fn)(bias + sym[i].st_value);
            return;
        }
    }
}

static long direct_clock_get(int clock, int64_t *ns)
{
    struct timespec ts;
    long r;
    /* The CPU-time clocks are always a syscall in the vDSO. */
    if (vdso_clock_gettime && clock != CLOCK_PROCESS_CPUTIME_ID && clock != CLOCK_THREAD_CPUTIME_ID)
        r = vdso_clock_gettime(clock, &ts);
    else
        r = HS2(SYS_clock_gettime, clock, &ts);
    if (r == 0)
        *ns = ts.tv_sec * 1000000000LL + ts.tv_nsec;
    return r;
}

/* Linux's clock id of a thread's CPU clock: ~tid << 3 | CPUCLOCK_PERTHREAD
 * (4) | CPUCLOCK_SCHED (2). */
static long direct_cpu_clock_get(long host_tid, int64_t *ns)
{
    int clock = host_tid < 0    ? CLOCK_PROCESS_CPUTIME_ID
                : host_tid == 0 ? CLOCK_THREAD_CPUTIME_ID
                                : (int)((~(unsigned)host_tid << 3) | 6);
    return direct_clock_get(clock, ns);
}

/* getrusage(2) of the host: the program's processes are host processes
 * and its waits host waits, so the host's children times are Linux's. */
static long direct_rusage_get(int who, int64_t times[2])
{
    struct rusage ru;
    long r = HS2(SYS_getrusage, who, &ru);
    if (r == 0) {
        times[0] = ru.ru_utime.tv_sec * 1000000000LL + ru.ru_utime.tv_usec * 1000LL;
        times[1] = ru.ru_stime.tv_sec * 1000000000LL + ru.ru_stime.tv_usec * 1000LL;
    }
    return r;
}

static long direct_clock_res(int clock, int64_t *ns)
{
    struct timespec ts;
    long r = HS2(SYS_clock_getres, clock, &ts);
    if (r == 0)
        *ns = ts.tv_sec * 1000000000LL + ts.tv_nsec;
    return r;
}

static long direct_sleep(int64_t ns)
{
    struct timespec ts = {ns / 1000000000LL, ns % 1000000000LL};
    return HC3(SYS_nanosleep, &ts, NULL, 0);
}

static long direct_alarm_timer(int64_t value, int64_t interval, int64_t *old_value,
                               int64_t *old_interval)
{
    struct itimerval nv = {{interval / 1000000000LL, interval % 1000000000LL / 1000},
                           {value / 1000000000LL, value % 1000000000LL / 1000}}, ov;
    if (value > 0 && !nv.it_value.tv_sec && !nv.it_value.tv_usec)
        nv.it_value.tv_usec = 1; /* below a microsecond: not "disarm" */
    long r = value < 0 ? HS2(SYS_getitimer, ITIMER_REAL, &ov) : HS3(SYS_setitimer, ITIMER_REAL, &nv, &ov);
    if (r == 0 && old_value)
        *old_value = ov.it_value.tv_sec * 1000000000LL + ov.it_value.tv_usec * 1000LL;
    if (r == 0 && old_interval)
        *old_interval = ov.it_interval.tv_sec * 1000000000LL + ov.it_interval.tv_usec * 1000LL;
    return r;
}

static long direct_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        long r = HS3(SYS_getrandom, p, len, 0);
        if (r == -PAL_EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? r : -PAL_EIO;
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

static long direct_timer_create(int clock, pal_handle *out)
{
    long r = HS2(SYS_timerfd_create, clock, TFD_NONBLOCK | TFD_CLOEXEC);
    if (r >= 0)
        *out = r;
    return r < 0 ? r : 0;
}

static void ts_from_ns(struct timespec *ts, int64_t ns)
{
    ts->tv_sec = ns / 1000000000LL;
    ts->tv_nsec = ns % 1000000000LL;
}

static int64_t ts_ns(const struct timespec *ts)
{
    return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static long direct_timer_set(pal_handle h, int flags, int64_t value_ns, int64_t interval_ns,
                             int64_t old[2])
{
    struct itimerspec nv, ov;
    if (value_ns < 0 || interval_ns < 0)
        return -PAL_EINVAL;
    ts_from_ns(&nv.it_value, value_ns);
    ts_from_ns(&nv.it_interval, interval_ns);
    long r = HS4(SYS_timerfd_settime, h, flags, &nv, &ov);
    if (r == 0) {
        old[0] = ts_ns(&ov.it_value);
        old[1] = ts_ns(&ov.it_interval);
    }
    return r;
}

static long direct_timer_get(pal_handle h, int64_t cur[2])
{
    struct itimerspec v;
    long r = HS2(SYS_timerfd_gettime, h, &v);
    if (r == 0) {
        cur[0] = ts_ns(&v.it_value);
        cur[1] = ts_ns(&v.it_interval);
    }
    return r;
}

static long direct_notify_create(pal_handle *out)
{
    long r = HS1(SYS_inotify_init1, IN_NONBLOCK | IN_CLOEXEC);
    if (r >= 0)
        *out = r;
    return r < 0 ? r : 0;
}

static long direct_notify_add(pal_handle h, const char *path, uint32_t mask)
{
    return HS3(SYS_inotify_add_watch, h, path, mask);
}

static long direct_notify_remove(pal_handle h, int32_t wd)
{
    return HS2(SYS_inotify_rm_watch, h, wd);
}

void direct_fill_misc(struct pal_api *api)
{
    api->log = direct_log;
    api->process_exit = direct_process_exit;
    vdso_init();
    api->clock_get = direct_clock_get;
    api->cpu_clock_get = direct_cpu_clock_get;
    api->rusage_get = direct_rusage_get;
    api->clock_res = direct_clock_res;
    api->sleep = direct_sleep;
    api->random = direct_random;
    api->alarm_timer = direct_alarm_timer;
    api->timer_create = direct_timer_create;
    api->timer_set = direct_timer_set;
    api->timer_get = direct_timer_get;
    api->notify_create = direct_notify_create;
    api->notify_add = direct_notify_add;
    api->notify_remove = direct_notify_remove;
}
