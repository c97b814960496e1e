/* Ending a run after a fatal error, on the real trusted PAL in the sim
 * (run_restart.c builds on these): a host that answers an OCALL with a new
 * ECALL (urts_test_bad_entry) gets the PAL's fatal refusal on that thread
 * only; urts_halt stops a thread that keeps making OCALLs on another host
 * thread, and one whose OCALL is being served, without entering either
 * again; a halted enclave serves no OCALL; urts_rebuild lifts the halt. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "urts.h"
#include "sim_build.h"
#include "tap.h"

static int bench(struct urts_enclave *e, uint32_t thread, uint64_t count)
{
    struct ecall_ocall_bench b = {.exitless = 0, .count = count};
    struct urts_result r = {0};
    int ret = urts_ecall(e, thread, ECALL_OCALL_BENCH, &b, 0, &r);

    return ret ? ret : (int)r.status;
}

static void test_bad_entry(struct urts_enclave *e)
{
    const char *msg = urts_last_error(e, 1);
    int ret;

    CHECK(urts_test_bad_entry(e, 3, 0) == -EINVAL, "no bad entry for a thread the enclave lacks");
    CHECK(urts_test_bad_entry(e, 1, 0) == 0, "bad entry armed for thread 1");
    CHECK(bench(e, 0, 10) == 0, "thread 0's OCALLs are served as usual");
    ret = bench(e, 1, 10);
    CHECK(ret == URTS_EFATAL && strstr(msg, "enclave fatal error: entry refused"),
          "thread 1's OCALL answered with a new ECALL: the PAL's fatal refusal (%d: %s)", ret, msg);
    ret = bench(e, 1, 10);
    CHECK(ret == URTS_EFATAL && strstr(msg, "entry refused"),
          "thread 1 still has its OCALL pending: a new ECALL there is refused too (%s)", msg);
    CHECK(bench(e, 2, 10) == 0 && bench(e, 0, 10) == 0,
          "the other threads go on (the bad entry happened once)");
}

struct spinner {
    struct urts_enclave *e;
    int ret;
    int entered; /* __atomic */
};

static void *keep_calling(void *p)
{
    struct spinner *s = p;

    __atomic_store_n(&s->entered, 1, __ATOMIC_SEQ_CST);
    s->ret = bench(s->e, 2, 1ULL << 40); /* OCALL round trips for hours */
    return NULL;
}

static void test_halt_running(struct urts_enclave *e)
{
    struct spinner s = {.e = e};
    const struct timespec tick = {0, 20 * 1000 * 1000};
    struct timespec t0, t1;
    pthread_t th;
    long ms;

    if (!CHECK(pthread_create(&th, NULL, keep_calling, &s) == 0, "a host thread in thread 2"))
        return;
    while (!__atomic_load_n(&s.entered, __ATOMIC_SEQ_CST))
        nanosleep(&tick, NULL);
    nanosleep(&tick, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    urts_halt(e);
    pthread_join(th, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK(s.ret == URTS_ESTOPPED && ms < 1000,
          "halted: the thread making OCALLs returns URTS_ESTOPPED at its next exit (%d, %ld ms)",
          s.ret, ms);
    CHECK(urts_halted(e) && bench(e, 0, 1) == URTS_ESTOPPED,
          "halted: a new ECALL's first OCALL is not served either");
}

static int frames;
static void halt_after_serving(struct ocall_frame *f, void *ctx)
{
    (void)f;
    frames++;
    urts_halt(ctx); /* as run_restart.c does while this OCALL blocks */
}

static void test_halt_during_ocall(struct urts_enclave *e)
{
    uint8_t buf[sizeof(struct ocall_frame) + 64] __attribute__((aligned(64))) = {0};
    struct ocall_frame *f = (struct ocall_frame *)buf;
    struct sgx_err err = {{0}};
    int ret;

    CHECK(urts_rebuild(e, &err) == 0 && !urts_halted(e), "urts_rebuild lifts the halt (%s)", err.msg);
    CHECK(bench(e, 0, 10) == 0, "the rebuilt enclave serves OCALLs");
    urts_set_frame_hook(e, halt_after_serving, e);
    frames = 0;
    ret = bench(e, 0, 10);
    CHECK(ret == URTS_ESTOPPED && frames == 1,
          "halted while its OCALL was served: the thread is not entered again (%d, %d frames)", ret,
          frames);
    urts_set_frame_hook(e, NULL, NULL);
    *f = (struct ocall_frame){.number = OCALL_ADD, .in_size = 16, .out_cap = 8, .result = 77};
    CHECK(urts_serve_ocall(e, 1, OCALL_ADD, (uint64_t)(uintptr_t)f) == -ECANCELED && f->result == 77,
          "halted: urts_serve_ocall runs nothing (the exitless workers' path)");
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
        SKIP("sim entry not available");
        return TAP_DONE();
    }
    snprintf(pal_path, sizeof(pal_path), "%s/pal-enclave-test.elf", b ? b : "build");
    struct urts_desc d = {.pal_path = pal_path, .threads = 3, .nssa = 3, .stack_size = 65536,
                          .heap_size = 65536, .aex_notify = true};
    if (!CHECK(urts_create(&drv, &d, &e, &err) == 0, "PAL enclave with 3 TCSs (%s)", err.msg))
        return TAP_DONE();
    test_bad_entry(e);
    test_halt_running(e);
    test_halt_during_ocall(e);
    urts_destroy(e);
    return TAP_DONE();
}
