/* Syscalls on open descriptors: read/write families, seek, dup, fcntl,
 * ioctl, pipes. */
#include <asm/ioctls.h>
#include <linux/fcntl.h>
#include <linux/uio.h>

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

static long do_read(struct file *f, void *buf, size_t n)
{
    if ((f->flags & O_ACCMODE) == O_WRONLY)
        return -PAL_EBADF;
    if (f->is_dir) /* host files: the host says EISDIR */
        return -PAL_EISDIR;
    return f->ops->read ? f->ops->read(f, buf, n) : -PAL_EINVAL;
}

static long do_write(struct file *f, const void *buf, size_t n)
{
    if ((f->flags & O_ACCMODE) == O_RDONLY)
        return -PAL_EBADF;
    return f->ops->write ? f->ops->write(f, buf, n) : -PAL_EINVAL;
}

SYS(read) { return WITH_FILE(A(0), f, do_read(f, PTR(1), A(2))); }
SYS(write) { return signal_epipe(WITH_FILE(A(0), f, do_write(f, PTR(1), A(2)))); }

SYS(pread64)
{
    return WITH_FILE(A(0), f, f->ops->pread ? f->ops->pread(f, PTR(1), A(2), (int64_t)A(3))
                                            : -PAL_ESPIPE);
}

SYS(pwrite64)
{
    return WITH_FILE(A(0), f, f->ops->pwrite ? f->ops->pwrite(f, PTR(1), A(2), (int64_t)A(3))
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
static long prw_vec(struct file *f, const struct iovec *iov, int cnt, int64_t off, bool write)
{
    if (off < 0)
        return -PAL_EINVAL;
    if (write ? !f->ops->pwrite : !f->ops->pread)
        return -PAL_ESPIPE;
    if ((f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY))
        return -PAL_EBADF;
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
 * RWF_HIPRI is a hint; RWF_DSYNC/RWF_SYNC sync a host file after the
 * write; RWF_NOWAIT, RWF_APPEND and RWF_NOAPPEND are not offered
 * (EOPNOTSUPP, as for a file that does not support them), nor unknown
 * flags. */
#define RWF_HIPRI_ 0x1
#define RWF_DSYNC_ 0x2
#define RWF_SYNC_ 0x4
static long sync_after(struct file *f, long r, uint64_t flags)
{
    if (r > 0 && (flags & (RWF_DSYNC_ | RWF_SYNC_)) && f->ops == &host_file_ops)
        pal->fsync(f->h);
    return r;
}

static long prw_vec2(struct sc_args *args, bool write)
{
    int cnt = (int)A(2);
    int64_t off = (int64_t)A(3);
    uint64_t fl = A(5);
    if (iov_bad(PTR(1), cnt))
        return -PAL_EINVAL;
    if (fl & ~(uint64_t)(RWF_HIPRI_ | RWF_DSYNC_ | RWF_SYNC_))
        return -PAL_EOPNOTSUPP;
    if (!write)
        return off == -1 ? WITH_FILE(A(0), f, readv_file(f, PTR(1), cnt))
                         : WITH_FILE(A(0), f, prw_vec(f, PTR(1), cnt, off, false));
    return signal_epipe(WITH_FILE(
        A(0), f,
        sync_after(f, off == -1 ? writev_file(f, PTR(1), cnt) : prw_vec(f, PTR(1), cnt, off, true),
                   fl)));
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
    const int changeable = O_APPEND | O_NONBLOCK | FASYNC;
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
    const int shared = O_APPEND | O_NONBLOCK | FASYNC;
    long hf = f->ops == &host_file_ops && PAL_HAS(pal, file_flags) ? pal->file_flags(f->h, -1) : -1;
    if (hf < 0)
        return f->flags;
    return (f->flags & ~shared) | (hf & shared);
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
    return pal->tty_ioctl(f->h, req, arg, k->size);
}

SYS(ioctl) { return WITH_FILE(A(0), f, ioctl_file(f, (int)A(0), A(1), PTR(2))); }

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
    return WITH_FILE(A(0), f, f->ops == &host_file_ops ? pal->fsync(f->h)
                              : f->ops->sync             ? f->ops->sync(f)
                                                         : 0);
}

SYS(fdatasync)
{
    if (!PAL_HAS(pal, fdatasync))
        return sys_fsync(args);
    return WITH_FILE(A(0), f, f->ops == &host_file_ops ? pal->fdatasync(f->h)
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

SYS(sendfile)
{
    struct file *out = fd_get((int)A(0)), *in = fd_get((int)A(1));
    long r = out && in ? signal_epipe(copy_files(out, in, PTR(2), A(3))) : -PAL_EBADF;
    if (out)
        file_put(out);
    if (in)
        file_put(in);
    return r;
}
