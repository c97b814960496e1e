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
    if (!PTR(1)) { /* futimens: the descriptor's own path */
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

/* Extended attributes: no file system Geode offers carries them (the
 * host's are not passed through), so the answer is that of a file system
 * without xattr support, once the file is found. */
static long xattr_path(const char *path, bool follow)
{
    struct pal_stat st;
    long r = vfs_stat_at(AT_FDCWD, path, follow, &st);
    return r < 0 ? r : -PAL_EOPNOTSUPP;
}

static long xattr_fd(int fd)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -PAL_EBADF;
    file_put(f);
    return -PAL_EOPNOTSUPP;
}

SYS(setxattr) { return xattr_path(PTR(0), true); }
SYS(lsetxattr) { return xattr_path(PTR(0), false); }
SYS(fsetxattr) { return xattr_fd((int)A(0)); }
SYS(getxattr) { return xattr_path(PTR(0), true); }
SYS(lgetxattr) { return xattr_path(PTR(0), false); }
SYS(fgetxattr) { return xattr_fd((int)A(0)); }
SYS(listxattr) { return xattr_path(PTR(0), true); }
SYS(llistxattr) { return xattr_path(PTR(0), false); }
SYS(flistxattr) { return xattr_fd((int)A(0)); }
SYS(removexattr) { return xattr_path(PTR(0), true); }
SYS(lremovexattr) { return xattr_path(PTR(0), false); }
SYS(fremovexattr) { return xattr_fd((int)A(0)); }

/* File handles need a file system that can reopen by handle: none here. */
SYS(name_to_handle_at) { return -PAL_EOPNOTSUPP; }
/* open_by_handle_at needs CAP_DAC_READ_SEARCH, which Geode never grants. */
SYS(open_by_handle_at) { return -PAL_EPERM; }
