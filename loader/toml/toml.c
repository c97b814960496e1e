/* toml_parse: the document level. A document is a sequence of lines, each
 * blank, a comment, a [table] / [[array of tables]] header, or a
 * key = value pair, optionally followed by a comment. */
#include <string.h>

#include "toml/toml_internal.h"

/* After a header or key/value: only whitespace and a comment may follow
 * before the end of the line. */
static int end_of_line(struct toml_parser *p, const char *what)
{
    tml_skip_ws(p);
    if (!tml_skip_comment(p))
        return 0;
    if (tml_at_eof(p) || tml_eat_newline(p))
        return 1;
    if (p->failed)
        return 0;
    char buf[32];
    return tml_fail(p, p->i, "expected end of line after %s, found %s", what,
                    tml_describe_at(p, p->i, buf));
}

static struct toml_value *parse_header(struct toml_parser *p, struct toml_value *root)
{
    struct toml_pos start = tml_pos_at(p, p->i);
    int is_array = tml_peek(p, 1) == '[';
    p->i += is_array ? 2 : 1;
    struct key_path k;
    struct toml_value *t = NULL;
    if (!tml_parse_key(p, &k)) {
        tml_key_path_free(&k);
        return NULL;
    }
    char buf[32];
    if (tml_peek(p, 0) != ']' || (is_array && tml_peek(p, 1) != ']'))
        tml_fail(p, p->i, "expected '%s' to close the header, found %s", is_array ? "]]" : "]",
                 tml_describe_at(p, tml_peek(p, 0) == ']' ? p->i + 1 : p->i, buf));
    else if (is_array)
        t = tml_open_array_table(p, root, &k, start);
    else
        t = tml_open_table(p, root, &k, start);
    tml_key_path_free(&k);
    if (t)
        p->i += is_array ? 2 : 1;
    return t;
}

static int parse_keyval(struct toml_parser *p, struct toml_value *table)
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
        struct toml_value *v = tml_parse_value(p, k.n);
        ok = v && tml_insert_dotted(p, table, &k, v);
    }
    tml_key_path_free(&k);
    return ok;
}

/* One line of the document. Returns the table that later key/values go
 * into (changed by headers), or NULL on error. */
static struct toml_value *parse_line(struct toml_parser *p, struct toml_value *root,
                                     struct toml_value *current)
{
    tml_skip_ws(p);
    if (tml_peek(p, 0) == '#' || tml_peek(p, 0) == '\n' || tml_peek(p, 0) == '\r' || tml_at_eof(p))
        return end_of_line(p, "whitespace") ? current : NULL;
    if (tml_peek(p, 0) == '[') {
        current = parse_header(p, root);
        return current && end_of_line(p, "the table header") ? current : NULL;
    }
    return parse_keyval(p, current) && end_of_line(p, "the value") ? current : NULL;
}

static void parser_init(struct toml_parser *p, const char *text, size_t len, struct toml_error *err)
{
    memset(p, 0, sizeof *p);
    p->s = text;
    p->len = len;
    p->err = err;
    p->pc_line = 1;
    memset(err, 0, sizeof *err);
}

struct toml_value *toml_parse(const char *text, size_t len, struct toml_error *err)
{
    return toml_parse_flags(text, len, 0, err);
}

struct toml_value *toml_parse_flags(const char *text, size_t len, unsigned flags,
                                    struct toml_error *err)
{
    struct toml_error dummy;
    struct toml_parser p;
    parser_init(&p, text ? text : "", text ? len : 0, err ? err : &dummy);
    p.flags = flags;
    size_t bad = tml_utf8_first_invalid(p.s, p.len);
    if (bad < p.len) {
        tml_fail(&p, bad, "invalid UTF-8 byte 0x%02x", (unsigned char)p.s[bad]);
        return NULL;
    }
    if (p.len >= 3 && !memcmp(p.s, "\xEF\xBB\xBF", 3))
        p.i = 3; /* a byte order mark is allowed at the very start only */
    struct toml_value *root = tml_tnode_new(TOML_TABLE, (struct toml_pos){1, 1});
    if (!root) {
        tml_fail(&p, 0, "out of memory");
        return NULL;
    }
    tnode_of(root)->flags = TN_DEFINED;
    struct toml_value *current = root;
    while (current && !tml_at_eof(&p))
        current = parse_line(&p, root, current);
    if (!current) {
        if (!p.failed) /* every path reports; this is a safety net */
            tml_fail(&p, p.i, "syntax error");
        toml_free(root);
        return NULL;
    }
    return root;
}
