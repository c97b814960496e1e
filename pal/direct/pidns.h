/* Direct PAL: the program's pid namespace, a table shared by the processes
 * of one tree (pidns.c). The first geode process maps it MAP_SHARED before
 * the program starts; forked children inherit the mapping, so every process
 * of the tree sees the same table. Each entry maps a virtual id (what the
 * program sees) to a host pid, so the PAL can only ever name host
 * processes that the tree itself created.
 *
 * A host pid stays valid (cannot be reused) until its parent reaps it. Every
 * reap goes through process_wait, which removes the entry under the table
 * lock before the host reap, and every host signal is sent under the lock:
 * so no signal can reach a reused pid. Orphans are adopted by process 1
 * (the root is a child subreaper), whose libOS reaps them the same way. If
 * the root itself is gone (killed from outside), Linux kills every process
 * of a pid namespace whose init has ended: here the kernel does, through a
 * pipe whose write end only the root holds and whose read end every other
 * process watches with O_ASYNC and F_SETSIG SIGKILL (pidns.c). Where that
 * could not be set up, every process still checks the root (a pidfd
 * inherited from it) before it signals, and ends itself when it is gone,
 * so that the host's init reaping orphans behind the table's back cannot
 * make a signal reach a reused pid.
 *
 * In an enclave (sim, sgx) the host of each enclave is the process of the
 * tree: pal/sgx/urts/urts_procs.c makes the table before the enclave runs
 * and serves the process OCALLs with the functions of pal_proc.c,
 * pal_pgrp.c and pal_procinfo.c on any of its host threads. */
#ifndef GEODE_PAL_DIRECT_PIDNS_H
#define GEODE_PAL_DIRECT_PIDNS_H

#include <stdbool.h>
#include <stdint.h>

enum { NS_FREE = 0, NS_PROCESS = 1, NS_THREAD = 2 };

/* One id of the namespace. Fields are written under the lock; id is
 * written last on creation and first on removal, so a reader without the
 * lock (the signal handler's sender check) never sees a half-made entry. */
struct ns_entry {
    int32_t id;    /* virtual id; 0: free slot */
    int32_t kind;  /* NS_PROCESS or NS_THREAD */
    int32_t host;  /* process: host pid (0 until the fork has returned) */
    int32_t owner; /* thread: its process's id; process: its own id */
    int32_t pgid;  /* process: virtual group and session (0: their leader */
    int32_t sid;   /*   is outside the tree, as in a Linux pid namespace) */
    int32_t hpgid; /* process: host process group */
    int32_t pad;
};

/* The process's own entry and the table; NULL before pidns_init. */
struct ns_entry *pidns_self(void);
/* Maps the table, registers the calling process as id 1 (group and session
 * 1 when geode leads them on the host), makes it the subreaper of the tree
 * and opens the pidfd children use to check that it lives. */
int pidns_init(void);
/* Registers the robust-futex head of the calling host thread, so that a
 * thread dying while it holds the table lock releases it (OWNER_DIED). */
void pidns_thread_start(void);

/* The table lock. Returns false, without locking, when the calling thread
 * holds it already (an exit path re-entered from a signal handler). */
bool pidns_lock(void);
void pidns_unlock(void);
/* Whether the calling thread holds the lock (a signal handler that
 * interrupted it must not stop the process: others may wait for it). */
bool pidns_held(void);

/* Under the lock: the entry of id (any kind), of a host process, a new
 * entry (id allocated; fields other than id/kind/owner zero) or NULL when
 * the table is full; removing a process removes its threads too. */
struct ns_entry *pidns_find(int32_t id);
struct ns_entry *pidns_find_host(int32_t host);
/* Without the lock: the id of a host process of the tree, 0 when none (an
 * entry made or removed meanwhile may or may not be seen, as if the call
 * had come just before or after). */
int32_t pidns_peek_host(int32_t host);
struct ns_entry *pidns_new(int kind, int32_t owner);
void pidns_remove(struct ns_entry *e);
/* Iteration over the slots (under the lock). */
struct ns_entry *pidns_slot(int i);
int pidns_slots(void);

/* pal_tty.c: request req of pal_ioctl.h on host descriptor fd, the
 * argument at arg (an id of the namespace for TIOCGPGRP, TIOCSPGRP and
 * TIOCGSID, translated to and from the host's); flags PAL_TTY_QUIET blocks
 * SIGTTOU on the calling thread for the call. 0 or the host's -errno.
 * Takes the namespace's lock for the ids. */
long direct_tty_call(int fd, unsigned long req, void *arg, int flags);

/* Under the lock, before any host signal to another process: ends the
 * calling process when process 1 has ended. */
void pidns_check_root(void);
/* Process 1 is ending: SIGKILL to every other process of the tree. */
void pidns_root_exit(void);
/* From a signal handler, without the lock: true when host pid sent a
 * signal from inside the tree. */
bool pidns_host_inside(int32_t host);
/* A host pid as an id of the namespace (0 for a process outside it, as
 * Linux reports one in another pid namespace, e.g. a lock holder); the
 * host pid itself before pidns_init. Takes the lock. */
int32_t pidns_id_of_host(int32_t host);
/* pal_net.c: the pids of SCM_CREDENTIALS (to_host: ids to host pids,
 * else back) and of SO_PEERCRED (host pid to id), also for the SGX host. */
void direct_creds_translate(void *control, size_t len, bool to_host);
void direct_peercred_translate(int level, int name, void *val, uint32_t len);
/* A new child (fork): after the host fork, in the child. */
void pidns_child_start(struct ns_entry *e);

#endif
