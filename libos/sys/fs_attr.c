/* File times (utimensat, futimens, utime, utimes, futimesat), extended
 * attributes and file handles. */
#include <linux/fcntl.h>

#include "fs/vfs.h"
#include "sys/sys.h"

#define UTIME_NOW_ ((1L << 30) - 1L)
#define UTIME_OMIT_ ((1L << 30) - 2L)

struct k_timespec {
    int64_t sec, nsec;
};

/* The program's timespec pair (NULL: both now) in the PAL's encoding. */
static long times_in(const struct k_timespec *ts, int64_t out[2])
{
    for (int i = 0; i < 2; i++) {
        int64_t ns = ts ? ts[i].nsec : UTIME_NOW_;
        if (ns == UTIME_NOW_ || ns == UTIME_OMIT_)
            out[i] = ns == UTIME_NOW_ ? PAL_UTIME_NOW : PAL_UTIME_OMIT;
        else if (ns < 0 || ns > 999999999 || ts[i].sec < 0)
            return -PAL_EINVAL;
        else
            out[i] = ts[i].sec * 1000000000LL + ns;
    }
    return 0;
}

SYS(utimensat)
{
    char inside[PATH_MAX_LEN];
    int64_t t[2];
    int flags = (int)A(3);
    long r = times_in(PTR(2), t);
    if (r < 0)
        return r;
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -PAL_EINVAL;
    const char *path = PTR(1);
    if (!path || ((flags & AT_EMPTY_PATH) && !path[0])) { /* futimens: the descriptor's own path */
        struct file *f = fd_get((int)A(0));
        if (!f)
            return -PAL_EBADF;
        r = f->path ? vfs_utimes(f->path, t) : -PAL_EINVAL;
        file_put(f);
        return r;
    }
    r = vfs_resolve_at((int)A(0), PTR(1), !(flags & AT_SYMLINK_NOFOLLOW), inside, sizeof(inside));
    return r < 0 ? r : vfs_utimes(inside, t);
}

/* utime(2): a struct utimbuf of seconds (NULL: now). */
SYS(utime)
{
    char inside[PATH_MAX_LEN];
    const int64_t *ub = PTR(1);
    int64_t t[2] = {PAL_UTIME_NOW, PAL_UTIME_NOW};
    if (ub)
        t[0] = ub[0] * 1000000000LL, t[1] = ub[1] * 1000000000LL;
    long r = vfs_resolve(AT_FDCWD, PTR(0), inside, sizeof(inside));
    return r < 0 ? r : vfs_utimes(inside, t);
}

struct k_timeval {
    int64_t sec, usec;
};

/* utimes(2) / futimesat(2): two timevals (NULL: now). */
static long utimes_at(int dirfd, const char *path, const struct k_timeval *tv)
{
    char inside[PATH_MAX_LEN];
    int64_t t[2] = {PAL_UTIME_NOW, PAL_UTIME_NOW};
    for (int i = 0; tv && i < 2; i++) {
        if (tv[i].usec < 0 || tv[i].usec >= 1000000)
            return -PAL_EINVAL;
        t[i] = tv[i].sec * 1000000000LL + tv[i].usec * 1000;
    }
    long r = vfs_resolve_at(dirfd, path, true, inside, sizeof(inside));
    return r < 0 ? r : vfs_utimes(inside, t);
}

SYS(utimes) { return utimes_at(AT_FDCWD, PTR(0), PTR(1)); }
SYS(futimesat) { return utimes_at((int)A(0), PTR(1), PTR(2)); }

/* Extended attributes (xattr(7)): a host file's are the host's
 * (pal->xattr, on the host path the VFS resolved, or on the open file);
 * the libOS's own files (tmpfs, encrypted, /dev, /proc) carry none: the
 * answer of a file system without xattr support, once the file is found.
 * A value or list is at most PAL_XATTR_SIZE_MAX bytes (60 KiB; Linux's
 * limit is 64 KiB): a larger SET is E2BIG, a larger buffer is used only
 * up to it. */
#define XATTR_NAME_MAX_ 255
#define XATTR_SIZE_MAX_ 65536
#define XATTR_CREATE_ 1
#define XATTR_REPLACE_ 2

/* The checks Linux makes before looking the file up: flags, the name
 * (empty or longer than XATTR_NAME_MAX: ERANGE), a SET's size. */
static long xattr_args(int op, const char *uname, char *name, size_t size, int flags)
{
    if (op == PAL_XATTR_SET && (flags & ~(XATTR_CREATE_ | XATTR_REPLACE_)))
        return -PAL_EINVAL;
    if (op != PAL_XATTR_LIST) {
        size_t n = strnlen(uname, XATTR_NAME_MAX_ + 1); /* a bad pointer faults: EFAULT */
        if (n == 0 || n > XATTR_NAME_MAX_)
            return -PAL_ERANGE;
        memcpy(name, uname, n + 1);
    }
    if (op == PAL_XATTR_SET && size > XATTR_SIZE_MAX_)
        return -PAL_E2BIG;
    if (op == PAL_XATTR_SET && size > PAL_XATTR_SIZE_MAX)
        return -PAL_E2BIG;
    return 0;
}

static size_t xattr_cap(int op, size_t size)
{
    return op != PAL_XATTR_SET && size > PAL_XATTR_SIZE_MAX ? PAL_XATTR_SIZE_MAX : size;
}

static long xattr_path(int op, const char *path, bool follow, const char *uname, void *value,
                       size_t size, int flags)
{
    char name[XATTR_NAME_MAX_ + 1], inside[PATH_MAX_LEN];
    struct vfs_target t;
    struct pal_stat st;
    long r = xattr_args(op, uname, name, size, flags);
    if (r == 0)
        r = vfs_resolve_at(AT_FDCWD, path, follow, inside, sizeof(inside));
    if (r < 0)
        return r;
    if (vfs_lookup_any(inside, &t) < 0 || t.ops != &host_fs_ops || t.mount_root ||
        !PAL_HAS(pal, xattr)) {
        r = vfs_stat(inside, !follow, &st);
        return r < 0 ? r : -PAL_EOPNOTSUPP;
    }
    return pal->xattr(op, t.host, -1, name, value, xattr_cap(op, size), flags);
}

static long xattr_fd(int op, int fd, const char *uname, void *value, size_t size, int flags)
{
    char name[XATTR_NAME_MAX_ + 1];
    long r = xattr_args(op, uname, name, size, flags);
    if (r < 0)
        return r;
    struct file *f = fd_get(fd);
    if (!f)
        return -PAL_EBADF;
    if (f->flags & O_PATH) /* open(2): no xattr calls on an O_PATH descriptor */
        r = -PAL_EBADF;
    else if (f->ops != &host_file_ops || f->is_sock || !PAL_HAS(pal, xattr))
        r = -PAL_EOPNOTSUPP;
    else
        r = pal->xattr(op, NULL, f->h, name, value, xattr_cap(op, size), flags);
    file_put(f);
    return r;
}

#define XP(op, follow) xattr_path(op, PTR(0), follow, PTR(1), PTR(2), A(3), (int)A(4))
#define XF(op) xattr_fd(op, (int)A(0), PTR(1), PTR(2), A(3), (int)A(4))
SYS(setxattr) { return XP(PAL_XATTR_SET, true); }
SYS(lsetxattr) { return XP(PAL_XATTR_SET, false); }
SYS(fsetxattr) { return XF(PAL_XATTR_SET); }
SYS(getxattr) { return XP(PAL_XATTR_GET, true); }
SYS(lgetxattr) { return XP(PAL_XATTR_GET, false); }
SYS(fgetxattr) { return XF(PAL_XATTR_GET); }
SYS(listxattr) { return xattr_path(PAL_XATTR_LIST, PTR(0), true, NULL, PTR(1), A(2), 0); }
SYS(llistxattr) { return xattr_path(PAL_XATTR_LIST, PTR(0), false, NULL, PTR(1), A(2), 0); }
SYS(flistxattr) { return xattr_fd(PAL_XATTR_LIST, (int)A(0), NULL, PTR(1), A(2), 0); }
SYS(removexattr) { return xattr_path(PAL_XATTR_REMOVE, PTR(0), true, PTR(1), NULL, 0, 0); }
SYS(lremovexattr) { return xattr_path(PAL_XATTR_REMOVE, PTR(0), false, PTR(1), NULL, 0, 0); }
SYS(fremovexattr) { return xattr_fd(PAL_XATTR_REMOVE, (int)A(0), PTR(1), NULL, 0, 0); }

/* File handles need a file system that can reopen by handle: none here. */
SYS(name_to_handle_at) { return -PAL_EOPNOTSUPP; }
/* open_by_handle_at needs CAP_DAC_READ_SEARCH, which Geode never grants. */
SYS(open_by_handle_at) { return -PAL_EPERM; }
