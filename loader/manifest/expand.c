/* Trusted files: fill in every SHA-256, expanding directory URIs into one
 * entry per regular file beneath them (sorted, so the result is stable). */
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <time.h>

#include "manifest/canon.h"
#include "manifest/fields.h"
#include "manifest/hash_cache.h"

/* Progress of one expansion: a line every second once it has taken 2 s,
 * so a large trusted tree is not silent. */
static struct {
    bool on; /* inside manifest_expand_trusted */
    double start, last;
    size_t files;
    unsigned long long bytes;
} progress;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void progress_tick(unsigned long long bytes, FILE *diag)
{
    if (!progress.on)
        return;
    double t = now_s();
    progress.files++;
    progress.bytes += bytes;
    if (t - progress.start >= 2 && t - progress.last >= 1) {
        fprintf(diag, "geode: hashing trusted files: %zu files, %llu MiB so far\n", progress.files,
                progress.bytes >> 20);
        progress.last = t;
    }
}

int manifest_hash_file(const char *path, uint8_t out[32], FILE *diag)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(diag, "error: trusted file %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct stat st;
    bool have_st = fstat(fileno(f), &st) == 0;
    if (have_st && hash_cache_lookup(path, &st, out)) {
        fclose(f);
        return 0;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    static uint8_t buf[1 << 16];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof(buf), f)) > 0)
        ok = EVP_DigestUpdate(ctx, buf, n);
    ok = ok && !ferror(f) && EVP_DigestFinal_ex(ctx, out, NULL);
    EVP_MD_CTX_free(ctx);
    fclose(f);
    if (!ok) {
        fprintf(diag, "error: trusted file %s: read or hash failed\n", path);
        return -1;
    }
    if (have_st)
        hash_cache_store(path, &st, out);
    progress_tick(have_st ? (unsigned long long)st.st_size : 0, diag);
    return 0;
}

static int add_file(Geode__Sgx *sgx, const char *path, FILE *diag)
{
    Geode__TrustedFile *tf = xcalloc(1, sizeof(*tf));
    geode__trusted_file__init(tf);
    tf->uri = xcalloc(strlen(path) + 6, 1);
    sprintf(tf->uri, "file:%s", path);
    tf->sha256.data = xcalloc(32, 1);
    tf->sha256.len = 32;
    array_push((void ***)&sgx->trusted_files, &sgx->n_trusted_files, tf);
    return manifest_hash_file(path, tf->sha256.data, diag);
}

static int cmp_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int add_dir(Geode__Sgx *sgx, const char *dir, FILE *diag, int depth)
{
    struct dirent **names;
    if (depth > 64) {
        fprintf(diag, "error: trusted directory %s: nested too deeply\n", dir);
        return -1;
    }
    int n = scandir(dir, &names, NULL, cmp_name);
    if (n < 0) {
        fprintf(diag, "error: trusted directory %s: %s\n", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        if (rc == 0 && strcmp(name, ".") && strcmp(name, "..")) {
            char path[4096];
            struct stat st;
            snprintf(path, sizeof(path), "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
                     name);
            bool link = lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
            if (stat(path, &st) < 0)
                fprintf(diag, "warning: trusted directory entry %s: %s; skipped\n", path,
                        strerror(errno));
            else if (S_ISDIR(st.st_mode) && !link) /* as Gramine: not into a symlinked one */
                rc = add_dir(sgx, path, diag, depth + 1);
            else if (S_ISREG(st.st_mode))
                rc = add_file(sgx, path, diag);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

static int expand_one(Geode__Sgx *sgx, Geode__TrustedFile *tf, FILE *diag)
{
    const char *path = tf->uri + strlen("file:");
    if (path[0] && path[strlen(path) - 1] == '/')
        return add_dir(sgx, path, diag, 0);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(diag, "error: trusted file %s is a directory (write \"%s/\" to include it)\n",
                path, tf->uri);
        return -1;
    }
    return add_file(sgx, path, diag);
}

/* A file named both on its own and inside a listed directory appears
 * twice after expansion; keep one, unless the two hashes disagree. */
static int drop_duplicates(Geode__Sgx *sgx, FILE *diag)
{
    size_t out = 0;
    for (size_t i = 0; i < sgx->n_trusted_files; i++) {
        Geode__TrustedFile *tf = sgx->trusted_files[i];
        Geode__TrustedFile *prev = out ? sgx->trusted_files[out - 1] : NULL;
        if (!prev || strcmp(prev->uri, tf->uri)) {
            sgx->trusted_files[out++] = tf;
            continue;
        }
        if (memcmp(prev->sha256.data, tf->sha256.data, 32)) {
            fprintf(diag, "error: trusted file %s: the sha256 given differs from the file's\n",
                    tf->uri);
            sgx->n_trusted_files = out + (sgx->n_trusted_files - i);
            memmove(&sgx->trusted_files[out], &sgx->trusted_files[i],
                    (sgx->n_trusted_files - out) * sizeof(void *));
            return -1;
        }
        geode__trusted_file__free_unpacked(tf, NULL);
    }
    sgx->n_trusted_files = out;
    return 0;
}

/* Entries that already carry a hash are kept as written: the manifest's
 * author vouches for them, and the loader checks them at open time. */
int manifest_expand_trusted(geode_manifest *m, FILE *diag)
{
    Geode__Sgx *sgx = m->sgx;
    Geode__TrustedFile **old = sgx->trusted_files;
    size_t n_old = sgx->n_trusted_files;
    int rc = 0;
    sgx->trusted_files = NULL;
    sgx->n_trusted_files = 0;
    progress.on = true;
    progress.start = progress.last = now_s();
    progress.files = 0, progress.bytes = 0;
    for (size_t i = 0; i < n_old; i++) {
        if (rc == 0 && old[i]->sha256.len == 32) {
            array_push((void ***)&sgx->trusted_files, &sgx->n_trusted_files, old[i]);
            continue;
        }
        if (rc == 0)
            rc = expand_one(sgx, old[i], diag);
        geode__trusted_file__free_unpacked(old[i], NULL);
    }
    free(old);
    progress.on = false;
    hash_cache_flush();
    manifest_canonicalize(m);
    return rc ? rc : drop_duplicates(sgx, diag);
}
