/* fs.* keys: the root file system, the start directory and the mounts. */
#include <stdlib.h>
#include <string.h>

#include "hexfmt.h"
#include "manifest/rules.h"

static bool key_name_ok(const char *name);
static void check_key_names(struct mctx *c, const char *key, const struct toml_value *t,
                            const Geode__Mount *mnt);

static const char *const mount_type_names[] = {"chroot", "tmpfs", "encrypted", "untrusted_shm"};

static bool is_abs_path(const char *p)
{
    return p[0] == '/';
}

void uri_make_absolute(struct mctx *c, char **uri)
{
    if (!*uri || strncmp(*uri, "file:", 5) || (*uri)[5] == '/' || !(*uri)[5] || !c->base_dir)
        return;
    const char *rel = *uri + 5;
    while (rel[0] == '.' && rel[1] == '/')
        rel += 2;
    size_t n = strlen(c->base_dir) + strlen(rel) + 8;
    char *abs = xcalloc(n, 1);
    snprintf(abs, n, "file:%s%s%s", c->base_dir, strcmp(c->base_dir, "/") ? "/" : "",
             strcmp(rel, ".") ? rel : "");
    free(*uri);
    *uri = abs;
}

static bool get_mount_type(struct mctx *c, const char *key, const struct toml_value *t,
                           Geode__Mount *mnt)
{
    const struct toml_value *type = toml_get(t, "type");
    int ty = GEODE__MOUNT_TYPE__MOUNT_CHROOT;
    char path[512];
    subkey(path, sizeof(path), key, ".type");
    if (type && !field_enum(c, path, type, mount_type_names, 4, &ty))
        return false;
    mnt->type = (Geode__MountType)ty;
    return true;
}

static void check_mount_uri(struct mctx *c, const char *key, const struct toml_value *t,
                            Geode__Mount *mnt)
{
    const struct toml_value *uri = toml_get(t, "uri");
    char path[512];
    subkey(path, sizeof(path), key, ".uri");
    if (mnt->type == GEODE__MOUNT_TYPE__MOUNT_TMPFS) {
        if (uri)
            diag_error(c->d, uri->pos, path, "a tmpfs mount takes no 'uri'");
        return;
    }
    if (!uri) {
        diag_error(c->d, t->pos, key, "missing 'uri' (e.g. uri = \"file:/host/dir\")");
        return;
    }
    if (!field_string(c, path, uri, &mnt->uri))
        return;
    /* Gramine writes untrusted_shm mounts as "dev:/dev/shm": a host path. */
    if (mnt->type == GEODE__MOUNT_TYPE__MOUNT_UNTRUSTED_SHM && !strncmp(mnt->uri, "dev:", 4)) {
        size_t n = strlen(mnt->uri) + 2;
        char *file = xcalloc(n, 1);
        snprintf(file, n, "file:%s", mnt->uri + 4);
        str_set(&mnt->uri, file);
        free(file);
    }
    if (strncmp(mnt->uri, "file:", 5))
        diag_error(c->d, uri->pos, path, "must be a \"file:\" URI");
    else
        uri_make_absolute(c, &mnt->uri);
}

static void check_mount_key(struct mctx *c, const char *key, const struct toml_value *t,
                            Geode__Mount *mnt)
{
    const struct toml_value *kn = toml_get(t, "key_name");
    char path[512];
    subkey(path, sizeof(path), key, ".key_name");
    if (mnt->type != GEODE__MOUNT_TYPE__MOUNT_ENCRYPTED) {
        if (kn)
            diag_error(c->d, kn->pos, path, "only encrypted mounts take a 'key_name'");
        return;
    }
    str_set(&mnt->key_name, "default");
    if (kn)
        field_string(c, path, kn, &mnt->key_name);
    check_key_names(c, key, t, mnt);
}

static Geode__Mount *parse_mount(struct mctx *c, const char *key, const struct toml_value *t)
{
    static const char *const allowed[] = {"type", "path", "uri", "key_name", NULL};
    if (!field_type(c, key, t, TOML_TABLE))
        return NULL;
    check_table_keys(c, key, t, allowed);
    Geode__Mount *mnt = xcalloc(1, sizeof(*mnt));
    geode__mount__init(mnt);
    if (get_mount_type(c, key, t, mnt)) {
        check_mount_uri(c, key, t, mnt);
        check_mount_key(c, key, t, mnt);
    }
    return mnt;
}

static void check_mount_path(struct mctx *c, const char *key, const struct toml_value *t,
                             Geode__Mount *mnt)
{
    const struct toml_value *p = toml_get(t, "path");
    char path[540];
    subkey(path, sizeof(path), key, ".path");
    if (!p) {
        diag_error(c->d, t->pos, key, "missing 'path' (where the mount appears inside)");
        return;
    }
    if (!field_string(c, path, p, &mnt->path))
        return;
    if (!is_abs_path(mnt->path))
        diag_error(c->d, p->pos, path, "must be an absolute path");
    else if (!strcmp(mnt->path, "/"))
        diag_error(c->d, p->pos, path, "mount '/' with fs.root, not fs.mounts");
}

static void fs_mounts(struct mctx *c, const char *key, const struct toml_value *v)
{
    if (!field_type(c, key, v, TOML_ARRAY))
        return;
    for (size_t i = 0; i < v->u.array.len; i++) {
        const struct toml_value *t = v->u.array.items[i];
        char path[512];
        subkey_index(path, sizeof(path), key, i);
        Geode__Mount *mnt = parse_mount(c, path, t);
        if (!mnt)
            continue;
        array_push((void ***)&c->m->mounts, &c->m->n_mounts, mnt);
        check_mount_path(c, path, t, mnt);
    }
}

/* Gramine's old "fs.mount.NAME = { type, path, uri }" tables, in order. */
static void fs_mount_legacy(struct mctx *c, const char *key, const struct toml_value *v)
{
    if (!field_type(c, key, v, TOML_TABLE))
        return;
    diag_warn(c->d, v->pos, key, "Gramine's old fs.mount.NAME syntax, read as fs.mounts = [...]");
    for (size_t i = 0; i < v->u.table.len; i++) {
        const struct toml_kv *kv = &v->u.table.items[i];
        char path[512];
        snprintf(path, sizeof(path), "%s.%s", key, kv->key);
        Geode__Mount *mnt = parse_mount(c, path, kv->value);
        if (!mnt)
            continue;
        array_push((void ***)&c->m->mounts, &c->m->n_mounts, mnt);
        check_mount_path(c, path, kv->value, mnt);
    }
}

static void fs_root(struct mctx *c, const char *key, const struct toml_value *v)
{
    static const char *const allowed[] = {"type", "uri", "path", NULL};
    if (!field_type(c, key, v, TOML_TABLE))
        return;
    check_table_keys(c, key, v, allowed);
    Geode__Mount *root = c->m->root;
    c->root_given = true;
    if (!get_mount_type(c, key, v, root))
        return;
    if (root->type == GEODE__MOUNT_TYPE__MOUNT_ENCRYPTED)
        diag_error(c->d, v->pos, key, "the root cannot be an encrypted mount");
    if (root->type == GEODE__MOUNT_TYPE__MOUNT_UNTRUSTED_SHM)
        diag_error(c->d, v->pos, key, "the root cannot be an untrusted_shm mount");
    check_mount_uri(c, key, v, root);
    if (root->type == GEODE__MOUNT_TYPE__MOUNT_TMPFS)
        str_set(&root->uri, "");
    const struct toml_value *p = toml_get(v, "path");
    if (p && p->type == TOML_STRING && strcmp(p->u.str.ptr, "/"))
        diag_error(c->d, p->pos, "fs.root.path", "must be \"/\" if given");
}

static void fs_start_dir(struct mctx *c, const char *key, const struct toml_value *v)
{
    if (field_string(c, key, v, &c->m->start_dir) && !is_abs_path(c->m->start_dir))
        diag_error(c->d, v->pos, key, "must be an absolute path");
}

/* A key name as Gramine's (libos/fs/keys.h): 1..63 of [A-Za-z0-9_.-]. */
static bool key_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 63 || !strcmp(name, ".") || !strcmp(name, ".."))
        return false;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* fs.insecure__keys.<name> = "<32 hex digits>": a 128-bit key in the
 * manifest, readable by anyone who has it (tests, development). */
static void fs_insecure_keys(struct mctx *c, const char *key, const struct toml_value *v)
{
    if (!field_type(c, key, v, TOML_TABLE))
        return;
    for (size_t i = 0; i < v->u.table.len; i++) {
        const struct toml_kv *kv = &v->u.table.items[i];
        char path[512];
        uint8_t bytes[16];
        snprintf(path, sizeof(path), "%s.%s", key, kv->key);
        if (!key_name_ok(kv->key) || !strncmp(kv->key, "_sgx_", 5)) {
            diag_error(c->d, kv->value->pos, path,
                       "a key name is 1-63 of [A-Za-z0-9_.-], not starting with _sgx_");
            continue;
        }
        if (!field_type(c, path, kv->value, TOML_STRING))
            continue;
        if (kv->value->u.str.len != 32 || hex_decode(kv->value->u.str.ptr, bytes, 16) < 0) {
            diag_error(c->d, kv->value->pos, path, "expected a 128-bit key as 32 hex digits");
            continue;
        }
        diag_warn(c->d, kv->value->pos, path,
                  "a key written in the manifest is not secret: for tests only (provision keys "
                  "at run time, or use _sgx_mrenclave / _sgx_mrsigner)");
        Geode__NamedKey *nk = xcalloc(1, sizeof(*nk));
        geode__named_key__init(nk);
        str_set(&nk->name, kv->key);
        nk->key.data = xcalloc(16, 1);
        memcpy(nk->key.data, bytes, 16);
        nk->key.len = 16;
        array_push((void ***)&c->m->insecure_keys, &c->m->n_insecure_keys, nk);
    }
}

static void check_key_names(struct mctx *c, const char *key, const struct toml_value *t,
                            const Geode__Mount *mnt)
{
    if (mnt->key_name && !key_name_ok(mnt->key_name))
        diag_error(c->d, t->pos, key, "key_name \"%s\": 1-63 of [A-Za-z0-9_.-]", mnt->key_name);
}

const struct rule fs_rules[] = {
    {"fs.insecure__keys", fs_insecure_keys},
    {"fs.root", fs_root},
    {"fs.start_dir", fs_start_dir},
    {"fs.mounts", fs_mounts},
    {"fs.mount", fs_mount_legacy},
    {NULL, NULL},
};
