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
#include "core/creds.h"
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
    if (f->ops != &host_file_ops || ((f->flags & O_PATH) && f->path))
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
    struct file *f = (int)A(0) == AT_FDCWD ? NULL : fd_get((int)A(0));
    if (!f)
        return -PAL_EBADF;
    /* An O_PATH descriptor is EBADF here (fchownat AT_EMPTY_PATH takes it). */
    long r = (f->flags & O_PATH) ? -PAL_EBADF : chown_file(f, (uint32_t)A(1), (uint32_t)A(2));
    file_put(f);
    return r;
}
SYS(fchownat)
{
    return chown_at((int)A(0), PTR(1), (uint32_t)A(2), (uint32_t)A(3), (int)A(4));
}

/* New host files. Linux gives a new file the creator's fsuid and fsgid
 * (the directory's group under a set-group-ID directory); the host gives
 * it Geode's host user's. When that user may give files away (host root),
 * a file the program creates is given to its fsuid/fsgid, so a program
 * that drops privileges owns what it creates, as natively; otherwise (the
 * host refused once) new files stay the host user's. The host user's ids
 * are learnt from the first new file, so nothing is done while they equal
 * the program's. */
static bool host_gives_away = true;
static bool host_ids_known;
static uint32_t host_uid, host_gid;

bool owner_new_needed(void)
{
    if (!host_gives_away || !PAL_HAS(pal, fchown) || !PAL_HAS(pal, chown))
        return false;
    return !host_ids_known || creds_fsuid() != host_uid || creds_fsgid() != host_gid;
}

/* The new file has attributes st; parent_sgid: its directory is
 * set-group-ID. Returns the ids to give it, or false to leave it. */
static bool new_owner(const struct pal_stat *st, bool parent_sgid, uint32_t *u, uint32_t *g)
{
    if (!parent_sgid && !host_ids_known) {
        host_uid = st->uid, host_gid = st->gid;
        host_ids_known = true;
    }
    *u = creds_fsuid();
    *g = parent_sgid ? st->gid : creds_fsgid();
    return st->uid != *u || st->gid != *g;
}

static bool parent_sgid(const char *host)
{
    char dir[PATH_MAX_LEN];
    struct pal_stat st;
    const char *slash = strrchr(host, '/');
    size_t n = slash && slash != host ? (size_t)(slash - host) : 1;
    if (n >= sizeof(dir))
        return false;
    memcpy(dir, host, n);
    dir[n] = 0;
    return pal->stat(dir, 0, &st) == 0 && (st.mode & 02000);
}

static void gave(long r)
{
    if (r == -PAL_EPERM)
        host_gives_away = false;
}

void owner_new_file(struct file *f)
{
    struct pal_stat st;
    struct vfs_target t;
    uint32_t u, g;
    if (f->ops != &host_file_ops || pal->fstat(f->h, &st) < 0)
        return;
    bool sgid = f->path && vfs_lookup(f->path, &t) == 0 && !t.tmpfs && parent_sgid(t.host);
    if (new_owner(&st, sgid, &u, &g))
        gave(pal->fchown(f->h, u, g));
}

void owner_new_path(const char *inside)
{
    struct pal_stat st;
    struct vfs_target t;
    uint32_t u, g;
    if (vfs_lookup(inside, &t) < 0 || t.tmpfs || pal->stat(t.host, 1, &st) < 0)
        return;
    if (new_owner(&st, parent_sgid(t.host), &u, &g))
        gave(pal->chown(t.host, u, g, 1));
}
