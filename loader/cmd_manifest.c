/* geode manifest: toml-decode, check, expand, render. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "toml/toml.h"

static int read_all(FILE *in, char **out, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return -1;
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, in);
        n += got;
        if (n < cap) {
            if (ferror(in)) {
                free(buf);
                return -1;
            }
            break;
        }
        char *bigger = realloc(buf, cap * 2 + 1);
        if (!bigger) {
            free(buf);
            return -1;
        }
        buf = bigger;
        cap *= 2;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

/* The decoder interface of the toml-test suite: TOML on stdin, tagged JSON
 * on stdout (exit 0), or an error on stderr (exit 1). */
static int manifest_toml_decode(void)
{
    char *text;
    size_t len;
    struct toml_error err;
    if (read_all(stdin, &text, &len) < 0) {
        fprintf(stderr, "geode manifest toml-decode: cannot read standard input\n");
        return 1;
    }
    struct toml_value *root = toml_parse(text, len, &err);
    free(text);
    if (!root) {
        fprintf(stderr, "<stdin>:%d:%d: error: %s\n", err.line, err.col, err.msg);
        return 1;
    }
    int rc = toml_write_tagged_json(root, stdout) < 0 ? 1 : 0;
    toml_free(root);
    if (fflush(stdout) != 0)
        rc = 1;
    return rc;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: geode manifest toml-decode < FILE.toml\n");
}

int cmd_manifest(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "toml-decode") && argc == 2)
        return manifest_toml_decode();
    fprintf(stderr, "geode manifest: unknown subcommand or arguments (try 'geode manifest --help')\n");
    return 2;
}
