#ifndef GEODE_MANIFEST_RENDER_H
#define GEODE_MANIFEST_RENDER_H

#include <stddef.h>
#include <stdio.h>

struct render_var {
    const char *name;
    const char *value;
};

/* Renders a Gramine-style Jinja template (the subset described in
 * render.c and docs/manifest.md) with vars: a name, or a zero-argument call
 * written "name()", and its value; the first definition of a name wins.
 * Writes the result to out only when there was no error; errors (each with
 * FILE:LINE:COL) go to diag. Returns 0, or -1 after errors. */
int manifest_render(const char *file, const char *text, const struct render_var *vars, size_t nvars,
                    FILE *out, FILE *diag);

#endif
