/* Walks a parsed manifest, applying the rule of every known key, warning
 * about Gramine keys Geode does not act on, and rejecting everything else
 * with a "did you mean" suggestion. */
#include <stdlib.h>
#include <string.h>

#include "manifest/rules.h"

const struct rule *const all_rules[] = {loader_rules, fs_rules, sgx_rules, geode_rules, NULL};

const char *const unsupported_gramine_keys[] = {
    "loader.pal_internal_mem_size",
    "loader.insecure__disable_aslr",
    "sys.insecure__shared_memory",
    "fs.experimental__enable_sysfs_topology",
    "sgx.edmm_enable_heap",
    "sgx.preheat_enclave",
    "sgx.enable_stats",
    "sgx.profile.",
    "sgx.vtune_profile",
    "sgx.use_exinfo",
    "sgx.insecure__allow_memfaults_without_exinfo",
    "sgx.cpu_features.",
    "sgx.require_avx",
    "sgx.require_avx512",
    "sgx.require_mpx",
    "sgx.require_pkru",
    "sgx.require_amx",
    "sgx.require_exinfo",
    "sgx.seal_key.",
    "sgx.isvextprodid",
    "sgx.isvfamilyid",
    "sgx.ra_client_spid",
    "sgx.ra_client_linkable",
    "sgx.static_address",
    NULL,
};

/* Gramine keys Geode does not act on, with what it does instead (warned,
 * not failed). An entry ending in '.' covers every key under it. */
static const struct {
    const char *key, *note;
} gramine_notes[] = {
    {"loader.preload",
     "Gramine 1.0's preloaded libOS; Geode's libOS is loader.entrypoint; ignored"},
    {"loader.log_file", "Geode logs to standard error; ignored"},
    {"sgx.nonpie_binary", "not needed: Geode loads a non-PIE program at its link address; ignored"},
    {"sgx.allowed_ioctls", "Geode passes no device ioctl to the host (they stay refused); ignored"},
    {"sgx.ioctl_structs.", "Geode passes no device ioctl to the host (they stay refused); ignored"},
    {"libos.check_invalid_pointers",
     "Geode always checks the program's pointers (EFAULT, as Linux); ignored"},
    {"sys.experimental__enable_flock", "flock(2) is always available in Geode; ignored"},
    {NULL, NULL},
};

const struct alias key_aliases[] = {
    {"sgx.thread_num", "sgx.max_threads"},
    {NULL, NULL},
};

static const struct rule *find_rule(const char *path)
{
    for (const struct rule *const *t = all_rules; *t; t++)
        for (const struct rule *r = *t; r->path; r++)
            if (!strcmp(r->path, path))
                return r;
    return NULL;
}

static bool has_prefix_dot(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return !strncmp(s, prefix, n) && s[n] == '.';
}

/* True when some known key lives below path, so its table is walked. */
static bool is_known_prefix(const char *path)
{
    for (const struct rule *const *t = all_rules; *t; t++)
        for (const struct rule *r = *t; r->path; r++)
            if (has_prefix_dot(r->path, path))
                return true;
    for (const char *const *k = unsupported_gramine_keys; *k; k++)
        if (has_prefix_dot(*k, path))
            return true;
    for (const struct alias *a = key_aliases; a->old_path; a++)
        if (has_prefix_dot(a->old_path, path))
            return true;
    for (size_t i = 0; gramine_notes[i].key; i++)
        if (has_prefix_dot(gramine_notes[i].key, path))
            return true;
    return false;
}

static bool key_matches(const char *path, const char *k)
{
    size_t n = strlen(k);
    return k[n - 1] == '.' ? !strncmp(path, k, n) : !strcmp(path, k);
}

static bool is_unsupported(const char *path)
{
    for (const char *const *k = unsupported_gramine_keys; *k; k++)
        if (key_matches(path, *k))
            return true;
    return false;
}

static const char *gramine_note(const char *path)
{
    for (size_t i = 0; gramine_notes[i].key; i++)
        if (key_matches(path, gramine_notes[i].key))
            return gramine_notes[i].note;
    return NULL;
}

static size_t min3(size_t a, size_t b, size_t c)
{
    return a < b ? (a < c ? a : c) : (b < c ? b : c);
}

/* Levenshtein distance, capped at 64 characters per word. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strnlen(a, 64), lb = strnlen(b, 64);
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            row[j] = min3(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1]));
            diag = up;
        }
    }
    return row[lb];
}

static void consider(const char *word, const char *cand, const char **best, size_t *best_d)
{
    size_t d = edit_distance(word, cand);
    if (d < *best_d) {
        *best_d = d;
        *best = cand;
    }
}

static bool close_enough(const char *word, size_t d)
{
    size_t len = strlen(word);
    return d <= (len > 10 ? len / 5 : 2);
}

static const char *suggest_key(const char *path)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (const struct rule *const *t = all_rules; *t; t++)
        for (const struct rule *r = *t; r->path; r++)
            consider(path, r->path, &best, &best_d);
    return best && close_enough(path, best_d) ? best : NULL;
}

static void unknown_key(struct mctx *c, const char *path, const struct toml_kv *kv)
{
    const char *s = suggest_key(path);
    if (s)
        diag_error(c->d, kv->pos, path, "unknown key (did you mean '%s'?)", s);
    else
        diag_error(c->d, kv->pos, path, "unknown key");
}

void check_table_keys(struct mctx *c, const char *key, const struct toml_value *t,
                      const char *const *allowed)
{
    for (size_t i = 0; i < t->u.table.len; i++) {
        const struct toml_kv *kv = &t->u.table.items[i];
        const char *best = NULL;
        size_t best_d = (size_t)-1;
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++) {
            ok = !strcmp(kv->key, *a);
            consider(kv->key, *a, &best, &best_d);
        }
        if (ok)
            continue;
        if (best && close_enough(kv->key, best_d))
            diag_error(c->d, kv->pos, key, "unknown key '%s' (did you mean '%s'?)", kv->key, best);
        else
            diag_error(c->d, kv->pos, key, "unknown key '%s'", kv->key);
    }
}

static void walk(struct mctx *c, const struct toml_value *t, const char *prefix);

static void visit(struct mctx *c, const char *path, const struct toml_kv *kv)
{
    const struct rule *r = find_rule(path);
    if (r) {
        r->apply(c, path, kv->value);
        return;
    }
    for (const struct alias *a = key_aliases; a->old_path; a++) {
        if (!strcmp(a->old_path, path)) {
            diag_warn(c->d, kv->pos, path, "deprecated, use '%s'", a->new_path);
            find_rule(a->new_path)->apply(c, a->new_path, kv->value);
            return;
        }
    }
    if (gramine_note(path))
        diag_warn(c->d, kv->pos, path, "%s", gramine_note(path));
    else if (is_unsupported(path))
        diag_warn(c->d, kv->pos, path, "Gramine key not supported by Geode; ignored");
    else if (kv->value->type == TOML_TABLE && is_known_prefix(path))
        walk(c, kv->value, path);
    else
        unknown_key(c, path, kv);
}

static void walk(struct mctx *c, const struct toml_value *t, const char *prefix)
{
    for (size_t i = 0; i < t->u.table.len; i++) {
        const struct toml_kv *kv = &t->u.table.items[i];
        char path[512];
        if (!kv->key[0] || strchr(kv->key, '.') || strlen(kv->key) != kv->key_len) {
            diag_error(c->d, kv->pos, prefix, "unknown key \"%s\" (quoted key)", kv->key);
            continue;
        }
        if (prefix)
            snprintf(path, sizeof(path), "%s.%s", prefix, kv->key);
        else
            snprintf(path, sizeof(path), "%s", kv->key);
        visit(c, path, kv);
    }
}

void schema_apply(struct mctx *c, const struct toml_value *root)
{
    walk(c, root, NULL);
}
