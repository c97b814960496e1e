/* Trusted PAL: the calling thread's FS/GS bases, its id, its end, and
 * futex-like waiting.
 *
 * GS: the libOS's thread block; its PAL-private words hold this thread's
 * TLS page, which is how PAL code finds its own state while GS is the
 * libOS's (enclave_internal.h: tls_page). FS: the program's; enclave entry
 * resets both bases to the TLS page, so the PAL remembers them and puts
 * them back whenever it returns to libOS or program code.
 *
 * Threads beyond the first are not started inside the enclave yet:
 * thread_create is -ENOSYS (the program sees clone fail with EAGAIN/ENOSYS). */
#include "pal_enclave.h"

#define PAGE 4096ULL

static long pal_thread_create(void (*fn)(void *), void *arg, void *stack_top, void *gs)
{
    (void)fn, (void)arg, (void)stack_top, (void)gs;
    return -PAL_ENOSYS;
}

/* Leaves the enclave for good on this thread: its ECALL returns. */
__attribute__((noreturn)) static void pal_thread_exit(uint32_t *clear_tid)
{
    struct enclave_thread *t = thread_self();

    if (clear_tid)
        __atomic_store_n(clear_tid, 0, __ATOMIC_SEQ_CST);
    for (;;)
        enclave_eexit(EXIT_ECALL_DONE, 0, 0, t->ursp, t->urbp, t->exit_addr);
}

static long pal_thread_id(void)
{
    struct enclave_thread *t = thread_self();
    struct ocall_args a = {{0}};
    struct ocall_iov iov = {&a, sizeof(a)};
    int64_t r;

    if (t->host_tid)
        return (long)t->host_tid;
    r = enclave_ocallv(OCALL_THREAD_ID, &iov, 1, NULL, 0, NULL);
    if (r <= 0 || r > (1L << 30))
        return -PAL_EIO;
    t->host_tid = (uint64_t)r;
    return r;
}

/* The block must be enclave memory outside the PAL's regions and image
 * (the libOS's heap or its own image). */
static int gs_block_ok(uint64_t b)
{
    const struct sgx_layout_tls *tls = tls_self();
    uint64_t off = b - g_encl.base, pal_end = tls->elf_offset[0] + tls->elf_span[0];

    return b % 8 == 0 && b >= g_encl.base && off < g_encl.size && g_encl.size - off >= 64 &&
           (off + 64 <= g_encl.pal_lo || off >= pal_end);
}

static long pal_set_gs_base(void *base)
{
    uint64_t b = (uint64_t)base, tls = tls_page();
    struct enclave_thread *t = (struct enclave_thread *)(tls + THR_OFF);

    if (!gs_block_ok(b))
        return -PAL_EINVAL;
    *(uint64_t *)(b + PAL_GS_PRIVATE_OFFSET) = tls;
    t->libos_gs = b;
    __asm__ volatile("wrgsbase %0" ::"r"(b) : "memory");
    return 0;
}

static long pal_set_fs_base(void *base)
{
    uint64_t b = (uint64_t)base;

    /* Canonical addresses only: WRFSBASE faults on anything else. */
    if ((uint64_t)((int64_t)(b << 16) >> 16) != b)
        return -PAL_EPERM;
    thread_self()->fs_base = b;
    __asm__ volatile("wrfsbase %0" ::"r"(b) : "memory");
    return 0;
}

static long pal_get_fs_base(void **base)
{
    *base = (void *)thread_self()->fs_base;
    return 0;
}

/* One thread per enclave so far: nobody else can change *addr or wake us,
 * so waiting means sleeping out the timeout (or forever, as Linux would),
 * cut short only by a host signal. */
static long pal_futex_wait(uint32_t *addr, uint32_t val, int64_t timeout_ns)
{
    struct ocall_args a = {{0}};
    struct ocall_iov iov = {&a, sizeof(a)};
    int64_t r;

    if (__atomic_load_n(addr, __ATOMIC_SEQ_CST) != val)
        return -PAL_EAGAIN;
    do {
        a.a[0] = timeout_ns < 0 ? 3600LL * 1000000000LL : timeout_ns;
        r = enclave_ocallv(OCALL_SLEEP, &iov, 1, NULL, 0, NULL);
    } while (r == 0 && timeout_ns < 0);
    if (r == 0)
        return -PAL_ETIMEDOUT;
    return r == -PAL_EINTR ? r : -PAL_EIO;
}

static long pal_futex_wake(uint32_t *addr, int n)
{
    (void)addr, (void)n;
    return 0;
}

void enclave_fill_thread(struct pal_api *api)
{
    api->thread_create = pal_thread_create;
    api->thread_exit = pal_thread_exit;
    api->thread_id = pal_thread_id;
    api->set_gs_base = pal_set_gs_base;
    api->set_fs_base = pal_set_fs_base;
    api->get_fs_base = pal_get_fs_base;
    api->futex_wait = pal_futex_wait;
    api->futex_wake = pal_futex_wake;
}
