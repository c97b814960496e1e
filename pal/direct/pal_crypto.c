/* Direct PAL: AES-128-GCM for encrypted mounts with the trusted PAL's own
 * code (pal/sgx/enclave/crypto.c, on the host's static libcrypto's
 * low-level AES and GHASH: no allocation, no TLS, which the program owns
 * here; the program's vector registers saved around it). No sealing keys
 * outside an enclave. */
#include <cpuid.h>

#include "crypto.h"
#include "host.h"

int crypto_platform_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
    __cpuid_count(leaf, subleaf, r[0], r[1], r[2], r[3]);
    return 0;
}

void crypto_platform_log(const char *msg, size_t len)
{
    direct_log(msg, len);
}

int crypto_platform_private(const void *p, size_t len)
{
    (void)p, (void)len;
    return 1; /* one address space: nothing is the host's */
}

static long aead_seal(const uint8_t key[16], const uint8_t iv[12], const void *aad, size_t aad_len,
                      const void *in, void *out, size_t len, uint8_t tag[16])
{
    return enclave_aead_seal_once(key, iv, aad, aad_len, in, out, len, tag) ? -PAL_EINVAL : 0;
}

static long aead_open(const uint8_t key[16], const uint8_t iv[12], const void *aad, size_t aad_len,
                      const void *in, void *out, size_t len, const uint8_t tag[16])
{
    int r = enclave_aead_open_once(key, iv, aad, aad_len, in, out, len, tag);
    return r == -1 ? -PAL_EINVAL : r == -2 ? -PAL_EBADMSG : 0;
}

/* A sealing key needs an enclave (EGETKEY). */
static long seal_key(int policy, uint8_t key[16])
{
    (void)policy, (void)key;
    return -PAL_ENOSYS;
}

void direct_fill_crypto(struct pal_api *api)
{
    api->aead_seal = aead_seal;
    api->aead_open = aead_open;
    api->seal_key = seal_key;
}
