/* Template expressions: literals, names (dotted, and the built-in
 * namespaces gramine.*, python.*, env), calls, indexing, filters, tests,
 * not/and/or, comparisons, '~' and '+', and "A if C else B". Parsing and
 * evaluation are one pass; a part not to be evaluated (a branch not taken,
 * a short-circuited operand) is parsed with skip set, so its syntax is
 * still checked but nothing runs. Anything outside the subset is an error
 * naming its position: never a silently different rendering. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "manifest/render_expr.h"

#define NAME_MAX_LEN 256

void rx_error(struct rctx *c, size_t pos, const char *fmt, ...)
{
    int line = 1, col = 1;
    for (size_t i = 0; i < pos && c->text[i]; i++, col++)
        if (c->text[i] == '\n')
            line++, col = 0;
    fprintf(c->diag, "%s:%d:%d: error: ", c->file, line, col);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(c->diag, fmt, ap);
    va_end(ap);
    fputc('\n', c->diag);
    c->errors++;
}

void rval_free(struct rval *v)
{
    free(v->s);
    for (size_t i = 0; i < v->n; i++)
        free(v->items[i]);
    free(v->items);
    memset(v, 0, sizeof(*v));
}

char *rx_strndup(const char *s, size_t n)
{
    char *d = strndup(s, n);
    if (!d) {
        fprintf(stderr, "geode: out of memory\n");
        exit(1);
    }
    return d;
}

static struct rval str_val(const char *s)
{
    return (struct rval){.k = RV_STR, .s = rx_strndup(s, strlen(s))};
}

static struct rval bool_val(bool b)
{
    return (struct rval){.k = RV_BOOL, .i = b};
}

void rx_list_push(struct rval *v, const char *s)
{
    char **items = realloc(v->items, (v->n + 1) * sizeof(*items));
    if (!items) {
        fprintf(stderr, "geode: out of memory\n");
        exit(1);
    }
    v->items = items;
    v->items[v->n++] = rx_strndup(s, strlen(s));
}

/* ---- Tokens ---- */

enum tok_type { T_END, T_NAME, T_STR, T_INT, T_OP };

struct tok {
    enum tok_type type;
    size_t pos, len;
};

void rx_skip_space(const struct rctx *c, size_t *pos)
{
    while (c->text[*pos] == ' ' || c->text[*pos] == '\t' || c->text[*pos] == '\n' ||
           c->text[*pos] == '\r')
        (*pos)++;
}

/* The token at *pos (after blanks), without consuming it. "}}", "%}" and
 * "-}}", "-%}" end an expression: they are T_END. */
static struct tok peek(struct rctx *c, size_t *pos)
{
    rx_skip_space(c, pos);
    const char *s = c->text + *pos;
    struct tok t = {T_OP, *pos, 1};
    static const char *const two[] = {"==", "!=", "<=", ">=", "//", "**"};
    if (!*s || !strncmp(s, "}}", 2) || !strncmp(s, "%}", 2) || !strncmp(s, "-}}", 3) ||
        !strncmp(s, "-%}", 3)) {
        t.type = T_END, t.len = 0;
    } else if (isalpha((unsigned char)*s) || *s == '_') {
        t.type = T_NAME;
        while (isalnum((unsigned char)s[t.len]) || s[t.len] == '_')
            t.len++;
    } else if (isdigit((unsigned char)*s)) {
        t.type = T_INT;
        while (isdigit((unsigned char)s[t.len]))
            t.len++;
    } else if (*s == '\'' || *s == '"') {
        t.type = T_STR;
        while (s[t.len] && s[t.len] != *s && s[t.len] != '\n')
            t.len += s[t.len] == '\\' && s[t.len + 1] ? 2 : 1;
        t.len += s[t.len] == *s; /* unterminated: the parser reports it */
    } else {
        for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++)
            if (!strncmp(s, two[i], 2))
                t.len = 2;
    }
    return t;
}

static bool is_op(struct rctx *c, size_t *pos, const char *op)
{
    struct tok t = peek(c, pos);
    return (t.type == T_OP || t.type == T_NAME) && t.len == strlen(op) &&
           !strncmp(c->text + t.pos, op, t.len);
}

static bool accept(struct rctx *c, size_t *pos, const char *op)
{
    if (!is_op(c, pos, op))
        return false;
    *pos += strlen(op);
    return true;
}

static bool expect(struct rctx *c, size_t *pos, const char *op)
{
    if (accept(c, pos, op))
        return true;
    struct tok t = peek(c, pos);
    rx_error(c, t.pos, "expected '%s', found %s%.*s%s", op, t.type == T_END ? "the end" : "'",
             (int)t.len, c->text + t.pos, t.type == T_END ? "" : "'");
    return false;
}

bool rx_ident(struct rctx *c, size_t *pos, char *buf, size_t size)
{
    struct tok t = peek(c, pos);
    if (t.type != T_NAME || t.len >= size)
        return false;
    memcpy(buf, c->text + t.pos, t.len);
    buf[t.len] = 0;
    *pos += t.len;
    return true;
}

static bool unquote(struct rctx *c, struct tok t, struct rval *out, bool skip)
{
    const char *s = c->text + t.pos;
    if (t.len < 2 || s[t.len - 1] != s[0]) {
        rx_error(c, t.pos, "unterminated string");
        return false;
    }
    char *d = malloc(t.len), *o = d;
    if (!d)
        return rx_error(c, t.pos, "out of memory"), false;
    for (size_t i = 1; i + 1 < t.len; i++) {
        char ch = s[i];
        if (ch == '\\') {
            char e = s[++i];
            ch = e == 'n' ? '\n' : e == 't' ? '\t' : e;
            if (!strchr("nt\\'\"", e)) {
                rx_error(c, t.pos + i, "unsupported escape '\\%c'", e);
                free(d);
                return false;
            }
        }
        *o++ = ch;
    }
    *o = 0;
    if (skip)
        free(d);
    else
        *out = (struct rval){.k = RV_STR, .s = d};
    return true;
}

/* ---- Values ---- */

char *rx_to_string(struct rctx *c, size_t pos, const struct rval *v)
{
    char buf[32];
    switch (v->k) {
    case RV_STR:
        return rx_strndup(v->s, strlen(v->s));
    case RV_INT:
        snprintf(buf, sizeof(buf), "%lld", v->i);
        return rx_strndup(buf, strlen(buf));
    case RV_BOOL:
        return rx_strndup(v->i ? "True" : "False", 5);
    case RV_NONE:
        return rx_strndup("None", 4);
    case RV_UNDEF:
        rx_error(c, pos, "'%s' is undefined", v->s);
        return NULL;
    case RV_LIST:
        rx_error(c, pos, "a list cannot be printed (loop over it)");
        return NULL;
    case RV_ENV:
        rx_error(c, pos, "'env' cannot be printed (use env.NAME)");
        return NULL;
    }
    return NULL;
}

bool rx_truth(struct rctx *c, size_t pos, const struct rval *v, bool *ok)
{
    switch (v->k) {
    case RV_STR:
        return v->s[0] != 0;
    case RV_INT:
    case RV_BOOL:
        return v->i != 0;
    case RV_LIST:
        return v->n != 0;
    case RV_ENV:
        return true;
    case RV_NONE:
        return false;
    case RV_UNDEF:
        break;
    }
    rx_error(c, pos, "'%s' is undefined", v->s);
    *ok = false;
    return false;
}

static bool numeric(const struct rval *v)
{
    return v->k == RV_INT || v->k == RV_BOOL;
}

static bool undefined(struct rctx *c, size_t pos, const struct rval *a, const struct rval *b)
{
    const struct rval *u = a->k == RV_UNDEF ? a : b->k == RV_UNDEF ? b : NULL;
    if (u)
        rx_error(c, pos, "'%s' is undefined", u->s);
    return u != NULL;
}

/* ---- Names ---- */

static const struct render_var *find_var(const struct render_var *v, size_t n, const char *name)
{
    for (size_t i = n; i-- > 0;)
        if (!strcmp(v[i].name, name))
            return &v[i];
    return NULL;
}

/* A name's value: loop variables, then -D and built-in definitions, then
 * the namespaces; undefined otherwise (an error only once used). */
static struct rval resolve(struct rctx *c, size_t pos, const char *name)
{
    const struct render_var *v = find_var(c->locals, c->nlocals, name);
    if (!v) {
        /* vars: the first match wins (-D definitions come first). */
        for (size_t i = 0; i < c->nvars && !v; i++)
            if (!strcmp(c->vars[i].name, name))
                v = &c->vars[i];
    }
    if (v)
        return str_val(v->value);
    if (!strcmp(name, "env"))
        return (struct rval){.k = RV_ENV};
    if (!strncmp(name, "env.", 4) && getenv(name + 4))
        return str_val(getenv(name + 4));
    if (!strcmp(name, "gramine.runtimedir")) /* printable uncalled, as in Gramine */
        return resolve(c, pos, "gramine.runtimedir()");
    if (!strncmp(name, "python.", 7) && !strchr(name + 7, '.')) {
        const char *p = rx_python_fact(c, pos, name + 7);
        if (p)
            return str_val(p);
    }
    return (struct rval){.k = RV_UNDEF, .s = rx_strndup(name, strlen(name))};
}

/* value.method(args): the pathlib and str methods templates use. */
static bool call_method(struct rctx *c, size_t pos, const char *m, struct rval *self,
                        struct rval *args, size_t nargs, struct rval *out)
{
    struct stat st;
    if (self->k == RV_UNDEF)
        return rx_error(c, pos, "'%s' is undefined", self->s), false;
    if (self->k != RV_STR)
        return rx_error(c, pos, "unsupported method '%s' on a non-string", m), false;
    if (nargs == 0 && (!strcmp(m, "is_dir") || !strcmp(m, "is_file") || !strcmp(m, "exists"))) {
        bool there = stat(self->s, &st) == 0;
        *out = bool_val(there && (m[3] == 'd'   ? S_ISDIR(st.st_mode)
                                  : m[3] == 'f' ? S_ISREG(st.st_mode)
                                                : true));
        return true;
    }
    if (nargs == 1 && args[0].k == RV_STR && (!strcmp(m, "startswith") || !strcmp(m, "endswith"))) {
        size_t a = strlen(self->s), b = strlen(args[0].s);
        *out = bool_val(b <= a && !memcmp(self->s + (m[0] == 's' ? 0 : a - b), args[0].s, b));
        return true;
    }
    rx_error(c, pos,
             "unsupported method '%s()' (supported: is_dir, is_file, exists, startswith, "
             "endswith)",
             m);
    return false;
}

/* name(args): the built-in functions, then a zero-argument call defined as
 * "name()" (gramine.runtimedir(), geode.runtimedir()), then a method. */
static bool call(struct rctx *c, size_t pos, const char *name, struct rval *args, size_t nargs,
                 struct rval *out)
{
    if (!strcmp(name, "env.get")) {
        if (nargs < 1 || nargs > 2 || args[0].k != RV_STR)
            return rx_error(c, pos, "env.get() takes a name and an optional default"), false;
        const char *e = getenv(args[0].s);
        if (e)
            *out = str_val(e);
        else if (nargs == 2)
            *out = args[1], args[1] = (struct rval){0};
        else
            *out = (struct rval){.k = RV_NONE};
        return true;
    }
    if (!strcmp(name, "ldd"))
        return rx_ldd(c, pos, args, nargs, out);
    if (!strcmp(name, "python.get_sys_path"))
        return rx_sys_path(c, pos, args, nargs, out);
    if (!strcmp(name, "python.get_path")) {
        const char *p =
            nargs == 1 && args[0].k == RV_STR ? rx_python_fact(c, pos, args[0].s) : NULL;
        if (!p)
            return rx_error(c, pos, "python.get_path() takes a sysconfig path name"), false;
        *out = str_val(p);
        return true;
    }
    if (!strcmp(name, "gramine.runtimedir") && nargs == 1 &&
        (args[0].k != RV_STR || strcmp(args[0].s, "glibc")))
        return rx_error(c, pos, "gramine.runtimedir(): Geode runs the host's glibc only"), false;
    char called[NAME_MAX_LEN + 2];
    snprintf(called, sizeof(called), "%s()", name);
    if (nargs <= (strcmp(name, "gramine.runtimedir") ? 0u : 1u) &&
        (find_var(c->vars, c->nvars, called))) {
        *out = resolve(c, pos, called);
        return true;
    }
    const char *dot = strrchr(name, '.');
    if (!dot)
        return rx_error(c, pos, "unknown function '%s'", name), false;
    char obj[NAME_MAX_LEN];
    snprintf(obj, sizeof(obj), "%.*s", (int)(dot - name), name);
    struct rval self = resolve(c, pos, obj);
    bool ok = call_method(c, pos, dot + 1, &self, args, nargs, out);
    rval_free(&self);
    return ok;
}

/* ---- The grammar, from the tightest binding up ---- */

static bool parse_args(struct rctx *c, size_t *pos, bool skip, struct rval *args, size_t *n,
                       const char *close)
{
    *n = 0;
    if (accept(c, pos, close))
        return true;
    do {
        if (*n == MAX_ARGS)
            return rx_error(c, *pos, "too many arguments"), false;
        if (!rx_expr(c, pos, skip, &args[*n]))
            return false;
        (*n)++;
    } while (accept(c, pos, ","));
    return expect(c, pos, close);
}

static void free_args(struct rval *args, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rval_free(&args[i]);
}

static bool filter(struct rctx *c, size_t *pos, bool skip, struct rval *v)
{
    char name[32];
    size_t at = *pos, nargs = 0;
    struct rval args[MAX_ARGS] = {0};
    if (!rx_ident(c, pos, name, sizeof(name)))
        return rx_error(c, at, "expected a filter name after '|'"), false;
    if (accept(c, pos, "(") && !parse_args(c, pos, skip, args, &nargs, ")"))
        return free_args(args, nargs), false;
    bool ok = true;
    if (skip) {
    } else if (!strcmp(name, "default") || !strcmp(name, "d")) {
        bool bool_mode = false;
        if (nargs == 2)
            bool_mode = rx_truth(c, at, &args[1], &ok);
        if (nargs < 1 || nargs > 2)
            ok = false, rx_error(c, at, "default() takes a value and an optional boolean");
        else if (v->k == RV_UNDEF || (bool_mode && ok && !rx_truth(c, at, v, &ok)))
            rval_free(v), *v = args[0], args[0] = (struct rval){0};
    } else if (!strcmp(name, "string") || !strcmp(name, "lower") || !strcmp(name, "upper")) {
        char *s = nargs ? NULL : rx_to_string(c, at, v);
        ok = s != NULL;
        for (char *p = s; p && name[0] != 's' && *p; p++)
            *p = (char)(name[0] == 'l' ? tolower((unsigned char)*p) : toupper((unsigned char)*p));
        if (ok)
            rval_free(v), *v = (struct rval){.k = RV_STR, .s = s};
    } else {
        ok = false;
        rx_error(c, at, "unsupported filter '%s' (supported: default, string, lower, upper)", name);
    }
    free_args(args, nargs);
    return ok;
}

/* "is [not] defined|undefined|none". */
static bool test(struct rctx *c, size_t *pos, bool skip, struct rval *v)
{
    char name[32];
    size_t at = *pos;
    bool neg = accept(c, pos, "not");
    if (!rx_ident(c, pos, name, sizeof(name)))
        return rx_error(c, at, "expected a test name after 'is'"), false;
    bool r;
    if (!strcmp(name, "defined") || !strcmp(name, "undefined"))
        r = (v->k == RV_UNDEF) == (name[0] == 'u');
    else if (!strcmp(name, "none"))
        r = v->k == RV_NONE;
    else
        return rx_error(c, at, "unsupported test '%s' (supported: defined, undefined, none)", name),
               false;
    if (!skip)
        rval_free(v), *v = bool_val(r != neg);
    return true;
}

static bool primary(struct rctx *c, size_t *pos, bool skip, struct rval *out, char *name)
{
    struct tok t = peek(c, pos);
    const char *s = c->text + t.pos;
    name[0] = 0;
    if (t.type == T_STR) {
        *pos += t.len;
        return unquote(c, t, out, skip);
    }
    if (t.type == T_INT) {
        *pos += t.len;
        if (!skip)
            *out = (struct rval){.k = RV_INT, .i = strtoll(s, NULL, 10)};
        return true;
    }
    if (accept(c, pos, "(")) /* tuples are not supported: one expression */
        return rx_expr(c, pos, skip, out) && expect(c, pos, ")");
    if (accept(c, pos, "[")) {
        struct rval items[MAX_ARGS] = {0};
        size_t n;
        if (!parse_args(c, pos, skip, items, &n, "]"))
            return free_args(items, n), false;
        bool ok = true;
        if (!skip)
            *out = (struct rval){.k = RV_LIST};
        for (size_t i = 0; !skip && ok && i < n; i++) {
            char *v = rx_to_string(c, t.pos, &items[i]);
            if ((ok = v != NULL))
                rx_list_push(out, v);
            free(v);
        }
        free_args(items, n);
        return ok;
    }
    if (t.type != T_NAME) {
        rx_error(c, t.pos,
                 t.type == T_END ? "expected an expression"
                                 : "unexpected '%.*s' (not in Geode's template subset)",
                 (int)t.len, s);
        return false;
    }
    *pos += t.len;
    static const char *const kw[] = {"true", "True", "false", "False", "none", "None"};
    for (int i = 0; i < 6; i++) {
        if (t.len == strlen(kw[i]) && !strncmp(s, kw[i], t.len)) {
            if (!skip)
                *out = i < 4 ? bool_val(i < 2) : (struct rval){.k = RV_NONE};
            return true;
        }
    }
    snprintf(name, NAME_MAX_LEN, "%.*s", (int)t.len, s); /* resolved by postfix */
    return true;
}

/* primary, then .name, (args), [index], | filter, is test. A dotted name
 * stays a name until used, so "gramine.runtimedir()" or "env.get(...)" is
 * looked up whole. */
static bool postfix(struct rctx *c, size_t *pos, bool skip, struct rval *out)
{
    char name[NAME_MAX_LEN];
    size_t at = peek(c, pos).pos;
    if (!primary(c, pos, skip, out, name))
        return false;
    for (;;) {
        size_t here = peek(c, pos).pos;
        if (name[0] && accept(c, pos, ".")) {
            size_t n = strlen(name);
            name[n] = '.';
            if (!rx_ident(c, pos, name + n + 1, NAME_MAX_LEN - n - 1))
                return rx_error(c, *pos, "expected a name after '.'"), false;
        } else if (name[0] && accept(c, pos, "(")) {
            struct rval args[MAX_ARGS] = {0};
            size_t n;
            bool ok = parse_args(c, pos, skip, args, &n, ")") &&
                      (skip || call(c, at, name, args, n, out));
            free_args(args, n);
            if (!ok)
                return false;
            name[0] = 0;
        } else if (accept(c, pos, "[")) {
            struct rval key = {0};
            if (!rx_expr(c, pos, skip, &key) || !expect(c, pos, "]"))
                return rval_free(&key), false;
            if (!skip && (strcmp(name, "env") || key.k != RV_STR)) {
                rval_free(&key);
                return rx_error(c, here, "indexing is supported only as env['NAME']"), false;
            }
            if (!skip) {
                const char *e = getenv(key.s);
                if (!e) {
                    rx_error(c, here, "environment variable '%s' is not set", key.s);
                    return rval_free(&key), false;
                }
                *out = str_val(e);
            }
            rval_free(&key);
            name[0] = 0;
        } else if (is_op(c, pos, "|") || is_op(c, pos, "is")) {
            if (name[0] && !skip)
                *out = resolve(c, at, name);
            name[0] = 0;
            bool f = accept(c, pos, "|");
            if (!f)
                accept(c, pos, "is");
            if (!(f ? filter(c, pos, skip, out) : test(c, pos, skip, out)))
                return false;
        } else if (!name[0] && is_op(c, pos, ".")) {
            /* value.method(): only on a name's value, so that the method is known */
            return rx_error(c, here, "methods are supported on names only"), false;
        } else {
            break;
        }
    }
    if (name[0] && !skip)
        *out = resolve(c, at, name);
    return true;
}

static bool unary(struct rctx *c, size_t *pos, bool skip, struct rval *out)
{
    size_t at = peek(c, pos).pos;
    if (!accept(c, pos, "-"))
        return postfix(c, pos, skip, out);
    if (!unary(c, pos, skip, out))
        return false;
    if (!skip && !numeric(out))
        return rx_error(c, at, "'-' needs a number"), false;
    out->k = RV_INT, out->i = -out->i;
    return true;
}

/* '+', '-' on integers and '+' on strings, as Python. */
static bool sum(struct rctx *c, size_t *pos, bool skip, struct rval *out)
{
    if (!unary(c, pos, skip, out))
        return false;
    for (;;) {
        size_t at = peek(c, pos).pos;
        bool plus = accept(c, pos, "+");
        if (!plus && !accept(c, pos, "-"))
            return true;
        struct rval r = {0};
        if (!unary(c, pos, skip, &r))
            return false;
        if (skip)
            continue;
        if (numeric(out) && numeric(&r)) {
            out->k = RV_INT, out->i = plus ? out->i + r.i : out->i - r.i;
        } else if (plus && out->k == RV_STR && r.k == RV_STR) {
            char *s = malloc(strlen(out->s) + strlen(r.s) + 1);
            sprintf(s, "%s%s", out->s, r.s);
            free(out->s), out->s = s;
        } else {
            if (!undefined(c, at, out, &r))
                rx_error(c, at, "'%c' needs two numbers or two strings", plus ? '+' : '-');
            rval_free(&r);
            return false;
        }
        rval_free(&r);
    }
}

/* '~' joins the string forms. */
static bool concat(struct rctx *c, size_t *pos, bool skip, struct rval *out)
{
    if (!sum(c, pos, skip, out))
        return false;
    for (;;) {
        size_t at = peek(c, pos).pos;
        if (!accept(c, pos, "~"))
            return true;
        struct rval r = {0};
        if (!sum(c, pos, skip, &r))
            return false;
        if (skip)
            continue;
        char *a = rx_to_string(c, at, out), *b = a ? rx_to_string(c, at, &r) : NULL;
        rval_free(&r);
        if (!b)
            return free(a), false;
        char *s = malloc(strlen(a) + strlen(b) + 1);
        sprintf(s, "%s%s", a, b);
        free(a), free(b);
        rval_free(out);
        *out = (struct rval){.k = RV_STR, .s = s};
    }
}

static bool equal(const struct rval *a, const struct rval *b)
{
    if (numeric(a) && numeric(b))
        return a->i == b->i;
    if (a->k != b->k)
        return false;
    return a->k == RV_STR ? !strcmp(a->s, b->s) : a->k == RV_NONE;
}

static bool contains(const struct rval *needle, const struct rval *hay)
{
    if (needle->k != RV_STR)
        return false;
    if (hay->k == RV_ENV)
        return getenv(needle->s) != NULL;
    if (hay->k == RV_STR)
        return strstr(hay->s, needle->s) != NULL;
    for (size_t i = 0; hay->k == RV_LIST && i < hay->n; i++)
        if (!strcmp(hay->items[i], needle->s))
            return true;
    return false;
}

static bool compare(struct rctx *c, size_t *pos, bool skip, struct rval *out)
{
    static const char *const ops[] = {"==", "!=", "<=", ">=", "<", ">", "in", "not"};
    if (!concat(c, pos, skip, out))
        return false;
    size_t at = peek(c, pos).pos;
    int op = -1;
    for (int i = 0; i < 8 && op < 0; i++)
        if (accept(c, pos, ops[i]))
            op = i;
    if (op < 0)
        return true;
    if (op == 7 && !expect(c, pos, "in")) /* "not in" */
        return false;
    struct rval r = {0};
    if (!concat(c, pos, skip, &r))
        return false;
    for (int i = 0; i < 8; i++)
        if (is_op(c, pos, ops[i]))
            return rval_free(&r),
                   rx_error(c, peek(c, pos).pos,
                            "chained comparisons are not "
                            "supported"),
                   false;
    if (skip)
        return true;
    bool res, ok = !undefined(c, at, out, &r);
    if (op < 2) {
        res = equal(out, &r) == (op == 0);
    } else if (op >= 6) {
        if (ok && r.k != RV_STR && r.k != RV_LIST && r.k != RV_ENV)
            ok = false, rx_error(c, at, "'in' needs a string, a list or env on its right");
        res = contains(out, &r) == (op == 6);
    } else {
        long long d = numeric(out) && numeric(&r)         ? (out->i > r.i) - (out->i < r.i)
                      : out->k == RV_STR && r.k == RV_STR ? strcmp(out->s, r.s)
                                                          : 2;
        if (ok && d == 2)
            ok = false, rx_error(c, at, "'%s' needs two numbers or two strings", ops[op]);
        res = op == 2 ? d <= 0 : op == 3 ? d >= 0 : op == 4 ? d < 0 : d > 0;
    }
    rval_free(&r);
    rval_free(out);
    *out = bool_val(res);
    return ok;
}

static bool not_(struct rctx *c, size_t *pos, bool skip, struct rval *out)
{
    size_t at = peek(c, pos).pos;
    if (!accept(c, pos, "not"))
        return compare(c, pos, skip, out);
    if (!not_(c, pos, skip, out))
        return false;
    if (skip)
        return true;
    bool ok = true, t = rx_truth(c, at, out, &ok);
    rval_free(out);
    *out = bool_val(!t);
    return ok;
}

/* "and"/"or" short-circuit and give an operand, as Python. */
static bool logic(struct rctx *c, size_t *pos, bool skip, struct rval *out, bool is_or)
{
    if (!(is_or ? logic(c, pos, skip, out, false) : not_(c, pos, skip, out)))
        return false;
    for (;;) {
        size_t at = peek(c, pos).pos;
        if (!accept(c, pos, is_or ? "or" : "and"))
            return true;
        bool ok = true, t = skip ? false : rx_truth(c, at, out, &ok);
        if (!ok)
            return false;
        bool decided = !skip && t == is_or;
        struct rval r = {0};
        if (!(is_or ? logic(c, pos, skip || decided, &r, false)
                    : not_(c, pos, skip || decided, &r)))
            return false;
        if (!skip && !decided)
            rval_free(out), *out = r;
    }
}

bool rx_expr(struct rctx *c, size_t *pos, bool skip, struct rval *out)
{
    size_t start = *pos;
    *out = (struct rval){0};
    /* "A if C else B": A is checked first, then evaluated only if C holds. */
    if (!logic(c, pos, true, out, true))
        return false;
    if (!accept(c, pos, "if")) {
        *pos = start;
        return logic(c, pos, skip, out, true);
    }
    size_t at = peek(c, pos).pos;
    struct rval cond = {0};
    bool ok = true;
    if (!logic(c, pos, skip, &cond, true))
        return false;
    bool t = skip ? false : rx_truth(c, at, &cond, &ok);
    rval_free(&cond);
    if (!ok || !expect(c, pos, "else"))
        return false;
    size_t b = *pos;
    if (!rx_expr(c, pos, true, out))
        return false;
    if (skip)
        return true;
    size_t end = *pos;
    if (t) {
        *pos = start;
        ok = logic(c, pos, false, out, true);
    } else {
        *pos = b;
        ok = rx_expr(c, pos, false, out);
    }
    *pos = end;
    return ok;
}
