#ifndef GEODE_MANIFEST_WRITE_TOML_H
#define GEODE_MANIFEST_WRITE_TOML_H

#include <stdio.h>

#include "manifest/manifest.h"

/* Writes m as TOML that manifest_parse() reads back to an equal manifest.
 * Returns 0, or -1 on a write error. */
int manifest_write_toml(const geode_manifest *m, FILE *out);

#endif
