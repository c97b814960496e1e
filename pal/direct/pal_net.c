/* Direct PAL: pipes, sockets and readiness, passed straight to the host. */
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "host.h"
#include "pidns.h"

static long direct_pipe(pal_handle out[2], int flags)
{
    int fds[2];
    long r = HS2(SYS_pipe2, fds, flags);
    if (r == 0) {
        out[0] = fds[0];
        out[1] = fds[1];
    }
    return r;
}

static long direct_eventfd(uint64_t initval, int flags, pal_handle *out)
{
    long fd = HS2(SYS_eventfd2, initval, (flags & (O_NONBLOCK | 1 /* EFD_SEMAPHORE */)) | O_CLOEXEC);
    if (fd >= 0)
        *out = fd;
    return fd < 0 ? fd : 0;
}

static long direct_sock_create(int domain, int type, int proto, pal_handle *out)
{
    long fd = HS3(SYS_socket, domain, type, proto);
    if (fd >= 0)
        *out = fd;
    return fd < 0 ? fd : 0;
}

static long direct_sock_pair(int domain, int type, int proto, pal_handle out[2])
{
    int fds[2];
    long r = HS4(SYS_socketpair, domain, type, proto, fds);
    if (r == 0) {
        out[0] = fds[0];
        out[1] = fds[1];
    }
    return r;
}

static long direct_sock_bind(pal_handle h, const void *a, uint32_t len)
{
    return HS3(SYS_bind, h, a, len);
}
static long direct_sock_listen(pal_handle h, int backlog) { return HS2(SYS_listen, h, backlog); }

static long direct_sock_accept(pal_handle h, void *a, uint32_t *len, int flags, pal_handle *out)
{
    socklen_t sl = len ? *len : 0;
    long fd = HC4(SYS_accept4, h, a, len ? &sl : NULL, flags);
    if (fd < 0)
        return fd;
    if (len)
        *len = sl;
    *out = fd;
    return 0;
}

static long direct_sock_connect(pal_handle h, const void *a, uint32_t len)
{
    return HC3(SYS_connect, h, a, len);
}

static long direct_sock_send(pal_handle h, const void *b, size_t n, int fl, const void *a,
                             uint32_t al)
{
    return HC6(SYS_sendto, h, b, n, fl, a, al);
}

static long direct_sock_recv(pal_handle h, void *b, size_t n, int fl, void *a, uint32_t *al)
{
    socklen_t sl = al ? *al : 0;
    long r = HC6(SYS_recvfrom, h, b, n, fl, a, al ? &sl : NULL);
    if (r >= 0 && al)
        *al = sl;
    return r;
}

/* The pid of each SCM_CREDENTIALS of a control buffer, from an id of the
 * program's pid namespace to the host's (to_host; an id no process has
 * becomes a pid no host process has) or back (0: outside the tree, as
 * Linux shows a process of another namespace). */
void direct_creds_translate(void *control, size_t len, bool to_host)
{
    struct msghdr m = {.msg_control = control, .msg_controllen = len};
    if (!pidns_self())
        return;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        struct ucred cr;
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_CREDENTIALS ||
            c->cmsg_len < CMSG_LEN(sizeof(cr)))
            continue;
        memcpy(&cr, CMSG_DATA(c), sizeof(cr));
        if (to_host) {
            pidns_lock();
            const struct ns_entry *e = cr.pid > 0 ? pidns_find(cr.pid) : NULL;
            cr.pid = e && e->kind == NS_PROCESS && e->host > 0 ? e->host : 0x3fffffff;
            pidns_unlock();
        } else {
            cr.pid = cr.pid > 0 ? pidns_id_of_host(cr.pid) : 0;
        }
        memcpy(CMSG_DATA(c), &cr, sizeof(cr));
    }
}

/* SO_PEERCRED's pid as an id of the program's pid namespace. */
void direct_peercred_translate(int level, int name, void *val, uint32_t len)
{
    struct ucred cr;
    if (level != SOL_SOCKET || name != SO_PEERCRED || len < sizeof(cr) || !pidns_self())
        return;
    memcpy(&cr, val, sizeof(cr));
    cr.pid = cr.pid > 0 ? pidns_id_of_host(cr.pid) : 0;
    memcpy(val, &cr, sizeof(cr));
}

static long direct_sock_sendmsg(pal_handle h, const void *b, size_t n, int fl, const void *a,
                                uint32_t al, const void *control, size_t clen)
{
    uint8_t ctl[4096];
    if (clen > sizeof(ctl))
        return -PAL_ENOBUFS;
    memcpy(ctl, control, clen);
    direct_creds_translate(ctl, clen, true);
    struct iovec iov = {(void *)b, n};
    struct msghdr m = {.msg_name = (void *)a,
                       .msg_namelen = al,
                       .msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = clen ? ctl : NULL,
                       .msg_controllen = clen};
    return HC3(SYS_sendmsg, h, &m, fl);
}

static long direct_sock_recvmsg(pal_handle h, void *b, size_t n, int fl, void *a, uint32_t *al,
                                void *control, size_t *clen, int *msg_flags)
{
    struct iovec iov = {b, n};
    struct msghdr m = {.msg_name = a, .msg_namelen = al ? *al : 0, .msg_iov = &iov,
                       .msg_iovlen = 1, .msg_control = control, .msg_controllen = *clen};
    long r = HC3(SYS_recvmsg, h, &m, fl | MSG_CMSG_CLOEXEC);
    if (r >= 0) {
        if (al)
            *al = m.msg_namelen;
        *clen = m.msg_controllen;
        *msg_flags = m.msg_flags;
        direct_creds_translate(control, *clen, false);
    }
    return r;
}

static long direct_sock_shutdown(pal_handle h, int how) { return HS2(SYS_shutdown, h, how); }

static long direct_sock_setopt(pal_handle h, int lvl, int name, const void *v, uint32_t len)
{
    return HS5(SYS_setsockopt, h, lvl, name, v, len);
}

static long direct_sock_getopt(pal_handle h, int lvl, int name, void *v, uint32_t *len)
{
    socklen_t sl = *len;
    long r = HS5(SYS_getsockopt, h, lvl, name, v, &sl);
    if (r == 0) {
        *len = sl;
        direct_peercred_translate(lvl, name, v, sl);
    }
    return r;
}

static long direct_sock_name(pal_handle h, int peer, void *a, uint32_t *len)
{
    socklen_t sl = *len;
    long r = HS3(peer ? SYS_getpeername : SYS_getsockname, h, a, &sl);
    if (r == 0)
        *len = sl;
    return r;
}

static long direct_poll(struct pal_pollfd *fds, uint32_t n, int64_t timeout_ns)
{
    struct pollfd host[1024];
    if (n > 1024)
        return -PAL_EINVAL;
    for (uint32_t i = 0; i < n; i++) {
        host[i].fd = (int)fds[i].handle;
        host[i].events = fds[i].events;
        host[i].revents = 0;
    }
    struct timespec ts = {timeout_ns / 1000000000LL, timeout_ns % 1000000000LL};
    long r = timeout_ns == 0 ? HS5(SYS_ppoll, host, n, &ts, NULL, 8) /* never blocks */
                             : HC5(SYS_ppoll, host, n, timeout_ns < 0 ? NULL : &ts, NULL, 8);
    for (uint32_t i = 0; r >= 0 && i < n; i++)
        fds[i].revents = host[i].revents;
    return r;
}

static long direct_waitset_create(pal_handle *out)
{
    long fd = HS1(SYS_epoll_create1, EPOLL_CLOEXEC);
    if (fd >= 0)
        *out = fd;
    return fd < 0 ? fd : 0;
}

static long direct_waitset_ctl(pal_handle ws, int op, pal_handle h, uint32_t events, uint64_t key)
{
    struct epoll_event ev = {.events = events, .data.u64 = key};
    return HS4(SYS_epoll_ctl, ws, op, h, op == EPOLL_CTL_DEL ? NULL : &ev);
}

static long direct_handle_dup(pal_handle h, pal_handle *out)
{
    long fd = HS3(SYS_fcntl, h, F_DUPFD_CLOEXEC, 0);
    if (fd >= 0)
        *out = fd;
    return fd < 0 ? fd : 0;
}

/* epoll_pwait's milliseconds (before Linux 5.11), rounded up. */
static int timeout_ms(int64_t ns)
{
    if (ns < 0)
        return -1;
    int64_t ms = (ns + 999999) / 1000000;
    return ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

/* The host's events come packed (12 bytes each): they are read into the
 * front of ev (16 bytes each) and spread out from the last one down, so
 * no entry is overwritten before it is read. */
static long direct_waitset_wait(pal_handle ws, struct pal_wait_event *ev, uint32_t n,
                                int64_t timeout_ns)
{
    struct epoll_event *host = (struct epoll_event *)ev;
    _Static_assert(sizeof(*host) <= sizeof(*ev), "packed host events fit in ev");
    struct timespec ts = {timeout_ns / 1000000000LL, timeout_ns % 1000000000LL};
    long r = timeout_ns == 0
                 ? HS6(SYS_epoll_pwait, ws, host, n, 0, NULL, 8) /* never blocks */
                 : HC6(SYS_epoll_pwait2, ws, host, n, timeout_ns < 0 ? NULL : &ts, NULL, 8);
    if (r == -PAL_ENOSYS)
        r = HC6(SYS_epoll_pwait, ws, host, n, timeout_ms(timeout_ns), NULL, 8);
    for (long i = r - 1; i >= 0; i--) {
        struct epoll_event h = host[i];
        ev[i] = (struct pal_wait_event){.events = h.events, .key = h.data.u64};
    }
    return r;
}

void direct_fill_net(struct pal_api *api)
{
    api->pipe = direct_pipe;
    api->eventfd = direct_eventfd;
    api->sock_create = direct_sock_create;
    api->sock_pair = direct_sock_pair;
    api->sock_bind = direct_sock_bind;
    api->sock_listen = direct_sock_listen;
    api->sock_accept = direct_sock_accept;
    api->sock_connect = direct_sock_connect;
    api->sock_send = direct_sock_send;
    api->sock_recv = direct_sock_recv;
    api->sock_shutdown = direct_sock_shutdown;
    api->sock_setopt = direct_sock_setopt;
    api->sock_getopt = direct_sock_getopt;
    api->sock_name = direct_sock_name;
    api->poll = direct_poll;
    api->waitset_create = direct_waitset_create;
    api->waitset_ctl = direct_waitset_ctl;
    api->waitset_wait = direct_waitset_wait;
    api->handle_dup = direct_handle_dup;
    api->sock_sendmsg = direct_sock_sendmsg;
    api->sock_recvmsg = direct_sock_recvmsg;
}
