/* SIGSTRUCT: sign then verify, tamper detection, Q1/Q2, MRSIGNER, key files.
 * The signature is also checked with OpenSSL's own RSA verify as a second,
 * independent implementation of PKCS#1 v1.5. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "sigstruct.h"
#include "tap.h"

static struct sgx_sign_params params(void)
{
    struct sgx_sign_params p = {
        .vendor = 0,
        .date_bcd = 0x20261122,
        .miscselect = SGX_MISC_EXINFO,
        .miscmask = 0xffffffff,
        .attributes = {.flags = SGX_ATTR_MODE64BIT, .xfrm = SGX_XFRM_LEGACY},
        .attribute_mask = {.flags = ~0ULL, .xfrm = ~0ULL},
        .isv_prod_id = 7,
        .isv_svn = 3,
    };
    for (int i = 0; i < 32; i++)
        p.enclave_hash[i] = (uint8_t)i;
    return p;
}

static int flip_verify(const struct sgx_sigstruct *good, size_t off)
{
    struct sgx_sigstruct s = *good;

    ((uint8_t *)&s)[off] ^= 0x01;
    return sgx_sigstruct_verify(&s, NULL);
}

/* Verify with the PEM key through OpenSSL's EVP RSA verify (big-endian signature). */
static int openssl_verifies(const char *pem, const struct sgx_sigstruct *s)
{
    FILE *f = fopen(pem, "r");
    EVP_PKEY *pkey = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    uint8_t msg[256], sig_be[384], digest[32];
    EVP_PKEY_CTX *ctx;
    int ok;

    if (f)
        fclose(f);
    memcpy(msg, s, 128);
    memcpy(msg + 128, (const uint8_t *)s + 900, 128);
    for (int i = 0; i < 384; i++)
        sig_be[i] = s->signature[383 - i];
    EVP_Digest(msg, sizeof(msg), digest, NULL, EVP_sha256(), NULL);
    ctx = pkey ? EVP_PKEY_CTX_new(pkey, NULL) : NULL;
    ok = ctx && EVP_PKEY_verify_init(ctx) > 0 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
         EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) > 0 &&
         EVP_PKEY_verify(ctx, sig_be, sizeof(sig_be), digest, 32) == 1;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return ok;
}

/* MRSIGNER from the PEM's modulus, serialized little-endian here. */
static int mrsigner_from_pem(const char *pem, uint8_t out[32])
{
    FILE *f = fopen(pem, "r");
    EVP_PKEY *pkey = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    BIGNUM *n = NULL;
    uint8_t le[384];
    int ok;

    if (f)
        fclose(f);
    ok = pkey && EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) && BN_bn2lebinpad(n, le, 384) == 384 &&
         EVP_Digest(le, sizeof(le), out, NULL, EVP_sha256(), NULL);
    BN_free(n);
    EVP_PKEY_free(pkey);
    return ok;
}

static void test_key_file(sgx_sign_key *key, const char *path)
{
    struct sgx_err e = {{0}};
    struct stat st;
    sgx_sign_key *loaded;

    CHECK(sgx_key_write_pem(key, path, &e) == 0, "key written (%s)", e.msg);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "key file mode is 0600");
    CHECK(sgx_key_write_pem(key, path, &e) == -EEXIST, "refuses to overwrite: %s", e.msg);
    loaded = sgx_key_load_pem(path, &e);
    CHECK(loaded != NULL, "key loads back");
    sgx_key_free(loaded);
    CHECK(sgx_key_load_pem("/nonexistent/key.pem", &e) == NULL && strstr(e.msg, "/nonexistent"),
          "missing key file: %s", e.msg);
}

static void test_wrong_key(const char *dir)
{
    char path[512];
    EVP_PKEY *pkey = EVP_RSA_gen(2048);
    FILE *f;
    struct sgx_err e = {{0}};

    snprintf(path, sizeof(path), "%s/rsa2048.pem", dir);
    f = fopen(path, "w");
    if (f && pkey) {
        PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL);
        fclose(f);
    }
    CHECK(sgx_key_load_pem(path, &e) == NULL && strstr(e.msg, "3072"), "RSA-2048 rejected: %s", e.msg);
    EVP_PKEY_free(pkey);
    unlink(path);
}

static void test_tamper(const struct sgx_sigstruct *s)
{
    CHECK(flip_verify(s, 960) == SGX_INVALID_SIGNATURE, "flipped ENCLAVEHASH byte -> INVALID_SIGNATURE");
    CHECK(flip_verify(s, 1024) == SGX_INVALID_SIGNATURE, "flipped ISVPRODID byte -> INVALID_SIGNATURE");
    CHECK(flip_verify(s, 40) == SGX_INVALID_SIGNATURE, "flipped SWDEFINED byte -> INVALID_SIGNATURE");
    CHECK(flip_verify(s, 600) == SGX_INVALID_SIGNATURE, "flipped SIGNATURE byte -> INVALID_SIGNATURE");
    CHECK(flip_verify(s, 1040) == SGX_INVALID_SIGNATURE, "flipped Q1 byte -> INVALID_SIGNATURE");
    CHECK(flip_verify(s, 1500) == SGX_INVALID_SIGNATURE, "flipped Q2 byte -> INVALID_SIGNATURE");
    CHECK(flip_verify(s, 200) == SGX_INVALID_SIGNATURE, "flipped MODULUS byte -> INVALID_SIGNATURE");
    CHECK(flip_verify(s, 4) == SGX_INVALID_SIG_STRUCT, "flipped HEADER byte -> INVALID_SIG_STRUCT");
    CHECK(flip_verify(s, 512) == SGX_INVALID_SIG_STRUCT, "exponent != 3 -> INVALID_SIG_STRUCT");
    CHECK(flip_verify(s, 17) == SGX_INVALID_SIG_STRUCT, "vendor 0x100 -> INVALID_SIG_STRUCT");
}

int main(void)
{
    char dir[] = "/tmp/geode-test-sign-XXXXXX", path[512];
    struct sgx_err e = {{0}};
    struct sgx_sign_params p = params();
    struct sgx_sigstruct s, s2;
    uint8_t mrs[32], mrs_pem[32];
    sgx_sign_key *key = sgx_key_generate(&e);

    if (!CHECK(key != NULL, "RSA-3072 e=3 key generated (%s)", e.msg) || !mkdtemp(dir))
        return TAP_DONE();
    snprintf(path, sizeof(path), "%s/key.pem", dir);
    test_key_file(key, path);
    CHECK(sgx_sigstruct_sign(&p, key, &s, &e) == 0, "sign (%s)", e.msg);
    CHECK(sgx_sigstruct_verify(&s, &e) == 0, "own signature verifies (%s)", e.msg);
    CHECK(openssl_verifies(path, &s), "OpenSSL RSA verify accepts the signature");
    CHECK(s.exponent == 3 && s.isv_prod_id == 7 && s.isv_svn == 3 && s.date == 0x20261122, "fields stored");
    CHECK(sgx_sigstruct_sign(&p, key, &s2, &e) == 0 && !memcmp(&s, &s2, sizeof(s)), "signing is deterministic");
    test_tamper(&s);
    s2 = s;
    s2.vendor = 0x8086;
    CHECK(sgx_sigstruct_verify(&s2, NULL) == SGX_INVALID_SIGNATURE, "vendor is signed");
    CHECK(sgx_sigstruct_mrsigner(&s, mrs) == 0 && mrsigner_from_pem(path, mrs_pem) && !memcmp(mrs, mrs_pem, 32),
          "MRSIGNER = SHA-256(little-endian modulus)");
    test_wrong_key(dir);
    CHECK(sgx_date_bcd_valid(0x20261122) && !sgx_date_bcd_valid(0x20261322) && !sgx_date_bcd_valid(0x2026112a) &&
              sgx_date_bcd_valid(sgx_date_bcd_today()),
          "BCD dates");
    sgx_key_free(key);
    unlink(path);
    rmdir(dir);
    return TAP_DONE();
}
