/* /dev/attestation, as Gramine has it (libos/src/fs/dev/attestation.c), over
 * the PAL's attest_* calls (pal.h):
 *
 *   attestation_type  r   "none", "epid" or "dcap": sgx.remote_attestation
 *                         inside an enclave, "none" outside one
 *   user_report_data  rw  64 bytes for report and quote
 *   target_info       rw  512 bytes: the TARGETINFO report is made for
 *   my_target_info    r   512 bytes: this enclave's TARGETINFO
 *   report            r   432 bytes: EREPORT(target_info, user_report_data)
 *   quote             r   a quote over user_report_data; only when
 *                         sgx.remote_attestation is not "none"
 *   verify_report     w   Geode's own: write a 432-byte REPORT made for
 *                         this enclave's my_target_info; the write fails
 *                         with EPERM unless its MAC is right
 *   keys/NAME         rw  16 raw bytes: a key for encrypted files (fs/keys.h)
 *
 * Gramine's semantics, file by file: the read-only files are generated at
 * open (a PAL failure is EACCES there, as in Gramine; a platform without
 * attestation, direct mode, gives ENOSYS) and read, pread and lseek within
 * that content. Every write() to a writable file is a whole new value: a
 * shorter user_report_data or target_info is padded with zeroes and a
 * longer one cut, the handle's content becomes what was written (read
 * from offset 0 after an lseek); a key must be exactly 16 bytes (else
 * EACCES). A fresh handle of user_report_data or target_info reads empty.
 * keys/NAME exists for a key that is set or that an encrypted mount names;
 * _sgx_mrenclave and _sgx_mrsigner are read-only, inside an enclave only. */
#include <linux/fcntl.h>

#include "fs/keys.h"
#include "fs/vfs.h"

#define S_IFDIR_ 0040000
#define S_IFREG_ 0100000
#define ROOT "/dev/attestation"
#define KEYS ROOT "/keys"
#define QUOTE_MAX 8192
#define REPORT_DATA_SIZE 64
#define TARGET_INFO_SIZE 512
#define REPORT_SIZE 432

enum att_kind {
    A_NONE,
    A_ROOT,
    A_KEYS,
    A_TYPE,
    A_USER_REPORT_DATA,
    A_TARGET_INFO,
    A_MY_TARGET_INFO,
    A_REPORT,
    A_QUOTE,
    A_VERIFY,
    A_KEY,
    A_PLATFORM_KEY,
};

static const struct {
    const char *name;
    enum att_kind kind;
    uint32_t perm;
} files[] = {
    {"attestation_type", A_TYPE, 0444},   {"user_report_data", A_USER_REPORT_DATA, 0666},
    {"target_info", A_TARGET_INFO, 0666}, {"my_target_info", A_MY_TARGET_INFO, 0444},
    {"report", A_REPORT, 0444},           {"quote", A_QUOTE, 0444},
    {"verify_report", A_VERIFY, 0222},    {"keys", A_KEYS, 0555},
};

static const char *att_type = "none";
static bool in_enclave;
/* Key names the manifest's encrypted mounts use (they exist before they
 * are set, as in Gramine). */
static const char *mount_keys[64];
static size_t n_mount_keys;

static spinlock_t att_lock;
static uint8_t g_report_data[REPORT_DATA_SIZE];
static uint8_t g_target_info[TARGET_INFO_SIZE];

void dev_attestation_init(const Geode__Manifest *m)
{
    static const char *const names[] = {"none", "epid", "dcap"};
    in_enclave = pal_boot_info->flags & PAL_BOOT_ENCLAVE;
    att_type = "none";
    n_mount_keys = 0;
    if (in_enclave && m->sgx && (unsigned)m->sgx->remote_attestation < ARRAY_LEN(names))
        att_type = names[m->sgx->remote_attestation];
    for (size_t i = 0; i < m->n_mounts && n_mount_keys < ARRAY_LEN(mount_keys); i++)
        if (m->mounts[i]->type == GEODE__MOUNT_TYPE__MOUNT_ENCRYPTED && m->mounts[i]->key_name &&
            m->mounts[i]->key_name[0])
            mount_keys[n_mount_keys++] = m->mounts[i]->key_name;
}

static bool key_exists(const char *name)
{
    uint8_t k[FS_KEY_SIZE];
    if (!fs_key_name_ok(name))
        return false;
    if (fs_key_is_platform(name))
        return in_enclave;
    for (size_t i = 0; i < n_mount_keys; i++)
        if (!strcmp(mount_keys[i], name))
            return true;
    bool set = fs_key_get(name, k) == 0;
    memset(k, 0, sizeof(k));
    return set;
}

bool dev_attestation_owns(const char *inside)
{
    size_t n = strlen(ROOT);
    return !strncmp(inside, ROOT, n) && (inside[n] == 0 || inside[n] == '/');
}

/* What the path names; perm receives its permission bits. */
static enum att_kind lookup(const char *inside, uint32_t *perm, const char **key)
{
    size_t n = strlen(ROOT);
    if (strncmp(inside, ROOT, n) || (inside[n] && inside[n] != '/'))
        return A_NONE;
    *perm = 0555;
    if (!inside[n])
        return A_ROOT;
    const char *rest = inside + n + 1;
    if (!strncmp(rest, "keys/", 5)) {
        *key = rest + 5;
        if (!key_exists(*key))
            return A_NONE;
        *perm = fs_key_is_platform(*key) ? 0444 : 0666;
        return fs_key_is_platform(*key) ? A_PLATFORM_KEY : A_KEY;
    }
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        if (strcmp(rest, files[i].name))
            continue;
        if (files[i].kind == A_QUOTE && !strcmp(att_type, "none"))
            return A_NONE;
        if (files[i].kind == A_VERIFY && !in_enclave)
            return A_NONE;
        *perm = files[i].perm;
        return files[i].kind;
    }
    return A_NONE;
}

/* ---- open files ---------------------------------------------------------- */

struct att_file {
    enum att_kind kind;
    char key[FS_KEY_NAME_MAX + 1];
    uint8_t *data; /* content (a listing for directories) */
    size_t len;
    int64_t pos;
};

static struct att_file *af(struct file *f)
{
    return (struct att_file *)f->h;
}

static long att_pread(struct file *f, void *buf, size_t len, int64_t off)
{
    struct att_file *a = af(f);
    if (f->is_dir)
        return -PAL_EISDIR;
    if (off < 0)
        return -PAL_EINVAL;
    if ((uint64_t)off >= a->len)
        return 0;
    size_t n = a->len - (size_t)off < len ? a->len - (size_t)off : len;
    memcpy(buf, a->data + off, n);
    return (long)n;
}

static long att_read(struct file *f, void *buf, size_t len)
{
    long r = att_pread(f, buf, len, af(f)->pos);
    if (r > 0)
        af(f)->pos += r;
    return r;
}

static long att_seek(struct file *f, int64_t off, int whence)
{
    struct att_file *a = af(f);
    int64_t base = whence == 0 ? 0 : whence == 1 ? a->pos : (int64_t)a->len;
    if (whence < 0 || whence > 2 || base + off < 0)
        return -PAL_EINVAL;
    return a->pos = base + off;
}

/* Gramine's save step of one write: the new value takes effect. */
static long save(struct att_file *a, const void *buf, size_t len)
{
    uint8_t *dst = a->kind == A_USER_REPORT_DATA ? g_report_data : g_target_info;
    size_t cap = a->kind == A_USER_REPORT_DATA ? sizeof(g_report_data) : sizeof(g_target_info);
    switch (a->kind) {
    case A_USER_REPORT_DATA:
    case A_TARGET_INFO:
        spin_lock(&att_lock);
        memset(dst, 0, cap);
        memcpy(dst, buf, len < cap ? len : cap);
        spin_unlock(&att_lock);
        return 0;
    case A_KEY:
        if (len != FS_KEY_SIZE) {
            log_debug("/dev/attestation/keys/%s: a key is %d raw bytes, not %zu", a->key,
                      FS_KEY_SIZE, len);
            return -PAL_EACCES;
        }
        return fs_key_set(a->key, buf);
    case A_VERIFY: {
        if (len != REPORT_SIZE)
            return -PAL_EINVAL;
        if (!PAL_HAS(pal, attest_verify_report))
            return -PAL_ENOSYS;
        uint8_t r[REPORT_SIZE];
        memcpy(r, buf, sizeof(r));
        long v = pal->attest_verify_report(r);
        if (v < 0)
            log_warn("/dev/attestation/verify_report: the report's MAC is not this enclave's "
                     "(%s)",
                     errno_name(v));
        return v;
    }
    default:
        return -PAL_EBADF;
    }
}

static long att_write_at(struct file *f, const void *buf, size_t len, bool move)
{
    struct att_file *a = af(f);
    if (len > QUOTE_MAX)
        len = QUOTE_MAX; /* more than any value: the save cuts it anyway */
    long r = save(a, buf, len);
    if (r < 0)
        return r;
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return -PAL_ENOMEM;
    memcpy(copy, buf, len);
    free(a->data);
    a->data = copy, a->len = len;
    if (move)
        a->pos = (int64_t)len;
    return (long)len;
}

static long att_write(struct file *f, const void *buf, size_t len)
{
    return att_write_at(f, buf, len, true);
}

static long att_pwrite(struct file *f, const void *buf, size_t len, int64_t off)
{
    return off < 0 ? -PAL_EINVAL : att_write_at(f, buf, len, false);
}

static void fill_stat(enum att_kind k, uint32_t perm, struct pal_stat *st)
{
    memset(st, 0, sizeof(*st));
    bool dir = k == A_ROOT || k == A_KEYS;
    st->mode = (dir ? S_IFDIR_ : S_IFREG_) | perm;
    st->nlink = dir ? 2 : 1;
    st->uid = libos_cfg.uid, st->gid = libos_cfg.gid;
    st->blksize = 4096;
    st->ino = 2000 + (uint64_t)k;
}

static long att_fstat(struct file *f, struct pal_stat *st)
{
    uint32_t perm = 0555;
    const char *key = NULL;
    enum att_kind k = f->path ? lookup(f->path, &perm, &key) : af(f)->kind;
    fill_stat(k == A_NONE ? af(f)->kind : k, perm, st);
    return 0;
}

/* One linux_dirent64 per NUL-terminated name of the listing. */
static long att_readdir(struct file *f, void *buf, size_t len)
{
    struct att_file *a = af(f);
    size_t used = 0;
    while ((size_t)a->pos < a->len) {
        const char *name = (const char *)a->data + a->pos;
        size_t n = strlen(name), reclen = ALIGN_UP(19 + n + 1, 8);
        if (used + reclen > len)
            break;
        char *d = (char *)buf + used;
        uint64_t ino = 2100 + (uint64_t)a->pos;
        int64_t next = a->pos + (int64_t)n + 1;
        uint16_t rl = (uint16_t)reclen;
        memset(d, 0, reclen);
        memcpy(d, &ino, 8), memcpy(d + 8, &next, 8), memcpy(d + 16, &rl, 2);
        bool dir = !strcmp(name, ".") || !strcmp(name, "..") ||
                   (a->kind == A_ROOT && !strcmp(name, "keys"));
        d[18] = dir ? 4 : 8; /* DT_DIR : DT_REG */
        memcpy(d + 19, name, n);
        used += reclen;
        a->pos = next;
    }
    return used == 0 && (size_t)a->pos < a->len ? -PAL_EINVAL : (long)used;
}

static void att_release(struct file *f)
{
    struct att_file *a = af(f);
    if (a->data)
        memset(a->data, 0, a->len); /* keys, reports */
    free(a->data);
    free(a);
}

static const struct file_ops att_ops = {
    .read = att_read,
    .write = att_write,
    .pread = att_pread,
    .pwrite = att_pwrite,
    .seek = att_seek,
    .fstat = att_fstat,
    .readdir = att_readdir,
    .release = att_release,
};

/* ---- content at open ----------------------------------------------------- */

struct listing {
    uint8_t *buf;
    size_t len, cap;
};

static void list_add(const char *name, void *arg)
{
    struct listing *l = arg;
    size_t n = strlen(name) + 1;
    if (l->len + n > l->cap)
        return; /* the table holds at most FS_KEYS_MAX names: cap fits them */
    for (size_t at = 0; at < l->len; at += strlen((char *)l->buf + at) + 1)
        if (!strcmp((char *)l->buf + at, name))
            return;
    memcpy(l->buf + l->len, name, n);
    l->len += n;
}

static long list_dir(enum att_kind k, struct att_file *a)
{
    struct listing l = {.cap = (FS_KEYS_MAX + 64 + 4) * (FS_KEY_NAME_MAX + 1) + 256};
    if (!(l.buf = malloc(l.cap)))
        return -PAL_ENOMEM;
    list_add(".", &l), list_add("..", &l);
    if (k == A_ROOT) {
        uint32_t perm;
        const char *key;
        char path[64];
        for (size_t i = 0; i < ARRAY_LEN(files); i++) {
            snprintf(path, sizeof(path), ROOT "/%s", files[i].name);
            if (lookup(path, &perm, &key) != A_NONE)
                list_add(files[i].name, &l);
        }
    } else {
        if (in_enclave)
            list_add("_sgx_mrenclave", &l), list_add("_sgx_mrsigner", &l);
        for (size_t i = 0; i < n_mount_keys; i++)
            list_add(mount_keys[i], &l);
        fs_key_each(list_add, &l);
    }
    a->data = l.buf, a->len = l.len;
    return 0;
}

/* A PAL attestation call failed: Gramine says EACCES; no platform support
 * stays ENOSYS. */
static long pal_error(const char *what, long r)
{
    if (r == -PAL_ENOSYS) {
        log_warn("/dev/attestation/%s: this platform has no attestation (not inside an enclave)",
                 what);
        return r;
    }
    log_warn("/dev/attestation/%s: %s", what, errno_name(r));
    return r == -PAL_ENOMEM ? r : -PAL_EACCES;
}

static long load(struct att_file *a)
{
    uint8_t rd[REPORT_DATA_SIZE], ti[TARGET_INFO_SIZE];
    long r = 0;
    size_t cap = a->kind == A_QUOTE ? QUOTE_MAX : a->kind == A_TYPE ? 8 : TARGET_INFO_SIZE;
    if (a->kind == A_USER_REPORT_DATA || a->kind == A_TARGET_INFO || a->kind == A_VERIFY)
        return 0;
    if (!(a->data = malloc(cap)))
        return -PAL_ENOMEM;
    spin_lock(&att_lock);
    memcpy(rd, g_report_data, sizeof(rd));
    memcpy(ti, g_target_info, sizeof(ti));
    spin_unlock(&att_lock);
    switch (a->kind) {
    case A_TYPE:
        a->len = strlen(att_type);
        memcpy(a->data, att_type, a->len);
        return 0;
    case A_MY_TARGET_INFO:
        r = PAL_HAS(pal, attest_target_info) ? pal->attest_target_info(a->data) : -PAL_ENOSYS;
        a->len = TARGET_INFO_SIZE;
        return r < 0 ? pal_error("my_target_info", r) : 0;
    case A_REPORT:
        r = PAL_HAS(pal, attest_report) ? pal->attest_report(ti, rd, a->data) : -PAL_ENOSYS;
        a->len = REPORT_SIZE;
        return r < 0 ? pal_error("report", r) : 0;
    case A_QUOTE:
        r = PAL_HAS(pal, attest_quote) ? pal->attest_quote(rd, a->data, QUOTE_MAX) : -PAL_ENOSYS;
        a->len = r > 0 ? (size_t)r : 0;
        return r < 0 ? pal_error("quote", r) : 0;
    case A_KEY:
    case A_PLATFORM_KEY:
        r = fs_key_get(a->key, a->data);
        a->len = r == 0 ? FS_KEY_SIZE : 0;
        return r == -PAL_ENOENT ? 0 : r; /* named by a mount, not set yet: empty */
    default:
        return -PAL_EINVAL;
    }
}

int dev_attestation_stat(const char *inside, struct pal_stat *st)
{
    uint32_t perm;
    const char *key = NULL;
    enum att_kind k = lookup(inside, &perm, &key);
    if (k == A_NONE)
        return -PAL_ENOENT;
    fill_stat(k, perm, st);
    return 0;
}

int dev_attestation_open(const char *inside, int flags, struct file **out)
{
    uint32_t perm;
    const char *key = NULL;
    enum att_kind k = lookup(inside, &perm, &key);
    int acc = flags & O_ACCMODE;
    bool dir = k == A_ROOT || k == A_KEYS;
    if (k == A_NONE)
        return -PAL_ENOENT;
    if ((flags & O_CREAT) && (flags & O_EXCL))
        return -PAL_EEXIST;
    if (dir && acc != O_RDONLY)
        return -PAL_EISDIR;
    if (!dir && (flags & O_DIRECTORY))
        return -PAL_ENOTDIR;
    if ((acc != O_WRONLY && !(perm & 0444)) || (acc != O_RDONLY && !(perm & 0222)))
        return -PAL_EACCES;
    struct att_file *a = calloc(1, sizeof(*a));
    if (!a)
        return -PAL_ENOMEM;
    a->kind = k;
    if (key)
        snprintf(a->key, sizeof(a->key), "%s", key);
    long r = dir ? list_dir(k, a) : load(a);
    struct file *f = r < 0 ? NULL : file_new(&att_ops, (pal_handle)a, flags & ~O_CLOEXEC);
    if (!f) {
        free(a->data);
        free(a);
        return r < 0 ? (int)r : -PAL_ENOMEM;
    }
    f->is_dir = dir;
    *out = f;
    return 0;
}
