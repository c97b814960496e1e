// modes: direct sim
/* Signals between processes carry their sender, as on Linux: a child sees
 * si_pid = its parent, si_code SI_QUEUE and the value of each of three
 * sigqueue()s of one realtime signal (queued, in order), and SI_USER for a
 * kill(); a standard signal sent twice while blocked arrives once. */
#include "conf.h"

static volatile int n;
static volatile int sigs[16], codes[16], vals[16], from_parent[16];

static void handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (n < 16) {
        sigs[n] = sig;
        codes[n] = si->si_code;
        vals[n] = si->si_code == SI_QUEUE ? si->si_value.sival_int : 0;
        from_parent[n] = si->si_pid == getppid() && si->si_uid == getuid();
    }
    n++;
}

int main(void)
{
    struct sigaction sa = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGRTMIN, &sa, NULL);
    sigset_t both;
    sigemptyset(&both);
    sigaddset(&both, SIGUSR1);
    sigaddset(&both, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &both, NULL);
    int go[2], ready[2];
    if (pipe(go) || pipe(ready))
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(2);
        /* Everything the parent sent is pending here: wait until the
         * signals are in (the parent said so), then let them in. */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (int i = 0; i < n && i < 16; i++)
            say("child got %s code %d value %d from parent %d\n", sname(sigs[i]) ? sname(sigs[i]) : "?",
                codes[i], vals[i], from_parent[i]);
        say("child: %d handled\n", n);
        _exit(0);
    }
    char c;
    if (read(ready[0], &c, 1) != 1)
        return 1;
    for (int i = 0; i < 3; i++) {
        union sigval v = {.sival_int = 40 + i};
        chk("sigqueue", sigqueue(pid, SIGRTMIN, v));
    }
    chk("kill USR1", kill(pid, SIGUSR1));
    chk("kill USR1 again", kill(pid, SIGUSR1));
    /* The child takes them while it blocks them: they stay pending. */
    usleep(300000);
    if (write(go[1], "g", 1) != 1)
        return 1;
    int st;
    waitpid(pid, &st, 0);
    say("child: %s\n", wstr(st));
    return 0;
}
