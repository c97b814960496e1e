/* PLACEHOLDER until the parser lands. */
#include <string.h>
#include "toml/toml.h"

struct toml_value *toml_parse(const char *text, size_t len, struct toml_error *err)
{
    (void)text;
    (void)len;
    err->line = err->col = 1;
    strcpy(err->msg, "TOML parser not implemented yet");
    return NULL;
}
void toml_free(struct toml_value *root)
{
    (void)root;
}
const struct toml_value *toml_get(const struct toml_value *t, const char *key)
{
    (void)t;
    (void)key;
    return NULL;
}
const struct toml_value *toml_get_path(const struct toml_value *t, const char *path)
{
    (void)t;
    (void)path;
    return NULL;
}
const char *toml_type_name(enum toml_type type)
{
    (void)type;
    return "?";
}
int toml_write_tagged_json(const struct toml_value *root, FILE *out)
{
    (void)root;
    (void)out;
    return -1;
}
void toml_format_datetime(const struct toml_value *v, char *buf, size_t size)
{
    (void)v;
    (void)buf;
    (void)size;
}
