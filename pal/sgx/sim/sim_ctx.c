/* Register moves between a signal context and GPRSGX. */
#include "sim_ctx.h"

#include <string.h>

/* GPRSGX order RAX RCX RDX RBX RSP RBP RSI RDI R8..R15 as context indexes. */
const int sim_gpr_reg[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
                             REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
                             REG_R12, REG_R13, REG_R14, REG_R15};

void sim_ctx_to_gpr(const ucontext_t *uc, struct sgx_gprsgx *gpr)
{
    uint64_t regs[16];

    for (int i = 0; i < 16; i++)
        regs[i] = (uint64_t)uc->uc_mcontext.gregs[sim_gpr_reg[i]];
    memcpy(gpr, regs, sizeof(regs)); /* rax..r15 are the first 128 bytes */
    gpr->rflags = (uint64_t)SIM_GREG(uc, EFL);
    gpr->rip = SIM_RIP(uc);
}

void sim_ctx_from_gpr(ucontext_t *uc, const struct sgx_gprsgx *gpr)
{
    uint64_t regs[16];

    memcpy(regs, gpr, sizeof(regs));
    for (int i = 0; i < 16; i++)
        uc->uc_mcontext.gregs[sim_gpr_reg[i]] = (greg_t)regs[i];
    SIM_GREG(uc, EFL) = (greg_t)gpr->rflags;
    SIM_GREG(uc, RIP) = (greg_t)gpr->rip;
}

void sim_ctx_clear_gprs(ucontext_t *uc)
{
    for (int i = 0; i < 16; i++)
        uc->uc_mcontext.gregs[sim_gpr_reg[i]] = 0;
}
