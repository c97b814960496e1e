// modes: direct sim
/* POSIX per-process timers (timer_create(2), timer_settime(2),
 * timer_getoverrun(2), timer_delete(2)) next to ITIMER_REAL: one-shot and
 * periodic timers delivering their signal with SI_TIMER and sigev_value to
 * a handler and to sigwaitinfo, overruns while the signal stays blocked,
 * SIGEV_NONE, absolute times, glibc's SIGEV_THREAD, an alarm running at
 * the same time, a forked child without timers, and the errors. */
#include "conf.h"
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t hits, last_code, last_value;

static void on_rt(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    hits++;
    last_code = si->si_code;
    last_value = si->si_value.sival_int;
}

static volatile sig_atomic_t alarms;
static void on_alrm(int sig)
{
    (void)sig, alarms++;
}

static struct itimerspec its(long value_ms, long interval_ms)
{
    struct itimerspec t = {{interval_ms / 1000, interval_ms % 1000 * 1000000},
                           {value_ms / 1000, value_ms % 1000 * 1000000}};
    return t;
}

static void nap(long ms)
{
    struct timespec t = {ms / 1000, ms % 1000 * 1000000};
    while (nanosleep(&t, &t) == -1 && errno == EINTR)
        ;
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int thread_calls;
static void on_thread(union sigval v)
{
    pthread_mutex_lock(&mu);
    thread_calls += v.sival_int;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

int main(void)
{
    struct sigaction sa = {.sa_sigaction = on_rt, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGRTMIN + 1, &sa, NULL);
    signal(SIGALRM, on_alrm);

    /* One-shot, to a handler, with a value. */
    struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN + 1};
    ev.sigev_value.sival_int = 4242;
    timer_t t1;
    chk("timer_create MONOTONIC, SIGEV_SIGNAL", timer_create(CLOCK_MONOTONIC, &ev, &t1));
    struct itimerspec cur, v = its(50, 0);
    chk("gettime disarmed", timer_gettime(t1, &cur));
    say("disarmed: %d\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
    chk("settime 50 ms", timer_settime(t1, 0, &v, NULL));
    chk("gettime armed", timer_gettime(t1, &cur));
    say("time left in (0, 50] ms: %d\n",
        cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 50000000);
    nap(150);
    say("handler ran once: %d, si_code SI_TIMER: %d, sival 4242: %d\n", hits == 1,
        last_code == SI_TIMER, last_value == 4242);

    /* Periodic with the signal blocked: sigwaitinfo, overruns. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    v = its(20, 20);
    chk("settime periodic 20 ms", timer_settime(t1, 0, &v, NULL));
    nap(130);
    siginfo_t si;
    int sig = sigwaitinfo(&set, &si);
    say("sigwaitinfo: %s code SI_TIMER %d, sival %d, overrun >= 3: %d\n",
        sig == SIGRTMIN + 1 ? "RTMIN+1" : "?", si.si_code == SI_TIMER, si.si_value.sival_int,
        si.si_overrun >= 3);
    v = its(0, 0);
    chk("settime 0: disarm", timer_settime(t1, 0, &v, NULL));
    struct timespec zero = {0, 0};
    sigtimedwait(&set, &si, &zero); /* one more may have fired before the disarm */
    sigprocmask(SIG_UNBLOCK, &set, NULL);

    /* SIGEV_NONE: no signal, gettime counts down. */
    struct sigevent none = {.sigev_notify = SIGEV_NONE};
    timer_t t2;
    chk("timer_create SIGEV_NONE", timer_create(CLOCK_REALTIME, &none, &t2));
    v = its(1000, 0);
    chk("settime 1 s", timer_settime(t2, 0, &v, NULL));
    nap(30);
    chk("gettime", timer_gettime(t2, &cur));
    say("counting down below 1 s: %d\n",
        cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec < 1000000000);
    struct itimerspec old;
    v = its(0, 0);
    chk("settime 0 with old", timer_settime(t2, 0, &v, &old));
    say("old value was left: %d\n", old.it_value.tv_sec == 0 && old.it_value.tv_nsec > 0);

    /* Absolute time on CLOCK_REALTIME, with an alarm running too. */
    hits = 0;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    v = its(0, 0);
    v.it_value = now;
    v.it_value.tv_nsec += 40000000;
    if (v.it_value.tv_nsec >= 1000000000) {
        v.it_value.tv_sec++;
        v.it_value.tv_nsec -= 1000000000;
    }
    timer_t t3;
    chk("timer_create REALTIME", timer_create(CLOCK_REALTIME, &ev, &t3));
    struct itimerval it = {{0, 0}, {0, 70000}};
    chk("setitimer 70 ms", setitimer(ITIMER_REAL, &it, NULL));
    chk("settime ABSTIME +40 ms", timer_settime(t3, TIMER_ABSTIME, &v, NULL));
    nap(200);
    say("timer fired: %d, alarm fired: %d\n", hits == 1, alarms == 1);
    struct itimerval gi;
    chk("getitimer after it fired", getitimer(ITIMER_REAL, &gi));
    say("itimer disarmed: %d\n", gi.it_value.tv_sec == 0 && gi.it_value.tv_usec == 0);
    val("alarm(5) with none pending", alarm(5));
    val("alarm(0) returns what was left", alarm(0));

    /* glibc's SIGEV_THREAD: a helper thread calls the function. */
    struct sigevent th = {.sigev_notify = SIGEV_THREAD, .sigev_notify_function = on_thread};
    th.sigev_value.sival_int = 7;
    timer_t t4;
    chk("timer_create SIGEV_THREAD", timer_create(CLOCK_MONOTONIC, &th, &t4));
    v = its(20, 0);
    chk("settime 20 ms", timer_settime(t4, 0, &v, NULL));
    pthread_mutex_lock(&mu);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 2;
    while (!thread_calls && pthread_cond_timedwait(&cv, &mu, &until) == 0)
        ;
    say("SIGEV_THREAD function called with 7: %d\n", thread_calls == 7);
    pthread_mutex_unlock(&mu);
    chk("timer_delete SIGEV_THREAD timer", timer_delete(t4));

    /* A forked child has no timers. */
    v = its(5000, 0);
    timer_settime(t1, 0, &v, NULL);
    pid_t pid = fork();
    if (pid == 0) {
        struct itimerspec c;
        _exit(timer_gettime(t1, &c) == -1 && errno == EINVAL ? 0 : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    say("child has no timer: %s\n", wstr(st));

    /* Errors. */
    timer_t bad;
    val("timer_create bad clock", timer_create(12345, NULL, &bad));
    struct sigevent badsig = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = 99};
    val("timer_create bad signo", timer_create(CLOCK_MONOTONIC, &badsig, &bad));
    struct sigevent badnotify = {.sigev_notify = 77};
    val("timer_create bad notify", timer_create(CLOCK_MONOTONIC, &badnotify, &bad));
    val("timer_create sevp = bad", syscall(SYS_timer_create, CLOCK_MONOTONIC, BAD, &bad));
    v = its(10, 0);
    v.it_value.tv_nsec = 1000000000;
    val("settime tv_nsec 1e9", timer_settime(t1, 0, &v, NULL));
    val("settime new = bad", syscall(SYS_timer_settime, 0, 0, BAD, NULL));
    val("settime on a deleted timer", (timer_delete(t2), timer_settime(t2, 0, &v, NULL)));
    val("gettime on id 1000", syscall(SYS_timer_gettime, 1000, &cur));
    val("getoverrun on id 1000", syscall(SYS_timer_getoverrun, 1000));
    val("delete twice", timer_delete(t2));
    val("setitimer ITIMER_VIRTUAL bad which 5", setitimer(5, &it, NULL));
    chk("timer_delete", timer_delete(t1));
    chk("timer_delete", timer_delete(t3));
    return 0;
}
