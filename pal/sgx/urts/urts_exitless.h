/* uRTS: exitless OCALLs (geode.ocall_workers; the shared area is described
 * in abi/enclave_abi.h). urts_exitless_start maps the area (the queue
 * and one slot per TCS) and starts the worker threads; its address goes to
 * the enclave in enclave_run_args.exitless (or ecall_ocall_bench.exitless).
 * Workers serve frames with urts_serve_ocall (same handlers, same
 * validation, same frame hook) and never run calls that may block long;
 * OCALL_EXITLESS_WAIT (urts_exitless_wait) serves those, and any request
 * no worker took, on the calling thread. */
#ifndef GEODE_SGX_URTS_EXITLESS_H
#define GEODE_SGX_URTS_EXITLESS_H

#include <stdint.h>

struct urts_enclave;

#define URTS_EXITLESS_MAX_WORKERS 64

struct urts_exitless_counters {
    uint64_t by_worker;     /* frames a worker served (the caller never left) */
    uint64_t handoffs;      /* frames a worker handed back (may block) */
    uint64_t inline_served; /* frames OCALL_EXITLESS_WAIT served on the caller's thread */
    uint64_t waits;         /* OCALL_EXITLESS_WAITs that slept on a worker's request */
};

/* 0, -EINVAL (workers not in 1..URTS_EXITLESS_MAX_WORKERS, or already
 * started), -ENOMEM, or -errno from pthread_create (nothing left running). */
int urts_exitless_start(struct urts_enclave *e, unsigned workers, uint64_t *area);
/* Stops and joins the workers and unmaps the area (before urts_destroy;
 * the enclave must not make OCALLs any more). No-op when not started. */
void urts_exitless_stop(struct urts_enclave *e);
/* In a forked host child: the area goes, the (parent's) workers are not joined. */
void urts_exitless_forget(struct urts_enclave *e);
/* The area's host address for the enclave (0: not started). */
uint64_t urts_exitless_area(const struct urts_enclave *e);
void urts_exitless_counters(const struct urts_enclave *e, struct urts_exitless_counters *out);

/* The OCALL_EXITLESS_WAIT handler (urts_ocall.c's table). */
int64_t urts_exitless_wait(struct urts_enclave *e, uint32_t thread, const uint8_t *in,
                           uint64_t in_size, uint8_t *out, uint64_t out_cap, uint64_t *out_size);

#endif
