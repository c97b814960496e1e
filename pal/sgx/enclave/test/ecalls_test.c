/* Test and benchmark ECALLs, built only into pal-enclave-test.elf (the
 * enclave the unit tests and `make bench` load), never into the measured
 * pal-enclave.elf that users run: OCALL round trips with a vector-register
 * secret (OCALL_TEST), an interruptible computation (COMPUTE), fault
 * generators with the handler's report (FAULT, sites in faults.S), and
 * OCALL_ADD loops (OCALL_BENCH). */
#include "test/ecalls_test.h"

#include "ocall_exitless.h"
#include "pal_enclave.h"

#define EINVAL 22
#define EFAULT 14

struct ecall_result ecall_test_ocall(uint64_t arg, uint64_t arg2)
{
    struct ecall_ocall_test t;
    uint64_t in[2], sum = 0, got = 0;
    int64_t r;

    if (copy_from_host(&t, arg, sizeof(t)))
        return ecall_fail(EFAULT);
    thread_self()->fault_after_frame = arg2 == OCALL_TEST_FAULT_AFTER_FRAME;
    in[0] = t.a;
    in[1] = t.b;
    r = enclave_ocall(OCALL_ADD, in, sizeof(in), &sum, sizeof(sum), &got);
    if (r < 0)
        return ecall_fail(-r);
    if (got != sizeof(sum))
        return ecall_fail(EFAULT);
    t.sum = sum;
    t.checked = in[0] + in[1];
    if (copy_to_host(arg, &t, sizeof(t)))
        return ecall_fail(EFAULT);
    /* A secret in the vector registers must not reach the host during the
     * OCALL (the host's hook looks for it) and must be back after it. */
    uint64_t marker = 0x5ec2e7c0ffee5ec2ULL, back7 = 0, back15 = 0;
    __asm__ volatile("movq %0, %%xmm7; movq %0, %%xmm15" ::"r"(marker));
    r = enclave_ocall(OCALL_HOOK, &t.a, sizeof(t.a), NULL, 0, NULL);
    __asm__ volatile("movq %%xmm7, %0; movq %%xmm15, %1" : "=r"(back7), "=r"(back15));
    __asm__ volatile("pxor %%xmm7, %%xmm7; pxor %%xmm15, %%xmm15" ::);
    return r < 0 ? ecall_fail(-r)
                 : ecall_ok(sum == t.checked && back7 == marker && back15 == marker);
}

/* A deterministic computation long enough to be interrupted (xorshift). */
struct ecall_result ecall_test_compute(uint64_t arg, uint64_t iterations)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL;

    (void)arg;
    for (uint64_t i = 0; i < iterations; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        __asm__ volatile("" : "+r"(x));
    }
    return ecall_ok(x);
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
        return ecall_fail(EFAULT);
    return ecall_ok(thread_self()->fault.handled);
}

struct ecall_result ecall_test_fault(uint64_t arg, uint64_t kind)
{
    struct enclave_thread *t = thread_self();
    uint64_t value;

    if (kind == FAULT_REGS)
        return ecall_fault_regs(arg);
    if (kind < FAULT_UD2 || kind > FAULT_NESTED)
        return ecall_fail(EINVAL);
    memset(&t->fault, 0, sizeof(t->fault));
    value = run_fault(kind, t);
    if (copy_to_host(arg, &t->fault, sizeof(t->fault)))
        return ecall_fail(EFAULT);
    return ecall_ok(value);
}

/* K checked OCALL_ADD round trips, exitless when an area is set up. */
struct ecall_result ecall_test_ocall_bench(uint64_t arg, uint64_t arg2)
{
    struct ecall_ocall_bench b;
    uint64_t before, after, waits, in[2], sum, got;
    int64_t r;

    (void)arg2;
    if (copy_from_host(&b, arg, sizeof(b)))
        return ecall_fail(EFAULT);
    r = enclave_exitless_setup(b.exitless);
    if (r)
        return ecall_fail(-r);
    enclave_exitless_stats(&before, &waits);
    for (uint64_t i = 0; i < b.count; i++) {
        in[0] = i;
        in[1] = 0x5eed;
        sum = got = 0;
        r = enclave_ocall(OCALL_ADD, in, sizeof(in), &sum, sizeof(sum), &got);
        if (r < 0)
            return ecall_fail(-r);
        if (got != sizeof(sum) || sum != i + 0x5eed)
            return ecall_fail(EFAULT);
    }
    enclave_exitless_stats(&after, &waits);
    return ecall_ok(after - before);
}
