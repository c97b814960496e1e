/* Host side of the fs PAL OCALLs (enclave/ocall_abi.h). */
#include <errno.h>

#include "host/urts_ocall.h"

int64_t urts_ocall_fs(struct urts_enclave *e, uint32_t thread, uint64_t number, const uint8_t *in,
                      uint64_t in_size, uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    (void)e, (void)thread, (void)number, (void)in, (void)in_size, (void)out, (void)out_cap;
    *out_size = 0;
    return -ENOSYS;
}
