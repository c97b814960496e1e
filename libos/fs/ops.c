/* Path operations dispatched to the mount that holds the path. */
#include "fs/tmpfs.h"
#include "fs/vfs.h"

#define LOOKUP(inside, t)                   \
    struct vfs_target t;                    \
    do {                                    \
        int r_ = vfs_lookup((inside), &t);  \
        if (r_ < 0)                         \
            return r_;                      \
    } while (0)

int vfs_mkdir(const char *inside, uint32_t mode)
{
    LOOKUP(inside, t);
    return t.tmpfs ? tmpfs_mkdir(t.tmpfs, t.rest, mode) : (int)pal->mkdir(t.host, mode);
}

int vfs_unlink(const char *inside, int is_dir)
{
    LOOKUP(inside, t);
    return t.tmpfs ? tmpfs_unlink(t.tmpfs, t.rest, is_dir) : (int)pal->unlink(t.host, is_dir);
}

int vfs_rename(const char *from, const char *to)
{
    LOOKUP(from, a);
    LOOKUP(to, b);
    if (a.tmpfs != b.tmpfs)
        return -PAL_EXDEV;
    return a.tmpfs ? tmpfs_rename(a.tmpfs, a.rest, b.rest) : (int)pal->rename(a.host, b.host);
}

int vfs_chmod(const char *inside, uint32_t mode)
{
    LOOKUP(inside, t);
    return t.tmpfs ? tmpfs_chmod(t.tmpfs, t.rest, mode) : (int)pal->chmod(t.host, mode);
}

/* tmpfs holds no symlinks, and a mount point is a directory whatever the
 * host directory behind it is (a host symlink there must not be followed
 * inside the libOS namespace). */
long vfs_readlink(const char *inside, char *buf, size_t len)
{
    struct pal_stat st;
    if (proc_owns(inside))
        return proc_readlink(inside, buf, len);
    if (dev_stat(inside, &st) == 0)
        return -PAL_EINVAL;
    LOOKUP(inside, t);
    if (t.tmpfs)
        return tmpfs_stat(t.tmpfs, t.rest, &st) < 0 ? -PAL_ENOENT : -PAL_EINVAL;
    if (t.mount_root)
        return -PAL_EINVAL;
    long r = pal->readlink(t.host, buf, len);
    return r == -PAL_ENOENT && vfs_mount_ancestor(inside) ? -PAL_EINVAL : r;
}

int vfs_symlink(const char *target, const char *inside)
{
    LOOKUP(inside, t);
    return t.tmpfs ? -PAL_EPERM : (int)pal->symlink(target, t.host);
}

int vfs_access(const char *inside, int mode)
{
    LOOKUP(inside, t);
    struct pal_stat st;
    (void)mode; /* tmpfs: the program owns every file */
    return t.tmpfs ? tmpfs_stat(t.tmpfs, t.rest, &st) : (int)pal->access(t.host, mode);
}

int vfs_link(const char *from, const char *to)
{
    LOOKUP(from, a);
    LOOKUP(to, b);
    if (a.tmpfs || b.tmpfs)
        return a.tmpfs == b.tmpfs ? -PAL_EPERM : -PAL_EXDEV; /* tmpfs: no hard links */
    if (!PAL_HAS(pal, link))
        return -PAL_EPERM;
    return (int)pal->link(a.host, b.host);
}

int vfs_utimes(const char *inside, const int64_t times[2])
{
    LOOKUP(inside, t);
    if (t.tmpfs) /* tmpfs keeps no times of its own: only existence matters */
        return tmpfs_stat(t.tmpfs, t.rest, &(struct pal_stat){0});
    if (!PAL_HAS(pal, utimes))
        return -PAL_EPERM;
    /* inside is resolved: the host must not follow a symlink past it. */
    return (int)pal->utimes(t.host, times, !t.mount_root);
}
