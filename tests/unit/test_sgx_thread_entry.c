/* ECALL_THREAD and the futex word of ECALL_RUN in a real trusted PAL on the
 * sim, played by a hostile host: entering a TCS without a thread claimed
 * there, naming another slot than the TCS entered, slot 0, and futex words
 * inside the enclave or misaligned are all refused before anything runs. */
#include <stdlib.h>

#include "urts.h"
#include "sim_build.h"
#include "tap.h"

#define EINVAL_ 22
#define EFAULT_ 14

static int64_t status(struct urts_enclave *e, uint32_t tcs, uint64_t number, uint64_t arg,
                      uint64_t arg2)
{
    struct urts_result r = {0};
    int ret = urts_ecall(e, tcs, number, (void *)(uintptr_t)arg, arg2, &r);

    return ret ? ret * 1000 : r.status;
}

static void run(struct urts_enclave *e)
{
    uint64_t w1 = urts_futex_word(e, 1), inside = urts_base(e) + 0x1000;

    CHECK(status(e, 1, ECALL_THREAD, w1, 1) == -EINVAL_,
          "ECALL_THREAD with nothing claimed: -EINVAL");
    CHECK(status(e, 1, ECALL_THREAD, w1, 2) == -EINVAL_,
          "ECALL_THREAD naming another TCS's slot: -EINVAL");
    CHECK(status(e, 0, ECALL_THREAD, urts_futex_word(e, 0), 0) == -EINVAL_,
          "ECALL_THREAD for slot 0 (the main thread's): -EINVAL");
    CHECK(status(e, 2, ECALL_THREAD, w1, 99) == -EINVAL_,
          "ECALL_THREAD past the last TCS: -EINVAL");
    CHECK(status(e, 0, ECALL_RUN, 0, inside) == -EFAULT_,
          "ECALL_RUN with a futex word inside the enclave: -EFAULT");
    CHECK(status(e, 0, ECALL_RUN, 0, urts_futex_word(e, 0) + 1) == -EFAULT_,
          "ECALL_RUN with a misaligned futex word: -EFAULT");
    CHECK(status(e, 1, ECALL_COMPUTE, 0, 10) == 0, "the enclave still works on the refused TCS");
}

int main(void)
{
    const char *b = getenv("GEODE_BUILD");
    char pal_path[512];
    struct sgx_sim_cpu cpu;
    struct sgx_driver drv;
    struct sgx_err err = {{0}};
    struct urts_enclave *e = NULL;

    sgx_sim_cpu_default(&cpu, true);
    sgx_sim_driver_init(&drv, &cpu);
    if (!drv.enter) {
        SKIP("sim entry not available yet");
        return TAP_DONE();
    }
    snprintf(pal_path, sizeof(pal_path), "%s/pal-enclave-test.elf", b ? b : "build");
    struct urts_desc d = {.pal_path = pal_path,
                          .threads = 3,
                          .nssa = 3,
                          .stack_size = 65536,
                          .heap_size = 65536,
                          .aex_notify = true};
    if (CHECK(urts_create(&drv, &d, &e, &err) == 0, "PAL enclave with 3 TCSs (%s)", err.msg)) {
        run(e);
        urts_destroy(e);
    }
    return TAP_DONE();
}
