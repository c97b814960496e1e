/* toml-test's tagged JSON: tables are objects, arrays are arrays, and every
 * scalar is {"type": T, "value": "text"}. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "toml/toml_internal.h"

/* Writes a JSON string: quotes, backslashes and all control characters
 * (including NUL and DEL) escaped; UTF-8 passes through unchanged. */
static int write_json_string(const char *s, size_t len, FILE *out)
{
    if (putc('"', out) == EOF)
        return -1;
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)s[k];
        int r;
        if (c == '"' || c == '\\')
            r = fprintf(out, "\\%c", c);
        else if (c == '\n')
            r = fputs("\\n", out);
        else if (c == '\t')
            r = fputs("\\t", out);
        else if (c < 0x20 || c == 0x7F)
            r = fprintf(out, "\\u%04x", c);
        else
            r = putc(c, out);
        if (r < 0)
            return -1;
    }
    return putc('"', out) == EOF ? -1 : 0;
}

/* The shortest %.Ng that reads back as the same double. */
static void format_float(double d, char *buf, size_t size)
{
    if (isnan(d)) {
        snprintf(buf, size, "nan");
        return;
    }
    if (isinf(d)) {
        snprintf(buf, size, d < 0 ? "-inf" : "inf");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

static void scalar_text(const struct toml_value *v, char *buf, size_t size)
{
    switch (v->type) {
    case TOML_INTEGER:
        snprintf(buf, size, "%lld", (long long)v->u.integer);
        break;
    case TOML_FLOAT:
        format_float(v->u.flt, buf, size);
        break;
    case TOML_BOOL:
        snprintf(buf, size, "%s", v->u.boolean ? "true" : "false");
        break;
    default:
        toml_format_datetime(v, buf, size);
        break;
    }
}

static int write_scalar(const struct toml_value *v, FILE *out)
{
    if (fprintf(out, "{\"type\":\"%s\",\"value\":", toml_type_name(v->type)) < 0)
        return -1;
    int r;
    if (v->type == TOML_STRING) {
        r = write_json_string(v->u.str.ptr, v->u.str.len, out);
    } else {
        char buf[96];
        scalar_text(v, buf, sizeof buf);
        r = fprintf(out, "\"%s\"", buf) < 0 ? -1 : 0;
    }
    return r < 0 || putc('}', out) == EOF ? -1 : 0;
}

static int write_value(const struct toml_value *v, FILE *out);

static int write_table(const struct toml_value *t, FILE *out)
{
    if (putc('{', out) == EOF)
        return -1;
    for (size_t k = 0; k < t->u.table.len; k++) {
        const struct toml_kv *kv = &t->u.table.items[k];
        if ((k && putc(',', out) == EOF) || write_json_string(kv->key, kv->key_len, out) < 0 ||
            putc(':', out) == EOF || write_value(kv->value, out) < 0)
            return -1;
    }
    return putc('}', out) == EOF ? -1 : 0;
}

static int write_array(const struct toml_value *a, FILE *out)
{
    if (putc('[', out) == EOF)
        return -1;
    for (size_t k = 0; k < a->u.array.len; k++) {
        if ((k && putc(',', out) == EOF) || write_value(a->u.array.items[k], out) < 0)
            return -1;
    }
    return putc(']', out) == EOF ? -1 : 0;
}

/* Recursion depth is bounded by the parser's nesting limits. */
static int write_value(const struct toml_value *v, FILE *out)
{
    if (v->type == TOML_TABLE)
        return write_table(v, out);
    if (v->type == TOML_ARRAY)
        return write_array(v, out);
    return write_scalar(v, out);
}

int toml_write_tagged_json(const struct toml_value *root, FILE *out)
{
    if (!root || !out)
        return -1;
    if (write_value(root, out) < 0 || putc('\n', out) == EOF)
        return -1;
    return ferror(out) ? -1 : 0;
}
