/* `geode run --mode sim|sgx`: the manifest's enclave built, signed, loaded
 * and running the libOS (ECALL_RUN), with this host thread serving its
 * OCALLs until the program ends the process. */
#ifndef GEODE_SGX_RUN_H
#define GEODE_SGX_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "manifest/manifest.h"

struct sgx_sigstruct;

struct sgx_run_params {
    /* The validated manifest, parsed once by cmd_run.c (for a bundle, its
     * blob unpacked); sgx_run expands its trusted files (unless blob). */
    geode_manifest *manifest;
    /* A signed bundle's enclave instead (loader/bundle.h): its canonical
     * manifest blob and SIGSTRUCT, with runtime_dir = the bundle; the
     * enclave is measured from them and must be the one the SIGSTRUCT
     * signs. NULL blob: build and sign the manifest's enclave. */
    const uint8_t *blob;
    size_t blob_len;
    const struct sgx_sigstruct *sigstruct;
    const char *runtime_dir; /* pal-enclave.elf and libos.elf */
    const char *key_path;    /* signing key; NULL or missing file: a fresh key for this run */
    bool sim;                /* the software SGX; else the kernel driver */
    int argc;                /* the host command line after the manifest */
    char **argv;
    char **envp;
    uint64_t hwcap, hwcap2;  /* the kernel's AT_HWCAP / AT_HWCAP2 */
    FILE *log_counters;      /* transition counts at exit (debug log level), or NULL */
};

/* Returns only when the program could not be started, the enclave failed,
 * or it was lost more often than geode.epc_loss_restarts allows (each loss
 * restarts the program from scratch: docs/sim.md): the exit status to use
 * (after printing why). */
int sgx_run(const struct sgx_run_params *p);

#endif
