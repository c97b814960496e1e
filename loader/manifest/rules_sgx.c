/* sgx.* and geode.* keys. */
#include <stdlib.h>
#include <string.h>

#include "manifest/rules.h"

static void sgx_enclave_size(struct mctx *c, const char *key, const struct toml_value *v)
{
    uint64_t size;
    if (!field_size(c, key, v, &size))
        return;
    /* ECREATE needs a power of two, and the kernel aligns the base to it;
     * the enclave layout (pal/sgx/image/layout.c) spans at most 64 GiB. */
    if (size < (1u << 20) || (size & (size - 1)) || size > (1ULL << 36))
        diag_error(c->d, v->pos, key,
                   "must be a power of two from 1M to 64G (e.g. \"256M\")");
    else
        c->m->sgx->enclave_size = size;
}

static void sgx_max_threads(struct mctx *c, const char *key, const struct toml_value *v)
{
    uint32_t n;
    if (!field_u32(c, key, v, 4096, &n))
        return;
    if (n == 0)
        diag_error(c->d, v->pos, key, "must be at least 1");
    else
        c->m->sgx->max_threads = n;
}

static void sgx_debug(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_bool(c, key, v, &c->m->sgx->debug);
}

static void sgx_edmm_enable(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_bool(c, key, v, &c->m->sgx->edmm_enable);
}

/* Heap bytes added (EADD) at build with EDMM: a page multiple, within the
 * enclave (manifest.c checks it against sgx.enclave_size once all keys are
 * read). */
static void sgx_edmm_precommit_size(struct mctx *c, const char *key, const struct toml_value *v)
{
    uint64_t size;

    if (!field_size(c, key, v, &size))
        return;
    if (size % 4096 || size > (1ULL << 36))
        diag_error(c->d, v->pos, key, "must be a multiple of 4K up to 64G (e.g. \"32M\")");
    else
        c->m->sgx->edmm_precommit_size = size;
}

static bool check_file_uri(struct mctx *c, const char *key, const struct toml_value *v, char **dst)
{
    if (!field_string(c, key, v, dst))
        return false;
    if (strncmp(*dst, "file:", 5) || !(*dst)[5]) {
        diag_error(c->d, v->pos, key, "expected a \"file:\" URI, got \"%s\"", *dst);
        return false;
    }
    uri_make_absolute(c, dst);
    return true;
}

static void trusted_file(struct mctx *c, const char *key, const struct toml_value *v)
{
    static const char *const allowed[] = {"uri", "sha256", NULL};
    Geode__TrustedFile *tf = xcalloc(1, sizeof(*tf));
    geode__trusted_file__init(tf);
    array_push((void ***)&c->m->sgx->trusted_files, &c->m->sgx->n_trusted_files, tf);
    if (v->type == TOML_STRING) {
        check_file_uri(c, key, v, &tf->uri);
        return;
    }
    if (v->type != TOML_TABLE) {
        diag_error(c->d, v->pos, key, "expected a \"file:\" URI or {uri, sha256}, got %s",
                   toml_type_name(v->type));
        return;
    }
    check_table_keys(c, key, v, allowed);
    const struct toml_value *uri = toml_get(v, "uri");
    const struct toml_value *sha = toml_get(v, "sha256");
    if (!uri)
        diag_error(c->d, v->pos, key, "missing 'uri'");
    else if (check_file_uri(c, key, uri, &tf->uri) && sha && tf->uri[strlen(tf->uri) - 1] == '/')
        diag_error(c->d, sha->pos, key, "a directory URI cannot have a sha256");
    if (sha)
        field_sha256(c, key, sha, &tf->sha256);
}

/* Gramine's old table form, "sgx.trusted_files.NAME = "file:..."", is
 * read as the array of its values. */
static bool legacy_table(struct mctx *c, const char *key, const struct toml_value *v,
                         void (*one)(struct mctx *, const char *, const struct toml_value *))
{
    if (v->type != TOML_TABLE)
        return false;
    diag_warn(c->d, v->pos, key, "Gramine's old %s.NAME syntax, read as %s = [...]", key, key);
    for (size_t i = 0; i < v->u.table.len; i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s.%s", key, v->u.table.items[i].key);
        one(c, path, v->u.table.items[i].value);
    }
    return true;
}

static void sgx_trusted_files(struct mctx *c, const char *key, const struct toml_value *v)
{
    if (legacy_table(c, key, v, trusted_file) || !field_type(c, key, v, TOML_ARRAY))
        return;
    for (size_t i = 0; i < v->u.array.len; i++) {
        char path[512];
        subkey_index(path, sizeof(path), key, i);
        trusted_file(c, path, v->u.array.items[i]);
    }
}

static void allowed_file(struct mctx *c, const char *key, const struct toml_value *v)
{
    char *uri = NULL;
    if (check_file_uri(c, key, v, &uri))
        array_push((void ***)&c->m->sgx->allowed_files, &c->m->sgx->n_allowed_files, uri);
    else
        free(uri); /* a string that is not a file: URI (NULL when not a string) */
}

static void sgx_allowed_files(struct mctx *c, const char *key, const struct toml_value *v)
{
    if (legacy_table(c, key, v, allowed_file) || !field_type(c, key, v, TOML_ARRAY))
        return;
    for (size_t i = 0; i < v->u.array.len; i++) {
        char path[512];
        subkey_index(path, sizeof(path), key, i);
        allowed_file(c, path, v->u.array.items[i]);
    }
}

static void sgx_file_check_policy(struct mctx *c, const char *key, const struct toml_value *v)
{
    static const char *const names[] = {"strict", "allow_all_but_log"};
    int p;
    if (field_enum(c, key, v, names, 2, &p))
        c->m->sgx->file_check_policy = (Geode__FileCheckPolicy)p;
}

static void sgx_isvprodid(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_u32(c, key, v, UINT16_MAX, &c->m->sgx->isvprodid);
}

static void sgx_isvsvn(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_u32(c, key, v, UINT16_MAX, &c->m->sgx->isvsvn);
}

static void sgx_remote_attestation(struct mctx *c, const char *key, const struct toml_value *v)
{
    static const char *const names[] = {"none", "epid", "dcap"};
    int ra;
    if (v->type == TOML_BOOL) { /* Gramine's deprecated boolean form */
        if (v->u.boolean)
            diag_error(c->d, v->pos, key, "'true' is ambiguous: write \"epid\" or \"dcap\"");
        else
            diag_warn(c->d, v->pos, key, "deprecated 'false', read as \"none\"");
        return;
    }
    if (field_enum(c, key, v, names, 3, &ra))
        c->m->sgx->remote_attestation = (Geode__RemoteAttestation)ra;
}

static void sgx_host_unconfined(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_bool(c, key, v, &c->m->sgx->insecure_host_unconfined);
}

/* Gramine's exitless RPC threads are Geode's OCALL workers (the same host
 * threads serving OCALLs from a shared queue): the number becomes
 * geode.ocall_workers unless that key is written too (manifest.c). */
static void sgx_rpc_threads(struct mctx *c, const char *key, const struct toml_value *v)
{
    uint32_t n;
    if (field_u32(c, key, v, 64, &n))
        c->rpc_threads = n;
}

const struct rule sgx_rules[] = {
    {"sgx.enclave_size", sgx_enclave_size},
    {"sgx.max_threads", sgx_max_threads},
    {"sgx.debug", sgx_debug},
    {"sgx.trusted_files", sgx_trusted_files},
    {"sgx.allowed_files", sgx_allowed_files},
    {"sgx.file_check_policy", sgx_file_check_policy},
    {"sgx.isvprodid", sgx_isvprodid},
    {"sgx.isvsvn", sgx_isvsvn},
    {"sgx.remote_attestation", sgx_remote_attestation},
    {"sgx.edmm_enable", sgx_edmm_enable},
    {"sgx.edmm_precommit_size", sgx_edmm_precommit_size},
    {"sgx.insecure__host_unconfined", sgx_host_unconfined},
    {"sgx.insecure__rpc_thread_num", sgx_rpc_threads},
    {"sgx.rpc_thread_num", sgx_rpc_threads},
    {NULL, NULL},
};

static void geode_mode(struct mctx *c, const char *key, const struct toml_value *v)
{
    static const char *const names[] = {"auto", "sgx", "sim", "direct"};
    int mode;
    if (field_enum(c, key, v, names, 4, &mode))
        c->m->geode->mode = (Geode__RunMode)mode;
}

static void geode_aex_notify(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_bool(c, key, v, &c->m->geode->aex_notify);
}

static void geode_ocall_workers(struct mctx *c, const char *key, const struct toml_value *v)
{
    if (field_u32(c, key, v, 64, &c->m->geode->ocall_workers))
        c->ocall_workers_given = true;
}

static void geode_syscall_rewrite(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_bool(c, key, v, &c->m->geode->syscall_rewrite);
}

static void geode_epc_loss_restarts(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_u32(c, key, v, 100, &c->m->geode->epc_loss_restarts);
}

static void geode_process_pool(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_u32(c, key, v, 16, &c->m->geode->process_pool);
}

static void geode_nssa(struct mctx *c, const char *key, const struct toml_value *v)
{
    uint32_t n;
    if (!field_u32(c, key, v, 16, &n))
        return;
    if (n < 2)
        diag_error(c->d, v->pos, key, "must be at least 2 (one frame for the exception handler)");
    else
        c->m->geode->nssa = n;
}

static void geode_host_network(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_bool(c, key, v, &c->m->geode->host_network);
}

const struct rule geode_rules[] = {
    {"geode.mode", geode_mode},
    {"geode.aex_notify", geode_aex_notify},
    {"geode.ocall_workers", geode_ocall_workers},
    {"geode.syscall_rewrite", geode_syscall_rewrite},
    {"geode.epc_loss_restarts", geode_epc_loss_restarts},
    {"geode.nssa", geode_nssa},
    {"geode.process_pool", geode_process_pool},
    {"geode.host_network", geode_host_network},
    {NULL, NULL},
};
