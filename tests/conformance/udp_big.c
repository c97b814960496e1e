// modes: direct sim
/* The largest datagrams (udp(7), unix(7), send(2), recv(2)): a UDP datagram
 * of 65,507 bytes (IPv4's most) goes and arrives whole through sendto,
 * sendmsg with several iovecs and recvfrom, recvmsg; one byte more is
 * EMSGSIZE; a receive into a smaller buffer gets the front of it, with
 * MSG_TRUNC the datagram's real length and in msg_flags MSG_TRUNC; a unix
 * datagram of 64 KiB goes whole. (An enclave's socket OCALL carried at
 * most 61,440 bytes before: such datagrams were EMSGSIZE, and received
 * ones were cut.) */
#include "conf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define UDP_MAX 65507

static unsigned char out[UDP_MAX + 16], in[UDP_MAX + 4096];

static int udp_pair(int *tx, int *rx, struct sockaddr_in *to)
{
    socklen_t len = sizeof(*to);
    int sz = 1 << 20;

    *rx = socket(AF_INET, SOCK_DGRAM, 0);
    *tx = socket(AF_INET, SOCK_DGRAM, 0);
    memset(to, 0, sizeof(*to));
    to->sin_family = AF_INET;
    to->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (*rx < 0 || *tx < 0 || bind(*rx, (struct sockaddr *)to, sizeof(*to)) ||
        getsockname(*rx, (struct sockaddr *)to, &len)) {
        say("udp set-up: %s\n", ename(errno));
        return -1;
    }
    setsockopt(*rx, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
    setsockopt(*tx, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
    /* A datagram that never comes is a line with EAGAIN, not a hang. */
    struct timeval tv = {5, 0};
    setsockopt(*rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return 0;
}

static const char *same(ssize_t n)
{
    return n > 0 && !memcmp(in, out, (size_t)n) ? "yes" : "no";
}

int main(void)
{
    struct sockaddr_in to, from;
    socklen_t flen = sizeof(from);
    int tx, rx, u[2], sz = 1 << 20;
    ssize_t n, m;

    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (unsigned char)(i * 7 + i / 251);
    if (udp_pair(&tx, &rx, &to))
        return 1;

    n = sendto(tx, out, UDP_MAX, 0, (struct sockaddr *)&to, sizeof(to));
    m = recvfrom(rx, in, sizeof(in), 0, (struct sockaddr *)&from, &flen);
    say("udp %d bytes: sent %zd, received %zd, same: %s, from loopback: %s\n", UDP_MAX, n, m, same(m),
        flen == sizeof(from) && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK) ? "yes" : "no");

    n = sendto(tx, out, UDP_MAX + 1, 0, (struct sockaddr *)&to, sizeof(to));
    say("udp %d bytes: %s\n", UDP_MAX + 1, n < 0 ? ename(errno) : "sent");

    struct iovec iov[3] = {{out, 1000}, {out + 1000, 40000}, {out + 41000, UDP_MAX - 41000}};
    struct msghdr msg = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = iov, .msg_iovlen = 3};
    n = sendmsg(tx, &msg, 0);
    struct iovec riov[2] = {{in, 30000}, {in + 30000, sizeof(in) - 30000}};
    struct msghdr rmsg = {.msg_iov = riov, .msg_iovlen = 2};
    m = recvmsg(rx, &rmsg, 0);
    say("sendmsg of 3 iovecs, %d bytes: sent %zd; recvmsg into 2: %zd, same: %s, truncated: %s\n", UDP_MAX, n, m,
        same(m), rmsg.msg_flags & MSG_TRUNC ? "yes" : "no");

    n = sendto(tx, out, UDP_MAX, 0, (struct sockaddr *)&to, sizeof(to));
    m = recv(rx, in, 100, MSG_TRUNC);
    say("recv of 100 bytes with MSG_TRUNC: %zd (the datagram's length), front same: %s\n", m,
        !memcmp(in, out, 100) ? "yes" : "no");

    n = sendto(tx, out, UDP_MAX, 0, (struct sockaddr *)&to, sizeof(to));
    struct iovec siov = {in, 60000};
    struct msghdr smsg = {.msg_iov = &siov, .msg_iovlen = 1};
    m = recvmsg(rx, &smsg, 0);
    say("recvmsg into 60000 bytes: %zd, msg_flags MSG_TRUNC: %s, same: %s\n", m,
        smsg.msg_flags & MSG_TRUNC ? "yes" : "no", same(m));
    close(tx);
    close(rx);

    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, u)) {
        say("socketpair: %s\n", ename(errno));
        return 1;
    }
    setsockopt(u[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
    setsockopt(u[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
    n = send(u[0], out, 65536, 0);
    m = recv(u[1], in, sizeof(in), 0);
    say("unix datagram of 64 KiB: sent %zd, received %zd, same: %s\n", n, m, same(m));
    n = send(u[0], out, UDP_MAX, MSG_DONTWAIT);
    m = recv(u[1], in, 16, MSG_DONTWAIT);
    say("unix datagram into 16 bytes: %zd\n", m);
    m = recv(u[1], in, 16, MSG_DONTWAIT);
    say("then: %s (the rest was dropped)\n", m < 0 ? ename(errno) : "more");
    return 0;
}
