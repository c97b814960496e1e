/* The trusted PAL's implementation of `struct pal_api` (pal/include/pal.h):
 * one filler per family, each in its own file, and the small helpers they
 * share. Every function either works inside the enclave (memory, FS/GS,
 * randomness) or marshals an OCALL (abi/ocall_abi.h) through
 * enclave_ocallv and checks every value the host sends back. */
#ifndef GEODE_PAL_ENCLAVE_H
#define GEODE_PAL_ENCLAVE_H

#include "enclave_internal.h"
#include "ocall_abi.h"
#include "pal.h"

void enclave_fill_fs(struct pal_api *api);     /* pal_fs.c */
void enclave_fill_net(struct pal_api *api);    /* pal_net.c */
/* A handle is closed: its wait-set registrations go (pal_net.c). */
void enclave_waitset_forget(pal_handle h);
void enclave_fill_proc(struct pal_api *api);   /* pal_proc.c: log, exit, time, random */
void enclave_fill_procs(struct pal_api *api);  /* pal_procs.c: the program's processes */
void enclave_fill_mem(struct pal_api *api);    /* pal_mem.c */
void enclave_fill_thread(struct pal_api *api); /* pal_thread.c */
/* pal_shm.c: host shared memory; wraps futex_wait/wake, so it comes after
 * enclave_fill_thread. */
void enclave_fill_shm(struct pal_api *api);
void enclave_fill_attest(struct pal_api *api); /* pal_attest.c: reports and quotes */
void enclave_fill_crypto(struct pal_api *api);

/* pal_mem.c: the heap [lo, lo + size) becomes the libOS's address space. */
int enclave_heap_init(uint64_t lo, uint64_t size);
/* pal_mem.c, for a forked child: heap pages about to receive the parent's
 * contents are in the enclave (EDMM: added and accepted, read-write). */
long enclave_heap_fork_prepare(uint64_t addr, uint64_t pages);
long enclave_heap_fork_prepare_all(void);
int enclave_heap_lazy_fault(uint64_t addr, uint32_t errcd);

/* edmm.c: SGX2 for the heap above what the image builder added. */
int enclave_edmm_on(void);
uint64_t enclave_edmm_from(void); /* first heap address not added at build (~0: no EDMM) */
uint8_t enclave_edmm_perms(int prot); /* PAL_PROT_* -> SECINFO R (always), W, X */
long enclave_edmm_add(uint64_t addr, uint64_t pages); /* EAUG (host) + EACCEPT: zero RW pages */
long enclave_edmm_change(uint64_t addr, uint64_t pages, uint8_t from, uint8_t to); /* EMODPE / EMODPR + EACCEPT */
long enclave_edmm_remove(uint64_t addr, uint64_t pages, void (*gone)(uint64_t addr)); /* EMODT TRIM + EACCEPT + EREMOVE */

/* pal_proc.c: the CPU to another host thread (OCALL_YIELD). */
long enclave_yield(void);
/* pal_proc.c: the upcalls the libOS registered (NULL before). */
extern const struct pal_upcalls *enclave_upcalls;

/* pal_boot.c: the ECALL that starts the libOS. */
struct ecall_result enclave_run_libos(uint64_t arg);

/* pal_thread.c / pal_futex.c: threads, one per TCS and trusted slot. */
#define PAL_MAX_THREADS 1024 /* TCSs beyond these are never used */
/* ECALL_THREAD: runs the thread claimed in `slot` (the TCS entered). */
struct ecall_result enclave_thread_run(uint64_t futex_word, uint64_t slot);
/* The host word the calling thread sleeps on (0: none); -EFAULT if it is
 * not a 4-aligned host address. */
int enclave_futex_set_word(uint64_t word);
long enclave_futex_wake(uint32_t *addr, int n);
long enclave_futex_requeue(uint32_t *addr, int n_wake, uint32_t *addr2, int n_requeue,
                           const uint32_t *cmp, int flags);
void enclave_fill_futex(struct pal_api *api);

/* cpuid_mask.c: the host's CPUID answer r for (leaf, sub) as the enclave
 * may see it with its XFRM; ask gives other raw answers (leaf 0xD's sizes). */
void enclave_cpuid_mask(uint32_t leaf, uint32_t sub, uint32_t r[4], uint64_t xfrm,
                        int (*ask)(uint32_t, uint32_t, uint32_t[4]));

/* exception.c -> the libOS: a program syscall or fault, on the PAL stack. */
void enclave_upcall(struct exc_ctx *ctx);

/* pal_fork.c: fork into a new enclave; ECALL_FORK's receiving side. */
void enclave_fill_fork(struct pal_api *api);
struct ecall_result enclave_fork_child(int64_t channel);
struct ecall_result enclave_fork_prepare(uint64_t arg);
/* A piece of PAL state that a forked child takes over byte for byte. */
struct enclave_fork_state {
    void *ptr;
    uint64_t size;
};
struct enclave_fork_state enclave_boot_fork_state(void);   /* pal_boot.c */
struct enclave_fork_state enclave_heap_fork_state(void);   /* pal_mem.c */
struct enclave_fork_state enclave_net_fork_state(void);    /* pal_net.c */
void enclave_net_adopt(void); /* pal_net.c: a forked child's own registration tag */
struct enclave_fork_state enclave_thread_fork_state(void); /* pal_thread.c: this TCS's slot */
/* In the child, once everything arrived: 0, or -1 when it does not fit. */
int enclave_boot_claim(void);
int enclave_boot_hold(void);
void enclave_boot_release(void);
int enclave_boot_adopt(void);
int enclave_heap_adopt(void);
int enclave_thread_adopt(uint64_t fs, uint64_t gs);
/* pal_boot.c: the page range of the libOS image's writable segments;
 * 0, or -1 before the libOS is in place. */
int enclave_libos_writable(uint64_t *lo, uint64_t *hi);
/* pal_mem.c: the heap's page maps [lo, hi), its end, and its committed
 * pages as runs of one protection: fills *run from page *next on and
 * advances *next; 0 when there are no more. */
struct enclave_heap_run {
    uint64_t addr, pages;
    int prot;
};
void enclave_heap_meta(uint64_t *lo, uint64_t *hi);
/* The heap's first page (the layout's heap_offset in this enclave). */
uint64_t enclave_heap_start(void);
/* The addresses [*lo, *hi) of the page-map bytes of heap pages [a, b). */
void enclave_heap_pmap_span(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi);
uint64_t enclave_heap_end(void);
int enclave_heap_next_run(uint64_t *next, struct enclave_heap_run *run);
long enclave_heap_host_protect(uint64_t addr, uint64_t len, int prot);
/* No memory operation (commit, protect, free, lazy fault) runs between
 * freeze and thaw but the caller's: a fork copies the maps and pages as
 * they are. While a thread holds that lock (ops_mine) no host signal is
 * handed to the libOS on it: the libOS may allocate while it takes one,
 * and a forking thread holds the allocator's lock while it waits for this
 * one (libos/sys/clone.c). They go over at the release. */
void enclave_heap_freeze(void);
void enclave_heap_thaw(void);
int enclave_heap_ops_mine(void);
/* pal_thread.c: runs fn(arg) on [.., top) for good. */
__attribute__((noreturn)) void enclave_run_on_stack(void (*fn)(void *), void *arg, uint64_t top);
/* pal_proc.c: ends the process (OCALL_EXIT). */
__attribute__((noreturn)) void enclave_exit_process(int status);

/* strlen(s) + 1 when that is at most max, else 0 (the caller fails with
 * -ENAMETOOLONG). */
static inline uint64_t pal_strsize(const char *s, uint64_t max)
{
    for (uint64_t n = 0; n < max; n++)
        if (!s[n])
            return n + 1;
    return 0;
}

/* A handle the host returned: a host fd below OCALL_MAX_HANDLE, or -EIO. */
static inline long pal_check_handle(int64_t r)
{
    if (r < 0)
        return r;
    return r < OCALL_MAX_HANDLE ? r : -PAL_EIO;
}

#endif
