/* SGX architectural helpers: sizes and offsets are asserted at compile time in
 * sgx_arch.h; this checks the bit helpers and EXITINFO encoding at run time. */
#include <string.h>

#include "sgx_arch.h"
#include "tap.h"

static void test_exitinfo(void)
{
    uint32_t pf = sgx_exitinfo_encode(SGX_VEC_PF, SGX_EXITINFO_TYPE_HW);
    uint32_t bp = sgx_exitinfo_encode(SGX_VEC_BP, SGX_EXITINFO_TYPE_SW);

    CHECK(pf == 0x8000030eU, "EXITINFO #PF/HW encodes to 0x%08x", pf);
    CHECK(bp == 0x80000603U, "EXITINFO #BP/SW encodes to 0x%08x", bp);
    CHECK(sgx_exitinfo_valid(pf) && !sgx_exitinfo_valid(0), "EXITINFO valid bit 31");
    CHECK(sgx_exitinfo_vector(pf) == 14 && sgx_exitinfo_type(pf) == 3, "decode #PF");
    CHECK(sgx_exitinfo_vector(bp) == 3 && sgx_exitinfo_type(bp) == 6, "decode #BP");
    CHECK(sgx_exitinfo_type(0x80000f00U) == 7, "type field is 3 bits (10:8)");
    CHECK(sgx_exitinfo_type(0x80000800U | 0x3000U) == 0, "bits 12-13 are not part of the type");
}

static void test_secinfo(void)
{
    uint64_t f = sgx_secinfo_flags(SGX_PT_REG, SGX_SECINFO_R | SGX_SECINFO_X | SGX_SECINFO_PENDING);

    CHECK(f == 0x205, "REG|R|X secinfo flags = 0x%llx (PENDING dropped)", (unsigned long long)f);
    CHECK(sgx_secinfo_type(f) == SGX_PT_REG, "secinfo type decodes to REG");
    CHECK(sgx_secinfo_type(SGX_SECINFO_TCS) == SGX_PT_TCS && SGX_SECINFO_TCS == 0x100,
          "TCS page type is 1 at bits 15:8");
    CHECK(SGX_SECINFO_PR == 0x20 && SGX_SECINFO_MODIFIED == 0x10, "PR bit 5, MODIFIED bit 4");
}

static void test_attributes(void)
{
    CHECK(SGX_ATTR_AEXNOTIFY == 0x400, "AEXNOTIFY is attribute bit 10");
    CHECK(SGX_ATTR_KSS == 0x80 && SGX_ATTR_CET == 0x40, "KSS bit 7, CET bit 6");
    CHECK(SGX_ATTR_PROVISIONKEY == 0x10 && SGX_ATTR_EINITTOKENKEY == 0x20, "PROVISIONKEY 4, EINITTOKENKEY 5");
    CHECK((SGX_ATTR_KNOWN & 0x308) == 0, "bits 3, 8, 9 are reserved");
    CHECK(SGX_TCS_AEXNOTIFY == 2 && SGX_TCS_DBGOPTIN == 1, "TCS.FLAGS bits");
    CHECK(SGX_MISC_EXINFO == 1, "MISCSELECT.EXINFO is bit 0");
}

static void test_ssa_offsets(void)
{
    CHECK(sgx_ssa_gprsgx_offset(1) == 4096 - 184, "GPRSGX at the last 184 bytes of a 1-page frame");
    CHECK(sgx_ssa_exinfo_offset(2) == 8192 - 184 - 16, "EXINFO just below GPRSGX");
}

static void test_sigstruct_constants(void)
{
    static const uint8_t h1[16] = SGX_SIGSTRUCT_HEADER, h2[16] = SGX_SIGSTRUCT_HEADER2;
    static const uint8_t want1[16] = {6, 0, 0, 0, 0xe1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0};
    static const uint8_t want2[16] = {1, 1, 0, 0, 0x60, 0, 0, 0, 0x60, 0, 0, 0, 1, 0, 0, 0};

    CHECK(!memcmp(h1, want1, 16) && !memcmp(h2, want2, 16), "SIGSTRUCT header constants");
    CHECK(SGX_INVALID_SIG_STRUCT == 1 && SGX_INVALID_ATTRIBUTE == 2 && SGX_INVALID_MEASUREMENT == 4 &&
              SGX_INVALID_SIGNATURE == 8 && SGX_INVALID_EINITTOKEN == 16,
          "SDM error code values");
    CHECK(SGX_EENTER == 2 && SGX_ERESUME == 3 && SGX_EEXIT == 4 && SGX_EDECCSSA == 9, "ENCLU leaves");
}

int main(void)
{
    test_exitinfo();
    test_secinfo();
    test_attributes();
    test_ssa_offsets();
    test_sigstruct_constants();
    return TAP_DONE();
}
