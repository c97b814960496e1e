/* The trusted PAL's AES-128-GCM (pal/crypto/crypto.c), built for the
 * host with the enclave's -mgeneral-regs-only, against OpenSSL's EVP
 * aes-128-gcm run with every CPU feature (AVX, VAES... whatever this host
 * has), on published vectors and random keys, IVs, AAD and lengths 0..70000,
 * in place and not; any flipped bit of ciphertext, tag, AAD or IV must fail
 * the open and leave zeros. Also: the caller's vector registers and MXCSR
 * survive every call, no key material is left on the stack below it, and the
 * fallback without AES-NI and/or PCLMULQDQ (hidden from the fake CPUID, each
 * combination in its own process since the choice is made once) logs once
 * and gives the same results. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <cpuid.h>
#include <openssl/aes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/modes.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto.h"
#include "tap.h"

extern unsigned int OPENSSL_ia32cap_P[4];
int aesni_set_encrypt_key(const unsigned char *user_key, int bits, AES_KEY *key);
void aesni_encrypt(const unsigned char *in, unsigned char *out, const AES_KEY *key);
void aesni_ctr32_encrypt_blocks(const unsigned char *in, unsigned char *out, size_t blocks,
                                const void *key, const unsigned char ivec[16]);

#define ECX_PCLMUL (1U << 1)
#define ECX_AESNI (1U << 25)
#define EBX7_SHA (1U << 29)

/* ---- The platform hooks, faked ------------------------------------------ */

static uint32_t hide_ecx; /* CPUID.1:ECX bits the "host" does not report */
static int log_lines;
static char log_text[512];
static const uint8_t *foreign_lo; /* a range crypto_platform_private refuses */
static size_t foreign_len;

int crypto_platform_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
    __cpuid_count(leaf, subleaf, r[0], r[1], r[2], r[3]);
    if (leaf == 1)
        r[2] &= ~hide_ecx;
    return 0;
}

void crypto_platform_log(const char *msg, size_t len)
{
    size_t used = strlen(log_text);

    log_lines++;
    if (used + len < sizeof(log_text))
        memcpy(log_text + used, msg, len);
}

int crypto_platform_private(const void *p, size_t len)
{
    const uint8_t *a = p;

    if (!len || !foreign_len)
        return 1;
    return a + len <= foreign_lo || a >= foreign_lo + foreign_len;
}

/* ---- Reference: EVP with the host's full capability vector --------------- */

static unsigned int full_caps[4];

static void ref_seal(const uint8_t *key, const uint8_t *iv, const uint8_t *aad, size_t aad_len,
                     const uint8_t *in, uint8_t *out, size_t len, uint8_t tag[16])
{
    unsigned int ours[4];
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0;

    memcpy(ours, OPENSSL_ia32cap_P, sizeof(ours));
    memcpy(OPENSSL_ia32cap_P, full_caps, sizeof(ours));
    if (!c || !EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, iv) ||
        (aad_len && !EVP_EncryptUpdate(c, NULL, &n, aad, (int)aad_len)) ||
        (len && !EVP_EncryptUpdate(c, out, &n, in, (int)len)) ||
        !EVP_EncryptFinal_ex(c, out + len, &n) ||
        !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag))
        abort();
    EVP_CIPHER_CTX_free(c);
    memcpy(OPENSSL_ia32cap_P, ours, sizeof(ours));
}

static uint8_t *hexbytes(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    uint8_t *b = malloc(n + 1);

    for (size_t i = 0; i < n; i++)
        sscanf(hex + 2 * i, "%2hhx", &b[i]);
    *len = n;
    return b;
}

/* ---- Published vectors (McGrew & Viega, GCM test cases 1-4) ------------- */

struct kat {
    const char *key, *iv, *pt, *aad, *ct, *tag;
};

static const struct kat kats[] = {
    {"00000000000000000000000000000000", "000000000000000000000000", "", "", "",
     "58e2fccefa7e3061367f1d57a4e7455a"},
    {"00000000000000000000000000000000", "000000000000000000000000",
     "00000000000000000000000000000000", "", "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf"},
    {"feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b"
     "525b16aedf5aa0de657"
     "ba637b391aafd255",
     "",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84a"
     "a051ba30b396a0aac97"
     "3d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b"
     "525b16aedf5aa0de657"
     "ba637b39",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84a"
     "a051ba30b396a0aac97"
     "3d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
};

static void test_kats(const char *mode)
{
    for (size_t k = 0; k < sizeof(kats) / sizeof(kats[0]); k++) {
        size_t kl, il, pl, al, cl, tl;
        uint8_t *key = hexbytes(kats[k].key, &kl), *iv = hexbytes(kats[k].iv, &il);
        uint8_t *pt = hexbytes(kats[k].pt, &pl), *aad = hexbytes(kats[k].aad, &al);
        uint8_t *ct = hexbytes(kats[k].ct, &cl), *tag = hexbytes(kats[k].tag, &tl);
        uint8_t out[64], back[64], t[16];
        struct enclave_aead a;
        int ok;

        ok = !enclave_aead_init(&a, key) &&
             !enclave_aead_seal(&a, iv, al ? aad : NULL, al, pt, out, pl, t) &&
             !memcmp(out, ct, cl) && !memcmp(t, tag, 16) &&
             !enclave_aead_open(&a, iv, al ? aad : NULL, al, out, back, pl, t) &&
             !memcmp(back, pt, pl);
        CHECK(ok, "%s: GCM test case %zu (%zu bytes, %zu AAD)", mode, k + 1, pl, al);
        enclave_aead_wipe(&a);
        free(key), free(iv), free(pt), free(aad), free(ct), free(tag);
    }
}

/* ---- Random cases against EVP, and tampering ----------------------------- */

static uint32_t rnd(uint32_t n)
{
    uint32_t v;

    RAND_bytes((uint8_t *)&v, sizeof(v));
    return n ? v % n : 0;
}

static size_t pick_len(void)
{
    static const size_t edges[] = {0,  1,   15,  16,   17,   31,   32,   33,    95,   96,
                                   97, 255, 256, 3071, 3072, 3073, 6144, 65536, 70000};

    switch (rnd(3)) {
    case 0:
        return edges[rnd(sizeof(edges) / sizeof(edges[0]))];
    case 1:
        return rnd(300);
    default:
        return rnd(70001);
    }
}

/* Opening with one bit of `what` flipped must fail and zero the output. */
static int open_fails(struct enclave_aead *a, const uint8_t *iv, const uint8_t *aad, size_t aad_len,
                      const uint8_t *ct, uint8_t *out, size_t len, const uint8_t *tag)
{
    memset(out, 0x77, len);
    if (enclave_aead_open(a, iv, aad, aad_len, ct, out, len, tag) != -1)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (out[i])
            return 0;
    return 1;
}

/* Flips every bit of buf (n bytes) when small, else `samples` random bits;
 * each must make the open fail. Returns how many did not. */
static int flip_all(uint8_t *buf, size_t n, int samples, struct enclave_aead *a, uint8_t *iv,
                    uint8_t *aad, size_t aad_len, uint8_t *ct, uint8_t *out, size_t len,
                    uint8_t *tag)
{
    size_t bits = n * 8, count = bits <= 256 ? bits : (size_t)samples;
    int bad = 0;

    for (size_t j = 0; j < count; j++) {
        size_t b = bits <= 256 ? j : rnd((uint32_t)bits);

        buf[b / 8] ^= (uint8_t)(1 << (b % 8));
        bad += !open_fails(a, iv, aad, aad_len, ct, out, len, tag);
        buf[b / 8] ^= (uint8_t)(1 << (b % 8));
    }
    return bad;
}

static void test_random(const char *mode, int cases)
{
    int mismatch = 0, open_bad = 0, tamper_bad = 0, in_place = 0;
    size_t max_len = 0;

    for (int c = 0; c < cases; c++) {
        uint8_t key[16], iv[12], tag[16], rtag[16], aad[100];
        size_t len = pick_len(), aad_len = rnd(3) ? rnd(100) : 0;
        uint8_t *pt = malloc(len + 16), *ct = malloc(len + 16), *ref = malloc(len + 16),
                *out = malloc(len + 16);
        struct enclave_aead a;
        int place = rnd(2);

        RAND_bytes(key, 16), RAND_bytes(iv, 12), RAND_bytes(aad, sizeof(aad)),
            RAND_bytes(pt, (int)len + 1);
        ref_seal(key, iv, aad, aad_len, pt, ref, len, rtag);
        if (enclave_aead_init(&a, key))
            abort();
        if (place) {
            memcpy(ct, pt, len);
            in_place++;
        }
        if (enclave_aead_seal(&a, iv, aad_len ? aad : NULL, aad_len, place ? ct : pt, ct, len,
                              tag) ||
            memcmp(ct, ref, len) || memcmp(tag, rtag, 16))
            mismatch++;
        if (place)
            memcpy(out, ct, len);
        if (enclave_aead_open(&a, iv, aad_len ? aad : NULL, aad_len, place ? out : ct, out, len,
                              tag) ||
            memcmp(out, pt, len))
            open_bad++;
        if (len <= 4096 || c % 8 == 0) {
            tamper_bad += flip_all(tag, 16, 16, &a, iv, aad, aad_len, ct, out, len, tag);
            tamper_bad += flip_all(iv, 12, 16, &a, iv, aad, aad_len, ct, out, len, tag);
            tamper_bad += flip_all(aad, aad_len, 16, &a, iv, aad, aad_len, ct, out, len, tag);
            tamper_bad += flip_all(ct, len, 16, &a, iv, aad, aad_len, ct, out, len, tag);
            if (aad_len) /* AAD one byte shorter */
                tamper_bad += !open_fails(&a, iv, aad, aad_len - 1, ct, out, len, tag);
        }
        max_len = len > max_len ? len : max_len;
        enclave_aead_wipe(&a);
        free(pt), free(ct), free(ref), free(out);
    }
    CHECK(!mismatch,
          "%s: %d random cases (%d in place, up to %zu bytes) seal as EVP does (%d differ)", mode,
          cases, in_place, max_len, mismatch);
    CHECK(!open_bad, "%s: each opens back to the plaintext (%d did not)", mode, open_bad);
    CHECK(!tamper_bad,
          "%s: a flipped bit of tag, IV, AAD or ciphertext, or a shorter AAD, fails and zeroes (%d "
          "did not)",
          mode, tamper_bad);
}

/* ---- Extended state ------------------------------------------------------ */

struct regs {
    _Alignas(32) uint8_t ymm[16][32];
    uint32_t mxcsr;
};

static struct regs reg_in, reg_out;

/* Loads ymm0-15 and MXCSR from reg_in, calls op, stores them to reg_out.
 * general-regs-only: the compiler itself keeps nothing in vector registers
 * here, so whatever changes them is op. */
#define LOAD_YMM(i) "vmovdqa " #i "*32(%0), %%ymm" #i "\n\t"
#define STORE_YMM(i) "vmovdqa %%ymm" #i ", " #i "*32(%0)\n\t"
__attribute__((target("general-regs-only"), noinline)) static int probe(int (*op)(void *),
                                                                        void *arg)
{
    int r;

    __asm__ volatile(LOAD_YMM(0) LOAD_YMM(1) LOAD_YMM(2) LOAD_YMM(3) LOAD_YMM(4) LOAD_YMM(5)
                         LOAD_YMM(6) LOAD_YMM(7) LOAD_YMM(8) LOAD_YMM(9) LOAD_YMM(10) LOAD_YMM(11)
                             LOAD_YMM(12) LOAD_YMM(13) LOAD_YMM(14) LOAD_YMM(15) "ldmxcsr %1"
                     :
                     : "r"(reg_in.ymm), "m"(reg_in.mxcsr)
                     : "memory");
    r = op(arg);
    __asm__ volatile(STORE_YMM(0) STORE_YMM(1) STORE_YMM(2) STORE_YMM(3) STORE_YMM(4) STORE_YMM(5)
                         STORE_YMM(6) STORE_YMM(7) STORE_YMM(8) STORE_YMM(9) STORE_YMM(10)
                             STORE_YMM(11) STORE_YMM(12) STORE_YMM(13) STORE_YMM(14)
                                 STORE_YMM(15) "stmxcsr %1"
                     :
                     : "r"(reg_out.ymm), "m"(reg_out.mxcsr)
                     : "memory");
    return r;
}

struct job {
    struct enclave_aead a;
    uint8_t key[16], iv[12], tag[16], buf[5000];
};

static int op_init(void *p)
{
    struct job *j = p;

    return enclave_aead_init(&j->a, j->key);
}

static int op_seal(void *p)
{
    struct job *j = p;

    return enclave_aead_seal(&j->a, j->iv, j->key, 7, j->buf, j->buf, sizeof(j->buf), j->tag);
}

static int op_open(void *p)
{
    struct job *j = p;

    return enclave_aead_open(&j->a, j->iv, j->key, 7, j->buf, j->buf, sizeof(j->buf), j->tag);
}

static int op_open_bad(void *p)
{
    struct job *j = p;
    int r;

    j->tag[3] ^= 1;
    r = enclave_aead_open(&j->a, j->iv, j->key, 7, j->buf, j->buf, sizeof(j->buf), j->tag);
    j->tag[3] ^= 1;
    return r == -1 ? 0 : -1;
}

/* The control: libcrypto called directly does change the registers. */
static int op_raw(void *p)
{
    struct job *j = p;
    uint8_t t[16];

    ref_seal(j->key, j->iv, NULL, 0, j->buf, j->buf, 64, t);
    return 0;
}

static void test_fpu(const char *mode)
{
    static struct job j;
    static const struct {
        const char *name;
        int (*op)(void *);
    } ops[] = {{"init", op_init},
               {"seal", op_seal},
               {"open", op_open},
               {"open of a bad tag", op_open_bad}};
    int avx = (__builtin_cpu_supports("avx") != 0);

    if (!avx) {
        SKIP("%s: register preservation (no AVX on this host)", mode);
        return;
    }
#ifdef __SANITIZE_ADDRESS__
    /* ASan's interceptors (memset...) use vector registers and deeper
     * frames: what these checks measure is the enclave build's. */
    SKIP("%s: register preservation (not measurable under ASan)", mode);
    return;
#endif
    RAND_bytes(j.key, 16), RAND_bytes(j.iv, 12), RAND_bytes(j.buf, sizeof(j.buf));
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        RAND_bytes(reg_in.ymm[0], sizeof(reg_in.ymm));
        reg_in.mxcsr = 0x7f80 | 0x6000; /* all exceptions masked, round toward zero */
        memset(&reg_out, 0, sizeof(reg_out));
        int r = probe(ops[i].op, &j);
        CHECK(!r && !memcmp(&reg_in, &reg_out, sizeof(reg_in)),
              "%s: %s returns %d with ymm0-15 and MXCSR as the caller left them", mode, ops[i].name,
              r);
    }
    RAND_bytes(reg_in.ymm[0], sizeof(reg_in.ymm));
    reg_in.mxcsr = 0x1f80;
    probe(op_raw, &j);
    CHECK(memcmp(&reg_in, &reg_out, sizeof(reg_in)),
          "%s: (control) libcrypto called directly changes them", mode);
    enclave_aead_wipe(&j.a);
}

/* ---- SHA-256 blocks (SHA-NI) --------------------------------------------- */

static int host_sha(void)
{
    unsigned int a, b, c, d;

    return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & EBX7_SHA);
}

struct sha_job {
    uint32_t h[8];
    uint8_t data[64 * 40];
    size_t blocks;
};

static int op_sha(void *p)
{
    struct sha_job *j = p;

    return enclave_sha256_blocks(j->h, j->data, j->blocks);
}

/* enclave_sha256_blocks against OpenSSL's SHA256_Update on whole blocks
 * (the state after them), with the caller's registers kept; -1 without
 * SHA-NI (the libOS then uses its own code) and for a foreign buffer. */
static void test_sha256(const char *mode)
{
    static struct sha_job j;
    int bad = 0, r;

    if (!host_sha()) {
        j.blocks = 1;
        CHECK(enclave_sha256_blocks(j.h, j.data, 1) == -1, "%s: SHA-256 blocks: -1 without SHA-NI",
              mode);
        return;
    }
    for (int round = 0; round < 50; round++) {
        SHA256_CTX ref;

        j.blocks = 1 + rnd(40);
        RAND_bytes(j.data, (int)sizeof(j.data));
        SHA256_Init(&ref);
        SHA256_Update(&ref, j.data, 64); /* a state that is not the IV */
        memcpy(j.h, ref.h, sizeof(j.h));
        SHA256_Update(&ref, j.data, j.blocks * 64);
        RAND_bytes(reg_in.ymm[0], sizeof(reg_in.ymm));
        reg_in.mxcsr = 0x1f80;
#ifdef __SANITIZE_ADDRESS__
        /* ASan's interceptors use vector registers: the registers are the
         * enclave build's to check (register preservation is skipped). */
        const int regs = 0;
#else
        const int regs = __builtin_cpu_supports("avx");
#endif
        r = regs ? probe(op_sha, &j) : op_sha(&j);
        bad += r != 0 || memcmp(j.h, ref.h, sizeof(j.h)) ||
               (regs && memcmp(&reg_in, &reg_out, sizeof(reg_in)));
    }
    CHECK(!bad,
          "%s: SHA-256 blocks with SHA-NI match OpenSSL's (50 runs of 1..40 blocks)%s", mode,
#ifdef __SANITIZE_ADDRESS__
          ""
#else
          ", ymm0-15 and MXCSR kept"
#endif
    );
    foreign_lo = j.data;
    foreign_len = sizeof(j.data);
    CHECK(enclave_sha256_blocks(j.h, j.data, 2) == -1, "%s: SHA-256 blocks of a foreign buffer: -1",
          mode);
    foreign_lo = NULL;
    foreign_len = 0;
}

/* ---- Key material left on the stack ------------------------------------- */

#define SCAN 32768
#define SCAN_TOP 1024 /* what the test's own calls below its frame may use */

static int stack_has(const uint8_t *lo, size_t n, const uint8_t *pat)
{
    for (size_t i = 0; i + 16 <= n; i++)
        if (lo[i] == pat[0] && !memcmp(lo + i, pat, 16))
            return 1;
    return 0;
}

__attribute__((noinline)) static void grow_stack(void)
{
    volatile uint8_t big[SCAN + 8192];

    big[0] = 0;
    big[sizeof(big) - 1] = 0;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
    p[3] = (uint8_t)v;
}

/* Secret 16-byte blocks: the round keys and GHASH table in the context
 * (crypto.c keeps the AES_KEY first and the GCM context at 256, whose
 * EKi/EK0/H/Htable are at 16..352), H = E_K(0) and the counter blocks XORed
 * with round key 0 that aesni_ctr32 keeps on its stack. */
static int secrets(const struct enclave_aead *a, const uint8_t key[16], const uint8_t iv[12],
                   size_t len, uint8_t (*out)[16], int max)
{
    AES_KEY k;
    uint8_t zero[16] = {0}, h[16];
    int n = 0;

    for (int i = 0; i < 11; i++)
        memcpy(out[n++], a->opaque + 16 * i, 16);
    for (int off = 256 + 16; off < 256 + 352; off += 16)
        if (off != 256 + 48 && off != 256 + 64) /* len and Xi: not key material */
            memcpy(out[n++], a->opaque + off, 16);
    AES_set_encrypt_key(key, 128, &k);
    AES_encrypt(zero, h, &k);
    memcpy(out[n++], h, 16);
    aesni_set_encrypt_key(key, 128, &k);
    for (uint32_t c = 0; c <= len / 16 + 2 && n < max; c++) {
        if (c + 16 < len / 16)
            continue;
        memcpy(out[n], iv, 12);
        be32(out[n] + 12, c + 1);
        for (int b = 0; b < 16; b++)
            out[n][b] ^= ((const uint8_t *)k.rd_key)[b];
        n++;
    }
    for (int i = 0; i < n; i++) /* GHASH tables have zero entries; the wipe leaves zeros */
        if (!memcmp(out[i], zero, 16))
            memcpy(out[i--], out[--n], 16);
    return n;
}

/* How deep below the caller's RSP the calls left a byte that is neither the
 * paint nor zero. */
static size_t deepest_left(const uint8_t *lo)
{
    for (size_t i = 0; i < SCAN - SCAN_TOP; i++)
        if (lo[i] != 0x5c && lo[i])
            return SCAN - i;
    return 0;
}

/* crypto.c's public functions' own frames: the saved extended state, the
 * IV and tag copies, a few registers. */
#define OWN_FRAME 1536

__attribute__((noinline)) static void raw_gcm(const AES_KEY *k, const uint8_t *iv, uint8_t *buf,
                                              size_t len)
{
    volatile uint8_t frame[OWN_FRAME];
    uint8_t ctx[640] __attribute__((aligned(64))), tag[16];
    GCM128_CONTEXT *g = (GCM128_CONTEXT *)ctx;
    int aesni = !!(OPENSSL_ia32cap_P[1] & ECX_AESNI);

    frame[0] = 0;
    (void)frame[0];
    CRYPTO_gcm128_init(g, (void *)k, aesni ? (block128_f)aesni_encrypt : (block128_f)AES_encrypt);
    CRYPTO_gcm128_setiv(g, iv, 12);
    if (aesni)
        CRYPTO_gcm128_encrypt_ctr32(g, buf, buf, len, (ctr128_f)aesni_ctr32_encrypt_blocks);
    else
        CRYPTO_gcm128_encrypt(g, buf, buf, len);
    CRYPTO_gcm128_tag(g, tag, 16);
    OPENSSL_cleanse(ctx, sizeof(ctx));
}

static void test_stack(const char *mode)
{
    static struct enclave_aead a;
    static uint8_t buf[4096 + 5];
    uint8_t key[16], iv[12], tag[16];
    static uint8_t pats[64][16];
    uint8_t *sp, *lo;
    int leaks = 0, n;
    size_t depth;

#ifdef __SANITIZE_ADDRESS__
    SKIP("%s: stack wiping (ASan's frames are not the enclave build's)", mode);
    return;
#endif
    RAND_bytes(key, 16), RAND_bytes(iv, 12), RAND_bytes(buf, sizeof(buf));
    /* The patterns first: computing them leaves them on the stack too. */
    if (enclave_aead_init(&a, key))
        abort();
    n = secrets(&a, key, iv, sizeof(buf), pats, 64);
    grow_stack();
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    lo = sp - SCAN;
    for (size_t i = 0; i < SCAN - SCAN_TOP; i++)
        ((volatile uint8_t *)lo)[i] = 0x5c;
    if (enclave_aead_init(&a, key) ||
        enclave_aead_seal(&a, iv, NULL, 0, buf, buf, sizeof(buf), tag) ||
        enclave_aead_open(&a, iv, NULL, 0, buf, buf, sizeof(buf), tag))
        abort();
    depth = deepest_left(lo); /* before anything else runs down there (printf) */
    for (int p = 0; p < n; p++)
        leaks += stack_has(lo, SCAN - SCAN_TOP, pats[p]);
    CHECK(!leaks,
          "%s: no round key, H, GHASH table entry or counter block left below the caller (%d found "
          "of %d)",
          mode, leaks, n);

    CHECK(depth <= OWN_FRAME,
          "%s: below crypto.c's own frame nothing is left but zeros (deepest byte left at %zu, "
          "frame <= %d)",
          mode, depth, OWN_FRAME);

    /* Control: the same calls into libcrypto from a frame as deep, unwiped. */
    for (size_t i = 0; i < SCAN - SCAN_TOP; i++)
        ((volatile uint8_t *)lo)[i] = 0x5c;
    raw_gcm((const AES_KEY *)a.opaque, iv, buf, sizeof(buf));
    depth = deepest_left(lo);
    CHECK(depth > OWN_FRAME + 64,
          "%s: (control) libcrypto called directly leaves its frames (down to %zu)", mode, depth);
    enclave_aead_wipe(&a);
}

/* ---- Misuse -------------------------------------------------------------- */

static void test_misuse(const char *mode)
{
    static struct enclave_aead a;
    static uint8_t key[16], iv[12], tag[16], buf[64], host[64];

    CHECK(!enclave_aead_init(&a, key), "%s: init", mode);
    CHECK(!enclave_aead_seal(&a, iv, NULL, 0, NULL, NULL, 0, tag), "%s: an empty message seals",
          mode);
    CHECK(!enclave_aead_open(&a, iv, NULL, 0, NULL, NULL, 0, tag), "%s: and opens", mode);
    CHECK(enclave_aead_seal(&a, iv, NULL, 5, buf, buf, 8, tag) == -1,
          "%s: AAD NULL with a length is refused", mode);
    foreign_lo = host, foreign_len = sizeof(host);
    CHECK(enclave_aead_seal(&a, iv, NULL, 0, buf, host, 8, tag) == -1 &&
              enclave_aead_seal(&a, iv, NULL, 0, host, buf, 8, tag) == -1 &&
              enclave_aead_open(&a, iv, NULL, 0, host, buf, 8, tag) == -1 &&
              enclave_aead_open(&a, iv, host, 4, buf, buf, 8, tag) == -1,
          "%s: buffers outside the enclave are refused", mode);
    foreign_len = 0;
    enclave_aead_wipe(&a);
    CHECK(enclave_aead_seal(&a, iv, NULL, 0, buf, buf, 8, tag) == -1,
          "%s: a wiped context is refused", mode);
    /* The one-message forms: a round trip, a wrong tag (-2, out zeroed). */
    static const uint8_t msg[16] = "one message, 16";
    uint8_t ct[16], pt[16], t2[16];
    memcpy(key, "0123456789abcdef", 16);
    int seal = enclave_aead_seal_once(key, iv, "ad", 2, msg, ct, 16, t2);
    int open = enclave_aead_open_once(key, iv, "ad", 2, ct, pt, 16, t2);
    CHECK(!seal && !open && !memcmp(pt, msg, 16) && memcmp(ct, msg, 16),
          "%s: seal_once/open_once round trip", mode);
    t2[3] ^= 1;
    memset(pt, 0x55, sizeof(pt));
    CHECK(enclave_aead_open_once(key, iv, "ad", 2, ct, pt, 16, t2) == -2 && !pt[0] && !pt[15],
          "%s: open_once of a changed tag: -2, nothing of the plaintext left", mode);
}

/* ---- AES-128-CMAC (REPORT MACs): RFC 4493's vectors, then EVP ------------ */

static void test_cmac(const char *mode)
{
    static const char *const msgs[] = {
        "", "6bc1bee22e409f96e93d7e117393172a",
        "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411",
        "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411"
        "e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710"};
    static const char *const macs[] = {
        "bb1d6929e95937287fa37d129b756746", "070a16b46b4d4144f79bdd9dd04a287c",
        "dfa66747de9ae63030ca32611497c827", "51f0bebf7e3b9d92fc49741779363cfe"};
    size_t klen, n, ml;
    uint8_t *key = hexbytes("2b7e151628aed2a6abf7158809cf4f3c", &klen), mac[16], ref[16];
    uint8_t data[600];
    unsigned int ours[4];
    int bad = 0;

    for (size_t i = 0; i < 4; i++) {
        uint8_t *m = hexbytes(msgs[i], &n), *want = hexbytes(macs[i], &ml);
        bad |= enclave_aes_cmac(key, m, n, mac) || memcmp(mac, want, 16);
        free(m), free(want);
    }
    CHECK(!bad, "%s: AES-CMAC: RFC 4493's four vectors", mode);
    for (size_t len = 0; len < sizeof(data); len += 7) {
        RAND_bytes(data, (int)len + 1);
        RAND_bytes(key, 16);
        memcpy(ours, OPENSSL_ia32cap_P, sizeof(ours));
        memcpy(OPENSSL_ia32cap_P, full_caps, sizeof(ours));
        EVP_Q_mac(NULL, "CMAC", NULL, "AES-128-CBC", NULL, key, 16, data, len, ref, 16, &n);
        memcpy(OPENSSL_ia32cap_P, ours, sizeof(ours));
        bad |= enclave_aes_cmac(key, data, len, mac) || memcmp(mac, ref, 16);
    }
    CHECK(!bad, "%s: AES-CMAC equals EVP's CMAC for lengths 0..600", mode);
    free(key);
}

/* ---- One process per capability set ------------------------------------- */

static int suite(const char *mode, uint32_t hide, int cases)
{
    int expect_logs = !!(hide & ECX_AESNI) + !!(hide & ECX_PCLMUL);

    hide_ecx = hide;
    test_kats(mode);
    CHECK((OPENSSL_ia32cap_P[1] & (ECX_AESNI | ECX_PCLMUL)) == ((ECX_AESNI | ECX_PCLMUL) & ~hide) &&
              OPENSSL_ia32cap_P[2] == (host_sha() ? EBX7_SHA : 0) && !OPENSSL_ia32cap_P[3] &&
              !(OPENSSL_ia32cap_P[1] & (1U << 28)),
          "%s: capability vector: AES-NI %d, PCLMULQDQ %d, SHA-NI %d, no AVX or other leaf-7 "
          "features",
          mode, !!(OPENSSL_ia32cap_P[1] & ECX_AESNI), !!(OPENSSL_ia32cap_P[1] & ECX_PCLMUL),
          !!(OPENSSL_ia32cap_P[2] & EBX7_SHA));
    test_sha256(mode);
    test_random(mode, cases);
    test_cmac(mode);
    test_misuse(mode);
    test_fpu(mode);
    test_stack(mode);
    CHECK(log_lines == expect_logs && !(hide & ECX_AESNI) == !strstr(log_text, "no AES-NI") &&
              !(hide & ECX_PCLMUL) == !strstr(log_text, "no PCLMULQDQ"),
          "%s: the fallback is logged once per missing feature (%d lines)", mode, log_lines);
    return tap_failed;
}

int main(void)
{
    static const struct {
        const char *mode;
        uint32_t hide;
    } variants[] = {{"no AES-NI, no PCLMULQDQ", ECX_AESNI | ECX_PCLMUL},
                    {"AES-NI, no PCLMULQDQ", ECX_PCLMUL},
                    {"no AES-NI, PCLMULQDQ", ECX_AESNI}};
    unsigned int ecx, x;

    OPENSSL_init_crypto(0, NULL);
    memcpy(full_caps, OPENSSL_ia32cap_P, sizeof(full_caps));
    __cpuid(1, x, x, ecx, x);
    if ((ecx & (ECX_AESNI | ECX_PCLMUL)) != (ECX_AESNI | ECX_PCLMUL)) {
        SKIP("this host lacks AES-NI or PCLMULQDQ; only the portable code is tested");
        return suite("portable", ECX_AESNI | ECX_PCLMUL, 150) ? 1 : 0;
    }
    for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
        int status = 0;
        pid_t pid;

        fflush(stdout);
        pid = fork();
        if (pid == 0)
            _exit(suite(variants[v].mode, variants[v].hide, 60) ? 1 : 0);
        waitpid(pid, &status, 0);
        CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: that process passed",
              variants[v].mode);
    }
    suite("AES-NI, PCLMULQDQ", 0, 300);
    return TAP_DONE();
}
