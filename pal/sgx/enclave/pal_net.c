/* Trusted PAL: pipes, sockets and readiness over OCALLs (ocall_abi.h), with
 * the semantics of pal/direct/pal_net.c. Every value the host returns is
 * checked before use; a malformed reply is -EIO and nothing reaches the
 * caller. A handle the host created before its reply turned out malformed is
 * not closed: the host is then broken or hostile, and closing a number it
 * chose could hit a handle the enclave already uses. */
#include "pal_enclave.h"

#define ADDR_MAX 128 /* sizeof(struct sockaddr_storage): the frame's address room */
#define OPT_MAX 256
#define POLL_MAX 1024
#define RECV_HDR (sizeof(uint64_t) + ADDR_MAX)

/* Linux values (no libc here). */
#define L_MSG_TRUNC 0x20
#define L_POLLERR 0x008
#define L_POLLHUP 0x010
#define L_POLLNVAL 0x020

/* One OCALL whose input is the arguments and up to two byte ranges. */
static int64_t net_ocall(uint64_t number, const struct ocall_args *a, const void *b1, uint64_t l1,
                         const void *b2, uint64_t l2, void *out, uint64_t cap, uint64_t *got)
{
    struct ocall_iov iov[3] = {{a, sizeof(*a)}};
    unsigned n = 1;

    if (l1)
        iov[n++] = (struct ocall_iov){b1, l1};
    if (l2)
        iov[n++] = (struct ocall_iov){b2, l2};
    return enclave_ocallv(number, iov, n, out, cap, got);
}

static int64_t args_ocall(uint64_t number, const struct ocall_args *a)
{
    return net_ocall(number, a, NULL, 0, NULL, 0, NULL, 0, NULL);
}

/* Linux's rule for returned addresses: the copy is truncated to the caller's
 * capacity, the full length is reported. */
static void addr_out(void *addr, uint32_t *len, const uint8_t *src, uint64_t full)
{
    memcpy(addr, src, full < *len ? full : *len);
    *len = (uint32_t)full;
}

/* Two fresh, distinct, valid handles, exactly 16 bytes, result 0. */
static long take_pair(int64_t r, const int64_t h[2], uint64_t got, pal_handle out[2])
{
    if (r < 0)
        return r;
    if (r != 0 || got != 2 * sizeof(int64_t) || pal_check_handle(h[0]) < 0 ||
        pal_check_handle(h[1]) < 0 || h[0] == h[1])
        return -PAL_EIO;
    out[0] = h[0];
    out[1] = h[1];
    return 0;
}

static long enclave_pipe(pal_handle out[2], int flags)
{
    struct ocall_args a = {{flags}};
    int64_t h[2];
    uint64_t got = 0;
    int64_t r = net_ocall(OCALL_PIPE, &a, NULL, 0, NULL, 0, h, sizeof(h), &got);

    return take_pair(r, h, got, out);
}

/* The host's eventfd (pal.h eventfd_untrusted): its counter is the host's. */
static long enclave_eventfd_untrusted(uint64_t initval, int flags, pal_handle *out)
{
    struct ocall_args a = {{(int64_t)(uint32_t)initval, flags & (04000 /* O_NONBLOCK */ | 1 /* EFD_SEMAPHORE */)}};
    long r = pal_check_handle(args_ocall(OCALL_EVENTFD, &a));

    if (r < 0)
        return r;
    *out = (pal_handle)r;
    return 0;
}

static long enclave_sock_create(int domain, int type, int proto, pal_handle *out)
{
    struct ocall_args a = {{domain, type, proto}};
    long r = pal_check_handle(args_ocall(OCALL_SOCK_CREATE, &a));

    if (r < 0)
        return r;
    *out = r;
    return 0;
}

static long enclave_sock_pair(int domain, int type, int proto, pal_handle out[2])
{
    struct ocall_args a = {{domain, type, proto}};
    int64_t h[2];
    uint64_t got = 0;
    int64_t r = net_ocall(OCALL_SOCK_PAIR, &a, NULL, 0, NULL, 0, h, sizeof(h), &got);

    return take_pair(r, h, got, out);
}

/* bind and connect: Linux refuses addresses longer than sockaddr_storage. */
static long addr_call(uint64_t number, pal_handle h, const void *addr, uint32_t len)
{
    struct ocall_args a = {{h, len}};
    int64_t r;

    if (len > ADDR_MAX)
        return -PAL_EINVAL;
    r = net_ocall(number, &a, addr, len, NULL, 0, NULL, 0, NULL);
    return r > 0 ? -PAL_EIO : r;
}

static long enclave_sock_bind(pal_handle h, const void *addr, uint32_t len)
{
    return addr_call(OCALL_SOCK_BIND, h, addr, len);
}

static long enclave_sock_connect(pal_handle h, const void *addr, uint32_t len)
{
    return addr_call(OCALL_SOCK_CONNECT, h, addr, len);
}

/* Calls whose only result is 0 or -errno. */
static long status_call(uint64_t number, pal_handle h, int64_t a1)
{
    struct ocall_args a = {{h, a1}};
    int64_t r = args_ocall(number, &a);

    return r > 0 ? -PAL_EIO : r;
}

static long enclave_sock_listen(pal_handle h, int backlog)
{
    return status_call(OCALL_SOCK_LISTEN, h, backlog);
}

static long enclave_sock_shutdown(pal_handle h, int how)
{
    return status_call(OCALL_SOCK_SHUTDOWN, h, how);
}

/* The peer address is asked for with the full 128 bytes of room, so that its
 * full length comes back even when the caller's capacity is smaller. */
static long enclave_sock_accept(pal_handle h, void *addr, uint32_t *len, int flags, pal_handle *out)
{
    uint8_t peer[ADDR_MAX];
    uint64_t cap = addr ? ADDR_MAX : 0, got = 0;
    struct ocall_args a = {{h, flags, (int64_t)cap}};
    long r;

    if (addr && !len)
        return -PAL_EFAULT;
    r = pal_check_handle(net_ocall(OCALL_SOCK_ACCEPT, &a, NULL, 0, NULL, 0, peer, cap, &got));
    if (r < 0)
        return r;
    if (got > cap)
        return -PAL_EIO;
    if (addr)
        addr_out(addr, len, peer, got);
    *out = r;
    return 0;
}

/* One OCALL's worth: at most OCALL_MAX_SOCK_IO bytes. */
static long send_one(pal_handle h, const void *buf, size_t n, int fl, const void *addr, uint32_t alen)
{
    uint64_t len = n < OCALL_MAX_SOCK_IO ? n : OCALL_MAX_SOCK_IO;
    uint64_t al = addr ? alen : 0;
    struct ocall_args a = {{h, (int64_t)len, fl, (int64_t)al}};
    int64_t r;

    if (al > ADDR_MAX)
        return -PAL_EINVAL;
    r = net_ocall(OCALL_SOCK_SEND, &a, addr, al, buf, len, NULL, 0, NULL);
    return r > (int64_t)len ? -PAL_EIO : r;
}

static long enclave_sock_getopt(pal_handle h, int lvl, int name, void *val, uint32_t *len);

#define L_SOL_SOCKET 1
#define L_SO_TYPE 3
#define L_SOCK_STREAM 1

/* A send of more than one OCALL's worth (OCALL_MAX_SOCK_IO: a UDP datagram
 * fits): 1 when the socket
 * is a stream, which takes it in chunks, as Linux's stream send queues all
 * of it before it returns (a short count only for a full buffer of a
 * non-blocking socket, or a signal); a datagram cannot be cut in two, and
 * one this large is refused (EMSGSIZE) rather than sent short. 0: it fits
 * one OCALL. The type is the host's answer: a host that lies about it can
 * only cut or refuse what it carries anyway. */
static long send_chunked(pal_handle h, size_t n)
{
    int32_t type = 0;
    uint32_t len = sizeof(type);
    long r;

    if (n <= OCALL_MAX_SOCK_IO)
        return 0;
    r = enclave_sock_getopt(h, L_SOL_SOCKET, L_SO_TYPE, &type, &len);
    if (r < 0)
        return r;
    if (len != sizeof(type))
        return -PAL_EIO;
    return type == L_SOCK_STREAM ? 1 : -PAL_EMSGSIZE;
}

/* The rest of a stream send from done on, chunk by chunk until a short
 * one, an error or the end; the bytes sent win over an error. */
static long send_rest(pal_handle h, const uint8_t *buf, size_t n, size_t done, int fl, const void *addr,
                      uint32_t alen)
{
    long r;

    while (done < n) {
        uint64_t len = n - done < OCALL_MAX_SOCK_IO ? n - done : OCALL_MAX_SOCK_IO;

        r = send_one(h, buf + done, len, fl, addr, alen);
        if (r < 0)
            return done ? (long)done : r;
        done += (uint64_t)r;
        if ((uint64_t)r < len)
            break;
    }
    return (long)done;
}

static long enclave_sock_send(pal_handle h, const void *buf, size_t n, int fl, const void *addr,
                              uint32_t alen)
{
    long chunked = send_chunked(h, n);

    if (chunked < 0)
        return chunked;
    return chunked ? send_rest(h, buf, n, 0, fl, addr, alen) : send_one(h, buf, n, fl, addr, alen);
}

/* The count against the data the host sent back: equal to it, or with
 * MSG_TRUNC the datagram's real length (Linux), of which cap bytes came. */
static int recv_count_ok(int64_t r, uint64_t cap, int fl, uint64_t data)
{
    if (fl & L_MSG_TRUNC)
        return r <= INT32_MAX && data == ((uint64_t)r < cap ? (uint64_t)r : cap);
    return (uint64_t)r <= cap && data == (uint64_t)r;
}

/* The reply is a 136-byte address header followed by the data, so it lands
 * in a bounce buffer sized to this call (enclave_ocallv has one output): at
 * most 136 + OCALL_MAX_SOCK_IO bytes of the PAL stack. */
static long enclave_sock_recv(pal_handle h, void *buf, size_t n, int fl, void *addr, uint32_t *al)
{
    uint64_t cap = n < OCALL_MAX_SOCK_IO ? n : OCALL_MAX_SOCK_IO, got = 0, alen;
    struct ocall_args a = {{h, (int64_t)cap, fl, addr ? ADDR_MAX : 0}};
    uint8_t reply[RECV_HDR + cap];
    int64_t r;

    if (addr && !al)
        return -PAL_EFAULT;
    r = net_ocall(OCALL_SOCK_RECV, &a, NULL, 0, NULL, 0, reply, sizeof(reply), &got);
    if (r < 0)
        return r;
    if (got < RECV_HDR || !recv_count_ok(r, cap, fl, got - RECV_HDR))
        return -PAL_EIO;
    memcpy(&alen, reply, sizeof(alen));
    if (alen > ADDR_MAX)
        return -PAL_EIO;
    memcpy(buf, reply + RECV_HDR, got - RECV_HDR);
    if (addr)
        addr_out(addr, al, reply + sizeof(alen), alen);
    return r;
}

#define RECVMSG_HDR (RECV_HDR + 2 * sizeof(uint64_t) + OCALL_MSG_CONTROL_MAX)

static long sendmsg_one(pal_handle h, const void *buf, size_t n, int fl, const void *addr, uint32_t alen,
                        const void *control, size_t clen)
{
    uint64_t len = n < OCALL_MAX_SOCK_IO ? n : OCALL_MAX_SOCK_IO, al = addr ? alen : 0;
    uint8_t head[ADDR_MAX + OCALL_MSG_CONTROL_MAX];
    struct ocall_args a = {{h, (int64_t)len, fl, (int64_t)al, (int64_t)clen}};
    int64_t r;

    if (al > ADDR_MAX || clen > OCALL_MSG_CONTROL_MAX || (clen && !ocall_control_ok(control, clen)))
        return -PAL_EINVAL;
    if (al)
        memcpy(head, addr, al);
    if (clen)
        memcpy(head + al, control, clen);
    r = net_ocall(OCALL_SOCK_SENDMSG, &a, head, al + clen, buf, len, NULL, 0, NULL);
    return r > (int64_t)len ? -PAL_EIO : r;
}

/* As enclave_sock_send; the control message goes with the first chunk (a
 * stream's ancillary data belongs to its first byte). */
static long enclave_sock_sendmsg(pal_handle h, const void *buf, size_t n, int fl, const void *addr, uint32_t alen,
                                 const void *control, size_t clen)
{
    long chunked = send_chunked(h, n), r;

    if (chunked < 0)
        return chunked;
    r = sendmsg_one(h, buf, n, fl, addr, alen, control, clen);
    if (!chunked || r < OCALL_MAX_SOCK_IO)
        return r;
    return send_rest(h, buf, n, (size_t)r, fl, addr, alen);
}

static long enclave_sock_recvmsg(pal_handle h, void *buf, size_t n, int fl, void *addr, uint32_t *al,
                                 void *control, size_t *clen, int *msg_flags)
{
    uint64_t cap = n < OCALL_MAX_SOCK_IO ? n : OCALL_MAX_SOCK_IO, got = 0, alen, words[2];
    uint64_t ccap = *clen < OCALL_MSG_CONTROL_MAX ? *clen : OCALL_MSG_CONTROL_MAX;
    struct ocall_args a = {{h, (int64_t)cap, fl, addr ? ADDR_MAX : 0, (int64_t)ccap}};
    uint8_t reply[RECVMSG_HDR + cap];
    int64_t r;

    if (addr && !al)
        return -PAL_EFAULT;
    r = net_ocall(OCALL_SOCK_RECVMSG, &a, NULL, 0, NULL, 0, reply, sizeof(reply), &got);
    if (r < 0)
        return r;
    if (got < RECVMSG_HDR || !recv_count_ok(r, cap, fl, got - RECVMSG_HDR))
        return -PAL_EIO;
    memcpy(&alen, reply, sizeof(alen));
    memcpy(words, reply + RECV_HDR, sizeof(words));
    if (alen > ADDR_MAX || words[0] > ccap || words[1] > 0xffffffffULL ||
        !ocall_control_ok(reply + RECV_HDR + sizeof(words), words[0]))
        return -PAL_EIO;
    memcpy(buf, reply + RECVMSG_HDR, got - RECVMSG_HDR);
    if (words[0])
        memcpy(control, reply + RECV_HDR + sizeof(words), words[0]);
    *clen = words[0];
    *msg_flags = (int)words[1];
    if (addr)
        addr_out(addr, al, reply + sizeof(alen), alen);
    return r;
}

static long enclave_sock_setopt(pal_handle h, int lvl, int name, const void *val, uint32_t len)
{
    struct ocall_args a = {{h, lvl, name, len}};
    int64_t r;

    if (len > OPT_MAX)
        return -PAL_EINVAL;
    r = net_ocall(OCALL_SOCK_SETOPT, &a, val, len, NULL, 0, NULL, 0, NULL);
    return r > 0 ? -PAL_EIO : r;
}

/* The value's length is the reply's size, at most the capacity asked for. */
static long enclave_sock_getopt(pal_handle h, int lvl, int name, void *val, uint32_t *len)
{
    uint8_t v[OPT_MAX];
    uint64_t cap = len && *len < OPT_MAX ? *len : OPT_MAX, got = 0;
    struct ocall_args a = {{h, lvl, name, (int64_t)cap}};
    int64_t r;

    if (!len || (!val && *len))
        return -PAL_EFAULT;
    r = net_ocall(OCALL_SOCK_GETOPT, &a, NULL, 0, NULL, 0, v, cap, &got);
    if (r < 0)
        return r;
    if (r != 0 || got > cap)
        return -PAL_EIO;
    memcpy(val, v, got);
    *len = (uint32_t)got;
    return 0;
}

static long enclave_sock_name(pal_handle h, int peer, void *addr, uint32_t *len)
{
    uint8_t v[ADDR_MAX];
    uint64_t got = 0;
    struct ocall_args a = {{h, peer, ADDR_MAX}};
    int64_t r;

    if (!len || (!addr && *len))
        return -PAL_EFAULT;
    r = net_ocall(OCALL_SOCK_NAME, &a, NULL, 0, NULL, 0, v, ADDR_MAX, &got);
    if (r < 0)
        return r;
    if (r != 0 || got > ADDR_MAX)
        return -PAL_EIO;
    addr_out(addr, len, v, got);
    return 0;
}

/* Linux's poll: each revents holds only requested events or the three that
 * are always reported, and the count is the number of nonzero revents. */
static int revents_ok(const struct pal_pollfd *fds, const int16_t *rev, uint32_t n, int64_t r)
{
    int64_t ready = 0;

    for (uint32_t i = 0; i < n; i++) {
        uint16_t allowed = (uint16_t)fds[i].events | L_POLLERR | L_POLLHUP | L_POLLNVAL;

        if ((uint16_t)rev[i] & ~allowed)
            return 0;
        ready += rev[i] != 0;
    }
    return ready == r;
}

/* The request is rebuilt field by field: the caller's padding (stale enclave
 * memory) never reaches the host. */
static long enclave_poll(struct pal_pollfd *fds, uint32_t n, int64_t timeout_ns)
{
    struct pal_pollfd wire[POLL_MAX];
    int16_t rev[POLL_MAX];
    struct ocall_args a = {{n, timeout_ns}};
    uint64_t got = 0;
    int64_t r;

    if (n > POLL_MAX)
        return -PAL_EINVAL;
    memset(wire, 0, n * sizeof(wire[0]));
    for (uint32_t i = 0; i < n; i++) {
        wire[i].handle = fds[i].handle;
        wire[i].events = fds[i].events;
    }
    r = net_ocall(OCALL_POLL, &a, wire, n * sizeof(wire[0]), NULL, 0, rev, n * sizeof(rev[0]),
                  &got);
    if (r < 0)
        return r;
    if (got != n * sizeof(rev[0]) || r > n || !revents_ok(fds, rev, n, r))
        return -PAL_EIO;
    for (uint32_t i = 0; i < n; i++)
        fds[i].revents = rev[i];
    return r;
}

/* Wait sets: the host's epoll instance. The key the host holds is an index
 * into this trusted table of registrations, so a reply can only name a
 * registration of the set it came from: the libOS (and the program, whose
 * epoll_data may be a pointer) never sees a key the host chose. A closed
 * handle's registrations are dropped (enclave_waitset_forget), as the
 * host's epoll drops a closed file's.
 *
 * After fork the host's instance is shared by both processes (a host fork
 * shares it, as Linux shares the epoll file) but each enclave keeps its own
 * table: the child gets a copy of the parent's (the registrations both
 * inherit, whose events both take), and what either adds, changes or
 * deletes afterwards is in its table alone. The key the host holds is the
 * slot and a tag of the process that registered (random, new in each forked
 * child), so one process's registration never passes for another's that
 * happens to use the same slot. An event whose key is not one of this
 * table's registrations of the set (another process's, made after the fork,
 * whose epoll_data only that enclave holds; or one the host made up) is not
 * delivered, and the first one is logged: sharing the data through the
 * host would let it replay a deleted registration's data, which may be a
 * pointer. */
#define REG_MAX 4096
/* Events per OCALL_WAITSET_WAIT (8 KiB): read into the caller's array,
 * whose entries have the reply's layout, and checked and translated there
 * in place, not on the enclave thread's stack. */
#define WAIT_MAX OCALL_WAIT_MAX
_Static_assert(sizeof(struct pal_wait_event) == sizeof(struct ocall_wait_event) &&
                   offsetof(struct pal_wait_event, key) == offsetof(struct ocall_wait_event, key),
               "pal_wait_event and ocall_wait_event share a layout");
#define L_EPOLL_CTL_ADD 1
#define L_EPOLL_CTL_DEL 2
#define L_EPOLL_CTL_MOD 3

struct ws_reg {
    int64_t ws, h; /* ws < 0: free */
    uint64_t key;
    uint64_t hkey;   /* the host's key: tag << 32 | slot */
    uint32_t events; /* what the host may report: these, EPOLLERR, EPOLLHUP */
};

/* What a forked child takes over (enclave_net_fork_state). */
static struct {
    struct ws_reg regs[REG_MAX];
    int ready;
    int used;     /* a close with none in use skips the scan */
    int top;      /* slots from here up are free: scans stop here (each close scans) */
    uint32_t tag; /* this process's (enclave_net_adopt) */
    int warned;   /* an event of a registration not held here was logged */
} wsr;
static uint32_t regs_lock;

static void regs_acquire(void)
{
    while (__atomic_exchange_n(&regs_lock, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&regs_lock, __ATOMIC_RELAXED))
            __asm__ volatile("pause");
    if (!wsr.ready) {
        for (int i = 0; i < REG_MAX; i++)
            wsr.regs[i].ws = -1;
        wsr.ready = 1;
    }
}

static void regs_release(void)
{
    __atomic_store_n(&regs_lock, 0, __ATOMIC_RELEASE);
}

/* The slot of (ws, h), or -1; under the lock. */
static int reg_find(int64_t ws, int64_t h)
{
    for (int i = 0; i < wsr.top; i++)
        if (wsr.regs[i].ws == ws && wsr.regs[i].h == h)
            return i;
    return -1;
}

static void reg_free(int i)
{
    wsr.regs[i].ws = -1;
    wsr.used--;
    while (wsr.top > 0 && wsr.regs[wsr.top - 1].ws < 0)
        wsr.top--;
}

void enclave_waitset_forget(pal_handle h)
{
    regs_acquire();
    for (int i = wsr.top - 1; i >= 0; i--) /* (reg_free lowers top) */
        if (wsr.regs[i].ws >= 0 && (wsr.regs[i].ws == h || wsr.regs[i].h == h))
            reg_free(i);
    regs_release();
}

static long enclave_waitset_create(pal_handle *out)
{
    struct ocall_args a = {{0}};
    long r = pal_check_handle(args_ocall(OCALL_WAITSET_CREATE, &a));

    if (r < 0)
        return r;
    enclave_waitset_forget(r); /* a reused number starts empty */
    *out = r;
    return 0;
}

/* A second host handle of h's open file: a new number for the enclave, so
 * whatever it held of that number is forgotten (as waitset_create). */
static long enclave_handle_dup(pal_handle h, pal_handle *out)
{
    struct ocall_args a = {{h}};
    long r = pal_check_handle(args_ocall(OCALL_HANDLE_DUP, &a));

    if (r < 0)
        return r;
    enclave_waitset_forget(r);
    *out = r;
    return 0;
}

static int64_t ctl_ocall(pal_handle ws, int op, pal_handle h, uint32_t events, uint64_t hkey)
{
    struct ocall_args a = {{ws, op, h, events, (int64_t)hkey}};

    return args_ocall(OCALL_WAITSET_CTL, &a);
}

/* ADD takes a free slot first (the host may report an event as soon as it
 * has the registration) and gives it back if the host refuses. */
static long ws_add(pal_handle ws, pal_handle h, uint32_t events, uint64_t key)
{
    int slot = -1;

    regs_acquire();
    if (reg_find(ws, h) >= 0) {
        regs_release();
        return -PAL_EEXIST;
    }
    for (int i = 0; i < wsr.top && slot < 0; i++)
        if (wsr.regs[i].ws < 0)
            slot = i;
    if (slot < 0 && wsr.top < REG_MAX)
        slot = wsr.top++;
    uint64_t hkey = (uint64_t)wsr.tag << 32 | (uint32_t)slot;
    if (slot >= 0) {
        wsr.regs[slot] = (struct ws_reg){ws, h, key, hkey, events | L_POLLERR | L_POLLHUP};
        wsr.used++;
    }
    regs_release();
    if (slot < 0)
        return -PAL_ENOSPC; /* as epoll_ctl past max_user_watches */
    int64_t r = ctl_ocall(ws, L_EPOLL_CTL_ADD, h, events, hkey);
    if (r != 0) {
        regs_acquire();
        if (wsr.regs[slot].ws == ws && wsr.regs[slot].h == h)
            reg_free(slot);
        regs_release();
    }
    return r > 0 ? -PAL_EIO : r;
}

static long enclave_waitset_ctl(pal_handle ws, int op, pal_handle h, uint32_t events,
                                uint64_t key)
{
    if (op == L_EPOLL_CTL_ADD)
        return ws_add(ws, h, events, key);
    if (op != L_EPOLL_CTL_MOD && op != L_EPOLL_CTL_DEL)
        return -PAL_EINVAL;
    regs_acquire();
    int slot = reg_find(ws, h);
    uint64_t hkey = slot >= 0 ? wsr.regs[slot].hkey : 0;
    regs_release();
    if (slot < 0)
        return -PAL_ENOENT;
    int64_t r = ctl_ocall(ws, op, h, events, hkey);
    if (r > 0)
        return -PAL_EIO;
    regs_acquire();
    if (wsr.regs[slot].ws == ws && wsr.regs[slot].h == h) {
        if (op == L_EPOLL_CTL_DEL && (r == 0 || r == -PAL_ENOENT))
            reg_free(slot);
        else if (r == 0)
            wsr.regs[slot].key = key, wsr.regs[slot].events = events | L_POLLERR | L_POLLHUP;
    }
    regs_release();
    return r;
}

/* Events whose slot is not a registration of ws (stale, or the host's
 * invention) are dropped. */
static long enclave_waitset_wait(pal_handle ws, struct pal_wait_event *ev, uint32_t n,
                                 int64_t timeout_ns)
{
    struct ocall_wait_event *w = (struct ocall_wait_event *)ev;
    uint64_t got = 0;
    long j = 0;

    if (n > WAIT_MAX)
        n = WAIT_MAX;
    struct ocall_args a = {{ws, n, timeout_ns}};
    int64_t r = net_ocall(OCALL_WAITSET_WAIT, &a, NULL, 0, NULL, 0, w, n * sizeof(w[0]), &got);
    if (r < 0)
        return r;
    if (r > n || got != (uint64_t)r * sizeof(w[0]))
        return -PAL_EIO;
    int foreign = 0;
    regs_acquire();
    for (int64_t i = 0; i < r; i++) { /* j <= i: ev[j] is written after w[i] is read */
        uint64_t k = w[i].key, slot = k & 0xffffffffu;
        const struct ws_reg *g = &wsr.regs[slot < REG_MAX ? slot : 0];
        uint32_t e = w[i].events & g->events;
        if (slot < REG_MAX && g->ws == ws && g->hkey == k) {
            if (e)
                ev[j++] = (struct pal_wait_event){.events = e, .key = g->key};
        } else if (!wsr.warned) {
            wsr.warned = foreign = 1;
        }
    }
    regs_release();
    if (foreign) {
        static const char msg[] =
            "geode: epoll: an event of a registration this process does not hold (made on the "
            "shared epoll instance by another process after fork: its epoll_data is that "
            "enclave's) is not delivered (docs/sgx-pal.md)\n";
        struct ocall_args la = {{0}};
        struct ocall_iov liov[2] = {{&la, sizeof(la)}, {msg, sizeof(msg) - 1}};
        enclave_ocallv(OCALL_LOG, liov, 2, NULL, 0, NULL);
    }
    return j;
}

/* In a forked child, with the parent's table taken: a tag of its own for
 * what it registers from now on (the inherited registrations keep theirs). */
void enclave_net_adopt(void)
{
    uint64_t v = 0;
    unsigned char ok = 0;
    for (int tries = 0; tries < 32 && !ok; tries++)
        __asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
    regs_acquire();
    uint32_t old = wsr.tag;
    wsr.tag = (uint32_t)(v ^ (v >> 32));
    if (wsr.tag == old)
        wsr.tag++;
    wsr.warned = 0;
    regs_release();
}

struct enclave_fork_state enclave_net_fork_state(void)
{
    return (struct enclave_fork_state){&wsr, sizeof(wsr)};
}

void enclave_fill_net(struct pal_api *api)
{
    api->sock_sendmsg = enclave_sock_sendmsg;
    api->sock_recvmsg = enclave_sock_recvmsg;
    api->pipe = enclave_pipe;
    api->eventfd_untrusted = enclave_eventfd_untrusted;
    api->sock_create = enclave_sock_create;
    api->sock_pair = enclave_sock_pair;
    api->sock_bind = enclave_sock_bind;
    api->sock_listen = enclave_sock_listen;
    api->sock_accept = enclave_sock_accept;
    api->sock_connect = enclave_sock_connect;
    api->sock_send = enclave_sock_send;
    api->sock_recv = enclave_sock_recv;
    api->sock_shutdown = enclave_sock_shutdown;
    api->sock_setopt = enclave_sock_setopt;
    api->sock_getopt = enclave_sock_getopt;
    api->sock_name = enclave_sock_name;
    api->poll = enclave_poll;
    api->waitset_create = enclave_waitset_create;
    api->waitset_ctl = enclave_waitset_ctl;
    api->waitset_wait = enclave_waitset_wait;
    api->handle_dup = enclave_handle_dup;
}
