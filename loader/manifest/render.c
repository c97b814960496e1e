/* Manifest templates: the "{{ name }}" subset of Gramine's Jinja templates,
 * which covers what its example manifests use (gramine.libos, arch_libdir,
 * entrypoint, log_level ...). Control statements are refused, not ignored. */
#include <ctype.h>
#include <string.h>

#include "manifest/render.h"

struct cursor {
    const char *file;
    const char *text;
    size_t pos;
    int line, col;
    FILE *diag;
    int errors;
};

static void advance(struct cursor *c, size_t n)
{
    for (size_t i = 0; i < n; i++, c->pos++) {
        if (c->text[c->pos] == '\n') {
            c->line++;
            c->col = 1;
        } else {
            c->col++;
        }
    }
}

static const char *lookup(const struct render_var *vars, size_t nvars, const char *name,
                          size_t len)
{
    for (size_t i = 0; i < nvars; i++)
        if (strlen(vars[i].name) == len && !strncmp(vars[i].name, name, len))
            return vars[i].value;
    return NULL;
}

static void render_error(struct cursor *c, int line, int col, const char *msg, const char *name,
                         int len)
{
    fprintf(c->diag, "%s:%d:%d: error: %s%s%.*s%s\n", c->file, line, col, msg,
            name ? " '" : "", len, name ? name : "", name ? "'" : "");
    c->errors++;
}

/* At "{{": emits the variable's value and moves past "}}". */
static void expand_var(struct cursor *c, const struct render_var *vars, size_t nvars, FILE *out)
{
    int line = c->line, col = c->col;
    const char *start = c->text + c->pos + 2;
    const char *end = strstr(start, "}}");
    const char *nl = strchr(start, '\n');
    if (!end || (nl && nl < end)) {
        render_error(c, line, col, "unterminated '{{'", NULL, 0);
        advance(c, 2);
        return;
    }
    const char *a = start, *b = end;
    while (a < b && isspace((unsigned char)*a))
        a++;
    while (b > a && isspace((unsigned char)b[-1]))
        b--;
    const char *value = lookup(vars, nvars, a, (size_t)(b - a));
    if (value)
        fputs(value, out);
    else
        render_error(c, line, col, "undefined template variable", a, (int)(b - a));
    advance(c, (size_t)(end + 2 - (c->text + c->pos)));
}

int manifest_render(const char *file, const char *text, const struct render_var *vars,
                    size_t nvars, FILE *out, FILE *diag)
{
    struct cursor c = {.file = file, .text = text, .line = 1, .col = 1, .diag = diag};
    while (text[c.pos]) {
        if (!strncmp(text + c.pos, "{{", 2)) {
            expand_var(&c, vars, nvars, out);
        } else if (!strncmp(text + c.pos, "{%", 2)) {
            render_error(&c, c.line, c.col, "template statements ({% ... %}) are not supported",
                         NULL, 0);
            advance(&c, 2);
        } else {
            fputc(text[c.pos], out);
            advance(&c, 1);
        }
    }
    return c.errors ? -1 : 0;
}
