/* The confined host (docs/sgx-pal.md, "Confined host"): once the enclave is
 * built, geode run --mode sgx|sim installs a seccomp filter (libseccomp) on
 * every thread of its process, inherited by its forks, that lets through
 * only the host calls the OCALL service, the enclave (re)builds and the sim
 * make for this manifest. A refused call returns -EPERM to its caller and
 * is named once on geode's diagnostic descriptor. */
#ifndef GEODE_SGX_HOST_URTS_CONFINE_H
#define GEODE_SGX_HOST_URTS_CONFINE_H

#include <stdbool.h>
#include <stdint.h>

struct urts_confine_policy {
    bool sim;         /* the software SGX runs in this process */
    bool network;     /* geode.host_network: socket, bind, connect, listen, accept */
    bool aesm;        /* hardware quotes (sgx.remote_attestation): AF_UNIX connect to aesmd */
    uint64_t elrange; /* the enclave's range, naturally aligned (SGX requires it): */
    uint64_t elsize;  /* the only place executable host memory may be mapped */
};

/* Installs the filter and the SIGSYS handler for its refusals (the caller
 * tells the sim about the new handler: urts_handlers_changed). Returns 0
 * or -errno (nothing installed then). */
int urts_confine(const struct urts_confine_policy *p);

/* Test hook GEODE_TEST_CONFINE=1 (tests/sgx/t_sim_confine.sh): after
 * urts_confine, tries host calls the filter refuses (execve of /bin/true,
 * socket, ptrace, a PROT_EXEC mapping outside the enclave) and logs each
 * result on geode's diagnostic descriptor. */
void urts_confine_test_hook(void);

#endif
