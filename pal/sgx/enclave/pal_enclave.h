/* The trusted PAL's implementation of `struct pal_api` (pal/include/pal.h):
 * one filler per family, each in its own file, and the small helpers they
 * share. Every function either works inside the enclave (memory, FS/GS,
 * randomness) or marshals an OCALL (enclave/ocall_abi.h) through
 * enclave_ocallv and checks every value the host sends back. */
#ifndef GEODE_PAL_ENCLAVE_H
#define GEODE_PAL_ENCLAVE_H

#include "enclave_internal.h"
#include "ocall_abi.h"
#include "pal.h"

void enclave_fill_fs(struct pal_api *api);     /* pal_fs.c */
void enclave_fill_net(struct pal_api *api);    /* pal_net.c */
void enclave_fill_proc(struct pal_api *api);   /* pal_proc.c: log, exit, time, random, ids */
void enclave_fill_mem(struct pal_api *api);    /* pal_mem.c */
void enclave_fill_thread(struct pal_api *api); /* pal_thread.c */

/* strlen(s) + 1 when that is at most max, else 0 (the caller fails with
 * -ENAMETOOLONG). */
static inline uint64_t pal_strsize(const char *s, uint64_t max)
{
    for (uint64_t n = 0; n < max; n++)
        if (!s[n])
            return n + 1;
    return 0;
}

/* A handle the host returned: a host fd below OCALL_MAX_HANDLE, or -EIO. */
static inline long pal_check_handle(int64_t r)
{
    if (r < 0)
        return r;
    return r < OCALL_MAX_HANDLE ? r : -PAL_EIO;
}

#endif
