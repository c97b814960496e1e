/* The development flow's signatures, kept (sig_cache.h). */
#include "sig_cache.h"
#include "manifest/cache_path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#define PAGE 4096ULL
#define MAX_KEY_FILE (64 * 1024)
/* Entries kept at most: a store past it removes the least recently used
 * half (a hit refreshes an entry's time). */
#define MAX_ENTRIES 512

/* The cache's directory into dir; false when it is off or has no home. */
static bool locate(char *dir, size_t size)
{
    return geode_cache_path("GEODE_SIG_CACHE", "sigstructs", dir, size) == 0;
}

static bool entry_path(const uint8_t key[32], char *path, size_t size)
{
    char dir[4096];
    int n;

    if (!locate(dir, sizeof(dir)))
        return false;
    n = snprintf(path, size, "%s/", dir);
    for (int i = 0; i < 32 && n > 0 && (size_t)n + 2 < size; i++)
        n += snprintf(path + n, size - (size_t)n, "%02x", key[i]);
    return n > 0 && (size_t)n + 5 < size && snprintf(path + n, size - (size_t)n, ".sig") == 4;
}

static void put(EVP_MD_CTX *c, const void *p, size_t n)
{
    EVP_DigestUpdate(c, p, n);
}

static void put64(EVP_MD_CTX *c, uint64_t v)
{
    put(c, &v, sizeof(v));
}

/* Each field of the signature but its date and MRENCLAVE. */
static void put_params(EVP_MD_CTX *c, const struct sgx_sign_params *p)
{
    put64(c, p->vendor);
    put64(c, p->swdefined);
    put64(c, p->miscselect);
    put64(c, p->miscmask);
    put64(c, p->attributes.flags);
    put64(c, p->attributes.xfrm);
    put64(c, p->attribute_mask.flags);
    put64(c, p->attribute_mask.xfrm);
    put(c, p->isv_family_id, sizeof(p->isv_family_id));
    put(c, p->isv_ext_prod_id, sizeof(p->isv_ext_prod_id));
    put64(c, p->isv_prod_id);
    put64(c, p->isv_svn);
}

/* The measurement's inputs in page order: a run of unmeasured pages at
 * consecutive offsets with one SECINFO as (first offset, flags, count),
 * a measured page as (offset, flags, 1 << 63) and its bytes. */
static void put_layout(EVP_MD_CTX *c, const struct sgx_layout *l)
{
    static const uint8_t zero[PAGE];

    put64(c, l->size);
    put64(c, l->ssa_frame_size);
    for (size_t i = 0, n; i < l->n_pages; i += n) {
        const struct sgx_layout_page *pg = &l->pages[i];

        n = 1;
        if (pg->measured) {
            put64(c, pg->offset);
            put64(c, pg->secinfo_flags);
            put64(c, 1ULL << 63);
            put(c, pg->data ? pg->data : zero, PAGE);
            continue;
        }
        while (i + n < l->n_pages && !pg[n].measured && pg[n].secinfo_flags == pg->secinfo_flags &&
               pg[n].offset == pg->offset + n * PAGE)
            n++;
        put64(c, pg->offset);
        put64(c, pg->secinfo_flags);
        put64(c, n);
    }
}

/* The key file's bytes. */
static bool put_key_file(EVP_MD_CTX *c, const char *path)
{
    uint8_t buf[MAX_KEY_FILE];
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    ssize_t n;

    if (fd < 0)
        return false;
    n = read(fd, buf, sizeof(buf));
    close(fd);
    if (n <= 0 || n == (ssize_t)sizeof(buf))
        return false;
    put64(c, (uint64_t)n);
    put(c, buf, (size_t)n);
    return true;
}

int sig_cache_key(const struct sgx_layout *l, const struct sgx_sign_params *p, const char *key_file,
                  uint8_t key[32])
{
    static const char magic[] = "geode sigstruct cache 1";
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int len = 0;
    bool ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL);

    if (ok) {
        put(c, magic, sizeof(magic));
        ok = put_key_file(c, key_file);
    }
    if (ok) {
        put_params(c, p);
        put_layout(c, l);
        ok = EVP_DigestFinal_ex(c, key, &len) && len == 32;
    }
    EVP_MD_CTX_free(c);
    return ok ? 0 : -1;
}

/* The cached SIGSTRUCT is what p would sign (but for date and MRENCLAVE). */
static bool matches(const struct sgx_sigstruct *s, const struct sgx_sign_params *p)
{
    return s->vendor == p->vendor && s->swdefined == p->swdefined && s->miscselect == p->miscselect &&
           s->miscmask == p->miscmask && s->attributes.flags == p->attributes.flags &&
           s->attributes.xfrm == p->attributes.xfrm && s->attribute_mask.flags == p->attribute_mask.flags &&
           s->attribute_mask.xfrm == p->attribute_mask.xfrm &&
           !memcmp(s->isv_family_id, p->isv_family_id, sizeof(s->isv_family_id)) &&
           !memcmp(s->isv_ext_prod_id, p->isv_ext_prod_id, sizeof(s->isv_ext_prod_id)) &&
           s->isv_prod_id == p->isv_prod_id && s->isv_svn == p->isv_svn;
}

int sig_cache_load(const uint8_t key[32], const struct sgx_sign_params *p, struct sgx_sigstruct *sig)
{
    char path[4200];
    uint8_t buf[sizeof(struct sgx_sigstruct) + 1]; /* a longer file is not one */
    struct sgx_sigstruct s;
    int fd;
    ssize_t n;

    if (!entry_path(key, path, sizeof(path)) || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    n = read(fd, buf, sizeof(buf));
    close(fd);
    if (n != (ssize_t)sizeof(s))
        return -1;
    memcpy(&s, buf, sizeof(s));
    if (sgx_sigstruct_verify(&s, NULL) || !matches(&s, p))
        return -1;
    *sig = s;
    utimensat(AT_FDCWD, path, NULL, 0); /* used now */
    return 0;
}

struct aged {
    struct timespec t;
    char name[80];
};

static int older(const void *a, const void *b)
{
    const struct timespec *x = &((const struct aged *)a)->t, *y = &((const struct aged *)b)->t;

    return x->tv_sec != y->tv_sec ? (x->tv_sec < y->tv_sec ? -1 : 1)
                                  : (x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec);
}

/* Keeps the directory under MAX_ENTRIES entries. */
static void prune(const char *dir)
{
    struct aged *e = NULL;
    size_t n = 0, cap = 0;
    DIR *d = opendir(dir);
    struct dirent *de;

    if (!d)
        return;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        struct stat st;
        if (len != 68 || strcmp(de->d_name + 64, ".sig") || fstatat(dirfd(d), de->d_name, &st, 0))
            continue;
        if (n == cap) {
            struct aged *m = realloc(e, (cap = cap ? cap * 2 : 64) * sizeof(*e));
            if (!m)
                break;
            e = m;
        }
        e[n].t = st.st_mtim;
        memcpy(e[n].name, de->d_name, len + 1);
        n++;
    }
    if (n > MAX_ENTRIES) {
        qsort(e, n, sizeof(*e), older);
        for (size_t i = 0; i < n - MAX_ENTRIES / 2; i++)
            unlinkat(dirfd(d), e[i].name, 0);
    }
    closedir(d);
    free(e);
}

void sig_cache_store(const uint8_t key[32], const struct sgx_sigstruct *sig)
{
    char path[4200], tmp[4300], dir[4096];
    int fd;

    if (!entry_path(key, path, sizeof(path)) || !locate(dir, sizeof(dir)))
        return;
    geode_make_parent_dirs(path);
    snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    bool ok = write(fd, sig, sizeof(*sig)) == (ssize_t)sizeof(*sig);
    ok = !close(fd) && ok;
    if (!ok || rename(tmp, path))
        unlink(tmp);
    else
        prune(dir);
}

void sig_cache_drop(const uint8_t key[32])
{
    char path[4200];

    if (entry_path(key, path, sizeof(path)))
        unlink(path);
}
