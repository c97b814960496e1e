/* quote_verify_sim (sim_qe.h): a sim quote checked against the sim quoting
 * enclave's key and identity, with identity/quote_verify.c's parts. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "quote_verify.h"
#include "sim_qe.h"

static int fail(char *why, size_t n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    return -1;
}

int quote_verify_sim(const struct quote_v3 *q, const uint8_t pub[64], char *why, size_t why_len)
{
    static const uint8_t zero[20];
    uint8_t h[32], mr_qe[32], ms_qe[32];
    const uint8_t *att = q->sig->att_key;
    const struct sgx_report_body *qe = (const struct sgx_report_body *)q->sig->qe_report_body;

    if (memcmp(att, pub, 64))
        return fail(why, why_len, "attestation key: not the trusted sim quoting enclave key");
    if (quote_ecdsa_verify(att, q->header, SGX_QUOTE_HEADER_SIZE + sizeof(*q->body),
                           q->sig->isv_signature))
        return fail(why, why_len, "quote signature: does not verify with the attestation key");
    if (quote_ecdsa_verify(pub, q->sig->qe_report_body, sizeof(q->sig->qe_report_body),
                           q->sig->qe_report_signature))
        return fail(why, why_len, "QE report signature: does not verify");
    if (quote_qe_binding(att, q->auth_data, q->auth_len, h) || memcmp(qe->report_data, h, 32))
        return fail(why, why_len,
                    "QE report data: not SHA256(attestation key || QE authentication data)");
    /* The certification data is not signed (on hardware, the PCK chain
     * signs itself): the sim's is its QE id, which the signed header
     * carries, and zero CPUSVN, PCESVN and PCEID. */
    if (q->cert_type != SGX_QUOTE_CERT_PPID_CLEARTEXT || q->cert_len != 36 ||
        memcmp(q->cert_data, q->header->user_data, 16) || memcmp(q->cert_data + 16, zero, 20))
        return fail(why, why_len,
                    "certification data: not the sim quoting enclave's (type 1, PPID)");
    sgx_sim_qe_identity(mr_qe, ms_qe);
    if (memcmp(qe->mrenclave, mr_qe, 32) || memcmp(qe->mrsigner, ms_qe, 32))
        return fail(why, why_len, "QE report: not the sim quoting enclave's identity");
    return 0;
}
