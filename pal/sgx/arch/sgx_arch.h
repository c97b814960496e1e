/* SGX architectural structures and constants (Intel SDM Vol. 3D, ch. 34-38).
 *
 * Shared by the host side (image builder, signer, sim) and the in-enclave PAL, so
 * this header is freestanding: it needs only <stdint.h> and <stddef.h> (and the
 * kernel UAPI <asm/sgx.h>, which is itself libc-free; define GEODE_NO_KERNEL_UAPI
 * to leave it out). Every structure is packed with fixed-width fields and its size
 * and field offsets are checked at compile time, because a silent layout drift
 * would change MRENCLAVE or corrupt the SSA without any other symptom. */
#ifndef GEODE_SGX_ARCH_H
#define GEODE_SGX_ARCH_H

#include <stddef.h>
#include <stdint.h>

#define SGX_PAGE_SIZE 4096ULL
#define SGX_PAGE_SHIFT 12

/* ---- ATTRIBUTES (SECS, SIGSTRUCT, REPORT) --------------------------------- */
#define SGX_ATTR_INIT (1ull << 0)
#define SGX_ATTR_DEBUG (1ull << 1)
#define SGX_ATTR_MODE64BIT (1ull << 2)
#define SGX_ATTR_PROVISIONKEY (1ull << 4)
#define SGX_ATTR_EINITTOKENKEY (1ull << 5)
#define SGX_ATTR_CET (1ull << 6)
#define SGX_ATTR_KSS (1ull << 7)
#define SGX_ATTR_AEXNOTIFY (1ull << 10)
/* Bits no CPU we model defines; EINIT/ECREATE reject them. */
#define SGX_ATTR_KNOWN                                                                             \
    (SGX_ATTR_INIT | SGX_ATTR_DEBUG | SGX_ATTR_MODE64BIT | SGX_ATTR_PROVISIONKEY |                 \
     SGX_ATTR_EINITTOKENKEY | SGX_ATTR_CET | SGX_ATTR_KSS | SGX_ATTR_AEXNOTIFY)

/* XFRM: x87 and SSE are architecturally required to be set. */
#define SGX_XFRM_X87 (1ULL << 0)
#define SGX_XFRM_SSE (1ULL << 1)
#define SGX_XFRM_AVX (1ULL << 2)
#define SGX_XFRM_MPX (3ULL << 3)
#define SGX_XFRM_AVX512 (7ULL << 5)
#define SGX_XFRM_PKRU (1ULL << 9)
#define SGX_XFRM_AMX (3ULL << 17)
#define SGX_XFRM_LEGACY (SGX_XFRM_X87 | SGX_XFRM_SSE)

/* MISCSELECT */
#define SGX_MISC_EXINFO (1u << 0)
#define SGX_MISC_CPINFO (1U << 1)

struct sgx_attributes {
    uint64_t flags;
    uint64_t xfrm;
} __attribute__((packed));
_Static_assert(sizeof(struct sgx_attributes) == 16, "ATTRIBUTES is 16 bytes");

/* ---- SECS (SDM 38.7) -------------------------------------------------------- */
struct sgx_secs {
    uint64_t size;
    uint64_t base;
    uint32_t ssa_frame_size; /* in pages */
    uint32_t miscselect;
    uint8_t reserved1[24];
    struct sgx_attributes attributes;
    uint8_t mrenclave[32];
    uint8_t reserved2[32];
    uint8_t mrsigner[32];
    uint8_t reserved3[32];
    uint8_t config_id[64];
    uint16_t isv_prod_id;
    uint16_t isv_svn;
    uint16_t config_svn;
    uint8_t reserved4[3834];
} __attribute__((packed, aligned(4096)));
_Static_assert(sizeof(struct sgx_secs) == 4096, "SECS size");
_Static_assert(offsetof(struct sgx_secs, size) == 0, "SECS.SIZE");
_Static_assert(offsetof(struct sgx_secs, base) == 8, "SECS.BASEADDR");
_Static_assert(offsetof(struct sgx_secs, ssa_frame_size) == 16, "SECS.SSAFRAMESIZE");
_Static_assert(offsetof(struct sgx_secs, miscselect) == 20, "SECS.MISCSELECT");
_Static_assert(offsetof(struct sgx_secs, attributes) == 48, "SECS.ATTRIBUTES");
_Static_assert(offsetof(struct sgx_secs, attributes.xfrm) == 56, "SECS.XFRM");
_Static_assert(offsetof(struct sgx_secs, mrenclave) == 64, "SECS.MRENCLAVE");
_Static_assert(offsetof(struct sgx_secs, mrsigner) == 128, "SECS.MRSIGNER");
_Static_assert(offsetof(struct sgx_secs, config_id) == 192, "SECS.CONFIGID");
_Static_assert(offsetof(struct sgx_secs, isv_prod_id) == 256, "SECS.ISVPRODID");
_Static_assert(offsetof(struct sgx_secs, isv_svn) == 258, "SECS.ISVSVN");
_Static_assert(offsetof(struct sgx_secs, config_svn) == 260, "SECS.CONFIGSVN");

/* ---- TCS (SDM 38.8) --------------------------------------------------------- */
#define SGX_TCS_DBGOPTIN (1ULL << 0)
#define SGX_TCS_AEXNOTIFY (1ULL << 1)
#define SGX_TCS_FLAGS_KNOWN (SGX_TCS_DBGOPTIN | SGX_TCS_AEXNOTIFY)

struct sgx_tcs {
    uint64_t state;
    uint64_t flags;
    uint64_t ossa;
    uint32_t cssa;
    uint32_t nssa;
    uint64_t oentry;
    uint64_t aep;
    uint64_t ofsbase;
    uint64_t ogsbase;
    uint32_t fslimit;
    uint32_t gslimit;
    uint8_t reserved[4024];
} __attribute__((packed, aligned(4096)));
_Static_assert(sizeof(struct sgx_tcs) == 4096, "TCS size");
_Static_assert(offsetof(struct sgx_tcs, flags) == 8, "TCS.FLAGS");
_Static_assert(offsetof(struct sgx_tcs, ossa) == 16, "TCS.OSSA");
_Static_assert(offsetof(struct sgx_tcs, cssa) == 24, "TCS.CSSA");
_Static_assert(offsetof(struct sgx_tcs, nssa) == 28, "TCS.NSSA");
_Static_assert(offsetof(struct sgx_tcs, oentry) == 32, "TCS.OENTRY");
_Static_assert(offsetof(struct sgx_tcs, aep) == 40, "TCS.AEP");
_Static_assert(offsetof(struct sgx_tcs, ofsbase) == 48, "TCS.OFSBASE");
_Static_assert(offsetof(struct sgx_tcs, ogsbase) == 56, "TCS.OGSBASE");
_Static_assert(offsetof(struct sgx_tcs, fslimit) == 64, "TCS.FSLIMIT");
_Static_assert(offsetof(struct sgx_tcs, gslimit) == 68, "TCS.GSLIMIT");

/* ---- SSA frame: GPRSGX and EXINFO (SDM 38.9) -------------------------------- */
/* EXITINFO: vector in bits 7:0, type in bits 10:8, valid in bit 31. */
#define SGX_EXITINFO_VECTOR_MASK 0xffU
#define SGX_EXITINFO_TYPE_SHIFT 8
#define SGX_EXITINFO_TYPE_MASK (7U << SGX_EXITINFO_TYPE_SHIFT)
#define SGX_EXITINFO_VALID (1U << 31)
#define SGX_EXITINFO_TYPE_HW 3 /* hardware exception */
#define SGX_EXITINFO_TYPE_SW 6 /* software exception (INT3) */

/* Exception vectors EXITINFO can report. */
#define SGX_VEC_DE 0
#define SGX_VEC_DB 1
#define SGX_VEC_BP 3
#define SGX_VEC_BR 5
#define SGX_VEC_UD 6
#define SGX_VEC_GP 13
#define SGX_VEC_PF 14
#define SGX_VEC_MF 16
#define SGX_VEC_AC 17
#define SGX_VEC_XM 19
#define SGX_VEC_CP 21

#define SGX_SSA_AEXNOTIFY_ENABLE 0x01 /* bit 0 of GPRSGX.AEXNOTIFY */

struct sgx_gprsgx {
    uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rflags;
    uint64_t rip;
    uint64_t ursp;
    uint64_t urbp;
    uint32_t exitinfo;
    uint8_t reserved[3];
    uint8_t aexnotify;
    uint64_t fsbase;
    uint64_t gsbase;
} __attribute__((packed));
_Static_assert(sizeof(struct sgx_gprsgx) == 184, "GPRSGX size");
_Static_assert(offsetof(struct sgx_gprsgx, r8) == 64, "GPRSGX.R8");
_Static_assert(offsetof(struct sgx_gprsgx, r15) == 120, "GPRSGX.R15");
_Static_assert(offsetof(struct sgx_gprsgx, rflags) == 128, "GPRSGX.RFLAGS");
_Static_assert(offsetof(struct sgx_gprsgx, rip) == 136, "GPRSGX.RIP");
_Static_assert(offsetof(struct sgx_gprsgx, ursp) == 144, "GPRSGX.URSP");
_Static_assert(offsetof(struct sgx_gprsgx, urbp) == 152, "GPRSGX.URBP");
_Static_assert(offsetof(struct sgx_gprsgx, exitinfo) == 160, "GPRSGX.EXITINFO");
_Static_assert(offsetof(struct sgx_gprsgx, aexnotify) == 167, "GPRSGX.AEXNOTIFY");
_Static_assert(offsetof(struct sgx_gprsgx, fsbase) == 168, "GPRSGX.FSBASE");
_Static_assert(offsetof(struct sgx_gprsgx, gsbase) == 176, "GPRSGX.GSBASE");

/* MISC region entry for MISCSELECT.EXINFO; sits immediately below GPRSGX. */
struct sgx_exinfo {
    uint64_t maddr;
    uint32_t errcd;
    uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct sgx_exinfo) == 16, "EXINFO size");
_Static_assert(offsetof(struct sgx_exinfo, errcd) == 8, "EXINFO.ERRCD");

#define SGX_MISC_EXINFO_SIZE ((uint32_t)sizeof(struct sgx_exinfo))

/* Offsets of GPRSGX / EXINFO inside an SSA frame of `frame_pages` pages. */
static inline uint64_t sgx_ssa_gprsgx_offset(uint32_t frame_pages)
{
    return (uint64_t)frame_pages * SGX_PAGE_SIZE - sizeof(struct sgx_gprsgx);
}

static inline uint64_t sgx_ssa_exinfo_offset(uint32_t frame_pages)
{
    return sgx_ssa_gprsgx_offset(frame_pages) - sizeof(struct sgx_exinfo);
}

static inline uint32_t sgx_exitinfo_encode(uint8_t vector, uint8_t type)
{
    return SGX_EXITINFO_VALID | ((uint32_t)(type & 7) << SGX_EXITINFO_TYPE_SHIFT) | vector;
}

static inline int sgx_exitinfo_valid(uint32_t exitinfo)
{
    return (exitinfo & SGX_EXITINFO_VALID) != 0;
}

static inline uint8_t sgx_exitinfo_vector(uint32_t exitinfo)
{
    return (uint8_t)(exitinfo & SGX_EXITINFO_VECTOR_MASK);
}

static inline uint8_t sgx_exitinfo_type(uint32_t exitinfo)
{
    return (uint8_t)((exitinfo & SGX_EXITINFO_TYPE_MASK) >> SGX_EXITINFO_TYPE_SHIFT);
}

/* ---- SECINFO / PAGEINFO (SDM 38.11, 38.12) -------------------------------- */
#define SGX_SECINFO_R (1ULL << 0)
#define SGX_SECINFO_W (1ULL << 1)
#define SGX_SECINFO_X (1ULL << 2)
#define SGX_SECINFO_PENDING (1ULL << 3)
#define SGX_SECINFO_MODIFIED (1ULL << 4)
#define SGX_SECINFO_PR (1ULL << 5)
#define SGX_SECINFO_PERM_MASK (SGX_SECINFO_R | SGX_SECINFO_W | SGX_SECINFO_X)
#define SGX_SECINFO_TYPE_SHIFT 8
#define SGX_SECINFO_TYPE_MASK (0xffULL << SGX_SECINFO_TYPE_SHIFT)

enum sgx_page_type {
    SGX_PT_SECS = 0,
    SGX_PT_TCS = 1,
    SGX_PT_REG = 2,
    SGX_PT_VA = 3,
    SGX_PT_TRIM = 4,
};

#define SGX_SECINFO_TCS ((uint64_t)SGX_PT_TCS << SGX_SECINFO_TYPE_SHIFT)
#define SGX_SECINFO_REG ((uint64_t)SGX_PT_REG << SGX_SECINFO_TYPE_SHIFT)

struct sgx_secinfo {
    uint64_t flags;
    uint8_t reserved[56];
} __attribute__((packed, aligned(64)));
_Static_assert(sizeof(struct sgx_secinfo) == 64, "SECINFO size");

static inline uint64_t sgx_secinfo_flags(enum sgx_page_type type, uint64_t perms)
{
    return ((uint64_t)type << SGX_SECINFO_TYPE_SHIFT) | (perms & SGX_SECINFO_PERM_MASK);
}

static inline enum sgx_page_type sgx_secinfo_type(uint64_t flags)
{
    return (enum sgx_page_type)((flags & SGX_SECINFO_TYPE_MASK) >> SGX_SECINFO_TYPE_SHIFT);
}

struct sgx_pageinfo {
    uint64_t linaddr;
    uint64_t srcpge;
    uint64_t secinfo;
    uint64_t secs;
} __attribute__((packed, aligned(32)));
_Static_assert(sizeof(struct sgx_pageinfo) == 32, "PAGEINFO size");
_Static_assert(offsetof(struct sgx_pageinfo, secs) == 24, "PAGEINFO.SECS");

/* ---- SIGSTRUCT (SDM 38.13) -------------------------------------------------- */
#define SGX_MODULUS_SIZE 384
#define SGX_SIGSTRUCT_VENDOR_INTEL 0x8086U
/* HEADER and HEADER2 constants, as bytes in memory. */
#define SGX_SIGSTRUCT_HEADER                                                                       \
    {0x06, 0x00, 0x00, 0x00, 0xe1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00}
#define SGX_SIGSTRUCT_HEADER2                                                                      \
    {0x01, 0x01, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00}

struct sgx_sigstruct {
    uint8_t header[16];
    uint32_t vendor;
    uint32_t date; /* BCD yyyymmdd */
    uint8_t header2[16];
    uint32_t swdefined;
    uint8_t reserved1[84];
    uint8_t modulus[SGX_MODULUS_SIZE]; /* little-endian */
    uint32_t exponent;
    uint8_t signature[SGX_MODULUS_SIZE]; /* little-endian */
    uint32_t miscselect;
    uint32_t miscmask;
    uint8_t reserved2[4]; /* CET_ATTRIBUTES(_MASK) and reserved on CET parts */
    uint8_t isv_family_id[16];
    struct sgx_attributes attributes;
    struct sgx_attributes attribute_mask;
    uint8_t enclave_hash[32];
    uint8_t reserved3[16];
    uint8_t isv_ext_prod_id[16];
    uint16_t isv_prod_id;
    uint16_t isv_svn;
    uint8_t reserved4[12];
    uint8_t q1[SGX_MODULUS_SIZE]; /* little-endian */
    uint8_t q2[SGX_MODULUS_SIZE]; /* little-endian */
} __attribute__((packed));
_Static_assert(sizeof(struct sgx_sigstruct) == 1808, "SIGSTRUCT size");
_Static_assert(offsetof(struct sgx_sigstruct, vendor) == 16, "SIGSTRUCT.VENDOR");
_Static_assert(offsetof(struct sgx_sigstruct, date) == 20, "SIGSTRUCT.DATE");
_Static_assert(offsetof(struct sgx_sigstruct, header2) == 24, "SIGSTRUCT.HEADER2");
_Static_assert(offsetof(struct sgx_sigstruct, swdefined) == 40, "SIGSTRUCT.SWDEFINED");
_Static_assert(offsetof(struct sgx_sigstruct, modulus) == 128, "SIGSTRUCT.MODULUS");
_Static_assert(offsetof(struct sgx_sigstruct, exponent) == 512, "SIGSTRUCT.EXPONENT");
_Static_assert(offsetof(struct sgx_sigstruct, signature) == 516, "SIGSTRUCT.SIGNATURE");
_Static_assert(offsetof(struct sgx_sigstruct, miscselect) == 900, "SIGSTRUCT.MISCSELECT");
_Static_assert(offsetof(struct sgx_sigstruct, miscmask) == 904, "SIGSTRUCT.MISCMASK");
_Static_assert(offsetof(struct sgx_sigstruct, isv_family_id) == 912, "SIGSTRUCT.ISVFAMILYID");
_Static_assert(offsetof(struct sgx_sigstruct, attributes) == 928, "SIGSTRUCT.ATTRIBUTES");
_Static_assert(offsetof(struct sgx_sigstruct, attribute_mask) == 944, "SIGSTRUCT.ATTRIBUTEMASK");
_Static_assert(offsetof(struct sgx_sigstruct, enclave_hash) == 960, "SIGSTRUCT.ENCLAVEHASH");
_Static_assert(offsetof(struct sgx_sigstruct, isv_ext_prod_id) == 1008, "SIGSTRUCT.ISVEXTPRODID");
_Static_assert(offsetof(struct sgx_sigstruct, isv_prod_id) == 1024, "SIGSTRUCT.ISVPRODID");
_Static_assert(offsetof(struct sgx_sigstruct, isv_svn) == 1026, "SIGSTRUCT.ISVSVN");
_Static_assert(offsetof(struct sgx_sigstruct, q1) == 1040, "SIGSTRUCT.Q1");
_Static_assert(offsetof(struct sgx_sigstruct, q2) == 1424, "SIGSTRUCT.Q2");

/* The signed message is bytes [0,128) followed by [900,1028). */
#define SGX_SIGSTRUCT_SIGNED1_OFF 0
#define SGX_SIGSTRUCT_SIGNED1_LEN 128
#define SGX_SIGSTRUCT_SIGNED2_OFF 900
#define SGX_SIGSTRUCT_SIGNED2_LEN 128

/* ---- REPORT / TARGETINFO / KEYREQUEST (SDM 38.15-38.18) --------------------- */
struct sgx_report_body {
    uint8_t cpu_svn[16];
    uint32_t miscselect;
    uint8_t cet_attributes;
    uint8_t reserved1[11];
    uint8_t isv_ext_prod_id[16];
    struct sgx_attributes attributes;
    uint8_t mrenclave[32];
    uint8_t reserved2[32];
    uint8_t mrsigner[32];
    uint8_t reserved3[32];
    uint8_t config_id[64];
    uint16_t isv_prod_id;
    uint16_t isv_svn;
    uint16_t config_svn;
    uint8_t reserved4[42];
    uint8_t isv_family_id[16];
    uint8_t report_data[64];
} __attribute__((packed));
_Static_assert(sizeof(struct sgx_report_body) == 384, "REPORT body size");

struct sgx_report {
    struct sgx_report_body body;
    uint8_t key_id[32];
    uint8_t mac[16];
} __attribute__((packed, aligned(512)));
/* aligned(512) pads sizeof; the architectural size is the packed one. */
#define SGX_REPORT_SIZE 432
_Static_assert(offsetof(struct sgx_report, mac) + 16 == SGX_REPORT_SIZE, "REPORT size");
_Static_assert(offsetof(struct sgx_report, body.miscselect) == 16, "REPORT.MISCSELECT");
_Static_assert(offsetof(struct sgx_report, body.attributes) == 48, "REPORT.ATTRIBUTES");
_Static_assert(offsetof(struct sgx_report, body.mrenclave) == 64, "REPORT.MRENCLAVE");
_Static_assert(offsetof(struct sgx_report, body.mrsigner) == 128, "REPORT.MRSIGNER");
_Static_assert(offsetof(struct sgx_report, body.config_id) == 192, "REPORT.CONFIGID");
_Static_assert(offsetof(struct sgx_report, body.isv_prod_id) == 256, "REPORT.ISVPRODID");
_Static_assert(offsetof(struct sgx_report, body.isv_family_id) == 304, "REPORT.ISVFAMILYID");
_Static_assert(offsetof(struct sgx_report, body.report_data) == 320, "REPORT.REPORTDATA");
_Static_assert(offsetof(struct sgx_report, key_id) == 384, "REPORT.KEYID");
_Static_assert(offsetof(struct sgx_report, mac) == 416, "REPORT.MAC");

struct sgx_targetinfo {
    uint8_t measurement[32];
    struct sgx_attributes attributes;
    uint8_t cet_attributes;
    uint8_t reserved1;
    uint16_t config_svn;
    uint32_t miscselect;
    uint8_t reserved2[8];
    uint8_t config_id[64];
    uint8_t reserved3[384];
} __attribute__((packed, aligned(512)));
_Static_assert(sizeof(struct sgx_targetinfo) == 512, "TARGETINFO size");
_Static_assert(offsetof(struct sgx_targetinfo, attributes) == 32, "TARGETINFO.ATTRIBUTES");
_Static_assert(offsetof(struct sgx_targetinfo, config_svn) == 50, "TARGETINFO.CONFIGSVN");
_Static_assert(offsetof(struct sgx_targetinfo, miscselect) == 52, "TARGETINFO.MISCSELECT");
_Static_assert(offsetof(struct sgx_targetinfo, config_id) == 64, "TARGETINFO.CONFIGID");

enum sgx_key_name {
    SGX_KEYNAME_EINITTOKEN = 0,
    SGX_KEYNAME_PROVISION = 1,
    SGX_KEYNAME_PROVISION_SEAL = 2,
    SGX_KEYNAME_REPORT = 3,
    SGX_KEYNAME_SEAL = 4,
};

#define SGX_KEYPOLICY_MRENCLAVE (1U << 0)
#define SGX_KEYPOLICY_MRSIGNER (1U << 1)
#define SGX_KEYPOLICY_NOISVPRODID (1U << 2)
#define SGX_KEYPOLICY_CONFIGID (1U << 3)
#define SGX_KEYPOLICY_ISVFAMILYID (1U << 4)
#define SGX_KEYPOLICY_ISVEXTPRODID (1U << 5)

struct sgx_keyrequest {
    uint16_t key_name;
    uint16_t key_policy;
    uint16_t isv_svn;
    uint16_t reserved1;
    uint8_t cpu_svn[16];
    struct sgx_attributes attribute_mask;
    uint8_t key_id[32];
    uint32_t misc_mask;
    uint16_t config_svn;
    uint8_t reserved2[434];
} __attribute__((packed, aligned(512)));
_Static_assert(sizeof(struct sgx_keyrequest) == 512, "KEYREQUEST size");
_Static_assert(offsetof(struct sgx_keyrequest, cpu_svn) == 8, "KEYREQUEST.CPUSVN");
_Static_assert(offsetof(struct sgx_keyrequest, attribute_mask) == 24, "KEYREQUEST.ATTRIBUTEMASK");
_Static_assert(offsetof(struct sgx_keyrequest, key_id) == 40, "KEYREQUEST.KEYID");
_Static_assert(offsetof(struct sgx_keyrequest, misc_mask) == 72, "KEYREQUEST.MISCMASK");
_Static_assert(offsetof(struct sgx_keyrequest, config_svn) == 76, "KEYREQUEST.CONFIGSVN");

/* ---- ENCLU leaves (EAX) ----------------------------------------------------- */
enum sgx_enclu_leaf {
    SGX_EREPORT = 0,
    SGX_EGETKEY = 1,
    SGX_EENTER = 2,
    SGX_ERESUME = 3,
    SGX_EEXIT = 4,
    SGX_EACCEPT = 5,
    SGX_EMODPE = 6,
    SGX_EACCEPTCOPY = 7,
    SGX_EVERIFYREPORT2 = 8,
    SGX_EDECCSSA = 9,
};

/* ---- ENCLS leaves (EAX; ring 0: the kernel, or the sim's driver side) ------- */
enum sgx_encls_leaf {
    SGX_ECREATE = 0x00,
    SGX_EADD = 0x01,
    SGX_EINIT = 0x02,
    SGX_EREMOVE = 0x03,
    SGX_EDBGRD = 0x04,
    SGX_EDBGWR = 0x05,
    SGX_EEXTEND = 0x06,
    SGX_ETRACK = 0x0c,
    SGX_EAUG = 0x0d,
    SGX_EMODPR = 0x0e,
    SGX_EMODT = 0x0f,
};

/* #PF error code bits (SDM vol. 3A 4.7): P, W/R, U/S, I/D, and SGX (an EPCM
 * access-control violation: PENDING, MODIFIED or TRIM page, EPCM
 * permissions, or EPC loss). */
#define SGX_PFEC_P (1U << 0)
#define SGX_PFEC_W (1U << 1)
#define SGX_PFEC_U (1U << 2)
#define SGX_PFEC_I (1U << 4)
#define SGX_PFEC_SGX (1U << 15)

/* The EPCM states SGX2 adds to SECINFO.FLAGS (PENDING: EAUGed, not yet
 * EACCEPTed; MODIFIED: EMODT changed the type; PR: EMODPR restricted the
 * permissions) and the flags an EACCEPT may name (SDM 38.11.1). */
#define SGX_SECINFO_STATE_MASK (SGX_SECINFO_PENDING | SGX_SECINFO_MODIFIED | SGX_SECINFO_PR)

/* ---- ENCLS/ENCLU error codes (SDM 38.16, same values as the kernel's arch.h) -- */
enum sgx_error {
    SGX_SUCCESS = 0,
    SGX_INVALID_SIG_STRUCT = 1,
    SGX_INVALID_ATTRIBUTE = 2,
    SGX_BLKSTATE = 3,
    SGX_INVALID_MEASUREMENT = 4,
    SGX_NOTBLOCKABLE = 5,
    SGX_PG_INVLD = 6,
    SGX_EPC_PAGE_CONFLICT = 7,
    SGX_INVALID_SIGNATURE = 8,
    SGX_MAC_COMPARE_FAIL = 9,
    SGX_PAGE_NOT_BLOCKED = 10,
    SGX_NOT_TRACKED = 11,
    SGX_VA_SLOT_OCCUPIED = 12,
    SGX_CHILD_PRESENT = 13,
    SGX_ENCLAVE_ACT = 14,
    SGX_ENTRYEPOCH_LOCKED = 15,
    SGX_INVALID_EINITTOKEN = 16,
    SGX_PREV_TRK_INCMPL = 17,
    SGX_PG_IS_SECS = 18,
    SGX_PAGE_ATTRIBUTES_MISMATCH = 19,
    SGX_PAGE_NOT_MODIFIABLE = 20,
    SGX_PAGE_NOT_DEBUGGABLE = 21,
    SGX_INVALID_COUNTER = 25,
    SGX_PG_NONEPC = 26,
    SGX_TRACK_NOT_REQUIRED = 27,
    SGX_INVALID_CPUSVN = 32,
    SGX_INVALID_ISVSVN = 64,
    SGX_UNMASKED_EVENT = 128,
    SGX_INVALID_KEYNAME = 256,
};

/* ---- CPUID leaf 0x12 bits --------------------------------------------------- */
#define SGX_CPUID_LEAF 0x12
#define SGX_CPUID0_EAX_SGX1 (1U << 0)
#define SGX_CPUID0_EAX_SGX2 (1U << 1)
#define SGX_CPUID0_EAX_EDECCSSA (1U << 11)
#define SGX_CPUID1_EAX_AEXNOTIFY (1U << 10) /* CPUID(0x12,1).EAX mirrors ATTRIBUTES */

/* ---- Kernel UAPI: ioctl argument structs and struct sgx_enclave_run ---------- */
#ifndef GEODE_NO_KERNEL_UAPI
#include <asm/sgx.h>

_Static_assert(sizeof(struct sgx_enclave_run) == 256, "sgx_enclave_run size");
_Static_assert(offsetof(struct sgx_enclave_run, tcs) == 0, "run.tcs");
_Static_assert(offsetof(struct sgx_enclave_run, function) == 8, "run.function");
_Static_assert(offsetof(struct sgx_enclave_run, exception_vector) == 12, "run.exception_vector");
_Static_assert(offsetof(struct sgx_enclave_run, exception_error_code) == 14, "run.error_code");
_Static_assert(offsetof(struct sgx_enclave_run, exception_addr) == 16, "run.exception_addr");
_Static_assert(offsetof(struct sgx_enclave_run, user_handler) == 24, "run.user_handler");
_Static_assert(offsetof(struct sgx_enclave_run, user_data) == 32, "run.user_data");
_Static_assert(offsetof(struct sgx_enclave_run, reserved) == 40, "run.reserved");
_Static_assert(sizeof(struct sgx_enclave_create) == 8, "sgx_enclave_create size");
_Static_assert(sizeof(struct sgx_enclave_add_pages) == 48, "sgx_enclave_add_pages size");
_Static_assert(offsetof(struct sgx_enclave_add_pages, offset) == 8, "add_pages.offset");
_Static_assert(offsetof(struct sgx_enclave_add_pages, length) == 16, "add_pages.length");
_Static_assert(offsetof(struct sgx_enclave_add_pages, secinfo) == 24, "add_pages.secinfo");
_Static_assert(offsetof(struct sgx_enclave_add_pages, flags) == 32, "add_pages.flags");
_Static_assert(offsetof(struct sgx_enclave_add_pages, count) == 40, "add_pages.count");
_Static_assert(sizeof(struct sgx_enclave_init) == 8, "sgx_enclave_init size");
_Static_assert(SGX_PAGE_MEASURE == 1, "SGX_PAGE_MEASURE");
_Static_assert(sizeof(struct sgx_enclave_restrict_permissions) == 40, "restrict_permissions size");
_Static_assert(offsetof(struct sgx_enclave_restrict_permissions, result) == 24, "restrict.result");
_Static_assert(offsetof(struct sgx_enclave_restrict_permissions, count) == 32, "restrict.count");
_Static_assert(sizeof(struct sgx_enclave_modify_types) == 40, "modify_types size");
_Static_assert(offsetof(struct sgx_enclave_modify_types, page_type) == 16, "modify_types.page_type");
_Static_assert(offsetof(struct sgx_enclave_modify_types, count) == 32, "modify_types.count");
_Static_assert(sizeof(struct sgx_enclave_remove_pages) == 24, "remove_pages size");
_Static_assert(offsetof(struct sgx_enclave_remove_pages, count) == 16, "remove_pages.count");
#endif

#endif /* GEODE_SGX_ARCH_H */
