/* Keys: bare (A-Za-z0-9_-), "basic" or 'literal', joined by dots with
 * optional whitespace around each dot. */
#include <stdlib.h>

#include "toml/toml_internal.h"

void tml_key_path_free(struct key_path *k)
{
    for (int i = 0; i < k->n; i++) {
        free(k->parts[i].s);
        k->parts[i].s = NULL;
    }
    k->n = 0;
}

static int parse_key_part(struct toml_parser *p, struct sbuf *b)
{
    int c = tml_peek(p, 0);
    if (c == '"' || c == '\'')
        return tml_parse_quoted_key(p, b);
    if (!tml_is_bare_key_char(c)) {
        char buf[32];
        return tml_fail(p, p->i, "expected a key, found %s", tml_describe_at(p, p->i, buf));
    }
    size_t start = p->i;
    while (tml_is_bare_key_char(tml_peek(p, 0)))
        p->i++;
    if (!tml_sbuf_put(b, p->s + start, p->i - start))
        return tml_fail(p, start, "out of memory");
    return 1;
}

int tml_parse_key(struct toml_parser *p, struct key_path *k)
{
    k->n = 0;
    for (;;) {
        tml_skip_ws(p);
        if (k->n == TOML_MAX_KEY_PARTS)
            return tml_fail(p, p->i, "key has more than %d dotted parts", TOML_MAX_KEY_PARTS);
        struct sbuf b = {0};
        size_t off = p->i;
        if (!parse_key_part(p, &b)) {
            tml_sbuf_free(&b);
            return 0;
        }
        struct key_part *part = &k->parts[k->n];
        part->off = off;
        part->pos = tml_pos_at(p, off);
        part->s = tml_sbuf_take(&b, &part->len);
        if (!part->s)
            return tml_fail(p, off, "out of memory");
        k->n++;
        tml_skip_ws(p);
        if (tml_peek(p, 0) != '.')
            return 1;
        p->i++;
    }
}
