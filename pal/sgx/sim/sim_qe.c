/* The sim's quoting enclave (sim_qe.h). */
#include "sim_qe.h"

#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>
#include <string.h>

#include "quote_verify.h"

#define QE_ATTRIBUTES (SGX_ATTR_INIT | SGX_ATTR_MODE64BIT)
#define QE_XFRM 3ULL
#define QE_PROD_ID 1
#define QE_SVN 1
#define AUTH_LEN 32
#define CERT_LEN 36 /* PPID, CPUSVN, PCESVN, PCEID */

static void label_hash(const char *label, uint8_t out[32])
{
    SHA256((const uint8_t *)label, strlen(label), out);
}

void sgx_sim_qe_identity(uint8_t mrenclave[32], uint8_t mrsigner[32])
{
    label_hash("geode sim quoting enclave", mrenclave);
    label_hash("geode sim quoting enclave signer", mrsigner);
}

void sgx_sim_qe_target_info(struct sgx_targetinfo *out)
{
    uint8_t mrsigner[32];

    memset(out, 0, sizeof(*out));
    sgx_sim_qe_identity(out->measurement, mrsigner);
    out->attributes.flags = QE_ATTRIBUTES;
    out->attributes.xfrm = QE_XFRM;
}

/* The P-256 scalar: HMAC(root, label || counter), the first value in
 * [1, n - 1]. */
static BIGNUM *att_scalar(const EC_GROUP *g)
{
    char label[64];
    uint8_t h[32];
    BIGNUM *d = NULL;

    for (int i = 0; i < 16; i++) {
        int n = snprintf(label, sizeof(label), "geode sim quoting enclave attestation key %d", i);
        if (sim_root_hmac(label, (size_t)n, h) || !(d = BN_bin2bn(h, 32, d)))
            break;
        if (!BN_is_zero(d) && BN_cmp(d, EC_GROUP_get0_order(g)) < 0)
            break;
    }
    OPENSSL_cleanse(h, sizeof(h));
    return d;
}

EVP_PKEY *sgx_sim_qe_key(void)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    BIGNUM *d = g ? att_scalar(g) : NULL;
    EC_POINT *pt = g ? EC_POINT_new(g) : NULL;
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    OSSL_PARAM *p = NULL;
    EVP_PKEY *k = NULL;
    uint8_t oct[65];

    if (d && pt && b && c && EC_POINT_mul(g, pt, d, NULL, NULL, NULL) &&
        EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, oct, sizeof(oct), NULL) == 65 &&
        OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
        OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, d) &&
        OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, oct, sizeof(oct)) &&
        (p = OSSL_PARAM_BLD_to_param(b)) && EVP_PKEY_fromdata_init(c) > 0 &&
        EVP_PKEY_fromdata(c, &k, EVP_PKEY_KEYPAIR, p) <= 0)
        k = NULL;
    OSSL_PARAM_free(p);
    OSSL_PARAM_BLD_free(b);
    EVP_PKEY_CTX_free(c);
    EC_POINT_free(pt);
    BN_clear_free(d);
    EC_GROUP_free(g);
    return k;
}

/* The report was MACed for this QE's TARGETINFO on this machine. */
static int report_ok(const struct sgx_report *r)
{
    struct sgx_targetinfo ti;
    uint8_t key[16], mac[16];
    size_t n = 0;
    int ok;

    sgx_sim_qe_target_info(&ti);
    if (sim_report_key_for(&ti, r->key_id, key))
        return 0;
    ok = EVP_Q_mac(NULL, "CMAC", NULL, "AES-128-CBC", NULL, key, 16, (const uint8_t *)&r->body,
                   sizeof(r->body), mac, 16, &n) &&
         n == 16 && CRYPTO_memcmp(mac, r->mac, 16) == 0;
    OPENSSL_cleanse(key, sizeof(key));
    return ok;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v), put16(p + 2, (uint16_t)(v >> 16));
}

static void qe_report(const uint8_t att[64], const uint8_t *auth, struct sgx_report_body *b)
{
    memset(b, 0, sizeof(*b));
    sgx_sim_qe_identity(b->mrenclave, b->mrsigner);
    b->attributes.flags = QE_ATTRIBUTES;
    b->attributes.xfrm = QE_XFRM;
    b->isv_prod_id = QE_PROD_ID;
    b->isv_svn = QE_SVN;
    quote_qe_binding(att, auth, AUTH_LEN, b->report_data);
}

long sgx_sim_qe_quote(const struct sgx_report *report, uint8_t *out, size_t cap)
{
    size_t sig_len = sizeof(struct sgx_quote3_sig) + 2 + AUTH_LEN + 6 + CERT_LEN;
    size_t total = SGX_QUOTE_MIN_SIZE + sig_len;
    struct sgx_quote3_header *h = (struct sgx_quote3_header *)out;
    struct sgx_quote3_sig *s = (struct sgx_quote3_sig *)(out + SGX_QUOTE_MIN_SIZE);
    uint8_t *auth = out + SGX_QUOTE_MIN_SIZE + sizeof(*s) + 2, *cert = auth + AUTH_LEN + 6;
    uint8_t id[32];
    EVP_PKEY *k;
    long ret = -EIO;

    if (!report_ok(report))
        return -EPERM;
    if (cap < total)
        return -ENOSPC;
    if (!(k = sgx_sim_qe_key()))
        return -EIO;
    memset(out, 0, total);
    h->version = SGX_QUOTE_V3;
    h->att_key_type = SGX_QUOTE_ATT_KEY_ECDSA_P256;
    h->qe_svn = QE_SVN;
    h->pce_svn = QE_SVN;
    memcpy(h->qe_vendor_id, "geode-sim-qe", 12);
    sim_root_hmac("geode sim QE id", 15, id);
    memcpy(h->user_data, id, 16);
    memcpy(out + SGX_QUOTE_BODY_OFFSET, &report->body, sizeof(report->body));
    put32(out + SGX_QUOTE_SIGLEN_OFFSET, (uint32_t)sig_len);
    for (int i = 0; i < AUTH_LEN; i++)
        auth[i] = (uint8_t)i; /* Intel's QE uses the same default */
    put16(auth - 2, AUTH_LEN);
    put16(auth + AUTH_LEN, SGX_QUOTE_CERT_PPID_CLEARTEXT);
    put32(auth + AUTH_LEN + 2, CERT_LEN);
    memcpy(cert, id, 16); /* PPID = the QE id; then CPUSVN, PCESVN and PCEID: zero */
    if (!quote_ecdsa_pub(k, s->att_key)) {
        qe_report(s->att_key, auth, (struct sgx_report_body *)s->qe_report_body);
        if (!quote_ecdsa_sign(k, out, SGX_QUOTE_HEADER_SIZE + sizeof(report->body),
                              s->isv_signature) &&
            !quote_ecdsa_sign(k, s->qe_report_body, sizeof(s->qe_report_body),
                              s->qe_report_signature))
            ret = (long)total;
    }
    EVP_PKEY_free(k);
    return ret;
}
