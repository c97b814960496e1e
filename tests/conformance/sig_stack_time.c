// modes: direct sim
/* A signal that interrupts a program reading the time runs its handler on
 * the thread's own stack (signal(7)): a CPU-time timer (ITIMER_PROF, 1 ms)
 * fires while main spins on clock_gettime and gettimeofday, and every
 * handler run checks that its stack pointer is inside the main thread's
 * stack and that the calls it makes return sane values. */
#include "conf.h"
#include <pthread.h>
#include <sys/time.h>
#include <time.h>

static uintptr_t stack_lo, stack_hi;
static pid_t self;
static volatile int runs, off_stack, bad_calls;

static void on_prof(int sig)
{
    (void)sig;
    char here;
    uintptr_t sp = (uintptr_t)&here;
    runs++;
    if (sp < stack_lo || sp >= stack_hi)
        off_stack++;
    for (int i = 0; i < 20; i++)
        if (getpid() != self)
            bad_calls++;
}

int main(void)
{
    pthread_attr_t a;
    void *lo;
    size_t size;
    if (pthread_getattr_np(pthread_self(), &a) || pthread_attr_getstack(&a, &lo, &size))
        return 1;
    stack_lo = (uintptr_t)lo, stack_hi = stack_lo + size;
    self = getpid();
    struct sigaction sa = {.sa_handler = on_prof, .sa_flags = SA_RESTART};
    sigaction(SIGPROF, &sa, NULL);
    struct itimerval it = {.it_interval = {0, 1000}, .it_value = {0, 1000}};
    chk("setitimer ITIMER_PROF every 1 ms", setitimer(ITIMER_PROF, &it, NULL));
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        struct timeval tv;
        gettimeofday(&tv, NULL);
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (runs < 100 && now.tv_sec - start.tv_sec < 10);
    struct itimerval off = {0};
    setitimer(ITIMER_PROF, &off, NULL);
    say("handler runs >= 100: %s\n", runs >= 100 ? "yes" : "no");
    say("handler runs off the thread's stack: %d\n", off_stack);
    say("bad results in the handler: %d\n", bad_calls);
    return 0;
}
