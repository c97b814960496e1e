#ifndef GEODE_MANIFEST_RENDER_H
#define GEODE_MANIFEST_RENDER_H

#include <stddef.h>
#include <stdio.h>

struct render_var {
    const char *name;
    const char *value;
};

/* Expands "{{ name }}" placeholders (Gramine's template syntax, variables
 * only) from vars. Unknown names and "{% ... %}" statements are errors that
 * name the line and column. Returns 0, or -1 after writing errors to diag. */
int manifest_render(const char *file, const char *text, const struct render_var *vars,
                    size_t nvars, FILE *out, FILE *diag);

#endif
