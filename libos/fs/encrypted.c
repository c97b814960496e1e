/* Encrypted mounts (fs.mounts type "encrypted"): host files in the
 * protected-files format (libos/pf/pf.h, docs/encrypted-files.md) under a
 * named key (fs/keys.h). The cipher is the PAL's (aead_seal/aead_open); the
 * libOS never touches the plaintext's keys beyond passing them on.
 *
 * One state per host file (struct enode) is shared by every open file of
 * it in this process, so two descriptors see each other's writes; it is
 * flushed (data, tree, metadata last) by fsync and by the last close.
 * Directories, names and permissions are the host's, unencrypted (as in
 * Gramine). A file's path inside is bound into its metadata: rename
 * re-binds it; a directory is not renamed (EXDEV: its files are bound to
 * their paths). */
#include <linux/fcntl.h>

#include "fs/encrypted.h"
#include "fs/keys.h"
#include "pf/pf.h"

#define S_IFMT_ 0170000
#define S_IFDIR_ 0040000
#define S_IFREG_ 0100000

struct enc_mount {
    char *key_name;
};

struct enode {
    struct enode *next;
    char host[PATH_MAX_LEN];
    bool listed; /* in the open-file list: unlink and rename take it out */
    int refs;
    pal_handle h;
    bool writable;
    spinlock_t lock;
    struct pf_file pf;
};

struct eopen {
    struct enode *n;
    int64_t pos;
};

static struct enode *open_nodes;
static spinlock_t nodes_lock;

void *encrypted_new(const char *key_name)
{
    struct enc_mount *m = calloc(1, sizeof(*m));
    if (!m || !(m->key_name = strdup(key_name && key_name[0] ? key_name : "default"))) {
        free(m);
        return NULL;
    }
    return m;
}

/* ---- The format's callbacks: the host file and the PAL's cipher ---- */

static long io_read(void *arg, void *buf, size_t len, uint64_t off)
{
    pal_handle h = *(pal_handle *)arg;
    size_t done = 0;
    while (done < len) {
        long r = pal->pread(h, (char *)buf + done, len - done, (int64_t)(off + done));
        if (r < 0)
            return r;
        if (r == 0)
            break;
        done += (size_t)r;
    }
    return (long)done;
}

static long io_write(void *arg, const void *buf, size_t len, uint64_t off)
{
    pal_handle h = *(pal_handle *)arg;
    size_t done = 0;
    while (done < len) {
        long r = pal->pwrite(h, (const char *)buf + done, len - done, (int64_t)(off + done));
        if (r <= 0)
            return r < 0 ? r : -PAL_EIO;
        done += (size_t)r;
    }
    return (long)done;
}

static long io_truncate(void *arg, uint64_t size)
{
    return pal->ftruncate(*(pal_handle *)arg, (int64_t)size);
}

static long io_random(void *buf, size_t len)
{
    long r = pal->random(buf, len);
    return r < 0 ? r : 0;
}

static void pf_ops_for(struct enode *n, struct pf_ops *o)
{
    *o = (struct pf_ops){.arg = &n->h,
                         .read = io_read,
                         .write = io_write,
                         .truncate = io_truncate,
                         .seal = pal->aead_seal,
                         .open = pal->aead_open,
                         .random = io_random};
}

/* One log line naming the file and the cause of a failure. */
static long report(const struct pf_file *pf, const char *inside, long r)
{
    if (r >= 0 || !pf->why)
        return r;
    if (pf->why_node >= 0)
        log_error("encrypted file %s: %s (node %ld)", inside, pf->why, (long)pf->why_node);
    else
        log_error("encrypted file %s: %s", inside, pf->why);
    return r;
}

static long mount_key(const struct vfs_target *t, uint8_t key[FS_KEY_SIZE])
{
    const struct enc_mount *m = t->fs;
    if (!PAL_HAS(pal, aead_open)) {
        log_error("encrypted file %s: this platform has no AES-GCM", t->inside);
        return -PAL_ENOSYS;
    }
    long r = fs_key_get(m->key_name, key);
    if (r == -PAL_ENOENT)
        log_error("encrypted file %s: key \"%s\" is not set (fs.insecure__keys or "
                  "/dev/attestation/keys/%s)",
                  t->inside, m->key_name, m->key_name);
    return r < 0 ? -PAL_EACCES : 0;
}

/* ---- Shared per-file state ---- */

static struct enode *find_listed(const char *host)
{
    for (struct enode *n = open_nodes; n; n = n->next)
        if (n->listed && !strcmp(n->host, host))
            return n;
    return NULL;
}

static void unlist(struct enode *n)
{
    for (struct enode **p = &open_nodes; *p; p = &(*p)->next)
        if (*p == n) {
            *p = n->next;
            break;
        }
    n->listed = false;
}

/* The host file of t, read-write whenever the program writes (the format
 * reads its metadata even to write); a regular file. */
static int host_open(const struct vfs_target *t, int flags, uint32_t mode, pal_handle *h,
                     int64_t *size)
{
    bool wr = (flags & O_ACCMODE) != O_RDONLY;
    int hf = (wr ? O_RDWR : O_RDONLY) | (flags & (O_CREAT | O_EXCL)) | O_CLOEXEC |
             (t->mount_root ? 0 : O_NOFOLLOW);
    struct pal_stat st;
    int r = (int)pal->file_open(t->host, hf, mode, h);
    if (r < 0)
        return r;
    r = (int)pal->fstat(*h, &st);
    if (r == 0 && (st.mode & S_IFMT_) != S_IFREG_)
        r = -PAL_EINVAL;
    if (r < 0)
        pal->close(*h);
    *size = st.size;
    return r;
}

/* Opens the host file and its protected-file state. */
static int node_open(const struct vfs_target *t, int flags, uint32_t mode, struct enode **out)
{
    uint8_t key[FS_KEY_SIZE];
    int64_t size = 0;
    struct enode *n = calloc(1, sizeof(*n));
    if (!n)
        return -PAL_ENOMEM;
    int r = (int)mount_key(t, key);
    if (r == 0)
        r = host_open(t, flags, mode, &n->h, &size);
    if (r < 0) {
        memset(key, 0, sizeof(key));
        free(n);
        return r;
    }
    struct pf_ops ops;
    pf_ops_for(n, &ops);
    r = pf_open(&n->pf, &ops, key, t->inside, (uint64_t)size);
    memset(key, 0, sizeof(key));
    if (r < 0) {
        report(&n->pf, t->inside, r);
        pf_close(&n->pf);
        pal->close(n->h);
        free(n);
        return r;
    }
    n->writable = (flags & O_ACCMODE) != O_RDONLY;
    n->refs = 1;
    memcpy(n->host, t->host, strlen(t->host) + 1);
    *out = n;
    return 0;
}

/* Writes n's changes; says so when another process flushed the file since
 * this state read it (its version is then replaced by this one). */
static long node_flush(struct enode *n, const char *inside)
{
    if (!n->writable || !n->pf.meta_dirty)
        return 0;
    if (pf_stale(&n->pf) == 1)
        log_warn("encrypted file %s: changed by another process since this one read it; "
                 "replaced by this process's version",
                 inside);
    return report(&n->pf, inside, pf_flush(&n->pf));
}

/* A state without changes of its own, whose file another process has
 * flushed since (a forked child or parent): read again. */
static int node_refresh(struct enode *n, const struct vfs_target *t)
{
    if (n->pf.meta_dirty || pf_stale(&n->pf) != 1)
        return 0;
    uint8_t key[FS_KEY_SIZE];
    struct pal_stat st;
    int r = (int)mount_key(t, key);
    if (r == 0)
        r = (int)pal->fstat(n->h, &st);
    if (r == 0) {
        struct pf_ops ops;
        pf_ops_for(n, &ops);
        pf_close(&n->pf);
        r = report(&n->pf, t->inside, pf_open(&n->pf, &ops, key, t->inside, (uint64_t)st.size));
    }
    memset(key, 0, sizeof(key));
    return r;
}

/* A lock that another thread may hold forever (it is stopped by exit):
 * tried for a while only. */
static bool lock_bounded(spinlock_t *l)
{
    for (int i = 0; i < 1000000; i++) {
        if (!__atomic_load_n(&l->v, __ATOMIC_ACQUIRE)) {
            spin_lock(l); /* the held-locks bookkeeping spin_unlock expects */
            return true;
        }
        __asm__ volatile("pause");
    }
    return false;
}

void encrypted_flush_all(void)
{
    if (!lock_bounded(&nodes_lock))
        return;
    for (struct enode *n = open_nodes; n; n = n->next) {
        if (!lock_bounded(&n->lock)) {
            log_error("encrypted file %s: busy in another thread: not flushed", n->pf.path);
            continue;
        }
        node_flush(n, n->pf.path);
        spin_unlock(&n->lock);
    }
    spin_unlock(&nodes_lock);
}

static void node_put(struct enode *n, const char *inside)
{
    spin_lock(&nodes_lock);
    bool last = --n->refs == 0;
    if (last && n->listed)
        unlist(n);
    spin_unlock(&nodes_lock);
    if (!last)
        return;
    node_flush(n, inside);
    pal->close(n->h);
    pf_close(&n->pf);
    free(n);
}

/* The state of t's file: the one already open, or a new one (listed). */
static int node_get(const struct vfs_target *t, int flags, uint32_t mode, struct enode **out)
{
    spin_lock(&nodes_lock);
    struct enode *n = find_listed(t->host);
    if (n)
        n->refs++;
    spin_unlock(&nodes_lock);
    if (n) {
        if ((flags & O_CREAT) && (flags & O_EXCL)) {
            node_put(n, t->inside);
            return -PAL_EEXIST;
        }
        if ((flags & O_ACCMODE) != O_RDONLY && !n->writable) {
            log_error("encrypted file %s: already open read-only in this process", t->inside);
            node_put(n, t->inside);
            return -PAL_EACCES;
        }
        spin_lock(&n->lock);
        int r = node_refresh(n, t);
        spin_unlock(&n->lock);
        if (r < 0) {
            node_put(n, t->inside);
            return r;
        }
        *out = n;
        return 0;
    }
    int r = node_open(t, flags, mode, &n);
    if (r < 0)
        return r;
    spin_lock(&nodes_lock);
    struct enode *other = find_listed(t->host); /* another thread was first */
    if (other) {
        other->refs++;
        spin_unlock(&nodes_lock);
        node_put(n, t->inside);
        *out = other;
        return 0;
    }
    n->listed = true;
    n->next = open_nodes;
    open_nodes = n;
    spin_unlock(&nodes_lock);
    *out = n;
    return 0;
}

/* ---- Open files ---- */

static struct eopen *eo(struct file *f)
{
    return (struct eopen *)(uintptr_t)f->h;
}

static long e_pread(struct file *f, void *buf, size_t len, int64_t off)
{
    struct enode *n = eo(f)->n;
    if (off < 0)
        return -PAL_EINVAL;
    spin_lock(&n->lock);
    long r = pf_read(&n->pf, buf, len, (uint64_t)off);
    spin_unlock(&n->lock);
    return report(&n->pf, f->path, r);
}

static long e_pwrite(struct file *f, const void *buf, size_t len, int64_t off)
{
    struct enode *n = eo(f)->n;
    if (off < 0)
        return -PAL_EINVAL;
    spin_lock(&n->lock);
    long r = pf_write(&n->pf, buf, len, (uint64_t)off);
    spin_unlock(&n->lock);
    return report(&n->pf, f->path, r);
}

static long e_read(struct file *f, void *buf, size_t len)
{
    long r = e_pread(f, buf, len, eo(f)->pos);
    if (r > 0)
        eo(f)->pos += r;
    return r;
}

static long e_write(struct file *f, const void *buf, size_t len)
{
    struct eopen *o = eo(f);
    if (f->flags & O_APPEND)
        o->pos = (int64_t)o->n->pf.size;
    long r = e_pwrite(f, buf, len, o->pos);
    if (r > 0)
        o->pos += r;
    return r;
}

static long e_seek(struct file *f, int64_t off, int whence)
{
    struct eopen *o = eo(f);
    int64_t base = whence == 0   ? 0
                   : whence == 1 ? o->pos
                   : whence == 2 ? (int64_t)o->n->pf.size
                                 : -1;
    if (base < 0 || base + off < 0)
        return -PAL_EINVAL;
    o->pos = base + off;
    return o->pos;
}

static long e_fstat(struct file *f, struct pal_stat *st)
{
    struct enode *n = eo(f)->n;
    long r = pal->fstat(n->h, st);
    if (r == 0) {
        st->size = (int64_t)n->pf.size;
        st->blocks = (st->size + 511) / 512;
    }
    return r;
}

static long e_truncate(struct file *f, int64_t len)
{
    struct enode *n = eo(f)->n;
    if (len < 0)
        return -PAL_EINVAL;
    spin_lock(&n->lock);
    long r = pf_set_size(&n->pf, (uint64_t)len);
    spin_unlock(&n->lock);
    return report(&n->pf, f->path, r);
}

static long e_sync(struct file *f)
{
    struct enode *n = eo(f)->n;
    if (!n->writable)
        return 0;
    spin_lock(&n->lock);
    long r = node_flush(n, f->path);
    spin_unlock(&n->lock);
    return r < 0 ? r : pal->fsync(n->h);
}

static void e_release(struct file *f)
{
    struct eopen *o = eo(f);
    node_put(o->n, f->path ? f->path : "?");
    free(o);
}

const struct file_ops encrypted_file_ops = {
    .read = e_read,
    .write = e_write,
    .pread = e_pread,
    .pwrite = e_pwrite,
    .seek = e_seek,
    .fstat = e_fstat,
    .truncate = e_truncate,
    .sync = e_sync,
    .release = e_release,
    /* A shared writable mapping would need its pages written back through
     * the format: refused (ENODEV), as Gramine limits it too. */
    .private_maps_only = true,
};

/* ---- Path operations ---- */

static bool host_is_dir(const struct vfs_target *t)
{
    struct pal_stat st;
    return pal->stat(t->host, !t->mount_root, &st) == 0 && (st.mode & S_IFMT_) == S_IFDIR_;
}

static int e_open(const struct vfs_target *t, const char *alias, int flags, uint32_t mode,
                  int pal_flags, struct file **out)
{
    (void)alias;
    if ((flags & O_DIRECTORY) || host_is_dir(t)) { /* directories are the host's, listed */
        struct vfs_target d = *t;                  /* as Gramine does, unchecked */
        d.unchecked = true;
        return host_fs_ops.open(&d, NULL, flags, mode, pal_flags & ~PAL_O_NOSYMLINKS, out);
    }
    struct eopen *o = calloc(1, sizeof(*o));
    if (!o)
        return -PAL_ENOMEM;
    int r = node_get(t, flags, mode, &o->n);
    if (r == 0 && (flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) {
        spin_lock(&o->n->lock);
        r = report(&o->n->pf, t->inside, pf_set_size(&o->n->pf, 0));
        spin_unlock(&o->n->lock);
    }
    struct file *f = r < 0 ? NULL
                           : file_new(&encrypted_file_ops, (pal_handle)(uintptr_t)o,
                                      flags & ~(O_CLOEXEC | O_TRUNC | O_CREAT | O_EXCL));
    if (!f) {
        if (o->n)
            node_put(o->n, t->inside);
        free(o);
        return r < 0 ? r : -PAL_ENOMEM;
    }
    *out = f;
    return 0;
}

/* The plaintext size of a file: from its open state, else its metadata. */
static int e_stat(const struct vfs_target *t, struct pal_stat *st)
{
    int r = host_fs_ops.stat(t, st);
    if (r < 0 || (st->mode & S_IFMT_) != S_IFREG_ || st->size == 0)
        return r;
    struct enode *n;
    r = node_get(t, O_RDONLY, 0, &n);
    if (r < 0)
        return r;
    st->size = (int64_t)n->pf.size;
    st->blocks = (st->size + 511) / 512;
    node_put(n, t->inside);
    return 0;
}

static int e_unlink(const struct vfs_target *t, int is_dir)
{
    int r = host_fs_ops.unlink(t, is_dir);
    if (r == 0) {
        spin_lock(&nodes_lock);
        struct enode *n = find_listed(t->host);
        if (n)
            unlist(n); /* open descriptors keep it; a new file there is another */
        spin_unlock(&nodes_lock);
    }
    return r;
}

/* Re-binds the file to its new path (flushed first), then renames the
 * host file: cut between the two, the file fails its check (EACCES). */
static int e_rename(const struct vfs_target *a, const struct vfs_target *b)
{
    if (host_is_dir(a))
        return -PAL_EXDEV; /* its files are bound to their paths: mv copies them */
    struct enode *n;
    int r = node_get(a, O_RDWR, 0, &n);
    if (r < 0)
        return r;
    spin_lock(&n->lock);
    r = pf_set_path(&n->pf, b->inside);
    if (r == 0)
        r = pf_flush(&n->pf);
    spin_unlock(&n->lock);
    if (r == 0)
        r = host_fs_ops.rename(a, b);
    if (r < 0) { /* bound back to where it still is */
        report(&n->pf, a->inside, r);
        spin_lock(&n->lock);
        if (pf_set_path(&n->pf, a->inside) == 0)
            pf_flush(&n->pf);
        spin_unlock(&n->lock);
    } else {
        spin_lock(&nodes_lock);
        struct enode *old = find_listed(b->host);
        if (old && old != n)
            unlist(old); /* replaced: its descriptors keep the unlinked file */
        memcpy(n->host, b->host, strlen(b->host) + 1);
        spin_unlock(&nodes_lock);
    }
    node_put(n, b->inside);
    return r;
}

static int e_mkdir(const struct vfs_target *t, uint32_t mode)
{
    return host_fs_ops.mkdir(t, mode);
}
static int e_chmod(const struct vfs_target *t, uint32_t mode)
{
    return host_fs_ops.chmod(t, mode);
}
static long e_readlink(const struct vfs_target *t, char *buf, size_t len)
{
    return host_fs_ops.readlink(t, buf, len);
}
static int e_access(const struct vfs_target *t, int mode)
{
    return host_fs_ops.access(t, mode);
}
static int e_utimes(const struct vfs_target *t, const int64_t times[2])
{
    return host_fs_ops.utimes(t, times);
}

/* symlink, link: NULL (EPERM); directories, modes and times are the host's. */
const struct fs_ops encrypted_fs_ops = {
    .name = "encrypted",
    .open = e_open,
    .stat = e_stat,
    .mkdir = e_mkdir,
    .unlink = e_unlink,
    .rename = e_rename,
    .chmod = e_chmod,
    .readlink = e_readlink,
    .access = e_access,
    .utimes = e_utimes,
};
