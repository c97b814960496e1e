/* Human-readable dump of a SIGSTRUCT (used by `geode sigstruct show`). */
#ifndef GEODE_SGX_SIGSTRUCT_SHOW_H
#define GEODE_SGX_SIGSTRUCT_SHOW_H

#include <stdio.h>

#include "sgx_arch.h"

/* Prints every field, MRSIGNER and the verification verdict.
 * Returns sgx_sigstruct_verify()'s result (0 = valid). */
int sgx_sigstruct_print(FILE *out, const struct sgx_sigstruct *sig);

#endif
