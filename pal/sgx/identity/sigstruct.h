/* SIGSTRUCT: building, signing, verifying (SDM 38.13) and the enclave signing key.
 *
 * The signature is RSA-3072, public exponent 3, PKCS#1 v1.5 with SHA-256 over
 * SIGSTRUCT bytes [0,128) followed by [900,1028). MODULUS, SIGNATURE, Q1 and Q2
 * are stored little-endian. Q1/Q2 let EINIT check S^3 mod M without a division:
 *   q1 = floor(S^2 / M), q2 = floor((S^3 - q1*S*M) / M).
 *
 * Error convention (the same as the kernel's SGX_IOC_ENCLAVE_INIT):
 *   0 = success, > 0 = an SGX error code (enum sgx_error), < 0 = -errno. */
#ifndef GEODE_SGX_SIGSTRUCT_H
#define GEODE_SGX_SIGSTRUCT_H

#include <stdint.h>

#include "sgx_arch.h"
#include "sgx_err.h"

/* Everything in a SIGSTRUCT that is not derived from the key. */
struct sgx_sign_params {
    uint32_t vendor;    /* 0 or 0x8086 */
    uint32_t date_bcd;  /* 0xYYYYMMDD in BCD, e.g. 0x20261122 */
    uint32_t swdefined;
    uint32_t miscselect;
    uint32_t miscmask;
    struct sgx_attributes attributes;
    struct sgx_attributes attribute_mask;
    uint8_t enclave_hash[32]; /* MRENCLAVE */
    uint8_t isv_family_id[16];
    uint8_t isv_ext_prod_id[16];
    uint16_t isv_prod_id;
    uint16_t isv_svn;
};

/* Opaque key (an OpenSSL EVP_PKEY). */
typedef struct sgx_sign_key sgx_sign_key;

/* Generates an RSA-3072 key with e = 3. NULL on failure (message in e). */
sgx_sign_key *sgx_key_generate(struct sgx_err *e);

/* Writes the private key as PEM to a new file with mode 0600; refuses to
 * overwrite an existing file (-EEXIST). Returns 0 or -errno. */
int sgx_key_write_pem(const sgx_sign_key *key, const char *path, struct sgx_err *e);

/* Loads a PEM private key and checks it is RSA-3072 with e = 3. */
sgx_sign_key *sgx_key_load_pem(const char *path, struct sgx_err *e);

void sgx_key_free(sgx_sign_key *key);

/* Fills *out from params and signs it with key. Returns 0 or -errno. */
int sgx_sigstruct_sign(const struct sgx_sign_params *params, const sgx_sign_key *key,
                       struct sgx_sigstruct *out, struct sgx_err *e);

/* Checks what EINIT checks in a SIGSTRUCT on its own: HEADER/HEADER2, VENDOR,
 * EXPONENT (-> SGX_INVALID_SIG_STRUCT), then the signature against the embedded
 * modulus and Q1/Q2 (-> SGX_INVALID_SIGNATURE). Returns 0, an SGX code or -errno. */
int sgx_sigstruct_verify(const struct sgx_sigstruct *sig, struct sgx_err *e);

/* MRSIGNER = SHA-256 of the 384 modulus bytes as stored (little-endian). */
int sgx_sigstruct_mrsigner(const struct sgx_sigstruct *sig, uint8_t mrsigner[32]);

/* Today's UTC date as BCD 0xYYYYMMDD. */
uint32_t sgx_date_bcd_today(void);

/* 1 when v is a valid BCD date 0xYYYYMMDD (month 1-12, day 1-31). */
int sgx_date_bcd_valid(uint32_t v);

#endif
