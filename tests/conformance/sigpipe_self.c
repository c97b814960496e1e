// modes: direct sim
/* SIGPIPE in one process (pipe(7), sigpending(2), sigtimedwait(2)): with
 * SIGPIPE ignored or caught the write fails with EPIPE; with it blocked
 * the write fails with EPIPE and SIGPIPE is left pending for the thread. */
#include "conf.h"

static volatile sig_atomic_t caught;
static void on_pipe(int sig)
{
    (void)sig;
    caught++;
}

static int broken_pipe(void)
{
    int fds[2];
    if (pipe(fds))
        exit(1);
    close(fds[0]);
    return fds[1];
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    int w = broken_pipe();
    val("write, SIGPIPE ignored", write(w, "x", 1));
    struct sigaction sa = {.sa_handler = on_pipe};
    sigaction(SIGPIPE, &sa, NULL);
    val("write, SIGPIPE caught", write(w, "x", 1));
    say("handler ran: %d\n", (int)caught);
    val("write of 0 bytes", write(w, "", 0));
    say("handler ran: %d\n", (int)caught);
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    sigprocmask(SIG_BLOCK, &set, NULL);
    val("write, SIGPIPE blocked", write(w, "x", 1));
    sigpending(&pend);
    say("SIGPIPE pending: %s, handler ran: %d\n", sigismember(&pend, SIGPIPE) ? "yes" : "no",
        (int)caught);
    struct timespec zero = {0, 0};
    siginfo_t si;
    int s = sigtimedwait(&set, &si, &zero);
    if (s > 0)
        say("sigtimedwait: SIG%s\n", sname(s));
    else
        say("sigtimedwait: -1 %s\n", ename(errno));
    sigpending(&pend);
    say("SIGPIPE pending after: %s\n", sigismember(&pend, SIGPIPE) ? "yes" : "no");
    return 0;
}
