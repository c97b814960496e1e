/* SGX quotes as the quoting enclaves write them: the EPID quote (sgx_quote_t,
 * version 2) and the ECDSA quote of DCAP (Intel's "SGX ECDSA Quote Library"
 * reference, Quote format version 3). Both start with a 48-byte header and
 * the enclave's 384-byte REPORT body, then a 32-bit length of the signature
 * data that follows; all integers little-endian.
 *
 * Included by the trusted PAL (freestanding: no libc beyond memcpy) and by
 * host code (the sim's quoting enclave, `geode quote verify`). */
#ifndef GEODE_SGX_QUOTE_H
#define GEODE_SGX_QUOTE_H

#include <stddef.h>
#include <stdint.h>

#define SGX_QUOTE_HEADER_SIZE 48
#define SGX_QUOTE_BODY_OFFSET 48
#define SGX_QUOTE_SIGLEN_OFFSET 432
#define SGX_QUOTE_MIN_SIZE 436 /* header, body, signature length */

#define SGX_QUOTE_V3 3
#define SGX_QUOTE_ATT_KEY_ECDSA_P256 2
#define SGX_QUOTE_CERT_PPID_CLEARTEXT 1

/* The v3 header. */
struct sgx_quote3_header {
    uint16_t version;      /* 3 */
    uint16_t att_key_type; /* 2: ECDSA-256-with-P-256 */
    uint32_t tee_type;     /* 0: SGX */
    uint16_t qe_svn;
    uint16_t pce_svn;
    uint8_t qe_vendor_id[16];
    uint8_t user_data[20]; /* the first 16 bytes: the platform's QE id */
} __attribute__((packed));
_Static_assert(sizeof(struct sgx_quote3_header) == SGX_QUOTE_HEADER_SIZE, "quote v3 header");

/* The fixed start of the v3 ECDSA signature data; then QE authentication
 * data (u16 size + bytes) and certification data (u16 type, u32 size,
 * bytes). Signatures are r || s and the key x || y, 32-byte big-endian
 * integers each. */
struct sgx_quote3_sig {
    uint8_t isv_signature[64]; /* over header || body */
    uint8_t att_key[64];
    uint8_t qe_report_body[384];
    uint8_t qe_report_signature[64]; /* over the QE report body */
} __attribute__((packed));
_Static_assert(sizeof(struct sgx_quote3_sig) == 576, "quote v3 signature data");

static inline uint32_t sgx_quote_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The size a quote of len bytes says it has (header, body, signature
 * length and signature data): 0 when len is too short to say. */
static inline uint64_t sgx_quote_size(const uint8_t *q, uint64_t len)
{
    if (len < SGX_QUOTE_MIN_SIZE)
        return 0;
    return SGX_QUOTE_MIN_SIZE + (uint64_t)sgx_quote_le32(q + SGX_QUOTE_SIGLEN_OFFSET);
}

#endif
