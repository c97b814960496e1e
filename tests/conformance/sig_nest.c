// modes: direct sim
/* Several signals that become deliverable at once: Linux sets up a frame
 * for each, lowest number first, each on top of the previous one under
 * the mask the previous handler installed, so the highest runs first and
 * each sigreturn leads into the next handler down. A handler's sa_mask
 * keeps a signal for after that handler returns; realtime signals queue
 * one frame per instance when SA_NODEFER lets them nest. */
#include "conf.h"

static char order[64];
static volatile int n;

static void note(int sig)
{
    order[n++] = sig == SIGUSR1 ? '1' : sig == SIGUSR2 ? '2' : sig == SIGTERM ? 'T' :
                 sig >= SIGRTMIN ? 'r' : '?';
}

static void handler(int sig) { note(sig); }

/* Which handlers ran, and in what order, when the mask is lifted. */
static void run(const char *what, const int *sigs, int count)
{
    sigset_t all, old;
    sigemptyset(&all);
    for (int i = 0; i < count; i++)
        sigaddset(&all, sigs[i]);
    sigprocmask(SIG_BLOCK, &all, &old);
    for (int i = 0; i < count; i++)
        raise(sigs[i]);
    n = 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
    order[n] = 0;
    say("%s: %s\n", what, order);
}

static void set(int sig, int flags, int masked)
{
    struct sigaction sa = {.sa_handler = handler, .sa_flags = flags};
    sigemptyset(&sa.sa_mask);
    if (masked)
        sigaddset(&sa.sa_mask, masked);
    sigaction(sig, &sa, NULL);
}

int main(void)
{
    set(SIGUSR1, 0, 0), set(SIGUSR2, 0, 0), set(SIGTERM, 0, 0);
    int three[] = {SIGTERM, SIGUSR1, SIGUSR2};
    run("three at once", three, 3);

    set(SIGUSR1, 0, SIGUSR2); /* USR2 waits for USR1's handler to return */
    run("USR1 masks USR2", three, 3);
    set(SIGUSR1, 0, 0);

    signal(SIGUSR2, SIG_IGN); /* an ignored one in between is dropped */
    run("USR2 ignored", three, 3);
    set(SIGUSR2, 0, 0);

    int rt[] = {SIGRTMIN, SIGRTMIN, SIGRTMIN, SIGUSR1};
    set(SIGRTMIN, 0, 0);
    run("realtime x3 + USR1", rt, 4);
    set(SIGRTMIN, SA_NODEFER, 0);
    run("realtime x3 (SA_NODEFER) + USR1", rt, 4);
    return 0;
}
