/* The untrusted runtime (uRTS): builds an enclave around the trusted PAL
 * through any struct sgx_driver (kernel or sim), and runs ECALLs on its
 * threads, serving OCALLs and driving both exception paths.
 *
 *   urts_create   layout (image/layout.h) -> MRENCLAVE -> SIGSTRUCT (a given key
 *                 or a fresh test key) -> ECREATE/EADD/EINIT -> ECALL_CONFIG.
 *   urts_ecall    one ECALL on one thread (one TCS; a thread is used by one host
 *                 thread at a time). Each exit of the enclave is handled in the
 *                 vDSO's user_handler:
 *                   EEXIT ECALL_DONE      -> return the result
 *                   EEXIT OCALL           -> serve it, EENTER (OCALL return)
 *                   EEXIT STAGE1          -> ERESUME (classic exception path)
 *                   EEXIT FATAL           -> URTS_EFATAL
 *                   exception (AEX)       -> #PF with error code bit 15: the EPC
 *                                            is gone -> URTS_ELOST;
 *                                            AEX-Notify: ERESUME;
 *                                            classic: EENTER (stage 1);
 *                                            more than URTS_MAX_EXCEPTIONS in a
 *                                            row without an EEXIT -> URTS_EUNHANDLED.
 *   urts_ecall_restartable  the same, rebuilding a lost enclave at most
 *                 max_restarts times (never an unbounded loop).
 *
 * Errors: 0, -errno, or one of the URTS_E* codes below; urts_last_error()
 * gives a message naming the problem. */
#ifndef GEODE_SGX_URTS_H
#define GEODE_SGX_URTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "enclave_abi.h"
#include "layout.h"
#include "sgx_driver.h"
#include "sgx_err.h"
#include "sigstruct.h"

#define URTS_ELOST (-10001)      /* EPC lost (suspend, migration): rebuild the enclave */
#define URTS_EFATAL (-10002)     /* the enclave gave up (EXIT_FATAL) */
#define URTS_EUNHANDLED (-10003) /* exceptions the enclave does not get past */
#define URTS_EPROTO (-10004)     /* the enclave broke the exit protocol */
#define URTS_ESTOPPED (-10005)   /* urts_halt: the host did not enter the enclave again */
#define URTS_MAX_EXCEPTIONS 16

struct urts_desc {
    const char *pal_path;                 /* trusted PAL ELF (OENTRY) */
    const struct sgx_layout_elf *extra;   /* further ELFs, may be NULL */
    size_t n_extra;
    const uint8_t *blob;                  /* e.g. the canonical manifest */
    size_t blob_size;
    uint32_t threads;
    uint32_t nssa;                        /* >= 2; 3 to survive a fault in stage 1 */
    uint64_t stack_size;                  /* per thread, page multiple */
    uint64_t heap_size;
    bool aex_notify;                      /* ATTRIBUTES.AEXNOTIFY + TCS.FLAGS.AEXNOTIFY */
    uint64_t xfrm;                        /* 0: x87|SSE */
    sgx_sign_key *key;                    /* NULL: a fresh RSA-3072 test key */
    FILE *log_counters;                   /* non-NULL (debug log level): transition
                                             counts are printed there at urts_destroy */
    /* Manifest-built enclaves (geode run): the complete layout description
     * (enclave_image.c), used instead of the fields above that it covers
     * (ELFs, blob, threads, NSSA, stack, heap, attributes, XFRM), and the
     * SIGSTRUCT to EINIT with instead of signing with key. */
    const struct sgx_layout_desc *layout;
    const struct sgx_sigstruct *sigstruct;
    /* Optional: called before each EINIT with sigstruct_arg; returns 0 once
     * *sigstruct is written (geode run signs while the pages are added),
     * else -errno and the build fails without EINIT. */
    int (*sigstruct_wait)(void *arg);
    void *sigstruct_arg;
    /* With layout and sigstruct: the page list built (and measured) from
     * layout, used for every build and rebuild instead of building it again. */
    const struct sgx_layout *pages;
    /* The libOS handles program exceptions (every system call is one)
     * inside: no URTS_MAX_EXCEPTIONS limit between two EEXITs. */
    bool unlimited_exceptions;
};

/* Host-side counts of enclave transitions (whole enclave, all threads). */
struct urts_counters {
    uint64_t eenter, eexit, eresume, ocalls, exceptions;
    uint64_t eadd; /* pages added (EADD) when this enclave was built */
};

struct urts_result {
    int64_t status;  /* the ECALL's own status: 0 or -errno */
    uint64_t value;
};

struct urts_thread;
struct urts_enclave;

/* Test hook behind OCALL_HOOK; its return value is the OCALL's result. */
typedef int64_t (*urts_hook_fn)(struct urts_enclave *e, uint32_t thread, uint64_t cookie, void *ctx);

int urts_create(const struct sgx_driver *drv, const struct urts_desc *desc, struct urts_enclave **out,
                struct sgx_err *err);
void urts_destroy(struct urts_enclave *e);

int urts_ecall(struct urts_enclave *e, uint32_t thread, uint64_t number, void *arg, uint64_t arg2,
               struct urts_result *res);
int urts_ecall_restartable(struct urts_enclave *e, uint32_t thread, uint64_t number, void *arg,
                           uint64_t arg2, struct urts_result *res, unsigned max_restarts);
/* Tears the enclave down and builds it again from the same description. */
int urts_rebuild(struct urts_enclave *e, struct sgx_err *err);

void urts_set_hook(struct urts_enclave *e, urts_hook_fn fn, void *ctx);
/* What a host child of OCALL_FORK runs (urts_fork.c), with the thread
 * that forked and its end of the channel; never returns. Without one,
 * OCALL_FORK fails with ENOSYS. */
typedef void (*urts_fork_fn)(struct urts_enclave *e, uint32_t thread, int channel, void *ctx);
void urts_set_fork_handler(struct urts_enclave *e, urts_fork_fn fn, void *ctx);
/* Test hook playing a hostile host: runs on each OCALL frame after it was
 * served and may rewrite result/out_size/data before the enclave reads them. */
typedef void (*urts_frame_hook_fn)(struct ocall_frame *f, void *ctx);
void urts_set_frame_hook(struct urts_enclave *e, urts_frame_hook_fn fn, void *ctx);
/* Test hook: runs in the vDSO's user handler after an exception AEX, on
 * the untrusted stack where the AEX left the thread, as any host code
 * there may (a signal frame the kernel pushes, a deeper handler). */
typedef void (*urts_aep_hook_fn)(void *ctx);
void urts_set_aep_hook(struct urts_enclave *e, urts_aep_hook_fn fn, void *ctx);
void urts_counters(const struct urts_enclave *e, struct urts_counters *out);
const char *urts_last_error(const struct urts_enclave *e, uint32_t thread);
struct sgx_driver_encl *urts_driver_encl(const struct urts_enclave *e);
/* Test hook: the driver's inject_epc_loss (the sim); -ENOTSUP without it. */
int urts_inject_epc_loss(struct urts_enclave *e);
uint64_t urts_base(const struct urts_enclave *e);
unsigned urts_restarts(const struct urts_enclave *e);

/* urts_thread.c: the host word enclave thread `thread` sleeps on, to pass
 * with ECALL_RUN (RDX); the threads it starts get theirs with ECALL_THREAD. */
uint64_t urts_futex_word(struct urts_enclave *e, uint32_t thread);

/* urts_thread.c, for geode run's restart after EPC loss and its end after
 * a fatal error (run_restart.c). With a lost handler set, a host thread
 * whose ECALL_THREAD returns URTS_ELOST calls it and ends, instead of ending
 * the process; with a fatal handler set, so does one whose ECALL_THREAD
 * fails otherwise (URTS_EFATAL, a faulting EENTER, a protocol error, a
 * thread the enclave refused to start; urts_last_error names it). Without
 * handlers those end the process (status 1, after a line on stderr).
 * urts_stop_threads halts the enclave (urts_halt), then wakes every futex
 * word and sends `kick` (a signal with a handler that does nothing, or 0)
 * to the host threads still running until each has returned (an OCALL
 * interrupted by it comes back, and the thread is not entered again), joins
 * them and clears the words. Returns 0, or -ETIMEDOUT when some were still
 * running after timeout_ms (a thread that never leaves the enclave):
 * the enclave must not be rebuilt or destroyed then. */
typedef void (*urts_lost_fn)(struct urts_enclave *e, uint32_t thread, void *ctx);
void urts_set_lost_handler(struct urts_enclave *e, urts_lost_fn fn, void *ctx);
void urts_set_fatal_handler(struct urts_enclave *e, urts_lost_fn fn, void *ctx);
int urts_stop_threads(struct urts_enclave *e, int kick, unsigned timeout_ms);

/* urts_run.c: from now on no OCALL is served (urts_serve_ocall refuses
 * with -ECANCELED) and no thread of e is entered again after an exit: each
 * ECALL in progress returns URTS_ESTOPPED when its thread next leaves the
 * enclave (an OCALL, an exception, a stage-1 exit). A thread running
 * inside without exits runs on. Its pending OCALLs make the enclave
 * unusable until urts_rebuild, which lifts the halt. Async-signal-safe. */
void urts_halt(struct urts_enclave *e);
bool urts_halted(const struct urts_enclave *e);

/* Test hook playing a host that breaks the OCALL protocol (geode run's
 * GEODE_SIM_BAD_ENTRY_AFTER_MS): the first OCALL that enclave thread
 * `thread` makes at or after `at_ns` (CLOCK_MONOTONIC) is not served but
 * answered with EENTER for a new ECALL, which the trusted PAL refuses with
 * EXIT_FATAL (FATAL_BAD_ENTRY): that ECALL returns URTS_EFATAL. 0, or
 * -EINVAL when there is no such thread. */
int urts_test_bad_entry(struct urts_enclave *e, uint32_t thread, uint64_t at_ns);

/* Serves one OCALL frame at `frame` (host memory written by the enclave):
 * validates the header, runs the handler, writes result and out_size.
 * Returns 0, -EPROTO when the frame is malformed, or -ECANCELED after
 * urts_halt (in both cases nothing is run). */
int urts_serve_ocall(struct urts_enclave *e, uint32_t thread, uint64_t number, uint64_t frame);

#endif
