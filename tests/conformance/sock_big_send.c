// modes: direct sim
/* Large sends and MSG_WAITALL receives on stream sockets (send(2),
 * sendmsg(2), recv(2), recvmsg(2), unix(7), tcp(7)): a blocking send
 * queues all of it before it returns, whatever its size; a non-blocking
 * one takes what fits and then EAGAIN; a MSG_WAITALL receive returns once
 * all came, however small the writer's pieces; a datagram goes whole, and
 * MSG_WAITALL does not make a datagram socket wait for more. */
#include "conf.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#define BIG (1 << 20)

static unsigned char out[BIG], in[BIG];

/* A unix socket pair of type; says why not when it fails. */
static int pair(int type, int fds[2])
{
    if (socketpair(AF_UNIX, type, 0, fds) == 0)
        return 0;
    say("socketpair: %s\n", ename(errno));
    return -1;
}

struct reader {
    int fd;
    size_t got;
    int same;
};

static void *drain(void *arg)
{
    struct reader *r = arg;
    while (r->got < BIG) {
        ssize_t n = read(r->fd, in + r->got, BIG - r->got);
        if (n <= 0)
            break;
        r->got += (size_t)n;
    }
    r->same = r->got == BIG && !memcmp(in, out, BIG);
    return NULL;
}

/* One send (or sendmsg) of BIG bytes to fds[0] while a thread reads fds[1]. */
static void blocking(const char *what, int fds[2], int use_msg)
{
    struct reader r = {.fd = fds[1]};
    pthread_t t;
    memset(in, 0, sizeof(in));
    pthread_create(&t, NULL, drain, &r);
    ssize_t n;
    if (use_msg) {
        struct iovec iov[2] = {{out, BIG / 2}, {out + BIG / 2, BIG / 2}};
        struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};
        n = sendmsg(fds[0], &m, 0);
    } else {
        n = send(fds[0], out, BIG, 0);
    }
    int err = errno;
    if (n != BIG)
        shutdown(fds[0], SHUT_WR); /* the reader stops at what came */
    pthread_join(t, NULL);
    errno = err;
    say("%s: sent %s, received all and the same: %s\n", what, n == BIG ? "all" : n < 0 ? ename(errno) : "short",
        r.same ? "yes" : "no");
}

static void stream_pairs(void)
{
    int fds[2];
    if (pair(SOCK_STREAM, fds))
        return;
    blocking("unix stream send 1 MiB", fds, 0);
    blocking("unix stream sendmsg 1 MiB", fds, 1);
    close(fds[0]);
    close(fds[1]);
}

static void tcp(void)
{
    int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
        getsockname(l, (struct sockaddr *)&a, &al) || connect(c, (struct sockaddr *)&a, sizeof(a))) {
        say("tcp set-up: %s\n", ename(errno));
        return;
    }
    int s = accept(l, NULL, NULL);
    int fds[2] = {c, s};
    blocking("tcp send 1 MiB", fds, 0);
    close(s);
    close(c);
    close(l);
}

static void nonblocking(void)
{
    int fds[2];
    if (pair(SOCK_STREAM, fds))
        return;
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    ssize_t n = send(fds[0], out, BIG, 0);
    say("non-blocking send 1 MiB, nobody reading: %s\n", n > 0 && n < BIG ? "part of it" : n < 0 ? ename(errno) : "all");
    n = send(fds[0], out, BIG, 0);
    say("and again: %s\n", n < 0 ? ename(errno) : "sent");
    n = send(fds[0], out, BIG, MSG_DONTWAIT);
    say("with MSG_DONTWAIT: %s\n", n < 0 ? ename(errno) : "sent");
    close(fds[0]);
    close(fds[1]);
}

static void datagram(void)
{
    int fds[2];
    if (pair(SOCK_DGRAM, fds))
        return;
    ssize_t n = send(fds[0], out, 32768, 0);
    ssize_t m = recv(fds[1], in, sizeof(in), 0);
    say("unix datagram of 32 KiB: sent %zd, received %zd, same: %s\n", n, m, m == n && !memcmp(in, out, 32768) ? "yes" : "no");
    close(fds[0]);
    close(fds[1]);
}

struct writer {
    int fd;
};

static void *trickle(void *arg)
{
    struct writer *w = arg;
    for (size_t off = 0; off < BIG; off += 4096)
        if (write(w->fd, out + off, 4096) != 4096)
            break;
    return NULL;
}

/* One MSG_WAITALL receive of BIG bytes while a thread writes 4 KiB pieces. */
static void waitall(int use_msg)
{
    int fds[2];
    if (pair(SOCK_STREAM, fds))
        return;
    struct writer w = {.fd = fds[0]};
    pthread_t t;
    memset(in, 0, sizeof(in));
    pthread_create(&t, NULL, trickle, &w);
    ssize_t n;
    if (use_msg) {
        struct iovec iov[3] = {{in, 100000}, {in + 100000, 500000}, {in + 600000, BIG - 600000}};
        struct msghdr m = {.msg_iov = iov, .msg_iovlen = 3};
        n = recvmsg(fds[1], &m, MSG_WAITALL);
    } else {
        n = recv(fds[1], in, BIG, MSG_WAITALL);
    }
    pthread_join(t, NULL);
    say("MSG_WAITALL %s of 1 MiB from 4 KiB writes: %s, the same: %s\n", use_msg ? "recvmsg" : "recv",
        n == BIG ? "all" : n < 0 ? ename(errno) : "short", n == BIG && !memcmp(in, out, BIG) ? "yes" : "no");
    close(fds[0]);
    close(fds[1]);
}

static void datagram_waitall(void)
{
    int fds[2];
    if (pair(SOCK_DGRAM, fds))
        return;
    send(fds[0], out, 1000, 0);
    send(fds[0], out, 2000, 0);
    ssize_t a = recv(fds[1], in, sizeof(in), MSG_WAITALL), b = recv(fds[1], in, sizeof(in), MSG_WAITALL);
    say("MSG_WAITALL on a datagram socket: %zd then %zd\n", a, b);
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    for (size_t i = 0; i < BIG; i++)
        out[i] = (unsigned char)(i * 7 + (i >> 12));
    stream_pairs();
    tcp();
    nonblocking();
    datagram();
    waitall(0);
    waitall(1);
    datagram_waitall();
    return 0;
}
