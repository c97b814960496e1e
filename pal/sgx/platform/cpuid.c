/* CPUID decoding of SGX capability; see cpuid.h. Bit positions follow the
 * SDM (Vol. 2A "CPUID", Vol. 3D 36.7.2 "Intel SGX Resource Enumeration"). */
#include <string.h>

#include "sgx_cpuid.h"

#define BIT(x, n) (((x) >> (n)) & 1u)

/* Leaf 0x12 subleaf >= 2, EAX[3:0]. */
#define EPC_TYPE_INVALID 0
#define EPC_TYPE_SECTION 1

/* Legacy x87/SSE region (512) + XSAVE header (64): the minimum XSAVE size. */
#define XSAVE_LEGACY_AND_HEADER 576u
#define XFRM_X87_SSE 0x3ull

void cpuid_exec(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out)
{
    __asm__ volatile("cpuid"
                     : "=a"(out->eax), "=b"(out->ebx), "=c"(out->ecx), "=d"(out->edx)
                     : "a"(leaf), "c"(subleaf));
}

static void decode_identity(const struct sgx_cpuid_raw *raw, struct sgx_cpu_caps *caps)
{
    /* The vendor string is EBX, EDX, ECX in that order. */
    memcpy(caps->vendor + 0, &raw->leaf0.ebx, 4);
    memcpy(caps->vendor + 4, &raw->leaf0.edx, 4);
    memcpy(caps->vendor + 8, &raw->leaf0.ecx, 4);
    caps->vendor[12] = '\0';

    uint32_t eax = raw->leaf1.eax;
    uint32_t family = (eax >> 8) & 0xf, model = (eax >> 4) & 0xf;
    /* Extended family counts only for family 0xF; extended model for 6 and 0xF. */
    if (family == 0xf)
        family += (eax >> 20) & 0xff;
    if (family == 0x6 || family >= 0xf)
        model += ((eax >> 16) & 0xf) << 4;
    caps->family = family;
    caps->model = model;
    caps->stepping = eax & 0xf;
    caps->hypervisor = BIT(raw->leaf1.ecx, 31);
}

static void decode_leaf7(const struct sgx_cpuid_raw *raw, struct sgx_cpu_caps *caps)
{
    if (raw->leaf0.eax < 7)
        return;
    caps->fsgsbase = BIT(raw->leaf7.ebx, 0);
    caps->sgx = BIT(raw->leaf7.ebx, 2);
    caps->pku = BIT(raw->leaf7.ecx, 3);
    caps->ospke = BIT(raw->leaf7.ecx, 4);
    caps->sgx_lc = BIT(raw->leaf7.ecx, 30);
}

static void decode_leaf12_0(const struct cpuid_regs *r, struct sgx_cpu_caps *caps)
{
    caps->sgx1 = BIT(r->eax, 0);
    caps->sgx2 = BIT(r->eax, 1);
    caps->edeccssa = BIT(r->eax, 11);
    caps->miscselect = r->ebx;
    caps->max_enclave_bits_32 = r->edx & 0xff;
    caps->max_enclave_bits_64 = (r->edx >> 8) & 0xff;
}

static void decode_leaf12_1(const struct cpuid_regs *r, struct sgx_cpu_caps *caps)
{
    caps->attributes = (uint64_t)r->ebx << 32 | r->eax;
    caps->xfrm = (uint64_t)r->edx << 32 | r->ecx;
    caps->aexnotify = (caps->attributes & SGX_ATTR_AEXNOTIFY) != 0;
    caps->kss = (caps->attributes & SGX_ATTR_KSS) != 0;
}

/* Base bits 51:12 are EBX[19:0]:EAX[31:12]; size likewise in EDX:ECX. */
static bool decode_epc(const struct cpuid_regs *r, struct sgx_epc_section *sec)
{
    if ((r->eax & 0xf) != EPC_TYPE_SECTION)
        return false;
    sec->base = (uint64_t)(r->ebx & 0xfffff) << 32 | (r->eax & 0xfffff000u);
    sec->size = (uint64_t)(r->edx & 0xfffff) << 32 | (r->ecx & 0xfffff000u);
    sec->property = r->ecx & 0xf;
    return true;
}

static void decode_leaf12(const struct sgx_cpuid_raw *raw, struct sgx_cpu_caps *caps)
{
    unsigned n = raw->n_leaf12 < SGX_LEAF12_MAX_SUBLEAVES ? raw->n_leaf12
                                                          : SGX_LEAF12_MAX_SUBLEAVES;
    if (!caps->sgx || raw->leaf0.eax < 0x12 || n == 0)
        return;
    decode_leaf12_0(&raw->leaf12[0], caps);
    if (n > 1)
        decode_leaf12_1(&raw->leaf12[1], caps);
    /* The first subleaf with type "invalid" ends the list. */
    for (unsigned i = 2; i < n && caps->n_epc < SGX_MAX_EPC_SECTIONS; i++) {
        if (!decode_epc(&raw->leaf12[i], &caps->epc[caps->n_epc]))
            break;
        caps->n_epc++;
    }
}

void sgx_cpu_caps_decode(const struct sgx_cpuid_raw *raw, struct sgx_cpu_caps *caps)
{
    memset(caps, 0, sizeof(*caps));
    decode_identity(raw, caps);
    decode_leaf7(raw, caps);
    decode_leaf12(raw, caps);
}

void sgx_cpuid_raw_read(struct sgx_cpuid_raw *raw)
{
    memset(raw, 0, sizeof(*raw));
    cpuid_exec(0, 0, &raw->leaf0);
    if (raw->leaf0.eax >= 1)
        cpuid_exec(1, 0, &raw->leaf1);
    if (raw->leaf0.eax >= 7)
        cpuid_exec(7, 0, &raw->leaf7);
    /* Leaf 0x12 is reserved (undefined contents) without SGX. */
    if (raw->leaf0.eax < 0x12 || !BIT(raw->leaf7.ebx, 2))
        return;
    for (unsigned i = 0; i < SGX_LEAF12_MAX_SUBLEAVES; i++) {
        cpuid_exec(0x12, i, &raw->leaf12[i]);
        raw->n_leaf12 = i + 1;
        if (i >= 2 && (raw->leaf12[i].eax & 0xf) == EPC_TYPE_INVALID)
            break;
    }
}

void sgx_cpu_caps_read(struct sgx_cpu_caps *caps)
{
    struct sgx_cpuid_raw raw;
    sgx_cpuid_raw_read(&raw);
    sgx_cpu_caps_decode(&raw, caps);
}

static void encode_epc(const struct sgx_epc_section *sec, struct cpuid_regs *out)
{
    out->eax = (uint32_t)(sec->base & 0xfffff000u) | EPC_TYPE_SECTION;
    out->ebx = (uint32_t)(sec->base >> 32) & 0xfffff;
    out->ecx = (uint32_t)(sec->size & 0xfffff000u) | (sec->property & 0xf);
    out->edx = (uint32_t)(sec->size >> 32) & 0xfffff;
}

void sgx_cpu_caps_encode_leaf12(const struct sgx_cpu_caps *caps, uint32_t subleaf,
                                struct cpuid_regs *out)
{
    memset(out, 0, sizeof(*out));
    if (!caps->sgx)
        return;
    if (subleaf == 0) {
        out->eax = (uint32_t)caps->sgx1 | (uint32_t)caps->sgx2 << 1 |
                   (uint32_t)caps->edeccssa << 11;
        out->ebx = caps->miscselect;
        out->edx = caps->max_enclave_bits_32 | (uint32_t)caps->max_enclave_bits_64 << 8;
    } else if (subleaf == 1) {
        /* The bool fields win over the mask so a caller can just flip them. */
        uint64_t attr = caps->attributes & ~(SGX_ATTR_AEXNOTIFY | SGX_ATTR_KSS);
        attr |= (caps->aexnotify ? SGX_ATTR_AEXNOTIFY : 0) | (caps->kss ? SGX_ATTR_KSS : 0);
        out->eax = (uint32_t)attr;
        out->ebx = (uint32_t)(attr >> 32);
        out->ecx = (uint32_t)caps->xfrm;
        out->edx = (uint32_t)(caps->xfrm >> 32);
    } else if (subleaf - 2 < caps->n_epc && subleaf - 2 < SGX_MAX_EPC_SECTIONS) {
        encode_epc(&caps->epc[subleaf - 2], out);
    }
}

/* Checks one requested XSAVE component i >= 2 and returns its end offset. */
static int xsave_component_end(const struct cpuid_regs *leafd, unsigned i, uint32_t *end,
                               const char **why)
{
    const struct cpuid_regs *c = &leafd[i];
    if (c->eax == 0) {
        *why = "XFRM names an XSAVE component the CPU does not support";
        return -1;
    }
    /* ECX[0] = 1: managed by XSS (supervisor); not allowed in XFRM. */
    if (c->ecx & 1) {
        *why = "XFRM names a supervisor XSAVE component";
        return -1;
    }
    uint64_t e = (uint64_t)c->ebx + c->eax;
    if (e > UINT32_MAX) {
        *why = "XSAVE component offset + size overflows";
        return -1;
    }
    *end = (uint32_t)e;
    return 0;
}

int xsave_size_decode(uint64_t xfrm, const struct cpuid_regs *leafd, size_t n, uint32_t *size,
                      const char **why)
{
    if ((xfrm & XFRM_X87_SSE) != XFRM_X87_SSE) {
        *why = "XFRM must include x87 and SSE (bits 1:0)";
        return -1;
    }
    if (n == 0) {
        *why = "CPUID leaf 0xD not available";
        return -1;
    }
    uint64_t supported = (uint64_t)leafd[0].edx << 32 | leafd[0].eax;
    if (xfrm & ~supported) {
        *why = "XFRM names an XSAVE component not in CPUID.0xD.0 EDX:EAX";
        return -1;
    }
    uint32_t total = XSAVE_LEGACY_AND_HEADER;
    for (unsigned i = 2; i < 64; i++) {
        if (!(xfrm >> i & 1))
            continue;
        uint32_t end;
        if (i >= n) {
            *why = "XFRM names an XSAVE component beyond the CPUID data given";
            return -1;
        }
        if (xsave_component_end(leafd, i, &end, why) < 0)
            return -1;
        if (end > total)
            total = end;
    }
    *size = total;
    return 0;
}

uint64_t host_xcr0(void)
{
    struct cpuid_regs l1;
    uint32_t lo, hi;

    cpuid_exec(1, 0, &l1);
    if (!BIT(l1.ecx, 27)) /* OSXSAVE: XGETBV works */
        return 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

uint64_t xfrm_host_optional(uint32_t xsave_max)
{
    const uint64_t avx512 = 7ull << 5;
    uint32_t size;
    const char *why;

    if ((host_xcr0() & avx512) != avx512)
        return 0;
    if (xsave_size_for_xfrm(XFRM_X87_SSE | 4 /* AVX */ | avx512, &size, &why) || size > xsave_max)
        return 0;
    return avx512;
}

int xsave_size_for_xfrm(uint64_t xfrm, uint32_t *size, const char **why)
{
    struct cpuid_regs leaf0, leafd[64] = {{0}};
    cpuid_exec(0, 0, &leaf0);
    if (leaf0.eax < 0xd) {
        *why = "CPUID leaf 0xD not available";
        return -1;
    }
    /* Only the subleaves the decoder reads (0 and XFRM's components): a
     * CPUID is a VM exit on a guest (microseconds), 64 of them a
     * noticeable part of an enclave's start. */
    for (unsigned i = 0; i < 64; i++)
        if (i == 0 || (i >= 2 && (xfrm >> i & 1)))
            cpuid_exec(0xd, i, &leafd[i]);
    return xsave_size_decode(xfrm, leafd, 64, size, why);
}
