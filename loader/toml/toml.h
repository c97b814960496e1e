/* TOML 1.0 parser: text -> tree of values. Tables keep their keys in
 * document order; every key and value records the line and column (both
 * 1-based, columns in bytes) where it starts, so that later validation can
 * name the exact place of a problem. Strings are UTF-8 and length-counted
 * (TOML allows "\u0000"), and always NUL-terminated as well. */
#ifndef GEODE_TOML_H
#define GEODE_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum toml_type {
    TOML_TABLE,
    TOML_ARRAY,
    TOML_STRING,
    TOML_INTEGER,
    TOML_FLOAT,
    TOML_BOOL,
    TOML_DATETIME,       /* offset date-time */
    TOML_DATETIME_LOCAL, /* local date-time */
    TOML_DATE_LOCAL,
    TOML_TIME_LOCAL,
};

struct toml_pos {
    int line;
    int col;
};

struct toml_datetime {
    int year, month, day;       /* valid for all but TIME_LOCAL */
    int hour, minute, second;   /* valid for all but DATE_LOCAL */
    uint32_t nanosecond;        /* fractional seconds, truncated to ns */
    int frac_digits;            /* digits written in the source (0: none) */
    int offset_minutes;         /* TOML_DATETIME only; 0 for 'Z' */
};

struct toml_kv;

struct toml_value {
    enum toml_type type;
    struct toml_pos pos;
    union {
        struct {
            struct toml_kv *items;
            size_t len, cap;
        } table;
        struct {
            struct toml_value **items;
            size_t len, cap;
        } array;
        struct {
            char *ptr; /* NUL-terminated; may contain NULs before len */
            size_t len;
        } str;
        int64_t integer;
        double flt;
        bool boolean;
        struct toml_datetime dt;
    } u;
};

struct toml_kv {
    char *key; /* NUL-terminated; key_len may be less than strlen if the key holds NULs */
    size_t key_len;
    struct toml_pos pos; /* where the key (its last dotted part) starts */
    struct toml_value *value;
};

struct toml_error {
    int line, col;
    char msg[256];
};

/* Parses len bytes of text. Returns the root table, or NULL with *err
 * filled in (line and column of the offending byte, and a message). */
struct toml_value *toml_parse(const char *text, size_t len, struct toml_error *err);

/* Options of toml_parse_flags. TOML_INLINE_1_1: inline tables as TOML 1.1
 * has them (newlines and comments between entries, a trailing comma), which
 * Gramine's manifest parser (tomli >= 2.3) accepts and its CI-Examples use;
 * toml_parse is TOML 1.0 exactly. */
#define TOML_INLINE_1_1 1u
struct toml_value *toml_parse_flags(const char *text, size_t len, unsigned flags,
                                    struct toml_error *err);

/* Frees a tree returned by toml_parse. NULL is fine. */
void toml_free(struct toml_value *root);

/* Looks up a key of a table; NULL if absent or if t is not a table. */
const struct toml_value *toml_get(const struct toml_value *t, const char *key);

/* Looks up a dotted path ("loader.env.PATH") through nested tables; path
 * segments are split at '.', so this is only for keys without dots. */
const struct toml_value *toml_get_path(const struct toml_value *t, const char *path);

/* The type's name as TOML's test suite spells it ("string", "integer",
 * "datetime-local", ...; tables and arrays give "table" and "array"). */
const char *toml_type_name(enum toml_type type);

/* Writes the tree as toml-test's tagged JSON. Returns 0, or -1 on a write error. */
int toml_write_tagged_json(const struct toml_value *root, FILE *out);

/* Formats a datetime value as RFC 3339 text into buf (at least 64 bytes). */
void toml_format_datetime(const struct toml_value *v, char *buf, size_t size);

#endif
