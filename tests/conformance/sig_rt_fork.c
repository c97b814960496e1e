// modes: direct sim
/* Realtime signals between processes (signal(7), sigqueue(3)): a child
 * with handlers for SIGRTMIN and SIGRTMIN+3 gets each signal its parent
 * sends, queued (two of the same number both arrive), with sigqueue's
 * value, when it unblocks them; a child without a handler dies of the
 * signal. In an enclave the host records each sender and the PAL hands
 * the signal over once per sender (docs/sgx-pal.md, "Host signals"). */
#include "conf.h"
#include <signal.h>

static volatile sig_atomic_t got[8], n_got;
static volatile int values[8];

static void on_rt(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (n_got < 8) {
        got[n_got] = sig - SIGRTMIN;
        values[n_got] = si->si_code == SI_QUEUE ? si->si_value.sival_int : -1;
        n_got++;
    }
}

int main(void)
{
    int ready[2], done[2];
    if (pipe(ready) || pipe(done))
        return 1;
    pid_t pid = xfork();
    if (pid == 0) {
        struct sigaction sa = {.sa_sigaction = on_rt, .sa_flags = SA_SIGINFO};
        sigset_t block;
        sigemptyset(&block);
        sigaddset(&block, SIGRTMIN);
        sigaddset(&block, SIGRTMIN + 3);
        if (sigaction(SIGRTMIN, &sa, NULL) || sigaction(SIGRTMIN + 3, &sa, NULL) ||
            sigprocmask(SIG_BLOCK, &block, NULL))
            _exit(1);
        post(ready[1]);
        await(done[0]); /* the parent has sent them all */
        sigprocmask(SIG_UNBLOCK, &block, NULL);
        /* Which handler runs first is left out: Linux sets up a frame for
         * each deliverable signal at once (the last one set up runs
         * first), the libOS one after the other. */
        for (int i = 1; i < n_got; i++)
            for (int j = i; j > 0 && got[j - 1] * 100 + values[j - 1] > got[j] * 100 + values[j];
                 j--) {
                int g = got[j], v = values[j];
                got[j] = got[j - 1], values[j] = values[j - 1];
                got[j - 1] = g, values[j - 1] = v;
            }
        for (int i = 0; i < n_got; i++)
            say("child got SIGRTMIN+%d value %d\n", (int)got[i], values[i]);
        _exit(0);
    }
    await(ready[0]);
    union sigval v = {.sival_int = 7};
    chk("sigqueue SIGRTMIN+3 value 7", sigqueue(pid, SIGRTMIN + 3, v));
    v.sival_int = 5;
    chk("sigqueue SIGRTMIN value 5", sigqueue(pid, SIGRTMIN, v));
    chk("kill SIGRTMIN", kill(pid, SIGRTMIN));
    post(done[1]);
    reap("child with handlers", pid);

    pid = xfork();
    if (pid == 0) {
        post(ready[1]);
        for (;;)
            pause();
    }
    await(ready[0]);
    chk("kill SIGRTMIN+1 (no handler)", kill(pid, SIGRTMIN + 1));
    reap("child without a handler", pid);
    return 0;
}
