/* Authenticated encryption for both PALs (pal/crypto/: the trusted PAL's
 * enclave, and the direct PAL's encrypted files): AES-128-GCM from OpenSSL's
 * libcrypto (its low-level AES-NI/CLMUL code, or its portable code on a CPU
 * without them), and the enclave's own sealing key (EGETKEY).
 *
 * Every function saves the caller's extended (x87/SSE/AVX) state first and
 * restores it before returning: the trusted PAL and the libOS keep the
 * program's vector registers live, and libcrypto uses them.
 *
 * All buffers (the context, in, out, aad, iv, tag) must be enclave memory
 * (refused otherwise): GCM reads the ciphertext twice (GHASH and CTR) and
 * writes unverified plaintext before the tag check, so data from the host is
 * copied in first and sealed data copied out afterwards. */
#ifndef GEODE_ENCLAVE_CRYPTO_H
#define GEODE_ENCLAVE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define ENCLAVE_AEAD_KEY 16
#define ENCLAVE_AEAD_IV 12
#define ENCLAVE_AEAD_TAG 16

/* An initialized key (AES key schedule and GCM hash table): caller storage,
 * on the stack or in .bss. Wipe it when done. */
struct enclave_aead {
    _Alignas(64) uint8_t opaque[1024];
};

/* AES-128-GCM. 0 on success, -1 on error (open: tag mismatch -> -1, out is
 * then zeroed). in/out may be equal (in place); len may be 0; aad may be NULL
 * with aad_len 0. A context serves one thread at a time. */
int enclave_aead_init(struct enclave_aead *a, const uint8_t key[ENCLAVE_AEAD_KEY]);
int enclave_aead_seal(struct enclave_aead *a, const uint8_t iv[ENCLAVE_AEAD_IV], const void *aad,
                      size_t aad_len, const void *in, void *out, size_t len,
                      uint8_t tag[ENCLAVE_AEAD_TAG]);
int enclave_aead_open(struct enclave_aead *a, const uint8_t iv[ENCLAVE_AEAD_IV], const void *aad,
                      size_t aad_len, const void *in, void *out, size_t len,
                      const uint8_t tag[ENCLAVE_AEAD_TAG]);
/* Zeroes the key schedule (the context must be initialized again to be used). */
void enclave_aead_wipe(struct enclave_aead *a);

/* One message under a key used once (a context on the stack, wiped after):
 * seal gives 0 or -1 (a bad key); open gives 0, -1 (a bad key) or -2 (the
 * tag does not match: out is zeroed). */
int enclave_aead_seal_once(const uint8_t key[ENCLAVE_AEAD_KEY], const uint8_t iv[ENCLAVE_AEAD_IV],
                           const void *aad, size_t aad_len, const void *in, void *out, size_t len,
                           uint8_t tag[ENCLAVE_AEAD_TAG]);
int enclave_aead_open_once(const uint8_t key[ENCLAVE_AEAD_KEY], const uint8_t iv[ENCLAVE_AEAD_IV],
                           const void *aad, size_t aad_len, const void *in, void *out, size_t len,
                           const uint8_t tag[ENCLAVE_AEAD_TAG]);

/* EGETKEY(SEAL_KEY), KEYPOLICY = MRENCLAVE, KEYID = key_id, ISVSVN, CPUSVN
 * and CONFIGSVN the enclave's own (from its EREPORT), ATTRIBUTEMASK all
 * flags and XFRM bits, MISCMASK all ones: a key only an enclave with this
 * MRENCLAVE and these attributes derives, on this CPU. 0 or -1. */
int enclave_seal_key(const uint8_t key_id[32], uint8_t key[ENCLAVE_AEAD_KEY]);
/* The same with KEYPOLICY policy (SGX_KEYPOLICY_MRENCLAVE or _MRSIGNER: the
 * latter is shared by every enclave of this signer and ISVPRODID whose
 * ISVSVN is at least this one's). */
int enclave_seal_key_policy(uint16_t policy, const uint8_t key_id[32],
                            uint8_t key[ENCLAVE_AEAD_KEY]);

/* SHA-256's compression of `blocks` 64-byte blocks at data into the state
 * h[8] (FIPS 180-4 words, host order), with SHA-NI. 0, or -1 when the CPU
 * (as the host reports it) has no SHA-NI or a buffer is not enclave memory:
 * the caller then hashes with its own code. */
int enclave_sha256_blocks(uint32_t h[8], const void *data, size_t blocks);

/* AES-128-CMAC (RFC 4493) of data, as SGX MACs a REPORT. 0 or -1. */
int enclave_aes_cmac(const uint8_t key[16], const void *data, size_t len, uint8_t mac[16]);

/* Stack below its own frame that each call clears before returning: more
 * than libcrypto's deepest frames. */
#define CRYPTO_STACK_WIPE 4096

/* What crypto.c needs from where it runs (crypto_enclave.c inside the
 * enclave; a unit test on the host). */
/* CPUID leaf/subleaf as the host reports it: eax, ebx, ecx, edx; 0 or -1. */
int crypto_platform_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4]);
/* One line for the diagnostic log. */
void crypto_platform_log(const char *msg, size_t len);
/* Whether [p, p + len) is enclave memory (len 0: true). */
int crypto_platform_private(const void *p, size_t len);

#endif
