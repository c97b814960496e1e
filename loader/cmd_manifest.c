/* geode manifest: check, expand, render, blob, toml-decode. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "manifest/manifest.h"
#include "manifest/render.h"
#include "manifest/write_toml.h"
#include "paths.h"
#include "toml/toml.h"

#define MAX_VARS 64

static int read_all(FILE *in, char **out, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return -1;
    for (;;) {
        n += fread(buf + n, 1, cap - n, in);
        if (n < cap)
            break;
        char *bigger = realloc(buf, cap * 2 + 1);
        if (!bigger) {
            free(buf);
            return -1;
        }
        buf = bigger;
        cap *= 2;
    }
    if (ferror(in)) {
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

/* Opens OUT for writing; "-" is standard output. */
static FILE *open_out(const char *path)
{
    if (!strcmp(path, "-"))
        return stdout;
    FILE *f = fopen(path, "wb");
    if (!f)
        fprintf(stderr, "geode manifest: cannot write %s: %s\n", path, strerror(errno));
    return f;
}

static int close_out(FILE *f, const char *path)
{
    int bad = f == stdout ? fflush(f) : fclose(f);
    if (bad) {
        fprintf(stderr, "geode manifest: error writing %s\n", path);
        return 1;
    }
    return 0;
}

/* The decoder interface of the toml-test suite: TOML on stdin, tagged JSON
 * on stdout (exit 0), or an error on stderr (exit 1). */
static int do_toml_decode(void)
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
    return close_out(stdout, "standard output") || rc;
}

static int do_check(const char *path)
{
    geode_manifest *m = manifest_load(path, stderr);
    if (!m)
        return 1;
    printf("%s: valid\n", path);
    manifest_print_summary(m, stdout);
    manifest_free(m);
    return 0;
}

static int write_blob(const geode_manifest *m, const char *path)
{
    size_t len;
    uint8_t *blob = manifest_pack(m, &len);
    FILE *f = blob ? open_out(path) : NULL;
    int rc = 1;
    if (f) {
        fwrite(blob, 1, len, f);
        rc = close_out(f, path);
    }
    free(blob);
    return rc;
}

static int do_expand(const char *in, const char *out, const char *blob)
{
    geode_manifest *m = manifest_load(in, stderr);
    if (!m)
        return 1;
    int rc = manifest_expand_trusted(m, stderr) < 0;
    FILE *f = rc ? NULL : open_out(out);
    if (f) {
        rc = manifest_write_toml(m, f) < 0;
        rc |= close_out(f, out);
    } else {
        rc = 1;
    }
    if (!rc && blob)
        rc = write_blob(m, blob);
    manifest_free(m);
    return rc;
}

static int do_blob(const char *in, const char *out)
{
    geode_manifest *m = manifest_load(in, stderr);
    if (!m)
        return 1;
    int rc = write_blob(m, out);
    manifest_free(m);
    return rc;
}

/* The host's multiarch library directory, e.g. /lib/x86_64-linux-gnu:
 * what Gramine's Makefiles pass as arch_libdir, and Geode's answer for
 * gramine.runtimedir() (Gramine's own glibc lives there; Geode runs the
 * host's, so a template's "/lib" mount shows the host's libraries). */
#if defined(__x86_64__)
#define ARCH_LIBDIR "/lib/x86_64-linux-gnu"
#else
#error "the multiarch library directory of this architecture"
#endif

/* Built-in template variables, under Geode's and Gramine's names; a
 * trailing "()" makes a zero-argument call. */
static size_t builtin_vars(struct render_var *vars, char *dir, size_t dir_size, char *libos,
                           size_t libos_size)
{
    geode_runtime_dir(dir, dir_size);
    snprintf(libos, libos_size, "%s/libos.elf", dir);
    size_t n = 0;
    vars[n++] = (struct render_var){"geode.libos", libos};
    vars[n++] = (struct render_var){"gramine.libos", libos};
    vars[n++] = (struct render_var){"geode.runtimedir()", dir};
    vars[n++] = (struct render_var){"gramine.runtimedir()", ARCH_LIBDIR};
    vars[n++] = (struct render_var){"arch_libdir", ARCH_LIBDIR};
    vars[n++] = (struct render_var){"log_level", "error"};
    return n;
}

static int add_define(struct render_var *vars, size_t *n, char *def)
{
    char *eq = strchr(def, '=');
    if (!eq || eq == def || *n >= MAX_VARS) {
        fprintf(stderr, "geode manifest render: -D takes NAME=VALUE (got '%s')\n", def);
        return -1;
    }
    *eq = '\0';
    /* A later definition overrides a built-in: lookup takes the first match. */
    memmove(vars + 1, vars, *n * sizeof(*vars));
    vars[0] = (struct render_var){def, eq + 1};
    (*n)++;
    return 0;
}

static int do_render(int argc, char **argv)
{
    struct render_var vars[MAX_VARS + 8];
    char dir[4096], libos[4200];
    size_t n = builtin_vars(vars, dir, sizeof(dir), libos, sizeof(libos));
    const char *files[2];
    int nfiles = 0;
    for (int i = 2; i < argc; i++) {
        if (!strncmp(argv[i], "-D", 2)) {
            char *def = argv[i][2] ? argv[i] + 2 : (i + 1 < argc ? argv[++i] : (char *)"");
            if (add_define(vars, &n, def) < 0)
                return 2;
        } else if (nfiles < 2) {
            files[nfiles++] = argv[i];
        } else {
            fprintf(stderr, "geode manifest render: too many arguments\n");
            return 2;
        }
    }
    if (nfiles != 2) {
        fprintf(stderr, "geode manifest render: needs IN and OUT\n");
        return 2;
    }
    FILE *in = fopen(files[0], "rb");
    char *text;
    size_t len;
    if (!in || read_all(in, &text, &len) < 0) {
        fprintf(stderr, "geode manifest render: cannot read %s\n", files[0]);
        if (in)
            fclose(in);
        return 1;
    }
    fclose(in);
    /* Rendered in memory: OUT is written only when the template rendered. */
    char *buf = NULL;
    size_t buf_len = 0;
    FILE *mem = open_memstream(&buf, &buf_len);
    int rc = !mem || manifest_render(files[0], text, vars, n, mem, stderr) < 0;
    if (mem)
        fclose(mem);
    FILE *out = rc ? NULL : open_out(files[1]);
    if (out) {
        fwrite(buf, 1, buf_len, out);
        rc = close_out(out, files[1]);
    } else {
        rc = 1;
    }
    free(buf);
    free(text);
    return rc;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: geode manifest check FILE\n"
            "       geode manifest expand IN OUT [--blob FILE]\n"
            "       geode manifest render IN OUT [-D NAME=VALUE]...\n"
            "       geode manifest blob IN OUT\n"
            "       geode manifest toml-decode < FILE.toml\n"
            "\n"
            "check        validate a manifest and print what it means\n"
            "expand       hash every trusted file (expanding directories) and write the\n"
            "             manifest with every value explicit; --blob also writes the\n"
            "             canonical binary form, which is what the enclave measures\n"
            "render       render a Gramine-style Jinja template: {{ expr }}, {%% if %%},\n"
            "             {%% for %%} (see docs/manifest.md, \"Gramine manifests\")\n"
            "blob         write the canonical binary form (protobuf)\n"
            "toml-decode  TOML on stdin to toml-test's tagged JSON on stdout\n"
            "OUT may be '-' for standard output.\n");
}

int cmd_manifest(int argc, char **argv)
{
    if (argc >= 2 && cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    const char *sub = argc >= 2 ? argv[1] : "";
    if (!strcmp(sub, "toml-decode") && argc == 2)
        return do_toml_decode();
    if (!strcmp(sub, "check") && argc == 3)
        return do_check(argv[2]);
    if (!strcmp(sub, "expand") && argc == 4)
        return do_expand(argv[2], argv[3], NULL);
    if (!strcmp(sub, "expand") && argc == 6 && !strcmp(argv[4], "--blob"))
        return do_expand(argv[2], argv[3], argv[5]);
    if (!strcmp(sub, "blob") && argc == 4)
        return do_blob(argv[2], argv[3]);
    if (!strcmp(sub, "render"))
        return do_render(argc, argv);
    fprintf(stderr, "geode manifest: %s (try 'geode manifest --help')\n",
            argc < 2 ? "missing subcommand" : "unknown subcommand or wrong arguments");
    return 2;
}
