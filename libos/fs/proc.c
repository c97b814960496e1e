/* The libOS's own /proc entries: /proc/self (and /proc/<pid>) status and
 * fd/. Their text is generated when the file is opened. Other /proc paths
 * go to whatever mount holds /proc (the host's, with fs.root = file:/). */
#include <linux/fcntl.h>

#include "fs/vfs.h"

#define S_IFDIR_ 0040000
#define S_IFREG_ 0100000
#define S_IFLNK_ 0120000

struct gen {
    char *text;
    size_t len;
    int64_t pos;
};

/* Strips "/proc/self" or "/proc/<our pid>"; NULL if inside is neither. */
static const char *self_rest(const char *inside)
{
    char mine[32];
    int n = snprintf(mine, sizeof(mine), "/proc/%d", libos_pid);
    if (!strncmp(inside, "/proc/self", 10) && (inside[10] == 0 || inside[10] == '/'))
        return inside + 10;
    if (!strncmp(inside, mine, (size_t)n) && (inside[n] == 0 || inside[n] == '/'))
        return inside + n;
    return NULL;
}

static char *status_text(size_t *len)
{
    char *t = malloc(512);
    if (!t)
        return NULL;
    const char *slash = strrchr(libos_cfg.exec_path, '/');
    char name[16]; /* the kernel's comm is 15 characters */
    snprintf(name, sizeof(name), "%s", slash ? slash + 1 : libos_cfg.exec_path);
    int n = snprintf(t, 512,
                     "Name:\t%s\nState:\tR (running)\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\n"
                     "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nThreads:\t%d\n",
                     name, libos_pid, libos_pid, libos_ppid,
                     libos_cfg.uid, libos_cfg.uid, libos_cfg.uid, libos_cfg.uid, libos_cfg.gid,
                     libos_cfg.gid, libos_cfg.gid, libos_cfg.gid, libos_thread_count);
    *len = (size_t)n;
    return t;
}

static long g_pread(struct file *f, void *buf, size_t len, int64_t off)
{
    struct gen *g = (struct gen *)f->h;
    if (off < 0 || (size_t)off >= g->len)
        return 0;
    size_t n = g->len - (size_t)off < len ? g->len - (size_t)off : len;
    memcpy(buf, g->text + off, n);
    return (long)n;
}

static long g_read(struct file *f, void *buf, size_t len)
{
    struct gen *g = (struct gen *)f->h;
    long r = g_pread(f, buf, len, g->pos);
    g->pos += r > 0 ? r : 0;
    return r;
}

static long g_seek(struct file *f, int64_t off, int whence)
{
    struct gen *g = (struct gen *)f->h;
    int64_t base = whence == 0 ? 0 : whence == 1 ? g->pos : (int64_t)g->len;
    if (whence > 2 || base + off < 0)
        return -PAL_EINVAL;
    return g->pos = base + off;
}

static long g_fstat(struct file *f, struct pal_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->mode = (f->is_dir ? S_IFDIR_ | 0555 : S_IFREG_ | 0444);
    st->nlink = 1;
    st->uid = libos_cfg.uid, st->gid = libos_cfg.gid;
    st->blksize = 4096;
    return 0;
}

/* /proc/self/fd: one entry per open descriptor, generated as dirents. */
static long g_readdir(struct file *f, void *buf, size_t len)
{
    struct gen *g = (struct gen *)f->h;
    size_t used = 0;
    for (; g->pos < FD_MAX + 2; g->pos++) {
        char name[16];
        if (g->pos >= 2 && fd_get_cloexec((int)g->pos - 2) < 0)
            continue;
        snprintf(name, sizeof(name), "%s", g->pos == 0 ? "." : g->pos == 1 ? ".." : "");
        if (g->pos >= 2)
            snprintf(name, sizeof(name), "%d", (int)g->pos - 2);
        size_t n = strlen(name), reclen = ALIGN_UP(19 + n + 1, 8);
        if (used + reclen > len)
            break;
        char *d = (char *)buf + used;
        uint64_t ino = 100 + (uint64_t)g->pos;
        int64_t next = g->pos + 1;
        uint16_t rl = (uint16_t)reclen;
        memset(d, 0, reclen);
        memcpy(d, &ino, 8), memcpy(d + 8, &next, 8), memcpy(d + 16, &rl, 2);
        d[18] = g->pos < 2 ? 4 /* DT_DIR */ : 10 /* DT_LNK */;
        memcpy(d + 19, name, n + 1);
        used += reclen;
    }
    return used == 0 && g->pos < FD_MAX + 2 ? -PAL_EINVAL : (long)used;
}

static void g_release(struct file *f)
{
    struct gen *g = (struct gen *)f->h;
    free(g->text);
    free(g);
}

static const struct file_ops gen_ops = {
    .read = g_read, .pread = g_pread, .seek = g_seek, .fstat = g_fstat, .readdir = g_readdir,
    .release = g_release,
};

static int open_gen(char *text, size_t len, bool dir, int flags, struct file **out)
{
    struct gen *g = calloc(1, sizeof(*g));
    if ((flags & O_ACCMODE) != O_RDONLY) {
        free(g), free(text);
        return -PAL_EACCES;
    }
    if (!g || (!text && !dir)) {
        free(g), free(text);
        return -PAL_ENOMEM;
    }
    g->text = text, g->len = len;
    *out = file_new(&gen_ops, (pal_handle)g, flags);
    if (!*out) {
        g_release(&(struct file){.h = (pal_handle)g});
        return -PAL_ENOMEM;
    }
    (*out)->is_dir = dir;
    return 0;
}

int proc_open(const char *inside, int flags, struct file **out)
{
    const char *rest = self_rest(inside);
    size_t len = 0;
    if (!rest)
        return -PAL_ENOENT;
    if (!strcmp(rest, "/status")) {
        char *text = status_text(&len);
        return open_gen(text, len, false, flags, out);
    }
    if (!strcmp(rest, "/fd"))
        return open_gen(NULL, 0, true, flags, out);
    return -PAL_ENOENT;
}

/* The descriptor number in "/fd/N", or -1. */
static int parse_fd(const char *rest)
{
    int fd = 0;
    if (strncmp(rest, "/fd/", 4) || !rest[4])
        return -1;
    for (const char *p = rest + 4; *p; p++) {
        if (*p < '0' || *p > '9' || fd > FD_MAX)
            return -1;
        fd = fd * 10 + (*p - '0');
    }
    return fd;
}

int proc_stat(const char *inside, struct pal_stat *st)
{
    const char *rest = self_rest(inside);
    if (!rest || (strcmp(rest, "/status") && strcmp(rest, "/fd") && strncmp(rest, "/fd/", 4)))
        return -PAL_ENOENT;
    struct file f = {.is_dir = !strcmp(rest, "/fd")};
    g_fstat(&f, st);
    if (!strncmp(rest, "/fd/", 4)) {
        if (fd_get_cloexec(parse_fd(rest)) < 0)
            return -PAL_ENOENT;
        st->mode = S_IFLNK_ | 0700;
    }
    return 0;
}

/* readlink of /proc/self/fd/N: the path the descriptor was opened with. */
long proc_readlink(const char *inside, char *buf, size_t len)
{
    const char *rest = self_rest(inside);
    int fd = rest ? parse_fd(rest) : -1;
    struct file *f = fd >= 0 ? fd_get(fd) : NULL;
    if (!f)
        return -PAL_ENOENT;
    char tmp[64];
    const char *target = f->path;
    if (!target) {
        snprintf(tmp, sizeof(tmp), "%s:[%ld]", f->is_sock ? "socket" : "pipe", (long)f->h);
        target = tmp;
    }
    size_t n = strlen(target);
    n = n < len ? n : len;
    memcpy(buf, target, n);
    file_put(f);
    return (long)n;
}
