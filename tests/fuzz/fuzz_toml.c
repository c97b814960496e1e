/* libFuzzer target for the TOML parser: any bytes must either parse (and
 * then serialise to JSON and free cleanly) or be rejected with a position
 * inside the input and a message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml/toml.h"

static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!sink)
        sink = fopen("/dev/null", "w");
    struct toml_error err;
    struct toml_value *root = toml_parse((const char *)data, size, &err);
    if (!root) {
        /* A rejection must point at a real place and say something. */
        if (err.line < 1 || err.col < 1 || err.msg[0] == '\0' ||
            !memchr(err.msg, 0, sizeof err.msg))
            abort();
        return 0;
    }
    if (root->type != TOML_TABLE)
        abort();
    if (sink)
        toml_write_tagged_json(root, sink);
    toml_free(root);
    return 0;
}
