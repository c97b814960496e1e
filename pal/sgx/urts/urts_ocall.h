/* Host side of the PAL OCALLs (abi/ocall_abi.h): one handler per family,
 * and the parsing helpers they share. Every handler gets the frame's input
 * (already copied out of the frame), writes at most out_cap bytes of output
 * and its size, and returns the OCALL's result (>= 0 or -errno). A malformed
 * input (short arguments, a string without its NUL or with one inside, a
 * length past the input) is -EINVAL: nothing is done. */
#ifndef GEODE_SGX_URTS_OCALL_H
#define GEODE_SGX_URTS_OCALL_H

#include <stdint.h>

#include "ocall_abi.h"

struct urts_enclave;

typedef int64_t (*urts_ocall_family_fn)(struct urts_enclave *e, uint32_t thread, uint64_t number,
                                        const uint8_t *in, uint64_t in_size, uint8_t *out,
                                        uint64_t out_cap, uint64_t *out_size);

int64_t urts_ocall_fs(struct urts_enclave *e, uint32_t thread, uint64_t number, const uint8_t *in,
                      uint64_t in_size, uint8_t *out, uint64_t out_cap, uint64_t *out_size);
int64_t urts_ocall_net(struct urts_enclave *e, uint32_t thread, uint64_t number, const uint8_t *in,
                       uint64_t in_size, uint8_t *out, uint64_t out_cap, uint64_t *out_size);
int64_t urts_ocall_proc(struct urts_enclave *e, uint32_t thread, uint64_t number, const uint8_t *in,
                        uint64_t in_size, uint8_t *out, uint64_t out_cap, uint64_t *out_size);
int64_t urts_ocall_procs(struct urts_enclave *e, uint32_t thread, uint64_t number, const uint8_t *in,
                         uint64_t in_size, uint8_t *out, uint64_t out_cap, uint64_t *out_size);
int64_t urts_ocall_shm(struct urts_enclave *e, uint32_t thread, uint64_t number, const uint8_t *in,
                       uint64_t in_size, uint8_t *out, uint64_t out_cap, uint64_t *out_size);
int64_t urts_ocall_attest(struct urts_enclave *e, uint32_t thread, uint64_t number,
                          const uint8_t *in, uint64_t in_size, uint8_t *out, uint64_t out_cap,
                          uint64_t *out_size);
/* urts_thread.c: OCALL_THREAD_START, OCALL_FUTEX_WAIT, OCALL_FUTEX_WAKE. */
int64_t urts_ocall_thread(struct urts_enclave *e, uint32_t thread, uint64_t number,
                          const struct ocall_args *a);

/* Set by an exitless worker while it serves a read or write on a socket
 * it found non-blocking (urts_exitless.c): the handlers add MSG_DONTWAIT,
 * so the worker never blocks whatever happens to the socket's flags; and
 * while it tries a poll or waitset wait: the handlers do not wait. */
extern __thread int urts_ocall_dontwait;

/* The handler of a PAL OCALL number, or NULL. */
urts_ocall_family_fn urts_ocall_family(uint64_t number);

/* A cursor over one OCALL's input: the arguments, then variable parts. */
struct urts_ocall_in {
    struct ocall_args a;
    const uint8_t *p;
    uint64_t len, pos;
};

/* Reads the arguments; -EINVAL when the input is shorter than them. */
int urts_ocall_begin(struct urts_ocall_in *r, const uint8_t *in, uint64_t in_size);
/* The next len bytes as a string: exactly one NUL, at the end. NULL if not. */
const char *urts_ocall_str(struct urts_ocall_in *r, int64_t len);
/* The next len bytes (0 <= len, within the input). NULL if not. */
const uint8_t *urts_ocall_bytes(struct urts_ocall_in *r, int64_t len);
/* True when every input byte was consumed (no trailing garbage). */
int urts_ocall_end(const struct urts_ocall_in *r);

#endif
