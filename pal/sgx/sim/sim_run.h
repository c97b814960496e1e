/* The sim's execution side: the vDSO replacement behind drv->enter, and the
 * controls tests and tools need (counters, EPC loss, the root key, CPUID).
 *
 * How it runs (details in docs/sim.md): drv->enter is an assembly function
 * with __vdso_sgx_enter_enclave's signature and behaviour. It executes a real
 * ENCLU; that faults (#UD without SGX, #GP or an SGX #PF where the CPU's
 * SGX is not given to this VM: sim_exec.h) and the sim's handler performs
 * the leaf by rewriting the signal context. Enclave code runs natively, with
 * FS/GS = the enclave's, `syscall` blocked (Syscall User Dispatch -> #UD) and
 * every fault or signal turned into an AEX.
 *
 * Host requirements while the sim is in use:
 *   - the sim owns each entering thread's sigaltstack (set up at its first
 *     entry); do not replace it;
 *   - at every call of drv->enter the sim takes over SIGILL, SIGSEGV, SIGBUS,
 *     SIGFPE, SIGTRAP, SIGSYS and every standard signal (1-31) that has a
 *     handler, and calls the host's handler (installed before or after) on
 *     the host side: for a signal taken in enclave code after the AEX, with
 *     the context at the AEP (as the kernel delivers it); real-time signals
 *     stay blocked while enclave code runs and arrive after the exit;
 *   - int3/#DB in enclave code arrive as SIGTRAP at the AEP (the kernel never
 *     fixes them up), other exceptions through the run structure. */
#ifndef GEODE_SGX_SIM_RUN_H
#define GEODE_SGX_SIM_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "sgx_arch.h"
#include "sgx_cpuid.h"

struct sgx_driver_encl;
struct sgx_sim_cpu;

/* The sim's __vdso_sgx_enter_enclave. Returns 0 (see run->function), or
 * -EINVAL (bad function or reserved bytes), or -ENOMEM when this thread's
 * sim state (signal stack, syscall dispatch) cannot be set up. */
int sgx_sim_vdso_enter(unsigned long rdi, unsigned long rsi, unsigned long rdx, unsigned int function,
                       unsigned long r8, unsigned long r9, struct sgx_enclave_run *run);

/* Per-enclave transition counts (atomic; read at any time). */
struct sgx_sim_counters {
    uint64_t eenter, eexit, aex, eresume, edeccssa, ereport, egetkey;
    uint64_t base_syncs; /* base syncs served (volatile bases: docs/sim.md) */
    uint64_t eaug, eaccept, emodpe, emodpr, emodt, eremove; /* SGX2 (sim_edmm.c) */
    uint64_t eenter_direct; /* of eenter: by the vDSO's call, without the #UD (docs/sim.md) */
    /* ENCLU pages (docs/sim.md): enclave leaves taken at a fetch #PF, pages
     * made ENCLU pages, and pages given back their execute permission. */
    uint64_t enclu_fetch, xtrap_pages, xtrap_mixed;
    /* Of eexit: by the stub and sim_xexit, without a signal (docs/sim.md);
     * signals that came on that way and were taken at the ENCLU. */
    uint64_t eexit_direct, xexit_rewinds;
};
void sgx_sim_counters(const struct sgx_driver_encl *encl, struct sgx_sim_counters *out);

/* EPC loss (as after suspend/resume): every page of the enclave is gone.
 * Async-signal-safe, callable from any thread or handler. From then on an
 * EENTER/ERESUME reports #PF with error code bit 15 (0x8000) through the run
 * structure, a running thread's next access does the same, and EADD fails
 * with -EIO. */
void sgx_sim_inject_epc_loss(struct sgx_driver_encl *encl);
/* Arms a loss that happens at the n-th EENTER/ERESUME from now (n >= 1),
 * i.e. that entry already sees the enclave lost. n = 0 disarms. */
void sgx_sim_inject_epc_loss_after(struct sgx_driver_encl *encl, uint64_t n);
#define SGX_SIM_PF_SGX 0x8000

/* The simulated per-machine root key EREPORT/EGETKEY derive from. Set it
 * explicitly, or load it from `path` (NULL: $XDG_CONFIG_HOME/geode/sim-root-key
 * or ~/.config/geode/sim-root-key), creating a random one with mode 0600 when
 * missing. Without either, the first EINIT loads the default file and falls
 * back to a random per-process key (with a warning) when that fails.
 * Returns 0 or -errno. */
void sgx_sim_set_root_key(const uint8_t key[16]);
int sgx_sim_load_root_key(const char *path);

/* EDBGRD / EDBGWR: read or write a DEBUG enclave's memory (any added page,
 * TCS and SSA included), as a debugger would. 0, -EPERM (not DEBUG), -EFAULT
 * (outside the enclave or a page never added), -EIO (lost). */
int sgx_sim_dbg_read(const struct sgx_driver_encl *encl, uint64_t addr, void *buf, size_t len);
int sgx_sim_dbg_write(struct sgx_driver_encl *encl, uint64_t addr, const void *buf, size_t len);

/* What CPUID(0x12, subleaf) reports on the simulated CPU. */
void sgx_sim_cpuid(const struct sgx_sim_cpu *cpu, uint32_t subleaf, struct cpuid_regs *out);

#endif
