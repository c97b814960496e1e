/* The protected-files format (libos/pf/pf.h) on the host: AES-GCM from
 * libcrypto, random bytes from getrandom, a host file through its fd. */
#ifndef GEODE_LOADER_PF_HOST_H
#define GEODE_LOADER_PF_HOST_H

#include "pf.h"

/* ops for the host file *fd (which must outlive the pf_file). */
void pf_host_ops(struct pf_ops *ops, int *fd);

#endif
