/* Tests for pal/sgx/platform/cpuid.c: decoding synthetic CPUID values (SGX1
 * only, SGX2 + EDECCSSA + AEXNOTIFY, no SGX, EPC sections), the leaf 0x12
 * encoder used by the software SGX, XSAVE sizes, and the real CPU. */
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

#include "sgx_cpuid.h"
#include "tap.h"

/* "GenuineIntel" as CPUID.0 returns it: EBX, EDX, ECX. */
static void set_vendor(struct sgx_cpuid_raw *raw, const char *v, uint32_t max_leaf)
{
    raw->leaf0.eax = max_leaf;
    memcpy(&raw->leaf0.ebx, v, 4);
    memcpy(&raw->leaf0.edx, v + 4, 4);
    memcpy(&raw->leaf0.ecx, v + 8, 4);
}

/* An SGX-capable Ice Lake server: family 6, model 0x6a, stepping 6. */
static void make_sgx_cpu(struct sgx_cpuid_raw *raw, uint32_t leaf12_eax, uint32_t attr_lo)
{
    memset(raw, 0, sizeof(*raw));
    set_vendor(raw, "GenuineIntel", 0x1b);
    raw->leaf1.eax = 0x000606a6;
    raw->leaf7.ebx = 1u << 0 | 1u << 2;  /* FSGSBASE, SGX */
    raw->leaf7.ecx = 1u << 3 | 1u << 4 | 1u << 30; /* PKU, OSPKE, SGX_LC */
    raw->leaf12[0] = (struct cpuid_regs){leaf12_eax, 0x1 /* EXINFO */, 0, 0x381f};
    raw->leaf12[1] = (struct cpuid_regs){attr_lo, 0, 0xe7, 0x0};
    /* EPC: 0x0000_0040_8000_0000 + 0x1_7f00_0000 bytes, then an invalid entry. */
    raw->leaf12[2] = (struct cpuid_regs){0x80000001, 0x40, 0x7f000001, 0x1};
    raw->leaf12[3] = (struct cpuid_regs){0, 0, 0, 0};
    raw->n_leaf12 = 4;
}

static void test_sgx1_only(void)
{
    struct sgx_cpuid_raw raw;
    struct sgx_cpu_caps c;
    make_sgx_cpu(&raw, 0x1, 0x36 /* DEBUG MODE64BIT PROVISIONKEY EINITTOKENKEY */);
    sgx_cpu_caps_decode(&raw, &c);
    CHECK(!strcmp(c.vendor, "GenuineIntel"), "vendor decoded (%s)", c.vendor);
    CHECK(c.family == 6 && c.model == 0x6a && c.stepping == 6,
          "family/model/stepping with extended model (%u/0x%x/%u)", c.family, c.model,
          c.stepping);
    CHECK(c.sgx && c.sgx_lc && c.fsgsbase && c.pku && c.ospke,
          "leaf 7: SGX, SGX_LC, FSGSBASE, PKU, OSPKE set");
    CHECK(c.sgx1 && !c.sgx2 && !c.edeccssa, "SGX1 only: no SGX2, no EDECCSSA");
    CHECK(c.miscselect == 1 && c.max_enclave_bits_32 == 0x1f && c.max_enclave_bits_64 == 0x38,
          "MISCSELECT 0x%x, max enclave size 2^%u / 2^%u", c.miscselect,
          c.max_enclave_bits_32, c.max_enclave_bits_64);
    CHECK(c.attributes == 0x36 && !c.aexnotify && !c.kss, "attributes 0x%llx: no AEXNOTIFY/KSS",
          (unsigned long long)c.attributes);
    CHECK(c.xfrm == 0xe7, "XFRM mask 0x%llx", (unsigned long long)c.xfrm);
    CHECK(c.n_epc == 1 && c.epc[0].base == 0x4080000000ull && c.epc[0].size == 0x17f000000ull &&
              c.epc[0].property == 1,
          "one EPC section base 0x%llx size 0x%llx", (unsigned long long)c.epc[0].base,
          (unsigned long long)c.epc[0].size);
}

static void test_sgx2_full(void)
{
    struct sgx_cpuid_raw raw;
    struct sgx_cpu_caps c;
    make_sgx_cpu(&raw, 0x1 | 0x2 | 1u << 11, 0x36 | 1u << 7 | 1u << 10);
    sgx_cpu_caps_decode(&raw, &c);
    CHECK(c.sgx1 && c.sgx2 && c.edeccssa, "SGX2 with EDECCSSA decoded");
    CHECK(c.aexnotify && c.kss, "AEXNOTIFY (bit 10) and KSS (bit 7) attributes decoded");

    make_sgx_cpu(&raw, 0x3, 0x36 | 1u << 7);
    sgx_cpu_caps_decode(&raw, &c);
    CHECK(c.sgx2 && !c.edeccssa && !c.aexnotify && c.kss,
          "SGX2 without EDECCSSA/AEXNOTIFY decoded");
}

static void test_no_sgx(void)
{
    struct sgx_cpuid_raw raw;
    struct sgx_cpu_caps c;
    make_sgx_cpu(&raw, 0x3, 0x436);
    raw.leaf7.ebx &= ~(1u << 2);
    sgx_cpu_caps_decode(&raw, &c);
    CHECK(!c.sgx && !c.sgx1 && !c.sgx2 && c.attributes == 0 && c.n_epc == 0,
          "leaf 0x12 ignored when CPUID.7.0:EBX[2] = 0");

    memset(&raw, 0, sizeof(raw));
    set_vendor(&raw, "AuthenticAMD", 0x10);
    raw.leaf1.eax = 0x00a20f12; /* Zen 3: family 0xf + 0xa = 0x19, model 0x21 */
    raw.leaf7.ebx = 1u << 2;    /* a bogus SGX bit with leaf 0x12 beyond max leaf */
    raw.leaf12[0].eax = 1;
    raw.n_leaf12 = 1;
    sgx_cpu_caps_decode(&raw, &c);
    CHECK(!strcmp(c.vendor, "AuthenticAMD") && c.family == 0x19 && c.model == 0x21,
          "AMD family 0x%x model 0x%x", c.family, c.model);
    CHECK(c.sgx && !c.sgx1, "leaf 0x12 ignored when max basic leaf < 0x12");

    memset(&raw, 0, sizeof(raw));
    set_vendor(&raw, "GenuineIntel", 0x6);
    raw.leaf7.ebx = ~0u;
    sgx_cpu_caps_decode(&raw, &c);
    CHECK(!c.sgx && !c.fsgsbase, "leaf 7 ignored when max basic leaf < 7");
}

static void test_epc_list(void)
{
    struct sgx_cpuid_raw raw;
    struct sgx_cpu_caps c;
    make_sgx_cpu(&raw, 0x1, 0x36);
    for (unsigned i = 2; i < SGX_LEAF12_MAX_SUBLEAVES; i++)
        raw.leaf12[i] = (struct cpuid_regs){0x1000 * i | 1, 0, 0x100000 | 1, 0};
    raw.n_leaf12 = SGX_LEAF12_MAX_SUBLEAVES;
    sgx_cpu_caps_decode(&raw, &c);
    CHECK(c.n_epc == SGX_MAX_EPC_SECTIONS && c.epc[7].base == 0x9000,
          "EPC list capped at %d sections (%u)", SGX_MAX_EPC_SECTIONS, c.n_epc);
    raw.n_leaf12 = 1000; /* a caller's bogus count must not overrun leaf12[] */
    sgx_cpu_caps_decode(&raw, &c);
    CHECK(c.n_epc == SGX_MAX_EPC_SECTIONS, "oversized n_leaf12 clamped");
}

/* The sim builds caps, edits them, and answers CPUID(0x12, n) from them:
 * decoding its answers must give the edited caps back. */
static void test_encode_roundtrip(void)
{
    struct sgx_cpuid_raw raw, raw2;
    struct sgx_cpu_caps c, c2;
    make_sgx_cpu(&raw, 0x1 | 0x2 | 1u << 11, 0x436);
    sgx_cpu_caps_decode(&raw, &c);
    int same = 1;
    for (unsigned i = 0; i < 4; i++) {
        struct cpuid_regs r;
        sgx_cpu_caps_encode_leaf12(&c, i, &r);
        same &= !memcmp(&r, &raw.leaf12[i], sizeof(r));
    }
    CHECK(same, "encode(decode(leaf 0x12)) gives the original registers");

    c.edeccssa = false;
    c.aexnotify = false;
    raw2 = raw;
    for (unsigned i = 0; i < 4; i++)
        sgx_cpu_caps_encode_leaf12(&c, i, &raw2.leaf12[i]);
    sgx_cpu_caps_decode(&raw2, &c2);
    CHECK(c2.sgx2 && !c2.edeccssa && !c2.aexnotify && (c2.attributes & SGX_ATTR_AEXNOTIFY) == 0,
          "simulated leaf 0x12 without EDECCSSA/AEXNOTIFY (EAX 0x%x, attr 0x%llx)",
          raw2.leaf12[0].eax, (unsigned long long)c2.attributes);
    c.aexnotify = true;
    struct cpuid_regs r;
    sgx_cpu_caps_encode_leaf12(&c, 1, &r);
    CHECK(r.eax & SGX_ATTR_AEXNOTIFY, "simulated AEXNOTIFY switched back on");
}

static void fill_leafd(struct cpuid_regs *d)
{
    memset(d, 0, 64 * sizeof(*d));
    d[0] = (struct cpuid_regs){0xe7, 0, 0, 0}; /* x87 SSE AVX opmask ZMM_Hi256 Hi16_ZMM */
    d[2] = (struct cpuid_regs){256, 576, 0, 0};
    d[5] = (struct cpuid_regs){64, 1088, 0, 0};
    d[6] = (struct cpuid_regs){512, 1152, 0, 0};
    d[7] = (struct cpuid_regs){1024, 1664, 0, 0};
    d[8] = (struct cpuid_regs){128, 0, 1, 0}; /* supervisor (PT) */
}

/* Runs the decoder and reports one check; the call happens before the
 * CHECK so its message shows the results, not stale values. */
static void xsave_case(uint64_t xfrm, const struct cpuid_regs *d, size_t n, int want_size,
                       const char *what)
{
    uint32_t size = 0;
    const char *why = NULL;
    int rc = xsave_size_decode(xfrm, d, n, &size, &why);
    if (want_size > 0)
        CHECK(rc == 0 && size == (uint32_t)want_size, "XSAVE %s: XFRM 0x%llx -> %d bytes (%u)",
              what, (unsigned long long)xfrm, want_size, size);
    else
        CHECK(rc < 0 && why, "XSAVE %s: XFRM 0x%llx rejected (%s)", what,
              (unsigned long long)xfrm, why ? why : "no reason given");
}

static void test_xsave_size(void)
{
    struct cpuid_regs d[64];
    fill_leafd(d);
    xsave_case(0x3, d, 64, 576, "x87+SSE");
    xsave_case(0x7, d, 64, 832, "AVX");
    xsave_case(0xe7, d, 64, 2688, "AVX-512");
    xsave_case(0x1, d, 64, -1, "without SSE");
    xsave_case(0x13, d, 64, -1, "unsupported component");
    xsave_case(0x7, d, 2, -1, "component beyond the given leaf 0xD data");
    d[0].eax |= 0x100;
    xsave_case(0x103, d, 64, -1, "supervisor component");
}

/* The real CPU must agree with the kernel's view of it. */
static void test_real_cpu(void)
{
    struct sgx_cpu_caps c;
    uint32_t size = 0;
    const char *why = "";
    sgx_cpu_caps_read(&c);
    int rc = xsave_size_for_xfrm(0x3, &size, &why);
    CHECK(c.vendor[0] != '\0', "real CPU: vendor %s family 0x%x model 0x%x", c.vendor, c.family,
          c.model);
    int hw_fsgs = (getauxval(AT_HWCAP2) & 2) != 0; /* HWCAP2_FSGSBASE: CPU + kernel enabled */
    CHECK(!hw_fsgs || c.fsgsbase, "real CPU: FSGSBASE in CPUID when AT_HWCAP2 has it");
    CHECK(c.sgx || (!c.sgx1 && c.n_epc == 0), "real CPU: leaf 0x12 only decoded with SGX (sgx=%d)",
          c.sgx);
    CHECK(rc == 0 && size == 576,
          "real CPU: XSAVE size for x87+SSE is 576 (%u %s)", size, why);
}

int main(void)
{
    test_sgx1_only();
    test_sgx2_full();
    test_no_sgx();
    test_epc_list();
    test_encode_roundtrip();
    test_xsave_size();
    test_real_cpu();
    return TAP_DONE();
}
