/* Trusted PAL: what CPUID says inside the enclave about state components.
 *
 * CPUID raises #UD in an enclave; pal_upcall.c asks the host (OCALL_CPUID)
 * and hands the answer through here. A feature whose register state the
 * enclave's XFRM (SECS.ATTRIBUTES.XFRM) leaves out is not usable inside:
 * on hardware XCR0 is XFRM while the enclave runs (XGETBV says so and the
 * instructions raise #UD); in the sim XGETBV shows the host's XCR0 and the
 * instructions run, but their registers are not in the SSA frame, so any
 * AEX can change them under the program (glibc's AVX-512 string functions
 * then computed wrong lengths). So the feature bits of such state are
 * cleared, and leaf 0xD describes XFRM's components only, as the CPU would
 * with XCR0 = XFRM. */
#include "pal_enclave.h"

#define BIT(n) (1U << (n))

/* Leaf 1 ECX: FMA, AVX, F16C (YMM state). */
#define L1_ECX_AVX (BIT(12) | BIT(28) | BIT(29))
/* Leaf 7.0 EBX: AVX2 (YMM); MPX (bound registers); AVX-512 F, DQ, IFMA,
 * PF, ER, CD, BW, VL. */
#define L7_EBX_AVX BIT(5)
#define L7_EBX_MPX BIT(14)
#define L7_EBX_AVX512                                                                              \
    (BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) | BIT(28) | BIT(30) | BIT(31))
/* Leaf 7.0 ECX: AVX-512 VBMI, VBMI2, VNNI, BITALG, VPOPCNTDQ; VAES and
 * VPCLMULQDQ (YMM); PKU, OSPKE (PKRU state). */
#define L7_ECX_AVX512 (BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14))
#define L7_ECX_AVX (BIT(9) | BIT(10))
#define L7_ECX_PKRU (BIT(3) | BIT(4))
/* Leaf 7.0 EDX: AVX-512 4VNNIW, 4FMAPS, VP2INTERSECT, FP16; AMX BF16,
 * TILE, INT8. */
#define L7_EDX_AVX512 (BIT(2) | BIT(3) | BIT(8) | BIT(23))
#define L7_EDX_AMX (BIT(22) | BIT(24) | BIT(25))
/* Leaf 7.1 EAX: AVX-VNNI (YMM), AVX512_BF16. */
#define L71_EAX_AVX BIT(4)
#define L71_EAX_AVX512 BIT(5)

/* The user state components (XCR0 bits) leaf 0xD may describe. */
#define XCR0_COMPONENTS 19

static int has(uint64_t xfrm, uint64_t need)
{
    return (xfrm & need) == need;
}

/* Leaf 0xD subleaf 0's sizes for XFRM's components: the end of the last
 * one (from the host's subleaves, asked again), at least the legacy
 * region and the header. */
static uint32_t xsave_size(uint64_t xfrm, int (*ask)(uint32_t, uint32_t, uint32_t[4]))
{
    uint32_t size = 512 + 64, r[4];

    for (uint32_t i = 2; i < XCR0_COMPONENTS; i++)
        if ((xfrm & (1ULL << i)) && ask(0xd, i, r) == 0 && r[0] && r[0] + r[1] > size)
            size = r[0] + r[1];
    return size;
}

void enclave_cpuid_mask(uint32_t leaf, uint32_t sub, uint32_t r[4], uint64_t xfrm,
                        int (*ask)(uint32_t, uint32_t, uint32_t[4]))
{
    int avx = has(xfrm, SGX_XFRM_AVX), avx512 = has(xfrm, SGX_XFRM_AVX512 | SGX_XFRM_AVX);

    switch (leaf) {
    case 1:
        if (!avx)
            r[2] &= ~L1_ECX_AVX;
        break;
    case 7:
        if (sub == 0) {
            if (!avx) {
                r[1] &= ~L7_EBX_AVX;
                r[2] &= ~L7_ECX_AVX;
            }
            if (!has(xfrm, SGX_XFRM_MPX))
                r[1] &= ~L7_EBX_MPX;
            if (!avx512) {
                r[1] &= ~L7_EBX_AVX512;
                r[2] &= ~L7_ECX_AVX512;
                r[3] &= ~L7_EDX_AVX512;
            }
            if (!has(xfrm, SGX_XFRM_PKRU))
                r[2] &= ~L7_ECX_PKRU;
            if (!has(xfrm, SGX_XFRM_AMX))
                r[3] &= ~L7_EDX_AMX;
        } else if (sub == 1) {
            if (!avx)
                r[0] &= ~L71_EAX_AVX;
            if (!avx512)
                r[0] &= ~L71_EAX_AVX512;
        }
        break;
    case 0xd:
        if (sub == 0) {
            r[0] &= (uint32_t)xfrm;
            r[3] &= (uint32_t)(xfrm >> 32);
            r[1] = r[2] = xsave_size(xfrm, ask);
        } else if (sub >= 2 && sub < 32 && !(r[2] & 1) && !(xfrm & (1ULL << sub))) {
            r[0] = r[1] = r[2] = r[3] = 0; /* a user component XFRM leaves out */
        }
        break;
    }
}
