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

/* The state a direct EENTER (sim_entry.c, sim_vdso.c) loads: GPRs in
 * GPRSGX order (RAX RCX RDX RBX RSP RBP RSI RDI R8..R15), RIP, bases. */
struct sim_direct_entry {
    uint64_t gpr[16];
    uint64_t rip, fsbase, gsbase;
};

/* Offsets the vDSO's assembly uses (checked below). */
#define SIM_T_SELF 8
#define SIM_T_SELECTOR 16
#define SIM_T_IN_ENCLAVE 17
#define SIM_T_MASK_SWITCHED 18
#define SIM_T_ENTRY 24
#define SIM_T_HOST_FSBASE 200
#define SIM_T_HOST_GSBASE 208
#define SIM_T_HOST_SIGMASK 264

struct sim_thread {
    uint64_t magic;
    struct sim_thread *self;
    volatile uint8_t selector;    /* Syscall User Dispatch selector */
    volatile bool in_enclave;     /* enclave code is (or is about to be) running */
    /* Entering changed the mask (the host had a fault signal blocked):
     * host_sigmask goes back at EEXIT and AEX. */
    bool mask_switched;
    struct sim_direct_entry entry; /* what the vDSO's direct EENTER loads */
    struct sgx_driver_encl *encl; /* enclave of the current TCS */
    uint64_t tcs;                 /* address of the TCS this thread entered */
    uint64_t aep;                 /* AEP given at EENTER/ERESUME */
    uint64_t host_fsbase, host_gsbase;
    uint64_t encl_fsbase, encl_gsbase; /* while a handler runs for enclave code */
    uint64_t durable_fsbase, durable_gsbase; /* last set for enclave code (emulate_loss) */
    uint64_t loss_rng;            /* emulate_loss: xorshift state */
    void *switch_timer;           /* emulate_loss: the tick's timer_t, or NULL */
    uint64_t host_sigmask;        /* the host's mask at a signal-path entry */
    uint32_t host_pkru;           /* the host's PKRU at entry (isolation) */
    bool tsc_trapped;             /* RDTSC faults while enclave code runs */
    uint64_t refreshed_page;      /* last page whose stale mapping a fault brought up to date */
    uint32_t refreshes;           /* ... and how many times in a row */
    /* sim_bases.read_insn: the enclave's GS base left live in host code,
     * whose own GS base is 0 (sim_thread_to_host); 0: none. */
    uint64_t gs_kept;
};

_Static_assert(__builtin_offsetof(struct sim_thread, self) == SIM_T_SELF, "sim_vdso.c");
_Static_assert(__builtin_offsetof(struct sim_thread, selector) == SIM_T_SELECTOR, "sim_vdso.c");
_Static_assert(__builtin_offsetof(struct sim_thread, in_enclave) == SIM_T_IN_ENCLAVE, "sim_vdso.c");
_Static_assert(__builtin_offsetof(struct sim_thread, mask_switched) == SIM_T_MASK_SWITCHED,
               "sim_vdso.c");
_Static_assert(__builtin_offsetof(struct sim_thread, entry) == SIM_T_ENTRY, "sim_vdso.c");
_Static_assert(__builtin_offsetof(struct sim_thread, host_fsbase) == SIM_T_HOST_FSBASE,
               "sim_vdso.c");
_Static_assert(__builtin_offsetof(struct sim_thread, host_gsbase) == SIM_T_HOST_GSBASE,
               "sim_vdso.c");
_Static_assert(__builtin_offsetof(struct sim_thread, host_sigmask) == SIM_T_HOST_SIGMASK,
               "sim_vdso.c");

/* The calling thread's state (host side), or NULL before its first entry. */
struct sim_thread *sim_thread_current(void);

/* Sets up the calling thread (signal stack, syscall dispatch) if needed and
 * makes sure the sim owns its signals. Host side only (the vDSO, before
 * every ENCLU). The thread's state, or -errno. */
long sim_thread_prepare(void);
/* In a forked host process, on its only thread (sgx_driver.after_fork). */
int sim_thread_after_fork(void);

/* The state of the thread a signal was delivered to, from its ucontext;
 * NULL when the handler is not running on a sim signal stack. */
struct sim_thread *sim_thread_from_uc(const ucontext_t *uc);

/* How the sim moves FS/GS bases (sim_bases_init, from host_caps.h):
 * with the kernel's FSGSBASE, the instructions; without it, arch_prctl,
 * the only write the kernel keeps across context switches. */
struct sim_bases_mode {
    bool arch_prctl;    /* switch with arch_prctl (bases are volatile) */
    bool emulate_loss;  /* test hook: drop unsynced enclave writes (host_caps.h) */
    bool read_insn;     /* arch_prctl: yet read with RDFSBASE/RDGSBASE (sim_bases_init) */
};
extern struct sim_bases_mode sim_bases;

/* Decides sim_bases once; host side only. */
void sim_bases_init(void);

#define SIM_ARCH_SET_GS 0x1001
#define SIM_ARCH_SET_FS 0x1002
#define SIM_ARCH_GET_FS 0x1003
#define SIM_ARCH_GET_GS 0x1004

/* arch_prctl without libc: a handler may run it before the host's FS (and
 * errno) is back. Selector ALLOW first (sim_thread_to_host). */
static inline long sim_arch_prctl(long code, uint64_t arg)
{
    long ret;

    __asm__ volatile("syscall" : "=a"(ret) : "0"(158L), "D"(code), "S"(arg) : "rcx", "r11", "memory");
    return ret;
}

static inline uint64_t sim_rdbase(bool gs)
{
    uint64_t v = 0;

    if (sim_bases.arch_prctl && !sim_bases.read_insn)
        sim_arch_prctl(gs ? SIM_ARCH_GET_GS : SIM_ARCH_GET_FS, (uint64_t)(uintptr_t)&v);
    else if (gs)
        __asm__ volatile("rdgsbase %0" : "=r"(v));
    else
        __asm__ volatile("rdfsbase %0" : "=r"(v));
    return v;
}

static inline void sim_wrbase(bool gs, uint64_t v)
{
    if (sim_bases.arch_prctl)
        sim_arch_prctl(gs ? SIM_ARCH_SET_GS : SIM_ARCH_SET_FS, v);
    else if (gs)
        __asm__ volatile("wrgsbase %0" ::"r"(v) : "memory");
    else
        __asm__ volatile("wrfsbase %0" ::"r"(v) : "memory");
}

/* Test hook (sim_bases.emulate_loss): at a context switch a kernel without
 * FSGSBASE reloads the bases it saved from arch_prctl, i.e. the ones the
 * sim last set for enclave code; every other signal counts as one. */
void sim_thread_emulate_loss(struct sim_thread *t);

/* The tick (SIM_SWITCH_SIG, from a per-thread CPU-time timer) taken in
 * enclave code: a context switch of such a kernel, invisible to the
 * enclave. No libc: the host's FS is not back. */
static inline void sim_thread_reload_durable(struct sim_thread *t)
{
    sim_wrbase(false, t->durable_fsbase);
    sim_wrbase(true, t->durable_gsbase);
}

static inline void sim_thread_context_switch(struct sim_thread *t)
{
    t->selector = SIM_SELECTOR_ALLOW;
    sim_thread_reload_durable(t);
    t->selector = SIM_SELECTOR_BLOCK;
}

/* Handler entry for a signal taken in enclave code: syscalls allowed and
 * host FS/GS back, so ordinary C (and libc) can run. */
static inline void sim_thread_to_host(struct sim_thread *t)
{
    t->selector = SIM_SELECTOR_ALLOW;
    if (sim_bases.emulate_loss)
        sim_thread_emulate_loss(t);
    t->encl_fsbase = sim_rdbase(false);
    t->encl_gsbase = sim_rdbase(true);
    sim_wrbase(false, t->host_fsbase);
    /* Where a base write is an arch_prctl that costs microseconds (the
     * kernel lacks FSGSBASE), a host GS base of 0 (x86-64 Linux user code
     * has no GS of its own) is not written back: host code runs with the
     * enclave's, which the kernel keeps (it is the one last set), and the
     * next entry on this TCS need not write it either (sim_thread_prepare
     * still reports the host's as 0). docs/sim.md, "FS and GS bases". */
    if (sim_bases.read_insn && !t->host_gsbase && t->encl_gsbase == t->durable_gsbase) {
        t->gs_kept = t->encl_gsbase;
    } else {
        sim_wrbase(true, t->host_gsbase);
        t->gs_kept = 0;
    }
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
    if (!t->gs_kept || t->gs_kept != gsbase || t->durable_gsbase != gsbase || sim_rdbase(true) != gsbase)
        sim_wrbase(true, gsbase);
    t->gs_kept = 0;
    sim_wrbase(false, fsbase);
    t->durable_fsbase = fsbase;
    t->durable_gsbase = gsbase;
    t->selector = SIM_SELECTOR_BLOCK;
}

#endif
