/* Validation the kernel and the CPU apply to ECREATE/EADD inputs, shared by
 * the sim's build leaves. Each returns 0 or the errno the kernel path would
 * give (negative). */
#ifndef GEODE_SGX_SIM_CHECKS_H
#define GEODE_SGX_SIM_CHECKS_H

#include "sgx_arch.h"
#include "sim_build.h"

/* SECS for ECREATE (kernel sgx_validate_secs + ECREATE's #GP conditions). */
int sim_check_secs(const struct sgx_secs *secs, const struct sgx_sim_cpu *cpu);

/* SECINFO for ADD_PAGES (kernel sgx_validate_secinfo): -EINVAL when bad. */
int sim_check_secinfo(const struct sgx_secinfo *secinfo);

/* TCS contents EADD accepts; a violation is a #GP in EADD, i.e. -EFAULT. */
int sim_check_tcs(const struct sgx_tcs *tcs);

#endif
