/* Manifest templates: the subset of Jinja that Gramine's manifest
 * templates use (docs/manifest.md, "Gramine manifests"). Text is copied;
 * "{{ expr }}" is replaced by the expression's value (render_expr.c);
 * "{# ... #}" is dropped; "{% if %}...{% elif %}...{% else %}...{% endif %}"
 * and "{% for NAME in LIST %}...{% endfor %}" are the statements; a '-'
 * inside a delimiter trims the blanks on that side, as in Jinja. Any other
 * statement, and any undefined name, is an error with its line and column.
 * Branches not taken are still parsed, so their errors show too. */
#include <stdlib.h>
#include <string.h>

#include "manifest/render_expr.h"

struct out {
    char *buf;
    size_t len, cap;
    size_t text_end;   /* the template offset just after the last text copied */
    size_t text_start; /* where that text began in buf */
};

static void emit(struct out *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        o->cap = (o->len + n + 1) * 2;
        o->buf = realloc(o->buf, o->cap);
        if (!o->buf) {
            fprintf(stderr, "geode: out of memory\n");
            exit(1);
        }
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = 0;
}

struct renderer {
    struct rctx c;
    struct out o;
};

/* "{%-" or "{{-" at pos: trims the blanks of the text just before it. */
static void trim_before(struct renderer *r, size_t pos)
{
    if (r->c.text[pos + 2] != '-' || r->o.text_end != pos)
        return;
    while (r->o.len > r->o.text_start && strchr(" \t\r\n", r->o.buf[r->o.len - 1]))
        r->o.len--;
}

/* At "}}" or "%}" (after blanks), with an optional '-' before it. */
static bool close_tag(struct renderer *r, size_t *pos, const char *close)
{
    rx_skip_space(&r->c, pos);
    bool trim = r->c.text[*pos] == '-';
    if (strncmp(r->c.text + *pos + trim, close, 2)) {
        size_t n = strcspn(r->c.text + *pos, " \t\r\n");
        if (n)
            rx_error(&r->c, *pos, "expected '%s', found '%.*s' (not in Geode's template subset)",
                     close, (int)(n > 16 ? 16 : n), r->c.text + *pos);
        else
            rx_error(&r->c, *pos, "expected '%s'", close);
        return false;
    }
    *pos += 2 + trim;
    if (trim)
        rx_skip_space(&r->c, pos);
    return true;
}

/* Skips to just after the next close (after an error), or to the end. */
static void recover(struct renderer *r, size_t *pos, const char *close)
{
    const char *e = strstr(r->c.text + *pos, close);
    *pos = e ? (size_t)(e - r->c.text) + 2 : strlen(r->c.text);
}

static void output(struct renderer *r, size_t *pos, bool skip)
{
    struct rval v;
    rx_skip_space(&r->c, pos);
    size_t at = *pos;
    bool ok = rx_expr(&r->c, pos, skip, &v) && close_tag(r, pos, "}}");
    char *s = ok && !skip ? rx_to_string(&r->c, at, &v) : NULL;
    if (s)
        emit(&r->o, s, strlen(s));
    free(s);
    rval_free(&v);
    if (!ok)
        recover(r, pos, "}}");
}

static const char *walk(struct renderer *r, size_t *pos, bool skip, const char *const *stops,
                        size_t *tag);

/* A condition: its truth (false after an error, which sets *dead). */
static bool condition(struct renderer *r, size_t *pos, bool skip, bool *dead)
{
    struct rval v;
    rx_skip_space(&r->c, pos);
    size_t at = *pos;
    bool ok = rx_expr(&r->c, pos, skip, &v) && close_tag(r, pos, "%}");
    bool t = ok && !skip && rx_truth(&r->c, at, &v, &ok);
    rval_free(&v);
    if (!ok) {
        recover(r, pos, "%}");
        *dead = true;
    }
    return t;
}

static void unclosed(struct renderer *r, size_t open, const char *what)
{
    rx_error(&r->c, open, "this {%% %s %%} has no {%% end%s %%}", what, what);
}

static void do_if(struct renderer *r, size_t *pos, bool skip, size_t open)
{
    static const char *const stops[] = {"elif", "else", "endif", NULL};
    static const char *const end[] = {"endif", NULL};
    bool dead = skip, taken = condition(r, pos, skip, &dead);
    size_t tag;
    const char *kw = walk(r, pos, dead || !taken, stops, &tag);
    while (!strcmp(kw, "elif")) {
        bool t = condition(r, pos, dead || taken, &dead);
        kw = walk(r, pos, dead || taken || !t, stops, &tag);
        taken |= t;
    }
    if (!strcmp(kw, "else") && close_tag(r, pos, "%}"))
        kw = walk(r, pos, dead || taken, end, &tag);
    if (!kw[0])
        unclosed(r, open, "if");
    else if (!close_tag(r, pos, "%}"))
        recover(r, pos, "%}");
}

static void do_for(struct renderer *r, size_t *pos, bool skip, size_t open)
{
    static const char *const end[] = {"endfor", NULL};
    char var[64];
    struct rval list = {0};
    size_t at = *pos, tag;
    char in[8];
    bool ok = rx_ident(&r->c, pos, var, sizeof(var));
    if (!ok)
        rx_error(&r->c, at, "expected a loop variable (one name)");
    else if (!rx_ident(&r->c, pos, in, sizeof(in)) || strcmp(in, "in"))
        ok = false, rx_error(&r->c, *pos, "expected 'in' (one loop variable only)");
    rx_skip_space(&r->c, pos);
    at = *pos;
    ok = ok && rx_expr(&r->c, pos, skip, &list) && close_tag(r, pos, "%}");
    if (ok && !skip && list.k != RV_LIST) {
        rx_error(&r->c, at, "can only loop over a list");
        ok = false;
    }
    if (!ok)
        recover(r, pos, "%}");
    size_t body = *pos, nl = r->c.nlocals;
    const char *kw = "";
    if (!ok || skip || list.n == 0 || nl == sizeof(r->c.locals) / sizeof(r->c.locals[0])) {
        if (nl == sizeof(r->c.locals) / sizeof(r->c.locals[0]))
            rx_error(&r->c, open, "loops nested too deeply");
        kw = walk(r, pos, true, end, &tag);
    }
    for (size_t i = 0; ok && !skip && nl < 16 && i < list.n; i++) {
        int errors = r->c.errors;
        r->c.locals[nl] = (struct render_var){var, list.items[i]};
        r->c.nlocals = nl + 1;
        *pos = body;
        kw = walk(r, pos, false, end, &tag);
        r->c.nlocals = nl;
        if (r->c.errors != errors || !kw[0])
            break; /* once is enough for the same error */
    }
    rval_free(&list);
    if (!kw[0])
        unclosed(r, open, "for");
    else if (!close_tag(r, pos, "%}"))
        recover(r, pos, "%}");
}

/* Renders from *pos until the end or a statement named in stops, whose
 * keyword it returns with *pos after it ("" at the end of the text). */
static const char *walk(struct renderer *r, size_t *pos, bool skip, const char *const *stops,
                        size_t *tag)
{
    const char *t = r->c.text;
    while (t[*pos]) {
        size_t start = *pos;
        while (t[*pos] && !(t[*pos] == '{' && strchr("{%#", t[*pos + 1])))
            (*pos)++;
        if (!skip && *pos > start) {
            r->o.text_start = r->o.len;
            emit(&r->o, t + start, *pos - start);
            r->o.text_end = *pos;
        }
        if (!t[*pos])
            break;
        size_t open = *pos;
        char kind = t[*pos + 1];
        if (!skip)
            trim_before(r, open);
        *pos += 2 + (t[*pos + 2] == '-');
        if (kind == '#') {
            const char *e = strstr(t + *pos, "#}");
            if (!e) {
                rx_error(&r->c, open, "unterminated comment");
                *pos = strlen(t);
                break;
            }
            *pos = (size_t)(e - t) + 2;
            continue;
        }
        if (kind == '{') {
            output(r, pos, skip);
            continue;
        }
        char kw[16];
        if (!rx_ident(&r->c, pos, kw, sizeof(kw))) {
            rx_error(&r->c, *pos, "expected a statement name");
            recover(r, pos, "%}");
            continue;
        }
        for (const char *const *s = stops; *s; s++) {
            if (!strcmp(kw, *s)) {
                *tag = open;
                return *s;
            }
        }
        if (!strcmp(kw, "if")) {
            do_if(r, pos, skip, open);
        } else if (!strcmp(kw, "for")) {
            do_for(r, pos, skip, open);
        } else {
            bool known = !strcmp(kw, "elif") || !strcmp(kw, "else") || !strncmp(kw, "end", 3);
            rx_error(&r->c, open,
                     known ? "unexpected {%% %s %%}"
                           : "unsupported statement {%% %s %%} (Geode renders if/elif/else "
                             "and for)",
                     kw);
            recover(r, pos, "%}");
        }
    }
    return "";
}

int manifest_render(const char *file, const char *text, const struct render_var *vars, size_t nvars,
                    FILE *out, FILE *diag)
{
    struct renderer r = {
        .c = {.file = file, .text = text, .vars = vars, .nvars = nvars, .diag = diag}};
    static const char *const none[] = {NULL};
    size_t pos = 0, tag;
    emit(&r.o, "", 0);
    walk(&r, &pos, false, none, &tag);
    if (!r.c.errors)
        fwrite(r.o.buf, 1, r.o.len, out);
    free(r.o.buf);
    free(r.c.python);
    return r.c.errors ? -1 : 0;
}
