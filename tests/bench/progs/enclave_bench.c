/* Enclave transition benchmark in sim: ECALL+OCALL round trips, and one
 * in-enclave exception (ud2, handled and resumed) with AEX-Notify +
 * EDECCSSA versus the classic two-stage path. The OCALL case is ECALL_OCALL_TEST,
 * which makes two OCALLs (OCALL_ADD and OCALL_HOOK): 3 EENTER + 3 EEXIT. Prints one line per case:
 *   case=<name> ns_per_op=<f> eenter=<f> eexit=<f> aex=<f> eresume=<f> edeccssa=<f>
 * where the counts are per operation, from the sim's own counters, with the
 * ECALL's own EENTER/EEXIT included. Then one OCALL_ADD round trip inside
 * one long ECALL (ECALL_OCALL_BENCH), exit-based and exitless (one host
 * worker, geode.ocall_workers = 1), with exitless=<fraction served without
 * leaving>. Usage: enclave_bench PAL_ELF N */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "urts.h"
#include "urts_exitless.h"
#include "sim_build.h"
#include "sim_run.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static struct urts_enclave *make(const char *pal, struct sgx_driver *drv, struct sgx_sim_cpu *cpu,
                                 sgx_sign_key *key, bool aex_notify)
{
    struct urts_desc d = {.pal_path = pal, .threads = 1, .nssa = 3, .stack_size = 65536,
                          .heap_size = 65536, .aex_notify = aex_notify, .key = key};
    struct urts_enclave *e = NULL;
    struct sgx_err err = {{0}};
    sgx_sim_cpu_default(cpu, aex_notify);
    sgx_sim_driver_init(drv, cpu);
    if (urts_create(drv, &d, &e, &err) != 0) {
        fprintf(stderr, "enclave_bench: cannot build the enclave: %s\n", err.msg);
        exit(1);
    }
    return e;
}

static int one(struct urts_enclave *e, int fault)
{
    struct urts_result r;
    if (fault) {
        struct ecall_fault_report rep = {0};
        return urts_ecall(e, 0, ECALL_FAULT, &rep, FAULT_UD2, &r);
    }
    struct ecall_ocall_test t = {.a = 40, .b = 2};
    int rc = urts_ecall(e, 0, ECALL_OCALL_TEST, &t, 0, &r);
    return rc ? rc : (t.sum == 42 ? 0 : -1);
}

static void run_case(const char *name, struct urts_enclave *e, int fault, long n)
{
    struct sgx_sim_counters a, b;
    for (int i = 0; i < 100; i++)
        one(e, fault);
    sgx_sim_counters(urts_driver_encl(e), &a);
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        if (one(e, fault)) {
            fprintf(stderr, "enclave_bench: %s failed: %s\n", name, urts_last_error(e, 0));
            exit(1);
        }
    double t1 = now_ns();
    sgx_sim_counters(urts_driver_encl(e), &b);
    printf("case=%s ns_per_op=%.1f eenter=%.2f eexit=%.2f aex=%.2f eresume=%.2f edeccssa=%.2f\n",
           name, (t1 - t0) / n, (double)(b.eenter - a.eenter) / n, (double)(b.eexit - a.eexit) / n,
           (double)(b.aex - a.aex) / n, (double)(b.eresume - a.eresume) / n,
           (double)(b.edeccssa - a.edeccssa) / n);
}

/* One OCALL_ADD round trip, exit-based (area 0) or exitless, per operation:
 * ECALL_OCALL_BENCH with n OCALLs, so the ECALL's own transitions are
 * spread over n. Also prints how many went exitless. */
static void run_ocall_case(const char *name, struct urts_enclave *e, uint64_t area, long n)
{
    struct ecall_ocall_bench b = {.exitless = area, .count = 100};
    struct sgx_sim_counters c0, c1;
    struct urts_result r = {0};

    if (urts_ecall(e, 0, ECALL_OCALL_BENCH, &b, 0, &r) || r.status) {
        fprintf(stderr, "enclave_bench: %s warm-up failed\n", name);
        exit(1);
    }
    b = (struct ecall_ocall_bench){.exitless = 0, .count = (uint64_t)n};
    sgx_sim_counters(urts_driver_encl(e), &c0);
    double t0 = now_ns();
    if (urts_ecall(e, 0, ECALL_OCALL_BENCH, &b, 0, &r) || r.status) {
        fprintf(stderr, "enclave_bench: %s failed: %s\n", name, urts_last_error(e, 0));
        exit(1);
    }
    double t1 = now_ns();
    sgx_sim_counters(urts_driver_encl(e), &c1);
    printf("case=%s ns_per_op=%.1f eenter=%.2f eexit=%.2f aex=%.2f eresume=%.2f edeccssa=%.2f "
           "exitless=%.3f\n",
           name, (t1 - t0) / n, (double)(c1.eenter - c0.eenter) / n, (double)(c1.eexit - c0.eexit) / n,
           (double)(c1.aex - c0.aex) / n, (double)(c1.eresume - c0.eresume) / n,
           (double)(c1.edeccssa - c0.edeccssa) / n, (double)r.value / n);
}

static void ocall_cases(const char *pal, sgx_sign_key *key, long n)
{
    struct sgx_driver drv;
    struct sgx_sim_cpu cpu;
    struct urts_enclave *e = make(pal, &drv, &cpu, key, true);
    uint64_t area = 0;

    run_ocall_case("ocall_exit", e, 0, n * 10);
    urts_destroy(e);
    e = make(pal, &drv, &cpu, key, true);
    if (urts_exitless_start(e, 1, &area)) {
        fprintf(stderr, "enclave_bench: cannot start an OCALL worker\n");
        exit(1);
    }
    run_ocall_case("ocall_exitless", e, area, n * 10);
    urts_exitless_stop(e);
    urts_destroy(e);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: enclave_bench PAL_ELF N\n");
        return 2;
    }
    long n = atol(argv[2]);
    struct sgx_err err = {{0}};
    sgx_sign_key *key = sgx_key_generate(&err);
    if (!key) {
        fprintf(stderr, "enclave_bench: key: %s\n", err.msg);
        return 1;
    }
    for (int notify = 1; notify >= 0; notify--) {
        struct sgx_driver drv;
        struct sgx_sim_cpu cpu;
        struct urts_enclave *e = make(argv[1], &drv, &cpu, key, notify);
        run_case(notify ? "ecall+2_ocalls" : "ecall+2_ocalls_classic", e, 0, n);
        run_case(notify ? "exception_aexnotify" : "exception_classic", e, 1, n);
        urts_destroy(e);
    }
    ocall_cases(argv[1], key, n);
    sgx_key_free(key);
    return 0;
}
