/* Parsing and checking SGX quotes on the host (`geode quote verify`, the
 * RA-TLS example's verifier, the fuzz target).
 *
 * quote_parse takes the layout apart with every length checked against the
 * buffer; quote_verify_sim (pal/sgx/sim/sim_qe.h, sim_qe_verify.c) checks
 * a quote of the sim's quoting enclave with the helpers below: the ISV
 * signature over header and body, the QE report's signature, the QE report
 * data binding (SHA256(attestation key || auth data), as DCAP), the QE's
 * identity, and that the attestation key is the trusted one. A hardware
 * DCAP quote parses the same way; its PCK certificate chain is not checked
 * here. */
#ifndef GEODE_SGX_QUOTE_VERIFY_H
#define GEODE_SGX_QUOTE_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "sgx_arch.h"
#include "sgx_quote.h"

struct evp_pkey_st;

struct quote_v3 {
    const struct sgx_quote3_header *header;
    const struct sgx_report_body *body;
    const struct sgx_quote3_sig *sig;
    const uint8_t *auth_data;
    uint16_t auth_len;
    uint16_t cert_type;
    const uint8_t *cert_data;
    uint32_t cert_len;
    size_t size; /* header to the end of the certification data */
};

/* 0 with q filled (pointers into buf), or -1 with a one-line reason in
 * why: a version other than 3, an attestation key other than ECDSA P-256,
 * or any length running past the buffer or leaving bytes after it. */
int quote_parse(const uint8_t *buf, size_t len, struct quote_v3 *q, char *why, size_t why_len);

/* ECDSA P-256 with SHA-256, signatures r || s and keys x || y, 32-byte
 * big-endian each (the quote's encoding). 0 or -1. */
int quote_ecdsa_sign(struct evp_pkey_st *key, const void *msg, size_t len, uint8_t sig[64]);
int quote_ecdsa_verify(const uint8_t pub[64], const void *msg, size_t len, const uint8_t sig[64]);
/* x || y of an EC P-256 key. 0 or -1. */
int quote_ecdsa_pub(struct evp_pkey_st *key, uint8_t pub[64]);

/* SHA256(att || auth): what DCAP puts in the QE report's report data. */
int quote_qe_binding(const uint8_t att[64], const uint8_t *auth, size_t auth_len, uint8_t out[32]);

#endif
