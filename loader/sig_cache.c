/* The development flow's signatures, kept (sig_cache.h). The key is
 * hashed with SHA256_* (EVP would cost a provider look-up at every start). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "sig_cache.h"
#include "key_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

#define PAGE 4096ULL
#define MAX_KEY_FILE (64 * 1024)
/* Entries kept at most: a store past it removes the least recently used
 * half (a hit refreshes an entry's time). */
#define MAX_ENTRIES 512

static const struct key_store store = {"GEODE_SIG_CACHE", "sigstructs", ".sig", MAX_ENTRIES};

static void put(SHA256_CTX *c, const void *p, size_t n)
{
    SHA256_Update(c, p, n);
}

static void put64(SHA256_CTX *c, uint64_t v)
{
    put(c, &v, sizeof(v));
}

/* Each field of the signature but its date and MRENCLAVE. */
static void put_params(SHA256_CTX *c, const struct sgx_sign_params *p)
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
static void put_layout(SHA256_CTX *c, const struct sgx_layout *l)
{
    static const uint8_t zero[PAGE];

    put64(c, l->size);
    put64(c, l->ssa_frame_size);
    for (size_t i = 0, n; i < l->n_pages; i += n) {
        const struct sgx_layout_page *pg = &l->pages[i];
        uint64_t pages = sgx_layout_entry_pages(pg);

        n = 1;
        if (pg->measured) {
            for (uint64_t k = 0; k < pages; k++) {
                put64(c, pg->offset + k * PAGE);
                put64(c, pg->secinfo_flags);
                put64(c, 1ULL << 63);
                put(c, pg->data ? pg->data : zero, PAGE);
            }
            continue;
        }
        while (i + n < l->n_pages && !pg[n].measured && pg[n].secinfo_flags == pg->secinfo_flags &&
               pg[n].offset == pg->offset + pages * PAGE)
            pages += sgx_layout_entry_pages(&pg[n++]);
        put64(c, pg->offset);
        put64(c, pg->secinfo_flags);
        put64(c, pages);
    }
}

/* The key file's bytes. */
static bool put_key_file(SHA256_CTX *c, const char *path)
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
    SHA256_CTX c;
    bool ok;

    SHA256_Init(&c);
    put(&c, magic, sizeof(magic));
    ok = put_key_file(&c, key_file);
    if (ok) {
        put_params(&c, p);
        put_layout(&c, l);
    }
    SHA256_Final(key, &c);
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
    struct sgx_sigstruct s;

    if (key_store_load(&store, key, &s, sizeof(s)) != (ssize_t)sizeof(s) || sgx_sigstruct_verify(&s, NULL) ||
        !matches(&s, p))
        return -1;
    *sig = s;
    return 0;
}

void sig_cache_store(const uint8_t key[32], const struct sgx_sigstruct *sig)
{
    key_store_save(&store, key, sig, sizeof(*sig));
}

void sig_cache_drop(const uint8_t key[32])
{
    key_store_drop(&store, key);
}
