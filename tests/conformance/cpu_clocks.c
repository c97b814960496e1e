// modes: direct sim
/* CPU-time clocks (clock_gettime(2), clock_getcpuclockid(3),
 * pthread_getcpuclockid(3), clock_nanosleep(2)), getrusage(2) and
 * times(2): after 60 ms of spinning the process's and the thread's CPU
 * time have advanced by about that much; a spinning thread's clock read
 * from another thread advances; invalid ids are EINVAL; a thread's CPU
 * clock cannot be slept on (EINVAL), nor CLOCK_MONOTONIC_RAW (ENOTSUP). */
#include "conf.h"
#include <pthread.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <time.h>

static int64_t ns_of(clockid_t c)
{
    struct timespec ts;
    if (clock_gettime(c, &ts))
        return -1;
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void spin(int64_t ms)
{
    int64_t end = ns_of(CLOCK_THREAD_CPUTIME_ID) + ms * 1000000;
    while (ns_of(CLOCK_THREAD_CPUTIME_ID) < end)
        ;
}

static volatile int stop;
static void *spinner(void *arg)
{
    (void)arg;
    while (!stop)
        ;
    return NULL;
}

static int64_t tv_us(struct timeval tv)
{
    return tv.tv_sec * 1000000 + tv.tv_usec;
}

int main(void)
{
    struct timespec res;
    chk("clock_getres CLOCK_PROCESS_CPUTIME_ID", clock_getres(CLOCK_PROCESS_CPUTIME_ID, &res));
    say("resolution: %ld s %ld ns\n", (long)res.tv_sec, res.tv_nsec);
    chk("clock_getres CLOCK_THREAD_CPUTIME_ID", clock_getres(CLOCK_THREAD_CPUTIME_ID, &res));
    say("resolution: %ld s %ld ns\n", (long)res.tv_sec, res.tv_nsec);
    int64_t p0 = ns_of(CLOCK_PROCESS_CPUTIME_ID), t0 = ns_of(CLOCK_THREAD_CPUTIME_ID);
    spin(60);
    int64_t t1 = ns_of(CLOCK_THREAD_CPUTIME_ID), p1 = ns_of(CLOCK_PROCESS_CPUTIME_ID);
    say("process CPU time advanced 60..1000 ms: %s\n",
        p1 - p0 >= 60000000 && p1 - p0 < 1000000000 ? "yes" : "no");
    say("thread CPU time advanced 60..1000 ms: %s\n",
        t1 - t0 >= 60000000 && t1 - t0 < 1000000000 ? "yes" : "no");
    say("thread <= process: %s\n", t1 <= p1 ? "yes" : "no");

    clockid_t c;
    val("clock_getcpuclockid(0)", clock_getcpuclockid(0, &c));
    say("it reads: %s\n", ns_of(c) >= p1 ? "yes" : "no");
    val("clock_getcpuclockid(getpid())", clock_getcpuclockid(getpid(), &c));
    say("it reads: %s\n", ns_of(c) >= p1 ? "yes" : "no");
    struct timespec ts;
    chk("clock_gettime, an id of type 3", clock_gettime((clockid_t)((~0u << 3) | 3), &ts));
    chk("clock_getres, an id of type 3", clock_getres((clockid_t)((~0u << 3) | 3), &ts));
    chk("clock_gettime, clock 100", clock_gettime(100, &ts));

    pthread_t th;
    if (pthread_create(&th, NULL, spinner, NULL))
        return 1;
    val("pthread_getcpuclockid", pthread_getcpuclockid(th, &c));
    int64_t a = ns_of(c);
    struct timespec nap = {0, 50000000};
    nanosleep(&nap, NULL);
    int64_t b = ns_of(c);
    say("the spinning thread's clock, read by main, advanced: %s\n",
        a >= 0 && b > a ? "yes" : "no");
    val("pthread_getcpuclockid(self)", pthread_getcpuclockid(pthread_self(), &c));
    say("it reads: %s\n", ns_of(c) >= t1 ? "yes" : "no");
    struct timespec rel = {0, 20000000};
    val("clock_nanosleep CLOCK_PROCESS_CPUTIME_ID 20 ms while a thread spins",
        clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &rel, NULL));
    stop = 1;
    pthread_join(th, NULL);
    val("clock_nanosleep CLOCK_THREAD_CPUTIME_ID",
        clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &rel, NULL));
    val("clock_nanosleep CLOCK_MONOTONIC_RAW", clock_nanosleep(CLOCK_MONOTONIC_RAW, 0, &rel, NULL));
    val("clock_nanosleep clock 100", clock_nanosleep(100, 0, &rel, NULL));
    struct timespec bad = {0, 1000000000};
    val("clock_nanosleep tv_nsec 1e9", clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL));

    struct rusage ru;
    chk("getrusage RUSAGE_SELF", getrusage(RUSAGE_SELF, &ru));
    say("user+system >= 55 ms: %s\n",
        tv_us(ru.ru_utime) + tv_us(ru.ru_stime) >= 55000 ? "yes" : "no");
    chk("getrusage RUSAGE_THREAD", getrusage(RUSAGE_THREAD, &ru));
    say("user+system >= 55 ms: %s\n",
        tv_us(ru.ru_utime) + tv_us(ru.ru_stime) >= 55000 ? "yes" : "no");
    chk("getrusage 5", getrusage(5, &ru));
    struct tms tm;
    say("times: %s\n", times(&tm) == (clock_t)-1 ? "failed" : "ok");
    say("tms_utime+tms_stime >= 5 ticks: %s\n", tm.tms_utime + tm.tms_stime >= 5 ? "yes" : "no");
    return 0;
}
