/* PAL calls for encrypted mounts inside the enclave: AES-128-GCM (crypto.c,
 * which saves the program's vector state around libcrypto) and the sealing
 * keys (EGETKEY); SHA-256 blocks with SHA-NI for trusted files. Every
 * buffer is the libOS's, in enclave memory. */
#include "crypto.h"
#include "pal_enclave.h"

/* KEYID of the sealing keys of encrypted mounts: their own domain, apart
 * from the fork channel's. */
static const uint8_t fs_key_id[32] = "geode encrypted files, v1";

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

static long seal_key(int policy, uint8_t key[16])
{
    uint16_t p = policy == PAL_SEAL_MRENCLAVE  ? SGX_KEYPOLICY_MRENCLAVE
                 : policy == PAL_SEAL_MRSIGNER ? SGX_KEYPOLICY_MRSIGNER
                                               : 0;
    if (!p)
        return -PAL_EINVAL;
    return enclave_seal_key_policy(p, fs_key_id, key) ? -PAL_EIO : 0;
}

static long sha256_blocks(uint32_t state[8], const void *data, size_t blocks)
{
    return enclave_sha256_blocks(state, data, blocks) ? -PAL_ENOSYS : 0;
}

void enclave_fill_crypto(struct pal_api *api)
{
    api->aead_seal = aead_seal;
    api->aead_open = aead_open;
    api->seal_key = seal_key;
    api->sha256_blocks = sha256_blocks;
}
