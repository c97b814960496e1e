/* The sim's ENCLS build leaves (ECREATE, EADD, EEXTEND, EINIT) behind the
 * driver interface of platform/sgx_driver.h, with the kernel's argument checks and
 * return conventions and the CPU's own checks and error codes.
 *
 * The sim keeps its own SECS copy and computes MRENCLAVE from what is actually
 * added (EADD records and EEXTEND of the page contents as copied in), never
 * from the image builder's result. Enclave pages live in the caller-reserved,
 * SIZE-aligned range; each added page gets its EPCM permissions as its page
 * protection (TCS pages: none, as their EPCM permissions are 0). */
#ifndef GEODE_SGX_SIM_BUILD_H
#define GEODE_SGX_SIM_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "sgx_arch.h"
#include "sgx_driver.h"

/* The simulated CPU, i.e. what CPUID leaf 0x12 would report. */
struct sgx_sim_cpu {
    uint64_t attributes; /* ATTRIBUTES bits that may be set (0x12.1 EAX/EBX) */
    uint64_t xfrm;       /* XFRM bits that may be set (0x12.1 ECX/EDX) */
    uint32_t miscselect; /* MISCSELECT bits that may be set (0x12.0 EBX) */
    bool provision_allowed; /* the ENCLAVE_PROVISION ioctl was granted */
    bool edeccssa;          /* 0x12.0 EAX bit 11: the EDECCSSA leaf exists */
    bool rdtsc_ud;          /* RDTSC/RDTSCP are #UD in enclaves (SGX1 parts) */
    /* 0x12.0 EAX bit 1: the SGX2 leaves (EAUG, EMODPR, EMODT, ETRACK;
     * EACCEPT, EACCEPTCOPY, EMODPE) and the kernel's EDMM model (EAUG on a
     * fault, the three SGX2 ioctls). Off: they are #UD / -ENODEV. */
    bool sgx2;
    /* Not a CPU feature: tag enclave pages with a protection key that only
     * enclave mode may use, so host code touching enclave memory faults
     * (real hardware would read abort pages). Needs PKU. */
    bool isolation;
};

/* EPCM entry of one page, for the sim's other leaves (EENTER, EACCEPT ...). */
struct sgx_sim_epcm {
    uint8_t valid;
    uint8_t type;  /* enum sgx_page_type */
    uint8_t perms; /* SGX_SECINFO_R/W/X */
    uint8_t state; /* SGX_SECINFO_PENDING/MODIFIED/PR (SGX2) */
    /* The ETRACK epoch of the last EMODPR/EMODT and a TCS's entry word are
     * arrays of their own (sgx_driver_encl.mod_epoch, .tcs_entry): an EADD
     * writes this entry for every page (a million of them in a 4 GiB SGX1
     * enclave), and four bytes populate a third of the memory twelve did. */
};

/* A default CPU model: SGX1+SGX2 (sgx2 true), EDECCSSA, MISCSELECT.EXINFO,
 * x87/SSE/AVX, attributes DEBUG, MODE64BIT, PROVISIONKEY, EINITTOKENKEY, KSS
 * and, when aex_notify, AEXNOTIFY. */
void sgx_sim_cpu_default(struct sgx_sim_cpu *cpu, bool aex_notify);

/* Fills drv with the sim backend using *cpu (kept by pointer: it must outlive
 * the driver). drv->enter is the sim's vDSO (sim/sim_run.h). */
void sgx_sim_driver_init(struct sgx_driver *drv, const struct sgx_sim_cpu *cpu);

/* For the sim's other leaves: the enclave's SECS copy, base address and EPCM
 * (one entry per page of SIZE). NULL before create. */
const struct sgx_secs *sgx_sim_secs(const struct sgx_driver_encl *encl);
const struct sgx_sim_epcm *sgx_sim_epcm(const struct sgx_driver_encl *encl);
bool sgx_sim_initialized(const struct sgx_driver_encl *encl);

#endif
