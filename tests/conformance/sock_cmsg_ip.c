// modes: direct sim
/* Ancillary data beyond descriptors (cmsg(3), ipv6(7), ip(7)): a hop limit
 * and a TOS sent with sendmsg and the ones received reported by recvmsg;
 * recvmsg's msg_flags says MSG_CMSG_CLOEXEC only when the caller asked for
 * it. IPv6 on the loopback may be missing: then both runs say so. */
#include "conf.h"
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

static void v6(void)
{
    int a = socket(AF_INET6, SOCK_DGRAM, 0), b = socket(AF_INET6, SOCK_DGRAM, 0), on = 1;
    struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    socklen_t sl = sizeof(sa);
    if (a < 0 || b < 0 || bind(a, (struct sockaddr *)&sa, sizeof(sa)) ||
        getsockname(a, (struct sockaddr *)&sa, &sl)) {
        say("ipv6 loopback: %s\n", ename(errno));
        return;
    }
    chk("IPV6_RECVHOPLIMIT", setsockopt(a, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)));
    char data[] = "hop", ctl[CMSG_SPACE(sizeof(int))], rctl[256], buf[16];
    struct iovec iov = {data, 3};
    struct msghdr m = {.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = ctl, .msg_controllen = sizeof(ctl)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = IPPROTO_IPV6, c->cmsg_type = IPV6_HOPLIMIT, c->cmsg_len = CMSG_LEN(sizeof(int));
    int hops = 7;
    memcpy(CMSG_DATA(c), &hops, sizeof(int));
    val("sendmsg with IPV6_HOPLIMIT 7", sendmsg(b, &m, 0));
    struct iovec riov = {buf, sizeof(buf)};
    struct msghdr r = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = rctl, .msg_controllen = sizeof(rctl)};
    val("recvmsg", recvmsg(a, &r, 0));
    int got = -1;
    for (c = CMSG_FIRSTHDR(&r); c; c = CMSG_NXTHDR(&r, c))
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)
            memcpy(&got, CMSG_DATA(c), sizeof(int));
    say("received hop limit %d, msg_flags %#x\n", got, r.msg_flags);
    close(a), close(b);
}

static void v4(void)
{
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0), on = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    if (bind(a, (struct sockaddr *)&sa, sizeof(sa)) || getsockname(a, (struct sockaddr *)&sa, &sl))
        return;
    chk("IP_RECVTOS", setsockopt(a, IPPROTO_IP, IP_RECVTOS, &on, sizeof(on)));
    chk("IP_RECVTTL", setsockopt(a, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on)));
    char ctl[CMSG_SPACE(sizeof(int))], rctl[256], buf[16];
    struct iovec iov = {"tos", 3};
    struct msghdr m = {.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = ctl, .msg_controllen = sizeof(ctl)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = IPPROTO_IP, c->cmsg_type = IP_TOS, c->cmsg_len = CMSG_LEN(sizeof(int));
    int tos = 0x10;
    memcpy(CMSG_DATA(c), &tos, sizeof(int));
    val("sendmsg with IP_TOS 0x10", sendmsg(b, &m, 0));
    struct iovec riov = {buf, sizeof(buf)};
    struct msghdr r = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = rctl, .msg_controllen = sizeof(rctl)};
    val("recvmsg", recvmsg(a, &r, MSG_CMSG_CLOEXEC));
    int got_tos = -1, got_ttl = -1;
    for (c = CMSG_FIRSTHDR(&r); c; c = CMSG_NXTHDR(&r, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS)
            got_tos = *(unsigned char *)CMSG_DATA(c);
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
            memcpy(&got_ttl, CMSG_DATA(c), sizeof(int));
    }
    say("received tos %#x, a ttl %d, msg_flags %#x\n", got_tos, got_ttl > 0, r.msg_flags);
}

static void rights(void)
{
    int sv[2], p[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) || pipe(p))
        return;
    char ctl[CMSG_SPACE(sizeof(int))], rctl[CMSG_SPACE(sizeof(int))], b = 'x';
    struct iovec iov = {&b, 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET, c->cmsg_type = SCM_RIGHTS, c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &p[0], sizeof(int));
    for (int i = 0; i < 2; i++) {
        sendmsg(sv[0], &m, 0);
        struct msghdr r = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = rctl, .msg_controllen = sizeof(rctl)};
        val(i ? "recvmsg SCM_RIGHTS, MSG_CMSG_CLOEXEC" : "recvmsg SCM_RIGHTS", recvmsg(sv[1], &r, i ? MSG_CMSG_CLOEXEC : 0));
        say("msg_flags %#x\n", r.msg_flags);
    }
}

int main(void)
{
    v6();
    v4();
    rights();
    return 0;
}
