/* TOML's four string forms: "basic", 'literal', """multi-line basic""" and
 * '''multi-line literal'''. The document was checked to be valid UTF-8
 * before parsing, so bytes >= 0x80 are copied through unchanged. */
#include "toml/toml_internal.h"

static int put(struct toml_parser *p, struct sbuf *out, char c)
{
    if (!tml_sbuf_putc(out, c))
        return tml_fail(p, p->i, "out of memory");
    return 1;
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* \uXXXX or \UXXXXXXXX at p->i (pointing at the u/U); must name a Unicode
 * scalar value, since the result has to be valid UTF-8. */
static int parse_unicode_escape(struct toml_parser *p, struct sbuf *out, size_t esc)
{
    int digits = tml_peek(p, 0) == 'u' ? 4 : 8;
    uint32_t cp = 0;
    for (int k = 1; k <= digits; k++) {
        int h = hex_value(tml_peek(p, (size_t)k));
        if (h < 0)
            return tml_fail(p, esc, "\\%c escape needs %d hex digits", tml_peek(p, 0), digits);
        cp = cp * 16 + (uint32_t)h;
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return tml_fail(p, esc, "escape \\%.*s is not a Unicode scalar value", digits + 1,
                        p->s + p->i);
    char enc[4];
    int n = tml_utf8_encode(cp, enc);
    if (!tml_sbuf_put(out, enc, (size_t)n))
        return tml_fail(p, esc, "out of memory");
    p->i += (size_t)digits + 1;
    return 1;
}

/* An escape sequence at p->i (pointing at the backslash). */
static int parse_escape(struct toml_parser *p, struct sbuf *out)
{
    static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
    size_t esc = p->i++;
    int c = tml_peek(p, 0);
    if (c == 'u' || c == 'U')
        return parse_unicode_escape(p, out, esc);
    for (int k = 0; from[k]; k++) {
        if (c == from[k]) {
            p->i++;
            return put(p, out, to[k]);
        }
    }
    if (c == ' ' || c == '\t')
        return tml_fail(p, esc,
                        "invalid escape: backslash followed by %s (only allowed at the "
                        "end of a line in a multi-line string)",
                        c == ' ' ? "a space" : "a tab");
    if (c > 0x20 && c < 0x7F)
        return tml_fail(p, esc, "invalid escape '\\%c' in string", c);
    return tml_fail(p, esc, "invalid escape: backslash followed by %s",
                    c < 0                    ? "end of file"
                    : c == '\n' || c == '\r' ? "end of line"
                    : c >= 0x80              ? "a non-ASCII character"
                                             : "a control or space character");
}

/* A raw (unescaped) byte of string content; rejects control characters. */
static int put_raw(struct toml_parser *p, struct sbuf *out, const char *kind)
{
    int c = tml_peek(p, 0);
    if (tml_is_forbidden_control(c))
        return tml_fail(p, p->i, "control character 0x%02x must be escaped in a %s", c, kind);
    p->i++;
    return put(p, out, (char)c);
}

static int parse_single_line(struct toml_parser *p, struct sbuf *out, char quote)
{
    size_t start = p->i++;
    const char *kind = quote == '"' ? "basic string" : "literal string";
    for (;;) {
        int c = tml_peek(p, 0);
        if (c < 0 || c == '\n' || (c == '\r' && tml_peek(p, 1) == '\n'))
            return tml_fail(p, start, "unterminated %s (strings cannot span lines; use %c%c%c)",
                            kind, quote, quote, quote);
        if (c == quote) {
            p->i++;
            return 1;
        }
        if (c == '\\' && quote == '"') {
            if (!parse_escape(p, out))
                return 0;
        } else if (!put_raw(p, out, kind)) {
            return 0;
        }
    }
}

/* Backslash at the end of a line in a """string""": drops the newline and
 * all whitespace and newlines that follow. Only whitespace may sit between
 * the backslash and the end of its line. Returns -1 if this backslash is
 * not such a line ending (so it is an ordinary escape). */
static int line_ending_backslash(struct toml_parser *p)
{
    size_t k = 1;
    while (tml_peek(p, k) == ' ' || tml_peek(p, k) == '\t')
        k++;
    int c = tml_peek(p, k);
    if (c != '\n' && !(c == '\r' && tml_peek(p, k + 1) == '\n'))
        return -1;
    p->i += k;
    for (;;) {
        tml_skip_ws(p);
        if (!tml_eat_newline(p))
            return !p->failed;
    }
}

/* At a run of closing quotes: """ ends the string, and up to two more
 * quotes just before it belong to the content. Returns 1 if the string
 * ended, 0 on error, -1 if these quotes are content. */
static int closing_quotes(struct toml_parser *p, struct sbuf *out, char quote)
{
    size_t n = 0;
    while (tml_peek(p, n) == quote)
        n++;
    if (n < 3)
        return -1;
    if (n > 5)
        return tml_fail(p, p->i + 5, "too many quotes at the end of a multi-line string");
    for (size_t k = 3; k < n; k++)
        if (!put(p, out, quote))
            return 0;
    p->i += n;
    return 1;
}

static int multi_line_step(struct toml_parser *p, struct sbuf *out, char quote, const char *kind)
{
    int c = tml_peek(p, 0);
    if (c == '\\' && quote == '"') {
        int r = line_ending_backslash(p);
        return r >= 0 ? r : parse_escape(p, out);
    }
    if (c == '\n' || c == '\r') {
        /* CRLF is stored as LF so values do not depend on the file's line ends. */
        if (!tml_eat_newline(p))
            return 0;
        return put(p, out, '\n');
    }
    return put_raw(p, out, kind);
}

static int parse_multi_line(struct toml_parser *p, struct sbuf *out, char quote)
{
    size_t start = p->i;
    const char *kind = quote == '"' ? "multi-line basic string" : "multi-line literal string";
    p->i += 3;
    /* A newline right after the opening delimiter is trimmed. */
    if (!tml_eat_newline(p) && p->failed)
        return 0;
    for (;;) {
        if (tml_at_eof(p))
            return tml_fail(p, start, "unterminated %s", kind);
        if (tml_peek(p, 0) == quote) {
            int r = closing_quotes(p, out, quote);
            if (r >= 0)
                return r;
            if (!put(p, out, quote))
                return 0;
            p->i++;
            continue;
        }
        if (!multi_line_step(p, out, quote, kind))
            return 0;
    }
}

int tml_parse_string(struct toml_parser *p, struct sbuf *out)
{
    char quote = (char)tml_peek(p, 0);
    if (tml_peek(p, 1) == quote && tml_peek(p, 2) == quote)
        return parse_multi_line(p, out, quote);
    return parse_single_line(p, out, quote);
}

int tml_parse_quoted_key(struct toml_parser *p, struct sbuf *out)
{
    char quote = (char)tml_peek(p, 0);
    if (tml_peek(p, 1) == quote && tml_peek(p, 2) == quote)
        return tml_fail(p, p->i, "multi-line strings cannot be keys");
    return parse_single_line(p, out, quote);
}
