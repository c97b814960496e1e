/* Host side of the net PAL OCALLs (abi/ocall_abi.h): pipes, sockets and
 * poll, with the semantics of pal/direct/pal_net.c. Every argument is range
 * checked before anything runs (a malformed input is -EINVAL, a handle that
 * cannot be a host fd is -EBADF), and no output exceeds out_cap. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "host_cp.h"
#include "pidns.h"
#include "urts_ocall.h"
#include "pal.h"

#define ADDR_MAX 128 /* the frame's address room: sizeof(struct sockaddr_storage) */
#define OPT_MAX 256
#define POLL_MAX 1024
#define RECV_HDR (sizeof(uint64_t) + ADDR_MAX)
#define NS 1000000000LL

_Static_assert(sizeof(struct sockaddr_storage) == ADDR_MAX, "address room");
_Static_assert(sizeof(struct pal_pollfd) == 16, "pal_pollfd on the wire");

/* One call's parsed input and output room. */
struct net_call {
    struct urts_ocall_in in;
    const int64_t *a;
    uint8_t *out;
    uint64_t out_cap, *out_size;
};

static int is_int(int64_t v)
{
    return v >= INT_MIN && v <= INT_MAX;
}

/* Arguments i..i+n-1 all fit an int. */
static int ints(const struct net_call *c, int i, int n)
{
    for (; n > 0; i++, n--)
        if (!is_int(c->a[i]))
            return 0;
    return 1;
}

/* A handle as a host fd: any value that cannot be one is -EBADF, as the
 * kernel says for an fd that is not open. */
static int fd_of(int64_t h)
{
    return h >= 0 && h <= INT_MAX ? (int)h : -1;
}

/* MSG_DONTWAIT for an exitless worker's call (urts_ocall.h). */
static int dontwait(void)
{
    return urts_ocall_dontwait ? MSG_DONTWAIT : 0;
}

static int64_t sys_result(long r)
{
    return r < 0 ? -errno : r;
}

static int64_t put_pair(struct net_call *c, const int fds[2])
{
    int64_t h[2] = {fds[0], fds[1]};

    memcpy(c->out, h, sizeof(h));
    *c->out_size = sizeof(h);
    return 0;
}

static int64_t do_pipe(struct net_call *c)
{
    int fds[2];

    if (!urts_ocall_end(&c->in) || !ints(c, 0, 1) || c->out_cap < 2 * sizeof(int64_t))
        return -EINVAL;
    if (pipe2(fds, (int)c->a[0]) != 0)
        return -errno;
    return put_pair(c, fds);
}

static int64_t do_eventfd(struct net_call *c)
{
    if (!urts_ocall_end(&c->in) || c->a[0] > UINT32_MAX || (c->a[1] & ~(uint64_t)(O_NONBLOCK | 1)))
        return -EINVAL;
    return sys_result(eventfd((unsigned)c->a[0], (int)c->a[1] | EFD_CLOEXEC));
}

static int64_t do_sock_create(struct net_call *c)
{
    if (!urts_ocall_end(&c->in) || !ints(c, 0, 3))
        return -EINVAL;
    return sys_result(socket((int)c->a[0], (int)c->a[1], (int)c->a[2]));
}

static int64_t do_sock_pair(struct net_call *c)
{
    int fds[2];

    if (!urts_ocall_end(&c->in) || !ints(c, 0, 3) || c->out_cap < 2 * sizeof(int64_t))
        return -EINVAL;
    if (socketpair((int)c->a[0], (int)c->a[1], (int)c->a[2], fds) != 0)
        return -errno;
    return put_pair(c, fds);
}

/* bind and connect: a0 h, a1 address length; the address follows. */
static int64_t do_addr_call(struct net_call *c, int connect_it)
{
    int64_t len = c->a[1];
    const uint8_t *addr;

    if (len < 0 || len > ADDR_MAX || !(addr = urts_ocall_bytes(&c->in, len)) ||
        !urts_ocall_end(&c->in))
        return -EINVAL;
    if (fd_of(c->a[0]) < 0)
        return -EBADF;
    if (connect_it)
        return HC3(SYS_connect, fd_of(c->a[0]), (const struct sockaddr *)addr, (socklen_t)len);
    return sys_result(bind(fd_of(c->a[0]), (const struct sockaddr *)addr, (socklen_t)len));
}

/* listen and shutdown: a0 h, a1 an int. */
static int64_t do_fd_int(struct net_call *c, int (*fn)(int, int))
{
    int fd = fd_of(c->a[0]);

    if (!urts_ocall_end(&c->in) || !ints(c, 1, 1))
        return -EINVAL;
    if (fd < 0)
        return -EBADF;
    return sys_result(fn(fd, (int)c->a[1]));
}

/* Copies the first min(len, cap) bytes of an address out; its length is the
 * output size. */
static void put_addr(struct net_call *c, const struct sockaddr_storage *ss, socklen_t len,
                     uint64_t cap)
{
    uint64_t n = len < cap ? len : cap;

    memcpy(c->out, ss, n);
    *c->out_size = n;
}

static int64_t do_accept(struct net_call *c)
{
    struct sockaddr_storage ss;
    int64_t cap = c->a[2];
    socklen_t sl = (socklen_t)cap;
    int fd = fd_of(c->a[0]);
    long r;

    if (!urts_ocall_end(&c->in) || !ints(c, 1, 1) || cap < 0 || cap > ADDR_MAX ||
        (uint64_t)cap > c->out_cap)
        return -EINVAL;
    if (fd < 0)
        return -EBADF;
    r = HC4(SYS_accept4, fd, cap ? (struct sockaddr *)&ss : NULL, cap ? &sl : NULL, (int)c->a[1]);
    if (r < 0)
        return r;
    if (cap)
        put_addr(c, &ss, sl, (uint64_t)cap);
    return r;
}

/* a0 h, a1 len, a2 flags, a3 address length (0: none); address, data. */
static int64_t do_send(struct net_call *c)
{
    int64_t len = c->a[1], alen = c->a[3];
    const uint8_t *addr = NULL, *data;
    int fd = fd_of(c->a[0]);

    if (len < 0 || len > OCALL_MAX_SOCK_IO || alen < 0 || alen > ADDR_MAX || !ints(c, 2, 1))
        return -EINVAL;
    if ((alen && !(addr = urts_ocall_bytes(&c->in, alen))) ||
        !(data = urts_ocall_bytes(&c->in, len)) || !urts_ocall_end(&c->in))
        return -EINVAL;
    if (fd < 0)
        return -EBADF;
    return HC6(SYS_sendto, fd, data, (size_t)len, (int)c->a[2] | dontwait(), (const struct sockaddr *)addr,
               (socklen_t)alen);
}

/* Output: uint64_t address length, 128 bytes of address, then the data
 * (with MSG_TRUNC the count may exceed what came). */
static int64_t do_recv(struct net_call *c)
{
    int64_t len = c->a[1], cap = c->a[3];
    struct sockaddr_storage ss;
    socklen_t sl = (socklen_t)cap;
    uint64_t alen = 0;
    int fd = fd_of(c->a[0]);
    long r;

    if (!urts_ocall_end(&c->in) || len < 0 || len > OCALL_MAX_SOCK_IO || cap < 0 || cap > ADDR_MAX ||
        !ints(c, 2, 1) || c->out_cap < RECV_HDR + (uint64_t)len)
        return -EINVAL;
    if (fd < 0)
        return -EBADF;
    memset(&ss, 0, sizeof(ss));
    r = HC6(SYS_recvfrom, fd, c->out + RECV_HDR, (size_t)len, (int)c->a[2] | dontwait(),
            cap ? (struct sockaddr *)&ss : NULL, cap ? &sl : NULL);
    if (r < 0)
        return r;
    if (cap)
        alen = sl < ADDR_MAX ? sl : ADDR_MAX;
    memcpy(c->out, &alen, sizeof(alen));
    memcpy(c->out + sizeof(alen), &ss, ADDR_MAX);
    *c->out_size = RECV_HDR + ((uint64_t)r < (uint64_t)len ? (uint64_t)r : (uint64_t)len);
    return r;
}

static int64_t do_sendmsg(struct net_call *c)
{
    int64_t len = c->a[1], alen = c->a[3], clen = c->a[4];
    const uint8_t *addr = NULL, *control = NULL, *data;
    int fd = fd_of(c->a[0]);

    if (len < 0 || len > OCALL_MAX_SOCK_IO || alen < 0 || alen > ADDR_MAX || clen < 0 ||
        clen > OCALL_MSG_CONTROL_MAX || !ints(c, 2, 1))
        return -EINVAL;
    if ((alen && !(addr = urts_ocall_bytes(&c->in, alen))) ||
        (clen && !(control = urts_ocall_bytes(&c->in, clen))) || !(data = urts_ocall_bytes(&c->in, len)) ||
        !urts_ocall_end(&c->in) || (clen && !ocall_control_ok(control, (uint64_t)clen)))
        return -EINVAL;
    if (fd < 0)
        return -EBADF;
    uint8_t ctl[OCALL_MSG_CONTROL_MAX];
    if (clen)
        memcpy(ctl, control, (size_t)clen);
    direct_creds_translate(ctl, (size_t)clen, true);
    struct iovec iov = {(void *)data, (size_t)len};
    struct msghdr m = {.msg_name = (void *)addr,
                       .msg_namelen = (socklen_t)alen,
                       .msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = clen ? ctl : NULL,
                       .msg_controllen = (size_t)clen};

    return HC3(SYS_sendmsg, fd, &m, (int)c->a[2] | dontwait());
}

#define RECVMSG_HDR (RECV_HDR + 2 * sizeof(uint64_t) + OCALL_MSG_CONTROL_MAX)

static int64_t do_recvmsg(struct net_call *c)
{
    int64_t len = c->a[1], cap = c->a[3], ccap = c->a[4];
    struct sockaddr_storage ss;
    uint64_t alen = 0, words[2];
    uint8_t *control = c->out + RECV_HDR + sizeof(words);
    int fd = fd_of(c->a[0]);
    long r;

    if (!urts_ocall_end(&c->in) || len < 0 || len > OCALL_MAX_SOCK_IO || cap < 0 || cap > ADDR_MAX || ccap < 0 ||
        ccap > OCALL_MSG_CONTROL_MAX || !ints(c, 2, 1) || c->out_cap < RECVMSG_HDR + (uint64_t)len)
        return -EINVAL;
    if (fd < 0)
        return -EBADF;
    memset(&ss, 0, sizeof(ss));
    memset(c->out, 0, RECVMSG_HDR);
    struct iovec iov = {c->out + RECVMSG_HDR, (size_t)len};
    struct msghdr m = {.msg_name = cap ? &ss : NULL, .msg_namelen = cap ? (socklen_t)cap : 0, .msg_iov = &iov,
                       .msg_iovlen = 1, .msg_control = ccap ? control : NULL, .msg_controllen = (size_t)ccap};
    r = HC3(SYS_recvmsg, fd, &m, (int)c->a[2] | MSG_CMSG_CLOEXEC | dontwait());
    if (r < 0)
        return r;
    if (cap)
        alen = m.msg_namelen < ADDR_MAX ? m.msg_namelen : ADDR_MAX;
    words[0] = m.msg_controllen;
    words[1] = (uint64_t)(unsigned)m.msg_flags;
    direct_creds_translate(control, m.msg_controllen, false);
    memcpy(c->out, &alen, sizeof(alen));
    memcpy(c->out + sizeof(alen), &ss, ADDR_MAX);
    memcpy(c->out + RECV_HDR, words, sizeof(words));
    *c->out_size = RECVMSG_HDR + ((uint64_t)r < (uint64_t)len ? (uint64_t)r : (uint64_t)len);
    return r;
}

/* a0 h, a1 level, a2 name, a3 length (<= 256); value. */
static int64_t do_setopt(struct net_call *c)
{
    int64_t len = c->a[3];
    const uint8_t *val;
    int fd = fd_of(c->a[0]);

    if (len < 0 || len > OPT_MAX || !ints(c, 1, 2) || !(val = urts_ocall_bytes(&c->in, len)) ||
        !urts_ocall_end(&c->in))
        return -EINVAL;
    if (fd < 0)
        return -EBADF;
    return sys_result(setsockopt(fd, (int)c->a[1], (int)c->a[2], val, (socklen_t)len));
}

/* Into a buffer of our own first: the kernel is trusted to honour the
 * length, but out_cap is checked here, not there. */
static int64_t do_getopt(struct net_call *c)
{
    uint8_t val[OPT_MAX];
    int64_t cap = c->a[3];
    socklen_t sl = (socklen_t)cap;
    int fd = fd_of(c->a[0]);

    if (!urts_ocall_end(&c->in) || !ints(c, 1, 2) || cap < 0 || cap > OPT_MAX ||
        (uint64_t)cap > c->out_cap)
        return -EINVAL;
    if (fd < 0)
        return -EBADF;
    if (getsockopt(fd, (int)c->a[1], (int)c->a[2], val, &sl) != 0)
        return -errno;
    direct_peercred_translate((int)c->a[1], (int)c->a[2], val, sl);
    if (sl > (socklen_t)cap)
        sl = (socklen_t)cap;
    memcpy(c->out, val, sl);
    *c->out_size = sl;
    return 0;
}

/* a0 h, a1 peer, a2 capacity (<= 128). */
static int64_t do_name(struct net_call *c)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int64_t cap = c->a[2];
    int fd = fd_of(c->a[0]);
    int r;

    if (!urts_ocall_end(&c->in) || cap < 0 || cap > ADDR_MAX || (uint64_t)cap > c->out_cap)
        return -EINVAL;
    if (fd < 0)
        return -EBADF;
    r = c->a[1] ? getpeername(fd, (struct sockaddr *)&ss, &sl)
                : getsockname(fd, (struct sockaddr *)&ss, &sl);
    if (r != 0)
        return -errno;
    put_addr(c, &ss, sl, (uint64_t)cap);
    return 0;
}

/* a0 n, a1 timeout ns (< 0: forever); struct pal_pollfd[n]; out int16_t revents[n]. */
static int64_t do_poll(struct net_call *c)
{
    struct pollfd fds[POLL_MAX];
    int64_t n = c->a[0], ns = urts_ocall_dontwait ? 0 : c->a[1];
    struct timespec ts = {ns / NS, ns % NS};
    const uint8_t *req;
    int r;

    if (n < 0 || n > POLL_MAX ||
        !(req = urts_ocall_bytes(&c->in, n * (int64_t)sizeof(struct pal_pollfd))) ||
        !urts_ocall_end(&c->in) || c->out_cap < (uint64_t)n * sizeof(int16_t))
        return -EINVAL;
    for (int64_t i = 0; i < n; i++) {
        struct pal_pollfd p;

        memcpy(&p, req + i * (int64_t)sizeof(p), sizeof(p));
        if (!is_int(p.handle))
            return -EINVAL;
        fds[i] = (struct pollfd){.fd = (int)p.handle, .events = p.events};
    }
    r = ns == 0 ? (int)sys_result(ppoll(fds, (nfds_t)n, &ts, NULL)) /* never blocks */
                : (int)HC5(SYS_ppoll, fds, (nfds_t)n, ns < 0 ? NULL : &ts, NULL, 8);
    if (r < 0)
        return r;
    for (int64_t i = 0; i < n; i++)
        memcpy(c->out + i * (int64_t)sizeof(int16_t), &fds[i].revents, sizeof(int16_t));
    *c->out_size = (uint64_t)n * sizeof(int16_t);
    return r;
}


static int64_t do_waitset_create(struct net_call *c)
{
    if (!urts_ocall_end(&c->in))
        return -EINVAL;
    return sys_result(epoll_create1(EPOLL_CLOEXEC));
}

/* a0 h. */
static int64_t do_handle_dup(struct net_call *c)
{
    if (!urts_ocall_end(&c->in))
        return -EINVAL;
    if (fd_of(c->a[0]) < 0)
        return -EBADF;
    return sys_result(fcntl(fd_of(c->a[0]), F_DUPFD_CLOEXEC, 0));
}

/* a0 ws, a1 op, a2 h, a3 events, a4 key. */
static int64_t do_waitset_ctl(struct net_call *c)
{
    struct epoll_event ev = {.events = (uint32_t)c->a[3], .data.u64 = (uint64_t)c->a[4]};

    if (!urts_ocall_end(&c->in) || !ints(c, 1, 1) || c->a[3] < 0 || c->a[3] > UINT32_MAX)
        return -EINVAL;
    return sys_result(epoll_ctl(fd_of(c->a[0]), (int)c->a[1], fd_of(c->a[2]), &ev));
}

/* a0 ws, a1 n, a2 timeout ns; out struct ocall_wait_event[count]. */
static int64_t do_waitset_wait(struct net_call *c)
{
    struct epoll_event ev[OCALL_WAIT_MAX];
    int64_t n = c->a[1], ns = urts_ocall_dontwait ? 0 : c->a[2];
    struct timespec ts = {ns / NS, ns % NS};
    long r;

    if (!urts_ocall_end(&c->in) || n < 1 || n > OCALL_WAIT_MAX ||
        c->out_cap < (uint64_t)n * sizeof(struct ocall_wait_event))
        return -EINVAL;
    r = ns == 0 ? sys_result(epoll_wait(fd_of(c->a[0]), ev, (int)n, 0)) /* never blocks */
                : HC6(SYS_epoll_pwait2, fd_of(c->a[0]), ev, (int)n, ns < 0 ? NULL : &ts, NULL, 8);
    if (r == -ENOSYS) /* before Linux 5.11: milliseconds, rounded up */
        r = HC6(SYS_epoll_pwait, fd_of(c->a[0]), ev, (int)n,
                ns < 0 ? -1
                       : (int)((ns + 999999) / 1000000 > INT_MAX ? INT_MAX : (ns + 999999) / 1000000),
                NULL, 8);
    if (r < 0)
        return r;
    for (long i = 0; i < r; i++) {
        struct ocall_wait_event w = {.events = ev[i].events, .key = ev[i].data.u64};

        memcpy(c->out + i * (long)sizeof(w), &w, sizeof(w));
    }
    *c->out_size = (uint64_t)r * sizeof(struct ocall_wait_event);
    return r;
}

int64_t urts_ocall_net(struct urts_enclave *e, uint32_t thread, uint64_t number, const uint8_t *in,
                       uint64_t in_size, uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    struct net_call c = {.out = out, .out_cap = out_cap, .out_size = out_size};

    (void)e;
    (void)thread;
    *out_size = 0;
    if (urts_ocall_begin(&c.in, in, in_size))
        return -EINVAL;
    c.a = c.in.a.a;
    switch (number) {
    case OCALL_PIPE:
        return do_pipe(&c);
    case OCALL_EVENTFD:
        return do_eventfd(&c);
    case OCALL_SOCK_CREATE:
        return do_sock_create(&c);
    case OCALL_SOCK_PAIR:
        return do_sock_pair(&c);
    case OCALL_SOCK_BIND:
        return do_addr_call(&c, /*connect_it=*/0);
    case OCALL_SOCK_LISTEN:
        return do_fd_int(&c, listen);
    case OCALL_SOCK_ACCEPT:
        return do_accept(&c);
    case OCALL_SOCK_CONNECT:
        return do_addr_call(&c, /*connect_it=*/1);
    case OCALL_SOCK_SEND:
        return do_send(&c);
    case OCALL_SOCK_RECV:
        return do_recv(&c);
    case OCALL_SOCK_SENDMSG:
        return do_sendmsg(&c);
    case OCALL_SOCK_RECVMSG:
        return do_recvmsg(&c);
    case OCALL_SOCK_SHUTDOWN:
        return do_fd_int(&c, shutdown);
    case OCALL_SOCK_SETOPT:
        return do_setopt(&c);
    case OCALL_SOCK_GETOPT:
        return do_getopt(&c);
    case OCALL_SOCK_NAME:
        return do_name(&c);
    case OCALL_POLL:
        return do_poll(&c);
    case OCALL_WAITSET_CREATE:
        return do_waitset_create(&c);
    case OCALL_WAITSET_CTL:
        return do_waitset_ctl(&c);
    case OCALL_WAITSET_WAIT:
        return do_waitset_wait(&c);
    case OCALL_HANDLE_DUP:
        return do_handle_dup(&c);
    }
    return -ENOSYS;
}
