/* Clocks, sleeping and randomness, all from the PAL. There is no vDSO
 * (no AT_SYSINFO_EHDR), so libc's time functions come here as syscalls. */
#include <linux/time.h>

#include "core/signal.h"
#include "sys/sys.h"

#define NSEC 1000000000LL

struct k_timespec {
    int64_t tv_sec, tv_nsec;
};
struct k_timeval {
    int64_t tv_sec, tv_usec;
};

/* A CPU-time clock: CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID or
 * an id of clock_getcpuclockid(3) / pthread_getcpuclockid(3) (~pid << 3 |
 * type, with bit 2 for a thread; type 3 is invalid). Sets *host_tid to
 * what the PAL's cpu_clock_get takes: -1 this process, 0 the calling
 * thread, else another thread's host id. The clocks of other processes
 * are not offered (EINVAL, as for a pid that does not exist); the three
 * types (PROF, VIRT, SCHED) all read user plus system time. */
long cpu_clock_of(int clock, long *host_tid)
{
    if (clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_THREAD_CPUTIME_ID) {
        *host_tid = clock == CLOCK_PROCESS_CPUTIME_ID ? -1 : 0;
        return PAL_HAS(pal, cpu_clock_get) ? 0 : -PAL_EINVAL;
    }
    if (clock >= 0 || (clock & 3) == 3 || !PAL_HAS(pal, cpu_clock_get))
        return -PAL_EINVAL;
    int id = ~(clock >> 3);
    if (!(clock & 4)) {
        *host_tid = -1;
        return id == 0 || id == libos_pid ? 0 : -PAL_EINVAL;
    }
    *host_tid = 0;
    if (id == 0 || id == cur_thread()->tid)
        return 0;
    struct libos_thread *t = thread_find(id);
    *host_tid = t ? t->host_tid : 0;
    return *host_tid > 0 ? 0 : -PAL_EINVAL;
}

/* Another process of the tree named by a process CPU clock
 * (clock_getcpuclockid(3) of a child): its id, else 0. Its clock is its
 * user and system time as the PAL reports them (the host's, in ticks). */
static int other_process_clock(int clock, struct pal_proc_info *info)
{
    int id = ~(clock >> 3);
    if (clock >= 0 || (clock & 7) == 3 || (clock & 4) || id == 0 || id == libos_pid ||
        ns_own_id(id) || !PAL_HAS(pal, process_info) || pal->process_info(id, info) < 0)
        return 0;
    return id;
}

static long clock_ns(int clock, int64_t *ns)
{
    struct pal_proc_info info;
    if (other_process_clock(clock, &info)) {
        *ns = (int64_t)(info.utime_ns + info.stime_ns);
        return 0;
    }
    if (clock < 0 || clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_THREAD_CPUTIME_ID) {
        long tid;
        long r = cpu_clock_of(clock, &tid);
        return r < 0 ? r : pal->cpu_clock_get(tid, ns);
    }
    if (clock > CLOCK_BOOTTIME && clock != CLOCK_TAI)
        return -PAL_EINVAL;
    return pal->clock_get(clock, ns);
}

/* Whether clock names a clock clock_gettime can read. */
static long clock_valid(int clock)
{
    struct pal_proc_info info;
    long tid;
    if (other_process_clock(clock, &info))
        return 0;
    if (clock < 0 || clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_THREAD_CPUTIME_ID)
        return cpu_clock_of(clock, &tid);
    return clock > CLOCK_BOOTTIME && clock != CLOCK_TAI ? -PAL_EINVAL : 0;
}

SYS(clock_gettime)
{
    int64_t ns;
    long r = clock_ns((int)A(0), &ns);
    if (r == 0) {
        struct k_timespec *ts = PTR(1);
        ts->tv_sec = ns / NSEC;
        ts->tv_nsec = ns % NSEC;
    }
    return r;
}

SYS(clock_getres)
{
    long r = clock_valid((int)A(0));
    if (r < 0)
        return r;
    /* The host's resolution (the tick for the coarse clocks); 1 ns for
     * the CPU-time clocks, as Linux's. */
    int64_t ns = 1;
    int clock = (int)A(0);
    if (clock >= 0 && clock != CLOCK_PROCESS_CPUTIME_ID && clock != CLOCK_THREAD_CPUTIME_ID &&
        PAL_HAS(pal, clock_res) && pal->clock_res(clock, &ns) < 0)
        ns = 1;
    if (PTR(1)) {
        struct k_timespec *ts = PTR(1);
        ts->tv_sec = ns / NSEC;
        ts->tv_nsec = ns % NSEC;
    }
    return 0;
}

/* clock_settime(2): only CLOCK_REALTIME (and a CPU-time clock, never) can
 * be set, by a process with CAP_SYS_TIME over the host's clock: Linux's
 * checks in its order, then EPERM, as without the capability. */
SYS(clock_settime)
{
    int clock = (int)A(0);
    struct k_timespec ts;
    if (clock < 0) {
        long tid;
        long r = cpu_clock_of(clock, &tid);
        return r < 0 ? r : -PAL_EPERM;
    }
    if (clock != CLOCK_REALTIME)
        return -PAL_EINVAL;
    memcpy(&ts, PTR(1), sizeof(ts)); /* a bad pointer faults: EFAULT */
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC)
        return -PAL_EINVAL;
    return -PAL_EPERM;
}

/* settimeofday(2): the checks of the time and the time zone, then EPERM
 * as clock_settime. */
SYS(settimeofday)
{
    struct k_timeval tv;
    int32_t tz[2];
    if (PTR(0)) {
        memcpy(&tv, PTR(0), sizeof(tv));
        if (tv.tv_usec < 0 || tv.tv_usec >= 1000000 || tv.tv_sec < 0)
            return -PAL_EINVAL;
    }
    if (PTR(1)) {
        memcpy(tz, PTR(1), sizeof(tz));
        if (tz[0] > 15 * 60 || tz[0] < -15 * 60)
            return -PAL_EINVAL;
    }
    return -PAL_EPERM;
}

SYS(gettimeofday)
{
    int64_t ns;
    long r = pal->clock_get(CLOCK_REALTIME, &ns);
    if (r == 0 && PTR(0)) {
        struct k_timeval *tv = PTR(0);
        tv->tv_sec = ns / NSEC;
        tv->tv_usec = (ns % NSEC) / 1000;
    }
    return r;
}

SYS(time)
{
    int64_t ns;
    long r = pal->clock_get(CLOCK_REALTIME, &ns);
    if (r < 0)
        return r;
    if (PTR(0))
        *(int64_t *)PTR(0) = ns / NSEC;
    return ns / NSEC;
}

/* Sleeps ns on CLOCK_MONOTONIC. A host signal that cuts the sleep short
 * ends it with EINTR only when it left a signal to deliver; otherwise the
 * sleep goes on for what is left (a timer the program blocks or ignores
 * must not stretch it). rem gets what was left at an EINTR. */
static long sleep_for(int64_t ns, struct k_timespec *rem)
{
    int64_t start = 0, now = 0;
    pal->clock_get(CLOCK_MONOTONIC, &start);
    for (;;) {
        long r = pal->sleep(ns);
        if (r != -PAL_EINTR)
            return r;
        pal->clock_get(CLOCK_MONOTONIC, &now);
        int64_t left = ns - (now - start);
        if (left <= 0)
            return 0;
        if (signal_pending_for(cur_thread()->sigmask)) {
            if (rem)
                *rem = (struct k_timespec){left / NSEC, left % NSEC};
            return -PAL_EINTR;
        }
        ns = left;
        start = now;
    }
}

static long sleep_ts(const struct k_timespec *ts, struct k_timespec *rem)
{
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NSEC)
        return -PAL_EINVAL;
    return sleep_for(ts->tv_sec * NSEC + ts->tv_nsec, rem);
}

SYS(nanosleep) { return sleep_ts(PTR(0), PTR(1)); }

/* Until the process's CPU time reaches until (ns): it advances only while
 * some thread runs, so the wait is in slices, as long as Linux's. */
static long sleep_cpu(int clock, int64_t until, bool abs, struct k_timespec *rem)
{
    int64_t now;
    long r = clock_ns(clock, &now);
    if (r < 0)
        return r;
    if (!abs)
        until = now + until;
    while (now < until) {
        int64_t left = until - now;
        r = sleep_for(left < 10000000 ? left : 10000000, NULL);
        if (r == 0)
            r = clock_ns(clock, &now);
        if (r < 0) {
            if (r == -PAL_EINTR && rem && !abs)
                *rem = (struct k_timespec){left / NSEC, left % NSEC};
            return r;
        }
    }
    return 0;
}

SYS(clock_nanosleep)
{
    int clock = (int)A(0);
    const struct k_timespec *ts = PTR(2);
    bool abs = A(1) & TIMER_ABSTIME;
    /* Linux's order: the clock (no sleeping on a thread's CPU clock, nor
     * on the raw, coarse and dynamic (fd, type 3) clocks), then the time. */
    if (clock < 0 && (clock & 3) == 3)
        return -PAL_EOPNOTSUPP;
    long r = clock_valid(clock);
    if (r < 0)
        return r;
    if (clock == CLOCK_THREAD_CPUTIME_ID || (clock < 0 && (clock & 4)))
        return -PAL_EINVAL;
    if (clock == CLOCK_MONOTONIC_RAW || clock == CLOCK_REALTIME_COARSE ||
        clock == CLOCK_MONOTONIC_COARSE)
        return -PAL_EOPNOTSUPP;
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NSEC)
        return -PAL_EINVAL;
    int64_t until = ts->tv_sec * NSEC + ts->tv_nsec;
    if (clock < 0 || clock == CLOCK_PROCESS_CPUTIME_ID)
        return sleep_cpu(clock, until, abs, PTR(3));
    if (!abs)
        return sleep_for(until, PTR(3));
    int64_t now;
    r = clock_ns(clock, &now);
    return r < 0 ? r : (until > now ? sleep_for(until - now, NULL) : 0);
}

SYS(getrandom)
{
    if (A(2) & ~7ULL)
        return -PAL_EINVAL;
    long r = pal->random(PTR(0), A(1));
    return r < 0 ? r : (long)A(1);
}
