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

/* The direct EEXIT (sim_xexit.c; sim_xexit in sim_vdso.c). Whether the
 * direct paths (this and the direct EENTER) serve encl on this host: not
 * where entering needs the signal frame or syscalls (PKRU isolation, RDTSC
 * trapping, bases moved with arch_prctl). */
bool sim_direct_ok(const struct sgx_driver_encl *encl);
/* After a #UD/#GP at the ENCLU at rip: its page gets the stub when the
 * ENCLU is alone at the page's end and the page is R-X (prot). 0, or -1:
 * make it an ENCLU page instead. */
int sim_xexit_install(struct sgx_driver_encl *encl, uint64_t rip, int prot);
/* A signal in enclave code: if it came in the stub, the registers and RIP
 * the enclave had at the ENCLU. True when it is the trap of the ENCLU (a
 * leaf other than EEXIT): the caller takes it as the ENCLU's #UD. */
bool sim_xexit_stub_rewind(struct sgx_driver_encl *encl, int sig, const siginfo_t *si,
                           ucontext_t *uc);
/* A signal at uc is in sim_xexit before it left enclave mode. */
bool sim_xexit_in_window(const ucontext_t *uc);
/* Such a signal (host bases back): uc becomes the state at the ENCLU.
 * True when the signal was sim_xexit's own fault (the vDSO's frame was not
 * found): the caller then runs the EEXIT as the ENCLU's trap. */
bool sim_xexit_rewind(struct sim_thread *t, int sig, const siginfo_t *si, ucontext_t *uc);
uint64_t sim_xexit_done(struct sim_thread *t);
extern const char sim_xexit[], sim_xexit_saved[], sim_xexit_bad[], sim_xexit_bases[],
    sim_xexit_commit[];
/* sim_xexit's save area, below the RSP the enclave left. */
#define XEXIT_RCX 0
#define XEXIT_RDX 8
#define XEXIT_RSI 16
#define XEXIT_RDI 24
#define XEXIT_R8 32
#define XEXIT_R9 40
#define XEXIT_R10 48
#define XEXIT_R11 56
#define XEXIT_FS 64
#define XEXIT_GS 72
#define XEXIT_FLAGS 80
#define XEXIT_FRAME 88

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
