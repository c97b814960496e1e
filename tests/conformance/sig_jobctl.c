// modes: direct sim
/* The job-control signals (signal(7)): SIGTSTP, SIGTTIN and SIGTTOU sent
 * by another process reach the receiver's handlers; with the default
 * action the receiver stops (its parent sees which signal stopped it) and
 * goes on where it was once continued, its interrupted call made again; a
 * process that raises SIGTSTP itself stops and goes on the same way;
 * SIGCONT runs its handler after the process has been continued; and
 * SIGSTOP stops the process whatever its handlers. */
#include "conf.h"

static volatile sig_atomic_t got[32];

static int cont_fd = -1;

static void on_sig(int sig)
{
    got[sig]++;
    if (sig == SIGCONT && write(cont_fd, "c", 1) != 1)
        _exit(92);
}

static void report(const char *what, pid_t p, int options)
{
    int st;
    if (waitpid(p, &st, options) != p)
        say("%s: waitpid failed\n", what);
    else
        say("%s: %s\n", what, wstr(st));
}

int main(void)
{
    int up[2], down[2];
    if (pipe(up) || pipe(down))
        return 1;

    /* 1. Handlers for the three, sent by the parent. */
    pid_t c = fork();
    if (c == 0) {
        signal(SIGTSTP, on_sig);
        signal(SIGTTIN, on_sig);
        signal(SIGTTOU, on_sig);
        pipe_tell(up[1]);
        while (got[SIGTSTP] + got[SIGTTIN] + got[SIGTTOU] < 3)
            usleep(1000);
        say("handlers: TSTP %d TTIN %d TTOU %d\n", (int)got[SIGTSTP], (int)got[SIGTTIN],
            (int)got[SIGTTOU]);
        _exit(0);
    }
    pipe_wait(up[0]);
    kill(c, SIGTSTP);
    kill(c, SIGTTIN);
    kill(c, SIGTTOU);
    report("handlers child", c, WUNTRACED);

    /* 2. Default actions: the child stops in a blocking read, is
     * continued, and its read goes on to take the byte sent after. */
    c = fork();
    if (c == 0) {
        struct sigaction sa = {.sa_handler = on_sig, .sa_flags = SA_RESTART};
        cont_fd = up[1];
        sigaction(SIGCONT, &sa, NULL);
        pipe_tell(up[1]);
        char b = 0;
        ssize_t n = read(down[0], &b, 1);
        say("default child: read %zd '%c', SIGCONT handler %d\n", n, b, (int)got[SIGCONT]);
        _exit(0);
    }
    pipe_wait(up[0]);
    for (int sig = SIGTSTP; sig <= SIGTTOU; sig++) {
        kill(c, sig);
        report("default child", c, WUNTRACED);
        kill(c, SIGCONT);
        report("default child", c, WCONTINUED);
        pipe_wait(up[0]); /* its SIGCONT handler has run */
    }
    pipe_tell(down[1]);
    report("default child", c, 0);

    /* 3. A process that stops itself, and SIGSTOP over a handler. */
    c = fork();
    if (c == 0) {
        raise(SIGTSTP);
        say("self: went on after its own SIGTSTP\n");
        signal(SIGTSTP, on_sig);
        raise(SIGSTOP);
        say("self: went on after SIGSTOP, TSTP handler %d\n", (int)got[SIGTSTP]);
        _exit(4);
    }
    report("self child", c, WUNTRACED);
    kill(c, SIGCONT);
    report("self child", c, WUNTRACED);
    kill(c, SIGCONT);
    report("self child", c, 0);
    return 0;
}
