/* Opening inside paths: devices first, then the mount table onto host
 * files. Host files keep their position on the host side. */
#include <linux/fcntl.h>

#include "fs/tmpfs.h"
#include "fs/trusted.h"
#include "fs/vfs.h"

#define S_IFMT_ 0170000
#define S_IFDIR_ 0040000
#define S_IFLNK_ 0120000

static long host_read(struct file *f, void *b, size_t n) { return pal->read(f->h, b, n); }
static long host_write(struct file *f, const void *b, size_t n) { return pal->write(f->h, b, n); }
static long host_pread(struct file *f, void *b, size_t n, int64_t o)
{
    return pal->pread(f->h, b, n, o);
}
static long host_pwrite(struct file *f, const void *b, size_t n, int64_t o)
{
    return pal->pwrite(f->h, b, n, o);
}
static long host_seek(struct file *f, int64_t o, int w) { return pal->seek(f->h, o, w); }
static long host_fstat(struct file *f, struct pal_stat *st) { return pal->fstat(f->h, st); }
static void host_release(struct file *f) { pal->close(f->h); }
static long host_readdir(struct file *f, void *b, size_t n) { return pal->readdir(f->h, b, n); }
static long host_truncate(struct file *f, int64_t len) { return pal->ftruncate(f->h, len); }
static pal_handle host_poll_handle(struct file *f) { return f->h; }

const struct file_ops host_file_ops = {
    .read = host_read, .write = host_write, .pread = host_pread, .pwrite = host_pwrite,
    .seek = host_seek, .fstat = host_fstat, .readdir = host_readdir, .truncate = host_truncate,
    .poll_handle = host_poll_handle,
    .release = host_release,
};

struct file *file_new(const struct file_ops *ops, pal_handle h, int flags)
{
    struct file *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->refs = 1;
    f->ops = ops;
    f->h = h;
    f->flags = flags;
    return f;
}

void file_put(struct file *f)
{
    if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    if (f->ops->release)
        f->ops->release(f);
    free(f->path);
    free(f);
}

/* inside is resolved (its last component too unless nofollow), so the
 * host never follows a symlink: lstat, except at a mount point, whose host
 * directory the manifest named. */
int vfs_stat(const char *inside, int nofollow, struct pal_stat *st)
{
    (void)nofollow;
    struct vfs_target t;
    inside = vfs_magic_link(inside);
    if (dev_stat(inside, st) == 0)
        return 0;
    if (proc_owns(inside))
        return proc_stat(inside, st);
    int r = vfs_lookup(inside, &t);
    if (r < 0)
        return r;
    if (t.tmpfs)
        return tmpfs_stat(t.tmpfs, t.rest, st);
    r = (int)pal->stat(t.host, !t.mount_root, st);
    if (r == -PAL_ENOENT && vfs_mount_ancestor(inside)) {
        /* a directory made by the mounts below it, read-only */
        *st = (struct pal_stat){.nlink = 2, .mode = 040555, .blksize = 4096};
        r = 0;
    }
    return r;
}

/* alias: the host path of the name the program used, when symlinks made
 * inside differ from it (fs/trusted.h); NULL otherwise. */
static int open_host_flags(const char *inside, const char *alias, int flags, uint32_t mode,
                           int pal_flags, struct file **out)
{
    struct vfs_target t;
    pal_handle h;
    int r = vfs_lookup(inside, &t);
    if (r < 0)
        return r;
    if (t.tmpfs)
        return tmpfs_open(t.tmpfs, t.rest, flags, mode, out);
    const char *host = t.host;
    /* The host descriptor never leaks into a host exec: always CLOEXEC.
     * The VFS has resolved every symlink already: O_NOFOLLOW makes the host
     * refuse one that appeared since, instead of following it out. */
    int extra = O_CLOEXEC | (t.mount_root ? 0 : O_NOFOLLOW) | pal_flags;
    r = t.untrusted_shm ? 1 : trusted_open(host, alias, flags, extra, out);
    if (r <= 0)
        return r;
    r = (int)pal->file_open(host, flags | extra, mode, &h);
    if (r < 0)
        return r;
    struct pal_stat st;
    struct file *f = file_new(&host_file_ops, h, flags & ~O_CLOEXEC);
    if (!f) {
        pal->close(h);
        return -PAL_ENOMEM;
    }
    f->is_dir = pal->fstat(h, &st) == 0 && (st.mode & S_IFMT_) == S_IFDIR_;
    f->untrusted_shm = t.untrusted_shm;
    *out = f;
    return 0;
}

static int open_inside(const char *inside, const char *alias, int flags, uint32_t mode,
                       struct file **out)
{
    inside = vfs_magic_link(inside);
    int r = dev_open(inside, flags, out);
    if (r == -PAL_ENOENT)
        r = proc_owns(inside) ? proc_open(inside, flags, out)
                              : open_host_flags(inside, alias, flags, mode, 0, out);
    if (r == 0 && !(*out)->path) {
        (*out)->path = strdup(inside);
        if (!(*out)->path) {
            file_put(*out);
            return -PAL_ENOMEM;
        }
    }
    return r;
}

int vfs_open(const char *inside, int flags, uint32_t mode, struct file **out)
{
    return open_inside(inside, NULL, flags, mode, out);
}

/* True when path has no ".." component: its lexical form is then its
 * canonical form whenever it contains no symlink. */
static bool no_dotdot(const char *p)
{
    for (const char *c = p; *c; c++)
        if (c[0] == '.' && c[1] == '.' && (c == p || c[-1] == '/') && (c[2] == 0 || c[2] == '/'))
            return false;
    return true;
}

/* The lexical inside path of a program path when the fast paths may try
 * it on the host: no "..", a chroot mount below its mount point. */
static int lexical_host(int dirfd, const char *path, char *inside, struct vfs_target *t)
{
    struct file *dir = NULL;
    struct pal_stat st;
    if (path[0] != '/' && dirfd != AT_FDCWD && !(dir = fd_get(dirfd)))
        return -PAL_EBADF;
    const char *base = dir ? (dir->is_dir ? dir->path : NULL) : vfs_cwd();
    int r = base && no_dotdot(path) ? path_normalize(base, path, inside, PATH_MAX_LEN) : -1;
    if (dir)
        file_put(dir);
    if (r < 0 || proc_owns(inside) || dev_stat(inside, &st) == 0 || vfs_lookup(inside, t) < 0 ||
        t->tmpfs || t->mount_root)
        return -PAL_ENOSYS;
    return 0;
}

int vfs_stat_at(int dirfd, const char *path, bool follow, struct pal_stat *st)
{
    char inside[PATH_MAX_LEN];
    struct vfs_target t;
    if (!path)
        return -PAL_EFAULT;
    int r = lexical_host(dirfd, path, inside, &t);
    if (r == 0) {
        r = (int)pal->stat(t.host, 1 | PAL_STAT_NOSYMLINKS, st);
        /* A final symlink to follow, or a symlink on the way: the walk. */
        if (r == 0 && follow && (st->mode & S_IFMT_) == S_IFLNK_)
            r = -PAL_ELOOP;
    }
    if (r != -PAL_ELOOP && r != -PAL_ENOSYS && r != -PAL_EINVAL && r != -PAL_EBADF)
        return r;
    r = vfs_resolve_at(dirfd, path, follow, inside, sizeof(inside));
    return r < 0 ? r : vfs_stat(inside, !follow, st);
}

/* The fast path of open: the lexical path straight to the host, which
 * refuses it (-ELOOP) if any component is a symlink; only then does the
 * libOS walk the path component by component. Same result, one host call
 * instead of one readlink per component. */
int vfs_open_at(int dirfd, const char *path, int flags, uint32_t mode, struct file **out)
{
    char inside[PATH_MAX_LEN];
    struct vfs_target t;
    if (!path)
        return -PAL_EFAULT;
    int r = lexical_host(dirfd, path, inside, &t);
    bool lexical = r == 0;
    if (r == 0)
        r = open_host_flags(inside, NULL, flags, mode, PAL_O_NOSYMLINKS, out);
    if (r == 0 && !((*out)->path = strdup(inside))) {
        file_put(*out);
        return -PAL_ENOMEM;
    }
    if (r != -PAL_ELOOP && r != -PAL_ENOSYS && r != -PAL_EINVAL && r != -PAL_EBADF)
        return r;
    /* O_NOFOLLOW, and O_CREAT|O_EXCL (which must fail on any existing
     * name), look at the last component itself. */
    bool follow = !(flags & O_NOFOLLOW) && (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
    r = vfs_resolve_at(dirfd, path, follow, inside, sizeof(inside));
    return r < 0 ? r : open_inside(inside, lexical ? t.host : NULL, flags, mode, out);
}
