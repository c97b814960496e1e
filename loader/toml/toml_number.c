/* Integers (decimal, 0x, 0o, 0b) and floats, including TOML's rules for
 * underscores (each one between two digits), leading zeros and signs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "toml/toml_internal.h"

static int is_token_char(int c)
{
    return tml_is_bare_key_char(c) || c == '.' || c == '+';
}

static int digit_value(int c, int base)
{
    int d = -1;
    if (c >= '0' && c <= '9')
        d = c - '0';
    else if (c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
    return d < base ? d : -1;
}

/* Digits of the given base with single underscores between digits, from
 * tok[*k]; copies the digits (without underscores) to out. Returns the
 * number of digits, or -1 on a misplaced underscore. */
static int scan_digits(const char *tok, size_t n, size_t *k, int base, struct sbuf *out)
{
    int count = 0;
    while (*k < n) {
        char c = tok[*k];
        if (c == '_') {
            if (count == 0 || *k + 1 >= n || digit_value(tok[*k + 1], base) < 0)
                return -1;
        } else if (digit_value(c, base) >= 0) {
            if (!tml_sbuf_putc(out, c))
                return -1;
            count++;
        } else {
            break;
        }
        (*k)++;
    }
    return count;
}

/* Accumulates digits into a magnitude, failing on int64 overflow;
 * negative decimals may reach 2^63. */
static int accumulate(const char *d, size_t n, int base, int negative, int64_t *out)
{
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
    for (size_t k = 0; k < n; k++) {
        uint64_t digit = (uint64_t)digit_value(d[k], base);
        if (v > (limit - digit) / (uint64_t)base)
            return 0;
        v = v * (uint64_t)base + digit;
    }
    *out = negative ? (int64_t)(0 - v) : (int64_t)v;
    return 1;
}

static int parse_prefixed(struct toml_parser *p, const char *tok, size_t n, struct toml_value *v)
{
    int base = tok[1] == 'x' ? 16 : tok[1] == 'o' ? 8 : 2;
    struct sbuf d = {0};
    size_t k = 2;
    int count = scan_digits(tok, n, &k, base, &d);
    int ok = count > 0 && k == n;
    if (!ok)
        tml_fail(p, p->i, "invalid %s integer '%.*s'",
                 base == 16  ? "hexadecimal"
                 : base == 8 ? "octal"
                             : "binary",
                 (int)n, tok);
    else if (!accumulate(d.p, d.len, base, 0, &v->u.integer))
        ok = tml_fail(p, p->i, "integer '%.*s' does not fit in 64 bits", (int)n, tok);
    tml_sbuf_free(&d);
    v->type = TOML_INTEGER;
    return ok;
}

static int parse_special_float(struct toml_parser *p, const char *tok, size_t n,
                               struct toml_value *v)
{
    const char *body = tok + (tok[0] == '+' || tok[0] == '-');
    size_t bn = n - (size_t)(body - tok);
    v->type = TOML_FLOAT;
    if (bn == 3 && !memcmp(body, "inf", 3))
        v->u.flt = tok[0] == '-' ? -INFINITY : INFINITY;
    else if (bn == 3 && !memcmp(body, "nan", 3))
        v->u.flt = tok[0] == '-' ? -NAN : NAN;
    else
        return tml_fail(p, p->i, "invalid value '%.*s'", (int)n, tok);
    return 1;
}

/* Decimal integer or float: sign, integer part without leading zeros,
 * optional fraction, optional exponent. */
static int parse_decimal(struct toml_parser *p, const char *tok, size_t n, struct toml_value *v)
{
    struct sbuf d = {0};
    size_t k = 0;
    int ok = 1, is_float = 0;
    if (tok[0] == '+' || tok[0] == '-')
        ok = tml_sbuf_putc(&d, tok[k++]);
    size_t int_start = d.len;
    int idigits = scan_digits(tok, n, &k, 10, &d);
    if (idigits <= 0 || (idigits > 1 && d.p[int_start] == '0'))
        ok = 0;
    if (ok && k < n && tok[k] == '.') {
        is_float = 1;
        ok = tml_sbuf_putc(&d, tok[k++]) && scan_digits(tok, n, &k, 10, &d) > 0;
    }
    if (ok && k < n && (tok[k] == 'e' || tok[k] == 'E')) {
        is_float = 1;
        ok = tml_sbuf_putc(&d, tok[k++]);
        if (ok && k < n && (tok[k] == '+' || tok[k] == '-'))
            ok = tml_sbuf_putc(&d, tok[k++]);
        ok = ok && scan_digits(tok, n, &k, 10, &d) > 0;
    }
    ok = ok && k == n && tml_sbuf_putc(&d, '\0');
    if (!ok) {
        tml_sbuf_free(&d);
        return tml_fail(p, p->i, "invalid number '%.*s'", (int)n, tok);
    }
    if (is_float) {
        v->type = TOML_FLOAT;
        v->u.flt = strtod(d.p, NULL);
        /* Finite text that overflows binary64 would silently become inf. */
        if (isinf(v->u.flt))
            ok = tml_fail(p, p->i, "float '%.*s' is out of range", (int)n, tok);
    } else {
        v->type = TOML_INTEGER;
        int neg = d.p[0] == '-', skip = neg || d.p[0] == '+';
        if (!accumulate(d.p + skip, d.len - 1 - (size_t)skip, 10, neg, &v->u.integer))
            ok = tml_fail(p, p->i, "integer '%.*s' does not fit in 64 bits", (int)n, tok);
    }
    tml_sbuf_free(&d);
    return ok;
}

int tml_parse_number(struct toml_parser *p, struct toml_value *v)
{
    size_t n = 0;
    const char *tok = p->s + p->i;
    /* '-' and '+' inside the token (exponent signs) are validated below. */
    while (p->i + n < p->len && is_token_char((unsigned char)tok[n]))
        n++;
    if (n == 0)
        return tml_fail(p, p->i, "expected a value");
    int ok;
    size_t sign = tok[0] == '+' || tok[0] == '-';
    int first = sign < n ? tok[sign] : 0;
    if (n >= 2 && tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'o' || tok[1] == 'b'))
        ok = parse_prefixed(p, tok, n, v);
    else if (first == 'i' || first == 'n')
        ok = parse_special_float(p, tok, n, v);
    else
        ok = parse_decimal(p, tok, n, v);
    if (ok)
        p->i += n;
    return ok;
}
