/* Trusted PAL: the fs family of struct pal_api over OCALLs (ocall_abi.h). */
#include "pal_enclave.h"

void enclave_fill_fs(struct pal_api *api)
{
    (void)api;
}
