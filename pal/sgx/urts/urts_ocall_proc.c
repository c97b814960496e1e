/* Host side of the process, time and thread PAL OCALLs (abi/ocall_abi.h). */
#include <cpuid.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "host_cp.h"
#include "urts_fork.h"
#include "urts_internal.h"
#include "urts_ocall.h"
#include "urts_procs.h"

#define NS 1000000000LL

static int64_t do_log(const uint8_t *msg, uint64_t len)
{
    while (len) {
        ssize_t n = write(geode_diag_fd, msg, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -errno;
        msg += n;
        len -= (uint64_t)n;
    }
    return 0;
}

/* The program ended: nothing of the host process outlives it. At debug log
 * level the transition counts go to the log first, with the enclave's own
 * counts when it sent them (the last bytes of the input). */
__attribute__((noreturn)) static void do_exit(const struct urts_enclave *e, int64_t status,
                                             const uint8_t *rest, uint64_t rest_len)
{
    struct enclave_stats st;

    urts_procs_exit();
    if (e && e->desc.log_counters) {
        if (rest_len == sizeof(st))
            memcpy(&st, rest, sizeof(st));
        urts_print_counters(e, rest_len == sizeof(st) ? &st : NULL);
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        fprintf(e->desc.log_counters, "geode: exit at %.3f ms\n",
                (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6);
    }
    fflush(NULL);
    _exit((int)(status & 0xff));
}

__attribute__((noreturn)) static void do_kill_self(int64_t signo)
{
    sigset_t set;

    urts_procs_exit();
    fflush(NULL);
    if (signo > 0 && signo < 65) {
        signal((int)signo, SIG_DFL);
        sigemptyset(&set);
        sigaddset(&set, (int)signo);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise((int)signo);
    }
    _exit(128 + (int)(signo & 0x7f)); /* signals whose default is to be ignored */
}

static int64_t signal_call(uint64_t number, int64_t signo, int on)
{
    const struct pal_api *d = urts_procs_api();
    long (*set)(int, int) = number == OCALL_SIGNAL_IGNORE ? d->signal_host_ignore : d->signal_host_block;

    if (signo < 1 || signo > 64)
        return -EINVAL;
    if (number == OCALL_STOP_SELF)
        return d->process_stop ? d->process_stop((int)signo) : -ENOSYS;
    return set ? set((int)signo, on) : -ENOSYS; /* none before urts_procs_init */
}

static int64_t do_clock(int64_t clock, uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    struct timespec ts;
    int64_t ns;

    if (out_cap < sizeof(ns))
        return -EINVAL;
    if (clock_gettime((clockid_t)clock, &ts) != 0)
        return -errno;
    ns = (int64_t)ts.tv_sec * NS + ts.tv_nsec;
    memcpy(out, &ns, sizeof(ns));
    *out_size = sizeof(ns);
    return 0;
}

/* RUSAGE_CHILDREN counts the program's children only: what this host
 * process reaped before its program started (geode's own test children,
 * e.g. host_caps' probes on a host without kernel FSGSBASE) is taken off. */
static int64_t children_base[2];

/* getrusage(who)'s user and system time, in ns. */
static int rusage_ns(int who, int64_t t[2])
{
    struct rusage ru;

    if (getrusage(who, &ru) != 0)
        return -errno;
    t[0] = (int64_t)ru.ru_utime.tv_sec * NS + ru.ru_utime.tv_usec * 1000LL;
    t[1] = (int64_t)ru.ru_stime.tv_sec * NS + ru.ru_stime.tv_usec * 1000LL;
    return 0;
}

void urts_rusage_children_mark(void)
{
    int64_t t[2];

    if (rusage_ns(RUSAGE_CHILDREN, t) == 0)
        memcpy(children_base, t, sizeof(t));
}

static int64_t do_rusage(int64_t who, uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    int64_t t[2], r;

    if (out_cap < sizeof(t) ||
        (who != RUSAGE_SELF && who != RUSAGE_THREAD && who != RUSAGE_CHILDREN))
        return -EINVAL;
    r = rusage_ns((int)who, t);
    if (r)
        return r;
    for (int i = 0; i < 2 && who == RUSAGE_CHILDREN; i++)
        t[i] = t[i] > children_base[i] ? t[i] - children_base[i] : 0;
    memcpy(out, t, sizeof(t));
    *out_size = sizeof(t);
    return 0;
}

static int64_t do_clock_res(int64_t clock, uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    struct timespec ts;
    int64_t ns;

    if (out_cap < sizeof(ns) || clock < 0 || clock > CLOCK_TAI)
        return -EINVAL;
    if (clock_getres((clockid_t)clock, &ts) != 0)
        return -errno;
    ns = (int64_t)ts.tv_sec * NS + ts.tv_nsec;
    memcpy(out, &ns, sizeof(ns));
    *out_size = sizeof(ns);
    return 0;
}

static int64_t do_sleep(int64_t ns)
{
    struct timespec ts = {ns / NS, ns % NS};

    if (ns < 0)
        return -EINVAL;
    return HC3(SYS_nanosleep, &ts, NULL, 0);
}

static int64_t do_alarm(int64_t value, int64_t interval, uint8_t *out, uint64_t out_cap,
                        uint64_t *out_size)
{
    struct itimerval it, old;
    int64_t prev[2];

    if (out_cap < sizeof(prev) || interval < 0)
        return -EINVAL;
    if (value < 0) {
        if (getitimer(ITIMER_REAL, &old) != 0)
            return -errno;
    } else {
        it.it_value = (struct timeval){value / NS, (value % NS) / 1000};
        it.it_interval = (struct timeval){interval / NS, (interval % NS) / 1000};
        if (value > 0 && !it.it_value.tv_sec && !it.it_value.tv_usec)
            it.it_value.tv_usec = 1; /* below a microsecond: not "disarm" */
        if (setitimer(ITIMER_REAL, &it, &old) != 0)
            return -errno;
    }
    prev[0] = (int64_t)old.it_value.tv_sec * NS + old.it_value.tv_usec * 1000;
    prev[1] = (int64_t)old.it_interval.tv_sec * NS + old.it_interval.tv_usec * 1000;
    memcpy(out, prev, sizeof(prev));
    *out_size = sizeof(prev);
    return 0;
}

static int64_t do_cpuid(int64_t leaf, int64_t sub, uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    uint32_t r[4];

    if (out_cap < sizeof(r))
        return -EINVAL;
    __cpuid_count((uint32_t)leaf, (uint32_t)sub, r[0], r[1], r[2], r[3]);
    memcpy(out, r, sizeof(r));
    *out_size = sizeof(r);
    return 0;
}

/* Page-table permissions of enclave pages; nothing outside the enclave. */
static int64_t do_mprotect(const struct urts_enclave *e, int64_t addr, int64_t len, int64_t prot)
{
    uint64_t a = (uint64_t)addr, n = (uint64_t)len;

    if (!e || a % 4096 || n % 4096 || !n || prot & ~(int64_t)(PROT_READ | PROT_WRITE | PROT_EXEC) ||
        a < e->base || a - e->base >= e->size || n > e->size - (a - e->base))
        return -EINVAL;
    /* Test hook: a host that keeps every enclave page it may map open to
     * all accesses (the EPCM, not the host, must then refuse them); with
     * "all", PROT_NONE requests too (nothing the enclave did not zero may
     * then be readable: t_sim_dirty_heap.sh). */
    const char *widen = getenv("GEODE_TEST_HOST_WIDENS_MPROTECT");
    if (widen && (prot || !strcmp(widen, "all")))
        prot = PROT_READ | PROT_WRITE | PROT_EXEC;
    if (e->drv && e->drv->protect) /* the sim: page tables intersected with the EPCM */
        return e->drv->protect(e->encl, a, n, (int)prot);
    return mprotect((void *)(uintptr_t)a, n, (int)prot) ? -errno : 0;
}

/* OCALL_EDMM: the driver's SGX2 operations on a range of this enclave. */
static int64_t do_edmm(const struct urts_enclave *e, int64_t op, int64_t addr, int64_t len, int64_t perms)
{
    const struct sgx_driver *d = e ? e->drv : NULL;
    uint64_t a = (uint64_t)addr, n = (uint64_t)len, off = a - (e ? e->base : 0);

    if (!e || a % 4096 || n % 4096 || !n || a < e->base || off >= e->size || n > e->size - off)
        return -EINVAL;
    if (!d->sgx2 || !d->augment)
        return -ENOSYS;
    switch (op) {
    case OCALL_EDMM_AUGMENT:
        return d->augment(e->encl, a, n);
    case OCALL_EDMM_RESTRICT:
        return d->restrict_permissions(e->encl, &(struct sgx_enclave_restrict_permissions){off, n, (uint64_t)perms, 0, 0});
    case OCALL_EDMM_TRIM:
        /* Test hook: a host that trims the first half of a range of more
         * than one page and reports a failure (t_sim_edmm.sh). */
        if (getenv("GEODE_TEST_HOST_HALF_TRIM") && n > 4096) {
            n = n / 8192 * 4096;
            d->modify_types(e->encl, &(struct sgx_enclave_modify_types){off, n, SGX_PT_TRIM, 0, 0});
            return -EFAULT;
        }
        return d->modify_types(e->encl, &(struct sgx_enclave_modify_types){off, n, SGX_PT_TRIM, 0, 0});
    case OCALL_EDMM_REMOVE:
        return d->remove_pages(e->encl, &(struct sgx_enclave_remove_pages){off, n, 0});
    }
    return -EINVAL;
}

static int64_t do_timerfd_create(int64_t clock)
{
    int fd = timerfd_create((int)clock, TFD_NONBLOCK | TFD_CLOEXEC);

    return fd < 0 ? -errno : fd;
}

static int64_t ts_ns(const struct timespec *ts) { return ts->tv_sec * 1000000000LL + ts->tv_nsec; }

static int64_t timer_out(const struct itimerspec *v, uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    int64_t pair[2] = {ts_ns(&v->it_value), ts_ns(&v->it_interval)};

    if (out_cap < sizeof(pair))
        return -EINVAL;
    memcpy(out, pair, sizeof(pair));
    *out_size = sizeof(pair);
    return 0;
}

static int64_t do_timerfd_settime(const int64_t *a, uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    struct itimerspec nv, ov;

    if (a[0] < 0 || a[0] > INT32_MAX || a[2] < 0 || a[3] < 0)
        return -EINVAL;
    nv.it_value = (struct timespec){a[2] / 1000000000LL, a[2] % 1000000000LL};
    nv.it_interval = (struct timespec){a[3] / 1000000000LL, a[3] % 1000000000LL};
    if (timerfd_settime((int)a[0], (int)a[1], &nv, &ov))
        return -errno;
    return timer_out(&ov, out, out_cap, out_size);
}

static int64_t do_timerfd_gettime(int64_t h, uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    struct itimerspec v;

    if (h < 0 || h > INT32_MAX)
        return -EINVAL;
    if (timerfd_gettime((int)h, &v))
        return -errno;
    return timer_out(&v, out, out_cap, out_size);
}

static int64_t do_inotify_add(int64_t h, int64_t mask, const uint8_t *path, uint64_t len)
{
    if (h < 0 || h > INT32_MAX || mask < 0 || mask > UINT32_MAX || !len || path[len - 1] ||
        memchr(path, 0, len) != path + len - 1)
        return -EINVAL;
    int wd = inotify_add_watch((int)h, (const char *)path, (uint32_t)mask);
    return wd < 0 ? -errno : wd;
}

int64_t urts_ocall_proc(struct urts_enclave *e, uint32_t thread, uint64_t number, const uint8_t *in,
                        uint64_t in_size, uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    struct urts_ocall_in r;
    const int64_t *a = r.a.a;

    (void)e;
    (void)thread;
    *out_size = 0;
    if (urts_ocall_begin(&r, in, in_size))
        return -EINVAL;
    switch (number) {
    case OCALL_LOG:
        return do_log(in + r.pos, in_size - r.pos);
    case OCALL_EXIT:
        do_exit(e, a[0], in + r.pos, in_size - r.pos);
    case OCALL_KILL_SELF:
        do_kill_self(a[0]);
    /* The direct PAL's own calls (pal/direct/pal_signal.c), on this host
     * thread: a stop by the host's default action, the host ignoring or
     * this thread blocking SIGTTIN/SIGTTOU; each checks signo. */
    case OCALL_STOP_SELF:
        return signal_call(number, a[0], 0);
    case OCALL_SIGNAL_IGNORE:
    case OCALL_SIGNAL_HOST_BLOCK:
        return a[1] == 0 || a[1] == 1 ? signal_call(number, a[0], (int)a[1]) : -EINVAL;
    case OCALL_THREAD_WAKE:
        /* tgkill with this process's id: no other process is reached */
        if (a[0] <= 0 || a[0] > INT32_MAX)
            return -ESRCH;
        return syscall(SYS_tgkill, getpid(), (pid_t)a[0], DIRECT_WAKE_SIGNAL) == 0 ? 0 : -errno;
    case OCALL_CLOCK_GET:
        return do_clock(a[0], out, out_cap, out_size);
    case OCALL_CLOCK_RES:
        return do_clock_res(a[0], out, out_cap, out_size);
    case OCALL_RUSAGE:
        return do_rusage(a[0], out, out_cap, out_size);
    case OCALL_SLEEP:
        return do_sleep(a[0]);
    case OCALL_ALARM:
        return do_alarm(a[0], a[1], out, out_cap, out_size);
    case OCALL_YIELD:
        return sched_yield() == 0 ? 0 : -errno;
    case OCALL_THREAD_ID:
        return syscall(SYS_gettid);
    case OCALL_PROCESS_ID:
        return getpid();
    case OCALL_CPUID:
        return do_cpuid(a[0], a[1], out, out_cap, out_size);
    case OCALL_MPROTECT:
        return urts_ocall_end(&r) ? do_mprotect(e, a[0], a[1], a[2]) : -EINVAL;
    case OCALL_EDMM:
        return urts_ocall_end(&r) ? do_edmm(e, a[0], a[1], a[2], a[3]) : -EINVAL;
    case OCALL_FORK:
        return urts_ocall_end(&r) ? urts_fork(e, thread, out, out_cap, out_size) : -EINVAL;
    case OCALL_FORK_ABORT:
        return urts_ocall_end(&r) ? urts_fork_abort(a[0]) : -EINVAL;
    case OCALL_TIMERFD_CREATE:
        return urts_ocall_end(&r) ? do_timerfd_create(a[0]) : -EINVAL;
    case OCALL_TIMERFD_SETTIME:
        return urts_ocall_end(&r) ? do_timerfd_settime(a, out, out_cap, out_size) : -EINVAL;
    case OCALL_INOTIFY_INIT: {
        int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        return fd < 0 ? -errno : fd;
    }
    case OCALL_INOTIFY_ADD:
        return do_inotify_add(a[0], a[1], in + r.pos, in_size - r.pos);
    case OCALL_INOTIFY_RM:
        if (!urts_ocall_end(&r) || a[0] < 0 || a[0] > INT32_MAX || a[1] < INT32_MIN || a[1] > INT32_MAX)
            return -EINVAL;
        return inotify_rm_watch((int)a[0], (int)a[1]) ? -errno : 0;
    case OCALL_TIMERFD_GETTIME:
        return urts_ocall_end(&r) ? do_timerfd_gettime(a[0], out, out_cap, out_size) : -EINVAL;
    case OCALL_THREAD_START:
    case OCALL_FUTEX_WAIT:
    case OCALL_FUTEX_WAKE:
        return urts_ocall_end(&r) ? urts_ocall_thread(e, thread, number, &r.a) : -EINVAL;
    }
    return -ENOSYS;
}
