// modes: direct sim
/* Wait statuses (wait(2), waitid(2), exit(3), signal(7)): exit codes are
 * taken modulo 256, a default-action signal kills with its number, and
 * waitid reports CLD_EXITED / CLD_KILLED with si_status. */
#include "conf.h"
#include <sys/resource.h>

static volatile int zero, seven = 7;

static void die(int how)
{
    switch (how) {
    case 0:
        _exit(0);
    case 1:
        _exit(1);
    case 2:
        _exit(255);
    case 3:
        _exit(256);
    case 4:
        exit(-1);
    case 5:
        raise(SIGKILL);
        break;
    case 6:
        raise(SIGTERM);
        break;
    case 7:
        abort();
    case 8:
        *(volatile int *)(long)zero = 1;
        break;
    case 9:
        zero = seven / zero;
        break;
    case 10:
        raise(SIGUSR1);
        break;
    case 11:
        raise(SIGCHLD);
        _exit(4);
    }
    _exit(99);
}

static const char *const names[] = {"_exit(0)",       "_exit(1)",       "_exit(255)",
                                    "_exit(256)",     "exit(-1)",       "raise(SIGKILL)",
                                    "raise(SIGTERM)", "abort()",        "NULL store",
                                    "divide by zero", "raise(SIGUSR1)", "raise(SIGCHLD)"};

int main(void)
{
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    for (int i = 0; i < 12; i++) {
        pid_t p = xfork();
        if (p == 0)
            die(i);
        reap(names[i], p);
    }
    siginfo_t si;
    pid_t p = xfork();
    if (p == 0)
        _exit(7);
    memset(&si, 0, sizeof(si));
    chk("waitid exited", waitid(P_PID, p, &si, WEXITED));
    say("si_code CLD_EXITED %s, si_status %d, si_pid matches %s\n",
        si.si_code == CLD_EXITED ? "yes" : "no", si.si_status, si.si_pid == p ? "yes" : "no");
    p = xfork();
    if (p == 0)
        for (;;)
            pause();
    kill(p, SIGKILL);
    memset(&si, 0, sizeof(si));
    chk("waitid killed", waitid(P_PID, p, &si, WEXITED));
    say("si_code CLD_KILLED %s, si_status SIG%s\n", si.si_code == CLD_KILLED ? "yes" : "no",
        sname(si.si_status));
    p = xfork();
    if (p == 0)
        _exit(9);
    memset(&si, 0, sizeof(si));
    chk("waitid WNOWAIT", waitid(P_PID, p, &si, WEXITED | WNOWAIT));
    reap("after WNOWAIT the child is still waitable", p);
    return 0;
}
