// modes: direct sim
/* Sockets on 127.0.0.1 and AF_UNIX (socket(2), bind(2), listen(2),
 * accept4(2), connect(2), getsockname(2), getpeername(2), setsockopt(2),
 * getsockopt(2), shutdown(2), send(2)/recv(2) flags, sendmsg(2)/recvmsg(2)
 * with SCM_RIGHTS and SCM_CREDENTIALS, sendmmsg(2)/recvmmsg(2), unix(7)
 * abstract names, tcp(7), udp(7)): flags, errnos and edge cases. Ports
 * are the kernel's choice (port 0); none is printed. */
#include "conf.h"

#include <fcntl.h>
#include <stddef.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

static struct sockaddr_in lo(int port)
{
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static int port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t l = sizeof(a);
    return getsockname(fd, (struct sockaddr *)&a, &l) ? -1 : ntohs(a.sin_port);
}

static void opt(const char *what, int fd, int level, int name)
{
    int v = -1;
    socklen_t l = sizeof(v);
    if (getsockopt(fd, level, name, &v, &l))
        say("%s: -1 %s\n", what, ename(errno));
    else
        say("%s: %d (len %u)\n", what, v, l);
}

int main(void)
{
    /* socket() errors. */
    chk("socket domain 12345", socket(12345, SOCK_STREAM, 0));
    chk("socket AF_INET type 99", socket(AF_INET, 99, 0));
    chk("socket AF_INET SOCK_STREAM protocol UDP", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
    chk("socket AF_INET SOCK_DGRAM protocol TCP", socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP));
    chk("socket AF_INET flags 0x4000", socket(AF_INET, SOCK_STREAM | 0x4000, 0));
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    say("SOCK_CLOEXEC: %d, SOCK_NONBLOCK: %d\n", (fcntl(s, F_GETFD) & FD_CLOEXEC) != 0,
        (fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
    close(s);

    /* bind, listen, connect, accept4. */
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = lo(0);
    chk("bind 127.0.0.1:0", bind(l, (struct sockaddr *)&a, sizeof(a)));
    int port = port_of(l);
    say("kernel chose a port: %s\n", port > 0 ? "yes" : "no");
    chk("bind again", bind(l, (struct sockaddr *)&a, sizeof(a)));
    chk("bind short length", bind(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr *)&a, 4));
    struct sockaddr_in6 six = {0};
    six.sin6_family = AF_INET6;
    chk("bind an AF_INET6 address to AF_INET",
        bind(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr *)&six, sizeof(six)));
    int l2 = socket(AF_INET, SOCK_STREAM, 0);
    a = lo(port);
    chk("bind the same port, another socket", bind(l2, (struct sockaddr *)&a, sizeof(a)));
    close(l2);
    struct sockaddr_in peer;
    socklen_t pl = sizeof(peer);
    chk("getpeername, not connected", getpeername(l, (struct sockaddr *)&peer, &pl));
    chk("accept before listen", accept(l, NULL, NULL));
    chk("listen", listen(l, 4));
    chk("listen again", listen(l, 8));
    int c = socket(AF_INET, SOCK_STREAM, 0);
    chk("connect", connect(c, (struct sockaddr *)&a, sizeof(a)));
    chk("connect again", connect(c, (struct sockaddr *)&a, sizeof(a)));
    pl = sizeof(peer);
    int acc = accept4(l, (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK | SOCK_CLOEXEC);
    say("accept4: %s, peer is the client's address: %s, len %u\n", acc >= 0 ? "ok" : ename(errno),
        ntohs(peer.sin_port) == port_of(c) && peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK) ? "yes"
                                                                                             : "no",
        pl);
    say("accepted SOCK_NONBLOCK: %d, SOCK_CLOEXEC: %d\n", (fcntl(acc, F_GETFL) & O_NONBLOCK) != 0,
        (fcntl(acc, F_GETFD) & FD_CLOEXEC) != 0);
    chk("accept4 bad flags", accept4(l, NULL, NULL, 0x1234));
    int nb = fcntl(l, F_GETFL);
    fcntl(l, F_SETFL, nb | O_NONBLOCK);
    chk("accept, none waiting, O_NONBLOCK", accept(l, NULL, NULL));
    fcntl(l, F_SETFL, nb);
    pl = sizeof(peer);
    chk("getpeername", getpeername(c, (struct sockaddr *)&peer, &pl));
    say("the client's peer is the listener's port: %s\n",
        ntohs(peer.sin_port) == port ? "yes" : "no");
    chk("connect a socket that listens", connect(l, (struct sockaddr *)&a, sizeof(a)));

    /* Options. */
    opt("SO_TYPE", c, SOL_SOCKET, SO_TYPE);
    opt("SO_DOMAIN", c, SOL_SOCKET, SO_DOMAIN);
    opt("SO_PROTOCOL", c, SOL_SOCKET, SO_PROTOCOL);
    opt("SO_ACCEPTCONN of the listener", l, SOL_SOCKET, SO_ACCEPTCONN);
    opt("SO_ACCEPTCONN of the client", c, SOL_SOCKET, SO_ACCEPTCONN);
    opt("SO_ERROR", c, SOL_SOCKET, SO_ERROR);
    opt("SO_REUSEADDR", c, SOL_SOCKET, SO_REUSEADDR);
    int one = 1, v = 4096;
    chk("SO_REUSEADDR 1", setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
    opt("SO_REUSEADDR", c, SOL_SOCKET, SO_REUSEADDR);
    opt("SO_KEEPALIVE", c, SOL_SOCKET, SO_KEEPALIVE);
    chk("SO_KEEPALIVE 1", setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)));
    opt("SO_KEEPALIVE", c, SOL_SOCKET, SO_KEEPALIVE);
    chk("SO_RCVBUF 4096", setsockopt(c, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)));
    opt("SO_RCVBUF (doubled)", c, SOL_SOCKET, SO_RCVBUF);
    opt("TCP_NODELAY", c, IPPROTO_TCP, TCP_NODELAY);
    chk("TCP_NODELAY 1", setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)));
    opt("TCP_NODELAY", c, IPPROTO_TCP, TCP_NODELAY);
    struct linger lg = {1, 5}, lg2;
    chk("SO_LINGER on, 5 s", setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
    socklen_t ll = sizeof(lg2);
    chk("SO_LINGER", getsockopt(c, SOL_SOCKET, SO_LINGER, &lg2, &ll));
    say("linger %d %d, len %u\n", lg2.l_onoff, lg2.l_linger, ll);
    chk("setsockopt short length", setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, 2));
    chk("setsockopt level 12345", setsockopt(c, 12345, 1, &one, sizeof(one)));
    chk("setsockopt SOL_SOCKET name 9999", setsockopt(c, SOL_SOCKET, 9999, &one, sizeof(one)));
    chk("getsockopt IPPROTO_TCP name 9999", getsockopt(c, IPPROTO_TCP, 9999, &v, &ll));
    chk("setsockopt TCP_NODELAY on UDP",
        setsockopt(socket(AF_INET, SOCK_DGRAM, 0), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)));
    int pf[2];
    if (pipe(pf))
        return 1;
    chk("getsockopt on a pipe", getsockopt(pf[0], SOL_SOCKET, SO_TYPE, &v, &ll));

    /* Data: MSG_PEEK, MSG_DONTWAIT, shutdown. */
    char buf[64];
    chk("send 5 bytes", send(c, "hello", 5, 0));
    int got;
    for (got = 0; got < 50 && recv(acc, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT) < 5; got++)
        usleep(10000);
    val("recv MSG_PEEK 3", recv(acc, buf, 3, MSG_PEEK));
    val("recv 64", recv(acc, buf, sizeof(buf), 0));
    val("recv MSG_DONTWAIT, nothing", recv(acc, buf, sizeof(buf), MSG_DONTWAIT));
    val("recv on the O_NONBLOCK accepted socket", recv(acc, buf, sizeof(buf), 0));
    chk("shutdown SHUT_WR", shutdown(c, SHUT_WR));
    fcntl(acc, F_SETFL, 0);
    val("peer reads end of file", recv(acc, buf, sizeof(buf), 0));
    signal(SIGPIPE, SIG_IGN);
    chk("send after SHUT_WR", send(c, "x", 1, 0));
    chk("send MSG_NOSIGNAL after SHUT_WR", send(c, "x", 1, MSG_NOSIGNAL));
    chk("shutdown how 7", shutdown(c, 7));
    chk("shutdown a listener", shutdown(l, SHUT_RDWR));
    chk("shutdown an unconnected socket", shutdown(socket(AF_INET, SOCK_STREAM, 0), SHUT_RD));
    chk("shutdown a pipe", shutdown(pf[0], SHUT_RD));
    close(c);
    close(acc);
    close(l);

    /* ECONNREFUSED: a port with no listener (bound, never listening). */
    int b = socket(AF_INET, SOCK_STREAM, 0);
    a = lo(0);
    bind(b, (struct sockaddr *)&a, sizeof(a));
    a = lo(port_of(b));
    c = socket(AF_INET, SOCK_STREAM, 0);
    chk("connect to a bound port, no listener", connect(c, (struct sockaddr *)&a, sizeof(a)));
    opt("SO_ERROR after it", c, SOL_SOCKET, SO_ERROR);
    close(c);
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int r = connect(c, (struct sockaddr *)&a, sizeof(a));
    say("nonblocking connect: %s\n", r == 0 ? "ok" : ename(errno));
    usleep(50000);
    opt("SO_ERROR", c, SOL_SOCKET, SO_ERROR);
    opt("SO_ERROR read again", c, SOL_SOCKET, SO_ERROR);
    close(c);
    close(b);

    /* UDP: MSG_TRUNC, connect filtering, ENOTCONN. */
    int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
    a = lo(0);
    bind(u1, (struct sockaddr *)&a, sizeof(a));
    struct sockaddr_in ua = lo(port_of(u1));
    chk("send on an unconnected UDP socket", send(u2, "x", 1, 0));
    val("sendto 10 bytes", sendto(u2, "0123456789", 10, 0, (struct sockaddr *)&ua, sizeof(ua)));
    struct sockaddr_in from;
    socklen_t fl = sizeof(from);
    val("recvfrom 4, MSG_TRUNC", recvfrom(u1, buf, 4, MSG_TRUNC, (struct sockaddr *)&from, &fl));
    say("from u2: %s\n", ntohs(from.sin_port) == port_of(u2) ? "yes" : "no");
    sendto(u2, "0123456789", 10, 0, (struct sockaddr *)&ua, sizeof(ua));
    struct iovec iv = {buf, 4};
    struct msghdr mh = {0};
    mh.msg_iov = &iv;
    mh.msg_iovlen = 1;
    val("recvmsg 4", recvmsg(u1, &mh, 0));
    say("msg_flags MSG_TRUNC: %d\n", (mh.msg_flags & MSG_TRUNC) != 0);
    val("recv MSG_DONTWAIT, empty", recv(u1, buf, sizeof(buf), MSG_DONTWAIT));
    sendto(u2, "", 0, 0, (struct sockaddr *)&ua, sizeof(ua));
    val("a 0-byte datagram", recv(u1, buf, sizeof(buf), 0));
    pl = sizeof(peer);
    chk("getpeername, UDP not connected", getpeername(u1, (struct sockaddr *)&peer, &pl));
    opt("SO_TYPE", u1, SOL_SOCKET, SO_TYPE);
    /* A datagram connect to a port nobody has: the error comes later. */
    int dead = socket(AF_INET, SOCK_DGRAM, 0);
    a = lo(0);
    bind(dead, (struct sockaddr *)&a, sizeof(a));
    struct sockaddr_in da = lo(port_of(dead));
    close(dead);
    int u3 = socket(AF_INET, SOCK_DGRAM, 0);
    chk("UDP connect to a closed port", connect(u3, (struct sockaddr *)&da, sizeof(da)));
    chk("send", send(u3, "x", 1, 0));
    usleep(20000);
    chk("recv after the ICMP error", recv(u3, buf, sizeof(buf), MSG_DONTWAIT));
    close(u3);

    /* sendmmsg and recvmmsg. */
    struct mmsghdr mm[3];
    struct iovec iov3[3];
    char d[3][8] = {"a", "bb", "ccc"};
    memset(mm, 0, sizeof(mm));
    for (int i = 0; i < 3; i++) {
        iov3[i] = (struct iovec){d[i], strlen(d[i])};
        mm[i].msg_hdr.msg_iov = &iov3[i];
        mm[i].msg_hdr.msg_iovlen = 1;
        mm[i].msg_hdr.msg_name = &ua;
        mm[i].msg_hdr.msg_namelen = sizeof(ua);
    }
    val("sendmmsg 3", sendmmsg(u2, mm, 3, 0));
    say("msg_len: %u %u %u\n", mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
    char r3[3][8];
    memset(mm, 0, sizeof(mm));
    for (int i = 0; i < 3; i++) {
        iov3[i] = (struct iovec){r3[i], sizeof(r3[i])};
        mm[i].msg_hdr.msg_iov = &iov3[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    struct timespec tmo = {1, 0};
    val("recvmmsg 3", recvmmsg(u1, mm, 3, MSG_WAITFORONE, &tmo));
    say("msg_len: %u %u %u\n", mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
    val("recvmmsg MSG_DONTWAIT, empty", recvmmsg(u1, mm, 3, MSG_DONTWAIT, NULL));
    close(u1);
    close(u2);

    /* AF_UNIX: abstract names, SCM_RIGHTS, SCM_CREDENTIALS. */
    struct sockaddr_un un = {0};
    un.sun_family = AF_UNIX;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(un.sun_path + 1, sizeof(un.sun_path) - 1, "geode-conf-%ld", (long)now.tv_nsec);
    socklen_t ul = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(un.sun_path + 1);
    int ux = socket(AF_UNIX, SOCK_STREAM, 0);
    chk("bind an abstract name", bind(ux, (struct sockaddr *)&un, ul));
    chk("bind it again, another socket",
        bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&un, ul));
    struct sockaddr_un got_un;
    socklen_t gl = sizeof(got_un);
    getsockname(ux, (struct sockaddr *)&got_un, &gl);
    say("getsockname: length matches %s, leading NUL %s\n", gl == ul ? "yes" : "no",
        got_un.sun_path[0] == 0 ? "yes" : "no");
    listen(ux, 2);
    int uc = socket(AF_UNIX, SOCK_STREAM, 0);
    chk("connect by the abstract name", connect(uc, (struct sockaddr *)&un, ul));
    int ua2 = accept(ux, NULL, NULL);
    one = 1;
    chk("SO_PASSCRED", setsockopt(ua2, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)));
    struct ucred cr;
    socklen_t cl = sizeof(cr);
    chk("SO_PEERCRED", getsockopt(ua2, SOL_SOCKET, SO_PEERCRED, &cr, &cl));
    say("peer pid mine %s, uid mine %s, gid mine %s\n", cr.pid == getpid() ? "yes" : "no",
        cr.uid == getuid() ? "yes" : "no", cr.gid == getgid() ? "yes" : "no");

    int pp[2];
    if (pipe(pp))
        return 1;
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
    } cm;
    memset(&cm, 0, sizeof(cm));
    struct msghdr m = {0};
    struct iovec io = {"F", 1};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    m.msg_control = cm.b;
    m.msg_controllen = CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred));
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_RIGHTS;
    h->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(h), &pp[0], sizeof(int));
    h = CMSG_NXTHDR(&m, h);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_CREDENTIALS;
    h->cmsg_len = CMSG_LEN(sizeof(struct ucred));
    struct ucred me = {getpid(), getuid(), getgid()};
    memcpy(CMSG_DATA(h), &me, sizeof(me));
    val("sendmsg SCM_RIGHTS + SCM_CREDENTIALS", sendmsg(uc, &m, 0));
    char rb[8];
    union {
        struct cmsghdr h;
        char b[256];
    } rc;
    struct iovec rio = {rb, sizeof(rb)};
    struct msghdr rm = {0};
    rm.msg_iov = &rio;
    rm.msg_iovlen = 1;
    rm.msg_control = rc.b;
    rm.msg_controllen = sizeof(rc.b);
    val("recvmsg", recvmsg(ua2, &rm, MSG_CMSG_CLOEXEC));
    int newfd = -1, ncred = 0;
    for (h = CMSG_FIRSTHDR(&rm); h; h = CMSG_NXTHDR(&rm, h)) {
        if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
            memcpy(&newfd, CMSG_DATA(h), sizeof(int));
        if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_CREDENTIALS) {
            struct ucred x;
            memcpy(&x, CMSG_DATA(h), sizeof(x));
            ncred = x.pid == getpid() && x.uid == getuid() ? 1 : 2;
        }
    }
    say("a descriptor came: %s, a new one: %s, close-on-exec: %d\n", newfd >= 0 ? "yes" : "no",
        newfd != pp[0] && newfd >= 0 ? "yes" : "no",
        newfd >= 0 && (fcntl(newfd, F_GETFD) & FD_CLOEXEC) != 0);
    say("credentials came and are mine: %s\n", ncred == 1 ? "yes" : ncred ? "other" : "no");
    if (newfd >= 0) {
        if (write(pp[1], "z", 1) != 1)
            return 1;
        char zc = 0;
        val("read from the passed pipe end", read(newfd, &zc, 1));
        say("byte %c\n", zc);
    }
    struct ucred bad = {getpid() + 1000000, getuid(), getgid()};
    memset(&cm, 0, sizeof(cm));
    m.msg_control = cm.b;
    m.msg_controllen = CMSG_SPACE(sizeof(struct ucred));
    h = CMSG_FIRSTHDR(&m);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_CREDENTIALS;
    h->cmsg_len = CMSG_LEN(sizeof(struct ucred));
    memcpy(CMSG_DATA(h), &bad, sizeof(bad));
    chk("sendmsg SCM_CREDENTIALS with another pid", sendmsg(uc, &m, 0));
    memset(&cm, 0, sizeof(cm));
    m.msg_controllen = CMSG_SPACE(sizeof(int));
    h = CMSG_FIRSTHDR(&m);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_RIGHTS;
    h->cmsg_len = CMSG_LEN(sizeof(int));
    int badfd = 999;
    memcpy(CMSG_DATA(h), &badfd, sizeof(int));
    chk("sendmsg SCM_RIGHTS of a closed fd", sendmsg(uc, &m, 0));
    return 0;
}
