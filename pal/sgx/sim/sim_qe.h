/* The sim's quoting enclave (sim_qe.c): what a DCAP quoting enclave does,
 * done by the sim's host code with keys from the sim's root secret.
 *
 * It has a fixed identity (SIM_QE_MRENCLAVE/MRSIGNER, attributes INIT |
 * MODE64BIT), so an enclave can EREPORT to its TARGETINFO; it checks such
 * a REPORT's MAC with the report key EGETKEY would give that identity on
 * this (simulated) machine, and signs a quote in Intel's ECDSA Quote v3
 * layout (arch/sgx_quote.h) with a P-256 attestation key derived from the
 * root secret. Its QE report (the quoting enclave's own identity, with
 * report data SHA256(attestation key || auth data), as in DCAP) is signed
 * with the same key, and the certification data is type 1 (PPID in the
 * clear, derived from the secret too). A sim quote is only as trustworthy
 * as the secret: for tests and development, never for production. */
#ifndef GEODE_SIM_QE_H
#define GEODE_SIM_QE_H

#include <stddef.h>
#include <stdint.h>

#include "sgx_arch.h"

struct evp_pkey_st;
struct quote_v3;

void sgx_sim_qe_target_info(struct sgx_targetinfo *out);
/* The QE's identity, as its report body in a quote shows it. */
void sgx_sim_qe_identity(uint8_t mrenclave[32], uint8_t mrsigner[32]);
/* A quote of report (which must be MACed for the QE) into out; returns
 * its size, -EPERM when the MAC is not right, -ENOSPC when cap is short,
 * -EIO when signing fails. */
long sgx_sim_qe_quote(const struct sgx_report *report, uint8_t *out, size_t cap);
/* The attestation key (private; free with EVP_PKEY_free), or NULL. */
struct evp_pkey_st *sgx_sim_qe_key(void);

/* sim_qe_verify.c: every check of a sim quote (quote_parse) against the
 * trusted attestation key pub (x || y): 0, or -1 with the failing check
 * named in why. */
int quote_verify_sim(const struct quote_v3 *q, const uint8_t pub[64], char *why, size_t why_len);

/* sim_keys.c: the REPORT key of the enclave ti names, with KEYID keyid;
 * HMAC-SHA256 of the root secret over label. 0 or -1. */
int sim_report_key_for(const struct sgx_targetinfo *ti, const uint8_t keyid[32], uint8_t out[16]);
int sim_root_hmac(const void *label, size_t len, uint8_t out[32]);

#endif
