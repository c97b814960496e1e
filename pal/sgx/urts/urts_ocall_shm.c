/* Host side of the shared-memory OCALLs (abi/ocall_abi.h, 160..175):
 * MAP_SHARED mappings outside the enclave that every process of the tree
 * sees (a forked host child inherits them at the same address), and futex
 * waits and wakes on them with the kernel's shared futex, keyed by the
 * page, so they reach waiters in other processes.
 *
 * The host keeps a table of the mappings it made. Unmap, protect and the
 * futex calls act only inside them: the enclave names host addresses, and
 * must not be able to unmap or wait on the runtime's own memory (its OCALL
 * stacks, its signal word). The table is plain process memory, so a forked
 * child has the parent's. */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "host_cp.h"
#include "urts_internal.h"
#include "urts_ocall.h"

#define SHM_MAX 1024
#define PAGE 4096ULL
#define NS 1000000000LL

static struct {
    uint64_t lo, hi;
} maps[SHM_MAX];
static int n_maps;
static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* A fork (OCALL_FORK on one thread) while another thread holds the lock
 * would leave the child's copy locked for good: fork takes it first. */
static void lock_table(void)
{
    pthread_mutex_lock(&maps_lock);
}
static void unlock_table(void)
{
    pthread_mutex_unlock(&maps_lock);
}
static void register_atfork(void)
{
    pthread_atfork(lock_table, unlock_table, unlock_table);
}

/* True when [lo, hi) lies inside one mapping of the table. */
static int inside_locked(uint64_t lo, uint64_t hi)
{
    for (int i = 0; i < n_maps; i++)
        if (maps[i].lo <= lo && hi <= maps[i].hi)
            return 1;
    return 0;
}

static int inside(uint64_t lo, uint64_t hi)
{
    pthread_mutex_lock(&maps_lock);
    int r = inside_locked(lo, hi);
    pthread_mutex_unlock(&maps_lock);
    return r;
}

/* [lo, hi) lies inside one mapping made for OCALL_SHM_MAP (urts_fork.c:
 * the bulk fork stream). */
int urts_shm_inside(uint64_t lo, uint64_t hi)
{
    return hi > lo && inside(lo, hi);
}

static int64_t do_map(const struct urts_enclave *e, int64_t h, int64_t len, int64_t off,
                      int64_t prot)
{
    if (len <= 0 || (uint64_t)len % PAGE || off < 0 || (uint64_t)off % PAGE ||
        (prot & ~(int64_t)(PROT_READ | PROT_WRITE | PROT_EXEC)) || h < -1 ||
        h >= OCALL_MAX_HANDLE || (h < 0 && off))
        return -EINVAL;
    pthread_once(&atfork_once, register_atfork);
    pthread_mutex_lock(&maps_lock);
    if (n_maps == SHM_MAX) {
        pthread_mutex_unlock(&maps_lock);
        return -ENOMEM;
    }
    int flags = MAP_SHARED | (h < 0 ? MAP_ANONYMOUS : 0);
    void *p = mmap(NULL, (size_t)len, (int)prot, flags, (int)h, off);
    int64_t r = p == MAP_FAILED ? -errno : (int64_t)(uintptr_t)p;
    /* The kernel never places it over the enclave (mapped already); make
     * sure, since the enclave would refuse it anyway. (No enclave: the
     * unit tests' loopback.) */
    if (r >= 0 && e && (uint64_t)r < e->base + e->size && e->base < (uint64_t)r + (uint64_t)len) {
        munmap(p, (size_t)len);
        r = -ENOMEM;
    }
    if (r >= 0)
        maps[n_maps].lo = (uint64_t)r, maps[n_maps++].hi = (uint64_t)r + (uint64_t)len;
    pthread_mutex_unlock(&maps_lock);
    return r;
}

/* Takes [lo, hi) out of the table (it lies inside one entry). */
static void forget_locked(uint64_t lo, uint64_t hi)
{
    for (int i = 0; i < n_maps; i++) {
        if (!(maps[i].lo <= lo && hi <= maps[i].hi))
            continue;
        uint64_t end = maps[i].hi;
        if (maps[i].lo < lo && hi < end && n_maps < SHM_MAX) /* a hole in the middle */
            maps[n_maps].lo = hi, maps[n_maps++].hi = end;
        if (maps[i].lo < lo)
            maps[i].hi = lo;
        else if (hi < end)
            maps[i].lo = hi;
        else
            maps[i] = maps[--n_maps];
        return;
    }
}

static int64_t do_unmap(uint64_t lo, int64_t len)
{
    if (len <= 0 || lo % PAGE || (uint64_t)len % PAGE || lo + (uint64_t)len < lo)
        return -EINVAL;
    pthread_mutex_lock(&maps_lock);
    int64_t r = inside_locked(lo, lo + (uint64_t)len) ? 0 : -EINVAL;
    if (r == 0 && munmap((void *)(uintptr_t)lo, (size_t)len) < 0)
        r = -errno;
    if (r == 0)
        forget_locked(lo, lo + (uint64_t)len);
    pthread_mutex_unlock(&maps_lock);
    return r;
}

static int64_t do_protect(uint64_t lo, int64_t len, int64_t prot)
{
    if (len <= 0 || lo % PAGE || (uint64_t)len % PAGE || lo + (uint64_t)len < lo ||
        (prot & ~(int64_t)(PROT_READ | PROT_WRITE | PROT_EXEC)))
        return -EINVAL;
    if (!inside(lo, lo + (uint64_t)len))
        return -EINVAL;
    return mprotect((void *)(uintptr_t)lo, (size_t)len, (int)prot) < 0 ? -errno : 0;
}

static int64_t do_futex_wait(uint64_t addr, int64_t val, int64_t timeout_ns)
{
    struct timespec ts = {timeout_ns / NS, timeout_ns % NS};

    if (addr % 4 || addr + 4 < addr || val < 0 || val > UINT32_MAX || timeout_ns < -1 ||
        !inside(addr, addr + 4))
        return -EINVAL;
    /* Not FUTEX_PRIVATE: the key is the shared page, as for a process-
     * shared semaphore. */
    return HC4(SYS_futex, (uint32_t *)(uintptr_t)addr, FUTEX_WAIT, (uint32_t)val,
               timeout_ns < 0 ? NULL : &ts);
}

static int64_t do_futex_wake(uint64_t addr, int64_t n)
{
    if (addr % 4 || addr + 4 < addr || n < 0 || n > INT32_MAX || !inside(addr, addr + 4))
        return -EINVAL;
    long r = syscall(SYS_futex, (uint32_t *)(uintptr_t)addr, FUTEX_WAKE, (int)n, NULL, NULL, 0);
    return r < 0 ? -errno : r;
}

int64_t urts_ocall_shm(struct urts_enclave *e, uint32_t thread, uint64_t number, const uint8_t *in,
                       uint64_t in_size, uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    struct urts_ocall_in r;
    const int64_t *a = r.a.a;

    (void)thread;
    (void)out;
    (void)out_cap;
    *out_size = 0;
    if (urts_ocall_begin(&r, in, in_size) || !urts_ocall_end(&r))
        return -EINVAL;
    switch (number) {
    case OCALL_SHM_MAP:
        return do_map(e, a[0], a[1], a[2], a[3]);
    case OCALL_SHM_UNMAP:
        return do_unmap((uint64_t)a[0], a[1]);
    case OCALL_SHM_PROTECT:
        return do_protect((uint64_t)a[0], a[1], a[2]);
    case OCALL_SHM_FUTEX_WAIT:
        return do_futex_wait((uint64_t)a[0], a[1], a[2]);
    case OCALL_SHM_FUTEX_WAKE:
        return do_futex_wake((uint64_t)a[0], a[1]);
    }
    return -ENOSYS;
}
