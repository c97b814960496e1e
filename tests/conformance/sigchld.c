// modes: direct sim
/* SIGCHLD (sigaction(2) SA_SIGINFO, SA_NOCLDWAIT, wait(2)): the parent's
 * handler learns the child's pid, CLD_EXITED or CLD_KILLED and the status;
 * with SIGCHLD ignored children are reaped by the system and wait ends
 * with ECHILD. */
#include "conf.h"

static volatile sig_atomic_t got, code, status, pid_ok;
static volatile pid_t expect;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    got++;
    code = si->si_code;
    status = si->si_status;
    pid_ok = si->si_pid == expect;
}

static void one(int killed)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old);
    got = 0;
    pid_t p = xfork();
    if (p == 0) {
        if (killed)
            for (;;)
                pause();
        _exit(5);
    }
    expect = p;
    if (killed)
        kill(p, SIGKILL);
    while (!got)
        sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    say("handler: pid matches %s, si_code %s, si_status %d\n", pid_ok ? "yes" : "no",
        code == CLD_EXITED   ? "CLD_EXITED"
        : code == CLD_KILLED ? "CLD_KILLED"
                             : "other",
        (int)status);
    reap("  then waitpid", p);
}

int main(void)
{
    struct sigaction sa = {.sa_sigaction = on_chld, .sa_flags = SA_SIGINFO};
    sigaction(SIGCHLD, &sa, NULL);
    one(0);
    one(1);
    signal(SIGCHLD, SIG_IGN);
    for (int i = 0; i < 3; i++)
        if (xfork() == 0)
            _exit(1);
    int st;
    pid_t r = wait(&st);
    say("wait with SIGCHLD ignored: %s\n", r > 0 ? "a child" : ename(errno));
    sa = (struct sigaction){.sa_handler = SIG_DFL, .sa_flags = SA_NOCLDWAIT};
    sigaction(SIGCHLD, &sa, NULL);
    if (xfork() == 0)
        _exit(1);
    r = wait(&st);
    say("wait with SA_NOCLDWAIT: %s\n", r > 0 ? "a child" : ename(errno));
    return 0;
}
