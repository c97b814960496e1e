/* uRTS internals shared by urts_load.c, urts_run.c and urts_ocall.c. */
#ifndef GEODE_SGX_URTS_INTERNAL_H
#define GEODE_SGX_URTS_INTERNAL_H

#include <pthread.h>

#include "urts.h"

/* One enclave thread (one TCS). next_* must stay first: the exit trampoline
 * in urts_run.c loads them into RDI/RSI/RDX for the ENCLU that follows. */
struct urts_thread {
    uint64_t next_rdi, next_rsi, next_rdx;
    struct urts_enclave *encl;
    uint32_t index;
    uint64_t tcs;
    struct sgx_enclave_run run;
    int outcome;             /* what urts_ecall returns */
    bool done;
    struct urts_result res;
    unsigned consecutive_exceptions;
    struct sgx_err err;
    /* urts_thread.c: the word this thread's enclave code sleeps on
     * (OCALL_FUTEX_WAIT), and the host thread running ECALL_THREAD here. */
    uint32_t futex_word;
    bool host_started;
    pthread_t host_thread;
    /* urts_run.c: the host thread in an ECALL on this TCS (in enclave code
     * or serving one of its OCALLs) while busy (__atomic) is set; a host
     * signal taken by any other thread kicks it (urts_signal.c). */
    pthread_t runner;
    int busy; /* 0, URTS_BUSY_ENCLAVE or URTS_BUSY_OCALL */
};

#define URTS_BUSY_ENCLAVE 1 /* in enclave code (or the vDSO around it) */
#define URTS_BUSY_OCALL 2   /* serving an OCALL of its enclave code */

struct urts_enclave {
    const struct sgx_driver *drv;
    struct sgx_driver_encl *encl;
    struct urts_desc desc;
    sgx_sign_key *key;
    bool own_key;
    uint64_t base, size;
    uint32_t threads;
    struct urts_thread *thread;
    urts_hook_fn hook;
    void *hook_ctx;
    urts_frame_hook_fn frame_hook;
    void *frame_hook_ctx;
    urts_aep_hook_fn aep_hook;
    void *aep_hook_ctx;
    unsigned restarts;
    urts_lost_fn lost_fn; /* urts_thread.c */
    void *lost_ctx;
    urts_lost_fn fatal_fn;
    void *fatal_ctx;
    int halted;               /* urts_halt (__atomic) */
    /* urts_test_bad_entry: thread + 1 (0: off) and when (__atomic) */
    uint32_t bad_entry_thread;
    uint64_t bad_entry_at_ns;
    struct urts_counters cnt; /* updated with __atomic builtins */
    struct urts_exitless *exitless; /* urts_exitless.c, NULL: none */
    urts_fork_fn fork_fn;           /* urts_fork.c */
    void *fork_ctx;
    bool fork_built;                /* a pool member: the child's enclave is built */
};

int urts_build(struct urts_enclave *e, struct sgx_err *err);
/* One line of transition counts to desc.log_counters: the host's, and the
 * enclave's own when inside is not NULL. */
void urts_print_counters(const struct urts_enclave *e, const struct enclave_stats *inside);
int urts_configure(struct urts_enclave *e, struct sgx_err *err);
void urts_count(uint64_t *counter);
/* urts_trap.c: SIGTRAP at the AEP (int3 in the enclave). */
void urts_trap_install(void);
void urts_trap_enter(struct urts_thread *th);

#endif
