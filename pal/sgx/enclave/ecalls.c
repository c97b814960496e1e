/* The ECALL table. Each handler validates its untrusted argument by copying it
 * in once (copy_from_host) and writes results back with copy_to_host. */
#include "ocall_exitless.h"
#include "pal_enclave.h"
#include "pal_signal.h"

#define EINVAL 22
#define EFAULT 14
#define ENOSYS 38
#define EBUSY 16

typedef struct ecall_result (*ecall_fn)(uint64_t arg, uint64_t arg2);

static struct ecall_result ok(uint64_t value)
{
    return (struct ecall_result){0, value};
}

static struct ecall_result fail(int64_t err)
{
    return (struct ecall_result){(uint64_t)-err, 0};
}

/* The host states how it built the enclave; the answer is the enclave's own
 * view (from EREPORT at initialization), which the host compares. */
static struct ecall_result ecall_config(uint64_t arg, uint64_t arg2)
{
    struct enclave_config cfg;

    (void)arg2;
    if (copy_from_host(&cfg, arg, sizeof(cfg)) || cfg.aex_notify > 1)
        return fail(EINVAL);
    return ok(g_encl.aex_notify);
}

static struct ecall_result ecall_ocall_test(uint64_t arg, uint64_t arg2)
{
    struct ecall_ocall_test t;
    uint64_t in[2], sum = 0, got = 0;
    int64_t r;

    (void)arg2;
    if (copy_from_host(&t, arg, sizeof(t)))
        return fail(EFAULT);
    in[0] = t.a;
    in[1] = t.b;
    r = enclave_ocall(OCALL_ADD, in, sizeof(in), &sum, sizeof(sum), &got);
    if (r < 0)
        return fail(-r);
    if (got != sizeof(sum))
        return fail(EFAULT);
    t.sum = sum;
    t.checked = in[0] + in[1];
    if (copy_to_host(arg, &t, sizeof(t)))
        return fail(EFAULT);
    /* A secret in the vector registers must not reach the host during the
     * OCALL (the host's hook looks for it) and must be back after it. */
    uint64_t marker = 0x5ec2e7c0ffee5ec2ULL, back7 = 0, back15 = 0;
    __asm__ volatile("movq %0, %%xmm7; movq %0, %%xmm15" ::"r"(marker));
    r = enclave_ocall(OCALL_HOOK, &t.a, sizeof(t.a), NULL, 0, NULL);
    __asm__ volatile("movq %%xmm7, %0; movq %%xmm15, %1" : "=r"(back7), "=r"(back15));
    __asm__ volatile("pxor %%xmm7, %%xmm7; pxor %%xmm15, %%xmm15" ::);
    return r < 0 ? fail(-r) : ok(sum == t.checked && back7 == marker && back15 == marker);
}

/* A deterministic computation long enough to be interrupted (xorshift). */
static struct ecall_result ecall_compute(uint64_t arg, uint64_t iterations)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL;

    (void)arg;
    for (uint64_t i = 0; i < iterations; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        __asm__ volatile("" : "+r"(x));
    }
    return ok(x);
}

/* The guard page just below this thread's stack: never added, so a read
 * faults with #PF and EXINFO names the address. */
static uint64_t guard_address(void)
{
    const struct sgx_layout_tls *tls = tls_self();

    return g_encl.base + tls->stack_top_offset - tls->stack_size - 64;
}

static uint64_t run_fault(uint64_t kind, struct enclave_thread *t)
{
    switch (kind) {
    case FAULT_UD2:
        return enclave_fault_ud2();
    case FAULT_PF:
        t->fault.expected_addr = guard_address();
        return enclave_fault_load(t->fault.expected_addr);
    case FAULT_DE:
        return enclave_fault_div(7, 0);
    case FAULT_BP:
        return enclave_fault_int3();
    case FAULT_NESTED:
        t->fault_in_stage1 = 1;
        return enclave_fault_ud2();
    }
    return ~0ULL;
}

/* Every register the interrupted code had must come back from the handler. */
static struct ecall_result ecall_fault_regs(uint64_t arg)
{
    struct ecall_regs_report rep;

    memset(&rep, 0, sizeof(rep));
    memset(&thread_self()->fault, 0, sizeof(thread_self()->fault));
    enclave_fault_regs(&rep);
    if (copy_to_host(arg, &rep, sizeof(rep)))
        return fail(EFAULT);
    return ok(thread_self()->fault.handled);
}

static struct ecall_result ecall_fault(uint64_t arg, uint64_t kind)
{
    struct enclave_thread *t = thread_self();
    uint64_t value;

    if (kind == FAULT_REGS)
        return ecall_fault_regs(arg);
    if (kind < FAULT_UD2 || kind > FAULT_NESTED)
        return fail(EINVAL);
    memset(&t->fault, 0, sizeof(t->fault));
    value = run_fault(kind, t);
    if (copy_to_host(arg, &t->fault, sizeof(t->fault)))
        return fail(EFAULT);
    return ok(value);
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
}

static struct ecall_result ecall_stats(uint64_t arg, uint64_t arg2)
{
    struct enclave_stats s;

    (void)arg2;
    enclave_stats_read(&s);
    return copy_to_host(arg, &s, sizeof(s)) ? fail(EFAULT) : ok(0);
}

/* K checked OCALL_ADD round trips, exitless when an area is set up. */
static struct ecall_result ecall_ocall_bench(uint64_t arg, uint64_t arg2)
{
    struct ecall_ocall_bench b;
    uint64_t before, after, waits, in[2], sum, got;
    int64_t r;

    (void)arg2;
    if (copy_from_host(&b, arg, sizeof(b)))
        return fail(EFAULT);
    r = enclave_exitless_setup(b.exitless);
    if (r)
        return fail(-r);
    enclave_exitless_stats(&before, &waits);
    for (uint64_t i = 0; i < b.count; i++) {
        in[0] = i;
        in[1] = 0x5eed;
        sum = got = 0;
        r = enclave_ocall(OCALL_ADD, in, sizeof(in), &sum, sizeof(sum), &got);
        if (r < 0)
            return fail(-r);
        if (got != sizeof(sum) || sum != i + 0x5eed)
            return fail(EFAULT);
    }
    enclave_exitless_stats(&after, &waits);
    return ok(after - before);
}

/* The host words and areas ECALL_RUN names (each field read once here;
 * pal_boot.c reads the rest), then the libOS. */
static struct ecall_result ecall_run(uint64_t arg, uint64_t futex_word)
{
    uint64_t word, area;

    if (enclave_futex_set_word(futex_word))
        return fail(EFAULT);
    if (copy_from_host(&word, arg + __builtin_offsetof(struct enclave_run_args, signal_word), sizeof(word)) ||
        enclave_signal_set_word(word))
        return fail(EFAULT);
    if (copy_from_host(&area, arg + __builtin_offsetof(struct enclave_run_args, exitless), sizeof(area)) ||
        enclave_exitless_setup(area))
        return fail(EFAULT);
    return enclave_run_libos(arg);
}

/* ECALL_FORK: the per-run host words as ECALL_RUN, then the parent's
 * state (pal_fork.c). */
static struct ecall_result ecall_fork(uint64_t arg, uint64_t futex_word)
{
    struct enclave_fork_args fa;

    if (enclave_boot_claim())
        return fail(EBUSY);
    if (copy_from_host(&fa, arg, sizeof(fa)) || fa.run.host_flags & ~ENCLAVE_HOST_BASES_VOLATILE)
        return fail(EINVAL);
    if (enclave_futex_set_word(futex_word) || enclave_signal_set_word(fa.run.signal_word) ||
        enclave_exitless_setup(fa.run.exitless))
        return fail(EFAULT);
    __atomic_store_n(&enclave_bases_volatile, (fa.run.host_flags & ENCLAVE_HOST_BASES_VOLATILE) != 0,
                     __ATOMIC_RELAXED);
    return enclave_fork_child(fa.channel);
}

static struct ecall_result ecall_thread(uint64_t futex_word, uint64_t slot)
{
    return enclave_thread_run(futex_word, slot);
}

/* Function pointers in data: valid only after self-relocation. */
static const ecall_fn ecall_table[ECALL_COUNT] = {
    [ECALL_CONFIG] = ecall_config,   [ECALL_OCALL_TEST] = ecall_ocall_test,
    [ECALL_COMPUTE] = ecall_compute, [ECALL_FAULT] = ecall_fault,
    [ECALL_STATS] = ecall_stats,     [ECALL_RUN] = ecall_run,
    [ECALL_THREAD] = ecall_thread,   [ECALL_OCALL_BENCH] = ecall_ocall_bench,
    [ECALL_FORK] = ecall_fork,
};

struct ecall_result enclave_dispatch(uint64_t number, uint64_t arg, uint64_t arg2)
{
    if (number >= ECALL_COUNT || !ecall_table[number])
        return fail(ENOSYS);
    return ecall_table[number](arg, arg2);
}
