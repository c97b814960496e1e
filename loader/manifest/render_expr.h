/* The expression half of the template renderer (render.c has the
 * statements): a strict subset of Jinja's expressions, parsed and
 * evaluated in one pass straight from the template text. */
#ifndef GEODE_MANIFEST_RENDER_EXPR_H
#define GEODE_MANIFEST_RENDER_EXPR_H

#include <stdbool.h>

#include "manifest/render.h"

#define MAX_ARGS 8 /* arguments of one call, items of one [...] */

enum rv_kind { RV_UNDEF, RV_NONE, RV_STR, RV_INT, RV_BOOL, RV_LIST, RV_ENV };

/* A value. s: the string (RV_STR) or, for RV_UNDEF, the name that was not
 * defined; items: a list of strings (RV_LIST). */
struct rval {
    enum rv_kind k;
    char *s;
    long long i;
    char **items;
    size_t n;
};

/* The rendering of one template. */
struct rctx {
    const char *file, *text;
    const struct render_var *vars; /* -D definitions and the built-ins */
    size_t nvars;
    struct render_var locals[16]; /* loop variables, innermost last */
    size_t nlocals;
    FILE *diag;
    int errors;
    char *python; /* "key\tvalue\n" lines from python3's sysconfig */
};

/* Reports an error at text offset pos ("FILE:LINE:COL: error: ..."). */
void rx_error(struct rctx *c, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Skips blanks from *pos. */
void rx_skip_space(const struct rctx *c, size_t *pos);

/* An identifier at *pos (after blanks) into buf; false when there is none. */
bool rx_ident(struct rctx *c, size_t *pos, char *buf, size_t size);

/* Parses one expression at *pos and, unless skip, evaluates it into out
 * (then owned by the caller). False after an error has been reported. */
bool rx_expr(struct rctx *c, size_t *pos, bool skip, struct rval *out);

/* The value as Jinja prints it (malloc'd), or NULL after an error. */
char *rx_to_string(struct rctx *c, size_t pos, const struct rval *v);
/* Jinja's truth; false with *ok cleared after an error (undefined). */
bool rx_truth(struct rctx *c, size_t pos, const struct rval *v, bool *ok);

void rval_free(struct rval *v);
char *rx_strndup(const char *s, size_t n); /* exits on OOM */
void rx_list_push(struct rval *v, const char *s);

/* render_host.c: python.* facts of the host's /usr/bin/python3 (asked once;
 * NULL for an unknown key), ldd(*paths), python.get_sys_path(interpreter). */
const char *rx_python_fact(struct rctx *c, size_t pos, const char *key);
bool rx_ldd(struct rctx *c, size_t pos, struct rval *args, size_t nargs, struct rval *out);
bool rx_sys_path(struct rctx *c, size_t pos, struct rval *args, size_t nargs, struct rval *out);

#endif
