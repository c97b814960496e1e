// modes: direct sim
/* Timers on CPU time (setitimer(2) ITIMER_VIRTUAL / ITIMER_PROF,
 * timer_create(2) on CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID and
 * a clock_getcpuclockid(3) id): they expire after CPU time, not wall
 * time (a sleeping process gets no signal), with SIGVTALRM, SIGPROF or
 * the sigevent's signal; getitimer shows the time left; bad ids EINVAL. */
#include "conf.h"
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t got[64];
static volatile int last_code;
static void on_sig(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got[sig]++;
    last_code = si->si_code;
}

static int64_t ns_of(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Spins until sig has come n times or 3 s of wall time passed; returns the
 * CPU time spent in ms. */
static int64_t spin_for(int sig, int n)
{
    int64_t c0 = ns_of(CLOCK_PROCESS_CPUTIME_ID), end = ns_of(CLOCK_MONOTONIC) + 3000000000LL;
    while (got[sig] < n && ns_of(CLOCK_MONOTONIC) < end)
        ;
    return (ns_of(CLOCK_PROCESS_CPUTIME_ID) - c0) / 1000000;
}

int main(void)
{
    struct sigaction sa = {.sa_sigaction = on_sig, .sa_flags = SA_SIGINFO};
    sigaction(SIGVTALRM, &sa, NULL);
    sigaction(SIGPROF, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);

    struct itimerval it = {.it_value = {0, 50000}}, old;
    chk("setitimer ITIMER_PROF 50 ms", setitimer(ITIMER_PROF, &it, NULL));
    int64_t ms = spin_for(SIGPROF, 1);
    say("SIGPROF: %d, after 40..2000 ms of CPU: %s\n", got[SIGPROF],
        ms >= 40 && ms < 2000 ? "yes" : "no");
    chk("setitimer ITIMER_VIRTUAL 50 ms", setitimer(ITIMER_VIRTUAL, &it, NULL));
    ms = spin_for(SIGVTALRM, 1);
    say("SIGVTALRM: %d, after 40..2000 ms of CPU: %s\n", got[SIGVTALRM],
        ms >= 40 && ms < 2000 ? "yes" : "no");

    it = (struct itimerval){.it_value = {5, 0}, .it_interval = {1, 0}};
    chk("setitimer ITIMER_VIRTUAL 5 s, interval 1 s", setitimer(ITIMER_VIRTUAL, &it, NULL));
    chk("getitimer ITIMER_VIRTUAL", getitimer(ITIMER_VIRTUAL, &old));
    say("left 4..5 s: %s, interval %ld.%06ld\n",
        old.it_value.tv_sec >= 4 && old.it_value.tv_sec <= 5 ? "yes" : "no",
        (long)old.it_interval.tv_sec, (long)old.it_interval.tv_usec);
    it = (struct itimerval){0};
    chk("disarm, old value", setitimer(ITIMER_VIRTUAL, &it, &old));
    say("old interval %ld.%06ld\n", (long)old.it_interval.tv_sec, (long)old.it_interval.tv_usec);
    chk("getitimer ITIMER_VIRTUAL", getitimer(ITIMER_VIRTUAL, &old));
    say("left %ld.%06ld\n", (long)old.it_value.tv_sec, (long)old.it_value.tv_usec);

    it = (struct itimerval){.it_value = {0, 20000}};
    got[SIGPROF] = 0;
    chk("setitimer ITIMER_PROF 20 ms, then sleep 200 ms", setitimer(ITIMER_PROF, &it, NULL));
    usleep(200000);
    say("SIGPROF while asleep: %d\n", got[SIGPROF]);
    it = (struct itimerval){0};
    setitimer(ITIMER_PROF, &it, NULL);

    it = (struct itimerval){.it_value = {0, 20000}, .it_interval = {0, 20000}};
    got[SIGPROF] = 0;
    chk("ITIMER_PROF every 20 ms", setitimer(ITIMER_PROF, &it, NULL));
    spin_for(SIGPROF, 4);
    say("4 SIGPROF: %s\n", got[SIGPROF] >= 4 ? "yes" : "no");
    it = (struct itimerval){0};
    setitimer(ITIMER_PROF, &it, NULL);
    chk("setitimer 3", setitimer(3, &it, NULL));
    chk("getitimer -1", getitimer(-1, &old));

    clockid_t ids[3] = {CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, 0};
    clock_getcpuclockid(0, &ids[2]);
    const char *names[3] = {"CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID",
                            "clock_getcpuclockid(0)"};
    for (int i = 0; i < 3; i++) {
        timer_t t;
        struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
        char what[96];
        snprintf(what, sizeof(what), "timer_create %s", names[i]);
        chk(what, timer_create(ids[i], &sev, &t));
        struct itimerspec its = {.it_value = {0, 30000000}}, cur;
        got[SIGUSR1] = 0;
        chk("timer_settime 30 ms", timer_settime(t, 0, &its, NULL));
        chk("timer_gettime", timer_gettime(t, &cur));
        say("left <= 30 ms: %s\n",
            cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 30000000 ? "yes" : "no");
        ms = spin_for(SIGUSR1, 1);
        say("SIGUSR1: %d, si_code SI_TIMER: %s, after 20..2000 ms of CPU: %s\n", got[SIGUSR1],
            last_code == SI_TIMER ? "yes" : "no", ms >= 20 && ms < 2000 ? "yes" : "no");
        its.it_value = (struct timespec){0, 0};
        timer_delete(t);
    }
    timer_t t;
    chk("timer_create, an id of type 3 (a dynamic clock on fd 0)",
        timer_create((clockid_t)((~0u << 3) | 3), NULL, &t));
    struct timespec rel = {0, 1000};
    val("clock_nanosleep, an id of type 3",
        clock_nanosleep((clockid_t)((~0u << 3) | 3), 0, &rel, NULL));
    return 0;
}
