/* libOS unit tier: the VFS over several mounts. fs/mount.c (the mount
 * table from a manifest, longest-prefix lookup, host paths), fs/path.c
 * (resolution: "..", symlinks across mounts), fs/ops.c and fs/open.c (path
 * operations dispatched to the mount) and fs/tmpfs.c (files in libOS
 * memory) are the real files; chroot mounts reach a fake host tree (a
 * table of host paths, symlinks among them) through a fake host_fs_ops.
 * Errnos are Linux's (open(2), mkdir(2), rename(2), unlink(2)). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "fake_pal.h"
#include "fs/tmpfs.h"
#include "fs/vfs.h"

/* --- fakes for what the files under test call ---------------------------- */

uint32_t creds_fsuid(void)
{
    return 1000;
}
uint32_t creds_fsgid(void)
{
    return 1000;
}
long creds_may_access(uint32_t uid, uint32_t gid, uint32_t mode, int want)
{
    (void)uid, (void)gid;
    /* the owner's bits: what the kernel checks for uid 1000 owning the file */
    return ((mode >> 6) & (uint32_t)want) == (uint32_t)want ? 0 : -PAL_EACCES;
}
long creds_may_chown(uint32_t ou, uint32_t og, uint32_t uid, uint32_t gid)
{
    (void)ou, (void)og, (void)uid, (void)gid;
    return 0;
}
bool dev_attestation_owns(const char *inside)
{
    return !strncmp(inside, "/dev/attestation", 16);
}
static int fake_dev_stat(const struct vfs_target *t, struct pal_stat *st)
{
    return dev_stat(t->inside, st);
}
int dev_stat(const char *inside, struct pal_stat *st)
{
    if (strcmp(inside, "/dev/null"))
        return -PAL_ENOENT;
    *st = (struct pal_stat){.mode = 0020666, .nlink = 1};
    return 0;
}
const struct fs_ops dev_fs_ops = {.name = "dev", .stat = fake_dev_stat};
static int fake_proc_stat(const struct vfs_target *t, struct pal_stat *st)
{
    (void)t;
    *st = (struct pal_stat){.mode = 0040555, .nlink = 2};
    return 0;
}
static const struct fs_ops proc_fs_ops = {.name = "proc", .stat = fake_proc_stat};
const struct fs_ops encrypted_fs_ops = {.name = "encrypted"};
void *encrypted_new(const char *key_name)
{
    (void)key_name;
    return NULL;
}
long fs_key_set(const char *name, const uint8_t key[16])
{
    (void)name, (void)key;
    return 0;
}
int trusted_init(const Geode__Manifest *m)
{
    (void)m;
    return 0;
}
int fd_init_stdio(void)
{
    return 0;
}
/* fs_host.c's: these files' types are known at open (dir_unknown unset). */
bool file_is_dir_ask(struct file *f)
{
    f->dir_unknown = false;
    return f->is_dir;
}

/* The fake host: directories, files and symlinks by host path. */
struct hnode {
    const char *path, *link; /* link: a symlink's target */
    bool dir;
};
static const struct hnode host_tree[] = {
    {"/srv/root", NULL, true},
    {"/srv/root/etc", NULL, true},
    {"/srv/root/etc/hosts", NULL, false},
    {"/srv/h", NULL, true},
    {"/srv/h/f", NULL, false},
    {"/srv/h/abs", "/data/inner", false}, /* absolute: from the inside root */
    {"/srv/h/rel", "../data", false},     /* relative: from /host */
    {"/srv/h/loop", "loop", false},
    {"/srv/one", NULL, false}, /* a mounted file */
};
static const struct hnode *host_find(const char *host)
{
    for (size_t i = 0; i < sizeof(host_tree) / sizeof(host_tree[0]); i++)
        if (!strcmp(host_tree[i].path, host))
            return &host_tree[i];
    return NULL;
}
static int host_stat(const struct vfs_target *t, struct pal_stat *st)
{
    const struct hnode *n = host_find(t->host);
    if (!n)
        return -PAL_ENOENT;
    *st = (struct pal_stat){.mode = n->link ? 0120777 : n->dir ? 0040755 : 0100644, .nlink = 1};
    return 0;
}
static long host_readlink(const struct vfs_target *t, char *buf, size_t len)
{
    const struct hnode *n = host_find(t->host);
    if (!n)
        return -PAL_ENOENT;
    if (!n->link)
        return -PAL_EINVAL;
    size_t l = strlen(n->link) < len ? strlen(n->link) : len;
    memcpy(buf, n->link, l);
    return (long)l;
}
static int host_mkdir(const struct vfs_target *t, uint32_t mode)
{
    (void)t, (void)mode;
    return -PAL_EROFS;
}
/* pal->stat on the fake host (vfs_stat_at's fast path): with
 * PAL_STAT_NOSYMLINKS, -ELOOP for a symlink before the last component. */
static long fake_host_stat(const char *path, int flags, struct pal_stat *st)
{
    char prefix[PATH_MAX_LEN];
    for (const char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
        snprintf(prefix, sizeof(prefix), "%.*s", (int)(s - path), path);
        const struct hnode *n = host_find(prefix);
        if (n && n->link && (flags & PAL_STAT_NOSYMLINKS))
            return -PAL_ELOOP;
    }
    const struct hnode *n = host_find(path);
    if (!n)
        return -PAL_ENOENT;
    if (n->link && !(flags & 1))
        return -PAL_ENOSYS; /* a final symlink to follow: the libOS walks */
    *st = (struct pal_stat){.mode = n->link ? 0120777 : n->dir ? 0040755 : 0100644, .nlink = 1};
    return 0;
}
static struct pal_api host_pal;

const struct fs_ops host_fs_ops = {
    .name = "host", .stat = host_stat, .readlink = host_readlink, .mkdir = host_mkdir};
const struct file_ops host_file_ops;

/* --- the manifest ---------------------------------------------------------- */

static Geode__Mount m_root = {.type = GEODE__MOUNT_TYPE__MOUNT_CHROOT, .uri = "file:/srv/root"};
static Geode__Mount m_data = {.type = GEODE__MOUNT_TYPE__MOUNT_TMPFS, .path = "/data"};
static Geode__Mount m_inner = {.type = GEODE__MOUNT_TYPE__MOUNT_TMPFS, .path = "/data/inner/"};
static Geode__Mount m_host = {
    .type = GEODE__MOUNT_TYPE__MOUNT_CHROOT, .path = "/host", .uri = "file:/srv/h/"};
static Geode__Mount m_one = {
    .type = GEODE__MOUNT_TYPE__MOUNT_CHROOT, .path = "/usr/bin/one", .uri = "file:/srv/one"};
static Geode__Mount *mounts[] = {&m_data, &m_inner, &m_host, &m_one};

static void init_vfs(void)
{
    Geode__Manifest m = {0};
    m.root = &m_root;
    m.mounts = mounts;
    m.n_mounts = sizeof(mounts) / sizeof(mounts[0]);
    m.start_dir = "/data";
    CHECK(vfs_init(&m) == 0, "vfs_init: a chroot root, two nested tmpfs, a host dir, a file");
    CHECK(!strcmp(vfs_cwd(), "/data"), "the start directory is the cwd (%s)", vfs_cwd());
}

/* --- mount lookup ---------------------------------------------------------- */

static const struct fs_ops *ops_of(const char *inside, char *host)
{
    struct vfs_target t;
    if (vfs_lookup(inside, &t) < 0)
        return NULL;
    strcpy(host, t.host);
    return t.ops;
}

static void lookup(void)
{
    char host[PATH_MAX_LEN];
    struct vfs_target t, u;
    CHECK(ops_of("/etc/hosts", host) == &host_fs_ops && !strcmp(host, "/srv/root/etc/hosts"),
          "/etc/hosts: the chroot root, host %s", host);
    CHECK(ops_of("/", host) == &host_fs_ops && !strcmp(host, "/srv/root/"), "/: host %s", host);
    CHECK(ops_of("/data", host) == &tmpfs_fs_ops && !host[0], "/data: the tmpfs");
    CHECK(ops_of("/database", host) == &host_fs_ops && !strcmp(host, "/srv/root/database"),
          "/database: not under /data (a prefix of the name is not a parent)");
    CHECK(vfs_lookup("/data/x", &t) == 0 && vfs_lookup("/data/inner/x", &u) == 0 &&
              t.ops == &tmpfs_fs_ops && u.ops == &tmpfs_fs_ops && t.fs != u.fs,
          "/data/inner (longest prefix, given with a trailing slash) is its own tmpfs");
    CHECK(vfs_lookup("/data/inner", &t) == 0 && t.mount_root && !strcmp(t.rest, "/"),
          "the mount point itself: the mount's root");
    CHECK(vfs_lookup("/data/innerx", &t) == 0 && !strcmp(t.rest, "/innerx") && t.fs != u.fs,
          "/data/innerx is in /data's tmpfs");
    CHECK(ops_of("/host/f", host) == &host_fs_ops && !strcmp(host, "/srv/h/f"),
          "/host/f: host %s (the URI's trailing slash dropped)", host);
    CHECK(ops_of("/usr/bin/one", host) == &host_fs_ops && !strcmp(host, "/srv/one"),
          "a mounted file: host %s, no trailing slash", host);
    CHECK(vfs_lookup("/proc/self/maps", &t) == -PAL_ENOENT, "/proc never reaches a mount");
    CHECK(vfs_lookup("/dev/attestation/quote", &t) == -PAL_ENOENT,
          "/dev/attestation never reaches a mount");
    CHECK(vfs_lookup_any("/proc/1", &t) == -PAL_ENOENT,
          "lookup_any: /proc before its operations are set: ENOENT, not the root mount's");
    vfs_set_proc_ops(&proc_fs_ops);
    CHECK(vfs_lookup_any("/proc/1", &t) == 0 && t.ops == &proc_fs_ops, "lookup_any: /proc");
    CHECK(vfs_lookup_any("/proc", &t) == 0 && t.ops == &proc_fs_ops &&
              vfs_lookup_any("/processes", &t) == 0 && t.ops == &host_fs_ops,
          "lookup_any: /proc itself is /proc's, /processes the root mount's");
    CHECK(vfs_lookup_any("/dev/null", &t) == 0 && t.ops == &dev_fs_ops, "lookup_any: /dev/null");
    CHECK(vfs_lookup_any("/dev/nope", &t) == 0 && t.ops == &host_fs_ops,
          "lookup_any: another /dev path is the mount's");
    CHECK(vfs_mount_ancestor("/usr") && vfs_mount_ancestor("/usr/bin") &&
              vfs_mount_ancestor("/dev"),
          "/usr, /usr/bin (above /usr/bin/one) and /dev are directories in any case");
    CHECK(!vfs_mount_ancestor("/usr/bin/one") && !vfs_mount_ancestor("/us") &&
              !vfs_mount_ancestor("/"),
          "a mount point itself, a name prefix and / are not mount ancestors");
    char inside[PATH_MAX_LEN];
    CHECK(vfs_inside_path("/srv/h/f", inside, sizeof(inside)) == 0 && !strcmp(inside, "/host/f"),
          "host /srv/h/f is reached as %s", inside);
    CHECK(vfs_inside_path("/srv/root/etc", inside, sizeof(inside)) == 0 && !strcmp(inside, "/etc"),
          "host /srv/root/etc is reached as %s", inside);
    CHECK(vfs_inside_path("/srv/other", inside, sizeof(inside)) == -PAL_ENOENT,
          "a host path outside every mount: ENOENT");
    CHECK(vfs_host_path("/data/x", host, sizeof(host)) == -PAL_EOPNOTSUPP,
          "a tmpfs path has no host path");
    CHECK(vfs_host_path("/host/f", host, 4) == -PAL_ENAMETOOLONG, "host path: ENAMETOOLONG");
}

/* --- resolution across mounts ---------------------------------------------- */

static void expect_resolve(const char *path, bool follow, int err, const char *want)
{
    char out[PATH_MAX_LEN] = "";
    int r = vfs_resolve_at(AT_FDCWD, path, follow, out, sizeof(out));
    if (err)
        CHECK(r == err, "resolve %s: %d (want %d)", path, r, err);
    else
        CHECK(r == 0 && !strcmp(out, want), "resolve %s -> %s (want %s, r %d)", path, out, want, r);
}

static void resolution(void)
{
    expect_resolve("inner/../x", true, 0, "/data/x");
    expect_resolve("/data/inner/..", true, 0, "/data");
    expect_resolve("/data/inner/../../etc/hosts", true, 0, "/etc/hosts");
    expect_resolve("../../../../etc", true, 0, "/etc"); /* ".." stops at the root */
    char out[PATH_MAX_LEN], host[PATH_MAX_LEN];
    CHECK(vfs_resolve(AT_FDCWD, "/../../etc/hosts", out, sizeof(out)) == 0 &&
              vfs_host_path(out, host, sizeof(host)) == 0 && !strcmp(host, "/srv/root/etc/hosts"),
          "the chroot: /../../etc/hosts is %s on the host, inside the root's directory", host);
    expect_resolve("/host/abs/f", true, 0, "/data/inner/f");
    expect_resolve("/host/rel/inner", true, 0, "/data/inner");
    expect_resolve("/host/abs", false, 0, "/host/abs");
    expect_resolve("/host/abs/", false, 0, "/data/inner"); /* a trailing slash follows */
    expect_resolve("/host/loop", true, -PAL_ELOOP, NULL);
    expect_resolve("/host/missing/x", true, -PAL_ENOENT, NULL);
    expect_resolve("/host/missing", true, 0, "/host/missing"); /* O_CREAT, mkdir */
    expect_resolve("", true, -PAL_ENOENT, NULL);
    CHECK(vfs_set_cwd("/data/inner") == 0, "chdir /data/inner");
    expect_resolve("..", true, 0, "/data");
    expect_resolve("../..", true, 0, "/");
    expect_resolve("./y", true, 0, "/data/inner/y");
    vfs_set_cwd("/data");

    struct pal_stat st;
    CHECK(vfs_stat_at(AT_FDCWD, "/host/abs", true, &st) == 0 && (st.mode & 0170000) == 0040000,
          "stat follows /host/abs into the inner tmpfs's root (a directory)");
    CHECK(vfs_stat_at(AT_FDCWD, "/host/abs", false, &st) == 0 && (st.mode & 0170000) == 0120000,
          "lstat of /host/abs: the symlink");
}

/* --- tmpfs through the VFS ------------------------------------------------- */

static int open_path(const char *path, int flags, struct file **f)
{
    return vfs_open_at(AT_FDCWD, path, flags, 0644, f);
}

static long write_str(struct file *f, const char *s)
{
    return f->ops->write(f, s, strlen(s));
}

/* The names getdents64 records hold, sorted, joined with spaces. */
static void dir_names(struct file *d, char *out, size_t size)
{
    char buf[256], *names[32];
    int n = 0;
    long got;
    while ((got = d->ops->readdir(d, buf, sizeof(buf))) > 0)
        for (long off = 0; off < got && n < 32;) {
            uint16_t reclen;
            memcpy(&reclen, buf + off + 16, 2);
            names[n++] = strdup(buf + off + 19);
            off += reclen;
        }
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (strcmp(names[i], names[j]) > 0) {
                char *t = names[i];
                names[i] = names[j], names[j] = t;
            }
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "", names[i]);
        free(names[i]);
    }
}

static void tmpfs_files(void)
{
    struct file *f, *g;
    struct pal_stat st;
    char buf[64];
    CHECK(open_path("/data/a", O_RDWR, &f) == -PAL_ENOENT, "open without O_CREAT: ENOENT");
    CHECK(open_path("/data/a", O_RDWR | O_CREAT, &f) == 0, "create /data/a");
    CHECK(f->path && !strcmp(f->path, "/data/a"), "the open file knows its inside path");
    CHECK(write_str(f, "hello world") == 11, "write 11 bytes");
    CHECK(f->ops->fstat(f, &st) == 0 && st.size == 11 && (st.mode & 0777) == 0644 &&
              (st.mode & 0170000) == 0100000 && st.uid == 1000 && st.nlink == 1,
          "fstat: size 11, a regular file 0644 of uid 1000");
    CHECK(f->ops->seek(f, 0, 0) == 0 && f->ops->read(f, buf, sizeof(buf)) == 11 &&
              !memcmp(buf, "hello world", 11),
          "read it back");
    CHECK(f->ops->read(f, buf, sizeof(buf)) == 0, "read at the end: 0");
    CHECK(f->ops->seek(f, -1, 0) == -PAL_EINVAL, "lseek before the start: EINVAL");
    CHECK(f->ops->truncate(f, 5) == 0 && f->ops->fstat(f, &st) == 0 && st.size == 5,
          "ftruncate to 5");
    CHECK(f->ops->truncate(f, 8) == 0 && f->ops->pread(f, buf, 8, 0) == 8 &&
              !memcmp(buf, "hello\0\0\0", 8),
          "ftruncate up to 8: the new bytes read as zeros");
    CHECK(f->ops->pwrite(f, "!", 1, 12) == 1 && f->ops->pread(f, buf, 16, 0) == 13 &&
              !memcmp(buf, "hello\0\0\0\0\0\0\0!", 13),
          "pwrite past the end: the hole reads as zeros");
    file_put(f);

    CHECK(open_path("/data/a", O_RDWR | O_CREAT | O_EXCL, &f) == -PAL_EEXIST,
          "O_CREAT|O_EXCL of an existing file: EEXIST");
    CHECK(open_path("/data/a", O_RDWR | O_TRUNC, &f) == 0 && f->ops->fstat(f, &st) == 0 &&
              st.size == 0,
          "O_TRUNC: size 0");
    CHECK(f->ops->pwrite(f, "Z", 1, 6) == 1 && f->ops->pread(f, buf, 16, 0) == 7 &&
              !memcmp(buf, "\0\0\0\0\0\0Z", 7),
          "after O_TRUNC the old bytes are gone (a write past the end reads zeros before it)");
    file_put(f);
    CHECK(open_path("/data/a", O_WRONLY | O_APPEND, &f) == 0 && write_str(f, "yz") == 2 &&
              f->ops->fstat(f, &st) == 0 && st.size == 9,
          "O_APPEND writes at the end");
    file_put(f);

    CHECK(vfs_mkdir("/data/d", 0755) == 0, "mkdir /data/d");
    CHECK(vfs_mkdir("/data/d", 0755) == -PAL_EEXIST, "mkdir again: EEXIST");
    CHECK(vfs_mkdir("/data/a", 0755) == -PAL_EEXIST, "mkdir over a file: EEXIST");
    CHECK(vfs_mkdir("/data/none/d", 0755) == -PAL_ENOENT, "mkdir under a missing dir: ENOENT");
    CHECK(vfs_mkdir("/data/a/d", 0755) == -PAL_ENOTDIR, "mkdir under a file: ENOTDIR");
    CHECK(open_path("/data/a/x", O_RDONLY, &f) == -PAL_ENOTDIR, "open a/x: ENOTDIR");
    CHECK(open_path("/data/d", O_WRONLY, &f) == -PAL_EISDIR,
          "open a directory for writing: EISDIR");
    CHECK(open_path("/data/d", O_RDONLY | O_CREAT, &f) == -PAL_EISDIR,
          "O_CREAT on an existing directory: EISDIR");
    CHECK(open_path("/data/a", O_RDONLY | O_DIRECTORY, &f) == -PAL_ENOTDIR,
          "O_DIRECTORY on a file: ENOTDIR");
    CHECK(open_path("/data/d/f1", O_WRONLY | O_CREAT, &f) == 0, "create d/f1");
    CHECK(write_str(f, "123") == 3, "write d/f1");
    file_put(f);
    CHECK(open_path("/data/d/f2", O_WRONLY | O_CREAT, &f) == 0, "create d/f2");
    file_put(f);
    CHECK(vfs_mkdir("/data/d/sub", 0700) == 0, "mkdir d/sub");

    char names[256];
    CHECK(open_path("/data/d", O_RDONLY | O_DIRECTORY, &f) == 0 && f->is_dir, "open the directory");
    dir_names(f, names, sizeof(names));
    CHECK(!strcmp(names, ". .. f1 f2 sub"), "readdir: %s", names);
    file_put(f);
    CHECK(vfs_stat("/data/d", 0, &st) == 0 && (st.mode & 0170000) == 0040000 &&
              (st.mode & 07777) == 0755,
          "stat of the directory: 040755");

    CHECK(vfs_unlink("/data/d", 1) == -PAL_ENOTEMPTY, "rmdir of a non-empty dir: ENOTEMPTY");
    CHECK(vfs_unlink("/data/d", 0) == -PAL_EISDIR, "unlink of a dir: EISDIR");
    CHECK(vfs_unlink("/data/d/f1", 1) == -PAL_ENOTDIR, "rmdir of a file: ENOTDIR");
    CHECK(vfs_unlink("/data/d/none", 0) == -PAL_ENOENT, "unlink of a missing name: ENOENT");
    CHECK(vfs_unlink("/data/inner", 1) == -PAL_EBUSY, "rmdir of a mount point: EBUSY");

    CHECK(open_path("/data/d/f1", O_RDONLY, &g) == 0, "open d/f1");
    CHECK(vfs_unlink("/data/d/f1", 0) == 0, "unlink d/f1 while open");
    CHECK(vfs_stat("/data/d/f1", 0, &st) == -PAL_ENOENT, "the name is gone");
    CHECK(g->ops->read(g, buf, sizeof(buf)) == 3 && !memcmp(buf, "123", 3),
          "the open file still reads its data");
    file_put(g);

    CHECK(vfs_rename("/data/d/f2", "/data/d/f3") == 0 && vfs_stat("/data/d/f3", 0, &st) == 0 &&
              vfs_stat("/data/d/f2", 0, &st) == -PAL_ENOENT,
          "rename f2 -> f3");
    CHECK(vfs_rename("/data/d/none", "/data/d/x") == -PAL_ENOENT,
          "rename of a missing name: ENOENT");
    CHECK(vfs_rename("/data/d", "/data/d/sub/x") == -PAL_EINVAL,
          "rename of a dir into itself: EINVAL");
    CHECK(vfs_rename("/data/d/f3", "/data/d/sub") == -PAL_EISDIR,
          "rename of a file over a dir: EISDIR");
    CHECK(vfs_rename("/data/d/sub", "/data/d/f3") == -PAL_ENOTDIR,
          "rename of a dir over a file: ENOTDIR");
    CHECK(vfs_mkdir("/data/e", 0755) == 0 && vfs_rename("/data/e", "/data/d") == -PAL_ENOTEMPTY,
          "rename of a dir over a non-empty dir: ENOTEMPTY");
    CHECK(vfs_rename("/data/d/sub", "/data/e") == 0 && vfs_stat("/data/e", 0, &st) == 0 &&
              (st.mode & 07777) == 0700,
          "rename of a dir over an empty dir replaces it");
    CHECK(vfs_rename("/data/a", "/data/d/f3") == 0 && vfs_stat("/data/d/f3", 0, &st) == 0 &&
              st.size == 9,
          "rename over an existing file replaces it");
    CHECK(vfs_rename("/data/d/f3", "/data/inner/f3") == -PAL_EXDEV,
          "rename across two tmpfs mounts: EXDEV");
    CHECK(vfs_rename("/data/d/f3", "/host/f3") == -PAL_EXDEV, "rename to a host mount: EXDEV");
    CHECK(vfs_mkdir("/host/newdir", 0755) == -PAL_EROFS, "mkdir on the host mount: its error");

    CHECK(open_path("/data/inner/f", O_RDWR | O_CREAT, &f) == 0, "create /data/inner/f");
    file_put(f);
    CHECK(vfs_stat("/data/inner/f", 0, &st) == 0 &&
              vfs_stat_at(AT_FDCWD, "/host/abs/f", true, &st) == 0,
          "the inner tmpfs's file, also through the host symlink /host/abs");
    CHECK(open_path("/data/d", O_RDONLY, &f) == 0 &&
              vfs_resolve_at(fd_install(f, 0, false), "../inner/f", true, buf, sizeof(buf)) == 0 &&
              !strcmp(buf, "/data/inner/f"),
          "resolve relative to an open directory (%s)", buf);
    CHECK(fd_close(0) == 0, "close it");
    CHECK(vfs_unlink("/data/d/f3", 0) == 0 && vfs_unlink("/data/d", 1) == 0 &&
              vfs_unlink("/data/e", 1) == 0 && vfs_unlink("/data/inner/f", 0) == 0,
          "clean up: the tree is empty again");
}

/* Sizes and errnos of tmpfs itself (no mount): names up to NAME_MAX,
 * readdir into a small buffer, statfs counts. */
static void tmpfs_alone(void)
{
    struct tmpfs *fs = tmpfs_new();
    char name[300], buf[64];
    struct file *f;
    struct pal_statfs sf;
    memset(name, 'n', sizeof(name));
    name[0] = '/', name[257] = 0; /* 256 characters after the slash */
    CHECK(tmpfs_open(fs, name, O_CREAT | O_RDWR, 0600, &f) == -PAL_ENAMETOOLONG,
          "a 256-character name: ENAMETOOLONG");
    name[256] = 0;
    CHECK(tmpfs_open(fs, name, O_CREAT | O_RDWR, 0600, &f) == 0, "a 255-character name");
    CHECK(f->ops->pwrite(f, "x", 1, 10000) == 1, "a write at 10000");
    tmpfs_statfs(fs, &sf);
    CHECK(sf.type == 0x01021994 && sf.namelen == 255 && sf.files - sf.ffree == 2,
          "statfs: TMPFS_MAGIC, namelen 255, two inodes (the root, the file)");
    CHECK(sf.blocks - sf.bfree == 3, "statfs: three pages in use (%lu)",
          (unsigned long)(sf.blocks - sf.bfree));
    file_put(f);
    CHECK(tmpfs_open(fs, "/", O_RDONLY, 0, &f) == 0, "open the root");
    CHECK(f->ops->readdir(f, buf, 20) == -PAL_EINVAL, "readdir into 20 bytes: EINVAL");
    CHECK(f->ops->read(f, buf, 1) == -PAL_EISDIR, "read of a directory: EISDIR");
    file_put(f);
    CHECK(tmpfs_unlink(fs, name, 0) == 0, "unlink it");
    CHECK(tmpfs_unlink(fs, "/", 1) == -PAL_EBUSY, "rmdir of the root: EBUSY");
    CHECK(tmpfs_chmod(fs, "/x", 0600) == -PAL_ENOENT, "chmod of a missing name: ENOENT");
    free(fs); /* empty: only its root, which is part of it */
}

int main(void)
{
    fake_pal_init();
    host_pal = *pal;
    host_pal.stat = fake_host_stat;
    pal = &host_pal;
    setvbuf(stdout, NULL, _IONBF, 0);
    libos_cfg.brk_max = 1ull << 30;
    init_vfs();
    lookup();
    resolution();
    tmpfs_files();
    tmpfs_alone();
    return fake_done();
}
