/* The enclave signing key: RSA-3072 with public exponent 3, as SIGSTRUCT requires. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "sigkey_internal.h"
#include "sigstruct.h"

#define SGX_RSA_BITS 3072

static const char *ossl_reason(void)
{
    unsigned long code = ERR_get_error();

    return code ? ERR_reason_error_string(code) : "unknown OpenSSL error";
}

static sgx_sign_key *wrap(EVP_PKEY *pkey, struct sgx_err *e)
{
    sgx_sign_key *key = malloc(sizeof(*key));

    if (!key) {
        EVP_PKEY_free(pkey);
        sgx_err_set(e, "out of memory");
        return NULL;
    }
    key->pkey = pkey;
    return key;
}

sgx_sign_key *sgx_key_generate(struct sgx_err *e)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    BIGNUM *exp = BN_new();
    EVP_PKEY *pkey = NULL;

    if (!ctx || !exp || !BN_set_word(exp, 3) || EVP_PKEY_keygen_init(ctx) <= 0 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, SGX_RSA_BITS) <= 0 ||
        EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, exp) <= 0 || EVP_PKEY_keygen(ctx, &pkey) <= 0) {
        sgx_err_set(e, "RSA-3072 key generation failed: %s", ossl_reason());
        pkey = NULL;
    }
    BN_free(exp);
    EVP_PKEY_CTX_free(ctx);
    return pkey ? wrap(pkey, e) : NULL;
}

int sgx_key_write_pem(const sgx_sign_key *key, const char *path, struct sgx_err *e)
{
    /* O_EXCL: never overwrite a signing key; 0600: it is a secret. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    FILE *f;
    int ret = 0;

    if (fd < 0) {
        ret = -errno;
        sgx_err_set(e, "cannot create key file %s: %s", path, strerror(errno));
        return ret;
    }
    f = fdopen(fd, "w");
    if (!f) {
        ret = -errno;
        close(fd);
        sgx_err_set(e, "cannot open key file %s: %s", path, strerror(-ret));
        return ret;
    }
    if (!PEM_write_PrivateKey(f, key->pkey, NULL, NULL, 0, NULL, NULL)) {
        sgx_err_set(e, "cannot write key to %s: %s", path, ossl_reason());
        ret = -EIO;
    }
    if (fclose(f) && !ret) {
        ret = -errno;
        sgx_err_set(e, "cannot write key to %s: %s", path, strerror(-ret));
    }
    if (ret)
        unlink(path);
    return ret;
}

/* SIGSTRUCT has room for exactly a 3072-bit modulus and exponent 3 only. */
static int check_key_shape(EVP_PKEY *pkey, const char *path, struct sgx_err *e)
{
    BIGNUM *exp = NULL;
    int ok;

    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
        sgx_err_set(e, "%s: not an RSA key", path);
        return -EINVAL;
    }
    if (EVP_PKEY_get_bits(pkey) != SGX_RSA_BITS) {
        sgx_err_set(e, "%s: RSA key has %d bits, SGX needs 3072", path, EVP_PKEY_get_bits(pkey));
        return -EINVAL;
    }
    ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &exp) && BN_is_word(exp, 3);
    BN_free(exp);
    if (!ok) {
        sgx_err_set(e, "%s: RSA public exponent must be 3 for SGX", path);
        return -EINVAL;
    }
    return 0;
}

sgx_sign_key *sgx_key_load_pem(const char *path, struct sgx_err *e)
{
    FILE *f = fopen(path, "re");
    EVP_PKEY *pkey;

    if (!f) {
        sgx_err_set(e, "cannot open key %s: %s", path, strerror(errno));
        return NULL;
    }
    pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!pkey) {
        sgx_err_set(e, "%s: not a PEM private key (%s)", path, ossl_reason());
        return NULL;
    }
    if (check_key_shape(pkey, path, e)) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    return wrap(pkey, e);
}

void sgx_key_free(sgx_sign_key *key)
{
    if (!key)
        return;
    EVP_PKEY_free(key->pkey);
    free(key);
}

BIGNUM *sgx_key_modulus(const struct sgx_sign_key *key)
{
    BIGNUM *n = NULL;

    if (!EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_RSA_N, &n))
        return NULL;
    return n;
}
