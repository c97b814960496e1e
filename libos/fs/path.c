/* Path resolution and the current directory. Every path is resolved here,
 * in the libOS's own namespace: component by component, each symlink read
 * through the mount table (vfs_readlink: the PAL's readlink for chroot
 * mounts, the libOS's for /proc) and its target spliced into the rest of
 * the path, with Linux's limit of 40 links (ELOOP). ".." pops one inside
 * component and never climbs above "/", so the host path a mount produces
 * never contains a symlink or ".." that could lead out of it. */
#include <linux/fcntl.h>
#include <linux/stat.h>

#include "core/process.h"
#include "fs/vfs.h"

static char cwd[PATH_MAX_LEN] = "/";
/* A vfork child's, which the thread it runs on sees (sys/vfork.c). */
static char child_cwd[PATH_MAX_LEN];

static char *cwd_here(void)
{
    return vfork_child_active() ? child_cwd : cwd;
}
static spinlock_t cwd_lock;

/* Appends component c (length n) to out, or pops one for "..". */
static int push_component(char *out, size_t *len, size_t size, const char *c, size_t n)
{
    if (n == 0 || (n == 1 && c[0] == '.'))
        return 0;
    if (n == 2 && c[0] == '.' && c[1] == '.') {
        while (*len > 0 && out[*len - 1] != '/')
            (*len)--;
        if (*len > 0)
            (*len)--;
        return 0;
    }
    if (*len + 1 + n + 1 > size)
        return -PAL_ENAMETOOLONG;
    out[(*len)++] = '/';
    memcpy(out + *len, c, n);
    *len += n;
    return 0;
}

static int walk(const char *p, char *out, size_t *len, size_t size)
{
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        int r = push_component(out, len, size, p, n);
        if (r < 0)
            return r;
        p += n;
        while (*p == '/')
            p++;
    }
    return 0;
}

int path_normalize(const char *base, const char *path, char *out, size_t size)
{
    size_t len = 0;
    if (!path[0])
        return -PAL_ENOENT;
    if (strnlen(path, PATH_MAX_LEN) >= PATH_MAX_LEN)
        return -PAL_ENAMETOOLONG;
    int r = path[0] == '/' ? 0 : walk(base, out, &len, size);
    if (r == 0)
        r = walk(path, out, &len, size);
    if (r < 0)
        return r;
    if (len == 0)
        out[len++] = '/';
    out[len] = 0;
    return 0;
}

const char *vfs_cwd(void) { return cwd_here(); }

void vfs_cwd_fork_child(void)
{
    spin_lock(&cwd_lock);
    memcpy(child_cwd, cwd, sizeof(cwd));
    spin_unlock(&cwd_lock);
}

void vfs_cwd_child_adopt(void)
{
    spin_lock(&cwd_lock);
    memcpy(cwd, child_cwd, sizeof(cwd));
    spin_unlock(&cwd_lock);
}

const char *vfs_magic_link(const char *inside)
{
    char mine[32];
    if (strncmp(inside, "/proc/", 6) != 0) /* every other path: no formatting */
        return inside;
    snprintf(mine, sizeof(mine), "/proc/%d/exe", libos_pid);
    if (!strcmp(inside, "/proc/self/exe") || !strcmp(inside, mine))
        return libos_cfg.exec_path;
    return inside;
}

int vfs_proc_fd(const char *inside)
{
    char mine[32];
    int n = snprintf(mine, sizeof(mine), "/proc/%d/fd/", libos_pid), fd = 0;
    if (strncmp(inside, mine, (size_t)n) || !inside[n])
        return -1;
    for (const char *c = inside + n; *c; c++) {
        if (*c < '0' || *c > '9' || fd > 100000000)
            return -1;
        fd = fd * 10 + (*c - '0');
    }
    return fd;
}

int vfs_set_cwd(const char *inside)
{
    size_t n = strlen(inside);
    if (n >= sizeof(cwd))
        return -PAL_ENAMETOOLONG;
    spin_lock(&cwd_lock);
    memcpy(cwd_here(), inside, n + 1);
    spin_unlock(&cwd_lock);
    return 0;
}

#define MAX_SYMLINKS 40 /* Linux's MAXSYMLINKS */

/* The walk's state: the resolved prefix in out, the rest still to walk
 * in rest (owned, rebuilt when a symlink target is spliced in). */
struct walker {
    char *out;
    size_t len, size;
    char rest[PATH_MAX_LEN];
    int links;
    bool stop_at_link; /* vfs_resolve_to_link: stop after the first splice */
    bool stopped;
};

/* Replaces w->rest with target + "/" + tail (tail points into w->rest). */
static int splice(struct walker *w, const char *target, size_t tlen, const char *tail)
{
    char tmp[PATH_MAX_LEN];
    size_t tail_len = strlen(tail);
    if (tlen + 1 + tail_len + 1 > sizeof(tmp))
        return -PAL_ENAMETOOLONG;
    memcpy(tmp, target, tlen);
    tmp[tlen] = '/';
    memcpy(tmp + tlen + 1, tail, tail_len + 1);
    memcpy(w->rest, tmp, tlen + 1 + tail_len + 1);
    return 0;
}

/* The component just appended (out[len] == 0) is examined: a symlink is
 * replaced by its target. Returns 1 when it was one, 0 when not. */
static int follow_link(struct walker *w, size_t before, const char *tail)
{
    char target[PATH_MAX_LEN];
    long n = vfs_readlink(w->out, target, sizeof(target) - 1);
    if (n == -PAL_EINVAL)
        return 0; /* not a symlink */
    if (n < 0)
        return (int)n;
    if (n == 0)
        return -PAL_ENOENT;
    if (++w->links > MAX_SYMLINKS)
        return -PAL_ELOOP;
    int r = splice(w, target, (size_t)n, tail);
    if (r < 0)
        return r;
    /* Relative targets continue from the link's directory, absolute ones
     * from the inside root: both stay inside the libOS namespace. */
    w->len = target[0] == '/' ? 0 : before;
    w->out[w->len] = 0;
    return 1;
}

/* Walks w->rest onto w->out; the last component is followed only if asked.
 * A missing last component is fine (open O_CREAT, mkdir...); a missing or
 * unreadable intermediate one is the error Linux would give. */
static int walk_links(struct walker *w, bool follow_last)
{
    const char *p = w->rest;
    /* Whether out is known to name a directory: the base is one, and so is
     * the parent of one. "." and ".." after a component not known to be one
     * need it to be (ENOTDIR), which the lexical "." and ".." would lose. */
    bool dir_known = true;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        const char *tail = p + n;
        while (*tail == '/')
            tail++;
        size_t before = w->len;
        bool dotdot = n == 2 && p[0] == '.' && p[1] == '.';
        bool dot = n == 1 && p[0] == '.';
        if ((dot || dotdot) && !dir_known && w->len > 0) {
            struct pal_stat st;
            w->out[w->len] = 0;
            int e = vfs_stat(w->out, 0, &st);
            if (e < 0)
                return e;
            if ((st.mode & 0170000) != 0040000)
                return -PAL_ENOTDIR;
        }
        dir_known = dot || dotdot;
        int r = push_component(w->out, &w->len, w->size, p, n);
        if (r < 0)
            return r;
        w->out[w->len] = 0;
        bool last = !*tail, plain = n > 0 && !(n == 1 && p[0] == '.') && !dotdot;
        if (plain && (!last || follow_last)) {
            r = follow_link(w, before, tail);
            if (r < 0 && (!last || r != -PAL_ENOENT))
                return r;
            if (r == 1 && w->stop_at_link) {
                w->stopped = true;
                return 0;
            }
            if (r == 1) {
                p = w->rest;
                continue;
            }
        }
        p = tail;
    }
    return 0;
}

static int resolve_from(const char *base, const char *path, bool follow, char *out, size_t size,
                        bool stop_at_link)
{
    struct walker w = {.out = out, .size = size, .stop_at_link = stop_at_link};
    size_t n = strnlen(path, PATH_MAX_LEN);
    if (!path[0])
        return -PAL_ENOENT;
    if (n >= PATH_MAX_LEN)
        return -PAL_ENAMETOOLONG;
    /* base is already resolved (the cwd or an open directory's path). */
    int r = path[0] == '/' ? 0 : walk(base, out, &w.len, size);
    if (r < 0)
        return r;
    memcpy(w.rest, path, n + 1);
    r = walk_links(&w, follow);
    if (r < 0)
        return r;
    if (w.stopped) { /* the resolved prefix, then the spliced rest as it is */
        const char *rest = w.rest;
        while (*rest == '/')
            rest++;
        size_t n = strlen(rest);
        if (w.len + 1 + n + 1 > size)
            return -PAL_ENAMETOOLONG;
        out[w.len++] = '/';
        memcpy(out + w.len, rest, n + 1);
        return 1;
    }
    if (w.len == 0)
        out[w.len++] = '/';
    out[w.len] = 0;
    if (path[n - 1] != '/' || w.len == 1)
        return 0;
    /* "name/" names a directory: a final symlink is followed (by lstat and
     * O_NOFOLLOW too, as Linux does), and what exists there must be a
     * directory (ENOTDIR); a missing one is for the caller (mkdir). */
    if (!follow && (r = resolve_from("/", out, true, out, size, false)) < 0)
        return r;
    struct pal_stat st;
    if (vfs_stat(out, 0, &st) == 0 && (st.mode & S_IFMT) != S_IFDIR)
        return -PAL_ENOTDIR;
    return 0;
}

int vfs_resolve_at(int dirfd, const char *path, bool follow, char *out, size_t size)
{
    if (!path)
        return -PAL_EFAULT;
    if (!path[0]) /* before dirfd is looked at, as Linux's getname() */
        return -PAL_ENOENT;
    if (path[0] == '/' || dirfd == AT_FDCWD)
        return resolve_from(cwd_here(), path, follow, out, size, false);
    struct file *f = fd_get(dirfd);
    if (!f)
        return -PAL_EBADF;
    int r = (!f->path || !file_is_dir(f)) ? -PAL_ENOTDIR
                                          : resolve_from(f->path, path, follow, out, size, false);
    file_put(f);
    return r;
}

int vfs_resolve_to_link(const char *path, bool follow, char *out, size_t size)
{
    if (path[0] != '/')
        return -PAL_EINVAL;
    return resolve_from("/", path, follow, out, size, true);
}

int vfs_resolve(int dirfd, const char *path, char *out, size_t size)
{
    return vfs_resolve_at(dirfd, path, true, out, size);
}
