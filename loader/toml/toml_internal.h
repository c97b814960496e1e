/* Private to loader/toml/: the parser's state, the value-tree node with the
 * bookkeeping that TOML's redefinition rules need, and the helpers shared
 * between the lexer, value parsers, tree and writer. */
#ifndef GEODE_TOML_INTERNAL_H
#define GEODE_TOML_INTERNAL_H

#include "toml/toml.h"

/* Hostile input must not exhaust the stack: arrays/inline tables nest at
 * most this deep, and keys have at most this many dotted parts. */
#define TOML_MAX_NEST 128
#define TOML_MAX_KEY_PARTS 128

/* How a table came to exist; decides whether it may be opened again. */
enum tnode_flag {
    TN_IMPLICIT = 1, /* made by a header path ([a.b] makes a): [a] may still define it once */
    TN_DEFINED = 2,  /* named by a [header] or [[header]]: never again */
    TN_DOTTED = 4,   /* made by a dotted key (a.b = 1): only dotted keys may extend it */
    TN_FROZEN = 8,   /* an inline table: closed for good */
    TN_AOT = 16,     /* an array made by [[header]]: headers may append to it */
};

/* Every value is allocated as a tnode so the flags ride along without
 * widening the public struct. */
struct tnode {
    struct toml_value v;
    unsigned flags;
    /* Tables with many keys get a hash index (open addressing; each slot
     * holds an item index + 1, 0 = empty) so that lookups stay O(1) and a
     * big document cannot make parsing quadratic. */
    size_t *slots;
    size_t nslots;
};

static inline struct tnode *tnode_of(struct toml_value *v)
{
    return (struct tnode *)((char *)v - __builtin_offsetof(struct tnode, v));
}

struct toml_parser {
    const char *s;
    size_t len;
    size_t i; /* next byte */
    struct toml_error *err;
    int failed;
    unsigned flags; /* TOML_* options of toml_parse_flags */
    /* Line cache for turning offsets into line/column (see tml_pos_at). */
    size_t pc_off, pc_line_start;
    int pc_line;
};

/* A growable byte string for decoded strings and keys. */
struct sbuf {
    char *p;
    size_t len, cap;
};

int tml_sbuf_putc(struct sbuf *b, char c);
int tml_sbuf_put(struct sbuf *b, const char *s, size_t n);
/* Terminates with NUL and hands the bytes over; the sbuf is emptied. */
char *tml_sbuf_take(struct sbuf *b, size_t *len);
void tml_sbuf_free(struct sbuf *b);

/* --- toml_utf8.c --- */
/* Decodes one UTF-8 scalar at s[0..n); returns its length (1-4) and sets
 * *cp, or 0 if the bytes are not valid (overlong, surrogate, > U+10FFFF). */
int tml_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Encodes a scalar value; returns the length written (1-4). */
int tml_utf8_encode(uint32_t cp, char out[4]);
/* Offset of the first invalid byte, or n if the whole text is valid. */
size_t tml_utf8_first_invalid(const char *s, size_t n);

/* --- toml_lex.c --- */
struct toml_pos tml_pos_at(struct toml_parser *p, size_t off);
/* Records the first error (later ones are consequences); always returns 0
 * so callers can write "return tml_fail(...)". */
int tml_fail(struct toml_parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int tml_peek(const struct toml_parser *p, size_t ahead);
int tml_at_eof(const struct toml_parser *p);
void tml_skip_ws(struct toml_parser *p);
/* Skips a comment if one starts here; 0 on a forbidden character in it. */
int tml_skip_comment(struct toml_parser *p);
/* Consumes LF or CRLF; returns 1 if one was consumed, 0 if not (and fails on a bare CR). */
int tml_eat_newline(struct toml_parser *p);
/* Skips whitespace, comments and newlines (inside arrays). 0 on error. */
int tml_skip_ws_comments_newlines(struct toml_parser *p);
/* Names the byte at off for messages ("'x'", "end of file", "newline"). */
const char *tml_describe_at(struct toml_parser *p, size_t off, char buf[32]);
int tml_is_bare_key_char(int c);
/* Control characters that may not appear raw in strings and comments. */
int tml_is_forbidden_control(int c);

/* --- toml_string.c --- */
/* Parses any string at p->i (basic, literal, multi-line). */
int tml_parse_string(struct toml_parser *p, struct sbuf *out);
/* Parses a single-line quoted key part. */
int tml_parse_quoted_key(struct toml_parser *p, struct sbuf *out);

/* --- toml_number.c / toml_datetime.c --- */
int tml_parse_number(struct toml_parser *p, struct toml_value *v);
/* True if the text at p->i looks like a date or time (not a number). */
int tml_looks_like_datetime(const struct toml_parser *p);
int tml_parse_datetime(struct toml_parser *p, struct toml_value *v);

/* --- toml_value.c --- */
struct toml_value *tml_parse_value(struct toml_parser *p, int depth);
/* Checks that a value ends where a separator may follow. */
int tml_check_value_end(struct toml_parser *p, size_t start);

/* --- toml_key.c --- */
struct key_part {
    char *s;
    size_t len;
    size_t off;
    /* Recorded while scanning forward: looking positions up later would
     * mean rescanning the text (see tml_pos_at). */
    struct toml_pos pos;
};
struct key_path {
    struct key_part parts[TOML_MAX_KEY_PARTS];
    int n;
};
int tml_parse_key(struct toml_parser *p, struct key_path *k);
void tml_key_path_free(struct key_path *k);

/* --- toml_tree.c --- */
struct toml_value *tml_tnode_new(enum toml_type type, struct toml_pos pos);
struct toml_kv *tml_table_find(struct toml_value *t, const char *key, size_t len);
/* Appends key -> value; takes ownership of both (frees them on failure). */
struct toml_kv *tml_table_add(struct toml_value *t, char *key, size_t len, struct toml_pos pos,
                              struct toml_value *value);
int tml_array_push(struct toml_value *a, struct toml_value *item);
/* Inserts value at the dotted key k relative to table t (inline tables and
 * key/value lines); enforces the dotted-key rules. Takes ownership of value
 * and of k's strings. */
int tml_insert_dotted(struct toml_parser *p, struct toml_value *t, struct key_path *k,
                      struct toml_value *value);
/* [header]: returns the table that following key/values go into. */
struct toml_value *tml_open_table(struct toml_parser *p, struct toml_value *root,
                                  struct key_path *k, struct toml_pos header_pos);
/* [[header]]: appends a table to the array of tables and returns it. */
struct toml_value *tml_open_array_table(struct toml_parser *p, struct toml_value *root,
                                        struct key_path *k, struct toml_pos header_pos);

#endif
