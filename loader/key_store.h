/* Small per-user cache files, each named by a 32-byte key (loader/key_store.c):
 * the kept signatures (sig_cache.c) and the measurement memo
 * (measure_memo.c). A store lives in a directory from geode_cache_path
 * (env's value, or "off" for none); an entry is one private file, hex(key)
 * followed by ext, written whole and renamed into place; a load refreshes
 * its time, and a save past max_entries removes the least recently used
 * half. Everything is best effort: a store that cannot be read or written
 * is as if empty. */
#ifndef GEODE_LOADER_KEY_STORE_H
#define GEODE_LOADER_KEY_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct key_store {
    const char *env;  /* e.g. "GEODE_SIG_CACHE" */
    const char *name; /* its directory under the cache: e.g. "sigstructs" */
    const char *ext;  /* e.g. ".sig" */
    size_t max_entries;
};

/* Reads the entry into buf: the byte count (at most size), or -1 when there
 * is none. A file longer than size reads as size + 1 bytes' worth: -1. */
ssize_t key_store_load(const struct key_store *s, const uint8_t key[32], void *buf, size_t size);

/* Keeps buf[0, n) as the entry. */
void key_store_save(const struct key_store *s, const uint8_t key[32], const void *buf, size_t n);

/* Forgets the entry. */
void key_store_drop(const struct key_store *s, const uint8_t key[32]);

#endif
