/* File space and cache: fallocate, fadvise64, copy_file_range, sync,
 * syncfs. Host files get the host's call; tmpfs files (libOS memory) the
 * same semantics where they have a meaning there. */
#include <linux/falloc.h>
#include <linux/fcntl.h>

#include "fs/tmpfs.h"
#include "fs/vfs.h"
#include "sys/sys.h"

#define S_IFMT_ 0170000
#define S_IFREG_ 0100000
#define S_IFDIR_ 0040000
#define COPY_CHUNK (64 * 1024)

static bool is_host(const struct file *f)
{
    return f->ops == &host_file_ops;
}

/* tmpfs keeps every byte in memory: mode 0 grows the file, KEEP_SIZE has
 * nothing to reserve, PUNCH_HOLE|KEEP_SIZE writes zeros over the range
 * (inside the file; a memfd's write seals refuse it, as Linux's); other
 * range operations are not offered (EOPNOTSUPP, as on Linux's tmpfs). */
static long tmpfs_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
    static const char zeros[4096];
    struct pal_stat st;
    if (mode == (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)) {
        long r = f->ops->fstat(f, &st);
        int64_t end = off + len < st.size ? off + len : st.size;
        for (int64_t at = off; r == 0 && at < end;) {
            size_t n = end - at < (int64_t)sizeof(zeros) ? (size_t)(end - at) : sizeof(zeros);
            long w = f->ops->pwrite(f, zeros, n, at);
            r = w < 0 ? w : 0;
            at += w > 0 ? w : 0;
        }
        return r;
    }
    if (mode & ~FALLOC_FL_KEEP_SIZE)
        return -PAL_EOPNOTSUPP;
    long r = f->ops->fstat(f, &st);
    if (r == 0 && !(mode & FALLOC_FL_KEEP_SIZE) && off + len > st.size)
        r = f->ops->truncate(f, off + len);
    return r;
}

static long do_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
    if (off < 0 || len <= 0 || off + len < off)
        return -PAL_EINVAL;
    if ((f->flags & O_ACCMODE) == O_RDONLY)
        return -PAL_EBADF;
    uint32_t type = file_ifmt(f);
    if (type == S_IFDIR_)
        return -PAL_EISDIR;
    if (is_host(f))
        return PAL_HAS(pal, fallocate) ? pal->fallocate(f->h, mode, off, len) : -PAL_EOPNOTSUPP;
    if (type != S_IFREG_ || !f->ops->truncate)
        return -PAL_ENODEV; /* the libOS's devices */
    return tmpfs_fallocate(f, mode, off, len);
}

SYS(fallocate)
{
    struct file *f = fd_get((int)A(0));
    if (!f)
        return -PAL_EBADF;
    long r = do_fallocate(f, (int)A(1), (int64_t)A(2), (int64_t)A(3));
    file_put(f);
    return r;
}

/* Advice only: the host's cache takes it; libOS memory has none to tune. */
static long do_fadvise(struct file *f, int64_t off, int64_t len, int advice)
{
    if (advice < 0 || advice > 5 || len < 0)
        return -PAL_EINVAL;
    if (f->is_sock || (is_host(f) && file_ifmt(f) == 0010000 /* S_IFIFO */))
        return -PAL_ESPIPE;
    if (is_host(f) && PAL_HAS(pal, fadvise))
        return pal->fadvise(f->h, off, len, advice);
    return 0;
}

SYS(fadvise64)
{
    struct file *f = fd_get((int)A(0));
    if (!f)
        return -PAL_EBADF;
    long r = do_fadvise(f, (int64_t)A(1), (int64_t)A(2), (int)A(3));
    file_put(f);
    return r;
}

/* copy_file_range(2)'s checks, in Linux's order: regular files (EISDIR,
 * EINVAL), readable in, writable out without O_APPEND (EBADF). */
static long copy_check(struct file *in, struct file *out, struct pal_stat *si, struct pal_stat *so)
{
    if (!in->ops->fstat || !out->ops->fstat || in->ops->fstat(in, si) < 0 ||
        out->ops->fstat(out, so) < 0)
        return -PAL_EINVAL;
    if ((si->mode & S_IFMT_) == S_IFDIR_ || (so->mode & S_IFMT_) == S_IFDIR_)
        return -PAL_EISDIR;
    if ((si->mode & S_IFMT_) != S_IFREG_ || (so->mode & S_IFMT_) != S_IFREG_)
        return -PAL_EINVAL;
    if ((in->flags & O_ACCMODE) == O_WRONLY || (out->flags & O_ACCMODE) == O_RDONLY ||
        (out->flags & O_APPEND) || ((in->flags | out->flags) & O_PATH))
        return -PAL_EBADF;
    return 0;
}

static long current_pos(struct file *f)
{
    return f->ops->seek ? f->ops->seek(f, 0, 1) : -PAL_ESPIPE;
}

/* Copies through a libOS buffer at explicit offsets; the positions of the
 * descriptors move only when no offset pointer was given. */
static long copy_range(struct file *in, int64_t *uoi, struct file *out, int64_t *uoo, size_t len)
{
    struct pal_stat si, so;
    long r = copy_check(in, out, &si, &so);
    if (r < 0)
        return r;
    if (!in->ops->pread || !out->ops->pwrite)
        return -PAL_EINVAL;
    int64_t oi = uoi ? *uoi : current_pos(in), oo = uoo ? *uoo : current_pos(out);
    if (oi < 0 || oo < 0 || oi + (int64_t)len < oi || oo + (int64_t)len < oo)
        return -PAL_EOVERFLOW;
    /* No overlap within one file. */
    if (si.dev == so.dev && si.ino == so.ino && oi < oo + (int64_t)len && oo < oi + (int64_t)len)
        return -PAL_EINVAL;
    char *buf = malloc(COPY_CHUNK);
    if (!buf)
        return -PAL_ENOMEM;
    long done = 0;
    while ((size_t)done < len) {
        size_t want = len - (size_t)done < COPY_CHUNK ? len - (size_t)done : COPY_CHUNK;
        long n = in->ops->pread(in, buf, want, oi + done);
        long w = n > 0 ? out->ops->pwrite(out, buf, (size_t)n, oo + done) : n;
        if (w <= 0) {
            done = done ? done : w;
            break;
        }
        done += w;
        if (w < n)
            break;
    }
    free(buf);
    if (done > 0) {
        uoi ? (void)(*uoi = oi + done) : (void)in->ops->seek(in, oi + done, 0);
        uoo ? (void)(*uoo = oo + done) : (void)out->ops->seek(out, oo + done, 0);
    }
    return done;
}

SYS(copy_file_range)
{
    if (A(5) != 0)
        return -PAL_EINVAL;
    struct file *in = fd_get((int)A(0)), *out = fd_get((int)A(2));
    long r = -PAL_EBADF;
    if (in && out)
        r = copy_range(in, PTR(1), out, PTR(3), A(4));
    if (in)
        file_put(in);
    if (out)
        file_put(out);
    return r;
}

/* sync: every host file system; tmpfs has nothing to write back. */
SYS(sync)
{
    if (PAL_HAS(pal, sync))
        pal->sync(-1);
    return 0;
}

SYS(syncfs)
{
    struct file *f = fd_get((int)A(0));
    if (!f)
        return -PAL_EBADF;
    long r = is_host(f) && PAL_HAS(pal, sync) ? pal->sync(f->h) : 0;
    file_put(f);
    return r;
}

/* readahead(2): a hint to the host's cache (WILLNEED); regular files only. */
SYS(readahead)
{
    struct file *f = fd_get((int)A(0));
    if (!f)
        return -PAL_EBADF;
    long r = (f->flags & O_ACCMODE) == O_WRONLY ? -PAL_EBADF
             : file_ifmt(f) != S_IFREG_         ? -PAL_EINVAL
             : is_host(f) && PAL_HAS(pal, fadvise)
                 ? pal->fadvise(f->h, (int64_t)A(1), (int64_t)A(2), 3 /* WILLNEED */)
                 : 0;
    file_put(f);
    return r;
}

/* sync_file_range(2): written back with fdatasync, which covers any range
 * and flag combination (it waits for more than asked, never less). */
#define SFR_KNOWN_ 7
SYS(sync_file_range)
{
    int64_t off = (int64_t)A(1), len = (int64_t)A(2);
    if ((A(3) & ~(uint64_t)SFR_KNOWN_) || off < 0 || len < 0 || off + len < off)
        return -PAL_EINVAL;
    struct file *f = fd_get((int)A(0));
    if (!f)
        return -PAL_EBADF;
    uint32_t type = file_ifmt(f);
    long r = type != S_IFREG_ && type != S_IFDIR_ && type != 0060000 ? -PAL_ESPIPE
             : is_host(f) && A(3) && PAL_HAS(pal, fdatasync)         ? pal->fdatasync(f->h)
                                                                     : 0;
    file_put(f);
    return r;
}
