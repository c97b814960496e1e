// modes: direct sim
/* Signal state across fork (fork(2), signal(7)): the child inherits the
 * handlers, ignored signals and the mask, but starts with no pending
 * signal and no alarm; the parent's pending signal stays pending. */
#include "conf.h"

static volatile sig_atomic_t got;
static void on_usr1(int sig)
{
    (void)sig;
    got++;
}

int main(void)
{
    struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
    sigaddset(&sa.sa_mask, SIGURG);
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGUSR2, SIG_IGN);
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGHUP);
    alarm(100);
    pid_t pid = xfork();
    if (pid == 0) {
        struct sigaction cur;
        sigaction(SIGUSR1, NULL, &cur);
        say("child: SIGUSR1 handler inherited %s, SA_RESTART %s, sa_mask has SIGURG %s\n",
            cur.sa_handler == on_usr1 ? "yes" : "no", cur.sa_flags & SA_RESTART ? "yes" : "no",
            sigismember(&cur.sa_mask, SIGURG) ? "yes" : "no");
        sigaction(SIGUSR2, NULL, &cur);
        say("child: SIGUSR2 ignored %s\n", cur.sa_handler == SIG_IGN ? "yes" : "no");
        sigprocmask(SIG_BLOCK, NULL, &set);
        say("child: SIGHUP blocked %s, SIGUSR1 blocked %s\n",
            sigismember(&set, SIGHUP) ? "yes" : "no", sigismember(&set, SIGUSR1) ? "yes" : "no");
        sigpending(&pend);
        say("child: SIGHUP pending %s\n", sigismember(&pend, SIGHUP) ? "yes" : "no");
        say("child: alarm left %s\n", alarm(0) == 0 ? "none" : "some");
        raise(SIGUSR1);
        raise(SIGUSR2);
        say("child: handler ran %d\n", (int)got);
        _exit(0);
    }
    reap("child", pid);
    sigpending(&pend);
    say("parent: SIGHUP pending %s\n", sigismember(&pend, SIGHUP) ? "yes" : "no");
    say("parent: alarm left %s\n", alarm(0) > 0 ? "some" : "none");
    say("parent: handler ran %d\n", (int)got);
    return 0;
}
