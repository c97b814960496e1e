// modes: direct sim
/* Signal state across execve(2) (signal(7), "Execution of programs"):
 * caught signals return to the default, ignored ones stay ignored, the
 * mask and pending signals are kept. The program execs itself through
 * /proc/self/exe with an argument naming the second stage. */
#include "conf.h"

static void on_usr1(int sig)
{
    (void)sig;
}

static const char *disp(int sig)
{
    struct sigaction cur;
    sigaction(sig, NULL, &cur);
    return cur.sa_handler == SIG_DFL ? "default" : cur.sa_handler == SIG_IGN ? "ignored" : "caught";
}

int main(int argc, char **argv)
{
    sigset_t set, pend;
    if (argc > 2 && strcmp(argv[2], "after-exec") == 0) {
        say("after exec: SIGUSR1 %s, SIGUSR2 %s\n", disp(SIGUSR1), disp(SIGUSR2));
        sigprocmask(SIG_BLOCK, NULL, &set);
        sigpending(&pend);
        say("after exec: SIGHUP blocked %s, pending %s\n", sigismember(&set, SIGHUP) ? "yes" : "no",
            sigismember(&pend, SIGHUP) ? "yes" : "no");
        return 0;
    }
    struct sigaction sa = {.sa_handler = on_usr1};
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGUSR2, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    say("before exec: SIGUSR1 %s, SIGUSR2 %s\n", disp(SIGUSR1), disp(SIGUSR2));
    pid_t pid = xfork();
    if (pid == 0) {
        raise(SIGHUP);
        char *args[] = {argv[0], argc > 1 ? argv[1] : "-", "after-exec", NULL};
        execv("/proc/self/exe", args);
        say("execv: -1 %s\n", ename(errno));
        _exit(1);
    }
    reap("child", pid);
    return 0;
}
