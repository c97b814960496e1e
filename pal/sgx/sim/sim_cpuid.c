/* CPUID leaf 0x12 as the simulated CPU reports it. */
#include <string.h>

#include "sim_build.h"
#include "sim_run.h"

void sgx_sim_cpuid(const struct sgx_sim_cpu *cpu, uint32_t subleaf, struct cpuid_regs *out)
{
    struct sgx_cpu_caps caps;

    memset(&caps, 0, sizeof(caps));
    caps.sgx = caps.sgx1 = true;
    caps.sgx2 = cpu->sgx2;
    caps.edeccssa = cpu->edeccssa;
    caps.miscselect = cpu->miscselect;
    caps.max_enclave_bits_64 = 47;
    caps.max_enclave_bits_32 = 31;
    caps.attributes = cpu->attributes;
    caps.xfrm = cpu->xfrm;
    caps.aexnotify = (cpu->attributes & SGX_ATTR_AEXNOTIFY) != 0;
    caps.kss = (cpu->attributes & SGX_ATTR_KSS) != 0;
    sgx_cpu_caps_encode_leaf12(&caps, subleaf, out);
}
