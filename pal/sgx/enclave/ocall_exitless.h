/* Exitless OCALLs, enclave side (ocall_exitless.c; the shared area is in
 * enclave_abi.h). ocall.c asks for a frame in the calling thread's slot,
 * writes it as it would on the untrusted stack, and hands it over; the
 * result is then read back with the very same checks as after an EEXIT. */
#ifndef GEODE_OCALL_EXITLESS_H
#define GEODE_OCALL_EXITLESS_H

#include <stdint.h>

/* Takes the host's area (once per enclave; 0 is "none"). -EFAULT when the
 * queue is not page-aligned host memory outside the enclave, -EBUSY when
 * an area is already set. */
int enclave_exitless_setup(uint64_t area);

/* The address of a frame in the calling thread's slot for `number` (whose
 * first argument is `handle`, -1 when it has none), or 0: use the exit
 * path (no area, a call that must run on the calling host thread, the slot
 * in use by an outer OCALL, or the adaptive policy says exiting pays). */
uint64_t enclave_exitless_frame(uint64_t number, int64_t handle);

/* Queues the frame written at `frame`, spins on its status for a bounded
 * time, then sleeps via the exit path (OCALL_EXITLESS_WAIT). 0 when the
 * host says it is done (the frame holds the reply, not yet checked), -EIO
 * when the host's word says otherwise. */
int64_t enclave_exitless_call(uint64_t frame);

/* Counters for ECALL_STATS. */
void enclave_exitless_stats(uint64_t *exitless, uint64_t *waits);

#endif
