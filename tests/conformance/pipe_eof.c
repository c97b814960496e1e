// modes: direct sim
/* End of file on a pipe (pipe(7), read(2), poll(2), select(2)): read
 * returns the data, then 0 once every write end is closed, and again 0;
 * while a duplicate of the write end is open there is no end of file
 * (EAGAIN with O_NONBLOCK). poll reports POLLIN with data, POLLHUP once
 * the writers are gone (with POLLIN while data is left), POLLERR on a
 * write end without reader, POLLNVAL for a closed number; select's EBADF
 * and EINVAL. */
#include "conf.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/select.h>

static void eof(void)
{
    int fds[2];
    char b[8];
    if (pipe(fds))
        exit(1);
    val("write", write(fds[1], "abc", 3));
    int dup_w = dup(fds[1]);
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    val("read", read(fds[0], b, sizeof(b)));
    val("read, a duplicate of the write end open", read(fds[0], b, sizeof(b)));
    close(dup_w);
    val("read, write ends closed", read(fds[0], b, sizeof(b)));
    val("read again", read(fds[0], b, sizeof(b)));
    fcntl(fds[0], F_SETFL, 0);
    val("blocking read at end of file", read(fds[0], b, sizeof(b)));
    val("read of 0 bytes", read(fds[0], b, 0));
}

static void show(const char *what, int fd, short events)
{
    struct pollfd p = {.fd = fd, .events = events};
    int n = poll(&p, 1, 0);
    if (n == -1)
        say("%s: -1 %s\n", what, ename(errno));
    else
        say("%s: %d revents%s%s%s%s%s\n", what, n, p.revents & POLLIN ? " POLLIN" : "",
            p.revents & POLLOUT ? " POLLOUT" : "", p.revents & POLLHUP ? " POLLHUP" : "",
            p.revents & POLLERR ? " POLLERR" : "", p.revents & POLLNVAL ? " POLLNVAL" : "");
}

static void polls(void)
{
    int a[2], b[2];
    char buf[4];
    if (pipe(a) || pipe(b))
        exit(1);
    show("empty pipe, read end", a[0], POLLIN);
    show("empty pipe, write end", a[1], POLLOUT);
    if (write(a[1], "x", 1) != 1)
        exit(1);
    show("with data", a[0], POLLIN);
    close(a[1]);
    show("with data, writer gone", a[0], POLLIN);
    if (read(a[0], buf, sizeof(buf)) != 1)
        exit(1);
    show("drained, writer gone", a[0], POLLIN);
    show("events 0, writer gone", a[0], 0);
    close(b[0]);
    show("write end, reader gone", b[1], POLLOUT);
    show("a closed number", a[1], POLLIN);
    show("negative fd is ignored", -1, POLLIN);
    volatile nfds_t big = 1u << 30;
    chk("poll nfds above RLIMIT_NOFILE", poll(BAD, big, 0));

    fd_set r;
    struct timeval tv = {0, 0};
    FD_ZERO(&r);
    FD_SET(a[0], &r);
    val("select, end of file is readable", select(a[0] + 1, &r, NULL, NULL, &tv));
    FD_ZERO(&r);
    FD_SET(a[1], &r);
    chk("select on a closed number", select(a[1] + 1, &r, NULL, NULL, &tv));
    chk("select nfds -1", select(-1, NULL, NULL, NULL, &tv));
    tv.tv_usec = -1;
    chk("select tv_usec -1", select(0, NULL, NULL, NULL, &tv));
}

int main(void)
{
    eof();
    polls();
    return 0;
}
