/* Bad pointers handed to every socket call give EFAULT, and the socket
 * keeps working: addresses, address lengths, option values and lengths,
 * data buffers, msghdr names and iovecs. Only sockets on 127.0.0.1. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fails;
static void *const bad = (void *)16;

static void efault(long r, const char *what)
{
    int ok = r == -1 && errno == EFAULT;
    fails += !ok;
    printf("%s %s (r=%ld errno=%d)\n", ok ? "pass" : "FAIL", what, r, r == -1 ? errno : 0);
}

static void expect(int cond, const char *what)
{
    fails += !cond;
    printf("%s %s\n", cond ? "pass" : "FAIL", what);
}

/* A listening socket on 127.0.0.1 with an ephemeral port; its address. */
static int listener(struct sockaddr_in *a)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    socklen_t l = sizeof(*a);
    memset(a, 0, sizeof(*a));
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(s, (struct sockaddr *)a, sizeof(*a));
    listen(s, 4);
    getsockname(s, (struct sockaddr *)a, &l);
    return s;
}

static void addr_calls(int ls, const struct sockaddr_in *a)
{
    int c = socket(AF_INET, SOCK_STREAM, 0);
    socklen_t l = sizeof(struct sockaddr_in);
    efault(syscall(SYS_bind, c, bad, sizeof(*a)), "bind with a bad address");
    efault(syscall(SYS_connect, c, bad, sizeof(*a)), "connect with a bad address");
    efault(syscall(SYS_getsockname, ls, bad, &l), "getsockname into a bad address");
    efault(syscall(SYS_getsockname, ls, a, bad), "getsockname with a bad length pointer");
    efault(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, bad), "socketpair into a bad array");
    close(c);
}

static void opt_calls(int s)
{
    int one = 1;
    socklen_t l = sizeof(one);
    efault(syscall(SYS_setsockopt, s, SOL_SOCKET, SO_REUSEADDR, bad, sizeof(int)),
           "setsockopt from a bad value");
    efault(syscall(SYS_getsockopt, s, SOL_SOCKET, SO_TYPE, bad, &l), "getsockopt into a bad value");
    efault(syscall(SYS_getsockopt, s, SOL_SOCKET, SO_TYPE, &one, bad),
           "getsockopt with a bad length pointer");
}

/* Drops whatever a failed call left queued (Linux consumes a datagram
 * whose address copy fails; the libOS fails before receiving). */
static void drain(int b)
{
    char buf[64];
    while (recv(b, buf, sizeof(buf), MSG_DONTWAIT) > 0)
        ;
}

/* Each receive check gets a fresh datagram, so none blocks. */
static void recv_calls(int a, int b)
{
    struct sockaddr_in from;
    char buf[8];
    socklen_t l = sizeof(from);
    send(a, "ping", 4, 0);
    efault(syscall(SYS_recvfrom, b, bad, 4, 0, NULL, NULL), "recvfrom into a bad buffer");
    drain(b), send(a, "ping", 4, 0);
    efault(syscall(SYS_recvfrom, b, buf, 4, 0, &from, bad), "recvfrom with a bad address length");
    drain(b), send(a, "ping", 4, 0);
    efault(syscall(SYS_recvfrom, b, buf, 4, 0, bad, &l), "recvfrom into a bad address");
    drain(b), send(a, "ping", 4, 0);
    struct iovec iov = {bad, 4};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    efault(syscall(SYS_recvmsg, b, &mh, 0), "recvmsg into a bad iovec buffer");
    drain(b), send(a, "ping", 4, 0);
    iov.iov_base = buf;
    mh.msg_name = bad, mh.msg_namelen = sizeof(from);
    efault(syscall(SYS_recvmsg, b, &mh, 0), "recvmsg into a bad name");
    drain(b);
}

static void data_calls(int a, int b)
{
    char buf[8];
    struct iovec iov = {bad, 4};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    efault(syscall(SYS_sendto, a, bad, 4, 0, NULL, 0), "sendto from a bad buffer");
    efault(syscall(SYS_sendmsg, a, &mh, 0), "sendmsg from a bad iovec buffer");
    efault(syscall(SYS_sendmsg, a, bad, 0), "sendmsg with a bad msghdr");
    recv_calls(a, b);
    send(a, "pong", 4, 0);
    ssize_t n = recv(b, buf, 4, 0);
    expect(n == 4 && !memcmp(buf, "pong", 4), "the sockets still work after the failed calls");
}

/* Two UDP sockets on 127.0.0.1 connected to each other: datagrams carry
 * a source address, so recvfrom really has one to write. */
static void udp_pair(int sv[2])
{
    struct sockaddr_in a[2];
    for (int i = 0; i < 2; i++) {
        socklen_t l = sizeof(a[i]);
        sv[i] = socket(AF_INET, SOCK_DGRAM, 0);
        memset(&a[i], 0, sizeof(a[i]));
        a[i].sin_family = AF_INET;
        a[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(sv[i], (struct sockaddr *)&a[i], sizeof(a[i]));
        getsockname(sv[i], (struct sockaddr *)&a[i], &l);
    }
    connect(sv[0], (struct sockaddr *)&a[1], sizeof(a[1]));
    connect(sv[1], (struct sockaddr *)&a[0], sizeof(a[0]));
}

int main(void)
{
    struct sockaddr_in a;
    int ls = listener(&a);
    addr_calls(ls, &a);
    opt_calls(ls);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&a, sizeof(a));
    socklen_t l = sizeof(a);
    efault(syscall(SYS_getpeername, c, bad, &l), "getpeername into a bad address");
    efault(syscall(SYS_accept, ls, bad, &l), "accept into a bad address");
    int c2 = socket(AF_INET, SOCK_STREAM, 0);
    connect(c2, (struct sockaddr *)&a, sizeof(a));
    efault(syscall(SYS_accept4, ls, &a, bad, 0), "accept4 with a bad length pointer");
    int c3 = socket(AF_INET, SOCK_STREAM, 0);
    connect(c3, (struct sockaddr *)&a, sizeof(a));
    int s = accept(ls, NULL, NULL);
    expect(s >= 0, "accept works afterwards");
    /* Which queued connection accept returned differs (Linux drops the one
     * whose address copy failed): the data checks use a socketpair. */
    int sv[2];
    udp_pair(sv);
    data_calls(sv[0], sv[1]);
    printf("failures=%d\n", fails);
    return fails ? 1 : 0;
}
