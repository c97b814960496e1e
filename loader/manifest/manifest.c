/* Loading a manifest: read, parse TOML, apply the schema over defaults,
 * then the checks that span several keys. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/canon.h"
#include "manifest/rules.h"

/* Defaults, documented in docs/manifest.md. */
#define DEFAULT_STACK_SIZE (8ull << 20)
#define DEFAULT_BRK_MAX_SIZE (64ull << 20)
#define DEFAULT_ENCLAVE_SIZE (256ull << 20)
#define DEFAULT_MAX_THREADS 4
#define DEFAULT_EPC_LOSS_RESTARTS 3
#define DEFAULT_NSSA 3

static geode_manifest *manifest_new_default(void)
{
    geode_manifest *m = xcalloc(1, sizeof(*m));
    geode__manifest__init(m);
    str_set(&m->entrypoint, "");
    str_set(&m->libos_uri, "");
    str_set(&m->start_dir, "/");
    m->log_level = GEODE__LOG_LEVEL__LOG_ERROR;
    m->stack_size = DEFAULT_STACK_SIZE;
    m->brk_max_size = DEFAULT_BRK_MAX_SIZE;
    m->root = xcalloc(1, sizeof(*m->root));
    geode__mount__init(m->root);
    str_set(&m->root->path, "/");
    str_set(&m->root->uri, "file:/");
    m->sgx = xcalloc(1, sizeof(*m->sgx));
    geode__sgx__init(m->sgx);
    m->sgx->enclave_size = DEFAULT_ENCLAVE_SIZE;
    m->sgx->max_threads = DEFAULT_MAX_THREADS;
    m->geode = xcalloc(1, sizeof(*m->geode));
    geode__geode_options__init(m->geode);
    m->geode->aex_notify = 1;
    m->geode->syscall_rewrite = 1;
    m->geode->host_network = 1;
    m->geode->epc_loss_restarts = DEFAULT_EPC_LOSS_RESTARTS;
    m->geode->nssa = DEFAULT_NSSA;
    return m;
}

void manifest_free(geode_manifest *m)
{
    if (m)
        protobuf_c_message_free_unpacked(&m->base, NULL);
}

static void check_duplicate_mounts(struct mctx *c)
{
    const struct toml_pos nowhere = {1, 1};
    for (size_t i = 0; i < c->m->n_mounts; i++)
        for (size_t j = 0; j < i; j++)
            if (c->m->mounts[i]->path && c->m->mounts[j]->path &&
                !strcmp(c->m->mounts[i]->path, c->m->mounts[j]->path))
                diag_error(c->d, nowhere, "fs.mounts", "path '%s' is mounted twice",
                           c->m->mounts[i]->path);
}

/* A URI listed twice is kept once, as Gramine does (its templates list
 * gramine.runtimedir() and arch_libdir, the same directory under Geode);
 * two different sha256 for it are an error. */
static void check_duplicate_trusted(struct mctx *c)
{
    const struct toml_pos nowhere = {1, 1};
    Geode__Sgx *sgx = c->m->sgx;
    for (size_t i = 0; i < sgx->n_trusted_files; i++) {
        Geode__TrustedFile *a = sgx->trusted_files[i];
        for (size_t j = 0; a && a->uri && j < i; j++) {
            Geode__TrustedFile *b = sgx->trusted_files[j];
            if (!b->uri || strcmp(a->uri, b->uri))
                continue;
            if (a->sha256.len && b->sha256.len &&
                (a->sha256.len != b->sha256.len ||
                 memcmp(a->sha256.data, b->sha256.data, a->sha256.len))) {
                diag_error(c->d, nowhere, "sgx.trusted_files",
                           "'%s' is listed twice with different sha256", a->uri);
                break;
            }
            if (a->sha256.len && !b->sha256.len) { /* keep the measured one */
                sgx->trusted_files[j] = a;
                a = b;
            }
            geode__trusted_file__free_unpacked(a, NULL);
            memmove(&sgx->trusted_files[i], &sgx->trusted_files[i + 1],
                    (sgx->n_trusted_files - i - 1) * sizeof(a));
            sgx->n_trusted_files--;
            i--;
            break;
        }
    }
}

/* Gramine's root, when its manifest names none, is the directory it runs
 * in: a Gramine-style manifest (one naming loader.entrypoint, which every
 * Gramine manifest does) gets the manifest's directory as its root. */
static void gramine_root(struct mctx *c)
{
    if (c->root_given || !c->gramine_style || !c->base_dir)
        return;
    size_t n = strlen(c->base_dir) + 6;
    char *uri = xcalloc(n, 1);
    snprintf(uri, n, "file:%s", c->base_dir);
    str_set(&c->m->root->uri, uri);
    free(uri);
}

/* The program's stack and brk live in the enclave's heap, with the
 * program, the libOS and the PAL's own pages: when the manifest sets
 * them, they cannot fill it. */
static void check_fits(struct mctx *c)
{
    uint64_t size = c->m->sgx->enclave_size;
    bool brk = c->brk_pos.line != 0, stack = c->stack_pos.line != 0;
    /* The default brk is a quarter of a small enclave (as of 256M). */
    if (!brk && c->m->brk_max_size > size / 4)
        c->m->brk_max_size = size / 4;
    uint64_t need = c->m->stack_size + c->m->brk_max_size;
    if ((brk || stack) && need >= size)
        diag_error(c->d, brk ? c->brk_pos : c->stack_pos, brk ? "sys.brk.max_size" : "sys.stack.size",
                   "sys.stack.size (%llu MiB) and sys.brk.max_size (%llu MiB) do not fit in "
                   "sgx.enclave_size (%llu MiB) with the program and the libOS: raise "
                   "sgx.enclave_size or lower them",
                   (unsigned long long)(c->m->stack_size >> 20),
                   (unsigned long long)(c->m->brk_max_size >> 20), (unsigned long long)(size >> 20));
}

static void check_whole(struct mctx *c, const struct toml_value *root)
{
    if (!c->m->entrypoint[0])
        diag_error(c->d, root->pos, "libos.entrypoint",
                   "missing: the program to run (e.g. libos.entrypoint = \"/bin/busybox\")");
    loader_finish(c);
    if (!c->m->use_cmdline_argv && c->m->n_argv == 0)
        array_push((void ***)&c->m->argv, &c->m->n_argv, xstrdup(c->m->entrypoint));
    check_duplicate_mounts(c);
    check_duplicate_trusted(c);
    gramine_root(c);
    if (!c->ocall_workers_given && c->rpc_threads >= 0)
        c->m->geode->ocall_workers = (uint32_t)c->rpc_threads;
    check_fits(c);
}

/* The absolute directory of the manifest file name (the current directory
 * for a bare name); NULL when it cannot be found. */
static char *manifest_dir(const char *name)
{
    const char *slash = strrchr(name, '/');
    char *dir = slash ? strndup(name, slash == name ? 1 : (size_t)(slash - name)) : strdup(".");
    char *abs = dir ? realpath(dir, NULL) : NULL;
    free(dir);
    return abs;
}

geode_manifest *manifest_parse(const char *name, const char *text, size_t len, FILE *diag,
                               int *nerrors)
{
    struct diag d = {.file = name, .out = diag};
    struct toml_error err;
    /* Gramine's parser takes TOML 1.1 inline tables (its sqlite example
     * spreads one over two lines); so does Geode, for manifests only. */
    struct toml_value *root = toml_parse_flags(text, len, TOML_INLINE_1_1, &err);
    if (!root) {
        struct toml_pos pos = {err.line, err.col};
        diag_error(&d, pos, NULL, "%s", err.msg);
        if (nerrors)
            *nerrors = d.errors;
        return NULL;
    }
    char *base = manifest_dir(name);
    struct mctx c = {.d = &d, .m = manifest_new_default(), .base_dir = base,
                     .rpc_threads = -1};
    schema_apply(&c, root);
    check_whole(&c, root);
    toml_free(root);
    free(base);
    free(c.env_src);
    if (nerrors)
        *nerrors = d.errors;
    if (d.errors) {
        manifest_free(c.m);
        return NULL;
    }
    manifest_canonicalize(c.m);
    return c.m;
}

static char *read_file(const char *path, size_t *len, FILE *diag)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(diag, "%s: error: cannot open: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 8192, n = 0;
    char *buf = xcalloc(cap + 1, 1);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, cap * 2 + 1);
            if (!bigger)
                break;
            buf = bigger;
            cap *= 2;
        }
    }
    bool bad = ferror(f) || n == cap;
    fclose(f);
    if (bad) {
        fprintf(diag, "%s: error: cannot read the file\n", path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

geode_manifest *manifest_load(const char *path, FILE *diag)
{
    size_t len;
    char *text = read_file(path, &len, diag);
    if (!text)
        return NULL;
    geode_manifest *m = manifest_parse(path, text, len, diag, NULL);
    free(text);
    return m;
}
