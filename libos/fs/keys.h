/* Named 128-bit keys for encrypted mounts, as Gramine names them: keys
 * from the manifest's fs.insecure__keys, keys a program provisions at run
 * time by writing /dev/attestation/keys/<name>, and the two sealing keys
 * `_sgx_mrenclave` and `_sgx_mrsigner` that the platform derives (EGETKEY)
 * and nobody can set. One table per process; a forked child inherits it
 * with the rest of the libOS state. */
#ifndef GEODE_LIBOS_FS_KEYS_H
#define GEODE_LIBOS_FS_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define FS_KEY_SIZE 16
#define FS_KEY_NAME_MAX 63
#define FS_KEYS_MAX 32

/* A key's name: 1..FS_KEY_NAME_MAX bytes of [A-Za-z0-9_.-], not "." or "..". */
int fs_key_name_ok(const char *name);

/* Sets (or replaces) a named key. -PAL_EINVAL for a bad name,
 * -PAL_EPERM for a platform key ("_sgx_..."), -PAL_ENOMEM when the table
 * is full. */
long fs_key_set(const char *name, const uint8_t key[FS_KEY_SIZE]);

/* Copies a named key out. A platform key is derived on first use through
 * fs_key_platform(). -PAL_ENOENT when no key has that name. */
long fs_key_get(const char *name, uint8_t key[FS_KEY_SIZE]);

/* The names of the keys set so far (platform keys not included), for a
 * directory listing: calls fn for each, in the order they were set. */
void fs_key_each(void (*fn)(const char *name, void *arg), void *arg);

/* Derives a platform key ("_sgx_mrenclave", "_sgx_mrsigner") through the
 * PAL; -PAL_ENOSYS where the platform has none (direct mode). */
long fs_key_platform(const char *name, uint8_t key[FS_KEY_SIZE]);

/* 1 for the names the platform derives ("_sgx_mrenclave", "_sgx_mrsigner"). */
int fs_key_is_platform(const char *name);

#endif
