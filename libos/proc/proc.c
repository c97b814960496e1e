/* The libOS's /proc. Everything under /proc is answered here, from the
 * libOS's own state (but /proc/net, the host's network files), or is
 * ENOENT: vfs_lookup never sends a /proc path to a mount (so the host's
 * /proc is out of reach even with fs.root = "/").
 *
 *   /proc              dir: self, thread-self, <pid>, cpuinfo, meminfo, stat,
 *                      uptime, loadavg, version, filesystems, mounts, sys, net
 *   /proc/self, /<pid> dir: exe, cwd, root, fd, fdinfo, maps, task, cmdline,
 *                      environ, limits, statm, auxv, oom_score_adj, and the
 *                      files of every process directory:
 *   /proc/<tid>        a thread of the caller: stat, status, comm, mounts,
 *                      mountinfo, cgroup (as task/<tid>)
 *   /proc/<other pid>  another process of the tree (the PAL's process_info):
 *                      the same; ENOENT for ids outside the tree
 *   /proc/self         link to <pid>
 *   /proc/thread-self  link to <pid>/task/<tid> of the calling thread
 *   /proc/mounts       link to self/mounts
 *   .../exe            link to the program;  .../fd/N  link to N's path
 *   .../root           link to /;  .../cwd  link to the working directory
 *   .../fd, .../fdinfo dirs of the open descriptors
 *   /proc/sys/...      proc_sys.c
 *   /proc/net/...      the host's network files (proc_net.c)
 *   the rest: generated text (proc_text.c, proc_info.c, proc_mounts.c);
 *   oom_score_adj is the one file that takes writes. */
#include <linux/fcntl.h>

#include "proc/proc.h"
#include "sys/sys.h"

#define S_IFDIR_ 0040000
#define S_IFREG_ 0100000
#define S_IFLNK_ 0120000
/* Entry types in a listing's text (DT_LNK is 10, a newline: letters
 * stand for the dirent types there). */
#define DT_DIR_ 'd'
#define DT_REG_ 'r'
#define DT_LNK_ 'l'

enum kind { K_NONE, K_DIR, K_FILE, K_LINK };
enum dir { D_ROOT, D_SELF, D_FD, D_OTHER, D_TASK, D_THREAD, D_SYS, D_FDINFO, D_NET };
#define LINK_EXE (-1)
#define LINK_THREAD_SELF (-2)
#define LINK_SELF (-3)
#define LINK_CWD (-4)
#define LINK_ROOT (-5)
#define LINK_MOUNTS (-6)
/* The /proc device number stat(2) gives its files (0:21). */
#define PROC_DEV 21

struct node {
    enum kind kind;
    /* K_FILE: enum proc_text, or the /proc/sys index for D_SYS files;
     * K_DIR: enum dir; K_LINK: fd or LINK_* */
    int what;
    struct proc_who who;
    int sys; /* /proc/sys index, or -1 */
    int fd;  /* PROC_FDINFO: the descriptor */
};

/* A generated file or directory: text, or "T name\n" lines for a dir
 * (T: DT_DIR_, DT_REG_ or DT_LNK_). */
struct gen {
    char *text;
    size_t len;
    int64_t pos;
    bool writable;     /* oom_score_adj: mode 0644 */
    uint64_t ino;      /* of this file */
    uint64_t dir_hash; /* a directory's: its entries' inode numbers hash on from it */
    uint64_t parent_ino;
};

/* Inode numbers: /proc is 1, as on Linux; every other node's is a hash of
 * its path (FNV-1a, continued from the directory's value for an entry), so
 * each path has its own and stat, fstat and getdents agree. find(1) and
 * du take two directories with one (dev, inode) for a loop. */
#define PROC_ROOT_INO 1
#define INO_BASE 0x1000ULL

static uint64_t ino_hash(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
    return h;
}

static uint64_t ino_of_hash(uint64_t h)
{
    return INO_BASE + h % (0x7fffffffffffULL - INO_BASE);
}

static uint64_t path_hash(const char *inside)
{
    return ino_hash(0xcbf29ce484222325ULL, inside);
}

static uint64_t path_ino(const char *inside)
{
    return strcmp(inside, "/proc") ? ino_of_hash(path_hash(inside)) : PROC_ROOT_INO;
}

/* A decimal id at p (up to '/' or the end); -1 if there is none. */
static int parse_id(const char *p, const char **end)
{
    long v = 0;
    const char *c = p;
    for (; *c >= '0' && *c <= '9' && v <= (1L << 30); c++)
        v = v * 10 + (*c - '0');
    *end = c;
    return c == p || (*c && *c != '/') || v > (1L << 30) || p[0] == '0' ? -1 : (int)v;
}

/* The descriptor number in dir followed by "N" ("/fd/N"), or -1. */
static int parse_fd(const char *rest, const char *dir)
{
    int fd = 0;
    size_t n = strlen(dir);
    if (strncmp(rest, dir, n) || !rest[n])
        return -1;
    for (const char *p = rest + n; *p; p++) {
        if (*p < '0' || *p > '9' || fd > FD_MAX)
            return -1;
        fd = fd * 10 + (*p - '0');
    }
    return fd;
}

#define NODE(k, w, who_) ((struct node){(k), (w), (who_), -1, -1})

/* The files of every process and thread directory. */
static struct node info_node(const char *rest, struct proc_who who)
{
    if (!strcmp(rest, "/stat"))
        return NODE(K_FILE, PROC_PID_STAT, who);
    if (!strcmp(rest, "/status"))
        return NODE(K_FILE, PROC_STATUS, who);
    if (!strcmp(rest, "/comm"))
        return NODE(K_FILE, PROC_COMM, who);
    if (!strcmp(rest, "/mounts"))
        return NODE(K_FILE, PROC_MOUNTS, who);
    if (!strcmp(rest, "/mountinfo"))
        return NODE(K_FILE, PROC_MOUNTINFO, who);
    if (!strcmp(rest, "/cgroup"))
        return NODE(K_FILE, PROC_CGROUP, who);
    return NODE(K_NONE, 0, who);
}

/* /proc/<pid>/task/<tid>...: the calling process's own threads. */
static struct node task_node(const char *rest, struct proc_who who)
{
    const char *end;
    if (!rest[0])
        return NODE(K_DIR, D_TASK, who);
    int tid = rest[0] == '/' ? parse_id(rest + 1, &end) : -1;
    if (tid <= 0 || !ns_own_id(tid))
        return NODE(K_NONE, 0, who);
    who.tid = tid;
    return end[0] ? info_node(end, who) : NODE(K_DIR, D_THREAD, who);
}

static struct node self_node(const char *rest, struct proc_who who)
{
    if (!rest[0])
        return NODE(K_DIR, D_SELF, who);
    if (!strcmp(rest, "/exe"))
        return NODE(K_LINK, LINK_EXE, who);
    if (!strcmp(rest, "/fd"))
        return NODE(K_DIR, D_FD, who);
    if (!strcmp(rest, "/maps"))
        return NODE(K_FILE, PROC_MAPS, who);
    if (!strcmp(rest, "/cwd"))
        return NODE(K_LINK, LINK_CWD, who);
    if (!strcmp(rest, "/cmdline"))
        return NODE(K_FILE, PROC_CMDLINE, who);
    if (!strcmp(rest, "/environ"))
        return NODE(K_FILE, PROC_ENVIRON, who);
    if (!strcmp(rest, "/root"))
        return NODE(K_LINK, LINK_ROOT, who);
    if (!strcmp(rest, "/limits"))
        return NODE(K_FILE, PROC_LIMITS, who);
    if (!strcmp(rest, "/statm"))
        return NODE(K_FILE, PROC_STATM, who);
    if (!strcmp(rest, "/auxv"))
        return NODE(K_FILE, PROC_AUXV, who);
    if (!strcmp(rest, "/oom_score_adj"))
        return NODE(K_FILE, PROC_OOM_ADJ, who);
    if (!strcmp(rest, "/fdinfo"))
        return NODE(K_DIR, D_FDINFO, who);
    if (!strncmp(rest, "/task", 5) && (rest[5] == 0 || rest[5] == '/'))
        return task_node(rest + 5, who);
    int fd = parse_fd(rest, "/fd/");
    if (fd >= 0 && fd_get_cloexec(fd) >= 0)
        return NODE(K_LINK, fd, who);
    fd = parse_fd(rest, "/fdinfo/");
    if (fd >= 0 && fd_get_cloexec(fd) >= 0)
        return (struct node){K_FILE, PROC_FDINFO, who, -1, fd};
    return info_node(rest, who);
}

/* /proc/<id>...: the caller, one of its threads (shown as Linux shows
 * /proc/<tid>), or another process of the tree that the PAL knows. */
static struct node pid_node(const char *p)
{
    const char *rest;
    int id = parse_id(p, &rest);
    struct proc_who who = {libos_pid, libos_pid};
    if (id == libos_pid)
        return self_node(rest, who);
    if (id > 0 && ns_own_id(id)) {
        who.tid = id;
        return rest[0] ? info_node(rest, who) : NODE(K_DIR, D_THREAD, who);
    }
    if (id <= 0 || !proc_other_exists(id))
        return NODE(K_NONE, 0, who);
    who = (struct proc_who){id, id};
    return rest[0] ? info_node(rest, who) : NODE(K_DIR, D_OTHER, who);
}

static struct node find(const char *inside)
{
    struct proc_who me = {libos_pid, libos_pid};
    static const struct {
        const char *path;
        enum proc_text what;
    } files[] = {
        {"/proc/cpuinfo", PROC_CPUINFO},
        {"/proc/meminfo", PROC_MEMINFO},
        {"/proc/stat", PROC_STAT},
        {"/proc/uptime", PROC_UPTIME},
        {"/proc/loadavg", PROC_LOADAVG},
        {"/proc/version", PROC_VERSION},
        {"/proc/filesystems", PROC_FILESYSTEMS},
    };
    bool is_dir;
    if (!strcmp(inside, "/proc"))
        return NODE(K_DIR, D_ROOT, me);
    if (!strcmp(inside, "/proc/self"))
        return NODE(K_LINK, LINK_SELF, me);
    /* Resolution replaces the link; the libOS's own callers may not. */
    if (!strncmp(inside, "/proc/self/", 11))
        return self_node(inside + 10, me);
    if (!strcmp(inside, "/proc/thread-self"))
        return NODE(K_LINK, LINK_THREAD_SELF, me);
    if (!strcmp(inside, "/proc/mounts"))
        return NODE(K_LINK, LINK_MOUNTS, me);
    for (size_t i = 0; i < ARRAY_LEN(files); i++)
        if (!strcmp(inside, files[i].path))
            return NODE(K_FILE, files[i].what, me);
    int sys = proc_sys_find(inside, &is_dir);
    if (sys >= 0)
        return (struct node){is_dir ? K_DIR : K_FILE, D_SYS, me, sys, -1};
    int net = proc_net_find(inside, &is_dir); /* its index travels as fd */
    if (net >= 0)
        return (struct node){is_dir ? K_DIR : K_FILE, is_dir ? D_NET : PROC_NET, me, -1, net};
    if (inside[5] == '/' && inside[6] >= '1' && inside[6] <= '9')
        return pid_node(inside + 6);
    return NODE(K_NONE, 0, me);
}

/* The namespace's processes (owner 0) or the process's other threads
 * (owner its pid): pal.h's process_list, or the libOS's own list. */
static long list_ids(pal_handle owner, int32_t *ids, size_t max)
{
    if (owner)
        return ns_thread_ids(ids, max);
    return PAL_HAS(pal, process_list) ? pal->process_list(0, ids, max) : 0;
}

/* The ids of list_ids(owner) as "d <id>" lines after k bytes of t
 * (realloc'ed); mine when there are none. */
static char *id_lines(pal_handle owner, int mine, char *t, size_t k, size_t *len)
{
    int32_t ids[256];
    long n = list_ids(owner, ids, ARRAY_LEN(ids));
    size_t count = n > 0 ? (size_t)n : 0, cap = 512 + 16 * count;
    int32_t *all = count > ARRAY_LEN(ids) ? malloc(count * sizeof(int32_t)) : ids;
    char *grown = realloc(t, cap);
    if (!all || !grown) {
        free(all != ids ? all : NULL), free(grown ? grown : t);
        return NULL;
    }
    t = grown;
    if (all != ids) { /* more than fit at first: ask again; if it grew since, list what fits */
        long again = list_ids(owner, all, count);
        count = again >= 0 && (size_t)again < count ? (size_t)again : count;
    }
    if (!count && mine > 0)
        k += (size_t)snprintf(t + k, cap - k, "%c %d\n", DT_DIR_, mine);
    for (size_t i = 0; i < count; i++)
        k += (size_t)snprintf(t + k, cap - k, "%c %d\n", DT_DIR_, all[i]);
    if (all != ids)
        free(all);
    *len = k;
    return t;
}

/* Directory listings as "T name\n" lines (T: the dirent type). */
static char *dir_text(struct node n, size_t *len)
{
    enum dir d = (enum dir)n.what;
    int open_fds = 0;
    for (int fd = fd_next(0); (d == D_FD || d == D_FDINFO) && fd >= 0; fd = fd_next(fd + 1))
        open_fds++;
    size_t cap = d == D_FD || d == D_FDINFO ? 16 * ((size_t)open_fds + 8) : 1024;
    if (d == D_SYS)
        return proc_sys_text(n.sys, len);
    if (d == D_NET)
        return proc_net_text(n.fd, len);
    char *t = malloc(cap);
    if (!t)
        return NULL;
    size_t k = (size_t)snprintf(t, cap, "%c .\n%c ..\n", DT_DIR_, DT_DIR_);
    if (d == D_ROOT) {
        k += (size_t)snprintf(t + k, cap - k,
                              "%c self\n%c thread-self\n%c mounts\n%c cpuinfo\n%c meminfo\n"
                              "%c stat\n%c uptime\n%c loadavg\n%c version\n%c filesystems\n"
                              "%c sys\n%c net\n",
                              DT_LNK_, DT_LNK_, DT_LNK_, DT_REG_, DT_REG_, DT_REG_, DT_REG_,
                              DT_REG_, DT_REG_, DT_REG_, DT_DIR_, DT_DIR_);
        return id_lines(0, libos_pid, t, k, len);
    }
    if (d == D_SELF)
        k += (size_t)snprintf(t + k, cap - k,
                              "%c exe\n%c cwd\n%c root\n%c fd\n%c fdinfo\n%c maps\n%c task\n"
                              "%c cmdline\n%c environ\n%c limits\n%c statm\n%c auxv\n"
                              "%c oom_score_adj\n",
                              DT_LNK_, DT_LNK_, DT_LNK_, DT_DIR_, DT_DIR_, DT_REG_, DT_DIR_,
                              DT_REG_, DT_REG_, DT_REG_, DT_REG_, DT_REG_, DT_REG_);
    if (d == D_SELF || d == D_OTHER || d == D_THREAD)
        k += (size_t)snprintf(t + k, cap - k,
                              "%c comm\n%c stat\n%c status\n%c mounts\n%c mountinfo\n%c cgroup\n",
                              DT_REG_, DT_REG_, DT_REG_, DT_REG_, DT_REG_, DT_REG_);
    /* The first thread (whose id is the process's: Linux lists it while
     * the process lives), then the others. */
    if (d == D_TASK) {
        k += (size_t)snprintf(t + k, cap - k, "%c %d\n", DT_DIR_, libos_pid);
        return id_lines(libos_pid, 0, t, k, len);
    }
    for (int fd = fd_next(0); (d == D_FD || d == D_FDINFO) && fd >= 0 && k + 16 < cap;
         fd = fd_next(fd + 1))
        k += (size_t)snprintf(t + k, cap - k, "%c %d\n", d == D_FD ? DT_LNK_ : DT_REG_, fd);
    *len = k;
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

static void fill_stat(bool dir, uint64_t ino, struct pal_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->dev = PROC_DEV;
    st->ino = ino;
    st->mode = dir ? S_IFDIR_ | 0555 : S_IFREG_ | 0444;
    st->nlink = 1;
    st->uid = libos_cfg.uid, st->gid = libos_cfg.gid;
    st->blksize = 4096;
}

static long g_fstat(struct file *f, struct pal_stat *st)
{
    fill_stat(f->is_dir, ((struct gen *)f->h)->ino, st);
    if (((struct gen *)f->h)->writable)
        st->mode |= 0200;
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
        char name[256];
        memcpy(name, line + 2, n < sizeof(name) - 1 ? n : sizeof(name) - 1);
        name[n < sizeof(name) - 1 ? n : sizeof(name) - 1] = 0;
        uint64_t ino = !strcmp(name, ".")    ? g->ino
                       : !strcmp(name, "..") ? g->parent_ino
                                             : ino_of_hash(ino_hash(g->dir_hash, name));
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

/* oom_score_adj: each write is one value, wherever the position is. */
static long oom_write(struct file *f, const void *buf, size_t len)
{
    (void)f;
    return proc_oom_write(buf, len);
}

static long oom_pwrite(struct file *f, const void *buf, size_t len, int64_t off)
{
    (void)off;
    return oom_write(f, buf, len);
}

static const struct file_ops oom_ops = {
    .read = g_read,
    .pread = g_pread,
    .write = oom_write,
    .pwrite = oom_pwrite,
    .seek = g_seek,
    .fstat = g_fstat,
    .release = g_release,
};

static bool node_writable(struct node n)
{
    return n.kind == K_FILE && n.sys < 0 && n.what == PROC_OOM_ADJ;
}

static int open_gen(char *text, size_t len, bool dir, bool writable, const char *inside, int flags,
                    struct file **out)
{
    struct gen *g = calloc(1, sizeof(*g));
    if (!g || !text) {
        free(g), free(text);
        return -PAL_ENOMEM;
    }
    g->text = text, g->len = len, g->writable = writable;
    g->ino = path_ino(inside);
    g->dir_hash = ino_hash(path_hash(inside), "/");
    g->parent_ino = PROC_ROOT_INO;
    if (dir && strcmp(inside, "/proc")) {
        char up[PATH_MAX_LEN];
        size_t n = strlen(inside);
        if (n < sizeof(up)) {
            memcpy(up, inside, n + 1);
            *strrchr(up, '/') = 0;
            g->parent_ino = path_ino(up);
        }
    }
    flags &= writable ? ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)
                      : O_NONBLOCK | O_DIRECTORY | O_NOFOLLOW | O_NOATIME;
    *out = file_new(writable ? &oom_ops : &gen_ops, (pal_handle)g, flags);
    if (!*out) {
        g_release(&(struct file){.h = (pal_handle)g});
        return -PAL_ENOMEM;
    }
    (*out)->is_dir = dir;
    return 0;
}

/* The error for a path find() does not know: ENOTDIR when a file stands
 * where a directory is needed (/proc/self/status/x), as Linux says. */
static int missing(const char *inside)
{
    char tmp[PATH_MAX_LEN];
    size_t n = strlen(inside);
    if (n >= sizeof(tmp))
        return -PAL_ENOENT;
    memcpy(tmp, inside, n + 1);
    for (char *slash = strrchr(tmp, '/'); slash && slash > tmp + 5; slash = strrchr(tmp, '/')) {
        *slash = 0;
        struct node up = find(tmp);
        if (up.kind != K_NONE)
            return up.kind == K_FILE ? -PAL_ENOTDIR : -PAL_ENOENT;
    }
    return -PAL_ENOENT;
}

int proc_open(const char *inside, int flags, struct file **out)
{
    struct node n = find(inside);
    size_t len = 0;
    if (n.kind == K_NONE)
        return (flags & O_CREAT) ? -PAL_EACCES : missing(inside);
    if ((flags & O_CREAT) && (flags & O_EXCL))
        return -PAL_EEXIST;
    if ((flags & O_ACCMODE) != O_RDONLY && !node_writable(n))
        return -PAL_EACCES;
    if (n.kind == K_LINK)
        return -PAL_ELOOP; /* resolution followed it unless O_NOFOLLOW */
    if ((flags & O_DIRECTORY) && n.kind != K_DIR)
        return -PAL_ENOTDIR;
    /* Generated first: len is only known once the text exists. */
    char *text = n.kind == K_DIR ? dir_text(n, &len)
                 : n.sys >= 0    ? proc_sys_text(n.sys, &len)
                                 : proc_file_text((enum proc_text)n.what, n.who, n.fd, &len);
    if (!text && n.kind == K_FILE && n.sys < 0 && n.who.pid != libos_pid)
        return -PAL_ESRCH; /* it ended meanwhile, as Linux says for a dead task */
    if (!text && n.kind == K_FILE && n.what == PROC_NET)
        return -PAL_ENOENT; /* the host has no such file (no IPv6: no if_inet6) */
    return open_gen(text, len, n.kind == K_DIR, node_writable(n), inside, flags, out);
}

int proc_stat(const char *inside, struct pal_stat *st)
{
    struct node n = find(inside);
    if (n.kind == K_NONE)
        return missing(inside);
    fill_stat(n.kind == K_DIR, path_ino(inside), st);
    if (n.kind == K_LINK)
        st->mode = S_IFLNK_ | 0777;
    if (node_writable(n))
        st->mode |= 0200;
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
    if (n.what == LINK_THREAD_SELF) { /* relative, as Linux's */
        snprintf(tmp, sizeof(tmp), "%d/task/%d", libos_pid, cur_thread()->tid);
        target = tmp;
    }
    if (n.what == LINK_CWD)
        target = vfs_cwd();
    if (n.what == LINK_ROOT)
        target = "/";
    if (n.what == LINK_MOUNTS) /* relative, as Linux's */
        target = "self/mounts";
    if (n.what == LINK_SELF) {
        snprintf(tmp, sizeof(tmp), "%d", libos_pid);
        target = tmp;
    }
    if (!target && f->anon_name)
        target = f->anon_name;
    if (!target) {
        snprintf(tmp, sizeof(tmp), "%s:[%ld]", f->is_sock ? "socket" : "pipe", (long)f->h);
        target = tmp;
    }
    /* A file whose last name is gone: Linux appends " (deleted)". */
    char deleted[PATH_MAX_LEN + 16];
    struct pal_stat st;
    size_t tl = strlen(target);
    if (f && f->path && (tl < 10 || strcmp(target + tl - 10, " (deleted)")) && f->ops->fstat &&
        f->ops->fstat(f, &st) == 0 && st.nlink == 0) {
        snprintf(deleted, sizeof(deleted), "%s (deleted)", f->path);
        target = deleted;
    }
    size_t l = strlen(target);
    l = l < len ? l : len;
    memcpy(buf, target, l);
    if (f)
        file_put(f);
    return (long)l;
}

static int p_open(const struct vfs_target *t, const char *alias, int flags, uint32_t mode,
                  int pal_flags, struct file **out)
{
    (void)alias, (void)mode, (void)pal_flags;
    return proc_open(t->inside, flags, out);
}

static int p_stat(const struct vfs_target *t, struct pal_stat *st) { return proc_stat(t->inside, st); }

static long p_readlink(const struct vfs_target *t, char *buf, size_t len)
{
    return proc_readlink(t->inside, buf, len);
}

const struct fs_ops proc_fs_ops = {
    .name = "proc", .open = p_open, .stat = p_stat, .readlink = p_readlink};
