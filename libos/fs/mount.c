/* The mount table, from fs.root and fs.mounts. A chroot mount maps an
 * inside prefix onto a host directory, a tmpfs keeps its files in libOS
 * memory; the longest matching prefix wins. An untrusted_shm mount is a
 * chroot mount whose files are passed through unchecked (like allowed
 * files) and whose MAP_SHARED mappings are host memory that other
 * processes see, in an enclave too (sys/mem.c). An encrypted mount keeps
 * host files in the protected-files format (encrypted.c). The manifest's
 * fs.insecure__keys are set in the key table (keys.h) first. */
#include "fs/encrypted.h"
#include "fs/keys.h"
#include "fs/tmpfs.h"
#include "fs/trusted.h"
#include "fs/vfs.h"

#define MAX_MOUNTS 32

struct mount {
    char *path;      /* inside, normalized, "/" or without a trailing slash */
    char *host_dir;  /* host directory, without a trailing slash ("" = /) */
    const struct fs_ops *ops;
    void *fs;        /* the file system's own state (NULL for host mounts) */
    struct tmpfs *tmpfs; /* set for tmpfs mounts */
    bool untrusted_shm;
};

static struct mount mounts[MAX_MOUNTS];
static int n_mounts;

static int uri_to_host(const char *uri, char **out)
{
    if (!uri || strncmp(uri, "file:", 5) != 0) {
        log_error("fs mount: unsupported URI \"%s\" (expected file:...)", uri ? uri : "");
        return -PAL_EINVAL;
    }
    char norm[PATH_MAX_LEN];
    int r = path_normalize("/", uri + 5, norm, sizeof(norm));
    if (r < 0) {
        log_error("fs mount: bad host path in \"%s\"", uri);
        return r;
    }
    *out = strdup(strcmp(norm, "/") ? norm : "");
    return *out ? 0 : -PAL_ENOMEM;
}

static int add_mount(const Geode__Mount *m, const char *path)
{
    if (n_mounts == MAX_MOUNTS) {
        log_error("fs.mounts: more than %d mounts", MAX_MOUNTS);
        return -PAL_EINVAL;
    }
    char norm[PATH_MAX_LEN];
    if (!path || path[0] != '/' || path_normalize("/", path, norm, sizeof(norm)) < 0) {
        log_error("fs.mounts: mount point \"%s\" must be an absolute path", path ? path : "");
        return -PAL_EINVAL;
    }
    struct mount *mt = &mounts[n_mounts];
    int r = 0;
    mt->ops = &host_fs_ops;
    if (m->type == GEODE__MOUNT_TYPE__MOUNT_TMPFS) {
        r = (mt->tmpfs = tmpfs_new()) ? 0 : -PAL_ENOMEM;
        mt->ops = &tmpfs_fs_ops;
        mt->fs = mt->tmpfs;
    } else {
        r = uri_to_host(m->uri, &mt->host_dir);
    }
    if (r == 0 && m->type == GEODE__MOUNT_TYPE__MOUNT_ENCRYPTED) {
        mt->ops = &encrypted_fs_ops;
        r = (mt->fs = encrypted_new(m->key_name)) ? 0 : -PAL_ENOMEM;
    }
    if (r < 0)
        return r;
    mt->untrusted_shm = m->type == GEODE__MOUNT_TYPE__MOUNT_UNTRUSTED_SHM;
    mt->path = strdup(norm);
    if (!mt->path)
        return -PAL_ENOMEM;
    n_mounts++;
    return 0;
}

int vfs_init(const Geode__Manifest *m)
{
    static const Geode__Mount default_root = {.type = GEODE__MOUNT_TYPE__MOUNT_CHROOT,
                                              .uri = "file:/"};
    bool given = m->root && ((m->root->uri && m->root->uri[0]) ||
                             m->root->type == GEODE__MOUNT_TYPE__MOUNT_TMPFS);
    const Geode__Mount *root = given ? m->root : &default_root;
    int r = 0;
    for (size_t i = 0; r == 0 && i < m->n_insecure_keys; i++) {
        const Geode__NamedKey *k = m->insecure_keys[i];
        r = k->key.len == FS_KEY_SIZE ? (int)fs_key_set(k->name, k->key.data) : -PAL_EINVAL;
        if (r < 0)
            log_error("fs.insecure__keys.%s: cannot be set (%d)", k->name, r);
    }
    if (r == 0)
        r = add_mount(root, "/");
    for (size_t i = 0; r == 0 && i < m->n_mounts; i++)
        r = add_mount(m->mounts[i], m->mounts[i]->path);
    if (r == 0 && m->start_dir && m->start_dir[0])
        r = vfs_set_cwd(m->start_dir);
    if (r == 0)
        r = trusted_init(m);
    return r < 0 ? r : fd_init_stdio();
}

/* Length of the mount prefix if it covers inside, else -1. */
static int match(const struct mount *mt, const char *inside)
{
    size_t n = strlen(mt->path);
    if (n == 1)
        return 0;
    if (strncmp(mt->path, inside, n) || (inside[n] && inside[n] != '/'))
        return -1;
    return (int)n;
}

int vfs_lookup(const char *inside, struct vfs_target *t)
{
    int best = -1, best_len = -1;
    if (proc_owns(inside) || dev_attestation_owns(inside))
        return -PAL_ENOENT; /* the libOS's own /proc (/dev/attestation) or nothing */
    for (int i = 0; i < n_mounts; i++) {
        int l = match(&mounts[i], inside);
        if (l > best_len)
            best = i, best_len = l;
    }
    if (best < 0) {
        log_warn("access to %s refused: outside every mount", inside);
        return -PAL_EACCES;
    }
    const char *rest = inside + best_len;
    t->ops = mounts[best].ops;
    t->fs = mounts[best].fs;
    t->tmpfs = mounts[best].tmpfs;
    t->inside = inside;
    t->rest = rest[0] ? rest : "/";
    t->mount_root = !rest[0];
    t->untrusted_shm = mounts[best].untrusted_shm;
    t->unchecked = false;
    t->host[0] = 0;
    if (!mounts[best].host_dir)
        return 0;
    /* The mount point itself is the host path as given: a mounted file
     * ("/helloworld" <- "file:helloworld") has no trailing slash. */
    const char *hd = mounts[best].host_dir;
    int n = rest[0] || !hd[0] ? snprintf(t->host, sizeof(t->host), "%s%s", hd, t->rest)
                              : snprintf(t->host, sizeof(t->host), "%s", hd);
    return n < 0 || (size_t)n >= sizeof(t->host) ? -PAL_ENAMETOOLONG : 0;
}

bool proc_owns(const char *inside)
{
    return !strncmp(inside, "/proc", 5) && (inside[5] == 0 || inside[5] == '/');
}

static const struct fs_ops *proc_ops;

void vfs_set_proc_ops(const struct fs_ops *ops)
{
    proc_ops = ops;
}

int vfs_lookup_any(const char *inside, struct vfs_target *t)
{
    struct pal_stat st;
    const struct fs_ops *ops = NULL;
    if (dev_stat(inside, &st) == 0)
        ops = &dev_fs_ops;
    else if (proc_owns(inside) && !(ops = proc_ops))
        return -PAL_ENOENT;
    if (!ops)
        return vfs_lookup(inside, t);
    *t = (struct vfs_target){.ops = ops, .inside = inside, .rest = inside};
    return 0;
}

bool vfs_mount_ancestor(const char *inside)
{
    size_t n = strlen(inside);
    if (!strcmp(inside, "/dev")) /* the libOS's own devices (dev.c) live there */
        return true;
    for (int i = 0; i < n_mounts; i++)
        if (!strncmp(mounts[i].path, inside, n) && mounts[i].path[n] == '/' && n > 1)
            return true;
    return false;
}

int vfs_host_path(const char *inside, char *host, size_t size)
{
    struct vfs_target t;
    int r = vfs_lookup(inside, &t);
    if (r < 0)
        return r;
    if (!t.host[0])
        return -PAL_EOPNOTSUPP;
    size_t n = strlen(t.host);
    if (n >= size)
        return -PAL_ENAMETOOLONG;
    memcpy(host, t.host, n + 1);
    return 0;
}

/* The inside path through which host path `host` is reached: the chroot
 * mount with the longest host directory holding it, provided no other
 * mount shadows that inside path. */
int vfs_inside_path(const char *host, char *inside, size_t size)
{
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; i < n_mounts; i++) {
        const char *d = mounts[i].host_dir;
        size_t n = d ? strlen(d) : 0;
        if (d && !strncmp(d, host, n) && (host[n] == '/' || host[n] == 0) &&
            (best < 0 || n > best_len))
            best = i, best_len = n;
    }
    if (best < 0)
        return -PAL_ENOENT;
    const char *mp = strcmp(mounts[best].path, "/") ? mounts[best].path : "";
    const char *rest = host + best_len;
    int n = snprintf(inside, size, "%s%s", mp, rest[0] ? rest : (mp[0] ? "" : "/"));
    if (n < 0 || (size_t)n >= size)
        return -PAL_ENAMETOOLONG;
    struct vfs_target t;
    if (vfs_lookup(inside, &t) < 0 || !t.host[0] || strcmp(t.host, host))
        return -PAL_ENOENT;
    return 0;
}

bool vfs_mount_get(int i, const char **path, const char **host_dir, const struct fs_ops **ops)
{
    if (i < 0 || i >= n_mounts)
        return false;
    *path = mounts[i].path;
    *host_dir = mounts[i].host_dir;
    *ops = mounts[i].ops;
    return true;
}
