/* The libOS's /proc. Everything under /proc is answered here, from the
 * libOS's own state, or is ENOENT: vfs_lookup never sends a /proc path to
 * a mount (so the host's /proc is out of reach even with fs.root = "/").
 *
 *   /proc              dir: self, <pid>, cpuinfo, meminfo, stat
 *   /proc/self, /<pid> dir: exe, fd, maps, status
 *   .../exe            link to the program;  .../fd/N  link to N's path
 *   .../fd             dir of the open descriptors
 *   .../maps, .../status, /proc/cpuinfo, /meminfo, /stat: generated text */
#include <linux/fcntl.h>

#include "fs/proc.h"

#define S_IFDIR_ 0040000
#define S_IFREG_ 0100000
#define S_IFLNK_ 0120000
/* Entry types in a listing's text (DT_LNK is 10, a newline: letters
 * stand for the dirent types there). */
#define DT_DIR_ 'd'
#define DT_REG_ 'r'
#define DT_LNK_ 'l'

enum kind { K_NONE, K_DIR, K_FILE, K_LINK };
enum dir { D_ROOT, D_SELF, D_FD };

struct node {
    enum kind kind;
    int what; /* K_FILE: enum proc_text; K_DIR: enum dir; K_LINK: fd or -1 (exe) */
};

/* A generated file or directory: text, or "T name\n" lines for a dir
 * (T: DT_DIR_, DT_REG_ or DT_LNK_). */
struct gen {
    char *text;
    size_t len;
    int64_t pos;
};

bool proc_owns(const char *inside)
{
    return !strncmp(inside, "/proc", 5) && (inside[5] == 0 || inside[5] == '/');
}

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

static struct node self_node(const char *rest)
{
    if (!rest[0])
        return (struct node){K_DIR, D_SELF};
    if (!strcmp(rest, "/exe"))
        return (struct node){K_LINK, -1};
    if (!strcmp(rest, "/fd"))
        return (struct node){K_DIR, D_FD};
    if (!strcmp(rest, "/maps"))
        return (struct node){K_FILE, PROC_MAPS};
    if (!strcmp(rest, "/status"))
        return (struct node){K_FILE, PROC_STATUS};
    int fd = parse_fd(rest);
    if (fd >= 0 && fd_get_cloexec(fd) >= 0)
        return (struct node){K_LINK, fd};
    return (struct node){K_NONE, 0};
}

static struct node find(const char *inside)
{
    const char *rest = self_rest(inside);
    if (rest)
        return self_node(rest);
    if (!strcmp(inside, "/proc"))
        return (struct node){K_DIR, D_ROOT};
    if (!strcmp(inside, "/proc/cpuinfo"))
        return (struct node){K_FILE, PROC_CPUINFO};
    if (!strcmp(inside, "/proc/meminfo"))
        return (struct node){K_FILE, PROC_MEMINFO};
    if (!strcmp(inside, "/proc/stat"))
        return (struct node){K_FILE, PROC_STAT};
    return (struct node){K_NONE, 0};
}

/* Directory listings as "T name\n" lines (T: the dirent type). */
static char *dir_text(enum dir d, size_t *len)
{
    size_t cap = d == D_FD ? 16 * (FD_MAX + 4) : 256;
    char *t = malloc(cap);
    if (!t)
        return NULL;
    size_t n = (size_t)snprintf(t, cap, "%c .\n%c ..\n", DT_DIR_, DT_DIR_);
    if (d == D_ROOT)
        n += (size_t)snprintf(t + n, cap - n, "%c self\n%c %d\n%c cpuinfo\n%c meminfo\n%c stat\n",
                              DT_DIR_, DT_DIR_, libos_pid, DT_REG_, DT_REG_, DT_REG_);
    if (d == D_SELF)
        n += (size_t)snprintf(t + n, cap - n, "%c exe\n%c fd\n%c maps\n%c status\n", DT_LNK_,
                              DT_DIR_, DT_REG_, DT_REG_);
    for (int fd = 0; d == D_FD && fd < FD_MAX; fd++)
        if (fd_get_cloexec(fd) >= 0)
            n += (size_t)snprintf(t + n, cap - n, "%c %d\n", DT_LNK_, fd);
    *len = n;
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

static void fill_stat(bool dir, struct pal_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->mode = dir ? S_IFDIR_ | 0555 : S_IFREG_ | 0444;
    st->nlink = 1;
    st->uid = libos_cfg.uid, st->gid = libos_cfg.gid;
    st->blksize = 4096;
}

static long g_fstat(struct file *f, struct pal_stat *st)
{
    fill_stat(f->is_dir, st);
    return 0;
}

/* One linux_dirent64 record per "T name\n" line from the position on. */
static long g_readdir(struct file *f, void *buf, size_t len)
{
    struct gen *g = (struct gen *)f->h;
    size_t used = 0;
    while ((size_t)g->pos < g->len) {
        const char *line = g->text + g->pos, *nl = strchr(line, '\n');
        size_t n = (size_t)(nl - line) - 2, reclen = ALIGN_UP(19 + n + 1, 8);
        if (used + reclen > len)
            break;
        char *d = (char *)buf + used;
        uint64_t ino = 100 + (uint64_t)g->pos;
        int64_t next = g->pos + (int64_t)(nl - line) + 1;
        uint16_t rl = (uint16_t)reclen;
        memset(d, 0, reclen);
        memcpy(d, &ino, 8), memcpy(d + 8, &next, 8), memcpy(d + 16, &rl, 2);
        d[18] = line[0] == DT_DIR_ ? 4 : line[0] == DT_LNK_ ? 10 : 8;
        memcpy(d + 19, line + 2, n);
        used += reclen;
        g->pos = next;
    }
    return used == 0 && (size_t)g->pos < g->len ? -PAL_EINVAL : (long)used;
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

static int open_gen(char *text, size_t len, bool dir, struct file **out)
{
    struct gen *g = calloc(1, sizeof(*g));
    if (!g || !text) {
        free(g), free(text);
        return -PAL_ENOMEM;
    }
    g->text = text, g->len = len;
    *out = file_new(&gen_ops, (pal_handle)g, O_RDONLY);
    if (!*out) {
        g_release(&(struct file){.h = (pal_handle)g});
        return -PAL_ENOMEM;
    }
    (*out)->is_dir = dir;
    return 0;
}

int proc_open(const char *inside, int flags, struct file **out)
{
    struct node n = find(inside);
    size_t len = 0;
    if (n.kind == K_NONE)
        return (flags & O_CREAT) ? -PAL_EACCES : -PAL_ENOENT;
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT))
        return -PAL_EACCES;
    if (n.kind == K_LINK)
        return -PAL_ELOOP; /* resolution followed it unless O_NOFOLLOW */
    if ((flags & O_DIRECTORY) && n.kind != K_DIR)
        return -PAL_ENOTDIR;
    /* Generated first: len is only known once the text exists. */
    char *text = n.kind == K_DIR ? dir_text((enum dir)n.what, &len)
                                 : proc_text((enum proc_text)n.what, &len);
    return open_gen(text, len, n.kind == K_DIR, out);
}

int proc_stat(const char *inside, struct pal_stat *st)
{
    struct node n = find(inside);
    if (n.kind == K_NONE)
        return -PAL_ENOENT;
    fill_stat(n.kind == K_DIR, st);
    if (n.kind == K_LINK)
        st->mode = S_IFLNK_ | 0777;
    return 0;
}

/* The target of .../exe and .../fd/N; -EINVAL for what is not a link. */
long proc_readlink(const char *inside, char *buf, size_t len)
{
    struct node n = find(inside);
    if (n.kind != K_LINK)
        return n.kind == K_NONE ? -PAL_ENOENT : -PAL_EINVAL;
    struct file *f = n.what >= 0 ? fd_get(n.what) : NULL;
    if (n.what >= 0 && !f)
        return -PAL_ENOENT;
    char tmp[64];
    const char *target = f ? f->path : libos_cfg.exec_path;
    if (!target) {
        snprintf(tmp, sizeof(tmp), "%s:[%ld]", f->is_sock ? "socket" : "pipe", (long)f->h);
        target = tmp;
    }
    size_t l = strlen(target);
    l = l < len ? l : len;
    memcpy(buf, target, l);
    if (f)
        file_put(f);
    return (long)l;
}
