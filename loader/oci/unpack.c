/* Applying image layers to a root directory with libarchive, and unpacking
 * image archives. Entry paths are made relative ("./a", "/a" -> "a"); one
 * with a ".." part, one that goes through a symbolic link already on disk,
 * and a hard link to such a path are refused, so nothing is written or
 * removed outside the root. libarchive's SECURE_* options check the same
 * again as it writes. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* libarchive is loaded when a layer or an image archive is first read:
 * linked, it and what it pulls in (libxml2, ICU, libstdc++ and six
 * compression libraries) cost every geode start, `geode run` included,
 * about a millisecond and a half of dynamic loading. */
// clang-format off
#define ARCHIVE_FUNCS(X) \
    X(archive_read_new) \
    X(archive_read_support_filter_all) \
    X(archive_read_support_format_tar) \
    X(archive_read_support_format_gnutar) \
    X(archive_read_open_filename) \
    X(archive_error_string) \
    X(archive_read_free) \
    X(archive_read_next_header) \
    X(archive_read_data_block) \
    X(archive_entry_pathname) \
    X(archive_entry_filetype) \
    X(archive_entry_hardlink) \
    X(archive_entry_copy_hardlink) \
    X(archive_entry_copy_pathname) \
    X(archive_entry_size) \
    X(archive_write_disk_new) \
    X(archive_write_disk_set_options) \
    X(archive_write_header) \
    X(archive_write_data_block) \
    X(archive_write_finish_entry) \
    X(archive_write_close) \
    X(archive_write_free)
// clang-format on

#define X(f) static __typeof__(f) *dl_##f;
ARCHIVE_FUNCS(X)
#undef X

static int archive_load(char *err, size_t n)
{
    static void *lib;
    void *l;

    if (lib)
        return 0;
    l = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
    if (!l) {
        snprintf(err, n, "cannot load libarchive (libarchive13): %s", dlerror());
        return -1;
    }
#define X(f)                                                                                       \
    if (!(dl_##f = (__typeof__(f) *)dlsym(l, #f))) {                                               \
        snprintf(err, n, "libarchive.so.13 has no %s", #f);                                        \
        dlclose(l);                                                                                \
        return -1;                                                                                 \
    }
    ARCHIVE_FUNCS(X)
#undef X
    lib = l;
    return 0;
}

#define archive_read_new (*dl_archive_read_new)
#define archive_read_support_filter_all (*dl_archive_read_support_filter_all)
#define archive_read_support_format_tar (*dl_archive_read_support_format_tar)
#define archive_read_support_format_gnutar (*dl_archive_read_support_format_gnutar)
#define archive_read_open_filename (*dl_archive_read_open_filename)
#define archive_error_string (*dl_archive_error_string)
#define archive_read_free (*dl_archive_read_free)
#define archive_read_next_header (*dl_archive_read_next_header)
#define archive_read_data_block (*dl_archive_read_data_block)
#define archive_entry_pathname (*dl_archive_entry_pathname)
#define archive_entry_filetype (*dl_archive_entry_filetype)
#define archive_entry_hardlink (*dl_archive_entry_hardlink)
#define archive_entry_copy_hardlink (*dl_archive_entry_copy_hardlink)
#define archive_entry_copy_pathname (*dl_archive_entry_copy_pathname)
#define archive_entry_size (*dl_archive_entry_size)
#define archive_write_disk_new (*dl_archive_write_disk_new)
#define archive_write_disk_set_options (*dl_archive_write_disk_set_options)
#define archive_write_header (*dl_archive_write_header)
#define archive_write_data_block (*dl_archive_write_data_block)
#define archive_write_finish_entry (*dl_archive_write_finish_entry)
#define archive_write_close (*dl_archive_write_close)
#define archive_write_free (*dl_archive_write_free)

#include "oci/oci.h"

#define WH ".wh."
#define WH_OPQ ".wh..wh..opq"

/* in -> out, relative and without "." or empty parts. 0; -1 on a ".."
 * part; 1 when nothing is left (the root itself). */
static int clean_path(const char *in, char *out, size_t size)
{
    size_t o = 0;
    const char *p = in;
    while (*p) {
        while (*p == '/')
            p++;
        const char *e = strchrnul(p, '/');
        size_t len = (size_t)(e - p);
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return -1;
        if (len && !(len == 1 && p[0] == '.')) {
            if (o + len + 2 > size)
                return -1;
            if (o)
                out[o++] = '/';
            memcpy(out + o, p, len);
            o += len;
        }
        p = e;
    }
    out[o] = '\0';
    return o ? 0 : 1;
}

/* Every parent directory of rel under root (the current directory) must not
 * be a symbolic link. 0, or -1 naming it in err. */
static int check_parents(const char *rel, const char *what, char *err, size_t n)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof(buf), "%s", rel);
    for (char *s = strchr(buf, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        struct stat st;
        if (lstat(buf, &st) == 0 && S_ISLNK(st.st_mode)) {
            char target[PATH_MAX];
            ssize_t len = readlink(buf, target, sizeof(target) - 1);
            target[len > 0 ? len : 0] = '\0';
            snprintf(err, n,
                     "%s '%s' goes through the symbolic link '/%s' (-> %s): a layer may not "
                     "write or remove through a link, which could leave the root; refused",
                     what, rel, buf, target);
            return -1;
        }
        *s = '/';
    }
    return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(path) && errno != ENOENT ? -1 : 0;
}

static int rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st))
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Removes what is inside directory dir (an opaque whiteout). */
static int empty_dir(const char *dir)
{
    struct stat st;
    if (lstat(dir, &st) || !S_ISDIR(st.st_mode))
        return 0;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *de;
    int rc = 0;
    char p[PATH_MAX + 256];
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        rc |= rm_rf(p);
    }
    closedir(d);
    return rc;
}

static struct archive *open_reader(const char *file, char *err, size_t n)
{
    if (archive_load(err, n))
        return NULL;
    struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    if (archive_read_open_filename(a, file, 1 << 16) != ARCHIVE_OK) {
        snprintf(err, n, "%s: %s", file, archive_error_string(a));
        archive_read_free(a);
        return NULL;
    }
    return a;
}

static const char *base_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Pass 1: the layer's whiteouts remove from what the lower layers left. */
static int apply_whiteouts(const char *layer, char *err, size_t n)
{
    struct archive *a = open_reader(layer, err, n);
    if (!a)
        return -1;
    struct archive_entry *e;
    int r, rc = 0;
    char rel[PATH_MAX], victim[PATH_MAX];
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        const char *b = base_of(name);
        if (strncmp(b, WH, strlen(WH)))
            continue;
        int c = clean_path(name, rel, sizeof(rel));
        if (c) {
            snprintf(err, n, "whiteout '%s' leaves the root (a '..' part); refused", name);
            rc = -1;
            break;
        }
        char *slash = strrchr(rel, '/');
        size_t dirlen = slash ? (size_t)(slash - rel) : 0;
        if (!strcmp(b, WH_OPQ)) {
            snprintf(victim, sizeof(victim), "%.*s", (int)dirlen, dirlen ? rel : ".");
        } else {
            snprintf(victim, sizeof(victim), "%.*s%s%s", (int)dirlen, rel, dirlen ? "/" : "",
                     b + strlen(WH));
        }
        if (check_parents(rel, "whiteout", err, n)) {
            rc = -1;
            break;
        }
        if (!strcmp(b, WH_OPQ) ? empty_dir(victim) : rm_rf(victim)) {
            snprintf(err, n, "whiteout '%s': cannot remove '/%s': %s", name, victim,
                     strerror(errno));
            rc = -1;
            break;
        }
    }
    if (!rc && r != ARCHIVE_EOF) {
        snprintf(err, n, "%s: %s", layer, archive_error_string(a));
        rc = -1;
    }
    archive_read_free(a);
    return rc;
}

/* Writes the archive's entries under the current directory. */
static int extract(const char *file, bool layer, char *err, size_t n)
{
    struct archive *a = open_reader(file, err, n);
    if (!a)
        return -1;
    struct archive *w = archive_write_disk_new();
    archive_write_disk_set_options(w, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                          ARCHIVE_EXTRACT_UNLINK | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                          ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                          ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
    struct archive_entry *e;
    int r, rc = 0;
    char rel[PATH_MAX], link[PATH_MAX];
    unsigned skipped = 0;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        if (layer && !strncmp(base_of(name), WH, strlen(WH)))
            continue; /* applied in pass 1 */
        int c = clean_path(name, rel, sizeof(rel));
        if (c < 0) {
            snprintf(err, n, "entry '%s' leaves the root (a '..' part); refused", name);
            rc = -1;
            break;
        }
        if (c > 0)
            continue; /* "./": the root itself */
        if (check_parents(rel, "entry", err, n)) {
            rc = -1;
            break;
        }
        mode_t t = archive_entry_filetype(e);
        if (t == AE_IFCHR || t == AE_IFBLK || t == AE_IFIFO || t == AE_IFSOCK) {
            skipped++;
            continue;
        }
        const char *hl = archive_entry_hardlink(e);
        if (hl) {
            if (clean_path(hl, link, sizeof(link))) {
                snprintf(err, n, "hard link '%s' -> '%s' leaves the root; refused", name, hl);
                rc = -1;
                break;
            }
            if (check_parents(link, "hard link target", err, n)) {
                rc = -1;
                break;
            }
            archive_entry_copy_hardlink(e, link);
        }
        archive_entry_copy_pathname(e, rel);
        r = archive_write_header(w, e);
        if (r == ARCHIVE_OK && archive_entry_size(e) > 0) {
            const void *buf;
            size_t size;
            la_int64_t off;
            while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK)
                if (archive_write_data_block(w, buf, size, off) != ARCHIVE_OK) {
                    r = ARCHIVE_FATAL;
                    break;
                }
            if (r == ARCHIVE_EOF)
                r = ARCHIVE_OK;
        }
        if (r == ARCHIVE_OK)
            r = archive_write_finish_entry(w);
        if (r < ARCHIVE_WARN) {
            snprintf(err, n, "entry '%s': %s", name,
                     archive_error_string(w) ? archive_error_string(w) : archive_error_string(a));
            rc = -1;
            break;
        }
    }
    if (!rc && r != ARCHIVE_EOF) {
        snprintf(err, n, "%s: %s", file, archive_error_string(a));
        rc = -1;
    }
    if (!rc && archive_write_close(w) != ARCHIVE_OK) {
        snprintf(err, n, "%s: %s", file, archive_error_string(w));
        rc = -1;
    }
    if (skipped)
        fprintf(stderr, "geode container: %s: %u device, fifo or socket entries skipped\n",
                base_of(file), skipped);
    archive_write_free(w);
    archive_read_free(a);
    return rc;
}

/* Runs fn(file) with root as the current directory. */
static int in_dir(const char *dir, const char *file, bool layer, char *err, size_t n)
{
    char abs[PATH_MAX];
    if (!realpath(file, abs)) {
        snprintf(err, n, "%s: %s", file, strerror(errno));
        return -1;
    }
    int here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (here < 0 || chdir(dir)) {
        snprintf(err, n, "%s: %s", dir, strerror(errno));
        if (here >= 0)
            close(here);
        return -1;
    }
    int rc = layer ? apply_whiteouts(abs, err, n) : 0;
    if (!rc)
        rc = extract(abs, layer, err, n);
    if (fchdir(here))
        rc = -1;
    close(here);
    return rc;
}

int oci_apply_layer(const char *layer, const char *rootfs, char *err, size_t n)
{
    return in_dir(rootfs, layer, true, err, n);
}

int oci_untar(const char *archive, const char *dir, char *err, size_t n)
{
    return in_dir(dir, archive, false, err, n);
}
