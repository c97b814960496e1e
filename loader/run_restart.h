/* `geode run --mode sim|sgx` after EPC loss (docs/sim.md, "EPC loss during
 * geode run"): notices the loss on whichever host thread meets it, stops
 * every enclave thread (all their ECALLs return URTS_ELOST or
 * URTS_ESTOPPED) so that the enclave can be rebuilt from the same measured
 * layout and SIGSTRUCT, and, for tests on the sim, injects losses on a
 * timer. After a fatal error on any thread (docs/sgx-pal.md, "When an
 * enclave thread fails") the run ends instead: the enclave is halted at
 * once, one line names the error, every thread is stopped and geode exits
 * with status 1 within about a second, even if a thread never leaves the
 * enclave.
 *
 * The main host thread runs ECALL_RUN between run_ecall_begin and
 * run_ecall_end; the host threads of the other enclave threads report their
 * loss through urts_set_lost_handler, their failure through
 * urts_set_fatal_handler. After a loss, run_stop_all leaves the enclave
 * with no thread inside and no host thread that could enter it. */
#ifndef GEODE_SGX_RUN_RESTART_H
#define GEODE_SGX_RUN_RESTART_H

#include <pthread.h>
#include <stdbool.h>

#include "sgx_err.h"
#include "urts.h"

/* How long the threads of a lost enclave get to leave it (an OCALL blocked
 * in the host is interrupted by RUN_KICK_SIGNAL, a real-time signal whose
 * handler does nothing). */
#define RUN_STOP_TIMEOUT_MS 5000
#define RUN_KICK_SIGNAL (SIGRTMAX - 1)
/* After a fatal error: how long the main thread, then the others, get. */
#define RUN_FATAL_STOP_MS 500

/* Test hook (sim only): GEODE_SIM_EPC_LOSS_AFTER_MS = "N[,N...]": the k-th
 * start of the program loses the enclave N_k ms after its ECALL_RUN begins;
 * starts past the list run undisturbed. */
#define RUN_LOSS_PLAN_MAX 8
struct run_loss_plan {
    unsigned n;
    unsigned ms[RUN_LOSS_PLAN_MAX];
};

/* 0, or -EINVAL when spec is not a list of 1..RUN_LOSS_PLAN_MAX numbers of
 * milliseconds (0..3600000) separated by commas. */
int run_loss_plan_parse(const char *spec, struct run_loss_plan *plan);

struct run_supervisor {
    struct urts_enclave *e;
    const struct run_loss_plan *plan; /* NULL: no injected loss */
    pthread_t main;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool main_in_ecall; /* the main host thread is inside ECALL_RUN */
    bool lost;          /* this start of the program lost the enclave */
    bool fatal;         /* an enclave thread failed: the run ends */
    struct sgx_err why; /* the first report of the loss or the failure */
    bool timer_on, timer_cancel;
    unsigned timer_ms;
    pthread_t timer;
};

/* Called on the main host thread; plan may be NULL. 0 or -errno. */
int run_supervisor_init(struct run_supervisor *s, struct urts_enclave *e,
                        const struct run_loss_plan *plan);
void run_supervisor_destroy(struct run_supervisor *s);

/* Around ECALL_RUN of start number `start` (0 = the first); `ret` is
 * urts_ecall's: an error other than URTS_ELOST or URTS_ESTOPPED is this
 * start's fatal error (printed at once). */
void run_ecall_begin(struct run_supervisor *s, unsigned start);
void run_ecall_end(struct run_supervisor *s, int ret);

/* Waits until some thread reported a loss or a fatal error: returns
 * URTS_ELOST or URTS_EFATAL (after ECALL_RUN returned 0, the main enclave
 * thread ended without ending the process; the process otherwise ends in
 * the last thread's OCALL_EXIT, so this returns only after one of them). */
int run_wait_end(struct run_supervisor *s);

/* After a loss: stops the loss timer and every enclave thread, joins their
 * host threads, disarms the interval timer the program may have set. 0, or
 * -ETIMEDOUT (with the reason in err): some thread would not leave. */
int run_stop_all(struct run_supervisor *s, struct sgx_err *err);

/* After a fatal error (s->fatal, its line printed): stops the watch and
 * every enclave thread, at most RUN_FATAL_STOP_MS. Returns 1, the exit
 * status, when none is left inside (the enclave may be destroyed); else
 * ends the process with it. */
int run_fail(struct run_supervisor *s);

#endif
