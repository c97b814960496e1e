/* libOS unit tier: fs/path.c. path_normalize (the lexical part of path
 * resolution) on a table of cases, and vfs_resolve / vfs_resolve_at on a
 * fake VFS (a small tree with symlinks, a descriptor table and the /proc
 * links that proc.c answers). Every case's expected result is written out;
 * where Linux can say the same, the tree is also built on disk and the
 * host's realpath(3) in a chroot of it must agree (root only: skipped
 * otherwise). Descriptors taken with fd_get must be put back. */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_pal.h"
#include "fs/vfs.h"

/* --- the fake VFS ------------------------------------------------------ */

enum kind { DIR_, FILE_, LINK_ };
struct node {
    const char *path;
    enum kind kind;
    const char *target;
};
static struct node tree[128];
static int ntree;
static char chain_paths[42][16], chain_targets[42][16];

static void add(const char *path, enum kind kind, const char *target)
{
    tree[ntree++] = (struct node){path, kind, target};
}

static void build_tree(void)
{
    add("/a", DIR_, NULL);
    add("/a/b", DIR_, NULL);
    add("/a/b/c", DIR_, NULL);
    add("/a/file", FILE_, NULL);
    add("/data", DIR_, NULL);
    add("/data/d", DIR_, NULL);
    add("/etc", DIR_, NULL);
    add("/etc/passwd", FILE_, NULL);
    add("/a/rel", LINK_, "b");              /* relative: from the link's dir */
    add("/a/abs", LINK_, "/etc");           /* absolute: from the inside root */
    add("/a/up", LINK_, "../data/d");       /* climbs */
    add("/a/dot", LINK_, "./b/c/");         /* dots and a trailing slash */
    add("/a/toroot", LINK_, "../../../.."); /* ".." stops at "/" */
    add("/a/dangling", LINK_, "/a/missing");
    add("/a/tofile", LINK_, "file");
    add("/a/hop", LINK_, "rel/c"); /* a link through a link */
    add("/loop1", LINK_, "/loop2");
    add("/loop2", LINK_, "loop1");
    add("/self", LINK_, "self");
    /* c0 -> c1 -> ... -> c40 -> /etc: from c1, 40 links (Linux's limit);
     * from c0, 41 (ELOOP). */
    for (int i = 0; i <= 40; i++) {
        snprintf(chain_paths[i], sizeof(chain_paths[i]), "/c%d", i);
        if (i < 40)
            snprintf(chain_targets[i], sizeof(chain_targets[i]), "c%d", i + 1);
        else
            snprintf(chain_targets[i], sizeof(chain_targets[i]), "/etc");
        add(chain_paths[i], LINK_, chain_targets[i]);
    }
}

static const struct node *lookup(const char *p)
{
    for (int i = 0; i < ntree; i++)
        if (!strcmp(tree[i].path, p))
            return &tree[i];
    return NULL;
}

/* The fake descriptor table. */
static struct file fds[8];
static bool fd_open[8];
static int gets, puts_;

struct file *fd_get(int fd)
{
    if (fd < 0 || fd >= 8 || !fd_open[fd])
        return NULL;
    gets++;
    fds[fd].refs++;
    return &fds[fd];
}

void file_put(struct file *f)
{
    puts_++;
    f->refs--;
}

/* fs_host.c's: the host says what the file is (here: is_dir as set). */
bool file_is_dir_ask(struct file *f)
{
    f->dir_unknown = false;
    return f->is_dir;
}

static int readlinks;
static char long_target[PATH_MAX_LEN];

/* What fs/ops.c's vfs_readlink answers: proc.c's links under /proc
 * (/proc/self -> "<pid>", /proc/<pid>/fd/N -> the file's path,
 * .../cwd, .../exe), the tree's symlinks, -EINVAL for what is not a link,
 * -ENOENT for what does not exist, -ENOTDIR below a file. */
long vfs_readlink(const char *inside, char *buf, size_t len)
{
    readlinks++;
    const char *target = NULL;
    char tmp[64], pid[16];
    snprintf(pid, sizeof(pid), "/proc/%d", libos_pid);
    size_t pl = strlen(pid);
    if (!strcmp(inside, "/proc")) {
        return -PAL_EINVAL;
    } else if (!strcmp(inside, "/proc/self")) {
        snprintf(tmp, sizeof(tmp), "%d", libos_pid);
        target = tmp;
    } else if (!strncmp(inside, pid, pl) && (!inside[pl] || inside[pl] == '/')) {
        const char *rest = inside + pl;
        if (!*rest || !strcmp(rest, "/fd"))
            return -PAL_EINVAL;
        if (!strcmp(rest, "/cwd"))
            target = vfs_cwd();
        else if (!strcmp(rest, "/exe"))
            target = libos_cfg.exec_path;
        else if (!strncmp(rest, "/fd/", 4)) {
            struct file *f = fd_get(atoi(rest + 4));
            if (!f)
                return -PAL_ENOENT;
            snprintf(tmp, sizeof(tmp), "%s", f->path);
            file_put(f);
            target = tmp;
        } else {
            return -PAL_ENOENT;
        }
    } else if (!strncmp(inside, "/proc/", 6)) {
        return -PAL_ENOENT;
    } else if (!strcmp(inside, "/long")) {
        target = long_target;
    } else if (long_target[0] && !strcmp(inside, long_target)) {
        return -PAL_EINVAL; /* a directory */
    } else {
        const struct node *n = lookup(inside);
        if (!n) {
            /* Below a file: ENOTDIR, as the host would say. */
            char parent[PATH_MAX_LEN];
            snprintf(parent, sizeof(parent), "%s", inside);
            char *slash = strrchr(parent, '/');
            if (slash && slash != parent) {
                *slash = 0;
                const struct node *pn = lookup(parent);
                if (pn && pn->kind == FILE_)
                    return -PAL_ENOTDIR;
            }
            return -PAL_ENOENT;
        }
        if (n->kind != LINK_)
            return -PAL_EINVAL;
        target = n->target;
    }
    size_t l = strlen(target);
    l = l < len ? l : len;
    memcpy(buf, target, l);
    return (long)l;
}

/* What fs/open.c's vfs_stat answers for a resolved path (path.c asks it
 * whether "name/" names a directory): the tree's kind, /proc and the
 * root directories, -ENOENT otherwise. */
int vfs_stat(const char *inside, int nofollow, struct pal_stat *st)
{
    (void)nofollow;
    memset(st, 0, sizeof(*st));
    const struct node *n = lookup(inside);
    if (!strcmp(inside, "/") || !strncmp(inside, "/proc", 5) || (n && n->kind == DIR_))
        st->mode = S_IFDIR | 0755;
    else if (n)
        st->mode = (n->kind == LINK_ ? S_IFLNK : S_IFREG) | 0644;
    else
        return -PAL_ENOENT;
    return 0;
}

/* --- path_normalize ---------------------------------------------------- */

struct norm_case {
    const char *base, *path;
    int err;          /* expected negative errno, or 0 */
    const char *want; /* expected result */
    bool on_disk;     /* the host's realpath can check it (components exist) */
};

static const struct norm_case norm_cases[] = {
    {"/", "/", 0, "/", true},
    {"/", "a", 0, "/a", true},
    {"/a", "b", 0, "/a/b", true},
    {"/a", "b/", 0, "/a/b", true},
    {"/a", "b//c///", 0, "/a/b/c", true},
    {"/a", "./b/./c/.", 0, "/a/b/c", true},
    {"/a/b", "..", 0, "/a", true},
    {"/a/b", "../..", 0, "/", true},
    {"/a/b", "../../..", 0, "/", true},
    {"/a/b", "c/../../b/c", 0, "/a/b/c", true},
    {"/a", "/etc//", 0, "/etc", true},
    {"/a", "/..", 0, "/", true},
    {"/", "//a//b", 0, "/a/b", true},
    {"/", "a/..", 0, "/", true},
    {"/", ".", 0, "/", true},
    {"/a", "..", 0, "/", true},
    {"/", "a/b/c/../../../../a", 0, "/a", true},
    {"/", "...", 0, "/...", false}, /* three dots is a name */
    {"/", "a/.hidden/..x", 0, "/a/.hidden/..x", false},
    {"/", "", -PAL_ENOENT, NULL, false}, /* realpath("") is ENOENT too */
    {"/a", "", -PAL_ENOENT, NULL, false},
};

static char tmpdir[PATH_MAX];
static bool have_chroot;

/* realpath(3) of path inside the on-disk copy of the tree, run in a chroot
 * of it (a child process); errno or 0, result in out. */
static int host_realpath(const char *base, const char *path, char *out, size_t size)
{
    int pfd[2];
    if (pipe(pfd))
        return -EIO;
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        char full[2 * PATH_MAX], res[PATH_MAX];
        if (chroot(tmpdir) || chdir("/"))
            _exit(1);
        bool rel = path[0] && path[0] != '/';
        snprintf(full, sizeof(full), "%s%s%s", rel ? base : "", rel ? "/" : "", path);
        int e = realpath(full, res) ? 0 : errno;
        char msg[PATH_MAX + 16];
        int n = snprintf(msg, sizeof(msg), "%d %s", e, e ? "" : res);
        if (write(pfd[1], msg, (size_t)n) != n)
            _exit(1);
        _exit(0);
    }
    close(pfd[1]);
    char msg[PATH_MAX + 16];
    ssize_t n = read(pfd[0], msg, sizeof(msg) - 1);
    close(pfd[0]);
    int st;
    waitpid(pid, &st, 0);
    if (n <= 0)
        return -EIO;
    msg[n] = 0;
    int e = atoi(msg);
    char *sp = strchr(msg, ' ');
    snprintf(out, size, "%s", sp ? sp + 1 : "");
    return -e;
}

/* The tree on disk; chroot must work for the host comparison. */
static void make_disk_tree(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/geode_pathXXXXXX");
    if (!mkdtemp(tmpdir))
        return;
    char p[2 * PATH_MAX];
    for (int i = 0; i < ntree; i++) {
        snprintf(p, sizeof(p), "%s%s", tmpdir, tree[i].path);
        int r = tree[i].kind == DIR_    ? mkdir(p, 0755)
                : tree[i].kind == FILE_ ? close(open(p, O_CREAT | O_WRONLY, 0644))
                                        : symlink(tree[i].target, p);
        if (r)
            return;
    }
    char out[PATH_MAX];
    have_chroot = host_realpath("/", "/a/rel", out, sizeof(out)) == 0 && !strcmp(out, "/a/b");
}

static void remove_disk_tree(void)
{
    char cmd[PATH_MAX + 16];
    if (tmpdir[0] && strstr(tmpdir, "/tmp/geode_path")) {
        snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
        if (system(cmd) != 0)
            printf("# could not remove %s\n", tmpdir);
    }
}

static void normalize_table(void)
{
    char out[PATH_MAX_LEN], host[PATH_MAX];
    int bad = 0, host_checked = 0;
    for (size_t i = 0; i < ARRAY_LEN(norm_cases); i++) {
        const struct norm_case *c = &norm_cases[i];
        memset(out, 'x', sizeof(out));
        int r = path_normalize(c->base, c->path, out, sizeof(out));
        bool ok = r == c->err && (c->err || !strcmp(out, c->want));
        EXPECT(ok, "path_normalize(\"%s\", \"%s\") = %d \"%s\", want %d \"%s\"", c->base, c->path,
               r, r ? "" : out, c->err, c->want ? c->want : "");
        bad += !ok;
        if (have_chroot && (c->on_disk || c->err)) {
            int hr = host_realpath(c->base, c->path, host, sizeof(host));
            bool same = c->err ? hr == c->err : hr == 0 && !strcmp(host, c->want);
            EXPECT(same,
                   "Linux's realpath of \"%s\" from \"%s\" is %d \"%s\", the table says "
                   "\"%s\"",
                   c->path, c->base, hr, host, c->want ? c->want : "");
            host_checked++;
        }
    }
    CHECK(!bad, "path_normalize: %zu lexical cases", ARRAY_LEN(norm_cases));
    if (have_chroot)
        CHECK(host_checked > 15, "... %d of them as Linux's realpath resolves them", host_checked);
    else
        printf("skip - Linux's realpath comparison needs chroot (root)\n");

    /* Lengths: the path itself, and the result against the buffer. */
    static char big[PATH_MAX_LEN + 8];
    memset(big, 'a', sizeof(big) - 1);
    big[PATH_MAX_LEN] = 0; /* 4096 bytes: PATH_MAX counts the NUL */
    CHECK(path_normalize("/", big, out, sizeof(out)) == -PAL_ENAMETOOLONG,
          "a path of 4096 bytes is ENAMETOOLONG");
    big[PATH_MAX_LEN - 1] = 0; /* 4095: fits in PATH_MAX, result "/" + 4095 does not */
    CHECK(path_normalize("/", big, out, sizeof(out)) == -PAL_ENAMETOOLONG,
          "a result of 4097 bytes is ENAMETOOLONG");
    big[PATH_MAX_LEN - 2] = 0;
    CHECK(path_normalize("/", big, out, sizeof(out)) == 0 && strlen(out) == PATH_MAX_LEN - 1,
          "a result of 4095 bytes fits");
    char small[8];
    CHECK(path_normalize("/a", "bcdefg", small, sizeof(small)) == -PAL_ENAMETOOLONG &&
              path_normalize("/a", "bcd", small, sizeof(small)) == 0 && !strcmp(small, "/a/bcd"),
          "the output buffer's size is respected (\"/a/bcd\" fits 8 bytes, \"/a/bcdefg\" not)");
    /* A long detour that comes back is fine: only the result counts. */
    static char detour[PATH_MAX_LEN];
    size_t n = 0;
    for (int k = 0; k < 300; k++, n += 10)
        memcpy(detour + n, "abcdefgh/.", 10);
    for (int k = 0; k < 300; k++, n += 3)
        memcpy(detour + n, "/..", 3);
    detour[n] = 0;
    CHECK(path_normalize("/a", detour, out, sizeof(out)) == 0 && !strcmp(out, "/a"),
          "\"abcdefgh/.\" x 300 then \"/..\" x 300: back to \"/a\"");
}

/* --- vfs_resolve_at ---------------------------------------------------- */

struct res_case {
    int dirfd;
    const char *path;
    bool follow;
    int err;
    const char *want;
    bool on_disk; /* follow and every component exists: realpath agrees */
};

static const struct res_case res_cases[] = {
    {AT_FDCWD, "/a/b", true, 0, "/a/b", true},
    {AT_FDCWD, "b/c", true, 0, "/a/b/c", true}, /* cwd is /a */
    {AT_FDCWD, "/a/rel", true, 0, "/a/b", true},
    {AT_FDCWD, "/a/rel", false, 0, "/a/rel", false},
    {AT_FDCWD, "/a/rel/", false, 0, "/a/b", false}, /* "dir/" follows */
    {AT_FDCWD, "/a/rel/c", false, 0, "/a/b/c", false},
    {AT_FDCWD, "rel/../file", true, 0, "/a/file", true}, /* ".." after the link's target */
    {AT_FDCWD, "/a/abs/passwd", true, 0, "/etc/passwd", true},
    {AT_FDCWD, "/a/up", true, 0, "/data/d", true},
    {AT_FDCWD, "/a/up/..", true, 0, "/data", true},
    {AT_FDCWD, "/a/dot", true, 0, "/a/b/c", true},
    {AT_FDCWD, "/a/dot/../..", true, 0, "/a", true},
    {AT_FDCWD, "/a/toroot/etc", true, 0, "/etc", true},
    {AT_FDCWD, "/a/hop", true, 0, "/a/b/c", true},
    {AT_FDCWD, "/a/hop", false, 0, "/a/hop", false},
    {AT_FDCWD, "/a/dangling", true, 0, "/a/missing", false}, /* O_CREAT makes the target */
    {AT_FDCWD, "/a/dangling", false, 0, "/a/dangling", false},
    {AT_FDCWD, "/a/dangling/x", true, -PAL_ENOENT, NULL, true},
    {AT_FDCWD, "/a/newfile", true, 0, "/a/newfile", false},
    {AT_FDCWD, "/nope/x", true, -PAL_ENOENT, NULL, true},
    {AT_FDCWD, "/a/file/x", true, -PAL_ENOTDIR, NULL, true},
    {AT_FDCWD, "/a/tofile/x", true, -PAL_ENOTDIR, NULL, true},
    {AT_FDCWD, "/loop1", true, -PAL_ELOOP, NULL, true},
    {AT_FDCWD, "/loop1", false, 0, "/loop1", false},
    {AT_FDCWD, "/loop1/x", false, -PAL_ELOOP, NULL, false},
    {AT_FDCWD, "/self", true, -PAL_ELOOP, NULL, true},
    {AT_FDCWD, "/c1", true, 0, "/etc", true},        /* 40 links */
    {AT_FDCWD, "/c0", true, -PAL_ELOOP, NULL, true}, /* 41 */
    {AT_FDCWD, "/c0", false, 0, "/c0", false},
    {AT_FDCWD, "", true, -PAL_ENOENT, NULL, false},
    {5, "y", true, 0, "/data/d/y", false},
    {5, "../d/./y", true, 0, "/data/d/y", false},
    {5, "x/../y", true, -PAL_ENOENT, NULL, false}, /* x must exist */
    {5, "/etc", true, 0, "/etc", false},
    {5, "..", true, 0, "/data", false},
    {6, "x", true, -PAL_ENOTDIR, NULL, false}, /* a file */
    {6, "/etc", true, 0, "/etc", false},       /* absolute: dirfd unused */
    {7, "x", true, -PAL_EBADF, NULL, false},   /* not open */
    {7, "/etc", true, 0, "/etc", false},
    {-5, "x", true, -PAL_EBADF, NULL, false},
    {AT_FDCWD, "/proc/self/fd/5/x", true, 0, "/data/d/x", false},
    {AT_FDCWD, "/proc/self/fd/5", true, 0, "/data/d", false},
    {AT_FDCWD, "/proc/self/fd/5", false, 0, "/proc/42/fd/5", false},
    {AT_FDCWD, "/proc/self/fd/7", true, 0, "/proc/42/fd/7", false}, /* not open: last, missing */
    {AT_FDCWD, "/proc/self/fd/7/x", true, -PAL_ENOENT, NULL, false},
    {AT_FDCWD, "/proc/self/cwd/rel", true, 0, "/a/b", false},
    {AT_FDCWD, "/proc/self/exe", true, 0, "/a/b/prog", false},
    {AT_FDCWD, "/proc/42/exe", false, 0, "/proc/42/exe", false},
    {AT_FDCWD, "/proc/self", false, 0, "/proc/self", false},
    {AT_FDCWD, "/proc/self/", false, 0, "/proc/42", false},
};

static void resolve_table(void)
{
    char out[PATH_MAX_LEN], host[PATH_MAX];
    int bad = 0, host_checked = 0;
    for (size_t i = 0; i < ARRAY_LEN(res_cases); i++) {
        const struct res_case *c = &res_cases[i];
        int r = vfs_resolve_at(c->dirfd, c->path, c->follow, out, sizeof(out));
        bool ok = r == c->err && (c->err || !strcmp(out, c->want));
        EXPECT(ok, "vfs_resolve_at(%d, \"%s\", follow %d) = %d \"%s\", want %d \"%s\"", c->dirfd,
               c->path, c->follow, r, r ? "" : out, c->err, c->want ? c->want : "");
        bad += !ok;
        if (have_chroot && c->on_disk) {
            int hr = host_realpath("/a", c->path, host, sizeof(host));
            bool same = c->err ? hr == c->err : hr == 0 && !strcmp(host, c->want);
            EXPECT(same, "Linux's realpath of \"%s\" is %d \"%s\", the table says %d \"%s\"",
                   c->path, hr, host, c->err, c->want ? c->want : "");
            host_checked++;
        }
    }
    CHECK(!bad,
          "vfs_resolve_at: %zu cases (symlinks relative, absolute, chained, dangling, "
          "loops, dirfds, /proc links)",
          ARRAY_LEN(res_cases));
    if (have_chroot)
        CHECK(host_checked > 15, "... %d of them as Linux's realpath resolves them", host_checked);
    else
        printf("skip - Linux's realpath comparison needs chroot (root)\n");
    CHECK(gets == puts_, "every fd_get is put back (%d gets, %d puts)", gets, puts_);
    CHECK(vfs_resolve(AT_FDCWD, "rel", out, sizeof(out)) == 0 && !strcmp(out, "/a/b"),
          "vfs_resolve follows the last link");
    CHECK(vfs_resolve_at(AT_FDCWD, NULL, true, out, sizeof(out)) == -PAL_EFAULT,
          "a NULL path is EFAULT");

    /* ENAMETOOLONG: the path, and a link whose target makes the rest too
     * long; the output buffer. */
    static char big[PATH_MAX_LEN + 8];
    memset(big, 'a', sizeof(big));
    big[0] = '/';
    big[PATH_MAX_LEN] = 0;
    CHECK(vfs_resolve(AT_FDCWD, big, out, sizeof(out)) == -PAL_ENAMETOOLONG,
          "a path of 4096 bytes is ENAMETOOLONG");
    memset(long_target, 'b', 3000);
    long_target[0] = '/';
    long_target[3000] = 0;
    memcpy(big, "/long/", 6);
    big[2000] = 0;
    CHECK(vfs_resolve(AT_FDCWD, big, out, sizeof(out)) == -PAL_ENAMETOOLONG,
          "a 3000-byte link target spliced before 1994 more bytes is ENAMETOOLONG");
    big[500] = 0;
    CHECK(vfs_resolve(AT_FDCWD, big, out, sizeof(out)) == 0 && strlen(out) == 3000 + 1 + 494,
          "... before 494 more bytes it resolves (3495 bytes)");
    char small[7];
    CHECK(vfs_resolve(AT_FDCWD, "/a/rel/cc", small, sizeof(small)) == -PAL_ENAMETOOLONG &&
              vfs_resolve(AT_FDCWD, "/a/rel/c", small, sizeof(small)) == 0 &&
              !strcmp(small, "/a/b/c"),
          "the output buffer's size is respected");
    int before = readlinks;
    vfs_resolve(AT_FDCWD, "/c0", out, sizeof(out));
    CHECK(readlinks - before <= 42, "ELOOP after %d readlinks (Linux: 40 links)",
          readlinks - before);
    CHECK(vfs_set_cwd("/data/d") == 0 && !strcmp(vfs_cwd(), "/data/d") &&
              vfs_resolve(AT_FDCWD, "../../a", out, sizeof(out)) == 0 && !strcmp(out, "/a"),
          "vfs_set_cwd: relative paths start there");
    CHECK(vfs_set_cwd(big) == 0 && vfs_set_cwd(long_target) == 0, "a long cwd is kept");
    memset(big, 'c', PATH_MAX_LEN);
    big[PATH_MAX_LEN] = 0;
    CHECK(vfs_set_cwd(big) == -PAL_ENAMETOOLONG && !strcmp(vfs_cwd(), long_target),
          "a cwd of 4096 bytes is ENAMETOOLONG and changes nothing");
}

int main(void)
{
    fake_pal_init();
    build_tree();
    libos_pid = 42;
    libos_cfg.exec_path = "/a/b/prog";
    fds[5] = (struct file){.refs = 1, .is_dir = true, .path = "/data/d"};
    /* A host file opened without asking the host whether it is a directory. */
    fds[6] = (struct file){.refs = 1, .path = "/a/file", .dir_unknown = true};
    fd_open[5] = fd_open[6] = true;
    vfs_set_cwd("/a");
    make_disk_tree();
    normalize_table();
    resolve_table();
    remove_disk_tree();
    return fake_done();
}
