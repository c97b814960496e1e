// modes: direct sim
/* Signals from another process arriving while this one makes system calls
 * as fast as it can (signal(7): a handled signal interrupts the program
 * and its handler runs; instances of one standard signal pending at once
 * merge, so only "at least one" is deterministic). The child sends 3000
 * SIGUSR1s, then one SIGUSR2; the parent loops on getppid until the
 * SIGUSR2 handler has run (10 s at most), then checks that both handlers
 * ran and that a signal sent after the storm still arrives.
 *
 * In an enclave most of these signals land while the thread is entering or
 * leaving the enclave's exception handler for a system call: one landing
 * on the first instruction of that entry was, before 2026-12-06, taken by
 * a handler that made OCALLs one SSA level too deep; the first OCALL's
 * return then re-entered the outer handler, and the thread took no host
 * signal again (sig_info_fork lost its signals about once in fifty runs). */
#include "conf.h"

#include <time.h>

static volatile int usr1, usr2;

static void on_usr1(int sig)
{
    (void)sig;
    usr1++;
}

static void on_usr2(int sig)
{
    (void)sig;
    usr2++;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* System calls until *flag changes from `from` or 10 s pass. */
static int spin_until(volatile int *flag, int from)
{
    double end = now() + 10;
    while (*flag == from && now() < end)
        for (int i = 0; i < 100; i++)
            getppid();
    return *flag != from;
}

int main(void)
{
    int ready[2];
    if (pipe(ready))
        return 1;
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);
    pid_t parent = getpid();
    pid_t p = xfork();
    if (p == 0) {
        await(ready[0]);
        for (int i = 0; i < 3000; i++)
            kill(parent, SIGUSR1);
        kill(parent, SIGUSR2);
        _exit(0);
    }
    post(ready[1]);
    int got = spin_until(&usr2, 0);
    say("the SIGUSR2 after the storm handled: %s\n", got ? "yes" : "no");
    say("SIGUSR1 handled at least once: %s\n", usr1 > 0 ? "yes" : "no");
    reap("child", p);
    int before = usr1;
    kill(getpid(), SIGUSR1);
    say("a SIGUSR1 sent afterwards handled: %s\n", usr1 == before + 1 ? "yes" : "no");
    return 0;
}
