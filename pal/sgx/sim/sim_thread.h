/* Per-thread sim state, found without TLS.
 *
 * While enclave code runs, FS/GS are the enclave's, so a signal handler
 * cannot use the host's thread-local storage until it has restored them.
 * Each entering thread therefore gets a sim-owned signal stack whose first
 * page holds its struct sim_thread; every sim handler runs on that stack
 * (SA_ONSTACK) and finds the state through the ucontext's saved uc_stack.
 *
 * The same page holds the Syscall User Dispatch selector: BLOCK while
 * enclave code runs (a `syscall` there raises SIGSYS, reported as #UD),
 * ALLOW on the host side. */
#ifndef GEODE_SGX_SIM_THREAD_H
#define GEODE_SGX_SIM_THREAD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <ucontext.h>

struct sgx_driver_encl;

#define SIM_THREAD_MAGIC 0x6765736d54687264ULL /* "gesmThrd" */
#define SIM_ALTSTACK_SIZE (256 * 1024)
#define SIM_SELECTOR_ALLOW 0
#define SIM_SELECTOR_BLOCK 1

struct sim_thread {
    uint64_t magic;
    struct sim_thread *self;
    volatile uint8_t selector;    /* Syscall User Dispatch selector */
    volatile bool in_enclave;     /* enclave code is (or is about to be) running */
    struct sgx_driver_encl *encl; /* enclave of the current TCS */
    uint64_t tcs;                 /* address of the TCS this thread entered */
    uint64_t aep;                 /* AEP given at EENTER/ERESUME */
    uint64_t host_fsbase, host_gsbase;
    uint64_t encl_fsbase, encl_gsbase; /* while a handler runs for enclave code */
    uint64_t host_sigmask;        /* the host's mask at entry (kernel sigset) */
    uint32_t host_pkru;           /* the host's PKRU at entry (isolation) */
    bool tsc_trapped;             /* RDTSC faults while enclave code runs */
};

/* Sets up the calling thread (signal stack, syscall dispatch) if needed and
 * makes sure the sim owns its signals. Host side only. 0 or -errno. */
int sim_thread_prepare(void);

/* The state of the thread a signal was delivered to, from its ucontext;
 * NULL when the handler is not running on a sim signal stack. */
struct sim_thread *sim_thread_from_uc(const ucontext_t *uc);

static inline uint64_t sim_rdfsbase(void)
{
    uint64_t v;
    __asm__ volatile("rdfsbase %0" : "=r"(v));
    return v;
}

static inline uint64_t sim_rdgsbase(void)
{
    uint64_t v;
    __asm__ volatile("rdgsbase %0" : "=r"(v));
    return v;
}

static inline void sim_wrfsbase(uint64_t v)
{
    __asm__ volatile("wrfsbase %0" ::"r"(v) : "memory");
}

static inline void sim_wrgsbase(uint64_t v)
{
    __asm__ volatile("wrgsbase %0" ::"r"(v) : "memory");
}

/* Handler entry for a signal taken in enclave code: host FS/GS back and
 * syscalls allowed, so ordinary C (and libc) can run. */
static inline void sim_thread_to_host(struct sim_thread *t)
{
    t->encl_fsbase = sim_rdfsbase();
    t->encl_gsbase = sim_rdgsbase();
    sim_wrfsbase(t->host_fsbase);
    sim_wrgsbase(t->host_gsbase);
    t->selector = SIM_SELECTOR_ALLOW;
    if (t->tsc_trapped)
        prctl(PR_SET_TSC, PR_TSC_ENABLE);
}

/* Last step before the handler returns into enclave code: the enclave's
 * FS/GS (sigreturn does not touch them) and syscalls blocked. No libc
 * after this. */
static inline void sim_thread_to_enclave(struct sim_thread *t, uint64_t fsbase, uint64_t gsbase)
{
    if (t->tsc_trapped)
        prctl(PR_SET_TSC, PR_TSC_SIGSEGV); /* per thread: enclave code only */
    t->in_enclave = true;
    sim_wrgsbase(gsbase);
    sim_wrfsbase(fsbase);
    t->selector = SIM_SELECTOR_BLOCK;
}

#endif
