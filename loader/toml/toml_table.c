/* TOML's rules for which tables may be created, reopened or extended:
 * dotted keys (a.b.c = 1), [table] headers and [[array of tables]] headers.
 * The flags in struct tnode record how each table came to exist. */
#include <stdlib.h>

#include "toml/toml_internal.h"

static unsigned flags_of(struct toml_value *v)
{
    return tnode_of(v)->flags;
}

/* Key text for messages: clipped so the message stays readable. */
#define KEYFMT "'%.*s'"
#define KEYARG(part) (int)((part)->len > 64 ? 64 : (part)->len), (part)->s

/* "an integer", "a static array", ... for messages about an existing key. */
static const char *kind_phrase(struct toml_value *v)
{
    unsigned f = tnode_of(v)->flags;
    switch (v->type) {
    case TOML_TABLE:
        return f & TN_FROZEN ? "an inline table" : "a table";
    case TOML_ARRAY:
        return f & TN_AOT ? "an array of tables" : "a static array";
    case TOML_STRING:
        return "a string";
    case TOML_INTEGER:
        return "an integer";
    case TOML_FLOAT:
        return "a float";
    case TOML_BOOL:
        return "a boolean";
    case TOML_DATETIME:
        return "an offset date-time";
    case TOML_DATETIME_LOCAL:
        return "a local date-time";
    case TOML_DATE_LOCAL:
        return "a local date";
    case TOML_TIME_LOCAL:
        return "a local time";
    }
    return "a value";
}

/* Adds a new empty table under part (taking the part's string). */
static struct toml_value *add_table(struct toml_parser *p, struct toml_value *t,
                                    struct key_part *part, unsigned flags)
{
    struct toml_pos pos = part->pos;
    struct toml_value *child = tml_tnode_new(TOML_TABLE, pos);
    if (!child) {
        tml_fail(p, part->off, "out of memory");
        return NULL;
    }
    tnode_of(child)->flags = flags;
    struct toml_kv *kv = tml_table_add(t, part->s, part->len, pos, child);
    part->s = NULL;
    if (!kv)
        tml_fail(p, part->off, "out of memory");
    return kv ? child : NULL;
}

/* One intermediate step of a dotted key inside a key/value pair. */
static struct toml_value *dotted_step(struct toml_parser *p, struct toml_value *t,
                                      struct key_part *part)
{
    struct toml_kv *kv = tml_table_find(t, part->s, part->len);
    if (!kv)
        return add_table(p, t, part, TN_DOTTED);
    struct toml_value *v = kv->value;
    if (v->type != TOML_TABLE)
        tml_fail(p, part->off, "key " KEYFMT " is already defined as %s, not a table", KEYARG(part),
                 kind_phrase(v));
    else if (flags_of(v) & TN_FROZEN)
        tml_fail(p, part->off, "inline table " KEYFMT " cannot be extended", KEYARG(part));
    else if (!(flags_of(v) & TN_DOTTED))
        tml_fail(p, part->off,
                 "table " KEYFMT " is defined by a header; dotted keys cannot extend it",
                 KEYARG(part));
    else
        return v;
    return NULL;
}

int tml_insert_dotted(struct toml_parser *p, struct toml_value *t, struct key_path *k,
                      struct toml_value *value)
{
    for (int i = 0; i < k->n - 1 && t; i++)
        t = dotted_step(p, t, &k->parts[i]);
    struct key_part *last = &k->parts[k->n - 1];
    if (t && tml_table_find(t, last->s, last->len))
        tml_fail(p, last->off, "duplicate key " KEYFMT, KEYARG(last));
    else if (t && tml_table_add(t, last->s, last->len, last->pos, value)) {
        last->s = NULL;
        return 1;
    } else if (t) {
        last->s = NULL; /* tml_table_add freed it */
        return tml_fail(p, last->off, "out of memory");
    }
    toml_free(value);
    return 0;
}

/* One intermediate step of a header path: tables of any origin but inline
 * ones may be walked through; an array of tables means its last element. */
static struct toml_value *header_step(struct toml_parser *p, struct toml_value *t,
                                      struct key_part *part)
{
    struct toml_kv *kv = tml_table_find(t, part->s, part->len);
    if (!kv)
        return add_table(p, t, part, TN_IMPLICIT);
    struct toml_value *v = kv->value;
    if (v->type == TOML_ARRAY && (flags_of(v) & TN_AOT))
        return v->u.array.items[v->u.array.len - 1];
    if (v->type != TOML_TABLE)
        tml_fail(p, part->off, "key " KEYFMT " is already defined as %s, not a table", KEYARG(part),
                 kind_phrase(v));
    else if (flags_of(v) & TN_FROZEN)
        tml_fail(p, part->off, "inline table " KEYFMT " cannot be extended", KEYARG(part));
    else
        return v;
    return NULL;
}

static struct toml_value *header_parent(struct toml_parser *p, struct toml_value *root,
                                        struct key_path *k)
{
    struct toml_value *t = root;
    for (int i = 0; i < k->n - 1 && t; i++)
        t = header_step(p, t, &k->parts[i]);
    return t;
}

struct toml_value *tml_open_table(struct toml_parser *p, struct toml_value *root,
                                  struct key_path *k, struct toml_pos header_pos)
{
    struct toml_value *t = header_parent(p, root, k);
    if (!t)
        return NULL;
    struct key_part *last = &k->parts[k->n - 1];
    struct toml_kv *kv = tml_table_find(t, last->s, last->len);
    if (!kv) {
        /* The key sits at its name; the table itself starts at its '['. */
        struct toml_value *nt = add_table(p, t, last, TN_DEFINED);
        if (nt)
            nt->pos = header_pos;
        return nt;
    }
    struct toml_value *v = kv->value;
    unsigned f = v->type == TOML_TABLE ? flags_of(v) : 0;
    /* Only a table made implicitly by an earlier header may be defined now. */
    if (v->type == TOML_TABLE && (f & TN_IMPLICIT) && !(f & (TN_DEFINED | TN_FROZEN))) {
        tnode_of(v)->flags |= TN_DEFINED;
        v->pos = header_pos;
        return v;
    }
    if (v->type == TOML_TABLE && !(f & TN_FROZEN))
        tml_fail(p, last->off, "table " KEYFMT " is already defined%s", KEYARG(last),
                 (f & TN_DOTTED) ? " by dotted keys" : "");
    else
        tml_fail(p, last->off, "key " KEYFMT " is already defined as %s", KEYARG(last),
                 kind_phrase(v));
    return NULL;
}

struct toml_value *tml_open_array_table(struct toml_parser *p, struct toml_value *root,
                                        struct key_path *k, struct toml_pos header_pos)
{
    struct toml_value *t = header_parent(p, root, k);
    if (!t)
        return NULL;
    struct key_part *last = &k->parts[k->n - 1];
    struct toml_kv *kv = tml_table_find(t, last->s, last->len);
    struct toml_value *arr = kv ? kv->value : NULL;
    if (arr && !(arr->type == TOML_ARRAY && (flags_of(arr) & TN_AOT))) {
        tml_fail(p, last->off, "key " KEYFMT " is already defined as %s, not an array of tables",
                 KEYARG(last), kind_phrase(arr));
        return NULL;
    }
    struct toml_pos pos = header_pos;
    if (!arr) {
        arr = tml_tnode_new(TOML_ARRAY, last->pos);
        /* tml_table_add takes the key even when it fails. */
        if (!arr)
            free(last->s);
        int added = arr && tml_table_add(t, last->s, last->len, last->pos, arr);
        last->s = NULL;
        if (!added) {
            tml_fail(p, last->off, "out of memory");
            return NULL;
        }
        tnode_of(arr)->flags = TN_AOT;
    }
    struct toml_value *elem = tml_tnode_new(TOML_TABLE, pos);
    if (!elem || !tml_array_push(arr, elem)) {
        tml_fail(p, last->off, "out of memory");
        return NULL;
    }
    tnode_of(elem)->flags = TN_DEFINED;
    return elem;
}
