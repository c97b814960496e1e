// modes: direct sim
/* Signals to process groups (kill(2) with 0 and -pgrp, killpg(3)): a group
 * of three (A leads, B and C are A's children) gets every signal sent to
 * it, the sender outside the group gets none. */
#include "conf.h"
#include <limits.h>

static int rep;
static volatile sig_atomic_t parent_got;
static char letter;

static void on_sig(int sig)
{
    char c = sig == SIGUSR1 ? letter : (char)(letter + 32);
    if (write(rep, &c, 1) != 1)
        _exit(97);
}

static void on_parent(int sig)
{
    (void)sig;
    parent_got++;
}

static void collect(int fd, int n, const char *what)
{
    char buf[8] = {0}, t;
    for (int i = 0; i < n; i++)
        if (read(fd, &buf[i], 1) != 1)
            return;
    for (int i = 0; i < n; i++) /* sort: arrival order is not specified */
        for (int j = i + 1; j < n; j++)
            if (buf[j] < buf[i])
                t = buf[i], buf[i] = buf[j], buf[j] = t;
    say("%s: %s\n", what, buf);
}

int main(void)
{
    int sigs[2], ready[2], go[2];
    if (pipe(sigs) || pipe(ready) || pipe(go))
        return 1;
    rep = sigs[1];
    struct sigaction sa = {.sa_handler = on_parent};
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    pid_t a = xfork();
    if (a == 0) {
        setpgid(0, 0);
        sa.sa_handler = on_sig;
        letter = 'A';
        sigaction(SIGUSR1, &sa, NULL);
        sigaction(SIGUSR2, &sa, NULL);
        for (char l = 'B'; l <= 'C'; l++) {
            if (xfork() == 0) {
                letter = l;
                post(ready[1]);
                for (;;)
                    pause();
            }
        }
        post(ready[1]);
        await(go[0]);
        kill(0, SIGUSR2);
        for (;;)
            pause();
    }
    for (int i = 0; i < 3; i++)
        await(ready[0]);
    say("A leads a group of its own: %s\n", getpgid(a) == a ? "yes" : "no");
    chk("kill(-A, SIGUSR1)", kill(-a, SIGUSR1));
    collect(sigs[0], 3, "SIGUSR1 reached");
    post(go[1]);
    collect(sigs[0], 3, "SIGUSR2 from kill(0) in A reached");
    say("the parent got none: %s\n", parent_got == 0 ? "yes" : "no");
    chk("killpg(A, 0)", killpg(a, 0));
    chk("setpgid(A, INT_MAX)", setpgid(a, INT_MAX));
    chk("setpgid(INT_MAX, 0)", setpgid(INT_MAX, 0));
    chk("kill(-INT_MAX, SIGUSR1)", kill(-INT_MAX, SIGUSR1));
    chk("kill(-A, SIGKILL)", kill(-a, SIGKILL));
    reap("A", a);
    return 0;
}
