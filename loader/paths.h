/* Where Geode's runtime files (libos.elf, the enclave PAL) live: next to
 * the geode binary in a build tree, or in ../lib/geode when installed. */
#ifndef GEODE_PATHS_H
#define GEODE_PATHS_H

#include <stddef.h>

/* Writes the runtime directory into buf; returns 0, or -1 when neither
 * place holds libos.elf (buf then holds the build-tree candidate). */
int geode_runtime_dir(char *buf, size_t size);

/* Where a per-user cache lives: $ENV (its value, or "off": none), else
 * $XDG_CACHE_HOME/geode/NAME, else ~/.cache/geode/NAME. Returns 0 with
 * the path in buf, or -1 (off, no home, too long). */
int geode_cache_path(const char *env, const char *name, char *buf, size_t size);

/* mkdir -p of path's directories (not path itself), each private (0700);
 * stops at the first that cannot be made. */
void geode_make_parent_dirs(const char *path);

#endif
