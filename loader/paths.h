/* Where Geode's runtime files (libos.elf, the enclave PAL) live: next to
 * the geode binary in a build tree, or in ../lib/geode when installed. */
#ifndef GEODE_PATHS_H
#define GEODE_PATHS_H

#include <stddef.h>

/* Writes the runtime directory into buf; returns 0, or -1 when neither
 * place holds libos.elf (buf then holds the build-tree candidate). */
int geode_runtime_dir(char *buf, size_t size);

#endif
