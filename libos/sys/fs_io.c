/* Syscalls on open descriptors: read/write families, seek, dup, fcntl,
 * ioctl, pipes. */
#include <asm/ioctls.h>
#include <linux/fcntl.h>
#include <linux/uio.h>

#include "core/signal.h"
#include "core/user.h"
#include "fs/vfs.h"
#include "pal_ioctl.h"
#include "sys/sys.h"

#define IOV_MAX_ 1024
#define GATHER_MAX (64 * 1024)

/* Runs op on the file behind fd, holding a reference meanwhile. */
#define WITH_FILE(fd, f, expr)                      \
    ({                                              \
        bool counted_;                              \
        struct file *f = fd_borrow((int)(fd), &counted_); \
        long r_ = -PAL_EBADF;                       \
        if (f) {                                    \
            r_ = (expr);                            \
            fd_unborrow(f, counted_);               \
        }                                           \
        r_;                                         \
    })

/* access_ok()'s bound, checked by Linux before a read or write: a buffer
 * that ends past the program's address space (x86-64, 4-level paging) is
 * EFAULT, whatever count the file could give. */
#define USER_ADDR_END_ 0x7ffffffff000ULL
static bool user_range_bad(const void *b, size_t n)
{
    return n > USER_ADDR_END_ || (uintptr_t)b > USER_ADDR_END_ - n;
}

static long do_read(struct file *f, void *buf, size_t n)
{
    if ((f->flags & O_ACCMODE) == O_WRONLY || (f->flags & O_PATH))
        return -PAL_EBADF;
    if (user_range_bad(buf, n))
        return -PAL_EFAULT;
    if (f->is_dir) /* host files: the host says EISDIR */
        return -PAL_EISDIR;
    return f->ops->read ? f->ops->read(f, buf, n) : -PAL_EINVAL;
}

static long do_write(struct file *f, const void *buf, size_t n)
{
    if ((f->flags & O_ACCMODE) == O_RDONLY || (f->flags & O_PATH))
        return -PAL_EBADF;
    if (user_range_bad(buf, n))
        return -PAL_EFAULT;
    return f->ops->write ? f->ops->write(f, buf, n) : -PAL_EINVAL;
}

SYS(read) { return WITH_FILE(A(0), f, do_read(f, PTR(1), A(2))); }
SYS(write) { return signal_epipe(WITH_FILE(A(0), f, do_write(f, PTR(1), A(2)))); }

SYS(pread64)
{
    return WITH_FILE(A(0), f, f->ops->pread ? f->ops->pread(f, PTR(1), A(2), (int64_t)A(3))
                                            : -PAL_ESPIPE);
}

/* pwrite(2) BUGS: with O_APPEND Linux appends whatever the offset; the
 * host does so for its files, this gives the libOS's own (tmpfs) the same. */
static int64_t append_off(struct file *f, int64_t off)
{
    struct pal_stat st;
    if (off >= 0 && (f->flags & O_APPEND) && f->ops != &host_file_ops && f->ops->fstat &&
        f->ops->fstat(f, &st) == 0)
        return st.size;
    return off;
}

SYS(pwrite64)
{
    return WITH_FILE(A(0), f,
                     f->ops->pwrite ? f->ops->pwrite(f, PTR(1), A(2), append_off(f, (int64_t)A(3)))
                                    : -PAL_ESPIPE);
}

static long readv_file(struct file *f, const struct iovec *iov, int cnt)
{
    long total = 0;
    for (int i = 0; i < cnt; i++) {
        long r = do_read(f, iov[i].iov_base, iov[i].iov_len);
        if (r < 0)
            return total ? total : r;
        total += r;
        if ((size_t)r < iov[i].iov_len)
            break;
    }
    return total;
}

/* writev: one host writev where the file has it (host files, pipes and
 * sockets in direct mode); otherwise small vectors are gathered into one
 * write so that pipes and terminals see it as one unit, as natively. */
static long writev_file(struct file *f, const struct iovec *iov, int cnt)
{
    if (f->ops->writev && (f->flags & O_ACCMODE) != O_RDONLY) {
        long r = f->ops->writev(f, iov, cnt);
        if (r != -PAL_ENOSYS)
            return r;
    }
    size_t total = 0;
    for (int i = 0; i < cnt; i++)
        total += iov[i].iov_len;
    char *buf = total <= GATHER_MAX ? malloc(total ? total : 1) : NULL;
    if (buf) {
        size_t off = 0;
        for (int i = 0; i < cnt; i++, off += iov[i - 1].iov_len)
            memcpy(buf + off, iov[i].iov_base, iov[i].iov_len);
        long r = do_write(f, buf, total);
        free(buf);
        return r;
    }
    long done = 0;
    for (int i = 0; i < cnt; i++) {
        long r = do_write(f, iov[i].iov_base, iov[i].iov_len);
        if (r < 0)
            return done ? done : r;
        done += r;
        if ((size_t)r < iov[i].iov_len)
            break;
    }
    return done;
}

/* Linux's iovec checks: a count in [0, IOV_MAX], no length that is
 * negative as an ssize_t (EINVAL); a bad array faults: EFAULT. */
static bool iov_bad(const struct iovec *iov, int cnt)
{
    if (cnt < 0 || cnt > IOV_MAX_)
        return true;
    for (int i = 0; i < cnt; i++)
        if ((int64_t)iov[i].iov_len < 0)
            return true;
    return false;
}

SYS(readv)
{
    if (iov_bad(PTR(1), (int)A(2)))
        return -PAL_EINVAL;
    return WITH_FILE(A(0), f, readv_file(f, PTR(1), (int)A(2)));
}

SYS(writev)
{
    if (iov_bad(PTR(1), (int)A(2)))
        return -PAL_EINVAL;
    return signal_epipe(WITH_FILE(A(0), f, writev_file(f, PTR(1), (int)A(2))));
}

/* preadv/pwritev: the vectors at consecutive offsets, stopping at the
 * first short transfer; the position does not move. */
/* write: 1 at off (at the end with O_APPEND, as pwrite(2)), 2 at off
 * whatever O_APPEND says (RWF_NOAPPEND); 0 a read. */
static long prw_vec(struct file *f, const struct iovec *iov, int cnt, int64_t off, int write)
{
    if (off < 0)
        return -PAL_EINVAL;
    if (write ? !f->ops->pwrite : !f->ops->pread)
        return -PAL_ESPIPE;
    if ((f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY))
        return -PAL_EBADF;
    if (write == 1)
        off = append_off(f, off);
    long total = 0;
    for (int i = 0; i < cnt; i++) {
        long r = write ? f->ops->pwrite(f, iov[i].iov_base, iov[i].iov_len, off + total)
                       : f->ops->pread(f, iov[i].iov_base, iov[i].iov_len, off + total);
        if (r < 0)
            return total ? total : r;
        total += r;
        if ((size_t)r < iov[i].iov_len)
            break;
    }
    return total;
}

/* preadv2/pwritev2: offset -1 means the file position (readv/writev).
 * RWF_HIPRI is a hint; a read ignores the write flags, as Linux does;
 * RWF_DSYNC, RWF_SYNC, RWF_APPEND and RWF_NOAPPEND of a host file are the
 * host's pwritev2 (pal->pwrite_flags); on the libOS's own files the syncs
 * are no-ops and RWF_APPEND writes at the size; RWF_NOSIGNAL keeps
 * SIGPIPE back. RWF_NOWAIT, RWF_ATOMIC, RWF_DONTCACHE and unknown flags
 * are not offered (EOPNOTSUPP, as for a file that does not support them). */
#define RWF_HIPRI_ 0x1
#define RWF_DSYNC_ 0x2
#define RWF_SYNC_ 0x4
#define RWF_APPEND_ 0x10
#define RWF_NOAPPEND_ 0x20
#define RWF_NOSIGNAL_ 0x100
#define RWF_OFFERED_                                                                               \
    (RWF_HIPRI_ | RWF_DSYNC_ | RWF_SYNC_ | RWF_APPEND_ | RWF_NOAPPEND_ | RWF_NOSIGNAL_)
static long sync_after(struct file *f, long r, uint64_t flags)
{
    if (r > 0 && (flags & (RWF_DSYNC_ | RWF_SYNC_)) && f->ops == &host_file_ops)
        pal->fsync(f->h);
    return r;
}

/* pwritev2 with RWF_DSYNC/SYNC/APPEND/NOAPPEND on a host file: the
 * host's, vector by vector (off -1: at the position, which moves). */
static long pwrite_host_flags(struct file *f, const struct iovec *iov, int cnt, int64_t off,
                              int rwf)
{
    long done = 0;
    if ((f->flags & O_ACCMODE) == O_RDONLY || (f->flags & O_PATH))
        return -PAL_EBADF;
    if (off < -1)
        return -PAL_EINVAL;
    for (int i = 0; i < cnt; i++) {
        if (!iov[i].iov_len)
            continue;
        long r = pal->pwrite_flags(f->h, iov[i].iov_base, iov[i].iov_len,
                                   off == -1 ? -1 : off + done, rwf);
        if (r < 0)
            return done ? done : r;
        done += r;
        if ((size_t)r < iov[i].iov_len)
            break;
    }
    return done;
}

static long pwrite_flags(struct file *f, const struct iovec *iov, int cnt, int64_t off, int rwf)
{
    struct pal_stat st;
    int host_rwf = rwf & PAL_RWF_WRITE_ALL;
    if (host_rwf && f->ops == &host_file_ops && PAL_HAS(pal, pwrite_flags))
        return pwrite_host_flags(f, iov, cnt, off, host_rwf);
    if ((rwf & RWF_APPEND_) && f->ops->fstat && f->ops->fstat(f, &st) == 0 &&
        (st.mode & 0170000) == 0100000) { /* the libOS's own file: at its size */
        long r = prw_vec(f, iov, cnt, st.size, true);
        if (r > 0 && off == -1 && f->ops->seek)
            f->ops->seek(f, st.size + r, 0);
        return r;
    }
    return sync_after(f,
                      off == -1 ? writev_file(f, iov, cnt)
                                : prw_vec(f, iov, cnt, off, (rwf & RWF_NOAPPEND_) ? 2 : 1),
                      rwf);
}

static long prw_vec2(struct sc_args *args, bool write)
{
    int cnt = (int)A(2);
    int64_t off = (int64_t)A(3);
    uint64_t fl = A(5);
    if (iov_bad(PTR(1), cnt))
        return -PAL_EINVAL;
    if (fl & ~(uint64_t)RWF_OFFERED_)
        return -PAL_EOPNOTSUPP;
    if (!write)
        return off == -1 ? WITH_FILE(A(0), f, readv_file(f, PTR(1), cnt))
                         : WITH_FILE(A(0), f, prw_vec(f, PTR(1), cnt, off, false));
    long r = WITH_FILE(A(0), f, pwrite_flags(f, PTR(1), cnt, off, (int)fl));
    return (fl & RWF_NOSIGNAL_) ? r : signal_epipe(r);
}

SYS(preadv)
{
    if (iov_bad(PTR(1), (int)A(2)))
        return -PAL_EINVAL;
    return WITH_FILE(A(0), f, prw_vec(f, PTR(1), (int)A(2), (int64_t)A(3), false));
}

SYS(pwritev)
{
    if (iov_bad(PTR(1), (int)A(2)))
        return -PAL_EINVAL;
    return WITH_FILE(A(0), f, prw_vec(f, PTR(1), (int)A(2), (int64_t)A(3), true));
}

SYS(preadv2) { return prw_vec2(args, false); }
SYS(pwritev2) { return prw_vec2(args, true); }

SYS(lseek)
{
    if (A(2) > 4)
        return -PAL_EINVAL;
    return WITH_FILE(A(0), f, f->ops->seek ? f->ops->seek(f, (int64_t)A(1), (int)A(2))
                                           : -PAL_ESPIPE);
}

SYS(close) { return fd_close((int)A(0)); }

/* newfd < 0: the lowest free descriptor at or above -newfd - 1. */
static long dup_to(int oldfd, int newfd, bool ce)
{
    struct file *f = fd_get(oldfd);
    if (!f)
        return -PAL_EBADF;
    long r = newfd < 0 ? fd_install(f, -newfd - 1, ce) : fd_install_at(f, newfd, ce);
    if (r < 0)
        file_put(f);
    return r;
}

SYS(dup) { return dup_to((int)A(0), -1, false); }

SYS(dup2)
{
    if (A(0) == A(1)) {
        struct file *f = fd_get((int)A(0));
        if (!f)
            return -PAL_EBADF;
        file_put(f);
        return (long)A(1);
    }
    if ((int)A(1) < 0 || (int)A(1) >= fd_get_limit()) /* at or above RLIMIT_NOFILE */
        return -PAL_EBADF;
    return dup_to((int)A(0), (int)A(1), false);
}

SYS(dup3)
{
    if (A(0) == A(1) || (A(2) & ~(uint64_t)O_CLOEXEC))
        return -PAL_EINVAL;
    if ((int)A(1) < 0 || (int)A(1) >= fd_get_limit())
        return -PAL_EBADF;
    return dup_to((int)A(0), (int)A(1), A(2) & O_CLOEXEC);
}

/* O_NONBLOCK must reach the host handle: a blocking host call would
 * otherwise wait where the program expects EAGAIN. O_ASYNC (FASYNC) is
 * kept as a flag only: SIGIO is not delivered (no host signal carries it). */
static long set_flags(struct file *f, int flags)
{
    const int changeable = O_APPEND | O_NONBLOCK | FASYNC | O_DIRECT | O_NOATIME;
    if (f->ops == &host_file_ops && PAL_HAS(pal, file_flags)) {
        /* The open file description's flags: shared with forked children
         * (and O_APPEND must reach the host's writes). */
        long r = pal->file_flags(f->h, flags);
        if (r < 0)
            return r;
    } else if (f->ops == &host_file_ops && ((f->flags ^ flags) & O_NONBLOCK)) {
        long r = pal->set_nonblocking(f->h, (flags & O_NONBLOCK) != 0);
        if (r < 0)
            return r;
    }
    if ((f->flags ^ flags) & FASYNC) {
        long r = file_set_async(f, (flags & FASYNC) != 0);
        if (r < 0)
            return r;
    }
    f->flags = (f->flags & ~changeable) | (flags & changeable);
    return 0;
}

/* F_GETPIPE_SZ / F_SETPIPE_SZ: the host pipe's own capacity; anything
 * else is not a pipe (EBADF, as Linux answers). */
static long pipe_size(int fd, int cmd, uint64_t arg)
{
    struct pal_stat st;
    if (cmd == F_SETPIPE_SZ && arg > 0x7fffffff)
        return -PAL_EINVAL;
    return WITH_FILE(fd, f,
                     f->ops != &host_file_ops || f->is_sock || !PAL_HAS(pal, pipe_size) ||
                             pal->fstat(f->h, &st) < 0 || (st.mode & 0170000) != 0010000
                         ? -PAL_EBADF
                         : pal->pipe_size(f->h, cmd == F_GETPIPE_SZ ? -1 : (int64_t)arg));
}

/* Host handles: the status flags as the host's open file description has
 * them now (a forked child may have changed them). */
static long get_flags(struct file *f)
{
    const int shared = O_APPEND | O_NONBLOCK | FASYNC | O_DIRECT | O_NOATIME;
    /* open(2)'s creation flags are not status flags: never reported. */
    long own = f->flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC);
    long hf = f->ops == &host_file_ops && PAL_HAS(pal, file_flags) ? pal->file_flags(f->h, -1) : -1;
    if (hf < 0)
        return own;
    return (own & ~shared) | (hf & shared);
}

static long fcntl_setfl(int fd, int flags) { return WITH_FILE(fd, f, set_flags(f, flags)); }

SYS(fcntl)
{
    int fd = (int)A(0);
    switch (A(1)) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if ((int)A(2) < 0 || (int)A(2) >= fd_get_limit()) /* outside [0, RLIMIT_NOFILE) */
            return fd_get_cloexec(fd) < 0 ? -PAL_EBADF : -PAL_EINVAL;
        return dup_to(fd, -(int)A(2) - 1, A(1) == F_DUPFD_CLOEXEC);
    case F_GETFD: return fd_get_cloexec(fd) > 0 ? FD_CLOEXEC : fd_get_cloexec(fd);
    case F_SETFD: return fd_set_cloexec(fd, A(2) & FD_CLOEXEC);
    case F_GETFL: return WITH_FILE(fd, f, get_flags(f));
    case F_SETFL: return fcntl_setfl(fd, (int)A(2));
    case F_GETLK: case F_SETLK: case F_SETLKW:
    case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW: return fcntl_lock(fd, (int)A(1), PTR(2));
    case F_GETPIPE_SZ: case F_SETPIPE_SZ: return pipe_size(fd, (int)A(1), A(2));
    case F_SETOWN: case F_GETOWN: case F_SETOWN_EX: case F_GETOWN_EX: case F_SETSIG:
    case F_GETSIG: return fcntl_owner(fd, (int)A(1), A(2));
    case F_ADD_SEALS: case F_GET_SEALS: return fcntl_seals(fd, (int)A(1), A(2));
    /* Geode never grants a lease: there is none to report (F_SETLEASE stays EINVAL). */
    case F_GETLEASE: return WITH_FILE(fd, f, F_UNLCK);
    default: return -PAL_EINVAL;
    }
}

/* One status flag on or off, the others as the open file description has
 * them now (a forked child may have changed them). */
static long set_flag(struct file *f, int flag, bool on)
{
    long cur = get_flags(f);
    return set_flags(f, on ? (int)cur | flag : (int)cur & ~flag);
}

/* SIOCGIFCONF on a host socket: the host's interfaces with an IPv4
 * address as whole struct ifreq entries into the program's buffer (a
 * copy the PAL filled first: a refused reply leaves it untouched), or with
 * no buffer the bytes they need; ifc_len says how many, as dev_ifconf. */
static long ioctl_ifconf(struct file *f, void *arg, int flags)
{
    struct {
        int32_t len, pad;
        uint64_t buf;
    } *ic = arg;
    if (user_check_write(ic, sizeof(*ic)) < 0)
        return -PAL_EFAULT;
    int32_t len = ic->len;
    uint64_t ubuf = ic->buf;
    size_t cap = len > 0 ? (size_t)len - (size_t)len % PAL_IOCTL_IFREQ_SIZE : 0;
    if (!ubuf)
        cap = 0;
    else if (cap > PAL_IOCTL_IFCONF_MAX)
        cap = PAL_IOCTL_IFCONF_MAX;
    char *k = cap ? malloc(cap) : NULL;
    if (cap && !k)
        return -PAL_ENOMEM;
    long r = ubuf && !cap ? 0 : pal->tty_ioctl(f->h, PAL_IOCTL_SIOCGIFCONF, k, cap, flags);
    if (r > 0 && ubuf && user_check_write((void *)ubuf, (size_t)r) < 0)
        r = -PAL_EFAULT;
    else if (r > 0 && ubuf)
        memcpy((void *)ubuf, k, (size_t)r);
    free(k);
    if (r < 0)
        return r;
    ic->len = (int32_t)r;
    return 0;
}

static long ioctl_file(struct file *f, int fd, unsigned long req, void *arg)
{
    switch (req) {
    case FIOCLEX: return fd_set_cloexec(fd, true);
    case FIONCLEX: return fd_set_cloexec(fd, false);
    case FIONBIO: return set_flag(f, O_NONBLOCK, *(int *)arg != 0);
    case FIOASYNC: return set_flag(f, FASYNC, *(int *)arg != 0);
    default: break;
    }
    /* Terminal, pipe and socket ioctls of a host handle (pal_ioctl.h). */
    const struct pal_ioctl *k = pal_ioctl_find(req);
    if (!k || f->ops != &host_file_ops)
        return -PAL_ENOTTY;
    /* A background process may change its terminal when it ignores or
     * blocks SIGTTOU (tty_check_change); else the host's terminal sends
     * SIGTTOU to its group and the call is restarted after the signal. */
    int flags = signal_ignored(SIGTTOU_) || (cur_thread()->sigmask & SIGBIT(SIGTTOU_))
                    ? PAL_TTY_QUIET : 0;
    if (k->arg == PAL_IOCTL_IFCONF)
        return ioctl_ifconf(f, arg, flags);
    if (!pal_ioctl_is_id(req))
        return pal->tty_ioctl(f->h, req, arg, k->size, flags);
    /* A group or session id: the PAL sees only this copy, never the
     * program's memory. */
    int32_t id = req == TIOCSPGRP ? *(int32_t *)arg : 0;
    long r = pal->tty_ioctl(f->h, req, &id, sizeof(id), flags);
    if (r == 0 && req != TIOCSPGRP)
        *(int32_t *)arg = id;
    return r;
}

/* An O_PATH descriptor takes no ioctl (open(2)): EBADF. */
SYS(ioctl)
{
    return WITH_FILE(A(0), f,
                     (f->flags & O_PATH) ? -PAL_EBADF : ioctl_file(f, (int)A(0), A(1), PTR(2)));
}

static long make_pipe(int *fds, int flags)
{
    pal_handle h[2];
    long r = pal->pipe(h, (flags & O_NONBLOCK) | O_CLOEXEC);
    if (r < 0)
        return r;
    struct file *rd = file_new(&host_file_ops, h[0], O_RDONLY | (flags & O_NONBLOCK));
    struct file *wr = file_new(&host_file_ops, h[1], O_WRONLY | (flags & O_NONBLOCK));
    int a = rd ? fd_install(rd, 0, flags & O_CLOEXEC) : -PAL_ENOMEM;
    int b = wr && a >= 0 ? fd_install(wr, 0, flags & O_CLOEXEC) : -PAL_ENOMEM;
    if (a < 0 || b < 0) {
        a >= 0 ? fd_close(a) : (rd ? file_put(rd) : (void)pal->close(h[0]));
        wr ? file_put(wr) : (void)pal->close(h[1]);
        return -PAL_EMFILE;
    }
    fds[0] = a;
    fds[1] = b;
    return 0;
}

SYS(pipe) { return make_pipe(PTR(0), 0); }
SYS(pipe2)
{
    if (A(1) & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
        return -PAL_EINVAL;
    return make_pipe(PTR(0), (int)A(1));
}

static long truncate_file(struct file *f, int64_t len)
{
    if (f->flags & O_PATH) /* open(2): no file operation on an O_PATH descriptor */
        return -PAL_EBADF;
    if ((f->flags & O_ACCMODE) == O_RDONLY)
        return -PAL_EINVAL;
    return f->ops->truncate ? f->ops->truncate(f, len) : -PAL_EINVAL;
}

SYS(ftruncate) { return WITH_FILE(A(0), f, truncate_file(f, (int64_t)A(1))); }

SYS(truncate)
{
    char inside[PATH_MAX_LEN];
    struct file *f;
    int r = vfs_resolve(AT_FDCWD, PTR(0), inside, sizeof(inside));
    if (r == 0)
        r = vfs_open(inside, O_WRONLY, 0, &f);
    if (r < 0)
        return r;
    long t = truncate_file(f, (int64_t)A(1));
    file_put(f);
    return t;
}

SYS(fsync)
{
    return WITH_FILE(A(0), f,
                     (f->flags & O_PATH)        ? -PAL_EBADF
                     : f->ops == &host_file_ops ? pal->fsync(f->h)
                     : f->ops->sync             ? f->ops->sync(f)
                                                : 0);
}

SYS(fdatasync)
{
    if (!PAL_HAS(pal, fdatasync))
        return sys_fsync(args);
    return WITH_FILE(A(0), f,
                     (f->flags & O_PATH)        ? -PAL_EBADF
                     : f->ops == &host_file_ops ? pal->fdatasync(f->h)
                     : f->ops->sync             ? f->ops->sync(f)
                                                : 0);
}

/* sendfile: copies through a libOS buffer (no host zero-copy path). */
static long copy_files(struct file *out, struct file *in, int64_t *off, size_t count)
{
    char *buf = malloc(GATHER_MAX);
    long done = 0;
    if (!buf)
        return -PAL_ENOMEM;
    while ((size_t)done < count) {
        size_t want = count - (size_t)done < GATHER_MAX ? count - (size_t)done : GATHER_MAX;
        long n = off ? (in->ops->pread ? in->ops->pread(in, buf, want, *off) : -PAL_ESPIPE)
                     : do_read(in, buf, want);
        if (n <= 0) {
            done = done ? done : n;
            break;
        }
        long w = do_write(out, buf, (size_t)n);
        if (w < 0) {
            done = done ? done : w;
            break;
        }
        done += w;
        if (off)
            *off += w;
        if (w < n)
            break;
    }
    free(buf);
    return done;
}

/* sendfile(2)'s checks, in Linux's order: in readable, a valid offset,
 * out writable, in a regular file (a pipe, a socket or a directory cannot
 * be read by splice: EINVAL), out a file not opened O_APPEND. */
static long sendfile_check(struct file *out, struct file *in, const int64_t *off)
{
    struct pal_stat st;
    if (!in || (in->flags & O_ACCMODE) == O_WRONLY || (in->flags & O_PATH))
        return -PAL_EBADF;
    if (off && (!in->ops->pread || *off < 0))
        return !in->ops->pread ? -PAL_ESPIPE : -PAL_EINVAL;
    if (!out || (out->flags & O_ACCMODE) == O_RDONLY || (out->flags & O_PATH))
        return -PAL_EBADF;
    if (!in->ops->fstat || in->ops->fstat(in, &st) < 0 || (st.mode & 0170000) != 0100000)
        return -PAL_EINVAL;
    if ((out->flags & O_APPEND) && out->ops->fstat && out->ops->fstat(out, &st) == 0 &&
        (st.mode & 0170000) == 0100000)
        return -PAL_EINVAL;
    return 0;
}

SYS(sendfile)
{
    struct file *out = fd_get((int)A(0)), *in = fd_get((int)A(1));
    long r = sendfile_check(out, in, PTR(2));
    if (r == 0)
        r = signal_epipe(copy_files(out, in, PTR(2), A(3)));
    if (out)
        file_put(out);
    if (in)
        file_put(in);
    return r;
}

/* --- splice(2), tee(2), vmsplice(2) --- */
#define SPLICE_F_ALL_ 0xfu

static bool is_pipe(struct file *f)
{
    struct pal_stat st;
    return !f->is_sock && f->ops->fstat && f->ops->fstat(f, &st) == 0 &&
           (st.mode & 0170000) == 0010000;
}

static bool readable(struct file *f)
{
    return f && (f->flags & O_ACCMODE) != O_WRONLY && !(f->flags & O_PATH);
}

static bool writable(struct file *f)
{
    return f && (f->flags & O_ACCMODE) != O_RDONLY && !(f->flags & O_PATH);
}

/* Without a host splice (a file of the libOS's own: tmpfs, a trusted
 * file): through a libOS buffer, at the offsets given or the positions. */
static long splice_copy(struct file *in, int64_t *oi, struct file *out, int64_t *oo, size_t len,
                        unsigned flags)
{
    size_t want = len < GATHER_MAX ? len : GATHER_MAX;
    /* SPLICE_F_NONBLOCK: the pipe end must be ready now (EAGAIN). */
    struct pal_pollfd p = {.events = 0};
    if ((flags & 2u) && in->ops == &host_file_ops && is_pipe(in))
        p = (struct pal_pollfd){.handle = in->h, .events = 1 /* POLLIN */};
    else if ((flags & 2u) && out->ops == &host_file_ops && is_pipe(out))
        p = (struct pal_pollfd){.handle = out->h, .events = 4 /* POLLOUT */};
    if (p.events && pal->poll(&p, 1, 0) == 0)
        return -PAL_EAGAIN;
    char *buf = malloc(want);
    if (!buf)
        return -PAL_ENOMEM;
    long n = oi ? (in->ops->pread ? in->ops->pread(in, buf, want, *oi) : -PAL_EINVAL)
                : do_read(in, buf, want);
    long w = n;
    if (n > 0)
        w = oo ? (out->ops->pwrite ? out->ops->pwrite(out, buf, (size_t)n, *oo) : -PAL_EINVAL)
               : do_write(out, buf, (size_t)n);
    free(buf);
    return w;
}

/* splice(2)'s checks in Linux's order, then the host's splice for two
 * host handles (data never enters the libOS) or a copy. */
static long do_splice(struct file *in, int64_t *uoi, struct file *out, int64_t *uoo, size_t len,
                      unsigned flags)
{
    if (!readable(in) || !writable(out))
        return -PAL_EBADF;
    bool ip = is_pipe(in), op = is_pipe(out);
    if ((ip && uoi) || (op && uoo))
        return -PAL_ESPIPE;
    if (!ip && !op)
        return -PAL_EINVAL;
    if (ip && op && in->h == out->h)
        return -PAL_EINVAL;
    int64_t oi = uoi ? *uoi : -1, oo = uoo ? *uoo : -1;
    if ((uoi && (oi < 0 || !in->ops->pread)) || (uoo && (oo < 0 || !out->ops->pwrite)))
        return uoi && !in->ops->pread ? -PAL_ESPIPE : -PAL_EINVAL;
    if (!op && (out->flags & O_APPEND))
        return -PAL_EINVAL;
    long r;
    if (in->ops == &host_file_ops && out->ops == &host_file_ops && PAL_HAS(pal, splice))
        r = pal->splice(in->h, oi, out->h, oo, len, flags);
    else
        r = splice_copy(in, uoi ? &oi : NULL, out, uoo ? &oo : NULL, len, flags);
    if (r > 0 && uoi)
        *uoi = oi + r;
    if (r > 0 && uoo)
        *uoo = oo + r;
    return r;
}

SYS(splice)
{
    size_t len = A(4);
    unsigned flags = (unsigned)A(5);
    if (!len)
        return 0;
    if (A(5) & ~(uint64_t)SPLICE_F_ALL_)
        return -PAL_EINVAL;
    struct file *in = fd_get((int)A(0)), *out = fd_get((int)A(2));
    long r = signal_epipe(do_splice(in, PTR(1), out, PTR(3), len, flags));
    if (in)
        file_put(in);
    if (out)
        file_put(out);
    return r;
}

SYS(tee)
{
    if (A(3) & ~(uint64_t)SPLICE_F_ALL_)
        return -PAL_EINVAL;
    if (!A(2))
        return 0;
    struct file *in = fd_get((int)A(0)), *out = fd_get((int)A(1));
    long r = !readable(in) || !writable(out)                    ? -PAL_EBADF
             : !is_pipe(in) || !is_pipe(out) || in->h == out->h ? -PAL_EINVAL
             : in->ops != &host_file_ops || out->ops != &host_file_ops || !PAL_HAS(pal, tee)
                 ? -PAL_EINVAL
                 : signal_epipe(pal->tee(in->h, out->h, A(2), (unsigned)A(3)));
    if (in)
        file_put(in);
    if (out)
        file_put(out);
    return r;
}

/* vmsplice(2): the pipe's write end takes the vectors as writev would,
 * its read end fills them as readv (the pages are copied, never gifted). */
SYS(vmsplice)
{
    int cnt = (int)A(2);
    if (A(3) & ~(uint64_t)SPLICE_F_ALL_)
        return -PAL_EINVAL;
    struct file *f = fd_get((int)A(0));
    if (!f || (f->flags & O_PATH)) {
        if (f)
            file_put(f);
        return -PAL_EBADF;
    }
    long r;
    if (iov_bad(PTR(1), cnt))
        r = -PAL_EINVAL;
    else if (!is_pipe(f))
        r = -PAL_EBADF;
    else
        r = writable(f) ? signal_epipe(writev_file(f, PTR(1), cnt)) : readv_file(f, PTR(1), cnt);
    file_put(f);
    return r;
}
