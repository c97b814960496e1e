#include <stdlib.h>
#include <string.h>

#include "hexfmt.h"
#include "manifest/fields.h"

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "geode: out of memory\n");
        abort();
    }
    return p;
}

char *xstrdup(const char *s)
{
    size_t len = strlen(s);
    char *p = xcalloc(len + 1, 1);
    memcpy(p, s, len);
    return p;
}

/* protobuf-c's free_unpacked leaves its shared empty string alone, so
 * strings are either that or our own allocation. */
void str_set(char **dst, const char *s)
{
    if (*dst && *dst != protobuf_c_empty_string)
        free(*dst);
    *dst = xstrdup(s);
}

void array_push(void ***items, size_t *n, void *item)
{
    void **grown = realloc(*items, (*n + 1) * sizeof(void *));
    if (!grown) {
        fprintf(stderr, "geode: out of memory\n");
        abort();
    }
    grown[(*n)++] = item;
    *items = grown;
}

const char *subkey(char *buf, size_t size, const char *key, const char *suffix)
{
    snprintf(buf, size, "%s%s", key, suffix);
    return buf;
}

const char *subkey_index(char *buf, size_t size, const char *key, size_t index)
{
    snprintf(buf, size, "%s[%zu]", key, index);
    return buf;
}

bool field_type(struct mctx *c, const char *key, const struct toml_value *v, enum toml_type want)
{
    if (v->type == want)
        return true;
    diag_error(c->d, v->pos, key, "expected %s %s, got %s",
               want == TOML_INTEGER || want == TOML_ARRAY ? "an" : "a", toml_type_name(want),
               toml_type_name(v->type));
    return false;
}

bool field_string(struct mctx *c, const char *key, const struct toml_value *v, char **dst)
{
    if (!field_type(c, key, v, TOML_STRING))
        return false;
    if (strlen(v->u.str.ptr) != v->u.str.len) {
        diag_error(c->d, v->pos, key, "string contains a NUL character");
        return false;
    }
    str_set(dst, v->u.str.ptr);
    return true;
}

bool field_bool(struct mctx *c, const char *key, const struct toml_value *v,
                protobuf_c_boolean *dst)
{
    if (!field_type(c, key, v, TOML_BOOL))
        return false;
    *dst = v->u.boolean;
    return true;
}

bool field_uint(struct mctx *c, const char *key, const struct toml_value *v, uint64_t max,
                uint64_t *dst)
{
    if (!field_type(c, key, v, TOML_INTEGER))
        return false;
    if (v->u.integer < 0 || (uint64_t)v->u.integer > max) {
        diag_error(c->d, v->pos, key, "%lld is out of range (0 to %llu)",
                   (long long)v->u.integer, (unsigned long long)max);
        return false;
    }
    *dst = (uint64_t)v->u.integer;
    return true;
}

bool field_u32(struct mctx *c, const char *key, const struct toml_value *v, uint32_t max,
               uint32_t *dst)
{
    uint64_t x;
    if (!field_uint(c, key, v, max, &x))
        return false;
    *dst = (uint32_t)x;
    return true;
}

bool field_size(struct mctx *c, const char *key, const struct toml_value *v, uint64_t *dst)
{
    if (v->type == TOML_INTEGER)
        return field_uint(c, key, v, INT64_MAX, dst);
    if (v->type != TOML_STRING) {
        diag_error(c->d, v->pos, key, "expected a size (\"256M\", \"4G\" or a byte count), got %s",
                   toml_type_name(v->type));
        return false;
    }
    if (manifest_parse_size(v->u.str.ptr, dst) < 0) {
        diag_error(c->d, v->pos, key,
                   "invalid size \"%s\" (use a number with an optional K, M, G or T suffix)",
                   v->u.str.ptr);
        return false;
    }
    return true;
}

bool field_enum(struct mctx *c, const char *key, const struct toml_value *v,
                const char *const *names, int count, int *dst)
{
    if (!field_type(c, key, v, TOML_STRING))
        return false;
    for (int i = 0; i < count; i++) {
        if (!strcmp(v->u.str.ptr, names[i])) {
            *dst = i;
            return true;
        }
    }
    char allowed[256] = "";
    for (int i = 0; i < count; i++) {
        strncat(allowed, i ? ", " : "", sizeof(allowed) - strlen(allowed) - 1);
        strncat(allowed, names[i], sizeof(allowed) - strlen(allowed) - 1);
    }
    diag_error(c->d, v->pos, key, "invalid value \"%s\" (expected one of: %s)", v->u.str.ptr,
               allowed);
    return false;
}

bool field_sha256(struct mctx *c, const char *key, const struct toml_value *v,
                  ProtobufCBinaryData *dst)
{
    if (!field_type(c, key, v, TOML_STRING))
        return false;
    uint8_t bytes[32];
    if (v->u.str.len != 64 || hex_decode(v->u.str.ptr, bytes, 32) < 0) {
        diag_error(c->d, v->pos, key, "expected a SHA-256 as 64 hex digits");
        return false;
    }
    free(dst->data);
    dst->data = xcalloc(32, 1);
    memcpy(dst->data, bytes, 32);
    dst->len = 32;
    return true;
}
