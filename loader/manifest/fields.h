/* Typed access to TOML values for the manifest schema. Each getter checks
 * the value's type and range, reports a diagnostic naming the key on
 * failure, and returns false then (the destination is left unchanged). */
#ifndef GEODE_MANIFEST_FIELDS_H
#define GEODE_MANIFEST_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

#include "manifest/diag.h"
#include "manifest/manifest.h"

struct mctx {
    struct diag *d;
    geode_manifest *m;
    /* Where sys.brk.max_size and sys.stack.size were given (line 0: left
     * at their defaults), for the checks across keys. */
    struct toml_pos brk_pos, stack_pos;
    /* The manifest's directory (absolute): relative "file:" URIs are
     * resolved against it (docs/manifest.md, "Gramine manifests"). */
    const char *base_dir;
    bool root_given; /* fs.root was written */
    bool gramine_style; /* loader.entrypoint was written (its root rule) */
    char *env_src;   /* loader.env_src_file's host path, read once all keys are seen */
    struct toml_pos env_src_pos;
    /* geode.ocall_workers was written; sgx.insecure__rpc_thread_num
     * (Gramine's name for the same host threads) applies only when not. */
    bool ocall_workers_given;
    int64_t rpc_threads; /* -1: not written */
};

bool field_type(struct mctx *c, const char *key, const struct toml_value *v, enum toml_type want);
bool field_string(struct mctx *c, const char *key, const struct toml_value *v, char **dst);
bool field_bool(struct mctx *c, const char *key, const struct toml_value *v,
                protobuf_c_boolean *dst);
bool field_uint(struct mctx *c, const char *key, const struct toml_value *v, uint64_t max,
                uint64_t *dst);
bool field_u32(struct mctx *c, const char *key, const struct toml_value *v, uint32_t max,
               uint32_t *dst);
bool field_size(struct mctx *c, const char *key, const struct toml_value *v, uint64_t *dst);
/* names[i] is the spelling of enum value i. */
bool field_enum(struct mctx *c, const char *key, const struct toml_value *v,
                const char *const *names, int count, int *dst);
/* 64 hex digits -> 32 bytes. */
bool field_sha256(struct mctx *c, const char *key, const struct toml_value *v,
                  ProtobufCBinaryData *dst);

/* Key names for diagnostics: key + suffix, or key + "[index]". Truncation
 * only shortens a message, so it is not an error. */
const char *subkey(char *buf, size_t size, const char *key, const char *suffix);
const char *subkey_index(char *buf, size_t size, const char *key, size_t index);

/* Replace *dst by a malloc'd copy of s; aborts the process on OOM. */
void str_set(char **dst, const char *s);
char *xstrdup(const char *s);
void *xcalloc(size_t n, size_t size);
/* Appends item to a protobuf-c repeated field (array of pointers). */
void array_push(void ***items, size_t *n, void *item);

#endif
