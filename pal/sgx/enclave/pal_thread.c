/* Trusted PAL: threads (one per TCS), the calling thread's FS/GS bases,
 * its id and its end.
 *
 * GS: the libOS's thread block; its PAL-private words hold this thread's
 * TLS page, which is how PAL code finds its own state while GS is the
 * libOS's (enclave_internal.h: tls_page). FS: the program's; enclave entry
 * resets both bases to the TLS page, so the PAL remembers them and puts
 * them back whenever it returns to libOS or program code.
 *
 * Starting a thread (as Gramine-SGX does): thread_create records what the
 * thread runs in a trusted slot, one per TCS (slot i runs on TCS i; slot 0
 * is the main thread's, ECALL_RUN), claimed with an atomic state word, and
 * asks the host (OCALL_THREAD_START) for a host thread that enters TCS i
 * with ECALL_THREAD. The entry runs only what the slot holds, once per
 * claim, and only on the TCS of that index: the host chooses when a thread
 * starts, never what it runs. */
#include "pal_enclave.h"

#define PAGE 4096ULL
#define MAX_HOST_TID (1L << 30)

enum slot_state { SLOT_FREE, SLOT_FILLING, SLOT_CLAIMED, SLOT_RUNNING };

struct slot {
    uint32_t state;
    void (*fn)(void *);
    void *arg;
    uint64_t stack_top, gs, fs;
};

static struct slot slots[PAL_MAX_THREADS];

/* TCSs in this enclave (at most PAL_MAX_THREADS), from the measured TLS
 * page: the TCS pages are followed by every thread's SSA frames. */
static uint64_t thread_slots(void)
{
    const struct sgx_layout_tls *tls = tls_self();
    uint64_t tcs0 = tls->tcs_offset - tls->thread_index * PAGE;
    uint64_t ssa0 = tls->ssa_offset - tls->thread_index * tls->nssa * tls->ssa_frame_pages * PAGE;
    uint64_t n = (ssa0 - tcs0) / PAGE;

    return n < PAL_MAX_THREADS ? n : PAL_MAX_THREADS;
}

/* The block must be enclave memory outside the PAL's regions and image
 * (the libOS's heap or its own image). */
static int libos_range_ok(uint64_t b, uint64_t len)
{
    const struct sgx_layout_tls *tls = tls_self();
    uint64_t off = b - g_encl.base, pal_end = tls->elf_offset[0] + tls->elf_span[0];

    return b >= g_encl.base && off < g_encl.size && g_encl.size - off >= len &&
           (off + len <= g_encl.pal_lo || off >= pal_end);
}

static int gs_block_ok(uint64_t b)
{
    return b % 8 == 0 && libos_range_ok(b, 64);
}

static long pal_set_gs_base(void *base)
{
    uint64_t b = (uint64_t)base, tls = tls_page();
    struct enclave_thread *t = (struct enclave_thread *)(tls + THR_OFF);

    if (!gs_block_ok(b))
        return -PAL_EINVAL;
    *(uint64_t *)(b + PAL_GS_PRIVATE_OFFSET) = tls;
    t->libos_gs = b;
    enclave_set_gs(b);
    return 0;
}

static long pal_set_fs_base(void *base)
{
    uint64_t b = (uint64_t)base;

    /* Canonical addresses only: WRFSBASE faults on anything else. */
    if ((uint64_t)((int64_t)(b << 16) >> 16) != b)
        return -PAL_EPERM;
    thread_self()->fs_base = b;
    enclave_set_fs(b);
    return 0;
}

static long pal_get_fs_base(void **base)
{
    *base = (void *)thread_self()->fs_base;
    return 0;
}

/* A free slot (never 0, the main thread's) now SLOT_FILLING, or -1. */
static long claim_slot(void)
{
    uint64_t n = thread_slots();

    for (uint64_t i = 1; i < n; i++) {
        uint32_t expected = SLOT_FREE;

        if (__atomic_compare_exchange_n(&slots[i].state, &expected, SLOT_FILLING, 0,
                                        __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return (long)i;
    }
    return -1;
}

/* The host said it could not start the thread. If the slot is still only
 * claimed, nobody will ever run it (an ECALL_THREAD after this finds it
 * free): the caller keeps arg. Otherwise the thread is running and owns
 * arg, whatever the host said. */
static long start_failed(long slot, long err)
{
    uint32_t expected = SLOT_CLAIMED;

    if (__atomic_compare_exchange_n(&slots[slot].state, &expected, SLOT_FREE, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_RELAXED))
        return err;
    return 0; /* started; its host id is unknown */
}

static long pal_thread_create(void (*fn)(void *), void *arg, void *stack_top, void *gs)
{
    struct ocall_args a = {{0}};
    struct ocall_iov iov = {&a, sizeof(a)};
    uint64_t top = (uint64_t)stack_top;
    long slot;
    int64_t r;

    if (!fn || !gs_block_ok((uint64_t)gs) || top % 16 || !libos_range_ok(top - 256, 256))
        return -PAL_EINVAL;
    slot = claim_slot();
    if (slot < 0)
        return -PAL_EAGAIN;
    slots[slot].fn = fn;
    slots[slot].arg = arg;
    slots[slot].stack_top = top;
    slots[slot].gs = (uint64_t)gs;
    slots[slot].fs = thread_self()->fs_base;
    __atomic_store_n(&slots[slot].state, SLOT_CLAIMED, __ATOMIC_RELEASE);
    a.a[0] = slot;
    r = enclave_ocallv(OCALL_THREAD_START, &iov, 1, NULL, 0, NULL);
    if (r < 0)
        return start_failed(slot, r == -PAL_EAGAIN || r == -PAL_ENOMEM ? r : -PAL_EAGAIN);
    if (r == 0 || r > MAX_HOST_TID)
        return start_failed(slot, -PAL_EIO);
    return (long)r;
}

/* Runs fn(arg) on the libOS stack [.., top); fn never returns (threads end
 * with thread_exit). The PAL stack this ECALL came in on is left behind:
 * exceptions use its top from now on (entry.S). */
__attribute__((noreturn)) void enclave_run_on_stack(void (*fn)(void *), void *arg, uint64_t top)
{
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "call *%1\n\t"
                     "ud2"
                     :
                     : "r"(top), "r"(fn), "D"(arg)
                     : "memory");
    __builtin_unreachable();
}

/* ECALL_THREAD: the host entered TCS `slot` to run the thread claimed
 * there. Returns only when it refuses. */
struct ecall_result enclave_thread_run(uint64_t word, uint64_t slot)
{
    struct enclave_thread *t = thread_self();
    uint32_t expected = SLOT_CLAIMED;
    struct slot s;

    if (slot == 0 || slot >= thread_slots() || slot != tls_self()->thread_index)
        return (struct ecall_result){(uint64_t)-PAL_EINVAL, 0};
    if (!__atomic_compare_exchange_n(&slots[slot].state, &expected, SLOT_RUNNING, 0,
                                     __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
        return (struct ecall_result){(uint64_t)-PAL_EINVAL, 0};
    s = slots[slot];
    if (enclave_futex_set_word(word)) {
        __atomic_store_n(&slots[slot].state, SLOT_CLAIMED, __ATOMIC_RELEASE);
        return (struct ecall_result){(uint64_t)-PAL_EFAULT, 0};
    }
    t->host_tid = 0; /* the TLS page outlives the previous thread on this TCS */
    t->fs_base = s.fs;
    enclave_set_fs(s.fs);
    pal_set_gs_base((void *)s.gs); /* checked by thread_create */
    enclave_run_on_stack(s.fn, s.arg, s.stack_top);
}

/* Leaves the enclave for good on this thread: its ECALL returns and the
 * host thread ends. The slot is free before the joiner is woken (a
 * pthread_join then pthread_create found no free slot: EAGAIN); nothing
 * of the slot is needed after, and the host waits for this host thread
 * before it enters the TCS again. */
__attribute__((noreturn)) static void pal_thread_exit(uint32_t *clear_tid)
{
    struct enclave_thread *t = thread_self();
    uint64_t slot = tls_self()->thread_index;

    if (slot && slot < PAL_MAX_THREADS)
        __atomic_store_n(&slots[slot].state, SLOT_FREE, __ATOMIC_RELEASE);
    if (clear_tid) {
        __atomic_store_n(clear_tid, 0, __ATOMIC_SEQ_CST);
        enclave_futex_wake(clear_tid, 1);
    }
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
    if (r <= 0 || r > MAX_HOST_TID)
        return -PAL_EIO;
    t->host_tid = (uint64_t)r;
    return r;
}

/* --- fork (pal_fork.c): the forking thread's slot (TCS index) --- */

struct enclave_fork_state enclave_thread_fork_state(void)
{
    uint64_t i = tls_self()->thread_index;

    return (struct enclave_fork_state){&slots[i < PAL_MAX_THREADS ? i : 0], sizeof(slots[0])};
}

/* The forked thread's bases; its slot (taken over as it was in the
 * parent) is running here, or is the main thread's. */
int enclave_thread_adopt(uint64_t fs, uint64_t gs)
{
    struct enclave_thread *t = thread_self();
    uint64_t i = tls_self()->thread_index;

    if (i >= PAL_MAX_THREADS || (i && __atomic_load_n(&slots[i].state, __ATOMIC_ACQUIRE) != SLOT_RUNNING) ||
        (uint64_t)((int64_t)(fs << 16) >> 16) != fs || pal_set_gs_base((void *)gs))
        return -1;
    t->host_tid = 0;
    t->fs_base = fs;
    enclave_set_fs(fs);
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
    enclave_fill_futex(api);
}
