/* A client of Intel's AESM service (aesmd): the quoting enclave's
 * TARGETINFO and quotes, EPID (InitQuote, GetQuote) or DCAP with the ECDSA
 * P-256 attestation key of Intel's quoting enclave (InitQuoteEx,
 * GetQuoteSizeEx, GetQuoteEx). One connection per request, as aesmd
 * expects; each message is its 4-byte little-endian length and the
 * protobuf (aesm.proto). Every answer is checked: the sub-response must be
 * the one asked for, its error code 0, sizes those of a TARGETINFO or of
 * a quote that fits. Errors are -errno and one line on stderr. */
#ifndef GEODE_SGX_URTS_AESM_H
#define GEODE_SGX_URTS_AESM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sgx_arch.h"

#define AESM_SOCKET_PATH "/var/run/aesmd/aesm.socket"
#define AESM_QUOTE_MAX 8192

int aesm_qe_target_info(const char *socket_path, bool epid, struct sgx_targetinfo *out);
/* The quote's size, or -errno (-EPERM: the service refused). */
long aesm_quote(const char *socket_path, bool epid, const struct sgx_report *report, uint8_t *out,
                size_t cap);

/* The checks of one reply, on its protobuf bytes (no length prefix); for
 * the fuzz target and the tests. kind: what was asked for. */
enum aesm_reply {
    AESM_INIT_QUOTE,
    AESM_INIT_QUOTE_EX,
    AESM_QUOTE_SIZE_EX,
    AESM_GET_QUOTE,
    AESM_GET_QUOTE_EX
};
/* Target info replies fill out (512 bytes); the size reply returns the size;
 * quote replies copy the quote (trimmed to the size it declares) into out. */
long aesm_reply_parse(enum aesm_reply kind, const uint8_t *buf, size_t len, uint8_t *out,
                      size_t cap);

#endif
