/* The development flow's signatures, kept (loader/sig_cache.c): `geode run`
 * of a manifest without a bundle measures the enclave and signs it with the
 * local key on every start; the same enclave signed with the same key needs
 * neither again. An entry is found by the SHA-256 of everything the
 * SIGSTRUCT depends on but its date: the measurement's inputs (ECREATE's
 * SSA frame size and enclave size; in page order each EADD's offset and
 * SECINFO flags and each measured page's bytes), the signature's other
 * fields, and the signing key file's bytes. What EINIT gets from the cache
 * it still checks: a SIGSTRUCT that does not measure to the enclave is
 * refused, and the caller then drops the entry and signs anew.
 *
 * Where: $GEODE_SIG_CACHE (a directory, or "off"), else
 * $XDG_CACHE_HOME/geode/sigstructs, else ~/.cache/geode/sigstructs; one
 * private file per entry, written whole and renamed into place; at most
 * 512 of them (a store past that drops the least recently used half). */
#ifndef GEODE_LOADER_SIG_CACHE_H
#define GEODE_LOADER_SIG_CACHE_H

#include <stdint.h>

#include "layout.h"
#include "sgx_arch.h"
#include "sigstruct.h"

/* The entry's name for layout l signed with params p (its date and
 * enclave_hash ignored) by the key in key_file. 0, or -1 when there is no
 * key file to name (a fresh key each run) or it cannot be read. */
int sig_cache_key(const struct sgx_layout *l, const struct sgx_sign_params *p, const char *key_file,
                  uint8_t key[32]);

/* The entry, into *sig: 0 when there is one whose signature verifies and
 * whose fields other than the date and MRENCLAVE are p's; -1 otherwise
 * (nothing found, the cache off, a damaged or foreign file). */
int sig_cache_load(const uint8_t key[32], const struct sgx_sign_params *p, struct sgx_sigstruct *sig);

/* Keeps sig as the entry (best effort: a cache that cannot be written is
 * no error). */
void sig_cache_store(const uint8_t key[32], const struct sgx_sigstruct *sig);

/* Forgets the entry (EINIT refused it). */
void sig_cache_drop(const uint8_t key[32]);

#endif
