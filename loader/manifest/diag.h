/* Manifest diagnostics: "FILE:LINE:COL: error: KEY: message" lines. */
#ifndef GEODE_MANIFEST_DIAG_H
#define GEODE_MANIFEST_DIAG_H

#include <stdio.h>

#include "toml/toml.h"

struct diag {
    const char *file;
    FILE *out;
    int errors;
    int warnings;
};

__attribute__((format(printf, 4, 5))) void diag_error(struct diag *d, struct toml_pos pos,
                                                      const char *key, const char *fmt, ...);
__attribute__((format(printf, 4, 5))) void diag_warn(struct diag *d, struct toml_pos pos,
                                                     const char *key, const char *fmt, ...);

#endif
