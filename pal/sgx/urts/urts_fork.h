/* uRTS: fork of the program's process (urts_fork.c). */
#ifndef GEODE_SGX_URTS_FORK_H
#define GEODE_SGX_URTS_FORK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "urts.h"

/* OCALL_FORK from enclave thread `thread`: out int64_t[2] = the child's
 * id and the parent's end of the channel. In the host child, the fork
 * handler runs instead and never returns. */
int64_t urts_fork(struct urts_enclave *e, uint32_t thread, uint8_t *out, uint64_t out_cap, uint64_t *out_size);
/* OCALL_PROCS_EXITED: a host child of the namespace that exits with code
 * at once (no enclave); returns its id once it has exited, not reaped. */
int64_t urts_fork_exited(int code);
/* OCALL_FORK_ABORT: the child never took its state; ends and reaps it. */
int64_t urts_fork_abort(int64_t id);
/* OCALL_PROCS_FORK_SEND / FORK_RECV: the fork stream through a mapping of
 * OCALL_SHM_MAP (a[0] socket, a[1] address, a[2] length). */
int64_t urts_fork_bulk(uint64_t number, const int64_t *a);
/* urts_ocall_shm.c: [lo, hi) lies inside one of its mappings. */
int urts_shm_inside(uint64_t lo, uint64_t hi);

/* The host child's side, shared with the pool (urts_pool.c): forget the
 * parent's threads and pool; run the fork handler (never returns); whether
 * the enclave is built already (a pool member's) or the handler builds it. */
void urts_fork_forget_threads(struct urts_enclave *e);
__attribute__((noreturn)) void urts_fork_run_child(struct urts_enclave *e, uint32_t thread, int chan);
bool urts_fork_built(const struct urts_enclave *e);

/* urts_pool.c: geode.process_pool host children with an enclave built
 * ahead of a fork. set_size: how many (0: none); fill: makes the missing
 * ones (in the forking process, after a fork; `child`: the host process
 * that fork made, whose start the new members' builds leave the CPU to,
 * or 0); next: takes a ready one out
 * (0, or -1: none); go: hands it the fork (0, or -1: end and reap it);
 * forget: in a host child, the parent's members are not its own. */
struct urts_pool_member {
    pid_t pid;
    int ctl;
};
void urts_pool_set_size(unsigned n);
void urts_pool_fill(struct urts_enclave *e, pid_t child);
int urts_pool_next(struct urts_pool_member *m);
int urts_pool_go(const struct urts_pool_member *m, uint32_t thread, int chan);
void urts_pool_forget(void);

/* Test hook GEODE_TEST_FORK_TAMPER (urts_fork_tamper.c), in the host
 * child: the channel end to give the child enclave (a relay that plays a
 * hostile host when the variable is set, else chan itself), or -1. */
int urts_fork_tamper(int chan);

#endif
