// modes: direct sim
/* kill(2) by pid: to itself (delivered before kill returns), signal 0 as
 * an existence check (also for a zombie), to a child that catches it and
 * to one that dies of it, and the errors: EINVAL, ESRCH. */
#include "conf.h"
#include <limits.h>

static volatile sig_atomic_t got;
static void on_usr1(int sig)
{
    (void)sig;
    got++;
}

int main(void)
{
    struct sigaction sa = {.sa_handler = on_usr1};
    sigaction(SIGUSR1, &sa, NULL);
    chk("kill(self, SIGUSR1)", kill(getpid(), SIGUSR1));
    say("handler ran before kill returned: %d\n", (int)got);
    chk("kill(self, 0)", kill(getpid(), 0));
    chk("kill(self, 999)", kill(getpid(), 999));
    chk("kill(INT_MAX, 0)", kill(INT_MAX, 0));
    chk("kill(-INT_MAX, 0)", kill(-INT_MAX, 0));
    chk("kill(INT_MIN, 0)", kill(INT_MIN, 0));

    int fds[2];
    if (pipe(fds))
        return 1;
    pid_t pid = xfork();
    if (pid == 0) {
        got = 0;
        post(fds[1]);
        while (!got)
            pause();
        say("child caught SIGUSR1\n");
        _exit(3);
    }
    await(fds[0]);
    int r = kill(pid, SIGUSR1), e = errno;
    reap("catching child", pid);
    errno = e;
    chk("kill(child, SIGUSR1)", r);
    chk("kill(reaped child, 0)", kill(pid, 0));

    pid = xfork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    chk("kill(child, SIGTERM)", kill(pid, SIGTERM));
    siginfo_t si;
    waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
    chk("kill(zombie, 0)", kill(pid, 0));
    reap("terminated child", pid);
    return 0;
}
