/* Process groups: setpgid/getpgid/getpgrp/getsid/setsid, kill(-pgid)
 * reaching every member of a group of children, waitpid(-pgid) reaping
 * them, and kill(0) reaching the caller's own group (itself included). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int fails;
static volatile sig_atomic_t got_usr1;

static void check(int cond, const char *what)
{
    fails += !cond;
    printf("%s %s\n", cond ? "pass" : "FAIL", what);
}

static void on_usr1(int sig) { (void)sig; got_usr1 = 1; }

/* A child that waits for signals in group pg (0: a new group of its own). */
static pid_t spawn(pid_t pg, int ready[2])
{
    pid_t p = fork();
    if (p == 0) {
        setpgid(0, pg);
        char c = 'r';
        write(ready[1], &c, 1);
        for (;;)
            pause();
    }
    setpgid(p, pg ? pg : p); /* both sides, as shells do: no race */
    return p;
}

int main(void)
{
    check(getpgrp() == getpgid(0) && getpgid(getpid()) == getpgrp(), "getpgrp == getpgid(0)");
    /* 0 when the session leader lives outside our PID namespace (containers) */
    check(getsid(0) >= 0 && getsid(0) == getsid(getpid()), "getsid(0) == getsid(getpid())");
    int ready[2];
    pipe(ready);
    pid_t a = spawn(0, ready);
    pid_t b = spawn(a, ready);
    char c;
    read(ready[0], &c, 1), read(ready[0], &c, 1);
    check(getpgid(a) == a && getpgid(b) == a, "children share the group of the first");
    check(getpgrp() != a, "the parent is not in the children's group");
    check(kill(-a, SIGTERM) == 0, "kill(-pgid) succeeds");
    int st, n = 0;
    for (int i = 0; i < 2; i++) {
        pid_t w = waitpid(-a, &st, 0);
        n += (w == a || w == b) && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;
    }
    check(n == 2, "both members killed by SIGTERM and reaped with waitpid(-pgid)");
    check(waitpid(-a, &st, WNOHANG) == -1, "the group has no children left");

    signal(SIGUSR1, on_usr1);
    check(kill(0, SIGUSR1) == 0 && got_usr1, "kill(0) reaches the caller's own group");

    pid_t s = fork();
    if (s == 0)
        _exit(setsid() == getpid() && getsid(0) == getpid() && getpgrp() == getpid() ? 0 : 1);
    waitpid(s, &st, 0);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "setsid in a child: new session and group");
    printf("failures=%d\n", fails);
    return fails ? 1 : 0;
}
