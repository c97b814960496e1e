/* Trusted PAL internals: per-thread state, the saved exception context and the
 * functions the entry assembly and the C parts share. Never included by host code.
 *
 * Offsets used from assembly are #defines here and checked against the C
 * structures with _Static_assert in enclave_main.c. */
#ifndef GEODE_ENCLAVE_INTERNAL_H
#define GEODE_ENCLAVE_INTERNAL_H

/* struct sgx_layout_tls fields read through %gs (abi/enclave_layout.h). */
#define TLS_SELF_OFFSET 0
#define TLS_SSA_OFFSET 24
#define TLS_STACK_TOP_OFFSET 32
#define TLS_STACK_SIZE 40

/* Our own per-thread state lives in the rest of the (measured, zero) TLS page. */
#define THR_OFF 0x800
#define THR_URSP (THR_OFF + 0)
#define THR_URBP (THR_OFF + 8)
#define THR_EXIT (THR_OFF + 16)
#define THR_OCALL_PENDING (THR_OFF + 24)
#define THR_OCALL_RSP (THR_OFF + 32)

/* Exception context layout (struct exc_ctx). */
#define CTX_XSAVE 0
/* x87, SSE, AVX and AVX-512 in the standard form: to the end of Hi16_ZMM. */
#define CTX_XSAVE_SIZE 2688
#define CTX_GPR 2688
#define G_RAX 0
#define G_RCX 8
#define G_RDX 16
#define G_RBX 24
#define G_RSP 32
#define G_RBP 40
#define G_RSI 48
#define G_RDI 56
#define G_R8 64
#define G_R9 72
#define G_R10 80
#define G_R11 88
#define G_R12 96
#define G_R13 104
#define G_R14 112
#define G_R15 120
#define G_RFLAGS 128
#define G_RIP 136
#define G_FSBASE 168
#define G_GSBASE 176
#define CTX_SIZE 3008 /* xsave + gpr (184) + exinfo (16) + level + pad, multiple of 64 */
#define RED_ZONE 128
/* enclave_ocall_switch: XSAVE image (x87, SSE, AVX, AVX-512: 2688 bytes,
 * standard form) then the caller's RSP. */
#define XSAVE_AREA 2688
/* Stage 1 needs the context plus a few hundred bytes of C frames below it. */
#define STAGE1_MIN_STACK (CTX_SIZE + RED_ZONE + 4096)

/* enclave_abi.h values the assembly needs (checked in enclave_main.c). */
#define ASM_EXIT_ECALL_DONE 1
#define ASM_EXIT_OCALL 2
#define ASM_EXIT_FATAL 4
#define ASM_FATAL_BAD_STACK 1
#define ASM_FATAL_BAD_ENTRY 3
#define ASM_ENTER_OCALL_RETURN 0x4f524554
#define ASM_SYNC_BASES_RAX 0x73657361626f6567
#define ASM_SSA_FRAME 4096 /* one-page SSA frames (see docs/sgx-pal.md) */
#define ASM_GPRSGX_SIZE 184

#ifdef __ASSEMBLER__
/* EDX:EAX = the XSAVE/XRSTOR feature mask: XCR0's x87, SSE, AVX and
 * AVX-512 bits, what a one-page SSA frame and XSAVE_AREA hold (XCR0 is
 * XFRM in an enclave; in the sim the host's, whose AVX-512 the sim's XFRM
 * then has too). Clobbers ECX. */
.macro XSTATE_MASK
    xor %ecx, %ecx
    xgetbv
    and $0xe7, %eax
    xor %edx, %edx
.endm
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GEODE_NO_KERNEL_UAPI 1
#include "sgx_arch.h"
#include "enclave_abi.h"
#include "enclave_layout.h"
#include "pal.h"

/* The trusted per-thread state at TLS + THR_OFF. */
struct enclave_thread {
    uint64_t ursp, urbp, exit_addr;
    uint64_t ocall_pending;
    uint64_t ocall_rsp;
    uint64_t ocall_frame;
    struct ecall_fault_report fault; /* what the handler saw, for ECALL_FAULT */
    uint64_t fault_in_stage1;        /* test: stage 1 hits a ud2 once */
    /* Once the libOS runs on this thread: its GS block (0 before), and the
     * program's FS base (the TLS page until the program sets one). */
    uint64_t libos_gs, fs_base;
    uint64_t host_tid;
    /* The OCALL frame this thread is writing or reading (0: none): an
     * OCALL made meanwhile (a lazy page's commit, from a fault in the
     * copy) goes below it, never exitless. */
    uint64_t ocall_busy;
    /* > 0: OCALLs hand no host signal to the libOS (a lazy fault's). */
    uint64_t quiet_ocalls;
    /* The page of the last fault resumed because its page was committed
     * meanwhile, and how many times in a row (pal_mem.c). */
    uint64_t retry_page, retries;
    /* 1 while pal_signal.c hands posted signals to the libOS. */
    uint64_t handing_over;
    uint64_t fault_after_frame; /* test: the next OCALL hits a ud2 once its frame is written */
};

/* The interrupted context as stage 1 copies it out of the SSA. The 64 bytes of
 * padding at the end absorb the words the resume sequence writes just below the
 * resumed RSP's red zone (see enclave_resume in entry.S). level: the CSSA
 * the context ran at (above 0: a stage-1 entry; exception.c). */
struct exc_ctx {
    uint8_t xsave[CTX_XSAVE_SIZE];
    struct sgx_gprsgx gpr;
    struct sgx_exinfo exinfo;
    uint64_t level;
    uint8_t pad[CTX_SIZE - CTX_XSAVE_SIZE - sizeof(struct sgx_gprsgx) - sizeof(struct sgx_exinfo) - 8];
} __attribute__((aligned(64)));

/* Per-enclave state (in .data/.bss, shared by all threads). */
struct enclave_globals {
    uint64_t base;
    uint64_t size;
    uint64_t aex_notify;
    uint64_t xfrm;        /* SECS.ATTRIBUTES.XFRM, from EREPORT */
    uint64_t xsave_bytes; /* of an SSA frame's XSAVE image that XFRM uses */
    uint64_t nssa; /* SSA frames per thread, derived from the layout */
    volatile uint64_t ecalls, ocalls, exceptions, notifications, edeccssa, stage1_exits;
    /* Enclave offsets of the PAL's own regions (TCS, SSA, TLS, stacks, blob:
     * from the first TCS up to ELF 0); 0/0 before initialization. */
    uint64_t pal_lo, pal_hi;
};
extern struct enclave_globals g_encl;

/* entry.S */
__attribute__((noreturn)) void enclave_eexit(uint64_t code, uint64_t rsi, uint64_t rdx, uint64_t ursp,
                                             uint64_t urbp, uint64_t target);
__attribute__((noreturn)) void enclave_resume(const struct exc_ctx *ctx);

/* FS/GS base writes (entry.S; docs/sim.md "FS and GS bases"). The flag is
 * the host's ENCLAVE_HOST_BASES_VOLATILE hint, cleared for good when the
 * base sync turns out to be an ordinary #UD (exception.c). */
extern uint8_t enclave_bases_volatile;
extern const char enclave_sync_site[], enclave_sync_cont[];
void enclave_set_bases(uint64_t fs, uint64_t gs);

/* The host's clocks, from the TSC between host readings (pal_clock.c).
 * A fault at enclave_rdtsc_site (RDTSC illegal in this enclave, or made to
 * fault by the host) sets enclave_tsc_off and resumes at enclave_rdtsc_cont
 * (exception.c): from then on every reading asks the host. */
long enclave_clock_get(int clock, int64_t *ns);
extern const char enclave_rdtsc_site[], enclave_rdtsc_cont[];
extern uint8_t enclave_tsc_off;
/* v, or the largest value *last has held if that is more; *last keeps the
 * larger (a clock that never goes back, across threads). */
int64_t enclave_never_back(int64_t *last, int64_t v);

static inline uint64_t enclave_rdfsbase(void)
{
    uint64_t v;

    __asm__ volatile("rdfsbase %0" : "=r"(v));
    return v;
}

static inline uint64_t enclave_rdgsbase(void)
{
    uint64_t v;

    __asm__ volatile("rdgsbase %0" : "=r"(v));
    return v;
}

static inline void enclave_set_fs(uint64_t fs)
{
    enclave_set_bases(fs, enclave_rdgsbase());
}

static inline void enclave_set_gs(uint64_t gs)
{
    enclave_set_bases(enclave_rdfsbase(), gs);
}
void enclave_edeccssa(void);
/* ENCLU with RAX = leaf, RBX, RCX (EACCEPT, EMODPE); returns RAX (entry.S:
 * every ENCLU of the PAL is one instruction, enclave_enclu). */
uint64_t enclave_enclu_leaf(uint64_t leaf, uint64_t rbx, uint64_t rcx);
void enclave_ereport(const void *targetinfo, const void *reportdata, struct sgx_report *out);
/* ENCLU[EGETKEY]: 0, or the SGX error code (RAX). */
uint64_t enclave_egetkey(const struct sgx_keyrequest *req, uint8_t key[16]);
void enclave_stage2_entry(void);
/* Saves callee-saved registers, EEXITs to the host with RSP = frame; returns
 * when the host re-enters with ENCLAVE_ENTER_OCALL_RETURN. */
void enclave_ocall_switch(uint64_t number, uint64_t frame, uint64_t urbp, uint64_t target, uint64_t tls);
/* fork_ctx.S: the forking thread's callee-saved registers, stack pointer
 * and return address; enclave_fork_save returns 0, and 1 when
 * enclave_fork_resume (in the child) goes back to it. XSAVE_AREA bytes of
 * extended state, 64-aligned. */
struct fork_jb {
    uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};
uint64_t enclave_fork_save(struct fork_jb *jb) __attribute__((returns_twice));
__attribute__((noreturn)) void enclave_fork_resume(const struct fork_jb *jb);
void enclave_xsave(void *area);
void enclave_xrstor(const void *area);
/* Fault sites and where to continue, terminated by {0, 0}; relocated data.
 * Only the test build has any (test/faults.S); exception.c defines the
 * empty table otherwise. */
struct fixup {
    uint64_t site, cont;
};
extern const struct fixup enclave_fixups[];

/* string.c: the compiler may emit calls to these. */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

/* reloc.c */
int enclave_relocate(void);
int enclave_relocate_image(uint64_t load, const void *dynamic, uint64_t span);

/* host_copy.c: the only way to touch host memory. */
int host_range_ok(uint64_t base, uint64_t size, uint64_t ptr, uint64_t len);
int copy_from_host(void *dst, uint64_t src, uint64_t len);
int copy_to_host(uint64_t dst, const void *src, uint64_t len);
/* Words of host memory shared with a host that changes them concurrently
 * (exitless queues and status words, the pending-signal word): one atomic,
 * naturally aligned access each, the address checked as for copy_*; what is
 * read is the host's, checked by the caller. 0, or -1 for an address that is
 * not aligned host memory (host_cas64: 1 swapped, 0 not, -1). */
int host_load32(uint64_t addr, uint32_t *v);
int host_store32(uint64_t addr, uint32_t v);
int host_load64(uint64_t addr, uint64_t *v);
int host_store64(uint64_t addr, uint64_t v);
int host_xchg64(uint64_t addr, uint64_t v, uint64_t *old);
int host_cas64(uint64_t addr, uint64_t *expected, uint64_t desired);

/* ocall.c: one OCALL; input gathered from in[0..n_in), output (at most
 * out_cap bytes) copied back and checked. Returns the host's result (a Linux
 * -errno passes through, anything else is -EIO) or -EFAULT/-EINVAL/-EIO when
 * the frame cannot be built or the host's reply is malformed. */
struct ocall_iov {
    const void *base;
    uint64_t len;
};
int64_t enclave_ocallv(uint64_t number, const struct ocall_iov *in, unsigned n_in, void *out,
                       uint64_t out_cap, uint64_t *out_size);
/* An OCALL with two arguments whose output must be exactly out_len bytes
 * (else -EIO). */
int64_t enclave_ocall_out(uint64_t number, int64_t a0, int64_t a1, void *out, uint64_t out_len);
int64_t enclave_ocall(uint64_t number, const void *in, uint64_t in_size, void *out, uint64_t out_cap,
                      uint64_t *out_size);

/* exception.c */
struct sgx_gprsgx *enclave_ssa_gpr(uint64_t frame);
void enclave_arm_aexnotify(uint64_t frame, int on);

/* ecalls.c */
struct ecall_result {
    uint64_t status, value;
};
static inline struct ecall_result ecall_ok(uint64_t value)
{
    return (struct ecall_result){0, value};
}
/* err: a positive errno. */
static inline struct ecall_result ecall_fail(int64_t err)
{
    return (struct ecall_result){(uint64_t)-err, 0};
}
/* The enclave's own transition counts (ECALL_STATS, and the exit OCALL). */
void enclave_stats_read(struct enclave_stats *s);
/* pal_fork.c: pages received as a forked child (all, and sent as data). */
void enclave_fork_stats(uint64_t *pages, uint64_t *data_pages);
struct ecall_result enclave_dispatch(uint64_t number, uint64_t arg, uint64_t arg2);

/* This thread's TLS page. Enclave entry sets GS to it; while the libOS
 * runs, GS is the libOS's thread block, whose PAL-private words (pal.h:
 * PAL_GS_PRIVATE_OFFSET) hold the TLS page's address. */
static inline uint64_t tls_page(void)
{
    uint64_t gs;

    __asm__ volatile("rdgsbase %0" : "=r"(gs));
    if (g_encl.pal_hi && (gs - g_encl.base < g_encl.pal_lo || gs - g_encl.base >= g_encl.pal_hi))
        gs = *(const uint64_t *)(gs + PAL_GS_PRIVATE_OFFSET);
    return gs;
}

static inline struct enclave_thread *thread_self(void)
{
    return (struct enclave_thread *)(tls_page() + THR_OFF);
}

static inline const struct sgx_layout_tls *tls_self(void)
{
    return (const struct sgx_layout_tls *)tls_page();
}
#endif
#endif
