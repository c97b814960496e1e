/* uRTS: fork of the program's process (urts_fork.c). */
#ifndef GEODE_SGX_URTS_FORK_H
#define GEODE_SGX_URTS_FORK_H

#include <stdint.h>

#include "host/urts.h"

/* OCALL_FORK from enclave thread `thread`: out int64_t[2] = the child's
 * id and the parent's end of the channel. In the host child, the fork
 * handler runs instead and never returns. */
int64_t urts_fork(struct urts_enclave *e, uint32_t thread, uint8_t *out, uint64_t out_cap, uint64_t *out_size);
/* OCALL_FORK_ABORT: the child never took its state; ends and reaps it. */
int64_t urts_fork_abort(int64_t id);

/* Test hook GEODE_TEST_FORK_TAMPER (urts_fork_tamper.c), in the host
 * child: the channel end to give the child enclave (a relay that plays a
 * hostile host when the variable is set, else chan itself), or -1. */
int urts_fork_tamper(int chan);

#endif
