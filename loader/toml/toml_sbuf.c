/* A growable byte buffer: decoded strings and keys are built in one. */
#include <stdlib.h>
#include <string.h>

#include "toml/toml_internal.h"

static int sbuf_reserve(struct sbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 32;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *np = realloc(b->p, cap);
    if (!np)
        return 0;
    b->p = np;
    b->cap = cap;
    return 1;
}

int tml_sbuf_put(struct sbuf *b, const char *s, size_t n)
{
    if (!sbuf_reserve(b, n))
        return 0;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 1;
}

int tml_sbuf_putc(struct sbuf *b, char c)
{
    return tml_sbuf_put(b, &c, 1);
}

char *tml_sbuf_take(struct sbuf *b, size_t *len)
{
    if (!sbuf_reserve(b, 0))
        return NULL;
    b->p[b->len] = '\0';
    char *out = b->p;
    *len = b->len;
    b->p = NULL;
    b->len = b->cap = 0;
    return out;
}

void tml_sbuf_free(struct sbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}
