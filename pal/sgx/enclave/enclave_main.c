/* First-ECALL initialization (relocation, enclave geometry, heap zeroing) and
 * the C side of every ECALL. */
#include "enclave_internal.h"

_Static_assert(CTX_XSAVE_SIZE == ENCLAVE_XSAVE_MAX && XSAVE_AREA == ENCLAVE_XSAVE_MAX,
               "the XSAVE images the host's XFRM choice counts on");
_Static_assert(offsetof(struct enclave_thread, ursp) == THR_URSP - THR_OFF, "THR_URSP");
_Static_assert(offsetof(struct enclave_thread, urbp) == THR_URBP - THR_OFF, "THR_URBP");
_Static_assert(offsetof(struct enclave_thread, exit_addr) == THR_EXIT - THR_OFF, "THR_EXIT");
_Static_assert(offsetof(struct enclave_thread, ocall_pending) == THR_OCALL_PENDING - THR_OFF, "pending");
_Static_assert(offsetof(struct enclave_thread, ocall_rsp) == THR_OCALL_RSP - THR_OFF, "ocall rsp");
_Static_assert(sizeof(struct sgx_layout_tls) <= THR_OFF, "our state is after struct sgx_layout_tls");
_Static_assert(THR_OFF + sizeof(struct enclave_thread) <= 4096, "thread state fits the TLS page");
_Static_assert(offsetof(struct sgx_layout_tls, ssa_offset) == TLS_SSA_OFFSET, "TLS_SSA_OFFSET");
_Static_assert(offsetof(struct sgx_layout_tls, stack_top_offset) == TLS_STACK_TOP_OFFSET, "stack top");
_Static_assert(offsetof(struct sgx_layout_tls, stack_size) == TLS_STACK_SIZE, "stack size");
_Static_assert(sizeof(struct exc_ctx) == CTX_SIZE, "CTX_SIZE");
_Static_assert(offsetof(struct exc_ctx, gpr) == CTX_GPR, "CTX_GPR");
_Static_assert(sizeof(((struct exc_ctx *)0)->pad) >= 64, "the resume staging room");
_Static_assert(offsetof(struct sgx_gprsgx, rsp) == G_RSP && offsetof(struct sgx_gprsgx, rip) == G_RIP &&
                   offsetof(struct sgx_gprsgx, rflags) == G_RFLAGS && offsetof(struct sgx_gprsgx, rdi) == G_RDI,
               "G_* offsets");
_Static_assert(EXIT_ECALL_DONE == ASM_EXIT_ECALL_DONE && EXIT_OCALL == ASM_EXIT_OCALL &&
                   EXIT_FATAL == ASM_EXIT_FATAL && FATAL_BAD_STACK == ASM_FATAL_BAD_STACK &&
                   FATAL_BAD_ENTRY == ASM_FATAL_BAD_ENTRY && ENCLAVE_ENTER_OCALL_RETURN == ASM_ENTER_OCALL_RETURN &&
                   ENCLAVE_SYNC_BASES_RAX == ASM_SYNC_BASES_RAX,
               "assembly constants");

#define PAGE 4096ULL
#define EFAULT 14

struct enclave_globals g_encl;

enum { INIT_NONE, INIT_RUNNING, INIT_DONE, INIT_FAILED };
static uint32_t init_state;

/* NSSA and the SSA frame size come from the measured TLS page. The entry
 * code addresses frames as one page each (ASM_SSA_FRAME), which covers every
 * XFRM but AMX; anything else is refused rather than misread. Returns 0 on
 * failure. */
static uint64_t checked_nssa(const struct sgx_layout_tls *self)
{
    if (self->ssa_frame_pages != ASM_SSA_FRAME / PAGE || self->nssa < 2 || self->nssa > 16)
        return 0;
    return self->nssa;
}

/* Whether AEX-Notify is on, and which state components XFRM holds, are
 * properties of the enclave's measured ATTRIBUTES; EREPORT (with an
 * all-zero TARGETINFO) tells us, not the host. */
static void own_attributes(void)
{
    static const uint8_t targetinfo[512] __attribute__((aligned(512)));
    static const uint8_t reportdata[64] __attribute__((aligned(128)));
    static struct sgx_report report;

    enclave_ereport(targetinfo, reportdata, &report);
    g_encl.aex_notify = (report.body.attributes.flags & SGX_ATTR_AEXNOTIFY) ? 1 : 0;
    g_encl.xfrm = report.body.attributes.xfrm;
    /* Standard form: AVX ends at 832, AVX-512's Hi16_ZMM at 2688. */
    g_encl.xsave_bytes = (g_encl.xfrm & SGX_XFRM_AVX512) ? CTX_XSAVE_SIZE : 832;
}

static int initialize(uint64_t base)
{
    const struct sgx_layout_tls *tls = tls_self();

    if (enclave_relocate())
        return -1;
    g_encl.base = base;
    g_encl.size = tls->enclave_size;
    g_encl.nssa = checked_nssa(tls);
    own_attributes();
    if (!g_encl.nssa || !tls->n_elfs)
        return -1;
    /* From here on GS may also be the libOS's thread block (tls_page). */
    g_encl.pal_lo = tls->tcs_offset - tls->thread_index * PAGE;
    g_encl.pal_hi = tls->elf_offset[0];
    /* The heap is not measured, so its contents are the host's choice:
     * pal_mem.c zeroes every page it hands out. */
    return 0;
}

/* Once per enclave, whichever thread comes first; the others wait. */
static int initialize_once(uint64_t base)
{
    uint32_t expected = INIT_NONE;

    if (__atomic_compare_exchange_n(&init_state, &expected, INIT_RUNNING, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&init_state, initialize(base) ? INIT_FAILED : INIT_DONE, __ATOMIC_RELEASE);
    }
    while (__atomic_load_n(&init_state, __ATOMIC_ACQUIRE) == INIT_RUNNING)
        __asm__ volatile("pause");
    return __atomic_load_n(&init_state, __ATOMIC_ACQUIRE) == INIT_DONE ? 0 : -1;
}

struct ecall_result enclave_ecall_main(uint64_t number, uint64_t arg, uint64_t arg2, uint64_t base);

struct ecall_result enclave_ecall_main(uint64_t number, uint64_t arg, uint64_t arg2, uint64_t base)
{
    struct ecall_result r;

    if (initialize_once(base))
        return (struct ecall_result){(uint64_t)-EFAULT, 0};
    __atomic_add_fetch(&g_encl.ecalls, 1, __ATOMIC_RELAXED);
    if (g_encl.aex_notify)
        enclave_arm_aexnotify(0, 1);
    r = enclave_dispatch(number, arg, arg2);
    if (g_encl.aex_notify)
        enclave_arm_aexnotify(0, 0); /* about to switch to the host stack */
    return r;
}
