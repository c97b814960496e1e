/* uRTS: the program's processes (sim and sgx). The host of each enclave is
 * a process of the program's pid namespace, the same one direct mode keeps
 * (pal/direct/pidns.h): the first geode process makes it before its enclave
 * runs, forked geode processes inherit it, and the process OCALLs
 * (urts_ocall_procs.c) are served by the direct PAL's own code, so ids,
 * waits, signals, groups and /proc information mean the same in both modes
 * and no call reaches a host process outside the tree. */
#ifndef GEODE_SGX_URTS_PROCS_H
#define GEODE_SGX_URTS_PROCS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pal.h"

/* The first geode process of the tree, before its enclave runs: its own
 * host process group (as direct mode), process 1 of a new namespace, the
 * subreaper of the tree. 0, or -errno (message printed). */
int urts_procs_init(void);
/* From here RUSAGE_CHILDREN counts this host process's children (urts_ocall_proc.c):
 * at urts_procs_init and in each new process of the tree. */
void urts_rusage_children_mark(void);
/* The program starts again after an EPC loss: the thread ids the lost run
 * held are freed. */
void urts_procs_restart(void);
/* The program ends (exit, killed, or the run failed): when this is process
 * 1, every other process of the tree is killed, as in a Linux pid
 * namespace. */
void urts_procs_exit(void);

/* The direct PAL's process calls, served for the enclave (NULL entries
 * before urts_procs_init). The calling host thread may take the namespace
 * lock only after urts_procs_thread (its robust futex list). */
const struct pal_api *urts_procs_api(void);
void urts_procs_thread(void);

/* The pid namespace around a host fork of this geode process (fork OCALL). */
struct urts_fork_id;                                  /* opaque */
long urts_procs_fork_begin(struct urts_fork_id **out); /* child's entry (id) made, host signals blocked as direct_process_fork does; -errno */
void urts_procs_fork_child(struct urts_fork_id *f);    /* in the host child right after fork(): pidns_child_start, signals restored */
long urts_procs_fork_end(struct urts_fork_id *f, pid_t host_pid); /* in the parent: host_pid > 0 -> records it, returns the child's virtual id; host_pid < 0 -> removes the entry, returns -errno(host_pid) */
/* (host_pid is -errno, or fork()'s own -1 with errno still set) */
/* A process pool member (urts_pool.c) becomes the child whose entry the
 * parent recorded under this process's host pid: 0, or -ESRCH. */
int urts_procs_adopt_self(void);

/* An exitless worker takes the file-system ids the enclave last set
 * (OCALL_PROCS_SET_FS_IDS) before it serves a call (urts_ocall_procs.c). */
void urts_fs_ids_sync(void);

#endif
