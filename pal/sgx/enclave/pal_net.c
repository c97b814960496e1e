/* Trusted PAL: the net family of struct pal_api over OCALLs (ocall_abi.h). */
#include "pal_enclave.h"

void enclave_fill_net(struct pal_api *api)
{
    (void)api;
}
