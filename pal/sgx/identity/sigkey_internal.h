/* Private to sigkey.c / sigstruct.c: the key wrapper and its modulus. */
#ifndef GEODE_SGX_SIGKEY_INTERNAL_H
#define GEODE_SGX_SIGKEY_INTERNAL_H

#include <openssl/bn.h>
#include <openssl/evp.h>

struct sgx_sign_key {
    EVP_PKEY *pkey;
};

/* The modulus of an RSA key as a new BIGNUM (NULL on failure). */
BIGNUM *sgx_key_modulus(const struct sgx_sign_key *key);

#endif
