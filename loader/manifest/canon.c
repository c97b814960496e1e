/* The canonical blob. protobuf-c writes fields in field-number order and
 * repeated fields in array order, so sorting the unordered collections
 * (environment, trusted and allowed files) makes the bytes a function of
 * the manifest's meaning alone, not of how its TOML was written. */
#include <stdlib.h>
#include <string.h>

#include "manifest/canon.h"
#include "manifest/fields.h"

static int cmp_env(const void *a, const void *b)
{
    return strcmp((*(Geode__EnvVar *const *)a)->name, (*(Geode__EnvVar *const *)b)->name);
}

static int cmp_trusted(const void *a, const void *b)
{
    return strcmp((*(Geode__TrustedFile *const *)a)->uri, (*(Geode__TrustedFile *const *)b)->uri);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp((*(Geode__NamedKey *const *)a)->name, (*(Geode__NamedKey *const *)b)->name);
}

void manifest_canonicalize(geode_manifest *m)
{
    if (m->n_insecure_keys)
        qsort(m->insecure_keys, m->n_insecure_keys, sizeof(*m->insecure_keys), cmp_key);
    if (m->n_env)
        qsort(m->env, m->n_env, sizeof(*m->env), cmp_env);
    if (m->sgx->n_trusted_files)
        qsort(m->sgx->trusted_files, m->sgx->n_trusted_files, sizeof(void *), cmp_trusted);
    if (m->sgx->n_allowed_files)
        qsort(m->sgx->allowed_files, m->sgx->n_allowed_files, sizeof(char *), cmp_str);
}

uint8_t *manifest_pack(const geode_manifest *m, size_t *len)
{
    size_t n = geode__manifest__get_packed_size(m);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return NULL;
    *len = geode__manifest__pack(m, buf);
    return buf;
}

/* A blob from elsewhere must carry every sub-message the loader writes. */
geode_manifest *manifest_unpack(const uint8_t *blob, size_t len)
{
    geode_manifest *m = geode__manifest__unpack(NULL, len, blob);
    if (!m)
        return NULL;
    if (!m->root || !m->sgx || !m->geode) {
        manifest_free(m);
        return NULL;
    }
    return m;
}
