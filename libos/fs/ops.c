/* Path operations dispatched to the file system that holds the path
 * (struct fs_ops): the VFS core only looks the path up and calls. */
#include "fs/vfs.h"

#define LOOKUP(inside, t)                                                                          \
    struct vfs_target t;                                                                           \
    do {                                                                                           \
        int r_ = vfs_lookup((inside), &t);                                                         \
        if (r_ < 0)                                                                                \
            return r_;                                                                             \
    } while (0)

/* Two targets on one file system: the same operations and the same mount
 * state (every host mount shares the host's). */
static bool same_fs(const struct vfs_target *a, const struct vfs_target *b)
{
    return a->ops == b->ops && a->fs == b->fs;
}

int vfs_mkdir(const char *inside, uint32_t mode)
{
    LOOKUP(inside, t);
    return t.ops->mkdir ? t.ops->mkdir(&t, mode) : -PAL_EPERM;
}

int vfs_unlink(const char *inside, int is_dir)
{
    LOOKUP(inside, t);
    return t.ops->unlink ? t.ops->unlink(&t, is_dir) : -PAL_EPERM;
}

int vfs_rename(const char *from, const char *to)
{
    LOOKUP(from, a);
    LOOKUP(to, b);
    if (!same_fs(&a, &b))
        return -PAL_EXDEV;
    return a.ops->rename ? a.ops->rename(&a, &b) : -PAL_EPERM;
}

int vfs_rename_flags(const char *from, const char *to, unsigned flags)
{
    LOOKUP(from, a);
    LOOKUP(to, b);
    if (!same_fs(&a, &b))
        return -PAL_EXDEV;
    return a.ops->rename_flags ? a.ops->rename_flags(&a, &b, flags) : -PAL_ENOSYS;
}

int vfs_chmod(const char *inside, uint32_t mode)
{
    LOOKUP(inside, t);
    return t.ops->chmod ? t.ops->chmod(&t, mode) : -PAL_EPERM;
}

long vfs_readlink(const char *inside, char *buf, size_t len)
{
    struct vfs_target t;
    int r = vfs_lookup_any(inside, &t);
    if (r < 0)
        return r;
    return t.ops->readlink ? t.ops->readlink(&t, buf, len) : -PAL_EINVAL;
}

int vfs_symlink(const char *target, const char *inside)
{
    LOOKUP(inside, t);
    return t.ops->symlink ? t.ops->symlink(target, &t) : -PAL_EPERM;
}

int vfs_access(const char *inside, int mode)
{
    struct vfs_target t;
    int r = vfs_lookup_any(inside, &t); /* /proc's files too (findmnt asks) */
    if (r < 0)
        return r;
    struct pal_stat st;
    if (t.ops->access)
        return t.ops->access(&t, mode);
    return t.ops->stat(&t, &st); /* the program owns every file */
}

int vfs_link(const char *from, const char *to)
{
    LOOKUP(from, a);
    LOOKUP(to, b);
    if (!same_fs(&a, &b))
        return -PAL_EXDEV;
    return a.ops->link ? a.ops->link(&a, &b) : -PAL_EPERM;
}

int vfs_link_file(struct file *f, const char *to)
{
    LOOKUP(to, b);
    if (f->ops != &host_file_ops || b.ops != &host_fs_ops)
        return -PAL_EXDEV;
    return PAL_HAS(pal, link_handle) ? (int)pal->link_handle(f->h, b.host) : -PAL_EPERM;
}

int vfs_utimes(const char *inside, const int64_t times[2])
{
    LOOKUP(inside, t);
    if (t.ops->utimes)
        return t.ops->utimes(&t, times);
    /* a file system that keeps no times of its own: only existence matters */
    return t.ops->stat(&t, &(struct pal_stat){0});
}
