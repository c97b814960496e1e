/* What System V shared memory (sysv_shm.c) and semaphores (sysv_sem.c)
 * share: the lock of a table that may live in memory several processes
 * map (a futex word), the seconds their times record, and Linux's
 * permission rules for an IPC object (ipcperms, and who may IPC_SET or
 * IPC_RMID it). */
#ifndef GEODE_LIBOS_SYS_SYSV_IPC_H
#define GEODE_LIBOS_SYS_SYSV_IPC_H

#include "libos.h"

/* An IPC object's owner, creator and mode bits. */
struct ipc_owner {
    uint32_t uid, gid, cuid, cgid, mode;
};

/* A table of bytes (page multiple) in a new PAL memfd mapped shared, which
 * the process tree inherits (made at start, before any fork); NULL where
 * the PAL shares no memory or it cannot be made. */
void *ipc_table_shared(const char *name, size_t bytes);
/* The same in the process's own memory (zeroed), made once: *slot is
 * set under *guard, and *priv says the table is private. NULL: none. */
void *ipc_table_private(void **slot, spinlock_t *guard, size_t bytes, bool *priv);

/* Ids are seq * IPC_IDX_SPAN + slot (Linux's IPCMNI). */
#define IPC_IDX_SPAN 32768
static inline int ipc_id(uint32_t seq, int slot)
{
    return (int)(seq % 65536) * IPC_IDX_SPAN + slot;
}
/* The slot of id among n slots, or -1; the caller checks that the object
 * there is live and has id's seq (ipc_id). */
static inline int ipc_slot(int id, int n)
{
    int slot = id < 0 ? -1 : id % IPC_IDX_SPAN;
    return slot < n ? slot : -1;
}
/* An object's futex word moved: every waiter looks again. */
void ipc_changed(uint32_t *word);
/* Waits while *word is seen, up to *left ns (NULL or -1: forever; what is
 * left is written back). -EINTR when a signal is pending for the thread,
 * -EAGAIN when no time was left, 0: look again. */
long ipc_wait(uint32_t *word, uint32_t seen, int64_t *left);

/* The lock word: 0 free, 1 held, 2 held with waiters. */
void ipc_lock(uint32_t *word);
void ipc_unlock(uint32_t *word);
/* CLOCK_REALTIME in seconds. */
int64_t ipc_now_s(void);
/* ipcperms: want is rwx bits (4 read, 2 alter or write); the owner's or
 * creator's bits by the effective uid, the group's by the groups, the
 * others' else; CAP_IPC_OWNER passes. 0 or -EACCES. */
long ipc_may(const struct ipc_owner *o, uint32_t want);
/* IPC_SET and IPC_RMID: the owner, the creator or CAP_SYS_ADMIN. 0 or -EPERM. */
long ipc_owns(const struct ipc_owner *o);

#endif
