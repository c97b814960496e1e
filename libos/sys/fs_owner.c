/* File ownership: chown, fchown, lchown, fchownat. chown(2)'s rules are
 * applied with the program's credentials (sys/creds.c) against the owner
 * the file has, then:
 *  - tmpfs: the libOS records the new owner (stat shows it);
 *  - host files: the call goes to the host, which applies it as Geode's
 *    host user. When the host refuses with EPERM only because that user
 *    lacks the right (the program's credentials allow the change, checked
 *    above), the call succeeds and the file keeps its host owner: a
 *    program running as root inside (loader.uid = 0, the default) under
 *    an unprivileged host user can chown its files to the user it drops
 *    to, as nginx does, and the host's view stays the host's. Logged once.
 *  - the libOS's own files (devices, /proc): EPERM, their owner is fixed. */
#include <linux/fcntl.h>

#include "fs/tmpfs.h"
#include "fs/vfs.h"
#include "sys/creds.h"
#include "sys/sys.h"

static long host_refused(long r)
{
    static bool logged;
    if (r != -PAL_EPERM)
        return r;
    if (!__atomic_exchange_n(&logged, true, __ATOMIC_RELAXED))
        log_warn("chown: the host refused a change the program's credentials allow; the host "
                 "file keeps its owner (reported as done)");
    return 0;
}

static long chown_inside(const char *inside, uint32_t uid, uint32_t gid)
{
    struct vfs_target t;
    struct pal_stat st;
    inside = vfs_magic_link(inside);
    if (dev_stat(inside, &st) == 0 || proc_owns(inside))
        return vfs_stat(inside, 1, &st) < 0 ? -PAL_ENOENT : -PAL_EPERM;
    int r = vfs_lookup(inside, &t);
    if (r < 0)
        return r;
    if (t.tmpfs)
        return tmpfs_chown(t.tmpfs, t.rest, uid, gid);
    /* inside is resolved: the host must not follow a symlink past it. */
    r = (int)pal->stat(t.host, !t.mount_root, &st);
    if (r == 0)
        r = (int)creds_may_chown(st.uid, st.gid, uid, gid);
    if (r < 0)
        return r;
    if (!PAL_HAS(pal, chown))
        return host_refused(-PAL_EPERM);
    return host_refused(pal->chown(t.host, uid, gid, !t.mount_root));
}

static long chown_file(struct file *f, uint32_t uid, uint32_t gid)
{
    struct pal_stat st;
    if (f->ops != &host_file_ops)
        return f->path ? chown_inside(f->path, uid, gid) : -PAL_EPERM;
    long r = pal->fstat(f->h, &st);
    if (r == 0)
        r = creds_may_chown(st.uid, st.gid, uid, gid);
    if (r < 0)
        return r;
    if (!PAL_HAS(pal, fchown))
        return host_refused(-PAL_EPERM);
    return host_refused(pal->fchown(f->h, uid, gid));
}

static long chown_fd(int fd, uint32_t uid, uint32_t gid)
{
    if (fd == AT_FDCWD)
        return chown_inside(vfs_cwd(), uid, gid);
    struct file *f = fd_get(fd);
    if (!f)
        return -PAL_EBADF;
    long r = chown_file(f, uid, gid);
    file_put(f);
    return r;
}

static long chown_at(int dirfd, const char *path, uint32_t uid, uint32_t gid, int flags)
{
    char inside[PATH_MAX_LEN];
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -PAL_EINVAL;
    if ((flags & AT_EMPTY_PATH) && path && !path[0])
        return chown_fd(dirfd, uid, gid);
    int r = vfs_resolve_at(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), inside, sizeof(inside));
    return r < 0 ? r : chown_inside(inside, uid, gid);
}

SYS(chown)
{
    return chown_at(AT_FDCWD, PTR(0), (uint32_t)A(1), (uint32_t)A(2), 0);
}
SYS(lchown)
{
    return chown_at(AT_FDCWD, PTR(0), (uint32_t)A(1), (uint32_t)A(2), AT_SYMLINK_NOFOLLOW);
}
SYS(fchown)
{
    return (int)A(0) == AT_FDCWD ? -PAL_EBADF : chown_fd((int)A(0), (uint32_t)A(1), (uint32_t)A(2));
}
SYS(fchownat)
{
    return chown_at((int)A(0), PTR(1), (uint32_t)A(2), (uint32_t)A(3), (int)A(4));
}
