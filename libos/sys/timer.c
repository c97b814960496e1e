/* Timers that signal the process: alarm, setitimer/getitimer (ITIMER_REAL)
 * and the POSIX per-process timers (timer_create(2) and the rest).
 *
 * All of them share the PAL's one alarm timer (pal.h alarm_timer, a host
 * ITIMER_REAL whose SIGALRM comes back as a host signal): the libOS keeps
 * every timer's deadline on CLOCK_MONOTONIC and arms the PAL's timer for
 * the earliest. At the host's SIGALRM (entry/upcall.c) ptimer_host_alarm
 * raises the signal of each timer that expired (SIGALRM for ITIMER_REAL;
 * sigev_signo with SI_TIMER, the timer id, its overrun and sigev_value for
 * a POSIX timer), reloads the periodic ones and arms the next.
 *
 * Timers on CPU-time clocks (ITIMER_VIRTUAL with SIGVTALRM, ITIMER_PROF
 * with SIGPROF, timer_create on CLOCK_PROCESS_CPUTIME_ID,
 * CLOCK_THREAD_CPUTIME_ID or a clock_getcpuclockid id) keep their deadline
 * on that clock (pal.h cpu_clock_get); while one is armed the PAL's timer
 * fires at least every CPU_POLL_NS to compare the clock with it, so their
 * signals come up to that late. ITIMER_VIRTUAL counts user and system
 * time, as ITIMER_PROF (the host's split is not known here).
 *
 * Limits: a CLOCK_REALTIME timer follows CLOCK_MONOTONIC after it is set
 * (a later change of the wall clock does not move it); a SIGEV_THREAD_ID
 * signal waits in its thread's own pending set. A forked child has no
 * timers, execve deletes the POSIX timers and keeps the interval timers,
 * as on Linux. */
#include "core/signal.h"
#include "sys/poll.h"
#include "sys/sys.h"

#define NSEC 1000000000LL
#define MAX_TIMERS 64
#define SIGALRM_ 14
#define SIGVTALRM_ 26
#define SIGPROF_ 27
#define CPU_POLL_NS 10000000LL /* 10 ms */
#define SI_TIMER_ (-2)
#define SIGEV_SIGNAL_ 0
#define SIGEV_NONE_ 1
#define SIGEV_THREAD_ID_ 4
#define TIMER_ABSTIME_ 1
#define CLOCK_REALTIME_ 0
#define CLOCK_MONOTONIC_ 1
#define CLOCK_PROCESS_CPUTIME_ID_ 2
#define CLOCK_THREAD_CPUTIME_ID_ 3
#define CLOCK_BOOTTIME_ 7
#define DELAYTIMER_MAX_ 0x7fffffff

struct k_timeval {
    int64_t tv_sec, tv_usec;
};
struct k_itimerval {
    struct k_timeval interval, value;
};
struct k_itimerspec {
    struct k_timespec interval, value;
};
struct k_sigevent {
    uint64_t value;
    int32_t signo, notify;
    int32_t tid;
    int32_t pad[11];
};

/* A timer: deadline on CLOCK_MONOTONIC in ns (0: disarmed), or with cpu
 * on the CPU-time clock of cpu_tid (pal.h cpu_clock_get: -1 the process,
 * else a host thread). */
struct ptimer {
    bool used;
    bool cpu;
    long cpu_tid;
    int clock, notify, signo;
    int tid; /* SIGEV_THREAD_ID: the thread the signal goes to */
    uint64_t value;
    int64_t deadline, interval;
    int overrun; /* expirations while its signal was still pending */
};

static struct ptimer timers[MAX_TIMERS];
/* ITIMER_REAL (SIGALRM), ITIMER_VIRTUAL (SIGVTALRM), ITIMER_PROF (SIGPROF). */
static struct ptimer itimers[3] = {
    {.used = true, .signo = SIGALRM_},
    {.used = true, .signo = SIGVTALRM_, .cpu = true, .cpu_tid = -1},
    {.used = true, .signo = SIGPROF_, .cpu = true, .cpu_tid = -1},
};
#define itimer_real itimers[0]
static spinlock_t timers_lock;

static int64_t mono_now(void)
{
    int64_t ns = 0;
    pal->clock_get(CLOCK_MONOTONIC_, &ns);
    return ns;
}

/* The time on t's clock: mono, or its CPU-time clock (a PAL call, made
 * with timers_lock held: the timers' one lock is short). */
static int64_t now_of(const struct ptimer *t, int64_t mono)
{
    int64_t ns = 0;
    if (!t->cpu)
        return mono;
    pal->cpu_clock_get(t->cpu_tid, &ns);
    return ns;
}

/* The wall time until t may expire: its deadline for a CLOCK_MONOTONIC
 * timer, for a CPU-time one the CPU time left, at most CPU_POLL_NS. */
static int64_t wall_left(const struct ptimer *t, int64_t now)
{
    int64_t left = t->deadline - now_of(t, now);
    if (t->cpu && left > CPU_POLL_NS)
        left = CPU_POLL_NS;
    return left > 0 ? left : 1000;
}

/* The host alarm arm_host set has not been seen by ptimer_host_alarm yet;
 * and one that fired just before the last timer was disarmed, whose
 * SIGALRM may still come in (timers_lock held for both). */
static bool host_armed, late_alarm;

/* Arms the PAL's timer for the earliest deadline (timers_lock held). */
static void arm_host(int64_t now)
{
    int64_t delay = 0;
    for (int i = 0; i < MAX_TIMERS + 3; i++) {
        const struct ptimer *t = i < 3 ? &itimers[i] : &timers[i - 3];
        if (t->used && t->deadline) {
            int64_t d = wall_left(t, now);
            if (!delay || d < delay)
                delay = d;
        }
    }
    int64_t old_value = -1, old_interval;
    pal->alarm_timer(delay, 0, &old_value, &old_interval);
    if (!delay && host_armed && old_value == 0)
        late_alarm = true;
    host_armed = delay != 0;
}

/* The time left and the interval of t, in ns. */
static void remaining(const struct ptimer *t, int64_t now, int64_t *left, int64_t *interval)
{
    now = t->deadline ? now_of(t, now) : now;
    *left = t->deadline ? (t->deadline > now ? t->deadline - now : 1) : 0;
    *interval = t->interval;
}

/* Expirations of t due by now (t->deadline <= now): 1 + the periods that
 * passed too; reloads or disarms t. */
static int64_t expire(struct ptimer *t, int64_t now)
{
    int64_t n = 1;
    if (t->interval) {
        int64_t late = now - t->deadline;
        n += late / t->interval;
        t->deadline += n * t->interval;
    } else {
        t->deadline = 0;
    }
    return n;
}

bool ptimer_host_alarm(void)
{
    struct {
        int signo, tid, timer;
        struct signal_info info;
    } fire[MAX_TIMERS + 3];
    int n_fire = 0;
    bool ours = false;
    int64_t now = mono_now();
    spin_lock(&timers_lock);
    /* The alarm seen; a late one of a timer disarmed meanwhile is ours too,
     * not a SIGALRM from elsewhere (whose default action would end the
     * program). */
    host_armed = false;
    if (late_alarm)
        ours = true, late_alarm = false;
    for (int w = 0; w < 3; w++) {
        struct ptimer *t = &itimers[w];
        if (t->deadline) {
            ours = true;
            int64_t tnow = now_of(t, now);
            if (t->deadline <= tnow) {
                expire(t, tnow);
                fire[n_fire].signo = t->signo;
                fire[n_fire].tid = 0, fire[n_fire].timer = -1;
                fire[n_fire++].info.code = 0;
            }
        }
    }
    for (int i = 0; i < MAX_TIMERS; i++) {
        struct ptimer *t = &timers[i];
        if (!t->used || !t->deadline)
            continue;
        ours = true;
        int64_t tnow = now_of(t, now);
        if (t->deadline > tnow)
            continue;
        int64_t n = expire(t, tnow);
        if (t->notify == SIGEV_NONE_)
            continue;
        /* Still pending from an earlier expiration: counted as overruns
         * (the signal does not queue again), as on Linux. */
        if (signal_timer_queued(t->signo, t->tid, i, NULL)) {
            int64_t o = (int64_t)t->overrun + n;
            t->overrun = o > DELAYTIMER_MAX_ ? DELAYTIMER_MAX_ : (int)o;
        } else {
            t->overrun = n - 1 > DELAYTIMER_MAX_ ? DELAYTIMER_MAX_ : (int)(n - 1);
        }
        fire[n_fire].signo = t->signo;
        fire[n_fire].tid = t->tid;
        fire[n_fire].timer = i;
        fire[n_fire++].info = (struct signal_info){
            .code = SI_TIMER_,
            .f0 = (uint32_t)i | (uint64_t)(uint32_t)t->overrun << 32, /* si_tid, si_overrun */
            .f1 = t->value,                                           /* si_value */
        };
    }
    if (ours)
        arm_host(now);
    spin_unlock(&timers_lock);
    for (int k = 0; k < n_fire; k++) {
        const struct signal_info *info = fire[k].info.code ? &fire[k].info : NULL;
        /* Still queued: the signal is not sent again, it carries the new
         * overrun count. */
        if (info && signal_timer_queued(fire[k].signo, fire[k].tid, fire[k].timer, info))
            continue;
        /* SIGEV_THREAD_ID: that thread's own pending set (a thread that
         * ended meanwhile: the process's, as Linux would drop it). */
        if (!fire[k].tid || !signal_raise_thread(fire[k].tid, fire[k].signo, info))
            signal_async(fire[k].signo, info);
    }
    return ours;
}

/* --- ITIMER_REAL: alarm, setitimer, getitimer --- */

static int64_t tv_ns(const struct k_timeval *tv)
{
    return tv->tv_sec * NSEC + tv->tv_usec * 1000;
}

static void ns_tv(int64_t ns, struct k_timeval *tv)
{
    tv->tv_sec = ns / NSEC;
    tv->tv_usec = ns % NSEC / 1000;
}

static bool tv_ok(const struct k_timeval *tv)
{
    return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000 &&
           tv->tv_sec < (1LL << 62) / NSEC;
}

/* Sets interval timer which (value 0: disarm), returning the old setting. */
static void set_itimer(int which, int64_t value, int64_t interval, int64_t *old_value,
                       int64_t *old_interval)
{
    int64_t now = mono_now();
    struct ptimer *t = &itimers[which];
    spin_lock(&timers_lock);
    remaining(t, now, old_value, old_interval);
    t->deadline = value ? now_of(t, now) + value : 0;
    t->interval = value ? interval : 0;
    arm_host(now);
    spin_unlock(&timers_lock);
}

static void set_real(int64_t value, int64_t interval, int64_t *old_value, int64_t *old_interval)
{
    set_itimer(0, value, interval, old_value, old_interval);
}

SYS(setitimer)
{
    int which = (int)A(0);
    const struct k_itimerval *nv = PTR(1);
    struct k_itimerval *ov = PTR(2), v;
    if (which < 0 || which > 2 || (which && !PAL_HAS(pal, cpu_clock_get)))
        return -PAL_EINVAL; /* ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF */
    if (nv) {
        memcpy(&v, nv, sizeof(v)); /* a bad pointer faults: EFAULT */
        if (!tv_ok(&v.value) || !tv_ok(&v.interval))
            return -PAL_EINVAL;
    } else {
        memset(&v, 0, sizeof(v)); /* Linux: a NULL new value disarms */
    }
    int64_t old_value, old_interval;
    set_itimer(which, tv_ns(&v.value), tv_ns(&v.interval), &old_value, &old_interval);
    if (ov) {
        ns_tv(old_value, &ov->value);
        ns_tv(old_interval, &ov->interval);
    }
    return 0;
}

SYS(getitimer)
{
    int which = (int)A(0);
    struct k_itimerval *ov = PTR(1);
    if (which < 0 || which > 2 || (which && !PAL_HAS(pal, cpu_clock_get)))
        return -PAL_EINVAL;
    int64_t left, interval, now = mono_now();
    spin_lock(&timers_lock);
    remaining(&itimers[which], now, &left, &interval);
    spin_unlock(&timers_lock);
    ns_tv(left, &ov->value);
    ns_tv(interval, &ov->interval);
    return 0;
}

SYS(alarm)
{
    int64_t old_value, old_interval;
    set_real((int64_t)(uint32_t)A(0) * NSEC, 0, &old_value, &old_interval);
    /* Seconds left, rounded to nearest, and never 0 for a pending alarm. */
    long secs = (long)((old_value + NSEC / 2) / NSEC);
    return old_value && !secs ? 1 : secs;
}

/* --- POSIX timers --- */

static bool ts_ok(const struct k_timespec *t)
{
    return t->tv_nsec >= 0 && t->tv_nsec < NSEC && t->tv_sec >= 0 && t->tv_sec < (1LL << 62) / NSEC;
}

SYS(timer_create)
{
    int clock = (int)A(0);
    const struct k_sigevent *usev = PTR(1);
    int32_t *uid = PTR(2);
    long cpu_tid = 0;
    bool cpu = clock == CLOCK_PROCESS_CPUTIME_ID_ || clock == CLOCK_THREAD_CPUTIME_ID_ || clock < 0;
    if (clock < 0 && (clock & 3) == 3)
        return -PAL_EOPNOTSUPP; /* a dynamic (fd) clock: no timers */
    if (cpu) {
        long r = cpu_clock_of(clock, &cpu_tid);
        if (r < 0)
            return r;
        if (cpu_tid == 0) /* the calling thread's clock */
            cpu_tid = cur_thread()->host_tid ? cur_thread()->host_tid : pal->thread_id();
    } else if (clock == 4 || clock == 5 || clock == 6 || clock == 8 || clock == 9) {
        /* MONOTONIC_RAW, the coarse clocks: no timers on Linux; the ALARM
         * clocks: none without an RTC to wake the host (not offered). */
        return -PAL_EOPNOTSUPP;
    } else if (clock != CLOCK_REALTIME_ && clock != CLOCK_MONOTONIC_ && clock != CLOCK_BOOTTIME_) {
        return -PAL_EINVAL;
    }
    struct k_sigevent sev = {.notify = SIGEV_SIGNAL_, .signo = SIGALRM_};
    bool default_value = !usev;
    if (usev) {
        memcpy(&sev, usev, sizeof(sev)); /* a bad pointer faults: EFAULT */
        if (sev.notify != SIGEV_SIGNAL_ && sev.notify != SIGEV_NONE_ &&
            sev.notify != SIGEV_THREAD_ID_)
            return -PAL_EINVAL;
        if (sev.notify != SIGEV_NONE_ && (sev.signo < 1 || sev.signo > NSIG_))
            return -PAL_EINVAL;
        if (sev.notify == SIGEV_THREAD_ID_ && !ns_own_id(sev.tid))
            return -PAL_EINVAL;
    }
    int id = -1;
    spin_lock(&timers_lock);
    for (int i = 0; i < MAX_TIMERS && id < 0; i++)
        if (!timers[i].used) {
            id = i;
            timers[i] = (struct ptimer){.used = true,
                                        .cpu = cpu,
                                        .cpu_tid = cpu_tid,
                                        .clock = clock,
                                        .notify = sev.notify,
                                        .signo = sev.signo,
                                        .tid = sev.notify == SIGEV_THREAD_ID_ ? sev.tid : 0,
                                        .value = default_value ? (uint64_t)i : sev.value};
        }
    spin_unlock(&timers_lock);
    if (id < 0)
        return -PAL_EAGAIN;
    *uid = id; /* a bad pointer faults: EFAULT (the timer stays, as on a fault in Linux's copy) */
    return 0;
}

/* The timer id names, or NULL (timers_lock held). */
static struct ptimer *timer_of(long id)
{
    return id >= 0 && id < MAX_TIMERS && timers[id].used ? &timers[id] : NULL;
}

SYS(timer_settime)
{
    long id = (long)(int)A(0);
    int flags = (int)A(1);
    const struct k_itimerspec *unew = PTR(2);
    struct k_itimerspec *uold = PTR(3), nv;
    if (!unew)
        return -PAL_EINVAL;
    memcpy(&nv, unew, sizeof(nv)); /* a bad pointer faults: EFAULT */
    if (!ts_ok(&nv.value) || !ts_ok(&nv.interval))
        return -PAL_EINVAL;
    int64_t value = nv.value.tv_sec * NSEC + nv.value.tv_nsec;
    int64_t interval = nv.interval.tv_sec * NSEC + nv.interval.tv_nsec;
    /* The clocks are read before the lock (each may be a host call). */
    int64_t now = mono_now(), real_now = 0;
    pal->clock_get(CLOCK_REALTIME_, &real_now);
    spin_lock(&timers_lock);
    struct ptimer *t = timer_of(id);
    if (!t) {
        spin_unlock(&timers_lock);
        return -PAL_EINVAL;
    }
    int64_t old_left, old_interval;
    remaining(t, now, &old_left, &old_interval);
    if (t->cpu) {
        int64_t cpu_now = now_of(t, now);
        t->deadline = !value ? 0 : (flags & TIMER_ABSTIME_) ? value : cpu_now + value;
    } else if (value && (flags & TIMER_ABSTIME_)) {
        /* An absolute time on the timer's clock, as a distance from now
         * (CLOCK_BOOTTIME runs with CLOCK_MONOTONIC here: no suspend). */
        int64_t on_clock = t->clock == CLOCK_REALTIME_ ? real_now : now;
        value = value > on_clock ? value - on_clock : 1;
    }
    if (!t->cpu)
        t->deadline = value ? now + value : 0;
    t->interval = value ? interval : 0;
    t->overrun = 0;
    arm_host(now);
    spin_unlock(&timers_lock);
    if (uold) {
        uold->value = (struct k_timespec){old_left / NSEC, old_left % NSEC};
        uold->interval = (struct k_timespec){old_interval / NSEC, old_interval % NSEC};
    }
    return 0;
}

SYS(timer_gettime)
{
    long id = (long)(int)A(0);
    struct k_itimerspec *ucur = PTR(1);
    int64_t now = mono_now(), left, interval;
    spin_lock(&timers_lock);
    struct ptimer *t = timer_of(id);
    if (t)
        remaining(t, now, &left, &interval);
    spin_unlock(&timers_lock);
    if (!t)
        return -PAL_EINVAL;
    ucur->value = (struct k_timespec){left / NSEC, left % NSEC}; /* a bad pointer: EFAULT */
    ucur->interval = (struct k_timespec){interval / NSEC, interval % NSEC};
    return 0;
}

SYS(timer_getoverrun)
{
    spin_lock(&timers_lock);
    struct ptimer *t = timer_of((long)(int)A(0));
    long r = t ? t->overrun : -PAL_EINVAL;
    spin_unlock(&timers_lock);
    return r;
}

SYS(timer_delete)
{
    int64_t now = mono_now();
    spin_lock(&timers_lock);
    struct ptimer *t = timer_of((long)(int)A(0));
    if (t) {
        *t = (struct ptimer){0};
        arm_host(now);
    }
    spin_unlock(&timers_lock);
    return t ? 0 : -PAL_EINVAL;
}

void timers_forked(void)
{
    /* fork(2): the child has no POSIX timers and no interval timer (the
     * PAL's host timer is not inherited either). */
    memset(timers, 0, sizeof(timers));
    for (int w = 0; w < 3; w++)
        itimers[w].deadline = itimers[w].interval = 0;
}

void timers_exec(void)
{
    /* execve(2): POSIX timers are deleted, ITIMER_REAL stays. */
    int64_t now = mono_now();
    spin_lock(&timers_lock);
    memset(timers, 0, sizeof(timers));
    arm_host(now);
    spin_unlock(&timers_lock);
}
