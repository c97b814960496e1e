/* Values on the right of '=': strings, numbers, booleans, dates and times,
 * arrays and inline tables. Arrays and inline tables recurse, bounded by
 * TOML_MAX_NEST. */
#include <string.h>

#include "toml/toml_internal.h"

int tml_check_value_end(struct toml_parser *p, size_t start)
{
    int c = tml_peek(p, 0);
    if (c < 0 || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '#' || c == ',' ||
        c == ']' || c == '}')
        return 1;
    char buf[32];
    return tml_fail(p, p->i, "unexpected %s after the value that starts at column %d",
                    tml_describe_at(p, p->i, buf), tml_pos_at(p, start).col);
}

static int parse_bool(struct toml_parser *p, struct toml_value *v)
{
    v->type = TOML_BOOL;
    if (p->len - p->i >= 4 && !memcmp(p->s + p->i, "true", 4)) {
        v->u.boolean = true;
        p->i += 4;
        return 1;
    }
    if (p->len - p->i >= 5 && !memcmp(p->s + p->i, "false", 5)) {
        v->u.boolean = false;
        p->i += 5;
        return 1;
    }
    return tml_fail(p, p->i, "invalid value (booleans are 'true' and 'false', in lower case)");
}

static int parse_string_value(struct toml_parser *p, struct toml_value *v)
{
    struct sbuf b = {0};
    v->type = TOML_STRING;
    if (!tml_parse_string(p, &b)) {
        tml_sbuf_free(&b);
        return 0;
    }
    v->u.str.ptr = tml_sbuf_take(&b, &v->u.str.len);
    return v->u.str.ptr ? 1 : tml_fail(p, p->i, "out of memory");
}

static int parse_array(struct toml_parser *p, struct toml_value *v, int depth)
{
    size_t open = p->i++;
    v->type = TOML_ARRAY;
    for (;;) {
        if (!tml_skip_ws_comments_newlines(p))
            return 0;
        if (tml_peek(p, 0) == ']')
            break;
        struct toml_value *item = tml_parse_value(p, depth + 1);
        if (!item)
            return 0;
        if (!tml_array_push(v, item))
            return tml_fail(p, p->i, "out of memory");
        if (!tml_skip_ws_comments_newlines(p))
            return 0;
        if (tml_peek(p, 0) == ']')
            break;
        if (tml_peek(p, 0) != ',') {
            char buf[32];
            return tml_fail(p, p->i, "expected ',' or ']' in the array opened at line %d, found %s",
                            tml_pos_at(p, open).line, tml_describe_at(p, p->i, buf));
        }
        p->i++;
    }
    p->i++;
    return 1;
}

/* Space inside { }: TOML 1.0 allows blanks only; with TOML_INLINE_1_1
 * (TOML 1.1's inline tables) newlines and comments too. */
static int inline_skip(struct toml_parser *p)
{
    if (p->flags & TOML_INLINE_1_1)
        return tml_skip_ws_comments_newlines(p);
    tml_skip_ws(p);
    return 1;
}

/* After a key/value inside { }: ',' continues, '}' ends. 1 = more, 2 = end. */
static int inline_separator(struct toml_parser *p)
{
    if (!inline_skip(p))
        return 0;
    int c = tml_peek(p, 0);
    p->i++;
    if (c == '}')
        return 2;
    if (c == ',') {
        if (!inline_skip(p))
            return 0;
        if (tml_peek(p, 0) == '}') {
            if (p->flags & TOML_INLINE_1_1) { /* TOML 1.1 allows a trailing comma */
                p->i++;
                return 2;
            }
            return tml_fail(p, p->i - 1, "trailing comma is not allowed in an inline table");
        }
        return 1;
    }
    p->i--;
    char buf[32];
    return tml_fail(p, p->i, "expected ',' or '}' in inline table, found %s%s",
                    tml_describe_at(p, p->i, buf),
                    c == '\n' || c == '\r' ? " (inline tables must be on one line)" : "");
}

static int parse_inline_entry(struct toml_parser *p, struct toml_value *v, int depth)
{
    struct key_path k;
    int ok = tml_parse_key(p, &k);
    if (ok && tml_peek(p, 0) != '=') {
        char buf[32];
        ok = tml_fail(p, p->i, "expected '=' after key, found %s", tml_describe_at(p, p->i, buf));
    }
    if (ok) {
        p->i++;
        tml_skip_ws(p);
        /* Dotted parts nest tables too, so they count toward the depth. */
        struct toml_value *item = tml_parse_value(p, depth + k.n);
        ok = item && tml_insert_dotted(p, v, &k, item);
    }
    tml_key_path_free(&k);
    return ok;
}

static int parse_inline_table(struct toml_parser *p, struct toml_value *v, int depth)
{
    p->i++;
    v->type = TOML_TABLE;
    if (!inline_skip(p))
        return 0;
    if (tml_peek(p, 0) == '}') {
        p->i++;
    } else {
        int r;
        do {
            if (!parse_inline_entry(p, v, depth))
                return 0;
            r = inline_separator(p);
        } while (r == 1);
        if (r == 0)
            return 0;
    }
    tnode_of(v)->flags |= TN_FROZEN;
    return 1;
}

static int parse_scalar(struct toml_parser *p, struct toml_value *v)
{
    int c = tml_peek(p, 0);
    if (c == 't' || c == 'f')
        return parse_bool(p, v);
    if (tml_looks_like_datetime(p))
        return tml_parse_datetime(p, v);
    if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'i' || c == 'n')
        return tml_parse_number(p, v);
    char buf[32];
    return tml_fail(p, p->i, "expected a value, found %s", tml_describe_at(p, p->i, buf));
}

struct toml_value *tml_parse_value(struct toml_parser *p, int depth)
{
    size_t start = p->i;
    if (depth > TOML_MAX_NEST) {
        tml_fail(p, start, "values are nested more than %d levels deep", TOML_MAX_NEST);
        return NULL;
    }
    struct toml_value *v = tml_tnode_new(TOML_BOOL, tml_pos_at(p, start));
    if (!v) {
        tml_fail(p, start, "out of memory");
        return NULL;
    }
    int c = tml_peek(p, 0), ok;
    if (c == '"' || c == '\'')
        ok = parse_string_value(p, v);
    else if (c == '[')
        ok = parse_array(p, v, depth);
    else if (c == '{')
        ok = parse_inline_table(p, v, depth);
    else
        ok = parse_scalar(p, v);
    if (ok && tml_check_value_end(p, start))
        return v;
    toml_free(v);
    return NULL;
}
