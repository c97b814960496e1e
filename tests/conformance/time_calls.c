// modes: direct sim
/* Time calls beyond posix_timers' and cpu_clocks' checks: clock_getres(2)
 * of every clock id, clock_gettime(2) errors and order between clocks,
 * nanosleep(2) and clock_nanosleep(2) argument checks and interruption,
 * TIMER_ABSTIME in the past, clock_settime(2) EINVAL, setitimer(2) and
 * getitimer(2) ITIMER_REAL (argument checks, reload by it_interval),
 * alarm(2)'s return value, timer_create(2) with a NULL sigevent and
 * SIGEV_THREAD_ID, timer_settime(2) TIMER_ABSTIME in the past,
 * timer_delete(2) of an id never created. */
#include "conf.h"

#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

static volatile int alarms;
static void on_alrm(int sig)
{
    (void)sig;
    alarms++;
}

static long long ns_of(const struct timespec *t)
{
    return t->tv_sec * 1000000000LL + t->tv_nsec;
}

int main(void)
{
    struct timespec ts, a, b;
    static const char *names[] = {"REALTIME",
                                  "MONOTONIC",
                                  "PROCESS_CPUTIME_ID",
                                  "THREAD_CPUTIME_ID",
                                  "MONOTONIC_RAW",
                                  "REALTIME_COARSE",
                                  "MONOTONIC_COARSE",
                                  "BOOTTIME",
                                  "REALTIME_ALARM",
                                  "BOOTTIME_ALARM",
                                  "SGI_CYCLE",
                                  "TAI",
                                  "12"};
    for (int c = 0; c <= 12; c++) {
        char what[64];
        if (c == 8 || c == 9)
            continue; /* the ALARM clocks exist when the host has an RTC */
        snprintf(what, sizeof(what), "clock_getres %s", names[c]);
        ts.tv_sec = ts.tv_nsec = -1;
        long r = clock_getres(c, &ts);
        if (r)
            say("%s: -1 %s\n", what, ename(errno));
        else if (c == 5 || c == 6)
            say("%s: coarse, above 1 ns: %s\n", what, ns_of(&ts) > 1 ? "yes" : "no");
        else
            say("%s: %lld ns\n", what, ns_of(&ts));
    }
    chk("clock_getres -1", clock_getres(-1, &ts));
    chk("clock_getres MONOTONIC, NULL", clock_getres(CLOCK_MONOTONIC, NULL));
    chk("clock_getres bad pointer", syscall(SYS_clock_getres, CLOCK_MONOTONIC, BAD));
    chk("clock_gettime 12", syscall(SYS_clock_gettime, 12, &ts));
    chk("clock_gettime 10", syscall(SYS_clock_gettime, 10, &ts));
    chk("clock_gettime bad pointer", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD));
    chk("gettimeofday bad pointer", syscall(SYS_gettimeofday, BAD, NULL));

    int back = 0;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 10000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &b);
        back += ns_of(&b) < ns_of(&a);
        a = b;
    }
    say("MONOTONIC went back: %d\n", back);
    clock_gettime(CLOCK_MONOTONIC, &a);
    clock_gettime(CLOCK_BOOTTIME, &b);
    say("BOOTTIME >= MONOTONIC: %s\n", ns_of(&b) >= ns_of(&a) ? "yes" : "no");
    clock_gettime(CLOCK_REALTIME_COARSE, &a);
    clock_gettime(CLOCK_REALTIME, &b);
    say("REALTIME_COARSE <= REALTIME: %s\n", ns_of(&a) <= ns_of(&b) ? "yes" : "no");
    clock_gettime(CLOCK_REALTIME, &a);
    clock_gettime(CLOCK_TAI, &b);
    say("TAI >= REALTIME: %s\n", ns_of(&b) >= ns_of(&a) ? "yes" : "no");

    struct timespec bad = {0, 1000000000}, neg = {-1, 0}, negns = {0, -1}, zero = {0, 0};
    chk("nanosleep tv_nsec 1e9", nanosleep(&bad, NULL));
    chk("nanosleep tv_sec -1", nanosleep(&neg, NULL));
    chk("nanosleep tv_nsec -1", nanosleep(&negns, NULL));
    chk("nanosleep 0", nanosleep(&zero, NULL));
    chk("nanosleep bad pointer", syscall(SYS_nanosleep, BAD, NULL));
    say("clock_nanosleep tv_nsec 1e9: %s\n",
        ename(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL)));
    say("clock_nanosleep clock 12: %s\n", ename(clock_nanosleep(12, 0, &zero, NULL)));
    say("clock_nanosleep THREAD_CPUTIME_ID: %s\n",
        ename(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &zero, NULL)));
    say("clock_nanosleep MONOTONIC_RAW: %s\n",
        ename(clock_nanosleep(CLOCK_MONOTONIC_RAW, 0, &zero, NULL)));
    int r0 = clock_nanosleep(CLOCK_BOOTTIME, 0, &zero, NULL);
    say("clock_nanosleep BOOTTIME 0: %d\n", r0);
    struct timespec past = {1, 0};
    clock_gettime(CLOCK_MONOTONIC, &a);
    r0 = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &past, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    say("clock_nanosleep ABSTIME in the past: %d, at once: %s\n", r0,
        ns_of(&b) - ns_of(&a) < 100000000 ? "yes" : "no");
    clock_gettime(CLOCK_MONOTONIC, &past);
    past.tv_nsec = 0;
    r0 = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL);
    say("clock_nanosleep MONOTONIC ABSTIME in the past: %d\n", r0);

    /* A handler interrupts a sleep: EINTR and what is left (relative
     * sleeps only). */
    struct sigaction sa = {0};
    sa.sa_handler = on_alrm;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 30000}}, gi;
    struct timespec two = {2, 0}, rem = {-1, -1};
    setitimer(ITIMER_REAL, &it, NULL);
    chk("nanosleep 2 s, SIGALRM after 30 ms", nanosleep(&two, &rem));
    say("rem in (1, 2) s: %s\n", rem.tv_sec == 1 ? "yes" : "no");
    setitimer(ITIMER_REAL, &it, NULL);
    rem.tv_sec = -1;
    r0 = clock_nanosleep(CLOCK_MONOTONIC, 0, &two, &rem);
    say("clock_nanosleep 2 s, SIGALRM after 30 ms: %s, rem in (1, 2) s: %s\n", ename(r0),
        rem.tv_sec == 1 ? "yes" : "no");
    clock_gettime(CLOCK_MONOTONIC, &a);
    a.tv_sec += 2;
    setitimer(ITIMER_REAL, &it, NULL);
    rem.tv_sec = -7;
    r0 = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &a, &rem);
    say("ABSTIME sleep interrupted: %s, rem untouched: %s\n", ename(r0),
        rem.tv_sec == -7 ? "yes" : "no");
    say("alarms: %d\n", alarms);

    chk("clock_settime MONOTONIC", clock_settime(CLOCK_MONOTONIC, &zero));
    chk("clock_settime 12", clock_settime(12, &zero));
    chk("clock_settime REALTIME tv_nsec 1e9", clock_settime(CLOCK_REALTIME, &bad));
    chk("clock_settime REALTIME tv_sec -1", clock_settime(CLOCK_REALTIME, &neg));
    chk("clock_settime PROCESS_CPUTIME_ID", clock_settime(CLOCK_PROCESS_CPUTIME_ID, &zero));

    struct itimerval badv = {{0, 0}, {0, 1000000}};
    chk("setitimer tv_usec 1e6", setitimer(ITIMER_REAL, &badv, NULL));
    badv.it_value.tv_usec = -1;
    chk("setitimer tv_usec -1", setitimer(ITIMER_REAL, &badv, NULL));
    badv = (struct itimerval){{0, 1000000}, {1, 0}};
    chk("setitimer interval tv_usec 1e6", setitimer(ITIMER_REAL, &badv, NULL));
    chk("setitimer which 3", setitimer(3, &it, NULL));
    chk("getitimer which 3", getitimer(3, &gi));
    chk("getitimer bad pointer", syscall(SYS_getitimer, ITIMER_REAL, BAD));
    chk("setitimer bad pointer", syscall(SYS_setitimer, ITIMER_REAL, BAD, NULL));
    chk("getitimer", getitimer(ITIMER_REAL, &gi));
    say("disarmed: %s\n", gi.it_value.tv_sec == 0 && gi.it_value.tv_usec == 0 ? "yes" : "no");

    /* Reload: three expirations of a 20 ms period after 30 ms. */
    alarms = 0;
    sigset_t blk, old;
    sigemptyset(&blk);
    sigaddset(&blk, SIGALRM);
    sigprocmask(SIG_BLOCK, &blk, &old);
    it = (struct itimerval){{0, 20000}, {0, 30000}};
    chk("setitimer 30 ms, every 20 ms", setitimer(ITIMER_REAL, &it, NULL));
    while (alarms < 3)
        sigsuspend(&old);
    chk("getitimer", getitimer(ITIMER_REAL, &gi));
    say("interval 20 ms: %s, value in (0, 20] ms: %s\n",
        gi.it_interval.tv_sec == 0 && gi.it_interval.tv_usec == 20000 ? "yes" : "no",
        gi.it_value.tv_sec == 0 && gi.it_value.tv_usec > 0 && gi.it_value.tv_usec <= 20000 ? "yes"
                                                                                           : "no");
    it = (struct itimerval){{0, 0}, {0, 0}};
    struct itimerval ov;
    chk("setitimer 0 with old", setitimer(ITIMER_REAL, &it, &ov));
    say("old interval 20 ms: %s\n", ov.it_interval.tv_usec == 20000 ? "yes" : "no");
    sigprocmask(SIG_SETMASK, &old, NULL);
    it = (struct itimerval){{0, 0}, {0, 1}};
    setitimer(ITIMER_REAL, &it, NULL);
    getitimer(ITIMER_REAL, &gi);
    sigprocmask(SIG_BLOCK, &blk, NULL);
    setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 0}}, NULL);

    val("alarm(10)", alarm(10));
    val("alarm(3)", alarm(3));
    val("alarm(0)", alarm(0));
    val("alarm(0) again", alarm(0));
    chk("setitimer 2.6 s", setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {2, 600000}}, NULL));
    val("alarm(0) rounds up", alarm(0));

    /* A NULL sigevent: SIGALRM carrying the timer's id. */
    timer_t t;
    chk("timer_create MONOTONIC, NULL sigevent", timer_create(CLOCK_MONOTONIC, NULL, &t));
    struct itimerspec v = {{0, 0}, {0, 10000000}};
    chk("timer_settime 10 ms", timer_settime(t, 0, &v, NULL));
    siginfo_t si;
    int s = sigwaitinfo(&blk, &si);
    say("sigwaitinfo: SIG%s, SI_TIMER: %s, sival is the timer id: %s\n", sname(s),
        si.si_code == SI_TIMER ? "yes" : "no",
        si.si_value.sival_int == (int)(intptr_t)t ? "yes" : "no");
    struct timespec pastabs = {1, 0};
    v = (struct itimerspec){{0, 0}, pastabs};
    chk("timer_settime ABSTIME in the past", timer_settime(t, TIMER_ABSTIME, &v, NULL));
    struct timespec tmo = {1, 0};
    s = sigtimedwait(&blk, &si, &tmo);
    say("it fires at once: %s\n", s == SIGALRM ? "yes" : "no");
    struct itimerspec cur;
    chk("timer_gettime", timer_gettime(t, &cur));
    say("disarmed: %s\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0 ? "yes" : "no");
    chk("timer_delete", timer_delete(t));

    /* SIGEV_THREAD_ID: to this thread; a tid outside the process is
     * refused. */
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGALRM;
    ev.sigev_value.sival_int = 99;
    ev._sigev_un._tid = (int)syscall(SYS_gettid);
    chk("timer_create SIGEV_THREAD_ID, own tid", timer_create(CLOCK_MONOTONIC, &ev, &t));
    v = (struct itimerspec){{0, 0}, {0, 5000000}};
    timer_settime(t, 0, &v, NULL);
    s = sigwaitinfo(&blk, &si);
    say("sigwaitinfo: SIG%s, value %d\n", sname(s), si.si_value.sival_int);
    val("timer_getoverrun", timer_getoverrun(t));
    chk("timer_delete", timer_delete(t));
    ev._sigev_un._tid = 4000000;
    chk("timer_create SIGEV_THREAD_ID, bad tid", timer_create(CLOCK_MONOTONIC, &ev, &t));
    ev.sigev_notify = SIGEV_SIGNAL | SIGEV_THREAD_ID;
    ev._sigev_un._tid = (int)syscall(SYS_gettid);
    chk("timer_create SIGEV_SIGNAL|SIGEV_THREAD_ID", timer_create(CLOCK_MONOTONIC, &ev, &t));
    timer_delete(t);
    chk("timer_create BOOTTIME", timer_create(CLOCK_BOOTTIME, NULL, &t));
    timer_delete(t);
    chk("timer_create MONOTONIC_RAW", timer_create(CLOCK_MONOTONIC_RAW, NULL, &t));
    chk("timer_create REALTIME_COARSE", timer_create(CLOCK_REALTIME_COARSE, NULL, &t));
    chk("timer_delete -1", syscall(SYS_timer_delete, -1));
    chk("timer_delete 12345", syscall(SYS_timer_delete, 12345));
    chk("timer_getoverrun -1", syscall(SYS_timer_getoverrun, -1));
    return 0;
}
