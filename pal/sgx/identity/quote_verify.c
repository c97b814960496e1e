/* SGX ECDSA quotes (version 3): parsing, and the signing and hashing
 * helpers the sim's quote checks use (quote_verify.h). */
#include "quote_verify.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fail(char *why, size_t n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    return -1;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

int quote_parse(const uint8_t *buf, size_t len, struct quote_v3 *q, char *why, size_t why_len)
{
    size_t at;

    memset(q, 0, sizeof(*q));
    if (len < SGX_QUOTE_MIN_SIZE)
        return fail(why, why_len, "quote: %zu bytes, shorter than a header and a report body", len);
    q->header = (const struct sgx_quote3_header *)buf;
    q->body = (const struct sgx_report_body *)(buf + SGX_QUOTE_BODY_OFFSET);
    if (le16(buf) != SGX_QUOTE_V3)
        return fail(why, why_len, "quote: version %u, not 3 (an ECDSA/DCAP quote)", le16(buf));
    if (le16(buf + 2) != SGX_QUOTE_ATT_KEY_ECDSA_P256)
        return fail(why, why_len, "quote: attestation key type %u, not 2 (ECDSA P-256)",
                    le16(buf + 2));
    if (sgx_quote_size(buf, len) != len)
        return fail(why, why_len, "quote: signature data length %u does not match the %zu bytes",
                    sgx_quote_le32(buf + SGX_QUOTE_SIGLEN_OFFSET), len);
    at = SGX_QUOTE_MIN_SIZE;
    if (len - at < sizeof(struct sgx_quote3_sig) + 2)
        return fail(why, why_len, "quote: signature data too short for the ECDSA fields");
    q->sig = (const struct sgx_quote3_sig *)(buf + at);
    at += sizeof(struct sgx_quote3_sig);
    q->auth_len = le16(buf + at);
    at += 2;
    if (len - at < (size_t)q->auth_len + 6)
        return fail(why, why_len, "quote: QE authentication data runs past the end");
    q->auth_data = buf + at;
    at += q->auth_len;
    q->cert_type = le16(buf + at);
    q->cert_len = sgx_quote_le32(buf + at + 2);
    at += 6;
    if (len - at != q->cert_len)
        return fail(why, why_len, "quote: certification data of %u bytes does not end the quote",
                    q->cert_len);
    q->cert_data = buf + at;
    q->size = len;
    return 0;
}

static EVP_PKEY *pub_key(const uint8_t pub[64])
{
    uint8_t oct[65] = {4};
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    OSSL_PARAM *p = NULL;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *k = NULL;

    memcpy(oct + 1, pub, 64);
    if (b && c && OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
        OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, oct, sizeof(oct)) &&
        (p = OSSL_PARAM_BLD_to_param(b)) && EVP_PKEY_fromdata_init(c) > 0 &&
        EVP_PKEY_fromdata(c, &k, EVP_PKEY_PUBLIC_KEY, p) <= 0)
        k = NULL;
    OSSL_PARAM_free(p);
    OSSL_PARAM_BLD_free(b);
    EVP_PKEY_CTX_free(c);
    return k;
}

int quote_ecdsa_pub(EVP_PKEY *key, uint8_t pub[64])
{
    uint8_t oct[65];
    size_t n = 0;

    if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, oct, sizeof(oct), &n) ||
        n != 65 || oct[0] != 4)
        return -1;
    memcpy(pub, oct + 1, 64);
    return 0;
}

int quote_ecdsa_sign(EVP_PKEY *key, const void *msg, size_t len, uint8_t sig[64])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    uint8_t der[80];
    size_t n = sizeof(der);
    const uint8_t *p = der;
    ECDSA_SIG *s = NULL;
    int ret = -1;

    if (c && EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, key) > 0 &&
        EVP_DigestSign(c, der, &n, msg, len) > 0 && (s = d2i_ECDSA_SIG(NULL, &p, (long)n)) &&
        BN_bn2binpad(ECDSA_SIG_get0_r(s), sig, 32) == 32 &&
        BN_bn2binpad(ECDSA_SIG_get0_s(s), sig + 32, 32) == 32)
        ret = 0;
    ECDSA_SIG_free(s);
    EVP_MD_CTX_free(c);
    return ret;
}

int quote_ecdsa_verify(const uint8_t pub[64], const void *msg, size_t len, const uint8_t sig[64])
{
    EVP_PKEY *k = pub_key(pub);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *ss = BN_bin2bn(sig + 32, 32, NULL);
    uint8_t *der = NULL;
    int n, ret = -1;

    if (!k || !c || !s || !r || !ss || !ECDSA_SIG_set0(s, r, ss)) {
        BN_free(r);
        BN_free(ss);
    } else if ((n = i2d_ECDSA_SIG(s, &der)) > 0 &&
               EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, k) > 0 &&
               EVP_DigestVerify(c, der, (size_t)n, msg, len) == 1) {
        ret = 0;
    }
    OPENSSL_free(der);
    ECDSA_SIG_free(s);
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(k);
    return ret;
}

int quote_qe_binding(const uint8_t att[64], const uint8_t *auth, size_t auth_len, uint8_t out[32])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) && EVP_DigestUpdate(c, att, 64) &&
             EVP_DigestUpdate(c, auth, auth_len) && EVP_DigestFinal_ex(c, out, NULL);

    EVP_MD_CTX_free(c);
    return ok ? 0 : -1;
}
