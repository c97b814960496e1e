/* Devices the libOS implements itself, without the host: /dev/null,
 * /dev/zero, /dev/urandom and /dev/random (both from the PAL's random), and
 * /dev/attestation (dev_attestation.c); and Linux's symlinks /dev/fd,
 * /dev/stdin, /dev/stdout, /dev/stderr into /proc/self/fd. */
#include "fs/vfs.h"

#define S_IFCHR_ 0020000

enum dev_kind { DEV_NULL, DEV_ZERO, DEV_RANDOM };

static const struct {
    const char *path;
    enum dev_kind kind;
    uint32_t minor;
} devs[] = {
    {"/dev/null", DEV_NULL, 3},
    {"/dev/zero", DEV_ZERO, 5},
    {"/dev/random", DEV_RANDOM, 8},
    {"/dev/urandom", DEV_RANDOM, 9},
};

static long null_read(struct file *f, void *b, size_t n) { (void)f, (void)b, (void)n; return 0; }
static long zero_read(struct file *f, void *b, size_t n) { (void)f; memset(b, 0, n); return (long)n; }
static long random_read(struct file *f, void *b, size_t n)
{
    (void)f;
    long r = pal->random(b, n);
    return r < 0 ? r : (long)n;
}
static long sink_write(struct file *f, const void *b, size_t n) { (void)f, (void)b; return (long)n; }
static long dev_pread(struct file *f, void *b, size_t n, int64_t o)
{
    (void)o;
    return f->ops->read(f, b, n);
}
static long dev_seek(struct file *f, int64_t o, int w) { (void)f, (void)o, (void)w; return 0; }
static long dev_fstat(struct file *f, struct pal_stat *st);

#define DEV_OPS(rd) {.read = rd, .write = sink_write, .pread = dev_pread, .seek = dev_seek, \
                     .fstat = dev_fstat}
static const struct file_ops dev_ops[] = {
    [DEV_NULL] = DEV_OPS(null_read),
    [DEV_ZERO] = DEV_OPS(zero_read),
    [DEV_RANDOM] = DEV_OPS(random_read),
};

#define S_IFLNK_ 0120000

static const struct {
    const char *path, *target;
} links[] = {
    {"/dev/fd", "/proc/self/fd"},
    {"/dev/stdin", "/proc/self/fd/0"},
    {"/dev/stdout", "/proc/self/fd/1"},
    {"/dev/stderr", "/proc/self/fd/2"},
};

static int find_link(const char *inside)
{
    for (size_t i = 0; i < ARRAY_LEN(links); i++)
        if (!strcmp(links[i].path, inside))
            return (int)i;
    return -1;
}

static int find(const char *inside)
{
    for (size_t i = 0; i < ARRAY_LEN(devs); i++)
        if (!strcmp(devs[i].path, inside))
            return (int)i;
    return -1;
}

static void fill_stat(int i, struct pal_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->mode = S_IFCHR_ | 0666;
    st->rdev = (1 << 8) | devs[i].minor; /* major 1: memory devices */
    st->nlink = 1;
    st->blksize = 4096;
    st->ino = 1000 + (uint64_t)i;
}

static long dev_fstat(struct file *f, struct pal_stat *st)
{
    fill_stat(find(f->path), st);
    return 0;
}

int dev_stat(const char *inside, struct pal_stat *st)
{
    int i = find(inside), l = i < 0 ? find_link(inside) : -1;
    if (l >= 0) {
        memset(st, 0, sizeof(*st));
        st->mode = S_IFLNK_ | 0777;
        st->nlink = 1;
        st->size = (int64_t)strlen(links[l].target);
        st->blksize = 4096;
        st->ino = 1100 + (uint64_t)l;
        return 0;
    }
    if (i < 0)
        return dev_attestation_stat(inside, st);
    fill_stat(i, st);
    return 0;
}

int dev_open(const char *inside, int flags, struct file **out)
{
    int i = find(inside);
    if (i < 0 && find_link(inside) >= 0) /* resolved already: O_NOFOLLOW */
        return -PAL_ELOOP;
    if (i < 0)
        return dev_attestation_open(inside, flags, out);
    struct file *f = file_new(&dev_ops[devs[i].kind], -1, flags);
    if (!f || !(f->path = strdup(inside))) {
        free(f);
        return -PAL_ENOMEM;
    }
    *out = f;
    return 0;
}

int dev_map_kind(const struct file *f)
{
    if (f->ops == &dev_ops[DEV_ZERO])
        return 1;
    for (size_t i = 0; i < ARRAY_LEN(dev_ops); i++)
        if (f->ops == &dev_ops[i])
            return -PAL_ENODEV;
    return 0;
}

static int d_open(const struct vfs_target *t, const char *alias, int flags, uint32_t mode,
                  int pal_flags, struct file **out)
{
    (void)alias, (void)mode, (void)pal_flags;
    return dev_open(t->inside, flags, out);
}

static int d_stat(const struct vfs_target *t, struct pal_stat *st) { return dev_stat(t->inside, st); }

/* A device is no symlink (-EINVAL); /dev/fd and /dev/std* are. */
static long d_readlink(const struct vfs_target *t, char *buf, size_t len)
{
    int l = find_link(t->inside);
    if (l < 0)
        return -PAL_EINVAL;
    size_t n = strlen(links[l].target);
    n = n < len ? n : len;
    memcpy(buf, links[l].target, n);
    return (long)n;
}

const struct fs_ops dev_fs_ops = {
    .name = "dev", .open = d_open, .stat = d_stat, .readlink = d_readlink};
