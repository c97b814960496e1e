/* SGX capability as reported by CPUID (SDM Vol. 3D ch. 36.7.2, Vol. 2A CPUID).
 *
 * Two ways in, one struct out:
 *   sgx_cpu_caps_read()    executes CPUID on this CPU;
 *   sgx_cpu_caps_decode()  decodes register values given by the caller, so
 *                          tests can feed synthetic values and the software
 *                          SGX can describe a simulated CPU.
 * sgx_cpu_caps_encode_leaf12() is the inverse for leaf 0x12: the software
 * SGX answers CPUID(0x12, n) from a (possibly edited) struct sgx_cpu_caps,
 * e.g. with EDECCSSA or AEXNOTIFY switched off.
 */
#ifndef GEODE_SGX_HOST_CPUID_H
#define GEODE_SGX_HOST_CPUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sgx_arch.h"

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

/* Leaf 0x12 subleaves 2.. describe EPC sections; real parts have a few. */
#define SGX_MAX_EPC_SECTIONS 8
/* Subleaves 0 and 1 plus one per EPC section (plus the terminating one). */
#define SGX_LEAF12_MAX_SUBLEAVES (2 + SGX_MAX_EPC_SECTIONS + 1)

/* The CPUID values the decoder looks at. Fields not filled are zero, which
 * decodes as "feature absent". */
struct sgx_cpuid_raw {
    struct cpuid_regs leaf0;  /* max basic leaf, vendor string */
    struct cpuid_regs leaf1;  /* family/model/stepping, hypervisor bit */
    struct cpuid_regs leaf7;  /* subleaf 0: SGX, SGX_LC, FSGSBASE, PKU */
    struct cpuid_regs leaf12[SGX_LEAF12_MAX_SUBLEAVES];
    unsigned n_leaf12;        /* valid entries in leaf12[] (0: leaf absent) */
};

/* ATTRIBUTES and MISCSELECT bits: defined once, in arch/sgx_arch.h. */

struct sgx_epc_section {
    uint64_t base;  /* physical address */
    uint64_t size;  /* bytes */
    uint32_t property; /* ECX[3:0]: 1 = confidentiality+integrity protected */
};

struct sgx_cpu_caps {
    char vendor[13];          /* "GenuineIntel", "AuthenticAMD", ... */
    uint32_t family, model, stepping; /* display values (extended fields folded in) */
    bool hypervisor;          /* CPUID.1:ECX[31] */

    bool sgx;                 /* CPUID.7.0:EBX[2] */
    bool sgx_lc;              /* CPUID.7.0:ECX[30]: flexible launch control */
    bool fsgsbase;            /* CPUID.7.0:EBX[0] */
    bool pku;                 /* CPUID.7.0:ECX[3] */
    bool ospke;               /* CPUID.7.0:ECX[4]: OS enabled PKU */

    /* Leaf 0x12; all zero unless sgx. */
    bool sgx1;                /* 0x12.0:EAX[0] */
    bool sgx2;                /* 0x12.0:EAX[1] */
    bool edeccssa;            /* 0x12.0:EAX[11] */
    uint32_t miscselect;      /* 0x12.0:EBX: MISCSELECT bits that may be set */
    uint8_t max_enclave_bits_32; /* 0x12.0:EDX[7:0]: log2 max size, non-64-bit */
    uint8_t max_enclave_bits_64; /* 0x12.0:EDX[15:8]: log2 max size, 64-bit */
    uint64_t attributes;      /* 0x12.1:EBX:EAX: ATTRIBUTES bits that may be set */
    uint64_t xfrm;            /* 0x12.1:EDX:ECX: XFRM bits that may be set */
    bool aexnotify;           /* attributes & SGX_ATTR_AEXNOTIFY */
    bool kss;                 /* attributes & SGX_ATTR_KSS */
    unsigned n_epc;
    struct sgx_epc_section epc[SGX_MAX_EPC_SECTIONS];
};

/* Executes CPUID (inline asm; works on any x86-64). */
void cpuid_exec(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out);

/* Decodes raw register values. Never fails: missing leaves decode as absent
 * features. Leaf 0x12 is ignored unless leaf 7 reports SGX and leaf 0 says
 * leaf 0x12 exists (otherwise its contents are meaningless). */
void sgx_cpu_caps_decode(const struct sgx_cpuid_raw *raw, struct sgx_cpu_caps *caps);

/* Collects the raw values from this CPU, then decodes them. */
void sgx_cpuid_raw_read(struct sgx_cpuid_raw *raw);
void sgx_cpu_caps_read(struct sgx_cpu_caps *caps);

/* Inverse of the leaf 0x12 part of the decoder: the register values
 * CPUID(0x12, subleaf) returns on a CPU with these caps. Subleaves past the
 * last EPC section return the "invalid" type (all zero). */
void sgx_cpu_caps_encode_leaf12(const struct sgx_cpu_caps *caps, uint32_t subleaf,
                                struct cpuid_regs *out);

/* Size in bytes of a non-compacted XSAVE area holding the components in
 * xfrm (what an SSA frame must reserve). leafd[i] = CPUID(0xD, i) for
 * i < n. Returns 0 and sets *size, or -1 with *why naming the problem:
 * x87/SSE (bits 1:0) not both set, a bit beyond n, a component the CPU
 * does not support, or a supervisor component. */
int xsave_size_decode(uint64_t xfrm, const struct cpuid_regs *leafd, size_t n, uint32_t *size,
                      const char **why);
/* Same, with leaf 0xD read from this CPU. */
int xsave_size_for_xfrm(uint64_t xfrm, uint32_t *size, const char **why);

/* The XFRM bits an enclave takes in addition to x87, SSE and AVX where
 * this host's XCR0 has them all: AVX-512 (bits 7:5), whose registers a
 * program's libc uses as soon as CPUID and XGETBV say it may. Never AMX
 * (a program must ask the kernel first) nor PKRU or MPX. 0 without
 * XSAVE, when XCR0 lacks one of them, or when x87..AVX-512's XSAVE image
 * on this CPU is larger than xsave_max bytes (what the enclave keeps). */
uint64_t xfrm_host_optional(uint32_t xsave_max);
/* The host's XCR0 (the state components the OS saves), 0 when XGETBV is
 * not available (CPUID.1:ECX.OSXSAVE clear). */
uint64_t host_xcr0(void);

#endif
