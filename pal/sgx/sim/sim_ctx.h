/* Moving enclave register state between a signal context (what the kernel
 * saved when the signal interrupted enclave code, and restores at
 * sigreturn) and an SSA frame. */
#ifndef GEODE_SGX_SIM_CTX_H
#define GEODE_SGX_SIM_CTX_H

#include <stdint.h>
#include <ucontext.h>

#include "sgx_arch.h"

#define SIM_GREG(uc, r) ((uc)->uc_mcontext.gregs[REG_##r])
#define SIM_RIP(uc) ((uint64_t)SIM_GREG(uc, RIP))

/* The context's index of each GPRSGX register, RAX RCX RDX RBX RSP RBP
 * RSI RDI R8..R15. */
extern const int sim_gpr_reg[16];

/* GPRSGX.RAX..R15, RFLAGS, RIP <- context (FS/GS bases and EXITINFO are the
 * caller's). */
void sim_ctx_to_gpr(const ucontext_t *uc, struct sgx_gprsgx *gpr);

/* Context <- GPRSGX.RAX..R15, RFLAGS, RIP. */
void sim_ctx_from_gpr(ucontext_t *uc, const struct sgx_gprsgx *gpr);

/* Every general register of the context zeroed (AEX synthetic state). */
void sim_ctx_clear_gprs(ucontext_t *uc);

/* XSAVE image of the components in xfrm, between the context's saved FPU
 * state and the SSA frame's XSAVE area (non-compacted, at frame offset 0). */
void sim_xsave_save(const ucontext_t *uc, uint8_t *frame, uint64_t xfrm);
void sim_xsave_restore(ucontext_t *uc, const uint8_t *frame, uint64_t xfrm);
/* The components in xfrm set to their initial state (AEX synthetic state). */
void sim_xsave_init(ucontext_t *uc, uint64_t xfrm);

#endif
