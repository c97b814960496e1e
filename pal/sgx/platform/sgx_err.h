/* A small error buffer the host-side SGX code fills with one human-readable
 * line naming the problem, so callers (CLI, loader, tests) can print it as is. */
#ifndef GEODE_SGX_ERR_H
#define GEODE_SGX_ERR_H

#include <stddef.h>

struct sgx_err {
    char msg[256];
};

/* Formats into e->msg; e may be NULL (the message is then dropped). */
__attribute__((format(printf, 2, 3))) void sgx_err_set(struct sgx_err *e, const char *fmt, ...);

#endif
