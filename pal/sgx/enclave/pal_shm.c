/* Trusted PAL: memory shared with other processes through the host
 * (pal.h: file_map_untrusted, untrusted_unmap, untrusted_protect).
 *
 * No enclave page can be shared with another enclave, so a MAP_SHARED
 * mapping that other processes of the tree must see (a file of an
 * untrusted_shm mount, as in Gramine) is the host's mmap outside the
 * enclave: the host can read and change it at any time, and the program
 * must treat its contents as such (the libOS never keeps its own state
 * there). The enclave accepts an address from the host only when it is
 * page aligned and the whole range lies outside the enclave without
 * wrapping, so no later access through it can reach enclave memory.
 *
 * Futex waits and wakes on such an address must reach the other
 * processes, whose waiters the enclave's own futex table (pal_futex.c)
 * does not know: this file's filler wraps futex_wait and futex_wake so
 * that an address outside the enclave goes to the host's shared futex
 * (the host accepts only addresses inside its shared mappings), and every
 * other address to the trusted table as before. The host can only delay
 * or hasten such wakeups, which futex callers tolerate.
 *
 * Nothing there is executable: an enclave cannot fetch instructions
 * outside itself (SGX faults), and code from host memory would be the
 * host's. PROT_EXEC is refused as on a noexec mount (mmap -EPERM, mprotect
 * -EACCES).
 *
 * There is no state here: a forked child (pal_fork.c copies heap pages
 * only) inherits the host's mappings at the same addresses and the libOS's
 * table of them, and needs nothing else. */
#include "pal_enclave.h"

#define PAGE 4096ULL
#define PROT_ALL (PAL_PROT_READ | PAL_PROT_WRITE | PAL_PROT_EXEC)

static long (*enclave_wait)(uint32_t *addr, uint32_t val, int64_t timeout_ns);
static long (*enclave_wake)(uint32_t *addr, int n);
static long (*enclave_requeue)(uint32_t *addr, int n_wake, uint32_t *addr2, int n_requeue,
                               const uint32_t *cmp, int flags);

static int outside(uint64_t addr, uint64_t len)
{
    return host_range_ok(g_encl.base, g_encl.size, addr, len);
}

static int64_t shm_ocall(uint64_t number, int64_t a0, int64_t a1, int64_t a2, int64_t a3)
{
    struct ocall_args a = {{a0, a1, a2, a3}};
    struct ocall_iov iov = {&a, sizeof(a)};

    return enclave_ocallv(number, &iov, 1, NULL, 0, NULL);
}

static long file_map_untrusted(pal_handle h, size_t len, int64_t off, int prot, void **addr)
{
    int64_t r;

    if (h < -1 || h >= OCALL_MAX_HANDLE || !len || len % PAGE || len > (1ULL << 46) || off < 0 ||
        (uint64_t)off % PAGE || (h < 0 && off) || (prot & ~PROT_ALL))
        return -PAL_EINVAL;
    if (prot & PAL_PROT_EXEC)
        return -PAL_EPERM;
    r = shm_ocall(OCALL_SHM_MAP, h < 0 ? -1 : h, (int64_t)len, off, prot);
    if (r < 0)
        return r;
    /* Never used unless wholly outside: a host that answers with enclave
     * memory would have the program write its data where the host reads. */
    if ((uint64_t)r % PAGE || !outside((uint64_t)r, len))
        return -PAL_EIO;
    *addr = (void *)r;
    return 0;
}

static long untrusted_unmap(void *addr, size_t len)
{
    if ((uint64_t)addr % PAGE || !len || len % PAGE || !outside((uint64_t)addr, len))
        return -PAL_EINVAL;
    return shm_ocall(OCALL_SHM_UNMAP, (int64_t)addr, (int64_t)len, 0, 0) ? -PAL_EINVAL : 0;
}

static long untrusted_protect(void *addr, size_t len, int prot)
{
    if ((uint64_t)addr % PAGE || !len || len % PAGE || (prot & ~PROT_ALL) ||
        !outside((uint64_t)addr, len))
        return -PAL_EINVAL;
    if (prot & PAL_PROT_EXEC)
        return -PAL_EACCES;
    return shm_ocall(OCALL_SHM_PROTECT, (int64_t)addr, (int64_t)len, prot, 0) ? -PAL_ENOMEM : 0;
}

static long futex_wait(uint32_t *addr, uint32_t val, int64_t timeout_ns)
{
    int64_t r;

    if (!outside((uint64_t)addr, sizeof(*addr)))
        return enclave_wait(addr, val, timeout_ns);
    r = shm_ocall(OCALL_SHM_FUTEX_WAIT, (int64_t)addr, val, timeout_ns < 0 ? -1 : timeout_ns, 0);
    if (r == 0 || r == -PAL_EAGAIN || r == -PAL_EINTR || r == -PAL_EINVAL ||
        (r == -PAL_ETIMEDOUT && timeout_ns >= 0))
        return r;
    return -PAL_EIO;
}

static long futex_wake(uint32_t *addr, int n)
{
    int64_t r;

    if (!outside((uint64_t)addr, sizeof(*addr)))
        return enclave_wake(addr, n);
    r = shm_ocall(OCALL_SHM_FUTEX_WAKE, (int64_t)addr, n, 0, 0);
    if (r > n)
        return -PAL_EIO;
    return r;
}

/* Requeue between two enclave futexes only: the host's waiters of shared
 * memory are not the enclave's table's. */
static long futex_requeue(uint32_t *addr, int n_wake, uint32_t *addr2, int n_requeue,
                          const uint32_t *cmp, int flags)
{
    if (!enclave_requeue || outside((uint64_t)addr, sizeof(*addr)) ||
        outside((uint64_t)addr2, sizeof(*addr2)))
        return -PAL_ENOSYS;
    return enclave_requeue(addr, n_wake, addr2, n_requeue, cmp, flags);
}

/* After enclave_fill_thread (which installs the trusted futex). */
void enclave_fill_shm(struct pal_api *api)
{
    api->file_map_untrusted = file_map_untrusted;
    api->untrusted_unmap = untrusted_unmap;
    api->untrusted_protect = untrusted_protect;
    if (api->futex_wait != futex_wait) {
        enclave_wait = api->futex_wait;
        enclave_wake = api->futex_wake;
        enclave_requeue = api->futex_requeue;
    }
    api->futex_wait = futex_wait;
    api->futex_wake = futex_wake;
    api->futex_requeue = futex_requeue;
}
