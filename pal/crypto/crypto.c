/* AES-128-GCM for the enclave (crypto.h), on OpenSSL's low-level code:
 * aesni_* (AES-NI) and CRYPTO_gcm128_* (GHASH with PCLMULQDQ), or AES_* and
 * the 4-bit table GHASH on a CPU without them. The same file is built into
 * the trusted PAL and, for the unit test, on the host.
 *
 * Which code libcrypto runs is chosen by OPENSSL_ia32cap_P, which
 * OPENSSL_cpuid_setup would fill with CPUID. CPUID is illegal inside an
 * enclave (#UD), so the bits come from the CPUID values the host reports
 * (crypto_platform_cpuid: an OCALL). Trusting the host here is acceptable:
 * the bits only pick among correct implementations of the same functions, so
 * a lie costs a #UD (an instruction the CPU lacks) or speed, never secrecy or
 * integrity. Only AES-NI, PCLMULQDQ and SHA-NI are taken from the host; AVX,
 * MOVBE and every other leaf-7 feature stay off, which keeps libcrypto on its
 * legacy-SSE code: it then changes no state outside x87/SSE/AVX (legacy SSE
 * leaves the upper YMM/ZMM halves alone), the state the public functions save
 * and restore. */
#define OPENSSL_SUPPRESS_DEPRECATED /* AES_set_encrypt_key, AES_encrypt */
#include "crypto.h"

#include <openssl/aes.h>
#include <openssl/modes.h>

/* libcrypto's assembly entry points (aesni-x86_64.pl); not in its headers. */
int aesni_set_encrypt_key(const unsigned char *user_key, int bits, AES_KEY *key);
void aesni_encrypt(const unsigned char *in, unsigned char *out, const AES_KEY *key);
void aesni_ctr32_encrypt_blocks(const unsigned char *in, unsigned char *out, size_t blocks,
                                const void *key, const unsigned char ivec[16]);
/* sha256-x86_64.pl: `num` 64-byte blocks into the state h[8] (SHA256_CTX's
 * first member); with the SHA bit of OPENSSL_ia32cap_P[2] its SHA-NI code. */
void sha256_block_data_order(void *h, const void *in, size_t num);

/* CPUID.1:ECX in word 1; words 2-3 (CPUID.7) stay zero. */
extern unsigned int OPENSSL_ia32cap_P[4];

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

#define CPUID1_ECX_PCLMULQDQ (1U << 1)
#define CPUID1_ECX_AESNI (1U << 25)
#define CPUID1_EDX_BASE (1U << 24 | 1U << 25 | 1U << 26) /* FXSR, SSE, SSE2: x86-64 itself */
#define CPUID7_EBX_SHA (1U << 29)

/* sizeof(GCM128_CONTEXT) is not public. OpenSSL 3.0 (modes_local.h): six
 * 16-byte blocks, Htable[16] of 16 bytes, gmult/ghash, mres/ares, block, key,
 * Xn[48] = 440 bytes; later versions add a pointer or two. The space below
 * has room to spare; CRYPTO_gcm128_init zeroes the whole context first, so a
 * bigger one would clear the canary after it, which init checks (and the unit
 * test measures the real size). */
#define GCM_CTX_OPENSSL_3_0 440
#define GCM_CTX_SPACE 576
#define CANARY 64
#define CANARY_BYTE 0xa5
#define AEAD_MAGIC 0x41454144U

struct aead_state {
    _Alignas(64) AES_KEY key;
    _Alignas(64) uint8_t gcm[GCM_CTX_SPACE];
    uint8_t canary[CANARY];
    uint32_t magic;
    uint32_t aesni; /* key scheduled by aesni_set_encrypt_key */
};
_Static_assert(sizeof(struct aead_state) <= sizeof(struct enclave_aead), "enclave_aead too small");
_Static_assert(_Alignof(struct enclave_aead) >= _Alignof(struct aead_state),
               "enclave_aead alignment");
_Static_assert(GCM_CTX_OPENSSL_3_0 <= GCM_CTX_SPACE, "GCM context space");
_Static_assert(sizeof(AES_KEY) == 244, "AES_KEY layout");

/* ---- Extended state ------------------------------------------------------ */

/* The caller's x87/SSE/AVX state (XSAVE standard form, 832 bytes at most), as
 * entry.S keeps it across OCALLs. */
struct fpu_save {
    _Alignas(64) uint8_t area[1024];
};

static inline uint32_t xstate_mask(void)
{
    uint32_t lo, hi;

    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return lo & 7;
}

static void wipe(void *p, size_t n)
{
    memset(p, 0, n);
    __asm__ volatile("" : : "r"(p) : "memory");
}

static void fpu_save(struct fpu_save *s)
{
    memset(s->area + 512, 0, 64); /* XSAVE header: XRSTOR wants bytes 8..63 zero */
    __asm__ volatile("xsave64 %0" : "+m"(s->area) : "a"(xstate_mask()), "d"(0) : "memory");
}

/* libcrypto leaves round keys, counter blocks and hash state in its stack
 * frames below ours: clear that much stack (the unit test checks none is
 * left) before the vector registers are overwritten by the XRSTOR. */
__attribute__((noinline)) static void wipe_stack_below(void)
{
    uint8_t below[CRYPTO_STACK_WIPE];

    wipe(below, sizeof(below));
}

static void fpu_restore(const struct fpu_save *s)
{
    wipe_stack_below();
    __asm__ volatile("xrstor64 %0" : : "m"(s->area), "a"(xstate_mask()), "d"(0) : "memory");
}

/* ---- CPU features -------------------------------------------------------- */

enum { CAPS_NONE, CAPS_RUNNING, CAPS_DONE };
static uint32_t caps_state;
static uint32_t caps_aesni, caps_sha;

static void log_fallback(uint32_t ecx)
{
    static const char aes[] =
        "geode: enclave crypto: no AES-NI reported by the host; using table-based AES\n";
    static const char clmul[] =
        "geode: enclave crypto: no PCLMULQDQ reported by the host; using 4-bit GHASH\n";

    if (!(ecx & CPUID1_ECX_AESNI))
        crypto_platform_log(aes, sizeof(aes) - 1);
    if (!(ecx & CPUID1_ECX_PCLMULQDQ))
        crypto_platform_log(clmul, sizeof(clmul) - 1);
}

/* Once per process: OPENSSL_ia32cap_P from the host's CPUID.1. Another thread
 * arriving meanwhile waits (the OCALL is short). */
static void caps_once(void)
{
    uint32_t expected = CAPS_NONE, r[4] = {0, 0, 0, 0};

    if (__atomic_load_n(&caps_state, __ATOMIC_ACQUIRE) == CAPS_DONE)
        return;
    if (!__atomic_compare_exchange_n(&caps_state, &expected, CAPS_RUNNING, 0, __ATOMIC_ACQUIRE,
                                     __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&caps_state, __ATOMIC_ACQUIRE) != CAPS_DONE)
            __asm__ volatile("pause");
        return;
    }
    if (crypto_platform_cpuid(1, 0, r))
        r[2] = 0; /* no answer: the portable code */
    r[2] &= CPUID1_ECX_AESNI | CPUID1_ECX_PCLMULQDQ;
    OPENSSL_ia32cap_P[0] = CPUID1_EDX_BASE;
    OPENSSL_ia32cap_P[1] = r[2];
    OPENSSL_ia32cap_P[2] = 0;
    OPENSSL_ia32cap_P[3] = 0;
    caps_aesni = (r[2] & CPUID1_ECX_AESNI) != 0;
    log_fallback(r[2]);
    /* SHA-NI (CPUID.7.0:EBX.SHA) for enclave_sha256_blocks only: OpenSSL
     * reads that bit for SHA-1/SHA-256 alone, whose SHA-NI code is legacy
     * SSE (SSSE3 shuffles included, which every CPU with SHA-NI has). */
    if (crypto_platform_cpuid(7, 0, r) == 0 && (r[1] & CPUID7_EBX_SHA)) {
        OPENSSL_ia32cap_P[2] = CPUID7_EBX_SHA;
        caps_sha = 1;
    }
    __atomic_store_n(&caps_state, CAPS_DONE, __ATOMIC_RELEASE);
}

/* ---- AEAD ---------------------------------------------------------------- */

static struct aead_state *state(struct enclave_aead *a)
{
    return (struct aead_state *)a->opaque;
}

static GCM128_CONTEXT *gcm(struct aead_state *s)
{
    return (GCM128_CONTEXT *)s->gcm;
}

static int canary_intact(const struct aead_state *s)
{
    uint8_t bad = 0;

    for (size_t i = 0; i < CANARY; i++)
        bad |= s->canary[i] ^ CANARY_BYTE;
    return !bad;
}

static int init_state(struct aead_state *s, const uint8_t key[ENCLAVE_AEAD_KEY])
{
    int r;

    wipe(s, sizeof(*s));
    s->aesni = caps_aesni;
    r = s->aesni ? aesni_set_encrypt_key(key, 128, &s->key)
                 : AES_set_encrypt_key(key, 128, &s->key);
    if (r)
        return -1;
    memset(s->canary, CANARY_BYTE, CANARY);
    CRYPTO_gcm128_init(gcm(s), &s->key,
                       s->aesni ? (block128_f)aesni_encrypt : (block128_f)AES_encrypt);
    if (!canary_intact(s))
        return -1; /* this libcrypto's GCM context is larger than GCM_CTX_SPACE */
    s->magic = AEAD_MAGIC;
    return 0;
}

int enclave_aead_init(struct enclave_aead *a, const uint8_t key[ENCLAVE_AEAD_KEY])
{
    struct fpu_save fpu;
    struct aead_state *s = state(a);
    int r = -1;

    if (!crypto_platform_private(a, sizeof(*a)) || !crypto_platform_private(key, ENCLAVE_AEAD_KEY))
        return -1;
    caps_once(); /* (its OCALLs before the caller's state is set aside) */
    fpu_save(&fpu);
    r = init_state(s, key);
    if (r)
        wipe(s, sizeof(*s));
    fpu_restore(&fpu);
    return r;
}

/* The arguments are all enclave memory and the context is initialized. */
static int args_ok(struct enclave_aead *a, const uint8_t *iv, const void *aad, size_t aad_len,
                   const void *in, const void *out, size_t len, const uint8_t *tag)
{
    if ((aad_len && !aad) || (len && (!in || !out)) || !iv || !tag)
        return 0;
    if (!crypto_platform_private(a, sizeof(*a)) || !crypto_platform_private(iv, ENCLAVE_AEAD_IV) ||
        !crypto_platform_private(aad, aad_len) || !crypto_platform_private(in, len) ||
        !crypto_platform_private(out, len) || !crypto_platform_private(tag, ENCLAVE_AEAD_TAG))
        return 0;
    return state(a)->magic == AEAD_MAGIC;
}

/* IV and AAD into the GCM state; 0 or -1 (AAD over GCM's limit). */
static int start(struct aead_state *s, const uint8_t *iv, const void *aad, size_t aad_len)
{
    CRYPTO_gcm128_setiv(gcm(s), iv, ENCLAVE_AEAD_IV);
    if (aad_len && CRYPTO_gcm128_aad(gcm(s), aad, aad_len))
        return -1;
    return 0;
}

static int gcm_crypt(struct aead_state *s, const void *in, void *out, size_t len, int enc)
{
    if (!len)
        return 0;
    if (s->aesni)
        return enc ? CRYPTO_gcm128_encrypt_ctr32(gcm(s), in, out, len,
                                                 (ctr128_f)aesni_ctr32_encrypt_blocks)
                   : CRYPTO_gcm128_decrypt_ctr32(gcm(s), in, out, len,
                                                 (ctr128_f)aesni_ctr32_encrypt_blocks);
    return enc ? CRYPTO_gcm128_encrypt(gcm(s), in, out, len)
               : CRYPTO_gcm128_decrypt(gcm(s), in, out, len);
}

int enclave_aead_seal(struct enclave_aead *a, const uint8_t iv[ENCLAVE_AEAD_IV], const void *aad,
                      size_t aad_len, const void *in, void *out, size_t len,
                      uint8_t tag[ENCLAVE_AEAD_TAG])
{
    struct fpu_save fpu;
    struct aead_state *s = state(a);
    uint8_t iv_copy[ENCLAVE_AEAD_IV];
    int r = -1;

    if (!args_ok(a, iv, aad, aad_len, in, out, len, tag))
        return -1;
    memcpy(iv_copy, iv, sizeof(iv_copy));
    fpu_save(&fpu);
    if (!start(s, iv_copy, aad, aad_len) && !gcm_crypt(s, in, out, len, 1)) {
        CRYPTO_gcm128_tag(gcm(s), tag, ENCLAVE_AEAD_TAG);
        r = 0;
    }
    fpu_restore(&fpu);
    return r;
}

int enclave_aead_open(struct enclave_aead *a, const uint8_t iv[ENCLAVE_AEAD_IV], const void *aad,
                      size_t aad_len, const void *in, void *out, size_t len,
                      const uint8_t tag[ENCLAVE_AEAD_TAG])
{
    struct fpu_save fpu;
    struct aead_state *s = state(a);
    uint8_t iv_copy[ENCLAVE_AEAD_IV], tag_copy[ENCLAVE_AEAD_TAG];
    int r = -1;

    if (!args_ok(a, iv, aad, aad_len, in, out, len, tag))
        return -1;
    memcpy(iv_copy, iv, sizeof(iv_copy));
    memcpy(tag_copy, tag, sizeof(tag_copy));
    fpu_save(&fpu);
    if (!start(s, iv_copy, aad, aad_len) && !gcm_crypt(s, in, out, len, 0) &&
        !CRYPTO_gcm128_finish(gcm(s), tag_copy, ENCLAVE_AEAD_TAG))
        r = 0;
    if (r && len)
        wipe(out, len); /* no unauthenticated plaintext is left behind */
    fpu_restore(&fpu);
    return r;
}

void enclave_aead_wipe(struct enclave_aead *a)
{
    wipe(a, sizeof(*a));
}

int enclave_aead_seal_once(const uint8_t key[ENCLAVE_AEAD_KEY], const uint8_t iv[ENCLAVE_AEAD_IV],
                           const void *aad, size_t aad_len, const void *in, void *out, size_t len,
                           uint8_t tag[ENCLAVE_AEAD_TAG])
{
    struct enclave_aead a;
    int r =
        enclave_aead_init(&a, key) || enclave_aead_seal(&a, iv, aad, aad_len, in, out, len, tag);
    enclave_aead_wipe(&a);
    return r ? -1 : 0;
}

int enclave_aead_open_once(const uint8_t key[ENCLAVE_AEAD_KEY], const uint8_t iv[ENCLAVE_AEAD_IV],
                           const void *aad, size_t aad_len, const void *in, void *out, size_t len,
                           const uint8_t tag[ENCLAVE_AEAD_TAG])
{
    struct enclave_aead a;
    int r = enclave_aead_init(&a, key)                                   ? -1
            : enclave_aead_open(&a, iv, aad, aad_len, in, out, len, tag) ? -2
                                                                         : 0;
    enclave_aead_wipe(&a);
    return r;
}

/* ---- SHA-256 blocks --------------------------------------------------------- */

int enclave_sha256_blocks(uint32_t h[8], const void *data, size_t blocks)
{
    struct fpu_save fpu;

    if (!blocks)
        return 0;
    if (blocks > SIZE_MAX / 64 || !crypto_platform_private(h, 8 * sizeof(uint32_t)) ||
        !crypto_platform_private(data, blocks * 64))
        return -1;
    caps_once();
    if (!caps_sha)
        return -1; /* the caller's portable code is as fast as libcrypto's scalar code */
    fpu_save(&fpu);
    sha256_block_data_order(h, data, blocks);
    fpu_restore(&fpu);
    return 0;
}

/* ---- AES-128-CMAC (RFC 4493), for checking SGX REPORT MACs ---------------- */

static void cmac_double(uint8_t b[16])
{
    uint8_t carry = b[0] >> 7;

    for (int i = 0; i < 15; i++)
        b[i] = (uint8_t)(b[i] << 1 | b[i + 1] >> 7);
    b[15] = (uint8_t)(b[15] << 1) ^ (carry ? 0x87 : 0);
}

static void cmac_run(const AES_KEY *k, int aesni, const uint8_t *data, size_t len, uint8_t mac[16])
{
    void (*enc)(const unsigned char *, unsigned char *, const AES_KEY *) =
        aesni ? aesni_encrypt : AES_encrypt;
    uint8_t sub[16] = {0}, x[16] = {0}, last[16];
    size_t n = len ? (len + 15) / 16 : 1, rest = len - (n - 1) * 16;

    enc(sub, sub, k);
    cmac_double(sub); /* K1 */
    for (size_t i = 0; i + 1 < n; i++) {
        for (int j = 0; j < 16; j++)
            x[j] ^= data[i * 16 + j];
        enc(x, x, k);
    }
    memset(last, 0, sizeof(last));
    memcpy(last, data + (n - 1) * 16, rest);
    if (rest < 16) {
        last[rest] = 0x80;
        cmac_double(sub); /* K2 */
    }
    for (int j = 0; j < 16; j++)
        x[j] ^= last[j] ^ sub[j];
    enc(x, mac, k);
    wipe(sub, sizeof(sub));
    wipe(x, sizeof(x));
    wipe(last, sizeof(last));
}

int enclave_aes_cmac(const uint8_t key[16], const void *data, size_t len, uint8_t mac[16])
{
    struct fpu_save fpu;
    _Alignas(64) AES_KEY k;
    int r;

    if (!crypto_platform_private(key, 16) || !crypto_platform_private(data, len) ||
        !crypto_platform_private(mac, 16))
        return -1;
    caps_once();
    fpu_save(&fpu);
    r = caps_aesni ? aesni_set_encrypt_key(key, 128, &k) : AES_set_encrypt_key(key, 128, &k);
    if (!r)
        cmac_run(&k, caps_aesni, data, len, mac);
    wipe(&k, sizeof(k));
    fpu_restore(&fpu);
    return r ? -1 : 0;
}
