/* The value tree: allocation, freeing, table and array growth, lookups. */
#include <stdlib.h>
#include <string.h>

#include "toml/toml_internal.h"

struct toml_value *tml_tnode_new(enum toml_type type, struct toml_pos pos)
{
    struct tnode *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->v.type = type;
    n->v.pos = pos;
    return &n->v;
}

/* Depth is bounded by the parser (TOML_MAX_NEST, TOML_MAX_KEY_PARTS), so
 * recursion here cannot run away. */
void toml_free(struct toml_value *v)
{
    if (!v)
        return;
    if (v->type == TOML_TABLE) {
        for (size_t k = 0; k < v->u.table.len; k++) {
            free(v->u.table.items[k].key);
            toml_free(v->u.table.items[k].value);
        }
        free(v->u.table.items);
    } else if (v->type == TOML_ARRAY) {
        for (size_t k = 0; k < v->u.array.len; k++)
            toml_free(v->u.array.items[k]);
        free(v->u.array.items);
    } else if (v->type == TOML_STRING) {
        free(v->u.str.ptr);
    }
    free(tnode_of(v));
}

static int grow(void **items, size_t *cap, size_t len, size_t elem)
{
    if (len < *cap)
        return 1;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *np = realloc(*items, ncap * elem);
    if (!np)
        return 0;
    *items = np;
    *cap = ncap;
    return 1;
}

struct toml_kv *tml_table_find(struct toml_value *t, const char *key, size_t len)
{
    for (size_t k = 0; k < t->u.table.len; k++) {
        struct toml_kv *kv = &t->u.table.items[k];
        if (kv->key_len == len && !memcmp(kv->key, key, len))
            return kv;
    }
    return NULL;
}

struct toml_kv *tml_table_add(struct toml_value *t, char *key, size_t len, struct toml_pos pos,
                          struct toml_value *value)
{
    if (!grow((void **)&t->u.table.items, &t->u.table.cap, t->u.table.len,
              sizeof(struct toml_kv))) {
        free(key);
        toml_free(value);
        return NULL;
    }
    struct toml_kv *kv = &t->u.table.items[t->u.table.len++];
    *kv = (struct toml_kv){.key = key, .key_len = len, .pos = pos, .value = value};
    return kv;
}

int tml_array_push(struct toml_value *a, struct toml_value *item)
{
    if (!grow((void **)&a->u.array.items, &a->u.array.cap, a->u.array.len,
              sizeof(struct toml_value *))) {
        toml_free(item);
        return 0;
    }
    a->u.array.items[a->u.array.len++] = item;
    return 1;
}

const struct toml_value *toml_get(const struct toml_value *t, const char *key)
{
    if (!t || t->type != TOML_TABLE || !key)
        return NULL;
    struct toml_kv *kv = tml_table_find((struct toml_value *)t, key, strlen(key));
    return kv ? kv->value : NULL;
}

const struct toml_value *toml_get_path(const struct toml_value *t, const char *path)
{
    if (!path)
        return NULL;
    for (;;) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        if (!t || t->type != TOML_TABLE)
            return NULL;
        struct toml_kv *kv = tml_table_find((struct toml_value *)t, path, len);
        if (!kv)
            return NULL;
        t = kv->value;
        if (!dot)
            return t;
        path = dot + 1;
    }
}

const char *toml_type_name(enum toml_type type)
{
    switch (type) {
    case TOML_TABLE: return "table";
    case TOML_ARRAY: return "array";
    case TOML_STRING: return "string";
    case TOML_INTEGER: return "integer";
    case TOML_FLOAT: return "float";
    case TOML_BOOL: return "bool";
    case TOML_DATETIME: return "datetime";
    case TOML_DATETIME_LOCAL: return "datetime-local";
    case TOML_DATE_LOCAL: return "date-local";
    case TOML_TIME_LOCAL: return "time-local";
    }
    return "unknown";
}
