/* MRENCLAVE measurement engine: the SHA-256 stream the CPU keeps while ECREATE,
 * EADD and EEXTEND build an enclave (SDM 38.7.2 and the ENCLS leaf pseudocode).
 * Every record is 64 bytes:
 *   ECREATE: "ECREATE\0", u32 SSAFRAMESIZE, u64 SIZE, 44 zero bytes
 *   EADD:    "EADD\0\0\0\0", u64 page offset, SECINFO bytes [0,48)
 *   EEXTEND: "EEXTEND\0", u64 chunk offset, 48 zero bytes, then the 256 data bytes
 * A measured page is one EADD followed by 16 EEXTENDs of 256 bytes each.
 *
 * Used by the image builder (geode measure/sign) and, independently, by the sim's
 * EADD/EEXTEND leaves: both feed this stream from what they see, so a divergence
 * between what was planned and what was added shows up as a different MRENCLAVE. */
#ifndef GEODE_SGX_MEASURE_H
#define GEODE_SGX_MEASURE_H

#include <stdbool.h>
#include <stdint.h>

#include "sgx_arch.h"

#define SGX_EEXTEND_CHUNK 256

/* Records are gathered and hashed in batches: one SHA-256 update of many
 * blocks instead of one per 64-byte record (the per-call cost was most of
 * the time for the heap's EADD records). The stream hashed is the same. */
#define SGX_MEASURE_BATCH 4096

struct sgx_measure {
    uint64_t ctx[16]; /* SHA256_CTX, opaque so users need no OpenSSL headers */
    bool live;        /* between init and final/free */
    /* A run of EADD records not hashed yet: pages run_offset + i * 4096
     * for i < run_pages, each with run_secinfo. */
    uint64_t run_offset, run_pages;
    uint8_t run_secinfo[48];
    uint32_t used; /* bytes of batch not hashed yet */
    uint8_t batch[SGX_MEASURE_BATCH];
};

/* A memo of long runs of EADD records (a heap's tens of thousands of
 * pages, added alike at every build): the SHA-256 chaining value after the
 * run, by a key that names the state before it and the run (offset, pages,
 * SECINFO), so a hit gives exactly the state hashing would. get returns 0
 * and the state, or -1; put keeps one (both best effort). Process-wide;
 * none by default (the geode command sets its per-user store). */
struct sgx_measure_memo {
    int (*get)(const uint8_t key[32], uint8_t state[32]);
    void (*put)(const uint8_t key[32], const uint8_t state[32]);
};
void sgx_measure_set_memo(const struct sgx_measure_memo *memo);

/* Starts a measurement with the ECREATE record. Returns 0. */
int sgx_measure_init(struct sgx_measure *m, uint32_t ssa_frame_size, uint64_t size);

/* One EADD record for the page at `offset` (enclave-relative, page aligned). */
int sgx_measure_eadd(struct sgx_measure *m, uint64_t offset, const struct sgx_secinfo *secinfo);
/* sgx_measure_eadd of `pages` consecutive pages from offset, in one call. */
int sgx_measure_eadd_run(struct sgx_measure *m, uint64_t offset, uint64_t pages,
                         const struct sgx_secinfo *secinfo);

/* One EEXTEND record for the 256-byte chunk at `offset` (256-aligned). */
int sgx_measure_eextend(struct sgx_measure *m, uint64_t offset, const uint8_t chunk[SGX_EEXTEND_CHUNK]);

/* EADD and, when `measured`, the 16 EEXTENDs of a 4096-byte page. */
int sgx_measure_add_page(struct sgx_measure *m, uint64_t offset, const struct sgx_secinfo *secinfo,
                         const uint8_t *data, bool measured);

/* Writes the MRENCLAVE the stream would give if finalized now, without
 * ending it (EINIT finalizes a copy: a failed EINIT can be retried). */
int sgx_measure_peek(const struct sgx_measure *m, uint8_t mrenclave[32]);

/* Writes MRENCLAVE and releases the context; further calls return -EINVAL. */
int sgx_measure_final(struct sgx_measure *m, uint8_t mrenclave[32]);

/* Releases the context without a result (safe after final, and twice). */
void sgx_measure_free(struct sgx_measure *m);

#endif
