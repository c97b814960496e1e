/* Per-user cache files (loader/manifest/cache_path.c): the trusted-hash
 * cache, the signature cache and the signing key's directory. */
#ifndef GEODE_LOADER_CACHE_PATH_H
#define GEODE_LOADER_CACHE_PATH_H

#include <stddef.h>

/* Where a per-user cache lives: $ENV (its value, or "off": none), else
 * $XDG_CACHE_HOME/geode/NAME, else ~/.cache/geode/NAME. Returns 0 with
 * the path in buf, or -1 (off, no home, too long). */
int geode_cache_path(const char *env, const char *name, char *buf, size_t size);

/* mkdir -p of path's directories (not path itself), each private (0700);
 * stops at the first that cannot be made. */
void geode_make_parent_dirs(const char *path);

#endif
