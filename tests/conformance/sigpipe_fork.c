// modes: direct sim
/* SIGPIPE (pipe(7), write(2), socket(7) MSG_NOSIGNAL): a write to a pipe
 * or a stream socket with no reader kills with SIGPIPE by default; ignored
 * or caught, the write fails with EPIPE; MSG_NOSIGNAL sends no signal. */
#include "conf.h"
#include <sys/socket.h>

static volatile sig_atomic_t caught;
static void on_pipe(int sig)
{
    (void)sig;
    caught++;
}

static void writer(int how)
{
    int fds[2];
    if (how < 3 ? pipe(fds) : socketpair(AF_UNIX, SOCK_STREAM, 0, fds))
        _exit(98);
    close(fds[0]);
    if (how == 1)
        signal(SIGPIPE, SIG_IGN);
    if (how == 2) {
        struct sigaction sa = {.sa_handler = on_pipe};
        sigaction(SIGPIPE, &sa, NULL);
    }
    if (how == 4) {
        signal(SIGPIPE, on_pipe);
        val("send MSG_NOSIGNAL", send(fds[1], "x", 1, MSG_NOSIGNAL));
        say("handler ran: %d\n", (int)caught);
        _exit(0);
    }
    val("write", write(fds[1], "x", 1));
    say("handler ran: %d\n", (int)caught);
    _exit(0);
}

int main(void)
{
    const char *what[] = {"pipe, default", "pipe, SIG_IGN", "pipe, handler", "socketpair, default",
                          "socketpair, MSG_NOSIGNAL"};
    for (int i = 0; i < 5; i++) {
        say("%s:\n", what[i]);
        pid_t p = xfork();
        if (p == 0)
            writer(i);
        reap("  child", p);
    }
    return 0;
}
