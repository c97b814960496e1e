/* The pieces System V shared memory and semaphores share (sysv_ipc.h). */
#include "sys/sysv_ipc.h"

#include "core/creds.h"
#include "core/signal.h"

#define CAP_IPC_OWNER_ 15
#define CAP_SYS_ADMIN_ 21

void *ipc_table_shared(const char *name, size_t bytes)
{
    if (!PAL_HAS(pal, memfd_create) || !PAL_HAS(pal, file_map_shared))
        return NULL;
    pal_handle h;
    void *p = NULL, *t = NULL;
    if (pal->memfd_create(name, &h) < 0)
        return NULL;
    if (pal->ftruncate(h, (int64_t)bytes) == 0 && pal->mem_reserve(&p, bytes, 0) == 0) {
        if (pal->file_map_shared(h, p, bytes, 0, PAL_PROT_READ | PAL_PROT_WRITE) == 0)
            t = p;
        else
            pal->mem_free(p, bytes);
    }
    pal->close(h); /* the mapping keeps the memfd */
    return t;
}

void *ipc_table_private(void **slot, spinlock_t *guard, size_t bytes, bool *priv)
{
    void *t = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (t)
        return t;
    spin_lock(guard);
    t = *slot;
    if (!t) {
        void *p = NULL;
        if (pal->mem_reserve(&p, bytes, 0) == 0) {
            if (pal->mem_commit(p, bytes, PAL_PROT_READ | PAL_PROT_WRITE) == 0) {
                *priv = true;
                t = p;
                __atomic_store_n(slot, p, __ATOMIC_RELEASE);
            } else {
                pal->mem_free(p, bytes);
            }
        }
    }
    spin_unlock(guard);
    return t;
}

/* A futex on the table's memory, so it holds across processes that map it. */
void ipc_lock(uint32_t *word)
{
    lock_count_begin(); /* a signal's default action must not come in here (sysv_sem_exit) */
    uint32_t c = 0;
    if (__atomic_compare_exchange_n(word, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return;
    if (c != 2)
        c = __atomic_exchange_n(word, 2, __ATOMIC_ACQUIRE);
    while (c != 0) {
        pal->futex_wait(word, 2, -1);
        c = __atomic_exchange_n(word, 2, __ATOMIC_ACQUIRE);
    }
}

void ipc_unlock(uint32_t *word)
{
    if (__atomic_exchange_n(word, 0, __ATOMIC_RELEASE) == 2)
        pal->futex_wake(word, 1);
    lock_count_end();
}

void ipc_changed(uint32_t *word)
{
    __atomic_add_fetch(word, 1, __ATOMIC_RELEASE);
    pal->futex_wake(word, 1 << 30);
}

long ipc_wait(uint32_t *word, uint32_t seen, int64_t *left)
{
    int64_t forever = -1, t0 = 0, t1 = 0;
    if (!left)
        left = &forever;
    if (*left == 0)
        return -PAL_EAGAIN;
    pal->clock_get(1 /* CLOCK_MONOTONIC */, &t0);
    pal->futex_wait(word, seen, *left);
    if (*left > 0) {
        pal->clock_get(1, &t1);
        *left = *left > t1 - t0 ? *left - (t1 - t0) : 0;
    }
    return signal_pending_for(cur_thread()->sigmask) ? -PAL_EINTR : 0;
}

int64_t ipc_now_s(void)
{
    int64_t ns = 0;
    pal->clock_get(0 /* CLOCK_REALTIME */, &ns);
    return ns / 1000000000;
}

long ipc_may(const struct ipc_owner *o, uint32_t want)
{
    struct creds *c = creds_locked();
    uint32_t bits = c->id.euid == o->uid || c->id.euid == o->cuid               ? o->mode >> 6
                    : creds_in_groups(c, o->gid) || creds_in_groups(c, o->cgid) ? o->mode >> 3
                                                                                : o->mode;
    bool cap = creds_capable(c, CAP_IPC_OWNER_);
    creds_unlock();
    return cap || !(want & ~bits & 7) ? 0 : -PAL_EACCES;
}

long ipc_owns(const struct ipc_owner *o)
{
    struct creds *c = creds_locked();
    bool ok = c->id.euid == o->uid || c->id.euid == o->cuid || creds_capable(c, CAP_SYS_ADMIN_);
    creds_unlock();
    return ok ? 0 : -PAL_EPERM;
}
