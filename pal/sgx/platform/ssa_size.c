#include "ssa_size.h"

#include <errno.h>

#include "sgx_arch.h"

/* Standard-format XSAVE component placement (offset, size), by XFRM bit. */
static const struct {
    uint32_t offset, size;
    const char *name;
} components[] = {
    [2] = {576, 256, "AVX"},         [3] = {960, 64, "MPX BNDREGS"},
    [4] = {1024, 64, "MPX BNDCSR"},  [5] = {1088, 64, "AVX-512 opmask"},
    [6] = {1152, 512, "ZMM_Hi256"},  [7] = {1664, 1024, "Hi16_ZMM"},
    [9] = {2688, 8, "PKRU"},         [17] = {2752, 64, "AMX TILECFG"},
    [18] = {2816, 8192, "AMX TILEDATA"},
};
#define N_COMPONENTS (sizeof(components) / sizeof(components[0]))
#define XSAVE_LEGACY_AND_HEADER 576 /* 512-byte legacy region + 64-byte header */

static int check_groups(uint64_t xfrm, struct sgx_err *e)
{
    if ((xfrm & SGX_XFRM_LEGACY) != SGX_XFRM_LEGACY) {
        sgx_err_set(e, "XFRM 0x%llx: x87 and SSE (bits 1:0) must both be set", (unsigned long long)xfrm);
        return -EINVAL;
    }
    if ((xfrm & SGX_XFRM_AVX512) && ((xfrm & SGX_XFRM_AVX512) != SGX_XFRM_AVX512 || !(xfrm & SGX_XFRM_AVX))) {
        sgx_err_set(e, "XFRM 0x%llx: AVX-512 needs bits 7:5 together and AVX", (unsigned long long)xfrm);
        return -EINVAL;
    }
    if ((xfrm & SGX_XFRM_AMX) && (xfrm & SGX_XFRM_AMX) != SGX_XFRM_AMX) {
        sgx_err_set(e, "XFRM 0x%llx: AMX needs bits 18:17 together", (unsigned long long)xfrm);
        return -EINVAL;
    }
    if ((xfrm & SGX_XFRM_MPX) && (xfrm & SGX_XFRM_MPX) != SGX_XFRM_MPX) {
        sgx_err_set(e, "XFRM 0x%llx: MPX needs bits 4:3 together", (unsigned long long)xfrm);
        return -EINVAL;
    }
    return 0;
}

int sgx_xsave_size(uint64_t xfrm, uint32_t *bytes, struct sgx_err *e)
{
    uint32_t size = XSAVE_LEGACY_AND_HEADER;
    int ret = check_groups(xfrm, e);

    if (ret)
        return ret;
    for (unsigned bit = 2; bit < 64; bit++) {
        if (!(xfrm & (1ULL << bit)))
            continue;
        if (bit >= N_COMPONENTS || !components[bit].size) {
            sgx_err_set(e, "XFRM bit %u is not a user state component Geode knows", bit);
            return -EINVAL;
        }
        if (components[bit].offset + components[bit].size > size)
            size = components[bit].offset + components[bit].size;
    }
    *bytes = size;
    return 0;
}

int sgx_ssa_frame_pages(uint64_t xfrm, uint32_t miscselect, uint32_t *pages, struct sgx_err *e)
{
    uint32_t bytes;
    int ret = sgx_xsave_size(xfrm, &bytes, e);

    if (ret)
        return ret;
    if (miscselect & ~SGX_MISC_EXINFO) {
        /* CPINFO and later MISC components would need their sizes here. */
        sgx_err_set(e, "MISCSELECT 0x%x: only EXINFO (bit 0) is supported", miscselect);
        return -EINVAL;
    }
    if (miscselect & SGX_MISC_EXINFO)
        bytes += SGX_MISC_EXINFO_SIZE;
    bytes += (uint32_t)sizeof(struct sgx_gprsgx);
    *pages = (uint32_t)((bytes + SGX_PAGE_SIZE - 1) / SGX_PAGE_SIZE);
    return 0;
}
