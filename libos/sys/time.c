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

static long clock_ns(int clock, int64_t *ns)
{
    if (clock < 0 || clock > CLOCK_BOOTTIME)
        return -PAL_EINVAL;
    return pal->clock_get(clock, ns);
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
    if ((int)A(0) < 0 || (int)A(0) > CLOCK_BOOTTIME)
        return -PAL_EINVAL;
    if (PTR(1)) {
        struct k_timespec *ts = PTR(1);
        ts->tv_sec = 0;
        ts->tv_nsec = 1;
    }
    return 0;
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

SYS(clock_nanosleep)
{
    const struct k_timespec *ts = PTR(2);
    if (!(A(1) & TIMER_ABSTIME))
        return sleep_ts(ts, PTR(3));
    int64_t now;
    long r = clock_ns((int)A(0), &now);
    int64_t until = ts->tv_sec * NSEC + ts->tv_nsec;
    return r < 0 ? r : (until > now ? sleep_for(until - now, NULL) : 0);
}

SYS(getrandom)
{
    if (A(2) & ~7ULL)
        return -PAL_EINVAL;
    long r = pal->random(PTR(0), A(1));
    return r < 0 ? r : (long)A(1);
}
