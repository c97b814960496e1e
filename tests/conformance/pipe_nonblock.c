// modes: direct sim
/* Non-blocking pipes (pipe(7), fcntl(2) F_GETPIPE_SZ/F_SETPIPE_SZ): EAGAIN
 * on an empty read and on a full write, the capacity is what
 * F_GETPIPE_SZ reports, and a write of PIPE_BUF bytes or less is never
 * partial. */
#include "conf.h"
#include <fcntl.h>
#include <limits.h>

static long fill(int w)
{
    static char buf[4096];
    long total = 0;
    ssize_t r;
    while ((r = write(w, buf, sizeof(buf))) > 0)
        total += r;
    say("fill stopped by: %s\n", r == -1 ? ename(errno) : "a short write");
    return total;
}

int main(void)
{
    int fds[2];
    char b[8192];
    if (pipe2(fds, O_NONBLOCK))
        return 1;
    say("PIPE_BUF: %d\n", PIPE_BUF);
    val("read of an empty pipe", read(fds[0], b, 1));
    val("F_GETPIPE_SZ", fcntl(fds[0], F_GETPIPE_SZ));
    say("bytes written until full: %ld\n", fill(fds[1]));
    val("write of 1 byte to a full pipe", write(fds[1], "x", 1));
    val("read 4096", read(fds[0], b, 4096));
    val("write 4096 after that", write(fds[1], b, 4096));
    val("write 100 to a full pipe", write(fds[1], b, 100));
    while (read(fds[0], b, sizeof(b)) > 0)
        ;
    val("F_SETPIPE_SZ 4096", fcntl(fds[1], F_SETPIPE_SZ, 4096));
    val("F_GETPIPE_SZ", fcntl(fds[0], F_GETPIPE_SZ));
    say("bytes written until full: %ld\n", fill(fds[1]));
    val("F_SETPIPE_SZ 0 rounds up to a page", fcntl(fds[1], F_SETPIPE_SZ, 0));
    val("fcntl O_NONBLOCK set", fcntl(fds[0], F_GETFL) & O_NONBLOCK ? 1 : 0);
    return 0;
}
