/* The manifest schema: one rule per key path, applied to the TOML value
 * found there. Composite keys (loader.env, fs.mounts, ...) take the whole
 * sub-tree and check it themselves. */
#ifndef GEODE_MANIFEST_RULES_H
#define GEODE_MANIFEST_RULES_H

#include "manifest/fields.h"

typedef void (*rule_fn)(struct mctx *c, const char *key, const struct toml_value *v);

struct rule {
    const char *path;
    rule_fn apply;
};

extern const struct rule loader_rules[];
extern const struct rule fs_rules[];
extern const struct rule sgx_rules[];
extern const struct rule geode_rules[];

/* The table of all rule tables, each ending with a NULL path. */
extern const struct rule *const all_rules[];

/* Gramine keys Geode accepts but does not act on (warned, not failed). An
 * entry ending in '.' covers every key under it. */
extern const char *const unsupported_gramine_keys[];

/* Deprecated spellings and what replaces them. */
struct alias {
    const char *old_path;
    const char *new_path;
};
extern const struct alias key_aliases[];

/* Makes a relative "file:" URI absolute against the manifest's directory
 * ("file:helloworld" -> "file:/dir/helloworld"), as Gramine reads such URIs
 * relative to the directory it runs in, where its manifest is. */
void uri_make_absolute(struct mctx *c, char **uri);

/* After every key: a relative libos.entrypoint made absolute from
 * fs.start_dir, and loader.env_src_file's variables (under those of
 * loader.env). */
void loader_finish(struct mctx *c);
void loader_env_src_apply(struct mctx *c);

/* Applies the schema to a parsed manifest. */
void schema_apply(struct mctx *c, const struct toml_value *root);

/* Rejects keys of a sub-table (e.g. one fs.mounts entry) outside allowed. */
void check_table_keys(struct mctx *c, const char *key, const struct toml_value *t,
                      const char *const *allowed);

#endif
