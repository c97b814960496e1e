/* What crypto.c needs inside the enclave (the host's CPUID through an OCALL,
 * the log, the enclave's bounds) and the enclave's sealing key. */
#include "crypto.h"
#include "pal_enclave.h"

int crypto_platform_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
    struct ocall_args a = {{leaf, subleaf, 0, 0, 0, 0}};
    struct ocall_iov iov = {&a, sizeof(a)};
    uint64_t got = 0;

    if (enclave_ocallv(OCALL_CPUID, &iov, 1, r, 4 * sizeof(uint32_t), &got) < 0 ||
        got != 4 * sizeof(uint32_t))
        return -1;
    return 0;
}

void crypto_platform_log(const char *msg, size_t len)
{
    struct ocall_args a = {{0}};
    struct ocall_iov iov[2] = {{&a, sizeof(a)}, {msg, len}};

    if (len <= OCALL_MAX_IO)
        enclave_ocallv(OCALL_LOG, iov, 2, NULL, 0, NULL);
}

int crypto_platform_private(const void *p, size_t len)
{
    uint64_t a = (uint64_t)p;

    if (!len)
        return 1;
    return g_encl.size && a >= g_encl.base && len <= g_encl.size &&
           a - g_encl.base <= g_encl.size - len;
}

/* The enclave's own ISVSVN, CPUSVN and CONFIGSVN are in its REPORT (an
 * all-zero TARGETINFO is enough to read them). The masks bind every
 * attribute and MISCSELECT bit, so a key is shared only by enclaves with this
 * MRENCLAVE built the same way (DEBUG, XFRM, AEX-Notify...) on this CPU. */
int enclave_seal_key(const uint8_t key_id[32], uint8_t key[ENCLAVE_AEAD_KEY])
{
    return enclave_seal_key_policy(SGX_KEYPOLICY_MRENCLAVE, key_id, key);
}

int enclave_seal_key_policy(uint16_t policy, const uint8_t key_id[32],
                            uint8_t key[ENCLAVE_AEAD_KEY])
{
    static const uint8_t targetinfo[512] __attribute__((aligned(512)));
    static const uint8_t reportdata[64] __attribute__((aligned(128)));
    struct sgx_report report;
    struct sgx_keyrequest kr;
    uint8_t out[ENCLAVE_AEAD_KEY] __attribute__((aligned(16)));
    uint64_t status;

    if (!crypto_platform_private(key_id, 32) || !crypto_platform_private(key, ENCLAVE_AEAD_KEY))
        return -1;
    enclave_ereport(targetinfo, reportdata, &report);
    memset(&kr, 0, sizeof(kr));
    kr.key_name = SGX_KEYNAME_SEAL;
    kr.key_policy = policy;
    kr.isv_svn = report.body.isv_svn;
    kr.config_svn = report.body.config_svn;
    memcpy(kr.cpu_svn, report.body.cpu_svn, sizeof(kr.cpu_svn));
    kr.attribute_mask.flags = ~0ULL;
    /* Not AVX-512, which a run takes where the host has it (enclave_image.h):
     * data sealed on one host opens on another. */
    kr.attribute_mask.xfrm = ~SGX_XFRM_AVX512;
    kr.misc_mask = ~0U;
    memcpy(kr.key_id, key_id, sizeof(kr.key_id));
    status = enclave_egetkey(&kr, out);
    if (!status)
        memcpy(key, out, sizeof(out));
    memset(out, 0, sizeof(out));
    __asm__ volatile("" : : "r"(out) : "memory");
    return status ? -1 : 0;
}
