/* Remembered SHA-256 of trusted host files, so that a second `geode run`
 * of the same manifest does not hash them again. An entry is used only
 * while the file's device, inode, size, mtime and ctime are all unchanged
 * (ctime cannot be set back by a user); and inside the enclave the libOS
 * checks every trusted file's contents against the measured hash when it
 * reads it, so a stale or forged entry can only make the program fail to
 * open that file, never accept other contents. Kept in
 * $GEODE_HASH_CACHE ("off": none), else $XDG_CACHE_HOME/geode/trusted-hashes,
 * else ~/.cache/geode/trusted-hashes. */
#ifndef GEODE_MANIFEST_HASH_CACHE_H
#define GEODE_MANIFEST_HASH_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

bool hash_cache_lookup(const char *path, const struct stat *st, uint8_t out[32]);
void hash_cache_store(const char *path, const struct stat *st, const uint8_t sha[32]);
/* Writes the cache back when something was added (best effort). */
void hash_cache_flush(void);

#endif
