/* The ECALL table. Each handler validates its untrusted argument by copying it
 * in once (copy_from_host) and writes results back with copy_to_host. The
 * test ECALLs (OCALL_TEST, COMPUTE, FAULT, OCALL_BENCH) exist only in the
 * test build of the enclave (test/ecalls_test.c). */
#include "ocall_exitless.h"
#include "pal_enclave.h"
#include "pal_signal.h"
#ifdef GEODE_TEST_ECALLS
#include "test/ecalls_test.h"
#endif

#define EINVAL 22
#define EFAULT 14
#define ENOSYS 38
#define EBUSY 16

typedef struct ecall_result (*ecall_fn)(uint64_t arg, uint64_t arg2);

/* The host states how it built the enclave; the answer is the enclave's own
 * view (from EREPORT at initialization), which the host compares. */
static struct ecall_result ecall_config(uint64_t arg, uint64_t arg2)
{
    struct enclave_config cfg;

    (void)arg2;
    if (copy_from_host(&cfg, arg, sizeof(cfg)) || cfg.aex_notify > 1)
        return ecall_fail(EINVAL);
    return ecall_ok(g_encl.aex_notify);
}

void enclave_stats_read(struct enclave_stats *s)
{
    *s = (struct enclave_stats){.ecalls = g_encl.ecalls,
                                .ocalls = g_encl.ocalls,
                                .exceptions = g_encl.exceptions,
                                .notifications = g_encl.notifications,
                                .edeccssa = g_encl.edeccssa,
                                .stage1_exits = g_encl.stage1_exits};
    enclave_exitless_stats(&s->exitless, &s->exitless_waits);
    enclave_fork_stats(&s->fork_pages, &s->fork_data_pages);
}

static struct ecall_result ecall_stats(uint64_t arg, uint64_t arg2)
{
    struct enclave_stats s;

    (void)arg2;
    enclave_stats_read(&s);
    return copy_to_host(arg, &s, sizeof(s)) ? ecall_fail(EFAULT) : ecall_ok(0);
}

/* The host words and areas ECALL_RUN names (each field read once here;
 * pal_boot.c reads the rest), then the libOS. */
static struct ecall_result ecall_run(uint64_t arg, uint64_t futex_word)
{
    uint64_t word, area;

    if (enclave_futex_set_word(futex_word))
        return ecall_fail(EFAULT);
    if (copy_from_host(&word, arg + __builtin_offsetof(struct enclave_run_args, signal_word), sizeof(word)) ||
        enclave_signal_set_word(word))
        return ecall_fail(EFAULT);
    if (copy_from_host(&area, arg + __builtin_offsetof(struct enclave_run_args, exitless), sizeof(area)) ||
        enclave_exitless_setup(area))
        return ecall_fail(EFAULT);
    return enclave_run_libos(arg);
}

/* ECALL_FORK: the per-run host words as ECALL_RUN, then the parent's
 * state (pal_fork.c). */
static struct ecall_result ecall_fork(uint64_t arg, uint64_t futex_word)
{
    struct enclave_fork_args fa;

    if (enclave_boot_claim())
        return ecall_fail(EBUSY);
    if (copy_from_host(&fa, arg, sizeof(fa)) || fa.run.host_flags & ~ENCLAVE_HOST_BASES_VOLATILE)
        return ecall_fail(EINVAL);
    if (enclave_futex_set_word(futex_word) || enclave_signal_set_word(fa.run.signal_word) ||
        enclave_exitless_setup(fa.run.exitless))
        return ecall_fail(EFAULT);
    __atomic_store_n(&enclave_bases_volatile, (fa.run.host_flags & ENCLAVE_HOST_BASES_VOLATILE) != 0,
                     __ATOMIC_RELAXED);
    return enclave_fork_child(fa.channel);
}

static struct ecall_result ecall_fork_prepare(uint64_t arg, uint64_t arg2)
{
    (void)arg2;
    return enclave_fork_prepare(arg);
}

static struct ecall_result ecall_thread(uint64_t futex_word, uint64_t slot)
{
    return enclave_thread_run(futex_word, slot);
}

/* Function pointers in data: valid only after self-relocation. */
static const ecall_fn ecall_table[ECALL_COUNT] = {
    [ECALL_CONFIG] = ecall_config, [ECALL_STATS] = ecall_stats, [ECALL_RUN] = ecall_run,
    [ECALL_THREAD] = ecall_thread, [ECALL_FORK] = ecall_fork,
    [ECALL_FORK_PREPARE] = ecall_fork_prepare,
#ifdef GEODE_TEST_ECALLS
    /* Test and benchmark ECALLs (test/ecalls_test.c): only in
     * pal-enclave-test.elf, never in the enclave users run. */
    [ECALL_OCALL_TEST] = ecall_test_ocall, [ECALL_COMPUTE] = ecall_test_compute,
    [ECALL_FAULT] = ecall_test_fault,      [ECALL_OCALL_BENCH] = ecall_test_ocall_bench,
#endif
};

struct ecall_result enclave_dispatch(uint64_t number, uint64_t arg, uint64_t arg2)
{
    if (number >= ECALL_COUNT || !ecall_table[number])
        return ecall_fail(ENOSYS);
    return ecall_table[number](arg, arg2);
}
