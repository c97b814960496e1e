/* Opening and stat of inside paths: the libOS's devices and /proc, then
 * the mount table; each through its file system's operations (fs_ops). */
#include <linux/fcntl.h>

#include "fs/vfs.h"

#define S_IFMT_ 0170000
#define S_IFLNK_ 0120000

int vfs_stat(const char *inside, int nofollow, struct pal_stat *st)
{
    (void)nofollow; /* inside is resolved: see each file system's stat */
    struct vfs_target t;
    int r = vfs_lookup_any(vfs_magic_link(inside), &t);
    return r < 0 ? r : t.ops->stat(&t, st);
}

/* alias: the host path of the name the program used, when symlinks made
 * inside differ from it (fs/trusted.h); NULL otherwise. */
static int open_inside(const char *inside, const char *alias, int flags, uint32_t mode,
                       struct file **out)
{
    struct vfs_target t;
    inside = vfs_magic_link(inside);
    int r = vfs_lookup_any(inside, &t);
    if (r < 0)
        return r;
    if (!t.ops->open)
        return -PAL_EACCES;
    r = t.ops->open(&t, alias, flags, mode, 0, out);
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

/* True when path has no ".." component and does not end in "/" or "/.":
 * its lexical form is then its canonical form whenever it contains no
 * symlink (a final "/" or "." asks for a directory, which the lexical
 * form would not). */
static bool no_dotdot(const char *p)
{
    for (const char *c = p; *c; c++)
        if (c[0] == '.' && c[1] == '.' && (c == p || c[-1] == '/') && (c[2] == 0 || c[2] == '/'))
            return false;
    size_t n = strlen(p);
    return !(n > 0 && (p[n - 1] == '/' || (p[n - 1] == '.' && (n == 1 || p[n - 2] == '/'))));
}

/* True when path ends in "/" (trailing slashes). */
static bool slash_last(const char *p)
{
    size_t n = strlen(p);
    return n > 1 && p[n - 1] == '/';
}

/* The lexical inside path of a program path when the fast paths may try
 * it on the host: no "..", a chroot mount below its mount point. */
static int lexical_host(int dirfd, const char *path, char *inside, struct vfs_target *t)
{
    struct file *dir = NULL;
    struct pal_stat st;
    if (path[0] != '/' && dirfd != AT_FDCWD && !(dir = fd_get(dirfd)))
        return -PAL_EBADF;
    const char *base = dir ? (file_is_dir(dir) ? dir->path : NULL) : vfs_cwd();
    /* "name/" must name a directory: the walk checks it. */
    size_t n = strlen(path);
    bool slash = n > 1 && path[n - 1] == '/';
    int r = base && !slash && no_dotdot(path) ? path_normalize(base, path, inside, PATH_MAX_LEN) : -1;
    if (dir)
        file_put(dir);
    if (r < 0 || proc_owns(inside) || dev_stat(inside, &st) == 0 || vfs_lookup(inside, t) < 0 ||
        t->ops != &host_fs_ops || t->mount_root)
        return -PAL_ENOSYS;
    return 0;
}

/* proc(5)'s magic links: "/proc/self/fd/N" (and /dev/fd/N, /dev/stdin...,
 * which lead there) names the file descriptor N is open on, even one that
 * has no name (a pipe, an unlinked file). Returns N when path, followed
 * through its absolute symlinks but not through the last such link, is one
 * of this process; -1 otherwise. Only absolute paths below /proc, /dev/fd
 * and /dev/std* are looked at, so no other path pays for it. */
static int magic_fd(int dirfd, const char *path)
{
    char inside[PATH_MAX_LEN], target[PATH_MAX_LEN];
    if (strncmp(path, "/proc/", 6) && strncmp(path, "/dev/fd/", 8) && strncmp(path, "/dev/std", 8))
        return -1;
    if (vfs_resolve_at(dirfd, path, false, inside, sizeof(inside)) < 0)
        return -1;
    for (int i = 0; i < 8; i++) {
        int fd = vfs_proc_fd(inside);
        if (fd >= 0)
            return fd;
        long n = vfs_readlink(inside, target, sizeof(target) - 1);
        if (n <= 0 || target[0] != '/')
            return -1;
        target[n] = 0;
        if (vfs_resolve_at(AT_FDCWD, target, false, inside, sizeof(inside)) < 0)
            return -1;
    }
    return -1;
}

/* Opens the file descriptor fd is open on anew (a new open file of it, with
 * its own position and flags): a host handle through the host's own
 * /proc/self/fd, which reaches pipes and unlinked files; a file of the
 * libOS's own by its path. */
static int reopen_fd(int fd, int flags, uint32_t mode, struct file **out)
{
    char host[32];
    pal_handle h;
    struct file *f = fd_get(fd);
    if (!f)
        return -PAL_ENOENT;
    int r;
    if (f->is_sock)
        r = -PAL_ENXIO;
    else if (f->ops != &host_file_ops)
        r = f->path ? open_inside(f->path, NULL, flags, mode, out) : -PAL_ENOENT;
    else {
        snprintf(host, sizeof(host), "/proc/self/fd/%ld", (long)f->h);
        r = (int)pal->file_open(host, (flags & ~O_NOFOLLOW) | O_CLOEXEC, mode, &h);
        struct file *g = r == 0 ? file_new(&host_file_ops, h, flags & ~O_CLOEXEC) : NULL;
        if (r == 0 && (!g || (f->path && !(g->path = strdup(f->path))))) {
            g ? file_put(g) : (void)pal->close(h);
            r = -PAL_ENOMEM;
        }
        if (r == 0) {
            g->dir_unknown = true;
            g->untrusted_shm = f->untrusted_shm;
            *out = g;
        }
    }
    file_put(f);
    return r;
}

/* The host's stat of a lexical target through no symlink; -ELOOP also for
 * a final symlink that follow asks to follow. */
static int stat_plain(const struct vfs_target *t, bool follow, struct pal_stat *st)
{
    int r = (int)pal->stat(t->host, 1 | PAL_STAT_NOSYMLINKS, st);
    return r == 0 && follow && (st->mode & S_IFMT_) == S_IFLNK_ ? -PAL_ELOOP : r;
}

/* After the fast path met a symlink (-ELOOP): the walk up to the first
 * symlink, its target spliced in, and the fast path again on the result,
 * as often as symlinks come (a merged-/usr system's /lib: one readlink,
 * not one per component). try(t, ctx) is the fast path's host call.
 * -ELOOP (or -ENOSYS: the path left the fast path's reach) sends the
 * caller to the full walk; inside is then the last lexical path tried. */
static int hop_links(bool follow, char *inside, struct vfs_target *t,
                     int (*try)(const struct vfs_target *t, void *ctx), void *ctx)
{
    char cur[PATH_MAX_LEN], next[PATH_MAX_LEN];
    int r = -PAL_ELOOP;
    if (strlen(inside) >= sizeof(cur))
        return r;
    memcpy(cur, inside, strlen(inside) + 1);
    for (int hops = 0; r == -PAL_ELOOP && hops < 8; hops++) {
        if (vfs_resolve_to_link(cur, follow, next, sizeof(next)) != 1)
            return -PAL_ELOOP;
        if (lexical_host(AT_FDCWD, next, inside, t) < 0)
            return -PAL_ENOSYS;
        r = try(t, ctx);
        memcpy(cur, inside, strlen(inside) + 1);
    }
    return r;
}

struct stat_ctx {
    bool follow;
    struct pal_stat *st;
};

static int stat_try(const struct vfs_target *t, void *ctx)
{
    struct stat_ctx *c = ctx;
    return stat_plain(t, c->follow, c->st);
}

int vfs_stat_at(int dirfd, const char *path, bool follow, struct pal_stat *st)
{
    char inside[PATH_MAX_LEN];
    struct vfs_target t;
    if (!path)
        return -PAL_EFAULT;
    int r = follow ? magic_fd(dirfd, path) : -1;
    if (r >= 0) { /* the file itself, as fstat */
        struct file *f = fd_get(r);
        if (!f)
            return -PAL_ENOENT;
        r = f->ops->fstat ? (int)f->ops->fstat(f, st) : -PAL_EINVAL;
        file_put(f);
        return r;
    }
    r = lexical_host(dirfd, path, inside, &t);
    if (r == 0) {
        /* A final symlink to follow, or a symlink on the way: the hops,
         * then the walk. */
        r = stat_plain(&t, follow, st);
        if (r == -PAL_ELOOP) {
            struct stat_ctx c = {follow, st};
            r = hop_links(follow, inside, &t, stat_try, &c);
        }
    }
    if (r != -PAL_ELOOP && r != -PAL_ENOSYS && r != -PAL_EINVAL && r != -PAL_EBADF)
        return r;
    r = vfs_resolve_at(dirfd, path, follow, inside, sizeof(inside));
    return r < 0 ? r : vfs_stat(inside, !follow, st);
}

struct open_ctx {
    const char *alias; /* the host path of the name the program used */
    int flags;
    uint32_t mode;
    struct file **out;
};

static int open_try(const struct vfs_target *t, void *ctx)
{
    struct open_ctx *c = ctx;
    return (int)t->ops->open(t, c->alias, c->flags, c->mode, PAL_O_NOSYMLINKS, c->out);
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
    /* O_CREAT with "name/": EISDIR once the directory it would be in is
     * found (Linux's open_last_lookups, after the walk to the parent). */
    if ((flags & O_CREAT) && slash_last(path)) {
        char dir[PATH_MAX_LEN];
        size_t n = strlen(path);
        while (n > 1 && path[n - 1] == '/')
            n--;
        if (n >= sizeof(dir))
            return -PAL_ENAMETOOLONG;
        memcpy(dir, path, n);
        dir[n] = 0;
        int r = vfs_resolve_at(dirfd, dir, false, inside, sizeof(inside));
        return r < 0 ? r : -PAL_EISDIR;
    }
    /* O_NOFOLLOW, and O_CREAT|O_EXCL (which must fail on any existing
     * name), look at the last component itself. */
    bool follow = !(flags & O_NOFOLLOW) && (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
    int fd = follow ? magic_fd(dirfd, path) : -1;
    if (fd >= 0)
        return reopen_fd(fd, flags, mode, out);
    char alias[PATH_MAX_LEN];
    int r = lexical_host(dirfd, path, inside, &t);
    bool lexical = r == 0 && strlen(t.host) < sizeof(alias);
    if (lexical)
        memcpy(alias, t.host, strlen(t.host) + 1);
    if (r == 0)
        r = t.ops->open(&t, NULL, flags, mode, PAL_O_NOSYMLINKS, out);
    if (r == -PAL_ELOOP && lexical) {
        struct open_ctx c = {alias, flags, mode, out};
        r = hop_links(follow, inside, &t, open_try, &c);
    }
    if (r == 0 && !((*out)->path = strdup(inside))) {
        file_put(*out);
        return -PAL_ENOMEM;
    }
    if (r != -PAL_ELOOP && r != -PAL_ENOSYS && r != -PAL_EINVAL && r != -PAL_EBADF)
        return r;
    r = vfs_resolve_at(dirfd, path, follow, inside, sizeof(inside));
    return r < 0 ? r : open_inside(inside, lexical ? alias : NULL, flags, mode, out);
}
