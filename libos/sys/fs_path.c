/* Syscalls that take a path: open, the stat family, access, readlink. */
#include <asm/stat.h>
#include <linux/fcntl.h>
#include <linux/stat.h>

#include "fs/vfs.h"
#include "sys/sys.h"

static long do_openat(int dirfd, const char *path, int flags, uint32_t mode)
{
    struct file *f;
    struct pal_stat st;
    /* open(2) since Linux 6.4: O_CREAT|O_DIRECTORY is EINVAL. */
    if ((flags & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY))
        return -PAL_EINVAL;
    /* open(2): the mode of a new file, less the process's umask. */
    mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode & 07777 & ~umask_get() : 0;
    /* O_PATH keeps only O_DIRECTORY and O_NOFOLLOW; every other open is
     * O_LARGEFILE on x86-64 (F_GETFL shows it). */
    if (flags & O_PATH)
        flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    else
        flags |= O_LARGEFILE;
    /* O_CREAT may create: whether it did is known from O_EXCL or from the
     * file's absence just before (only asked when owners may differ). */
    bool creating = (flags & O_CREAT) && owner_new_needed() &&
                    ((flags & O_EXCL) || vfs_stat_at(dirfd, path, true, &st) == -PAL_ENOENT);
    int r = vfs_open_at(dirfd, path, flags, mode, &f);
    if (r < 0)
        return r;
    if (creating)
        owner_new_file(f);
    r = fd_install(f, 0, flags & O_CLOEXEC);
    if (r < 0)
        file_put(f);
    return r;
}

SYS(open) { return do_openat(AT_FDCWD, PTR(0), (int)A(1), (uint32_t)A(2)); }
SYS(openat) { return do_openat((int)A(0), PTR(1), (int)A(2), (uint32_t)A(3)); }
/* openat2(2) without resolve flags is openat with checked flags; the
 * RESOLVE_* restrictions are not offered (ENOSYS there makes callers fall
 * back to openat, as on kernels before 5.6). */
struct k_open_how {
    uint64_t flags, mode, resolve;
};

SYS(openat2)
{
    struct k_open_how how = {0};
    size_t size = A(3);
    if (size < sizeof(how) || size > 4096)
        return size < sizeof(how) ? -PAL_EINVAL : -PAL_E2BIG;
    memcpy(&how, PTR(2), sizeof(how));
    for (size_t i = sizeof(how); i < size; i++)
        if (((const char *)PTR(2))[i])
            return -PAL_E2BIG;
    if (how.flags >> 32 || how.mode & ~07777ULL ||
        (how.mode && !(how.flags & (O_CREAT | __O_TMPFILE))))
        return -PAL_EINVAL;
    if (how.resolve & ~0x3fULL)
        return -PAL_EINVAL;
    if (how.resolve)
        return -PAL_ENOSYS;
    return do_openat((int)A(0), PTR(1), (int)how.flags, (uint32_t)how.mode);
}

SYS(creat) { return do_openat(AT_FDCWD, PTR(0), O_CREAT | O_WRONLY | O_TRUNC, (uint32_t)A(1)); }

static void to_linux_stat(const struct pal_stat *s, struct stat *o)
{
    memset(o, 0, sizeof(*o));
    o->st_dev = s->dev;
    o->st_ino = s->ino;
    o->st_nlink = s->nlink;
    o->st_mode = s->mode;
    o->st_uid = s->uid;
    o->st_gid = s->gid;
    o->st_rdev = s->rdev;
    o->st_size = s->size;
    o->st_blksize = s->blksize;
    o->st_blocks = s->blocks;
    o->st_atime = s->atime_ns / 1000000000, o->st_atime_nsec = s->atime_ns % 1000000000;
    o->st_mtime = s->mtime_ns / 1000000000, o->st_mtime_nsec = s->mtime_ns % 1000000000;
    o->st_ctime = s->ctime_ns / 1000000000, o->st_ctime_nsec = s->ctime_ns % 1000000000;
}

static long fstat_fd(int fd, struct pal_stat *st)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -PAL_EBADF;
    long r = f->ops->fstat ? f->ops->fstat(f, st) : -PAL_EINVAL;
    file_put(f);
    return r;
}

/* The common core of every stat variant. */
static long stat_at(int dirfd, const char *path, int flags, struct pal_stat *st)
{
    if ((flags & AT_EMPTY_PATH) && path && !path[0])
        return fstat_fd(dirfd, st);
    if (path && !path[0]) /* a bad pointer faults: EFAULT */
        return -PAL_ENOENT;
    return vfs_stat_at(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), st);
}

static long stat_out(long r, const struct pal_stat *st, void *out)
{
    if (r == 0)
        to_linux_stat(st, out);
    return r;
}

SYS(stat) { struct pal_stat st; return stat_out(stat_at(AT_FDCWD, PTR(0), 0, &st), &st, PTR(1)); }
SYS(lstat)
{
    struct pal_stat st;
    return stat_out(stat_at(AT_FDCWD, PTR(0), AT_SYMLINK_NOFOLLOW, &st), &st, PTR(1));
}
SYS(fstat) { struct pal_stat st; return stat_out(fstat_fd((int)A(0), &st), &st, PTR(1)); }
SYS(newfstatat)
{
    struct pal_stat st;
    if (A(3) & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH))
        return -PAL_EINVAL;
    return stat_out(stat_at((int)A(0), PTR(1), (int)A(3), &st), &st, PTR(2));
}

static void to_statx_ts(struct statx_timestamp *t, int64_t ns)
{
    t->tv_sec = ns / 1000000000;
    t->tv_nsec = (uint32_t)(ns % 1000000000);
}

SYS(statx)
{
    struct pal_stat st;
    int flags = (int)A(2);
    if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) ||
        (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (A(3) & STATX__RESERVED))
        return -PAL_EINVAL;
    long r = stat_at((int)A(0), PTR(1), (int)A(2), &st);
    if (r < 0)
        return r;
    struct statx *x = PTR(4);
    memset(x, 0, sizeof(*x));
    x->stx_mask = STATX_BASIC_STATS;
    x->stx_blksize = (uint32_t)st.blksize;
    x->stx_nlink = (uint32_t)st.nlink;
    x->stx_uid = st.uid, x->stx_gid = st.gid;
    x->stx_mode = (uint16_t)st.mode;
    x->stx_ino = st.ino;
    x->stx_size = (uint64_t)st.size;
    x->stx_blocks = (uint64_t)st.blocks;
    to_statx_ts(&x->stx_atime, st.atime_ns);
    to_statx_ts(&x->stx_mtime, st.mtime_ns);
    to_statx_ts(&x->stx_ctime, st.ctime_ns);
    x->stx_rdev_major = (uint32_t)(st.rdev >> 8) & 0xfff, x->stx_rdev_minor = st.rdev & 0xff;
    x->stx_dev_major = (uint32_t)(st.dev >> 8) & 0xfff, x->stx_dev_minor = st.dev & 0xff;
    return 0;
}

/* The inside path of dirfd itself (AT_EMPTY_PATH with ""): its open
 * file's path, or the cwd for AT_FDCWD. */
static int fd_inside(int dirfd, char *out, size_t size)
{
    const char *p = dirfd == AT_FDCWD ? vfs_cwd() : NULL;
    struct file *f = p ? NULL : fd_get(dirfd);
    if (!p && !f)
        return -PAL_EBADF;
    if (f)
        p = f->path;
    int r = !p ? -PAL_EINVAL : strlen(p) < size ? 0 : -PAL_ENAMETOOLONG;
    if (r == 0)
        memcpy(out, p, strlen(p) + 1);
    if (f)
        file_put(f);
    return r;
}

static long access_at(int dirfd, const char *path, int mode, int flags)
{
    char inside[PATH_MAX_LEN];
    struct pal_stat st;
    int r =
        (flags & AT_EMPTY_PATH) && path && !path[0]
            ? fd_inside(dirfd, inside, sizeof(inside))
            : vfs_resolve_at(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), inside, sizeof(inside));
    if (r < 0)
        return r;
    if (dev_stat(inside, &st) == 0)
        return 0;
    /* AT_SYMLINK_NOFOLLOW: a symlink's own permissions are rwxrwxrwx. */
    if ((flags & AT_SYMLINK_NOFOLLOW) && vfs_stat(inside, 1, &st) == 0 &&
        (st.mode & 0170000) == 0120000)
        return 0;
    return vfs_access(vfs_magic_link(inside), mode);
}

SYS(access) { return access_at(AT_FDCWD, PTR(0), (int)A(1), 0); }
SYS(faccessat) { return access_at((int)A(0), PTR(1), (int)A(2), 0); }
SYS(faccessat2)
{
    if (A(3) & ~(uint64_t)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -PAL_EINVAL;
    return access_at((int)A(0), PTR(1), (int)A(2), (int)A(3));
}

static long readlink_at(int dirfd, const char *path, char *buf, size_t len)
{
    char inside[PATH_MAX_LEN];
    if ((long)len <= 0)
        return -PAL_EINVAL;
    /* readlinkat(2): "" names dirfd itself, a symlink opened O_PATH|O_NOFOLLOW
     * (anything else is ENOENT). */
    int r = path && !path[0] && dirfd != AT_FDCWD
                ? fd_inside(dirfd, inside, sizeof(inside))
                : vfs_resolve_at(dirfd, path, false, inside, sizeof(inside));
    if (r == 0 && path && !path[0]) {
        long n = vfs_readlink(inside, buf, len);
        return n == -PAL_EINVAL ? -PAL_ENOENT : n;
    }
    if (r < 0)
        return r;
    if (!strcmp(inside, "/proc/self/exe")) {
        size_t n = strlen(libos_cfg.exec_path);
        n = n < len ? n : len;
        memcpy(buf, libos_cfg.exec_path, n);
        return (long)n;
    }
    return vfs_readlink(inside, buf, len);
}

SYS(readlink) { return readlink_at(AT_FDCWD, PTR(0), PTR(1), A(2)); }
SYS(readlinkat) { return readlink_at((int)A(0), PTR(1), PTR(2), A(3)); }
