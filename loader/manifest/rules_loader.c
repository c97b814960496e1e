/* loader.*, libos.*, sys.* keys. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "manifest/rules.h"

#define MAX_SERIALIZED (1 << 20)

static void libos_entrypoint(struct mctx *c, const char *key, const struct toml_value *v)
{
    if (!field_string(c, key, v, &c->m->entrypoint))
        return;
    if (!strncmp(c->m->entrypoint, "file:", 5))
        diag_error(c->d, v->pos, key,
                   "must be a path inside the enclave (e.g. \"/usr/bin/python3\"), not a URI");
    else if (!c->m->entrypoint[0])
        diag_error(c->d, v->pos, key, "must not be empty");
}

/* A relative libos.entrypoint starts from fs.start_dir, as Gramine reads
 * it (its nginx example runs "install/sbin/nginx"). */
static void entrypoint_resolve(struct mctx *c)
{
    const char *ep = c->m->entrypoint, *dir = c->m->start_dir;
    if (!ep[0] || ep[0] == '/')
        return;
    while (ep[0] == '.' && ep[1] == '/')
        ep += 2;
    size_t n = strlen(dir) + strlen(ep) + 2;
    char *abs = xcalloc(n, 1);
    snprintf(abs, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", ep);
    str_set(&c->m->entrypoint, abs);
    free(abs);
}

/* loader.entrypoint names the libOS image: "file:..." or {uri, sha256}. */
static void loader_entrypoint(struct mctx *c, const char *key, const struct toml_value *v)
{
    static const char *const allowed[] = {"uri", "sha256", NULL};
    const struct toml_value *uri = v;
    if (v->type == TOML_TABLE) {
        check_table_keys(c, key, v, allowed);
        const struct toml_value *sha = toml_get(v, "sha256");
        if (sha)
            field_sha256(c, "loader.entrypoint.sha256", sha, &c->m->libos_sha256);
        uri = toml_get(v, "uri");
        if (!uri) {
            diag_error(c->d, v->pos, key, "missing 'uri'");
            return;
        }
        key = "loader.entrypoint.uri";
    }
    if (!field_string(c, key, uri, &c->m->libos_uri))
        return;
    c->gramine_style = true;
    if (strncmp(c->m->libos_uri, "file:", 5)) {
        diag_error(c->d, uri->pos, key, "must be a \"file:\" URI");
        return;
    }
    /* A manifest rendered by gramine-manifest names Gramine's own libOS
     * ({{ gramine.libos }}): Geode runs the program with its own, as a
     * template rendered by `geode manifest render` would say. */
    const char *base = strrchr(c->m->libos_uri, '/');
    base = base ? base + 1 : c->m->libos_uri + 5;
    if (!strcmp(base, "libsysdb.so")) {
        diag_warn(c->d, uri->pos, key, "names Gramine's libOS (%s); Geode's own libOS is used",
                  c->m->libos_uri + 5);
        str_set(&c->m->libos_uri, "");
        if (c->m->libos_sha256.len) {
            free(c->m->libos_sha256.data);
            c->m->libos_sha256 = (ProtobufCBinaryData){0, NULL};
        }
        return;
    }
    uri_make_absolute(c, &c->m->libos_uri);
}

static void loader_argv(struct mctx *c, const char *key, const struct toml_value *v)
{
    if (!field_type(c, key, v, TOML_ARRAY))
        return;
    if (c->m->n_argv) {
        diag_error(c->d, v->pos, key, "loader.argv and loader.argv_src_file exclude each other");
        return;
    }
    for (size_t i = 0; i < v->u.array.len; i++) {
        char *arg = NULL;
        if (field_string(c, key, v->u.array.items[i], &arg))
            array_push((void ***)&c->m->argv, &c->m->n_argv, arg);
    }
}

/* A file of NUL-terminated strings (gramine-argv-serializer's format),
 * named by a "file:" URI; NULL after a diagnostic. */
static char *read_serialized(struct mctx *c, const char *key, struct toml_pos pos, const char *path,
                             size_t *len)
{
    /* A regular file only: a FIFO or a terminal would block the load. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    const char *why = fd < 0                                ? strerror(errno)
                      : fstat(fd, &st) < 0                  ? strerror(errno)
                      : !S_ISREG(st.st_mode)                ? "not a regular file"
                      : st.st_size >= (off_t)MAX_SERIALIZED ? "larger than 1 MiB"
                                                            : NULL;
    char *buf = xcalloc(MAX_SERIALIZED, 1);
    ssize_t n = why ? 0 : read(fd, buf, MAX_SERIALIZED);
    if (fd >= 0)
        close(fd);
    if (!why && (n < 0 || (n > 0 && buf[n - 1])))
        why = n < 0 ? strerror(errno) : "not NUL-terminated strings";
    if (why) {
        diag_error(c->d, pos, key, "%s: %s", path, why);
        free(buf);
        return NULL;
    }
    *len = (size_t)n;
    return buf;
}

/* The arguments are read here and become part of the manifest, so inside
 * an enclave they are measured as the trusted file Gramine requires. */
static void loader_argv_src_file(struct mctx *c, const char *key, const struct toml_value *v)
{
    char *uri = NULL;
    size_t len;
    if (!field_string(c, key, v, &uri))
        return;
    if (strncmp(uri, "file:", 5)) {
        diag_error(c->d, v->pos, key, "must be a \"file:\" URI");
    } else if (c->m->n_argv) {
        diag_error(c->d, v->pos, key, "loader.argv and loader.argv_src_file exclude each other");
    } else {
        uri_make_absolute(c, &uri);
        char *buf = read_serialized(c, key, v->pos, uri + 5, &len);
        for (size_t i = 0; buf && i < len; i += strlen(buf + i) + 1)
            array_push((void ***)&c->m->argv, &c->m->n_argv, xstrdup(buf + i));
        free(buf);
    }
    free(uri);
}

static void loader_env_src_file(struct mctx *c, const char *key, const struct toml_value *v)
{
    if (!field_string(c, key, v, &c->env_src))
        return;
    if (strncmp(c->env_src, "file:", 5))
        diag_error(c->d, v->pos, key, "must be a \"file:\" URI");
    uri_make_absolute(c, &c->env_src);
    c->env_src_pos = v->pos;
}

void loader_finish(struct mctx *c)
{
    entrypoint_resolve(c);
    loader_env_src_apply(c);
}

void loader_env_src_apply(struct mctx *c)
{
    const char *key = "loader.env_src_file";
    size_t len;
    if (!c->env_src || strncmp(c->env_src, "file:", 5))
        return;
    char *buf = read_serialized(c, key, c->env_src_pos, c->env_src + 5, &len);
    for (size_t i = 0; buf && i < len; i += strlen(buf + i) + 1) {
        const char *eq = strchr(buf + i, '=');
        if (!eq || eq == buf + i) {
            diag_error(c->d, c->env_src_pos, key, "\"%s\" is not NAME=VALUE", buf + i);
            continue;
        }
        bool given = false; /* loader.env wins */
        for (size_t j = 0; j < c->m->n_env && !given; j++)
            given = strlen(c->m->env[j]->name) == (size_t)(eq - (buf + i)) &&
                    !strncmp(c->m->env[j]->name, buf + i, (size_t)(eq - (buf + i)));
        if (given)
            continue;
        Geode__EnvVar *e = xcalloc(1, sizeof(*e));
        geode__env_var__init(e);
        e->name = xcalloc((size_t)(eq - (buf + i)) + 1, 1);
        memcpy(e->name, buf + i, (size_t)(eq - (buf + i)));
        str_set(&e->value, eq + 1);
        array_push((void ***)&c->m->env, &c->m->n_env, e);
    }
    free(buf);
}

static bool valid_env_name(const char *name, size_t len)
{
    return len > 0 && strlen(name) == len && !strchr(name, '=');
}

static void env_var(struct mctx *c, const char *key, const struct toml_kv *kv)
{
    static const char *const allowed[] = {"value", "passthrough", NULL};
    const struct toml_value *v = kv->value;
    if (!valid_env_name(kv->key, kv->key_len)) {
        diag_error(c->d, kv->pos, key, "invalid environment variable name");
        return;
    }
    Geode__EnvVar *e = xcalloc(1, sizeof(*e));
    geode__env_var__init(e);
    str_set(&e->name, kv->key);
    str_set(&e->value, "");
    array_push((void ***)&c->m->env, &c->m->n_env, e);
    if (v->type == TOML_STRING) {
        field_string(c, key, v, &e->value);
        return;
    }
    if (v->type != TOML_TABLE) {
        diag_error(c->d, v->pos, key,
                   "expected a string, {value = \"...\"} or {passthrough = true}, got %s",
                   toml_type_name(v->type));
        return;
    }
    check_table_keys(c, key, v, allowed);
    const struct toml_value *value = toml_get(v, "value");
    const struct toml_value *pass = toml_get(v, "passthrough");
    if (value && pass)
        diag_error(c->d, v->pos, key, "'value' and 'passthrough' are mutually exclusive");
    else if (value)
        field_string(c, key, value, &e->value);
    else if (!pass)
        diag_error(c->d, v->pos, key, "needs 'value' or 'passthrough'");
    else if (field_bool(c, key, pass, &e->passthrough) && !e->passthrough)
        diag_error(c->d, pass->pos, key, "'passthrough = false' is not allowed; omit the variable");
}

static void loader_env(struct mctx *c, const char *key, const struct toml_value *v)
{
    if (!field_type(c, key, v, TOML_TABLE))
        return;
    for (size_t i = 0; i < v->u.table.len; i++) {
        const struct toml_kv *kv = &v->u.table.items[i];
        char path[512];
        subkey(path, sizeof(path), key, ".");
        strncat(path, kv->key, sizeof(path) - strlen(path) - 1);
        env_var(c, path, kv);
    }
}

static void loader_log_level(struct mctx *c, const char *key, const struct toml_value *v)
{
    static const char *const names[] = {"none", "error", "warning", "debug", "trace", "all"};
    int level;
    if (field_enum(c, key, v, names, 6, &level))
        c->m->log_level = (Geode__LogLevel)level;
}

static void loader_use_cmdline_argv(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_bool(c, key, v, &c->m->use_cmdline_argv);
}

static void loader_use_host_env(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_bool(c, key, v, &c->m->use_host_env);
}

static void loader_uid(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_u32(c, key, v, UINT32_MAX, &c->m->uid);
}

static void loader_gid(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_u32(c, key, v, UINT32_MAX, &c->m->gid);
}

static void sys_stack_size(struct mctx *c, const char *key, const struct toml_value *v)
{
    uint64_t size;
    if (!field_size(c, key, v, &size))
        return;
    if (size < 16384 || size % 4096)
        diag_error(c->d, v->pos, key, "must be a multiple of 4K and at least 16K");
    else
        c->m->stack_size = size, c->stack_pos = v->pos;
}

static void sys_brk_max_size(struct mctx *c, const char *key, const struct toml_value *v)
{
    uint64_t size;
    if (!field_size(c, key, v, &size))
        return;
    if (size % 4096)
        diag_error(c->d, v->pos, key, "must be a multiple of 4K");
    else
        c->m->brk_max_size = size, c->brk_pos = v->pos;
}

static void sys_sigterm(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_bool(c, key, v, &c->m->enable_sigterm_injection);
}

static void sys_no_subprocesses(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_bool(c, key, v, &c->m->disallow_subprocesses);
}

static void sys_dns_conf(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_bool(c, key, v, &c->m->extra_domain_names_conf);
}

/* The most the libOS's descriptor table holds (FD_MAX in
 * libos/core/file.h, which /proc/sys/fs/nr_open reports inside: Linux's
 * default nr_open). */
#define FDS_MAX 1048576

static void sys_fds_limit(struct mctx *c, const char *key, const struct toml_value *v)
{
    uint32_t n;
    if (!field_u32(c, key, v, UINT32_MAX, &n))
        return;
    if (n == 0) {
        diag_error(c->d, v->pos, key, "must be at least 1");
        return;
    }
    if (n > FDS_MAX) {
        diag_warn(c->d, v->pos, key,
                  "above nr_open (%d, the most RLIMIT_NOFILE may be): RLIMIT_NOFILE is %d, not %u",
                  FDS_MAX, FDS_MAX, n);
        n = FDS_MAX;
    }
    c->m->fds_limit = n;
}

static void sys_shm_untrusted(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_bool(c, key, v, &c->m->shared_memory_untrusted);
}

static void sys_allow_eventfd(struct mctx *c, const char *key, const struct toml_value *v)
{
    field_bool(c, key, v, &c->m->allow_eventfd);
}

const struct rule loader_rules[] = {
    {"libos.entrypoint", libos_entrypoint},
    {"loader.entrypoint", loader_entrypoint},
    {"loader.argv", loader_argv},
    {"loader.argv_src_file", loader_argv_src_file},
    {"loader.env_src_file", loader_env_src_file},
    {"loader.insecure__use_cmdline_argv", loader_use_cmdline_argv},
    {"loader.env", loader_env},
    {"loader.insecure__use_host_env", loader_use_host_env},
    {"loader.log_level", loader_log_level},
    {"loader.uid", loader_uid},
    {"loader.gid", loader_gid},
    {"sys.stack.size", sys_stack_size},
    {"sys.brk.max_size", sys_brk_max_size},
    {"sys.enable_sigterm_injection", sys_sigterm},
    {"sys.insecure__shared_memory_untrusted", sys_shm_untrusted},
    {"sys.insecure__allow_eventfd", sys_allow_eventfd},
    {"loader.insecure__allow_eventfd", sys_allow_eventfd},
    {"sys.disallow_subprocesses", sys_no_subprocesses},
    {"sys.fds.limit", sys_fds_limit},
    {"sys.enable_extra_runtime_domain_names_conf", sys_dns_conf},
    {NULL, NULL},
};
