/* Sockets: host sockets behind PAL handles. AF_UNIX paths are inside
 * paths and go through the mount table like any other path. sendmsg and
 * recvmsg carry data only (no control messages yet). */
#include <linux/fcntl.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <linux/un.h>

#include "fs/vfs.h"
#include "sys/sys.h"

#define AF_UNIX 1
#define SOCK_NONBLOCK_ 04000
#define SOCK_CLOEXEC_ 02000000
#define MSG_BUF_MAX (256 * 1024)

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
    long r = pal->sock_pair((int)A(0), (int)A(1) | SOCK_CLOEXEC_, (int)A(2), h);
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

static long addr_call(int fd, const void *addr, uint32_t len, bool connect)
{
    struct sockaddr_un un;
    uint32_t ulen;
    long r = translate_addr(addr, len, &un, &ulen);
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
    if (flags & ~(SOCK_NONBLOCK_ | SOCK_CLOEXEC_))
        return -PAL_EINVAL;
    long r = WITH_SOCK(fd, h, pal->sock_accept(h, addr, len, (flags & SOCK_NONBLOCK_) | SOCK_CLOEXEC_, &nh));
    return r < 0 ? r : install_sock(nh, flags);
}

SYS(accept) { return do_accept((int)A(0), PTR(1), PTR(2), 0); }
SYS(accept4) { return do_accept((int)A(0), PTR(1), PTR(2), (int)A(3)); }
SYS(getsockname) { return WITH_SOCK(A(0), h, pal->sock_name(h, 0, PTR(1), PTR(2))); }
SYS(getpeername) { return WITH_SOCK(A(0), h, pal->sock_name(h, 1, PTR(1), PTR(2))); }
SYS(shutdown) { return WITH_SOCK(A(0), h, pal->sock_shutdown(h, (int)A(1))); }
SYS(setsockopt)
{
    return WITH_SOCK(A(0), h, pal->sock_setopt(h, (int)A(1), (int)A(2), PTR(3), (uint32_t)A(4)));
}
SYS(getsockopt)
{
    return WITH_SOCK(A(0), h, pal->sock_getopt(h, (int)A(1), (int)A(2), PTR(3), PTR(4)));
}

SYS(sendto)
{
    return WITH_SOCK(A(0), h, pal->sock_send(h, PTR(1), A(2), (int)A(3), PTR(4), (uint32_t)A(5)));
}

SYS(recvfrom)
{
    return WITH_SOCK(A(0), h, pal->sock_recv(h, PTR(1), A(2), (int)A(3), PTR(4), PTR(5)));
}

static size_t iov_total(const struct k_msghdr *m)
{
    size_t t = 0;
    for (size_t i = 0; i < m->iovlen; i++)
        t += m->iov[i].iov_len;
    return t;
}

SYS(sendmsg)
{
    const struct k_msghdr *m = PTR(1);
    size_t total = iov_total(m), off = 0;
    if (m->controllen || total > MSG_BUF_MAX || m->iovlen > 1024)
        return -PAL_EINVAL;
    char *buf = malloc(total ? total : 1);
    if (!buf)
        return -PAL_ENOMEM;
    for (size_t i = 0; i < m->iovlen; off += m->iov[i].iov_len, i++)
        memcpy(buf + off, m->iov[i].iov_base, m->iov[i].iov_len);
    long r = WITH_SOCK(A(0), h, pal->sock_send(h, buf, total, (int)A(2), m->name, (uint32_t)m->namelen));
    free(buf);
    return r;
}

SYS(recvmsg)
{
    struct k_msghdr *m = PTR(1);
    size_t total = iov_total(m);
    if (total > MSG_BUF_MAX || m->iovlen > 1024)
        return -PAL_EINVAL;
    char *buf = malloc(total ? total : 1);
    if (!buf)
        return -PAL_ENOMEM;
    uint32_t alen = (uint32_t)m->namelen;
    long r = WITH_SOCK(A(0), h, pal->sock_recv(h, buf, total, (int)A(2), m->name, m->name ? &alen : NULL));
    for (size_t i = 0, off = 0; r > 0 && i < m->iovlen && off < (size_t)r; i++) {
        size_t n = m->iov[i].iov_len < (size_t)r - off ? m->iov[i].iov_len : (size_t)r - off;
        memcpy(m->iov[i].iov_base, buf + off, n);
        off += n;
    }
    free(buf);
    if (r >= 0) {
        m->namelen = m->name ? (int)alen : 0;
        m->controllen = 0;
        m->flags = 0;
    }
    return r;
}
