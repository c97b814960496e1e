/* Host side of the attestation OCALLs (abi/ocall_abi.h, 192..207):
 * the platform's quoting enclave for `geode run`. In the sim it is the
 * sim's quoting enclave (sim/sim_qe.h); on hardware the AESM service
 * (urts_aesm.h), asked for an EPID or a DCAP quote as the manifest's
 * sgx.remote_attestation says. */
#ifndef GEODE_SGX_URTS_QUOTE_H
#define GEODE_SGX_URTS_QUOTE_H

#include <stdbool.h>

enum urts_quote_kind { URTS_QUOTE_NONE, URTS_QUOTE_EPID, URTS_QUOTE_DCAP };

/* Before the enclave runs: which service, which kind (the manifest's
 * RemoteAttestation value: 0 none, 1 epid, 2 dcap). With none, the OCALLs
 * are refused (-EPERM), as the libOS offers no quote then. */
void urts_quote_configure(bool sim, int kind);

#endif
