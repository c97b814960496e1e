/* SIGSTRUCT signing and verification (SDM 38.13 and the EINIT pseudocode). */
#include <errno.h>
#include <string.h>
#include <time.h>

#define OPENSSL_SUPPRESS_DEPRECATED /* the low-level SHA-256 (signed_digest) */
#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/rsa.h>

#include "sigkey_internal.h"
#include "sigstruct.h"

#define MOD_BYTES SGX_MODULUS_SIZE

static const uint8_t header1[16] = SGX_SIGSTRUCT_HEADER;
static const uint8_t header2[16] = SGX_SIGSTRUCT_HEADER2;

/* DER prefix of DigestInfo for SHA-256 (RFC 8017, section 9.2 note 1). */
static const uint8_t sha256_digestinfo[19] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                              0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                              0x01, 0x05, 0x00, 0x04, 0x20};

/* SHA-256 of the two signed ranges, [0,128) then [900,1028), with the
 * low-level SHA-256: the sim's EINIT runs this in a host process forked
 * from a threaded one, where libcrypto's high-level API may wait for good
 * on a lock another thread held at the fork (sim_keys.c hmac_sha256). */
static int signed_digest(const struct sgx_sigstruct *sig, uint8_t digest[32])
{
    const uint8_t *raw = (const uint8_t *)sig;
    SHA256_CTX c;

    if (!SHA256_Init(&c) ||
        !SHA256_Update(&c, raw + SGX_SIGSTRUCT_SIGNED1_OFF, SGX_SIGSTRUCT_SIGNED1_LEN) ||
        !SHA256_Update(&c, raw + SGX_SIGSTRUCT_SIGNED2_OFF, SGX_SIGSTRUCT_SIGNED2_LEN) ||
        !SHA256_Final(digest, &c))
        return -EIO;
    return 0;
}

static void fill_fields(const struct sgx_sign_params *p, struct sgx_sigstruct *s)
{
    memset(s, 0, sizeof(*s));
    memcpy(s->header, header1, sizeof(header1));
    s->vendor = p->vendor;
    s->date = p->date_bcd;
    memcpy(s->header2, header2, sizeof(header2));
    s->swdefined = p->swdefined;
    s->exponent = 3;
    s->miscselect = p->miscselect;
    s->miscmask = p->miscmask;
    memcpy(s->isv_family_id, p->isv_family_id, sizeof(s->isv_family_id));
    s->attributes = p->attributes;
    s->attribute_mask = p->attribute_mask;
    memcpy(s->enclave_hash, p->enclave_hash, sizeof(s->enclave_hash));
    memcpy(s->isv_ext_prod_id, p->isv_ext_prod_id, sizeof(s->isv_ext_prod_id));
    s->isv_prod_id = p->isv_prod_id;
    s->isv_svn = p->isv_svn;
}

/* q1 = floor(S^2 / M); q2 = floor((S^3 - q1*S*M) / M). */
static int compute_q1_q2(const BIGNUM *s, const BIGNUM *m, BIGNUM *q1, BIGNUM *q2, BN_CTX *ctx)
{
    BIGNUM *s2 = BN_CTX_get(ctx), *t = BN_CTX_get(ctx), *rem = BN_CTX_get(ctx);

    if (!rem)
        return -ENOMEM;
    /* S^2 = q1*M + r  =>  S^3 - q1*S*M = r*S, so q2 = floor(r*S / M). */
    if (!BN_sqr(s2, s, ctx) || !BN_div(q1, rem, s2, m, ctx) || !BN_mul(t, rem, s, ctx) ||
        !BN_div(q2, NULL, t, m, ctx))
        return -EIO;
    return 0;
}

/* Signs the digest with PKCS#1 v1.5 (big-endian result of MOD_BYTES). */
static int rsa_sign(const sgx_sign_key *key, const uint8_t digest[32], uint8_t sig_be[MOD_BYTES],
                    struct sgx_err *e)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key->pkey, NULL);
    size_t len = MOD_BYTES;
    int ok;

    ok = ctx && EVP_PKEY_sign_init(ctx) > 0 &&
         EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
         EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) > 0 &&
         EVP_PKEY_sign(ctx, sig_be, &len, digest, 32) > 0 && len == MOD_BYTES;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        sgx_err_set(e, "RSA signing failed: %s", ERR_reason_error_string(ERR_get_error()));
        return -EIO;
    }
    return 0;
}

/* Stores modulus, signature, q1 and q2 little-endian into s. */
static int store_numbers(struct sgx_sigstruct *s, const BIGNUM *m, const uint8_t sig_be[MOD_BYTES])
{
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *sig, *q1, *q2;
    int ret = -ENOMEM;

    if (!ctx)
        return -ENOMEM;
    BN_CTX_start(ctx);
    sig = BN_CTX_get(ctx);
    q1 = BN_CTX_get(ctx);
    q2 = BN_CTX_get(ctx);
    if (q2 && BN_bin2bn(sig_be, MOD_BYTES, sig)) {
        ret = compute_q1_q2(sig, m, q1, q2, ctx);
        if (!ret && (BN_bn2lebinpad(m, s->modulus, MOD_BYTES) < 0 ||
                     BN_bn2lebinpad(sig, s->signature, MOD_BYTES) < 0 ||
                     BN_bn2lebinpad(q1, s->q1, MOD_BYTES) < 0 ||
                     BN_bn2lebinpad(q2, s->q2, MOD_BYTES) < 0))
            ret = -EIO;
    }
    BN_CTX_end(ctx);
    BN_CTX_free(ctx);
    return ret;
}

int sgx_sigstruct_sign(const struct sgx_sign_params *params, const sgx_sign_key *key,
                       struct sgx_sigstruct *out, struct sgx_err *e)
{
    uint8_t digest[32], sig_be[MOD_BYTES];
    BIGNUM *m = sgx_key_modulus(key);
    int ret;

    if (!m || BN_num_bytes(m) != MOD_BYTES) {
        BN_free(m);
        sgx_err_set(e, "signing key is not RSA-3072");
        return -EINVAL;
    }
    fill_fields(params, out);
    /* The modulus is not in the signed ranges, so the digest can be taken first. */
    ret = signed_digest(out, digest);
    if (!ret)
        ret = rsa_sign(key, digest, sig_be, e);
    if (!ret) {
        ret = store_numbers(out, m, sig_be);
        if (ret)
            sgx_err_set(e, "cannot compute SIGSTRUCT Q1/Q2");
    } else if (ret != -EIO) {
        sgx_err_set(e, "cannot hash SIGSTRUCT");
    }
    BN_free(m);
    return ret;
}

static int check_constants(const struct sgx_sigstruct *sig, struct sgx_err *e)
{
    if (memcmp(sig->header, header1, sizeof(header1)) ||
        memcmp(sig->header2, header2, sizeof(header2))) {
        sgx_err_set(e, "SIGSTRUCT HEADER/HEADER2 constants are wrong");
        return SGX_INVALID_SIG_STRUCT;
    }
    if (sig->vendor != 0 && sig->vendor != SGX_SIGSTRUCT_VENDOR_INTEL) {
        sgx_err_set(e, "SIGSTRUCT VENDOR 0x%x is neither 0 nor 0x8086", sig->vendor);
        return SGX_INVALID_SIG_STRUCT;
    }
    if (sig->exponent != 3) {
        sgx_err_set(e, "SIGSTRUCT EXPONENT is %u, must be 3", sig->exponent);
        return SGX_INVALID_SIG_STRUCT;
    }
    return 0;
}

/* The PKCS#1 v1.5 block S^3 mod M must be: 00 01 FF..FF 00 DigestInfo(SHA-256) hash. */
static int check_padding(const BIGNUM *em_bn, const uint8_t digest[32])
{
    uint8_t em[MOD_BYTES], want[MOD_BYTES];
    size_t pad_end = MOD_BYTES - sizeof(sha256_digestinfo) - 32 - 1;

    if (BN_bn2binpad(em_bn, em, MOD_BYTES) < 0)
        return 0;
    want[0] = 0x00;
    want[1] = 0x01;
    memset(want + 2, 0xff, pad_end - 2);
    want[pad_end] = 0x00;
    memcpy(want + pad_end + 1, sha256_digestinfo, sizeof(sha256_digestinfo));
    memcpy(want + MOD_BYTES - 32, digest, 32);
    return memcmp(em, want, MOD_BYTES) == 0;
}

/* Signature and Q1/Q2 checks with BIGNUM arithmetic, as EINIT does them. */
static int check_signature(const struct sgx_sigstruct *sig, const uint8_t digest[32], BN_CTX *ctx,
                           struct sgx_err *e)
{
    BIGNUM *m = BN_CTX_get(ctx), *s = BN_CTX_get(ctx), *q1 = BN_CTX_get(ctx);
    BIGNUM *q2 = BN_CTX_get(ctx), *em = BN_CTX_get(ctx), *three = BN_CTX_get(ctx);

    if (!three || !BN_lebin2bn(sig->modulus, MOD_BYTES, m) ||
        !BN_lebin2bn(sig->signature, MOD_BYTES, s) || !BN_set_word(three, 3))
        return -ENOMEM;
    if (BN_is_zero(m) || !BN_is_odd(m) || BN_cmp(s, m) >= 0) {
        sgx_err_set(e, "SIGSTRUCT modulus is invalid or signature >= modulus");
        return SGX_INVALID_SIGNATURE;
    }
    if (compute_q1_q2(s, m, q1, q2, ctx))
        return -EIO;
    if (!BN_lebin2bn(sig->q1, MOD_BYTES, em) || BN_cmp(q1, em) ||
        !BN_lebin2bn(sig->q2, MOD_BYTES, em) || BN_cmp(q2, em)) {
        sgx_err_set(e, "SIGSTRUCT Q1/Q2 do not match the signature and modulus");
        return SGX_INVALID_SIGNATURE;
    }
    if (!BN_mod_exp(em, s, three, m, ctx))
        return -EIO;
    if (!check_padding(em, digest)) {
        sgx_err_set(e, "SIGSTRUCT signature does not verify against its modulus");
        return SGX_INVALID_SIGNATURE;
    }
    return 0;
}

int sgx_sigstruct_verify(const struct sgx_sigstruct *sig, struct sgx_err *e)
{
    uint8_t digest[32];
    BN_CTX *ctx;
    int ret = check_constants(sig, e);

    if (ret)
        return ret;
    ret = signed_digest(sig, digest);
    if (ret)
        return ret;
    ctx = BN_CTX_new();
    if (!ctx)
        return -ENOMEM;
    BN_CTX_start(ctx);
    ret = check_signature(sig, digest, ctx, e);
    BN_CTX_end(ctx);
    BN_CTX_free(ctx);
    if (ret < 0)
        sgx_err_set(e, "SIGSTRUCT verification failed: out of memory or OpenSSL error");
    return ret;
}

/* Low-level SHA-256, as signed_digest: SHA256() goes through EVP, whose
 * first use in a process fetches the provider (~1 ms, in the sim's EINIT)
 * and may wait on a lock in a child forked from a threaded process. */
int sgx_sigstruct_mrsigner(const struct sgx_sigstruct *sig, uint8_t mrsigner[32])
{
    SHA256_CTX c;

    return SHA256_Init(&c) && SHA256_Update(&c, sig->modulus, MOD_BYTES) && SHA256_Final(mrsigner, &c) ? 0 : -EIO;
}

static uint32_t to_bcd(unsigned v, int digits)
{
    uint32_t out = 0;

    for (int i = 0; i < digits; i++, v /= 10)
        out |= (uint32_t)(v % 10) << (4 * i);
    return out;
}

uint32_t sgx_date_bcd_today(void)
{
    time_t now = time(NULL);
    struct tm tm;

    if (!gmtime_r(&now, &tm))
        return 0;
    return to_bcd((unsigned)tm.tm_year + 1900, 4) << 16 | to_bcd((unsigned)tm.tm_mon + 1, 2) << 8 |
           to_bcd((unsigned)tm.tm_mday, 2);
}

int sgx_date_bcd_valid(uint32_t v)
{
    unsigned month = ((v >> 12) & 0xf) * 10 + ((v >> 8) & 0xf);
    unsigned day = ((v >> 4) & 0xf) * 10 + (v & 0xf);

    for (int i = 0; i < 8; i++)
        if (((v >> (4 * i)) & 0xf) > 9)
            return 0;
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}
