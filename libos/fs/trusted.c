/* The file check policy inside an enclave (fs/trusted.h). A host file the
 * program opens is matched, in this order, by the name it used (before
 * the libOS followed symlinks), by the host path that name resolved to,
 * and by the resolved form of each trusted entry (so "file:/bin/busybox"
 * still names it when /bin is a symlink to usr/bin):
 *   trusted   -> opened read-only, contents checked (trusted_io.c);
 *   allowed   -> opened as usual (exact path, or anything below it);
 *   neither   -> a directory may still be opened and listed; any other
 *                file is refused (strict) or opened with a warning.
 * The name the program used wins over the resolved one, so a symlink the
 * host plants between two trusted files cannot swap their contents. */
#include <linux/fcntl.h>

#include "fs/trusted.h"

static bool enforce, strict;
static struct trusted_entry *trusted;              /* manifest order */
static struct trusted_entry **by_name, **by_canon; /* sorted by path, by canon */
static size_t n_trusted;
static char **allowed, **allowed_canon;
static size_t n_allowed;

/* "file:/a//b/../c" -> "/a/c"; NULL (logged) when it is not a file: URI. */
static char *uri_path(const char *key, const char *uri)
{
    char norm[PATH_MAX_LEN];
    if (!uri || strncmp(uri, "file:", 5) || path_normalize("/", uri + 5, norm, sizeof(norm)) < 0) {
        log_error("%s: \"%s\" is not a file: URI; ignored", key, uri ? uri : "");
        return NULL;
    }
    return strdup(norm);
}

/* The host path with the host's symlinks resolved through the mounts, as
 * an open of it would resolve them; the path itself when it has none or
 * is not reachable inside. */
static char *canonical(const char *host)
{
    char inside[PATH_MAX_LEN], resolved[PATH_MAX_LEN], out[PATH_MAX_LEN];
    struct pal_stat st;
    /* One host call when no component is a symlink (the last one is
     * lstat'ed, so a final symlink shows as one). */
    bool plain = pal->stat(host, 1 | PAL_STAT_NOSYMLINKS, &st) == 0 &&
                 (st.mode & 0170000) != 0120000;
    if (plain || vfs_inside_path(host, inside, sizeof(inside)) < 0 ||
        vfs_resolve(AT_FDCWD, inside, resolved, sizeof(resolved)) < 0 ||
        vfs_host_path(resolved, out, sizeof(out)) < 0)
        return strdup(host);
    return strdup(out);
}

/* Insertion sort: the canonical blob is sorted by URI already, so this is
 * linear unless normalization or symlinks reordered entries. */
static void sort_entries(void **v, size_t n, const char *(*key)(const void *))
{
    for (size_t i = 1; i < n; i++) {
        void *x = v[i];
        size_t j = i;
        for (; j > 0 && strcmp(key(v[j - 1]), key(x)) > 0; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static const char *canon_key(const void *e)
{
    return ((const struct trusted_entry *)e)->canon;
}
static const char *path_key(const void *e)
{
    return ((const struct trusted_entry *)e)->path;
}

static int load_trusted(const Geode__Sgx *sgx)
{
    size_t n = sgx->n_trusted_files;
    trusted = calloc(n + 1, sizeof(*trusted));
    by_name = calloc(n + 1, sizeof(*by_name));
    by_canon = calloc(n + 1, sizeof(*by_canon));
    if (!trusted || !by_name || !by_canon)
        return -PAL_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const Geode__TrustedFile *tf = sgx->trusted_files[i];
        char *path = uri_path("sgx.trusted_files", tf->uri);
        if (!path || path[strlen(path) - 1] == '/')
            continue; /* a directory URI the loader did not expand */
        struct trusted_entry *e = &trusted[n_trusted];
        e->path = path;
        e->canon = canonical(path);
        e->sha256 = tf->sha256.len == SHA256_LEN ? tf->sha256.data : NULL;
        if (!e->canon)
            return -PAL_ENOMEM;
        by_name[n_trusted] = by_canon[n_trusted] = e;
        n_trusted++;
    }
    sort_entries((void **)by_name, n_trusted, path_key);
    sort_entries((void **)by_canon, n_trusted, canon_key);
    return 0;
}

static int load_allowed(const Geode__Sgx *sgx)
{
    allowed = calloc(sgx->n_allowed_files + 1, sizeof(char *));
    allowed_canon = calloc(sgx->n_allowed_files + 1, sizeof(char *));
    if (!allowed || !allowed_canon)
        return -PAL_ENOMEM;
    for (size_t i = 0; i < sgx->n_allowed_files; i++) {
        char *path = uri_path("sgx.allowed_files", sgx->allowed_files[i]);
        if (!path)
            continue;
        allowed[n_allowed] = path;
        allowed_canon[n_allowed] = canonical(path);
        if (!allowed_canon[n_allowed++])
            return -PAL_ENOMEM;
    }
    return 0;
}

int trusted_init(const Geode__Manifest *m)
{
    enforce = pal_boot_info->flags & PAL_BOOT_ENCLAVE;
    if (!enforce)
        return 0;
    const Geode__Sgx *sgx = m->sgx;
    strict = !sgx || sgx->file_check_policy == GEODE__FILE_CHECK_POLICY__POLICY_STRICT;
    if (!sgx)
        return 0;
    int r = load_trusted(sgx);
    return r < 0 ? r : load_allowed(sgx);
}

/* The first index of v (n entries sorted by key) whose key is >= path. */
static size_t lower_bound(struct trusted_entry *const *v, size_t n, const char *path,
                          const char *(*key)(const void *))
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(key(v[mid]), path) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static struct trusted_entry *by_path(const char *path)
{
    size_t i = lower_bound(by_name, n_trusted, path, path_key);
    return i < n_trusted && !strcmp(by_name[i]->path, path) ? by_name[i] : NULL;
}

/* The entry whose resolved name is path. Entries resolving to the same
 * file with different hashes (the host made one a symlink to the other)
 * name none: -EACCES, logged. */
static int by_canonical(const char *path, struct trusted_entry **out)
{
    size_t i = lower_bound(by_canon, n_trusted, path, canon_key);
    struct trusted_entry *e =
        i < n_trusted && !strcmp(by_canon[i]->canon, path) ? by_canon[i] : NULL;
    *out = e;
    for (size_t j = i + 1; e && j < n_trusted && !strcmp(by_canon[j]->canon, path); j++) {
        const struct trusted_entry *o = by_canon[j];
        if (!e->sha256 || !o->sha256 || memcmp(o->sha256, e->sha256, SHA256_LEN)) {
            log_error("trusted files %s and %s both resolve to %s on the host, with different "
                      "SHA-256s; access refused",
                      e->path, o->path, path);
            return -PAL_EACCES;
        }
    }
    return 0;
}

static bool covers(const char *dir, const char *path)
{
    size_t n = strlen(dir);
    if (!strcmp(dir, "/"))
        return true;
    return !strncmp(dir, path, n) && (path[n] == 0 || path[n] == '/');
}

static bool is_allowed(const char *path)
{
    for (size_t i = 0; path && i < n_allowed; i++)
        if (covers(allowed[i], path) || covers(allowed_canon[i], path))
            return true;
    return false;
}

static long dir_readdir(struct file *f, void *b, size_t n)
{
    return pal->readdir(f->h, b, n);
}
static long dir_seek(struct file *f, int64_t o, int w)
{
    return pal->seek(f->h, o, w);
}
static long dir_fstat(struct file *f, struct pal_stat *st)
{
    return pal->fstat(f->h, st);
}
static void dir_release(struct file *f)
{
    pal->close(f->h);
}

/* A directory neither trusted nor allowed: names only. Reads of any kind
 * stay impossible even if the host answered O_DIRECTORY with a file. */
static const struct file_ops dir_only_ops = {
    .readdir = dir_readdir,
    .seek = dir_seek,
    .fstat = dir_fstat,
    .release = dir_release,
};

/* Opens host as a directory (-ENOTDIR when it is something else). */
static int open_dir(const char *host, int flags, int extra, struct file **out)
{
    pal_handle h;
    int r = (int)pal->file_open(host, flags | O_DIRECTORY | extra, 0, &h);
    if (r < 0)
        return r;
    struct file *f = file_new(&dir_only_ops, h, flags & ~O_CLOEXEC);
    if (!f) {
        pal->close(h);
        return -PAL_ENOMEM;
    }
    f->is_dir = true;
    *out = f;
    return 0;
}

/* Neither trusted nor allowed. Read-only opens are tried as a directory
 * first. On the libOS's fast path (PAL_O_NOSYMLINKS: the lexical name,
 * not yet known to be free of symlinks) a refusal becomes -ENOSYS, so the
 * VFS walks the path and asks again with its resolved name. */
static int open_unlisted(const char *host, int flags, int extra, struct file **out)
{
    bool ro = (flags & O_ACCMODE) == O_RDONLY && !(flags & (O_CREAT | O_TRUNC));
    int r = ro ? open_dir(host, flags, extra, out) : -PAL_ENOTDIR;
    if (r != -PAL_ENOTDIR)
        return r;
    if (extra & PAL_O_NOSYMLINKS)
        return -PAL_ENOSYS;
    if (strict) {
        log_error("%s is neither a trusted nor an allowed file (sgx.file_check_policy = strict); "
                  "access refused",
                  host);
        return -PAL_EACCES;
    }
    log_warn("%s is neither a trusted nor an allowed file; allowed by sgx.file_check_policy = "
             "allow_all_but_log",
             host);
    return 1;
}

int trusted_open(const char *host, const char *alias, int flags, int extra, struct file **out)
{
    if (!enforce)
        return 1;
    struct trusted_entry *e = alias ? by_path(alias) : NULL;
    int r = 0;
    if (!e && !(e = by_path(host)))
        r = by_canonical(host, &e);
    if (r < 0)
        return r;
    if (e)
        return trusted_file_open(e, host, flags, extra, out);
    if (is_allowed(alias) || is_allowed(host))
        return 1;
    return open_unlisted(host, flags, extra, out);
}
