// modes: direct
/* A pipe between processes (pipe(7)): the parent's blocking read returns
 * what the child wrote and then 0 only when the child, holder of the last
 * write end, exits; a reader that is gone gives the writer EPIPE. */
#include "conf.h"

int main(void)
{
    int fds[2], back[2];
    char b[64];
    if (pipe(fds) || pipe(back))
        return 1;
    pid_t pid = xfork();
    if (pid == 0) {
        close(fds[0]);
        if (write(fds[1], "hello", 5) != 5)
            _exit(1);
        usleep(100000);
        if (write(fds[1], " world", 6) != 6)
            _exit(1);
        _exit(0);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while ((r = read(fds[0], b + n, sizeof(b) - 1 - n)) > 0)
        n += r;
    b[n] = 0;
    say("read until end of file: \"%s\" then %zd\n", b, r);
    reap("writer", pid);

    pid = xfork();
    if (pid == 0) {
        close(back[1]);
        _exit(0);
    }
    close(back[0]);
    reap("reader", pid);
    signal(SIGPIPE, SIG_IGN);
    val("write with the only reader gone", write(back[1], "x", 1));
    return 0;
}
