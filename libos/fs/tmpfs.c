/* tmpfs: directories and regular files held in libOS memory. One lock
 * per file system; a node stays alive while it is open, even unlinked. */
#include <linux/fcntl.h>

#include "fs/tmpfs.h"
#include "core/creds.h"

#define S_IFDIR_ 0040000
#define S_IFREG_ 0100000
#define S_IFLNK_ 0120000
#define NAME_MAX_ 255

struct tnode {
    char name[NAME_MAX_ + 1];
    bool is_dir;
    bool is_link; /* a symlink: data holds its target, size its length */
    uint32_t mode;
    uint32_t uid, gid; /* the creator's file system ids, then chown's */
    int refs;       /* 1 while linked, +1 per open file */
    uint64_t ino;
    int64_t mtime_ns, atime_ns, ctime_ns; /* reads leave atime alone (noatime) */
    struct tnode *parent, *child, *next; /* tree links */
    char *data;
    size_t size, cap;
};

struct tmpfs {
    struct tnode root;
    spinlock_t lock;
    uint64_t next_ino;
};

struct topen {
    struct tmpfs *fs;
    struct tnode *node;
    int64_t pos;
};

static int64_t now_ns(void)
{
    int64_t ns = 0;
    pal->clock_get(0 /* CLOCK_REALTIME */, &ns);
    return ns;
}

struct tmpfs *tmpfs_new(void)
{
    struct tmpfs *fs = calloc(1, sizeof(*fs));
    if (!fs)
        return NULL;
    fs->root.is_dir = true;
    fs->root.mode = 01777;
    fs->root.uid = creds_fsuid();
    fs->root.gid = creds_fsgid();
    fs->root.refs = 1;
    fs->root.ino = 1;
    fs->root.mtime_ns = fs->root.atime_ns = fs->root.ctime_ns = now_ns();
    fs->next_ino = 2;
    return fs;
}

static struct tnode *find_child(struct tnode *dir, const char *name, size_t n)
{
    for (struct tnode *c = dir->child; c; c = c->next)
        if (strlen(c->name) == n && !memcmp(c->name, name, n))
            return c;
    return NULL;
}

/* Walks path; with want_parent, stops at the parent of the last component
 * and points *last at that component's name. */
static int walk(struct tmpfs *fs, const char *path, bool want_parent, struct tnode **out,
                const char **last)
{
    struct tnode *n = &fs->root;
    while (*path == '/')
        path++;
    while (*path) {
        const char *slash = strchr(path, '/');
        size_t len = slash ? (size_t)(slash - path) : strlen(path);
        if (len > NAME_MAX_)
            return -PAL_ENAMETOOLONG;
        if (!n->is_dir)
            return -PAL_ENOTDIR;
        if (want_parent && !slash) {
            *out = n, *last = path;
            return 0;
        }
        n = find_child(n, path, len);
        if (!n)
            return -PAL_ENOENT;
        path += len;
        while (*path == '/')
            path++;
    }
    if (want_parent)
        return -PAL_EBUSY; /* the mount root itself */
    *out = n;
    return 0;
}

static struct tnode *new_node(struct tmpfs *fs, struct tnode *dir, const char *name, bool is_dir,
                              uint32_t mode)
{
    struct tnode *n = calloc(1, sizeof(*n));
    if (!n)
        return NULL;
    memcpy(n->name, name, strlen(name) + 1);
    n->is_dir = is_dir;
    n->mode = mode & 07777;
    n->uid = creds_fsuid();
    n->gid = creds_fsgid();
    n->refs = 1;
    n->ino = fs->next_ino++;
    n->mtime_ns = n->atime_ns = n->ctime_ns = now_ns();
    dir->mtime_ns = dir->ctime_ns = n->mtime_ns; /* a new name in dir */
    n->parent = dir;
    n->next = dir->child;
    dir->child = n;
    return n;
}

static void node_put(struct tnode *n)
{
    if (--n->refs == 0) {
        free(n->data);
        free(n);
    }
}

static void fill_stat(const struct tnode *n, struct pal_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->dev = 0x7f01;
    st->ino = n->ino;
    /* An unlinked node (no parent; the root has none either) has no link;
     * a directory has "." and one ".." per subdirectory. */
    st->nlink = !n->parent && !n->is_dir ? 0 : n->is_dir ? 2 : 1;
    for (const struct tnode *c = n->is_dir ? n->child : NULL; c; c = c->next)
        st->nlink += c->is_dir;
    st->mode = (n->is_dir ? S_IFDIR_ : n->is_link ? S_IFLNK_ : S_IFREG_) | n->mode;
    st->uid = n->uid, st->gid = n->gid;
    st->size = (int64_t)n->size;
    st->blksize = 4096;
    st->blocks = (int64_t)(n->size + 511) / 512;
    st->atime_ns = n->atime_ns, st->mtime_ns = n->mtime_ns, st->ctime_ns = n->ctime_ns;
}

int tmpfs_stat(struct tmpfs *fs, const char *path, struct pal_stat *st)
{
    struct tnode *n;
    spin_lock(&fs->lock);
    int r = walk(fs, path, false, &n, NULL);
    if (r == 0)
        fill_stat(n, st);
    spin_unlock(&fs->lock);
    return r;
}

/* ---- open files ---- */

static int grow(struct tnode *n, size_t size)
{
    if (size <= n->cap)
        return 0;
    size_t cap = n->cap ? n->cap : 4096;
    while (cap < size)
        cap *= 2;
    char *d = realloc(n->data, cap);
    if (!d)
        return -PAL_ENOSPC;
    memset(d + n->cap, 0, cap - n->cap);
    n->data = d, n->cap = cap;
    return 0;
}

static long t_pread(struct file *f, void *buf, size_t len, int64_t off)
{
    struct topen *o = (struct topen *)f->h;
    if (o->node->is_dir)
        return -PAL_EISDIR;
    spin_lock(&o->fs->lock);
    size_t size = o->node->size, n = off < 0 || (size_t)off >= size ? 0 : size - (size_t)off;
    n = n < len ? n : len;
    memcpy(buf, o->node->data + off * (n > 0), n);
    spin_unlock(&o->fs->lock);
    return (long)n;
}

static long t_pwrite(struct file *f, const void *buf, size_t len, int64_t off)
{
    struct topen *o = (struct topen *)f->h;
    if (off < 0)
        return -PAL_EINVAL;
    spin_lock(&o->fs->lock);
    int r = grow(o->node, (size_t)off + len);
    if (r == 0) {
        memcpy(o->node->data + off, buf, len);
        if ((size_t)off + len > o->node->size)
            o->node->size = (size_t)off + len;
        o->node->mtime_ns = o->node->ctime_ns = now_ns();
    }
    spin_unlock(&o->fs->lock);
    return r < 0 ? r : (long)len;
}

static long t_read(struct file *f, void *buf, size_t len)
{
    struct topen *o = (struct topen *)f->h;
    long r = t_pread(f, buf, len, o->pos);
    if (r > 0)
        o->pos += r;
    return r;
}

static long t_write(struct file *f, const void *buf, size_t len)
{
    struct topen *o = (struct topen *)f->h;
    if (f->flags & O_APPEND)
        o->pos = (int64_t)o->node->size;
    long r = t_pwrite(f, buf, len, o->pos);
    if (r > 0)
        o->pos += r;
    return r;
}

static long t_truncate(struct file *f, int64_t len)
{
    struct topen *o = (struct topen *)f->h;
    if (len < 0 || o->node->is_dir)
        return -PAL_EINVAL;
    spin_lock(&o->fs->lock);
    int r = grow(o->node, (size_t)len);
    if (r == 0) {
        if ((size_t)len < o->node->size)
            memset(o->node->data + len, 0, o->node->size - (size_t)len);
        o->node->size = (size_t)len;
        o->node->mtime_ns = o->node->ctime_ns = now_ns();
    }
    spin_unlock(&o->fs->lock);
    return r;
}

static long t_seek(struct file *f, int64_t off, int whence)
{
    struct topen *o = (struct topen *)f->h;
    /* SEEK_DATA, SEEK_HOLE: no holes kept (Linux's generic_file_llseek_size) */
    if (whence == 3 || whence == 4) {
        int64_t size = (int64_t)o->node->size;
        if (off < 0 || off >= size)
            return -PAL_ENXIO;
        o->pos = whence == 3 ? off : size;
        return o->pos;
    }
    int64_t base = whence == 0 ? 0 : whence == 1 ? o->pos : whence == 2 ? (int64_t)o->node->size : -1;
    if (base < 0 || base + off < 0)
        return -PAL_EINVAL;
    o->pos = base + off;
    return o->pos;
}

static long t_fstat(struct file *f, struct pal_stat *st)
{
    struct topen *o = (struct topen *)f->h;
    spin_lock(&o->fs->lock);
    fill_stat(o->node, st);
    spin_unlock(&o->fs->lock);
    return 0;
}

/* getdents64 records: ".", "..", then the children; pos counts entries. */
static size_t put_dirent(char *buf, size_t room, uint64_t ino, int64_t next, int dir,
                         const char *name)
{
    size_t n = strlen(name), reclen = ALIGN_UP(19 + n + 1, 8);
    if (reclen > room)
        return 0;
    memset(buf, 0, reclen);
    memcpy(buf, &ino, 8);
    memcpy(buf + 8, &next, 8);
    uint16_t rl = (uint16_t)reclen;
    memcpy(buf + 16, &rl, 2);
    buf[18] = (char)dir; /* DT_DIR, DT_REG or DT_LNK */
    memcpy(buf + 19, name, n + 1);
    return reclen;
}

static long t_readdir(struct file *f, void *buf, size_t len)
{
    struct topen *o = (struct topen *)f->h;
    size_t used = 0;
    spin_lock(&o->fs->lock);
    struct tnode *c = o->node->child;
    for (int64_t i = 2; c && i < o->pos; i++)
        c = c->next; /* children already returned */
    while (o->pos < 2 || c) {
        bool dot = o->pos < 2;
        const char *name = o->pos == 0 ? "." : o->pos == 1 ? ".." : c->name;
        uint64_t ino = dot ? o->node->ino : c->ino;
        int type = dot || c->is_dir ? 4  /* DT_DIR */
                   : c->is_link     ? 10 /* DT_LNK */
                                    : 8 /* DT_REG */;
        size_t n = put_dirent((char *)buf + used, len - used, ino, o->pos + 1, type, name);
        if (!n)
            break;
        used += n;
        o->pos++;
        if (!dot)
            c = c->next;
    }
    bool more = o->pos < 2 || c;
    spin_unlock(&o->fs->lock);
    return used == 0 && more ? -PAL_EINVAL : (long)used; /* EINVAL: buffer too small */
}

static void t_release(struct file *f)
{
    struct topen *o = (struct topen *)f->h;
    spin_lock(&o->fs->lock);
    node_put(o->node);
    spin_unlock(&o->fs->lock);
    free(o);
}

static const struct file_ops tmpfs_ops = {
    .read = t_read, .write = t_write, .pread = t_pread, .pwrite = t_pwrite, .seek = t_seek,
    .fstat = t_fstat, .readdir = t_readdir, .truncate = t_truncate, .release = t_release,
};

/* Finds or creates the node for open(); called with the lock held. */
static int open_node(struct tmpfs *fs, const char *path, int flags, uint32_t mode, struct tnode **out)
{
    struct tnode *dir;
    const char *last;
    int r = walk(fs, path, false, out, NULL);
    if (r == 0)
        return (flags & O_CREAT) && (flags & O_EXCL) ? -PAL_EEXIST : 0;
    if (r != -PAL_ENOENT || !(flags & O_CREAT))
        return r;
    r = walk(fs, path, true, &dir, &last);
    if (r < 0)
        return r;
    *out = new_node(fs, dir, last, false, mode);
    return *out ? 0 : -PAL_ENOSPC;
}

/* The permissions an open asks for (4 read, 2 write). */
static int open_access(int flags)
{
    int acc = flags & O_ACCMODE, want = acc == O_RDONLY ? 4 : acc == O_WRONLY ? 2 : 6;
    return want | ((flags & O_TRUNC) ? 2 : 0);
}

static void detach(struct tnode *n);

/* O_TMPFILE in directory path: a node made in it and unlinked at once
 * (its creation reference becomes the open file's); called with the lock
 * held. */
static int tmpfile_node(struct tmpfs *fs, const char *path, int flags, uint32_t mode,
                        struct tnode **out)
{
    struct tnode *dir;
    char name[32];
    int r = walk(fs, path, false, &dir, NULL);
    if (r == 0 && !dir->is_dir)
        r = -PAL_ENOTDIR;
    if (r == 0 && (flags & O_ACCMODE) == O_RDONLY) /* open(2): O_TMPFILE needs write access */
        r = -PAL_EINVAL;
    if (r < 0)
        return r;
    snprintf(name, sizeof(name), ".tmpfile-%llu", (unsigned long long)fs->next_ino);
    struct tnode *n = new_node(fs, dir, name, false, mode);
    if (!n)
        return -PAL_ENOSPC;
    detach(n);
    *out = n;
    return 0;
}

/* The open file of node n (its reference taken) in o: -ENOMEM, with the
 * reference dropped and o freed, when there is no memory for it. */
static int open_file(struct tmpfs *fs, struct tnode *n, struct topen *o, int flags,
                     struct file **out)
{
    *o = (struct topen){fs, n, 0};
    *out = file_new(&tmpfs_ops, (pal_handle)o, flags);
    if (!*out) {
        t_release(&(struct file){.h = (pal_handle)o});
        return -PAL_ENOMEM;
    }
    return 0;
}

int tmpfs_open(struct tmpfs *fs, const char *path, int flags, uint32_t mode, struct file **out)
{
    struct tnode *n;
    struct topen *o = calloc(1, sizeof(*o));
    if (!o)
        return -PAL_ENOMEM;
    spin_lock(&fs->lock);
    if (flags & __O_TMPFILE) {
        int r = tmpfile_node(fs, path, flags, mode, &n);
        spin_unlock(&fs->lock);
        if (r < 0) {
            free(o);
            return r;
        }
        return open_file(fs, n, o, flags & ~(__O_TMPFILE | O_DIRECTORY), out);
    }
    bool existed = walk(fs, path, false, &n, NULL) == 0;
    int r = open_node(fs, path, flags, mode, &n);
    if (r == 0 && existed) /* an existing file: its permission bits (a new one: the creator's) */
        r = (int)creds_may_access(n->uid, n->gid, n->mode, open_access(flags));
    /* A symlink reaches here only when it was not to be followed (O_NOFOLLOW,
     * or O_CREAT|O_EXCL): open(2) ELOOP, EEXIST. */
    if (r == 0 && n->is_link && !(flags & O_PATH)) /* O_PATH|O_NOFOLLOW: the link itself */
        r = (flags & O_CREAT) && (flags & O_EXCL) ? -PAL_EEXIST : -PAL_ELOOP;
    /* Linux: O_CREAT on an existing directory is EISDIR, even read-only. */
    if (r == 0 && n->is_dir && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT)))
        r = -PAL_EISDIR;
    if (r == 0 && !n->is_dir && (flags & O_DIRECTORY))
        r = -PAL_ENOTDIR;
    if (r == 0 && (flags & O_TRUNC) && !n->is_dir) {
        /* the bytes past the end must read as zeros when it grows again */
        if (n->data)
            memset(n->data, 0, n->size);
        n->size = 0;
    }
    if (r == 0)
        n->refs++;
    spin_unlock(&fs->lock);
    if (r < 0) {
        free(o);
        return r;
    }
    r = open_file(fs, n, o, flags & ~(O_CREAT | O_EXCL | O_TRUNC), out);
    if (r == 0)
        (*out)->is_dir = n->is_dir;
    return r;
}

int tmpfs_mkdir(struct tmpfs *fs, const char *path, uint32_t mode)
{
    struct tnode *dir, *n;
    const char *last;
    spin_lock(&fs->lock);
    int r = walk(fs, path, false, &n, NULL) == 0 ? -PAL_EEXIST : walk(fs, path, true, &dir, &last);
    if (r == 0 && !new_node(fs, dir, last, true, mode))
        r = -PAL_ENOSPC;
    spin_unlock(&fs->lock);
    return r;
}

static void detach(struct tnode *n)
{
    struct tnode **pp = &n->parent->child;
    while (*pp != n)
        pp = &(*pp)->next;
    *pp = n->next;
    n->parent->mtime_ns = n->parent->ctime_ns = now_ns();
    n->parent = NULL;
    n->next = NULL;
}

int tmpfs_unlink(struct tmpfs *fs, const char *path, int is_dir)
{
    struct tnode *n;
    spin_lock(&fs->lock);
    int r = walk(fs, path, false, &n, NULL);
    if (r == 0 && n == &fs->root)
        r = -PAL_EBUSY;
    else if (r == 0 && is_dir && !n->is_dir)
        r = -PAL_ENOTDIR;
    else if (r == 0 && !is_dir && n->is_dir)
        r = -PAL_EISDIR;
    else if (r == 0 && n->child)
        r = -PAL_ENOTEMPTY;
    if (r == 0) {
        detach(n);
        node_put(n);
    }
    spin_unlock(&fs->lock);
    return r;
}

int tmpfs_rename(struct tmpfs *fs, const char *from, const char *to)
{
    struct tnode *n, *dir, *old;
    const char *last;
    spin_lock(&fs->lock);
    int r = walk(fs, from, false, &n, NULL);
    if (r == 0)
        r = n == &fs->root ? -PAL_EBUSY : walk(fs, to, true, &dir, &last);
    for (struct tnode *a = dir; r == 0 && a; a = a->parent)
        if (a == n)
            r = -PAL_EINVAL; /* into its own subtree */
    if (r == 0 && (old = find_child(dir, last, strlen(last))) && old != n) {
        if (old->is_dir != n->is_dir)
            r = old->is_dir ? -PAL_EISDIR : -PAL_ENOTDIR;
        else if (old->child)
            r = -PAL_ENOTEMPTY;
        else
            detach(old), node_put(old);
    }
    if (r == 0) {
        detach(n);
        memcpy(n->name, last, strlen(last) + 1);
        n->parent = dir, n->next = dir->child, dir->child = n;
        dir->mtime_ns = dir->ctime_ns = n->ctime_ns = now_ns();
    }
    spin_unlock(&fs->lock);
    return r;
}

int tmpfs_chmod(struct tmpfs *fs, const char *path, uint32_t mode)
{
    struct tnode *n;
    spin_lock(&fs->lock);
    int r = walk(fs, path, false, &n, NULL);
    if (r == 0)
        n->mode = mode & 07777, n->ctime_ns = now_ns();
    spin_unlock(&fs->lock);
    return r;
}

/* chown(2) with the caller's credentials checked against the node's
 * owner; a regular file loses its set-user-ID bit (and set-group-ID when
 * group-executable), as the kernel's chown does. */
int tmpfs_chown(struct tmpfs *fs, const char *path, uint32_t uid, uint32_t gid)
{
    struct tnode *n;
    spin_lock(&fs->lock);
    int r = walk(fs, path, false, &n, NULL);
    if (r == 0)
        r = (int)creds_may_chown(n->uid, n->gid, uid, gid);
    if (r == 0) {
        n->uid = uid == (uint32_t)-1 ? n->uid : uid;
        n->gid = gid == (uint32_t)-1 ? n->gid : gid;
        if (!n->is_dir)
            n->mode &= ~(04000u | ((n->mode & 010) ? 02000u : 0));
    }
    spin_unlock(&fs->lock);
    return r;
}

/* Pages and nodes in use under n (linked ones: an unlinked file still
 * open is not counted). */
static void usage(const struct tnode *n, uint64_t *pages, uint64_t *nodes)
{
    for (; n; n = n->next) {
        *pages += ALIGN_UP(n->size, 4096) / 4096;
        *nodes += 1;
        usage(n->child, pages, nodes);
    }
}

/* Linux's tmpfs with its default limits: half the memory the libOS
 * reports in /proc/meminfo, and as many inodes as pages. */
void tmpfs_statfs(struct tmpfs *fs, struct pal_statfs *st)
{
    uint64_t pages = 0, nodes = 0, total = libos_cfg.brk_max / 4096 / 2;
    spin_lock(&fs->lock);
    usage(&fs->root, &pages, &nodes);
    spin_unlock(&fs->lock);
    pages = pages < total ? pages : total;
    nodes = nodes < total ? nodes : total;
    *st = (struct pal_statfs){.type = 0x01021994 /* TMPFS_MAGIC */, .bsize = 4096,
                              .blocks = total, .bfree = total - pages,
                              .bavail = total - pages, .files = total,
                              .ffree = total - nodes, .namelen = NAME_MAX_, .frsize = 4096,
                              .flags = 0x1020 /* ST_VALID | ST_RELATIME */};
}

struct tmpfs *tmpfs_of(struct file *f)
{
    return f->ops == &tmpfs_ops ? ((struct topen *)f->h)->fs : NULL;
}

int tmpfs_file_chmod(struct file *f, uint32_t mode)
{
    struct topen *o = (struct topen *)f->h;
    spin_lock(&o->fs->lock);
    o->node->mode = mode & 07777;
    o->node->ctime_ns = now_ns();
    spin_unlock(&o->fs->lock);
    return 0;
}

/* ---- The mount's operations (struct fs_ops) ---- */

static int fs_open(const struct vfs_target *t, const char *alias, int flags, uint32_t mode,
                   int pal_flags, struct file **out)
{
    (void)alias, (void)pal_flags;
    return tmpfs_open(t->tmpfs, t->rest, flags, mode, out);
}

static int fs_stat(const struct vfs_target *t, struct pal_stat *st)
{
    return tmpfs_stat(t->tmpfs, t->rest, st);
}

static int fs_mkdir(const struct vfs_target *t, uint32_t mode)
{
    return tmpfs_mkdir(t->tmpfs, t->rest, mode);
}

static int fs_unlink(const struct vfs_target *t, int is_dir)
{
    return tmpfs_unlink(t->tmpfs, t->rest, is_dir);
}

static int fs_rename(const struct vfs_target *a, const struct vfs_target *b)
{
    return tmpfs_rename(a->tmpfs, a->rest, b->rest);
}

static int fs_chmod(const struct vfs_target *t, uint32_t mode)
{
    return tmpfs_chmod(t->tmpfs, t->rest, mode);
}

/* A symlink's target; EINVAL for any other node. */
static long fs_readlink(const struct vfs_target *t, char *buf, size_t len)
{
    struct tnode *n;
    struct tmpfs *fs = t->tmpfs;
    spin_lock(&fs->lock);
    long r = walk(fs, t->rest, false, &n, NULL);
    if (r == 0 && !n->is_link)
        r = -PAL_EINVAL;
    if (r == 0) {
        r = (long)(n->size < len ? n->size : len);
        memcpy(buf, n->data, (size_t)r);
    }
    spin_unlock(&fs->lock);
    return r;
}

/* access(2) with the caller's file system ids (a directory is searchable
 * by root whatever its bits, as Linux's generic_permission). */
static int fs_access(const struct vfs_target *t, int mode)
{
    struct tnode *n;
    struct tmpfs *fs = t->tmpfs;
    spin_lock(&fs->lock);
    int r = walk(fs, t->rest, false, &n, NULL);
    uint32_t uid = r == 0 ? n->uid : 0, gid = r == 0 ? n->gid : 0;
    uint32_t bits = r == 0 ? n->mode : 0;
    bool dir = r == 0 && n->is_dir;
    spin_unlock(&fs->lock);
    if (r < 0 || !(mode & 7))
        return r;
    r = (int)creds_may_access(uid, gid, bits, mode & 7);
    /* root (who may read and write a mode-0 file) may search any directory */
    if (r < 0 && dir && creds_may_access(uid, gid, 0, 6) == 0)
        r = 0;
    return r;
}

/* utimensat(2): each time given, PAL_UTIME_NOW or PAL_UTIME_OMIT; the
 * change time is now unless both are omitted. */
static int fs_utimes(const struct vfs_target *t, const int64_t times[2])
{
    struct tnode *n;
    struct tmpfs *fs = t->tmpfs;
    int64_t now = now_ns();
    spin_lock(&fs->lock);
    int r = walk(fs, t->rest, false, &n, NULL);
    for (int i = 0; r == 0 && i < 2; i++) {
        int64_t v = times[i] == PAL_UTIME_NOW ? now : times[i];
        if (times[i] != PAL_UTIME_OMIT)
            *(i == 0 ? &n->atime_ns : &n->mtime_ns) = v;
    }
    if (r == 0 && (times[0] != PAL_UTIME_OMIT || times[1] != PAL_UTIME_OMIT))
        n->ctime_ns = now;
    spin_unlock(&fs->lock);
    return r;
}

/* symlink(2): a node holding its target (mode 0777, as Linux's). */
static int fs_symlink(const char *target, const struct vfs_target *t)
{
    struct tnode *dir, *n;
    const char *last;
    struct tmpfs *fs = t->tmpfs;
    size_t len = strnlen(target, PATH_MAX_LEN); /* a bad pointer faults: EFAULT */
    if (len == 0)
        return -PAL_ENOENT;
    if (len >= PATH_MAX_LEN)
        return -PAL_ENAMETOOLONG;
    char *copy = malloc(len);
    if (!copy)
        return -PAL_ENOMEM;
    memcpy(copy, target, len);
    spin_lock(&fs->lock);
    int r = walk(fs, t->rest, false, &n, NULL) == 0 ? -PAL_EEXIST
                                                    : walk(fs, t->rest, true, &dir, &last);
    if (r == 0 && !(n = new_node(fs, dir, last, false, 0777)))
        r = -PAL_ENOSPC;
    if (r == 0) {
        n->is_link = true;
        n->data = copy, n->size = n->cap = len;
        copy = NULL;
    }
    spin_unlock(&fs->lock);
    free(copy);
    return r;
}

/* link: NULL (-EPERM, tmpfs holds no hard links); access: the program
 * owns every file (stat). */
const struct fs_ops tmpfs_fs_ops = {
    .name = "tmpfs",
    .open = fs_open,
    .stat = fs_stat,
    .mkdir = fs_mkdir,
    .unlink = fs_unlink,
    .rename = fs_rename,
    .chmod = fs_chmod,
    .readlink = fs_readlink,
    .symlink = fs_symlink,
    .utimes = fs_utimes,
    .access = fs_access,
};
