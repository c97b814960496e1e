/* alarm, setitimer, getitimer: ITIMER_REAL through the PAL's timer, whose
 * SIGALRM comes back as a host signal. The virtual and profiling timers
 * are not supported. */
#include "sys/sys.h"

#define NSEC 1000000000LL

struct k_timeval {
    int64_t tv_sec, tv_usec;
};
struct k_itimerval {
    struct k_timeval interval, value;
};

static int64_t tv_ns(const struct k_timeval *tv) { return tv->tv_sec * NSEC + tv->tv_usec * 1000; }

static void ns_tv(int64_t ns, struct k_timeval *tv)
{
    tv->tv_sec = ns / NSEC;
    tv->tv_usec = ns % NSEC / 1000;
}

static long itimer(int which, const struct k_itimerval *nv, struct k_itimerval *ov)
{
    int64_t old_value, old_interval;
    if (which != 0 /* ITIMER_REAL */)
        return -PAL_EINVAL;
    long r = nv ? pal->alarm_timer(tv_ns(&nv->value), tv_ns(&nv->interval), &old_value, &old_interval)
                : pal->alarm_timer(-1, 0, &old_value, &old_interval);
    if (r == 0 && ov) {
        ns_tv(old_value, &ov->value);
        ns_tv(old_interval, &ov->interval);
    }
    return r;
}

SYS(setitimer) { return itimer((int)A(0), PTR(1), PTR(2)); }

SYS(getitimer) { return itimer((int)A(0), NULL, PTR(1)); }

SYS(alarm)
{
    int64_t old_value = 0;
    long r = pal->alarm_timer((int64_t)A(0) * NSEC, 0, &old_value, NULL);
    if (r < 0)
        return r;
    return (long)((old_value + NSEC / 2) / NSEC);
}
