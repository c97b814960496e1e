/* Low-level scanning shared by all parts of the parser: positions, errors,
 * whitespace, comments and newlines. */
#include <stdarg.h>
#include <stdio.h>

#include "toml/toml_internal.h"

/* Offsets are mostly asked for in increasing order, so the line count is
 * cached and extended forward; a backward query rescans from the start. */
struct toml_pos tml_pos_at(struct toml_parser *p, size_t off)
{
    if (off > p->len)
        off = p->len;
    if (off < p->pc_off) {
        p->pc_off = p->pc_line_start = 0;
        p->pc_line = 1;
    }
    for (size_t k = p->pc_off; k < off; k++) {
        if (p->s[k] == '\n') {
            p->pc_line++;
            p->pc_line_start = k + 1;
        }
    }
    p->pc_off = off;
    return (struct toml_pos){p->pc_line, (int)(off - p->pc_line_start) + 1};
}

int tml_fail(struct toml_parser *p, size_t off, const char *fmt, ...)
{
    if (p->failed)
        return 0;
    p->failed = 1;
    struct toml_pos pos = tml_pos_at(p, off);
    p->err->line = pos.line;
    p->err->col = pos.col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
    va_end(ap);
    return 0;
}

int tml_peek(const struct toml_parser *p, size_t ahead)
{
    size_t k = p->i + ahead;
    return k < p->len ? (unsigned char)p->s[k] : -1;
}

int tml_at_eof(const struct toml_parser *p)
{
    return p->i >= p->len;
}

void tml_skip_ws(struct toml_parser *p)
{
    while (tml_peek(p, 0) == ' ' || tml_peek(p, 0) == '\t')
        p->i++;
}

int tml_is_forbidden_control(int c)
{
    return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7F;
}

int tml_is_bare_key_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

int tml_skip_comment(struct toml_parser *p)
{
    if (tml_peek(p, 0) != '#')
        return 1;
    for (p->i++; !tml_at_eof(p); p->i++) {
        int c = tml_peek(p, 0);
        if (c == '\n' || (c == '\r' && tml_peek(p, 1) == '\n'))
            return 1;
        if (tml_is_forbidden_control(c))
            return tml_fail(p, p->i, "control character 0x%02x is not allowed in a comment", c);
    }
    return 1;
}

int tml_eat_newline(struct toml_parser *p)
{
    if (tml_peek(p, 0) == '\n') {
        p->i++;
        return 1;
    }
    if (tml_peek(p, 0) == '\r') {
        if (tml_peek(p, 1) == '\n') {
            p->i += 2;
            return 1;
        }
        return tml_fail(p, p->i, "carriage return not followed by a line feed");
    }
    return 0;
}

int tml_skip_ws_comments_newlines(struct toml_parser *p)
{
    for (;;) {
        tml_skip_ws(p);
        if (!tml_skip_comment(p))
            return 0;
        if (!tml_eat_newline(p))
            return !p->failed;
    }
}

const char *tml_describe_at(struct toml_parser *p, size_t off, char buf[32])
{
    if (off >= p->len)
        return "end of file";
    unsigned char c = (unsigned char)p->s[off];
    if (c == '\n' || c == '\r')
        return "end of line";
    if (c < 0x20 || c == 0x7F)
        snprintf(buf, 32, "control character 0x%02x", c);
    else if (c >= 0x80)
        snprintf(buf, 32, "non-ASCII character");
    else
        snprintf(buf, 32, "'%c'", c);
    return buf;
}
