/* Sockets: host sockets behind PAL handles. AF_UNIX paths are inside
 * paths and go through the mount table like any other path. sendmsg and
 * recvmsg carry data, SCM_RIGHTS and SCM_CREDENTIALS where the PAL passes control messages.
 *
 * No program pointer reaches the PAL unchecked: addresses, option values
 * and their lengths are copied through libOS buffers, data buffers are
 * touched first (core/user.h), so a bad pointer is -EFAULT, never a fault
 * inside the PAL. */
#include <linux/fcntl.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <linux/un.h>

#include "core/creds.h"
#include "core/user.h"
#include "fs/vfs.h"
#include "sys/sys.h"

#define AF_UNIX 1
#define SOCK_NONBLOCK_ 04000
#define SOCK_CLOEXEC_ 02000000
/* A sendmsg/recvmsg goes through a bounce buffer of at most this much at
 * a time: a larger one on a stream socket is sent in such pieces, or
 * received in them with MSG_WAITALL (else one piece: a short count). */
#define MSG_BUF_MAX (256 * 1024)
#define SOCK_STREAM_ 1
#define MSG_PEEK_ 0x2
#define MSG_WAITALL_ 0x100
#define SOL_SOCKET_ 1
#define SO_TYPE_ 3
#define ADDR_MAX 128 /* sizeof(struct sockaddr_storage) */
#define OPT_MAX 512
#define MSG_NOSIGNAL_ 0x4000

struct k_msghdr {
    void *name;
    int namelen;
    struct iovec *iov;
    size_t iovlen;
    void *control;
    size_t controllen;
    unsigned flags;
};

static int install_sock(pal_handle h, int type_flags)
{
    struct file *f = file_new(&host_file_ops, h, O_RDWR | (type_flags & SOCK_NONBLOCK_));
    if (!f) {
        pal->close(h);
        return -PAL_ENOMEM;
    }
    f->is_sock = true;
    int fd = fd_install(f, 0, type_flags & SOCK_CLOEXEC_);
    if (fd < 0)
        file_put(f);
    return fd;
}

SYS(socket)
{
    pal_handle h;
    long r = pal->sock_create((int)A(0), (int)A(1) | SOCK_CLOEXEC_, (int)A(2), &h);
    return r < 0 ? r : install_sock(h, (int)A(1));
}

SYS(socketpair)
{
    pal_handle h[2];
    long r = user_check_write(PTR(3), 2 * sizeof(int));
    if (r < 0)
        return r;
    r = pal->sock_pair((int)A(0), (int)A(1) | SOCK_CLOEXEC_, (int)A(2), h);
    if (r < 0)
        return r;
    int a = install_sock(h[0], (int)A(1));
    int b = a < 0 ? (pal->close(h[1]), a) : install_sock(h[1], (int)A(1));
    if (b < 0) {
        if (a >= 0)
            fd_close(a);
        return b;
    }
    ((int *)PTR(3))[0] = a;
    ((int *)PTR(3))[1] = b;
    return 0;
}

/* Runs expr with the host handle of socket fd in h. */
#define WITH_SOCK(fd, h, expr)                                        \
    ({                                                                \
        struct file *f_ = fd_get((int)(fd));                          \
        long r_ = f_ ? (f_->is_sock ? 0 : -PAL_ENOTSOCK) : -PAL_EBADF; \
        if (r_ == 0) {                                                \
            pal_handle h = f_->h;                                     \
            r_ = (expr);                                              \
        }                                                             \
        if (f_)                                                       \
            file_put(f_);                                             \
        r_;                                                           \
    })

/* Rewrites an AF_UNIX path address to the host path behind the mounts. */
static long translate_addr(const void *addr, uint32_t len, struct sockaddr_un *out, uint32_t *olen)
{
    const struct sockaddr_un *un = addr;
    if (!addr || len < sizeof(un->sun_family) + 1 || un->sun_family != AF_UNIX ||
        un->sun_path[0] == 0 || len > sizeof(*un)) {
        *olen = 0;
        return 0; /* not a filesystem address: pass as is */
    }
    char path[sizeof(un->sun_path) + 1], inside[PATH_MAX_LEN];
    size_t n = len - sizeof(un->sun_family);
    memcpy(path, un->sun_path, n);
    path[n] = 0;
    int r = vfs_resolve(-100 /* AT_FDCWD */, path, inside, sizeof(inside));
    if (r == 0)
        r = vfs_host_path(inside, out->sun_path, sizeof(out->sun_path));
    if (r < 0)
        return r;
    out->sun_family = AF_UNIX;
    *olen = (uint32_t)(sizeof(out->sun_family) + strlen(out->sun_path) + 1);
    return 0;
}

/* A program address, copied in (NULL stays NULL). */
static long addr_in(const void *uaddr, uint32_t len, uint8_t buf[ADDR_MAX], const void **out)
{
    *out = NULL;
    if (!uaddr)
        return 0;
    if (len > ADDR_MAX)
        return -PAL_EINVAL;
    memcpy(buf, uaddr, len); /* a bad pointer faults here: -EFAULT */
    *out = buf;
    return 0;
}

/* An address the PAL returns: it writes into buf, the program gets at most
 * the length it offered, and the full length in *ulen, as Linux does. */
struct addr_out {
    void *uaddr;
    uint32_t *ulen;
    uint32_t cap, len;
    uint8_t buf[ADDR_MAX];
};

/* The length is read now; the address buffer is checked now, or (lazy)
 * only when an address comes back: Linux's recvfrom on a connected stream
 * socket returns no address and never touches the buffer. */
static long addr_out_start(struct addr_out *o, void *uaddr, uint32_t *ulen, bool lazy)
{
    o->uaddr = uaddr, o->ulen = ulen, o->cap = 0, o->len = ADDR_MAX;
    if (!uaddr)
        return 0;
    long r = user_check_write(ulen, sizeof(*ulen));
    if (r < 0)
        return r;
    if ((int32_t)*ulen < 0)
        return -PAL_EINVAL;
    o->cap = *ulen;
    return lazy ? 0 : user_check_write(uaddr, o->cap < ADDR_MAX ? o->cap : ADDR_MAX);
}

static long addr_out_begin(struct addr_out *o, void *uaddr, uint32_t *ulen)
{
    return addr_out_start(o, uaddr, ulen, false);
}

static void addr_out_end(struct addr_out *o)
{
    if (!o->uaddr)
        return;
    uint32_t n = o->len < o->cap ? o->len : o->cap;
    if (n)
        memcpy(o->uaddr, o->buf, n < ADDR_MAX ? n : ADDR_MAX); /* a bad buffer: -EFAULT */
    *o->ulen = o->len;
}

#define OUT_ADDR(o) ((o)->uaddr ? (void *)(o)->buf : NULL)
#define OUT_LEN(o) ((o)->uaddr ? &(o)->len : NULL)

static long addr_call(int fd, const void *uaddr, uint32_t len, bool connect)
{
    struct sockaddr_un un;
    uint32_t ulen;
    uint8_t copy[ADDR_MAX];
    const void *addr;
    long r = addr_in(uaddr, len, copy, &addr);
    if (r == 0)
        r = translate_addr(addr, len, &un, &ulen);
    if (r < 0)
        return r;
    const void *a = ulen ? (const void *)&un : addr;
    uint32_t l = ulen ? ulen : len;
    return WITH_SOCK(fd, h, connect ? pal->sock_connect(h, a, l) : pal->sock_bind(h, a, l));
}

SYS(bind) { return addr_call((int)A(0), PTR(1), (uint32_t)A(2), false); }
SYS(connect) { return addr_call((int)A(0), PTR(1), (uint32_t)A(2), true); }
SYS(listen) { return WITH_SOCK(A(0), h, pal->sock_listen(h, (int)A(1))); }

static long do_accept(int fd, void *addr, uint32_t *len, int flags)
{
    pal_handle nh;
    struct addr_out o;
    if (flags & ~(SOCK_NONBLOCK_ | SOCK_CLOEXEC_))
        return -PAL_EINVAL;
    long r = addr_out_begin(&o, addr, len);
    if (r < 0)
        return r;
    int pflags = (flags & SOCK_NONBLOCK_) | SOCK_CLOEXEC_;
    r = WITH_SOCK(fd, h, pal->sock_accept(h, OUT_ADDR(&o), OUT_LEN(&o), pflags, &nh));
    if (r < 0)
        return r;
    addr_out_end(&o);
    return install_sock(nh, flags);
}

SYS(accept) { return do_accept((int)A(0), PTR(1), PTR(2), 0); }
SYS(accept4) { return do_accept((int)A(0), PTR(1), PTR(2), (int)A(3)); }

static long sock_name(int fd, int peer, void *addr, uint32_t *len)
{
    struct addr_out o;
    long r = addr ? addr_out_begin(&o, addr, len) : -PAL_EFAULT;
    if (r == 0)
        r = WITH_SOCK(fd, h, pal->sock_name(h, peer, o.buf, &o.len));
    if (r == 0)
        addr_out_end(&o);
    return r;
}

SYS(getsockname) { return sock_name((int)A(0), 0, PTR(1), PTR(2)); }
SYS(getpeername) { return sock_name((int)A(0), 1, PTR(1), PTR(2)); }
SYS(shutdown) { return WITH_SOCK(A(0), h, pal->sock_shutdown(h, (int)A(1))); }
SYS(setsockopt)
{
    uint8_t val[OPT_MAX];
    uint32_t len = (uint32_t)A(4);
    if (len > OPT_MAX)
        return -PAL_EINVAL;
    if (len)
        memcpy(val, PTR(3), len);
    return WITH_SOCK(A(0), h, pal->sock_setopt(h, (int)A(1), (int)A(2), len ? val : NULL, len));
}

SYS(getsockopt)
{
    uint8_t val[OPT_MAX];
    uint32_t *ulen = PTR(4), cap, len;
    long r = user_check_write(ulen, sizeof(*ulen));
    if (r < 0)
        return r;
    if ((int32_t)*ulen < 0)
        return -PAL_EINVAL;
    cap = *ulen < OPT_MAX ? *ulen : OPT_MAX;
    len = cap;
    r = cap ? user_check_write(PTR(3), cap) : 0;
    if (r == 0)
        r = WITH_SOCK(A(0), h, pal->sock_getopt(h, (int)A(1), (int)A(2), val, &len));
    if (r < 0)
        return r;
    memcpy(PTR(3), val, len < cap ? len : cap);
    *ulen = len;
    return r;
}

SYS(sendto)
{
    uint8_t copy[ADDR_MAX];
    const void *addr;
    long r = addr_in(PTR(4), (uint32_t)A(5), copy, &addr);
    if (r == 0)
        r = user_check_read(PTR(1), A(2));
    if (r < 0)
        return r;
    uint32_t alen = addr ? (uint32_t)A(5) : 0;
    r = WITH_SOCK(A(0), h, pal->sock_send(h, PTR(1), A(2), (int)A(3), addr, alen));
    return A(3) & MSG_NOSIGNAL_ ? r : signal_epipe(r);
}

/* SOCK_STREAM, SOCK_DGRAM...: the socket's type (SO_TYPE), or an error. */
static long sock_type(int fd)
{
    int32_t type = 0;
    uint32_t len = sizeof(type);
    long r = WITH_SOCK(fd, h, pal->sock_getopt(h, SOL_SOCKET_, SO_TYPE_, &type, &len));
    return r < 0 ? r : len == sizeof(type) ? type : -PAL_EIO;
}

/* MSG_WAITALL on a stream socket: Linux returns once all bytes asked for
 * came, or with what came at end of file, an error, a signal or a timeout
 * (a non-blocking socket's EAGAIN). The PAL may bring less per call (an
 * enclave's OCALL carries ~60 KiB): the rest is asked for again. Datagram
 * sockets ignore the flag; MSG_PEEK looks at what is there. */
static bool waitall_stream(int fd, int flags)
{
    return (flags & MSG_WAITALL_) && !(flags & MSG_PEEK_) && sock_type(fd) == SOCK_STREAM_;
}

/* recvfrom's rest under MSG_WAITALL: r bytes of len came into buf. */
static long recv_waitall(int fd, char *buf, size_t len, int flags, long r)
{
    if (r <= 0 || (size_t)r >= len || !waitall_stream(fd, flags))
        return r;
    size_t got = (size_t)r;
    while (got < len) {
        long n = WITH_SOCK(fd, h, pal->sock_recv(h, buf + got, len - got, flags, NULL, NULL));
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return (long)got;
}

SYS(recvfrom)
{
    struct addr_out o;
    long r = addr_out_start(&o, PTR(4), PTR(5), true);
    if (r == 0)
        r = user_check_write(PTR(1), A(2));
    if (r < 0)
        return r;
    r = WITH_SOCK(A(0), h, pal->sock_recv(h, PTR(1), A(2), (int)A(3), OUT_ADDR(&o), OUT_LEN(&o)));
    if (r >= 0)
        addr_out_end(&o);
    return recv_waitall((int)A(0), PTR(1), A(2), (int)A(3), r);
}

/* Total length of m's iovecs, each checked (writable for recvmsg) so that
 * no fault can come after the bounce buffer is allocated. */
static long iov_total(const struct k_msghdr *m, bool write)
{
    size_t t = 0;
    for (size_t i = 0; i < m->iovlen && i < 1024; i++) {
        void *b = m->iov[i].iov_base;
        size_t n = m->iov[i].iov_len;
        long r = write ? user_check_write(b, n) : user_check_read(b, n);
        if (r < 0)
            return r;
        if (n > (size_t)INT64_MAX - t)
            return -PAL_EINVAL; /* the total must fit ssize_t */
        t += n;
    }
    return (long)t;
}

/* Copies [off, off + len) of m's data between buf and its iovecs (into
 * them for a receive). */
static void iov_copy(const struct k_msghdr *m, size_t off, char *buf, size_t len, bool into_iov)
{
    for (size_t i = 0, at = 0; len && i < m->iovlen; at += m->iov[i].iov_len, i++) {
        size_t n = m->iov[i].iov_len;
        if (off >= at + n)
            continue;
        size_t skip = off > at ? off - at : 0, take = n - skip < len ? n - skip : len;
        char *p = (char *)m->iov[i].iov_base + skip;
        if (into_iov)
            memcpy(p, buf, take);
        else
            memcpy(buf, p, take);
        buf += take, off += take, len -= take;
    }
}

/* Ancillary data (sendmsg/recvmsg): SCM_RIGHTS and SCM_CREDENTIALS,
 * and the IP, IPv6 and UDP levels' messages (IP_TOS, IPV6_HOPLIMIT,
 * IPV6_TCLASS, IP_PKTINFO, UDP_SEGMENT...: data the host's socket takes
 * as it is), where the PAL passes control messages. Descriptors travel as host
 * handles: only files behind host handles (sockets, pipes, host files)
 * can be sent; tmpfs files and the libOS's devices cannot (EINVAL). A
 * received descriptor is installed as a new libOS descriptor; a pipe end
 * arrives as O_RDWR (the host still refuses the wrong direction). */
#define CTL_MAX 4096
#define SCM_RIGHTS_ 1
#define SCM_CREDENTIALS_ 2
#define IPPROTO_IP_ 0
#define IPPROTO_IPV6_ 41
#define SOL_UDP_ 17
#define MSG_CTRUNC_ 0x8
#define MSG_CMSG_CLOEXEC_ 0x40000000
#define S_IFMT_ 0170000
#define S_IFSOCK_ 0140000
#define S_IFDIR_ 0040000

struct k_cmsg {
    size_t len;
    int level, type;
};
#define CMSG_HDR_ 16
#define CMSG_NEXT_(len) (((len) + 7) & ~(size_t)7)

/* SCM_CREDENTIALS as unix(7) checks them: the sender's own pid, and a
 * uid and gid among its real, effective and saved ones, unless it has
 * the capabilities (euid 0). The PAL turns the pid into the host's. */
static long creds_out(const struct k_cmsg *c)
{
    struct {
        int32_t pid;
        uint32_t uid, gid;
    } cr;
    struct creds_ids id;
    if (c->len != CMSG_HDR_ + sizeof(cr))
        return -PAL_EINVAL;
    memcpy(&cr, c + 1, sizeof(cr));
    creds_ids(&id);
    if (id.euid == 0)
        return 0;
    if (cr.pid != libos_pid || (cr.uid != id.uid && cr.uid != id.euid && cr.uid != id.suid) ||
        (cr.gid != id.gid && cr.gid != id.egid && cr.gid != id.sgid))
        return -PAL_EPERM;
    return 0;
}

/* Rewrites the SCM_RIGHTS descriptors of buf (libOS fds) as host handles;
 * refs receives the files held until the send is done. */
static long rights_out(uint8_t *buf, size_t len, struct file **refs, int *nrefs)
{
    for (size_t off = 0; off + CMSG_HDR_ <= len;) {
        struct k_cmsg *c = (void *)(buf + off);
        if (c->len < CMSG_HDR_ || c->len > len - off)
            return -PAL_EINVAL;
        if (c->level == SOL_SOCKET_ && c->type == SCM_CREDENTIALS_) {
            long r = creds_out(c);
            if (r < 0)
                return r;
            off += CMSG_NEXT_(c->len);
            continue;
        }
        if (c->level == IPPROTO_IP_ || c->level == IPPROTO_IPV6_ || c->level == SOL_UDP_) {
            off += CMSG_NEXT_(c->len);
            continue; /* data for the host's socket */
        }
        if (c->level != SOL_SOCKET_ || c->type != SCM_RIGHTS_)
            return -PAL_EINVAL; /* others: not passed */
        int *fds = (int *)(c + 1);
        for (size_t i = 0; i < (c->len - CMSG_HDR_) / sizeof(int); i++) {
            struct file *f = fd_get(fds[i]);
            if (!f)
                return -PAL_EBADF;
            refs[(*nrefs)++] = f;
            if (f->ops != &host_file_ops || *nrefs >= CTL_MAX / 4)
                return -PAL_EINVAL;
            fds[i] = (int)f->h;
        }
        off += CMSG_NEXT_(c->len);
    }
    return 0;
}

/* A host handle received in SCM_RIGHTS becomes a libOS descriptor (-1 and
 * the handle closed when the table is full). */
static int install_received(pal_handle h, bool cloexec)
{
    struct pal_stat st;
    struct file *f = file_new(&host_file_ops, h, O_RDWR);
    if (!f) {
        pal->close(h);
        return -1;
    }
    if (pal->fstat(h, &st) == 0) {
        f->is_sock = (st.mode & S_IFMT_) == S_IFSOCK_;
        f->is_dir = (st.mode & S_IFMT_) == S_IFDIR_;
    }
    int fd = fd_install(f, 0, cloexec);
    if (fd < 0)
        file_put(f);
    return fd < 0 ? -1 : fd;
}

/* Rewrites received SCM_RIGHTS handles as libOS descriptors. */
static void rights_in(uint8_t *buf, size_t len, bool cloexec, int *msg_flags)
{
    for (size_t off = 0; off + CMSG_HDR_ <= len;) {
        struct k_cmsg *c = (void *)(buf + off);
        if (c->len < CMSG_HDR_ || c->len > len - off)
            break;
        if (c->level == SOL_SOCKET_ && c->type == SCM_RIGHTS_) {
            int *fds = (int *)(c + 1);
            for (size_t i = 0; i < (c->len - CMSG_HDR_) / sizeof(int); i++) {
                fds[i] = install_received(fds[i], cloexec);
                if (fds[i] < 0)
                    *msg_flags |= MSG_CTRUNC_;
            }
        }
        off += CMSG_NEXT_(c->len);
    }
}

static long send_control(int fd, const void *buf, size_t len, int flags, const void *addr,
                         uint32_t alen, const void *uctl, size_t clen)
{
    uint8_t ctl[CTL_MAX];
    struct file *refs[CTL_MAX / 4];
    int nrefs = 0;
    if (!PAL_HAS(pal, sock_sendmsg))
        return -PAL_EINVAL;
    if (clen > CTL_MAX)
        return -PAL_ENOBUFS;
    memcpy(ctl, uctl, clen);
    long r = rights_out(ctl, clen, refs, &nrefs);
    if (r == 0)
        r = WITH_SOCK(fd, h, pal->sock_sendmsg(h, buf, len, flags, addr, alen, ctl, clen));
    while (nrefs > 0)
        file_put(refs[--nrefs]);
    return r;
}

SYS(sendmsg)
{
    const struct k_msghdr *m = PTR(1);
    long total = iov_total(m, false);
    size_t off = 0;
    uint8_t copy[ADDR_MAX];
    const void *addr;
    if (total < 0)
        return total;
    if (m->iovlen > 1024)
        return -PAL_EINVAL;
    long r = addr_in(m->name, (uint32_t)m->namelen, copy, &addr);
    if (r < 0)
        return r;
    /* More than one piece: a stream's, sent piece by piece until a short
     * one (as a stream send, it returns once all is queued); a datagram
     * that large is refused, never cut. */
    if (total > MSG_BUF_MAX) {
        long type = sock_type((int)A(0));
        if (type < 0)
            return type;
        if (type != SOCK_STREAM_)
            return -PAL_EMSGSIZE;
    }
    size_t piece = (size_t)total < MSG_BUF_MAX ? (size_t)total : MSG_BUF_MAX;
    char *buf = malloc(piece ? piece : 1);
    if (!buf)
        return -PAL_ENOMEM;
    uint32_t alen = addr ? (uint32_t)m->namelen : 0;
    do {
        size_t n = (size_t)total - off < MSG_BUF_MAX ? (size_t)total - off : MSG_BUF_MAX;
        iov_copy(m, off, buf, n, false);
        long sent;
        if (m->controllen && !off) /* ancillary data goes with the first byte */
            sent = send_control((int)A(0), buf, n, (int)A(2), addr, alen, m->control, m->controllen);
        else
            sent = WITH_SOCK(A(0), h, pal->sock_send(h, buf, n, (int)A(2), addr, alen));
        if (sent < 0) {
            r = off ? (long)off : sent; /* what was sent wins over the error */
            break;
        }
        off += (size_t)sent;
        r = (long)off;
        if ((size_t)sent < n)
            break;
    } while (off < (size_t)total);
    free(buf);
    return A(2) & MSG_NOSIGNAL_ ? r : signal_epipe(r);
}

SYS(recvmsg)
{
    struct k_msghdr *m = PTR(1);
    long total = iov_total(m, true);
    struct addr_out o;
    if (total < 0)
        return total;
    if (m->iovlen > 1024)
        return -PAL_EINVAL;
    long r = user_check_write(m, sizeof(*m));
    if (r == 0)
        r = addr_out_start(&o, m->name, (uint32_t *)&m->namelen, true);
    /* Control messages where the PAL passes them, at most CTL_MAX bytes. */
    size_t clen = m->control && PAL_HAS(pal, sock_recvmsg) ? m->controllen : 0;
    clen = clen < CTL_MAX ? clen : CTL_MAX;
    if (r == 0 && clen)
        r = user_check_write(m->control, clen);
    if (r < 0)
        return r;
    int mflags = 0;
    size_t piece = (size_t)total < MSG_BUF_MAX ? (size_t)total : MSG_BUF_MAX;
    char *buf = malloc(piece ? piece : 1);
    uint8_t *ctl = clen ? malloc(clen) : NULL;
    if (!buf || (clen && !ctl)) {
        free(buf);
        free(ctl);
        return -PAL_ENOMEM;
    }
    /* The PAL's recvmsg whenever it has one: msg_flags (MSG_TRUNC...). */
    if (PAL_HAS(pal, sock_recvmsg))
        r = WITH_SOCK(A(0), h, pal->sock_recvmsg(h, buf, piece, (int)A(2) & ~MSG_CMSG_CLOEXEC_,
                                                 OUT_ADDR(&o), OUT_LEN(&o), ctl, &clen, &mflags));
    else
        r = WITH_SOCK(A(0), h, pal->sock_recv(h, buf, piece, (int)A(2), OUT_ADDR(&o), OUT_LEN(&o)));
    if (r >= 0 && clen) {
        rights_in(ctl, clen, A(2) & MSG_CMSG_CLOEXEC_, &mflags);
        memcpy(m->control, ctl, clen);
    }
    free(ctl);
    if (r > 0) {
        /* The first piece, then (MSG_WAITALL on a stream) the rest, piece
         * by piece through buf, until all came. */
        size_t got = (size_t)r, want = (size_t)total;
        iov_copy(m, 0, buf, got, true);
        if (got < want && waitall_stream((int)A(0), (int)A(2)))
            while (got < want) {
                size_t n = want - got < MSG_BUF_MAX ? want - got : MSG_BUF_MAX;
                long k = WITH_SOCK(A(0), h, pal->sock_recv(h, buf, n, (int)A(2), NULL, NULL));
                if (k <= 0)
                    break;
                iov_copy(m, got, buf, (size_t)k, true);
                got += (size_t)k;
            }
        r = (long)got;
    }
    free(buf);
    if (r >= 0) {
        addr_out_end(&o);
        m->namelen = m->name ? (int)o.len : 0;
        m->controllen = clen;
        /* The PAL may ask the host for MSG_CMSG_CLOEXEC, which Linux
         * reports back: msg_flags has it when the program asked. */
        m->flags = (mflags & ~MSG_CMSG_CLOEXEC_) | ((int)A(2) & MSG_CMSG_CLOEXEC_);
    }
    return r;
}

/* sendmmsg(2) / recvmmsg(2): one sendmsg/recvmsg per message, stopping at
 * the first error (reported only when nothing was transferred, as Linux
 * does); msg_len receives each count. recvmmsg's MSG_WAITFORONE makes the
 * messages after the first non-blocking; its timeout is checked after each
 * message received, as recvmmsg(2) says Linux does (BUGS). */
struct k_mmsghdr {
    struct k_msghdr hdr;
    unsigned len;
};

#define MSG_DONTWAIT_ 0x40
#define MSG_WAITFORONE_ 0x10000
#define UIO_MAXIOV_ 1024

static long mmsg(struct sc_args *args, bool send)
{
    struct k_mmsghdr *v = PTR(1);
    unsigned n = (unsigned)A(2) < UIO_MAXIOV_ ? (unsigned)A(2) : UIO_MAXIOV_;
    int flags = (int)A(3);
    unsigned i = 0;
    long r = 0;
    int64_t deadline = -1, now = 0;
    if (!send && PTR(4)) {
        const int64_t *ts = PTR(4);
        if (ts[0] < 0 || ts[1] < 0 || ts[1] > 999999999)
            return -PAL_EINVAL;
        pal->clock_get(1 /* CLOCK_MONOTONIC */, &now);
        deadline = now + ts[0] * 1000000000LL + ts[1];
    }
    for (; i < n; i++) {
        if (deadline >= 0 && i > 0 && pal->clock_get(1, &now) == 0 && now >= deadline)
            break;
        int fl = flags & ~MSG_WAITFORONE_;
        if (!send && (flags & MSG_WAITFORONE_) && i > 0)
            fl |= MSG_DONTWAIT_;
        struct sc_args one = {{A(0), (uint64_t)&v[i].hdr, (uint64_t)(unsigned)fl}, args->ctx};
        r = send ? sys_sendmsg(&one) : sys_recvmsg(&one);
        if (r < 0)
            break;
        v[i].len = (unsigned)r;
    }
    return i ? (long)i : r;
}

SYS(sendmmsg) { return mmsg(args, true); }
SYS(recvmmsg) { return mmsg(args, false); }
