/* Test double for the enclave boundary: the trusted PAL's family files
 * (pal/sgx/enclave/pal_*.c, compiled into a host test) make their OCALLs
 * through this enclave_ocallv, which gathers the input as the enclave does,
 * runs the real host handler (urts_ocall_family) in-process, lets a test
 * play a hostile host (loopback_tamper), and applies the same reply checks
 * as pal/sgx/enclave/ocall.c (size against out_cap, errno range).
 *
 * Include it once, in the test's .c file, before the enclave source. */
#ifndef GEODE_TEST_OCALL_LOOPBACK_H
#define GEODE_TEST_OCALL_LOOPBACK_H

#include <stdint.h>
#include <string.h>

#include "enclave/enclave_internal.h"
#include "urts_ocall.h"

/* Called after the host handler ran; may rewrite the result, the output and
 * its claimed size, as a malicious host could. */
static void (*loopback_tamper)(uint64_t number, int64_t *result, uint8_t *out, uint64_t *out_size);
static uint64_t loopback_calls;
static uint64_t loopback_last_number;

int64_t enclave_ocallv(uint64_t number, const struct ocall_iov *in, unsigned n_in, void *out,
                       uint64_t out_cap, uint64_t *out_size)
{
    static uint8_t inbuf[OCALL_MAX_DATA], outbuf[OCALL_MAX_DATA];
    uint64_t in_size = 0, got = 0;
    urts_ocall_family_fn fn = urts_ocall_family(number);
    int64_t r;

    for (unsigned i = 0; i < n_in; i++) {
        if (in[i].len > OCALL_MAX_DATA - in_size)
            return -22;
        memcpy(inbuf + in_size, in[i].base, in[i].len);
        in_size += in[i].len;
    }
    if (out_cap > OCALL_MAX_DATA)
        return -22;
    loopback_calls++;
    loopback_last_number = number;
    r = fn ? fn(NULL, 0, number, inbuf, in_size, outbuf, out_cap, &got) : -38;
    if (got > out_cap)
        got = out_cap;
    if (loopback_tamper)
        loopback_tamper(number, &r, outbuf, &got);
    if (r >= 0 && got > out_cap)
        return -5;
    if (r >= 0 && got)
        memcpy(out, outbuf, got);
    if (out_size)
        *out_size = r >= 0 ? got : 0;
    return (r >= 0 || r >= -133) ? r : -5;
}

#endif
