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
        free(tnode_of(v)->slots);
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

/* Below this many keys a linear scan is as fast as hashing. */
#define INDEX_MIN_KEYS 16

static size_t hash_key(const char *key, size_t len)
{
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t k = 0; k < len; k++)
        h = (h ^ (unsigned char)key[k]) * 1099511628211u;
    return h;
}

static int key_is(const struct toml_kv *kv, const char *key, size_t len)
{
    return kv->key_len == len && !memcmp(kv->key, key, len);
}

static void index_put(struct tnode *n, size_t item)
{
    const struct toml_kv *kv = &n->v.u.table.items[item];
    size_t mask = n->nslots - 1, s = hash_key(kv->key, kv->key_len) & mask;
    while (n->slots[s])
        s = (s + 1) & mask;
    n->slots[s] = item + 1;
}

/* Keeps the index at most a quarter full; on allocation failure the table
 * simply falls back to linear search. */
static void index_update(struct toml_value *t)
{
    struct tnode *n = tnode_of(t);
    size_t len = t->u.table.len;
    if (len < INDEX_MIN_KEYS)
        return;
    if (n->slots && len * 4 <= n->nslots) {
        index_put(n, len - 1);
        return;
    }
    size_t nslots = 64;
    while (nslots < len * 8)
        nslots *= 2;
    free(n->slots);
    n->slots = calloc(nslots, sizeof *n->slots);
    n->nslots = n->slots ? nslots : 0;
    for (size_t k = 0; n->slots && k < len; k++)
        index_put(n, k);
}

struct toml_kv *tml_table_find(struct toml_value *t, const char *key, size_t len)
{
    struct tnode *n = tnode_of(t);
    struct toml_kv *items = t->u.table.items;
    if (!n->slots) {
        for (size_t k = 0; k < t->u.table.len; k++)
            if (key_is(&items[k], key, len))
                return &items[k];
        return NULL;
    }
    size_t mask = n->nslots - 1;
    for (size_t s = hash_key(key, len) & mask; n->slots[s]; s = (s + 1) & mask)
        if (key_is(&items[n->slots[s] - 1], key, len))
            return &items[n->slots[s] - 1];
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
    index_update(t);
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
    case TOML_TABLE:
        return "table";
    case TOML_ARRAY:
        return "array";
    case TOML_STRING:
        return "string";
    case TOML_INTEGER:
        return "integer";
    case TOML_FLOAT:
        return "float";
    case TOML_BOOL:
        return "bool";
    case TOML_DATETIME:
        return "datetime";
    case TOML_DATETIME_LOCAL:
        return "datetime-local";
    case TOML_DATE_LOCAL:
        return "date-local";
    case TOML_TIME_LOCAL:
        return "time-local";
    }
    return "unknown";
}
