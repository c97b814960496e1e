/* Host side of the attestation OCALLs (urts_quote.h). The enclave checks
 * whatever comes back (pal_attest.c); this side checks the enclave's input
 * (a 432-byte REPORT, nothing else) and bounds every answer. */
#include "urts_quote.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "urts_aesm.h"
#include "urts_ocall.h"
#include "sim_qe.h"

static bool use_sim;
static int quote_kind;

void urts_quote_configure(bool sim, int kind)
{
    use_sim = sim;
    quote_kind = kind;
}

static int64_t qe_target(uint8_t *out, uint64_t cap, uint64_t *out_size)
{
    struct sgx_targetinfo ti;
    int r;

    if (cap < sizeof(ti))
        return -EINVAL;
    if (use_sim) {
        sgx_sim_qe_target_info(&ti);
        r = 0;
    } else {
        r = aesm_qe_target_info(AESM_SOCKET_PATH, quote_kind == URTS_QUOTE_EPID, &ti);
    }
    if (r < 0)
        return r;
    memcpy(out, &ti, sizeof(ti));
    *out_size = sizeof(ti);
    return 0;
}

static int64_t quote(const uint8_t *report, uint8_t *out, uint64_t cap, uint64_t *out_size)
{
    struct sgx_report r;
    long n;

    memcpy(&r, report, SGX_REPORT_SIZE);
    if (cap > OCALL_QUOTE_MAX)
        cap = OCALL_QUOTE_MAX;
    if (use_sim && quote_kind == URTS_QUOTE_EPID) {
        fprintf(stderr, "geode: the sim's quoting enclave makes DCAP (ECDSA) quotes only; "
                        "sgx.remote_attestation = \"epid\" has no quote in the sim\n");
        return -EPERM;
    }
    n = use_sim ? sgx_sim_qe_quote(&r, out, cap)
                : aesm_quote(AESM_SOCKET_PATH, quote_kind == URTS_QUOTE_EPID, &r, out, cap);
    if (n == -EPERM && use_sim)
        fprintf(stderr, "geode: sim quoting enclave: the REPORT's MAC is not for it: refused\n");
    if (n < 0)
        return n;
    *out_size = (uint64_t)n;
    return n;
}

int64_t urts_ocall_attest(struct urts_enclave *e, uint32_t thread, uint64_t number,
                          const uint8_t *in, uint64_t in_size, uint8_t *out, uint64_t out_cap,
                          uint64_t *out_size)
{
    struct urts_ocall_in r;
    const uint8_t *report;

    (void)e;
    (void)thread;
    *out_size = 0;
    if (urts_ocall_begin(&r, in, in_size))
        return -EINVAL;
    if (quote_kind == URTS_QUOTE_NONE)
        return -EPERM;
    switch (number) {
    case OCALL_ATTEST_QE_TARGET:
        return urts_ocall_end(&r) ? qe_target(out, out_cap, out_size) : -EINVAL;
    case OCALL_ATTEST_QUOTE:
        report = urts_ocall_bytes(&r, SGX_REPORT_SIZE);
        if (!report || !urts_ocall_end(&r))
            return -EINVAL;
        return quote(report, out, out_cap, out_size);
    }
    return -ENOSYS;
}
