#ifndef GEODE_MANIFEST_CANON_H
#define GEODE_MANIFEST_CANON_H

#include "manifest/manifest.h"

/* Sorts the order-free collections (env by name, trusted/allowed files by URI). */
void manifest_canonicalize(geode_manifest *m);

#endif
