/* The sim's execution leaves, run from its signal handler.
 *
 * Host side: the vDSO's ENCLU (its fault: sim_enclu_fault) performs EENTER or ERESUME by
 * rewriting the signal context into the enclave's state; a fault of the
 * leaf itself is reported as the kernel's vDSO fixup reports it.
 * Enclave side: every signal is either an ENCLU leaf executed by enclave
 * code (EEXIT, EDECCSSA, EREPORT, EGETKEY) or an AEX. */
#ifndef GEODE_SGX_SIM_EXEC_H
#define GEODE_SGX_SIM_EXEC_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <ucontext.h>

#include "sim_encl.h"
#include "sim_thread.h"

/* Labels in the sim's vDSO (sim_vdso.c). */
extern const char sim_vdso_enclu[], sim_vdso_handle_exception[];
/* [sim_direct_window, sim_direct_window_end): the vDSO's direct EENTER
 * between the mode switch and the jump to OENTRY. */
extern const char sim_direct_window[], sim_direct_window_end[];

/* Whether signal sig is how this CPU faults on ENCLU: #UD (SIGILL) where
 * the CPU has no SGX; #GP (SIGSEGV, SI_KERNEL), or for EENTER and ERESUME
 * a #PF with the SGX error bit (SIGSEGV), on an Intel CPU whose SGX is on
 * but not given to this VM. Either way the fault is at the instruction,
 * and the caller checks that it is ENCLU. A signal sent by a process
 * (si_code <= 0) never is. */
static inline bool sim_enclu_fault(int sig, const siginfo_t *si)
{
    return (sig == SIGILL || sig == SIGSEGV) && si->si_code > 0;
}

/* An ENCLU fault (sim_enclu_fault) on the host side: true when it was the
 * vDSO's ENCLU (handled). */
bool sim_exec_host_enclu(struct sim_thread *t, ucontext_t *uc);

/* The vDSO's direct EENTER (sim_entry.c): t, NULL (execute ENCLU), or 1
 * (the leaf faulted). */
void *sim_direct_eenter(uint64_t *regs);
/* A signal at uc is in the direct EENTER's window. */
bool sim_direct_in_window(const ucontext_t *uc);
/* Such a signal (t in enclave mode, host bases back): uc becomes the state
 * at OENTRY, as if the signal came right after EENTER. */
void sim_direct_complete(struct sim_thread *t, ucontext_t *uc);

/* A signal taken while enclave code ran; host FS/GS already restored. */
void sim_exec_enclave_signal(struct sim_thread *t, int sig, siginfo_t *si, ucontext_t *uc);

/* What an AEX reports. */
#define SIM_EVENT_NONE (-2) /* a fault the sim resolved itself: the access is retried */
struct sim_event {
    int vector;         /* exception vector, -1 for an interrupt (signal), or SIM_EVENT_NONE */
    uint64_t maddr;     /* #PF/#GP: EXINFO.MADDR */
    uint32_t errcd;     /* #PF/#GP: EXINFO.ERRCD */
};

/* AEX of the thread's enclave code: saves the context into SSA[CSSA],
 * CSSA++, synthetic state at the AEP; then the host side sees it (vDSO
 * fixup for exceptions, the host's handler for signals). */
void sim_aex(struct sim_thread *t, int sig, siginfo_t *si, ucontext_t *uc, const struct sim_event *ev);

/* AEX of a thread whose enclave was lost (nothing saved; #PF 0x8000). */
void sim_aex_lost(struct sim_thread *t, siginfo_t *si, ucontext_t *uc);

/* The host is back at the AEP / EEXIT target: mode, mask, TCS. */
void sim_exec_leave(struct sim_thread *t, ucontext_t *uc);

/* Reports a fault at the vDSO's ENCLU as the kernel's fixup does. */
void sim_fixup(ucontext_t *uc, unsigned vector, unsigned errcd, uint64_t addr);

/* SSA frame n of a TCS (alias address), and its GPRSGX. */
uint8_t *sim_ssa_frame(const struct sgx_driver_encl *encl, const struct sgx_tcs *tcs, uint32_t n);
struct sgx_gprsgx *sim_ssa_gpr(const struct sgx_driver_encl *encl, uint8_t *frame);

/* EREPORT / EGETKEY (sim_keys.c): 0, or the vector of the fault to raise. */
int sim_ereport(struct sgx_driver_encl *encl, ucontext_t *uc);
int sim_egetkey(struct sgx_driver_encl *encl, ucontext_t *uc);

#endif
