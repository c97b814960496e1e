/* /proc/<pid>/mounts, /proc/<pid>/mountinfo and /proc/filesystems: the
 * libOS's mount table (fs/mount.c) as Linux formats its own
 * (proc_pid_mounts(5), proc_pid_mountinfo(5), filesystems(5)). Every
 * process of the tree has the same table (the manifest's), so every
 * process's file shows it.
 *
 * The entries, in this order (Linux lists mounts in the order they were
 * made): fs.root at "/", the libOS's /proc, its /dev (unless fs.mounts
 * mounts something there), then fs.mounts. A mount of host files (chroot,
 * untrusted_shm, encrypted) has the host file system's type (named from
 * the statfs magic the host gives, "geode" when unknown) and options (its
 * statfs flags: "ro" on a read-only host file system), source "geode" (or
 * "geode-encrypted") and, in mountinfo, the host directory as the root
 * of the mount within its file system, as for a bind mount; a tmpfs is
 * "tmpfs tmpfs", /proc "proc proc", /dev "devtmpfs devtmpfs", with the
 * flags sys/statfs.c reports for them. Device numbers are what stat(2)
 * of the mount point says, so df and findmnt match paths to mounts. */
#include "fs/tmpfs.h"
#include "proc/proc.h"
#include "sys/sys.h"

#define ST_RDONLY_ 1
#define ST_NOSUID_ 2
#define ST_NODEV_ 4
#define ST_NOEXEC_ 8
#define ST_NOATIME_ 1024
#define ST_NODIRATIME_ 2048
#define ST_RELATIME_ 4096
#define TEXT_MAX (64 * 1024)

/* Ids: Linux's start above 20; the root's parent is not in the table (as
 * in a mount namespace whose root was pivoted). Descriptors of pipes and
 * sockets are on the kernel's internal mounts, never listed either. */
#define ID_ROOT_PARENT 1
#define ID_INTERNAL 15
#define ID_FIRST 21

static const struct {
    int64_t magic;
    const char *name;
    bool nodev;
} fs_types[] = {
    {0xef53, "ext4", false},     {0x58465342, "xfs", false},  {0x9123683e, "btrfs", false},
    {0x2fc12fc1, "zfs", false},  {0xf2f52010, "f2fs", false}, {0x73717368, "squashfs", false},
    {0x01021994, "tmpfs", true}, {0x858458f6, "ramfs", true}, {0x794c7630, "overlay", true},
    {0x6969, "nfs", true},       {0x65735546, "fuse", true},  {0x01021997, "9p", true},
    {0xff534d42, "cifs", true},  {0x5346544e, "ntfs", false}, {0x4d44, "vfat", false},
};

/* One entry of the table as the files show it. */
struct mnt {
    int id, parent;
    const char *path; /* the mount point */
    const char *root; /* within its file system ("/" or the host directory) */
    const char *type, *source;
    int64_t flags; /* ST_* */
    uint64_t dev;
};

static const char *type_name(int64_t magic, bool *nodev)
{
    for (size_t i = 0; i < ARRAY_LEN(fs_types); i++)
        if (fs_types[i].magic == magic) {
            *nodev = fs_types[i].nodev;
            return fs_types[i].name;
        }
    *nodev = true;
    return "geode";
}

/* The mount of the table whose point is the longest prefix of path among
 * the first n entries; -1 for none. */
static int covering(const struct mnt *m, int n, const char *path)
{
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(m[i].path);
        bool under = l == 1 || (!strncmp(m[i].path, path, l) && (!path[l] || path[l] == '/'));
        if (under && (best < 0 || l > best_len))
            best = i, best_len = l;
    }
    return best;
}

/* Fills m (at most max) and returns how many entries there are. */
static int table(struct mnt *m, int max)
{
    const char *path, *host;
    const struct fs_ops *ops;
    bool dev_mounted = false, nodev;
    int n = 0;
    for (int i = 1; vfs_mount_get(i, &path, &host, &ops); i++)
        dev_mounted |= !strcmp(path, "/dev");
    for (int i = 0; n < max && vfs_mount_get(i, &path, &host, &ops); i++) {
        struct pal_statfs sf = {0};
        struct mnt *e = &m[n++];
        *e = (struct mnt){.path = path, .root = host && host[0] ? host : "/"};
        if (!host) {
            struct vfs_target t;
            e->type = e->source = "tmpfs";
            if (vfs_lookup(path, &t) == 0 && t.tmpfs)
                tmpfs_statfs(t.tmpfs, &sf);
        } else {
            if (PAL_HAS(pal, fs_stat) && pal->fs_stat(host[0] ? host : "/", &sf) < 0)
                sf = (struct pal_statfs){0};
            e->type = type_name(sf.type, &nodev);
            e->source = ops == &host_fs_ops ? "geode" : "geode-encrypted";
        }
        e->flags = sf.flags;
        if (i == 0 && n < max) /* the libOS's own, mounted on the root */
            m[n++] = (struct mnt){.path = "/proc",
                                  .root = "/",
                                  .type = "proc",
                                  .source = "proc",
                                  .flags = ST_NOSUID_ | ST_NODEV_ | ST_NOEXEC_ | ST_RELATIME_};
        if (i == 0 && n < max && !dev_mounted)
            m[n++] = (struct mnt){.path = "/dev",
                                  .root = "/",
                                  .type = "devtmpfs",
                                  .source = "devtmpfs",
                                  .flags = ST_NOSUID_ | ST_RELATIME_};
    }
    for (int i = 0; i < n; i++) {
        struct pal_stat st;
        m[i].id = ID_FIRST + i;
        int p = i ? covering(m, i, m[i].path) : -1;
        m[i].parent = p >= 0 ? m[p].id : ID_ROOT_PARENT;
        m[i].dev = vfs_stat(m[i].path, 0, &st) == 0 ? st.dev : 0;
    }
    return n;
}

int proc_mount_id(const char *path)
{
    struct mnt m[40];
    int n = path ? table(m, (int)ARRAY_LEN(m)) : 0;
    int i = path ? covering(m, n, path) : -1;
    return i >= 0 ? m[i].id : ID_INTERNAL;
}

/* s with space, tab, newline and backslash as octal escapes, as the
 * kernel writes mount points and sources. */
static size_t escaped(char *t, size_t cap, const char *s)
{
    size_t k = 0;
    for (; *s && k + 5 < cap; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
            k += (size_t)snprintf(t + k, cap - k, "\\%c%c%c", '0' + (*s >> 6 & 3),
                                  '0' + (*s >> 3 & 7), '0' + (*s & 7));
        else
            t[k++] = *s;
    }
    t[k < cap ? k : cap - 1] = 0;
    return k;
}

/* The per-mount options of ST_* flags ("rw" or "ro" first). */
static size_t options(char *t, size_t cap, int64_t f)
{
    static const struct {
        int64_t bit;
        const char *name;
    } names[] = {
        {ST_NOSUID_, "nosuid"},   {ST_NODEV_, "nodev"},           {ST_NOEXEC_, "noexec"},
        {ST_NOATIME_, "noatime"}, {ST_NODIRATIME_, "nodiratime"}, {ST_RELATIME_, "relatime"},
    };
    size_t k = (size_t)snprintf(t, cap, "%s", f & ST_RDONLY_ ? "ro" : "rw");
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if ((f & names[i].bit) && k < cap)
            k += (size_t)snprintf(t + k, cap - k, ",%s", names[i].name);
    return k;
}

/* Linux's device-number encoding (the huge one of stat(2)'s st_dev). */
static unsigned dev_major(uint64_t d)
{
    return (unsigned)(((d >> 8) & 0xfff) | ((d >> 32) & ~0xfffULL));
}
static unsigned dev_minor(uint64_t d)
{
    return (unsigned)((d & 0xff) | ((d >> 12) & ~0xffULL));
}

char *proc_mounts_text(bool info, size_t *len)
{
    struct mnt m[40];
    int n = table(m, (int)ARRAY_LEN(m));
    char *t = malloc(TEXT_MAX), *point = malloc(4 * PATH_MAX_LEN), *root = point + 2 * PATH_MAX_LEN;
    char opts[128];
    size_t k = 0;
    if (!t || !point) {
        free(t), free(point);
        return NULL;
    }
    for (int i = 0; i < n && k < TEXT_MAX; i++) {
        escaped(point, 2 * PATH_MAX_LEN, m[i].path);
        escaped(root, 2 * PATH_MAX_LEN, m[i].root);
        options(opts, sizeof(opts), m[i].flags);
        if (info) /* ID parent major:minor root point options [optional] - type source super */
            k += (size_t)snprintf(t + k, TEXT_MAX - k, "%d %d %u:%u %s %s %s - %s %s %s\n", m[i].id,
                                  m[i].parent, dev_major(m[i].dev), dev_minor(m[i].dev), root,
                                  point, opts, m[i].type, m[i].source,
                                  m[i].flags & ST_RDONLY_ ? "ro" : "rw");
        else
            k += (size_t)snprintf(t + k, TEXT_MAX - k, "%s %s %s %s 0 0\n", m[i].source, point,
                                  m[i].type, opts);
    }
    free(point);
    *len = k < TEXT_MAX ? k : TEXT_MAX;
    return t;
}

/* The file systems the libOS provides itself, then the host's types its
 * mounts are on (once each), as "nodev\tNAME" or "\tNAME". */
char *proc_filesystems_text(size_t *len)
{
    static const char *const own[] = {"proc",   "tmpfs",  "devtmpfs",
                                      "pipefs", "sockfs", "anon_inodefs"};
    struct mnt m[40];
    int n = table(m, (int)ARRAY_LEN(m));
    size_t cap = 4096, k = 0;
    char *t = malloc(cap);
    if (!t)
        return NULL;
    for (size_t i = 0; i < ARRAY_LEN(own); i++)
        k += (size_t)snprintf(t + k, cap - k, "nodev\t%s\n", own[i]);
    for (int i = 0; i < n && k < cap; i++) {
        bool seen = false, nodev = true;
        for (size_t j = 0; j < ARRAY_LEN(own); j++)
            seen |= !strcmp(own[j], m[i].type);
        for (int j = 0; j < i; j++)
            seen |= !strcmp(m[j].type, m[i].type);
        for (size_t j = 0; j < ARRAY_LEN(fs_types); j++)
            if (!strcmp(fs_types[j].name, m[i].type))
                nodev = fs_types[j].nodev;
        if (!seen)
            k += (size_t)snprintf(t + k, cap - k, "%s\t%s\n", nodev ? "nodev" : "", m[i].type);
    }
    *len = k < cap ? k : cap;
    return t;
}
