/* The test build's extra ECALLs (ecalls_test.c), wired into ecalls.c's
 * table under GEODE_TEST_ECALLS. */
#ifndef GEODE_ENCLAVE_ECALLS_TEST_H
#define GEODE_ENCLAVE_ECALLS_TEST_H

#include "enclave_internal.h"

struct ecall_result ecall_test_ocall(uint64_t arg, uint64_t arg2);
struct ecall_result ecall_test_compute(uint64_t arg, uint64_t iterations);
struct ecall_result ecall_test_fault(uint64_t arg, uint64_t kind);
struct ecall_result ecall_test_ocall_bench(uint64_t arg, uint64_t arg2);

/* faults.S: fault sites; enclave_fixups says where each continues. */
uint64_t enclave_fault_ud2(void);
uint64_t enclave_fault_load(uint64_t addr);
uint64_t enclave_fault_div(uint64_t x, uint64_t y);
uint64_t enclave_fault_int3(void);
void enclave_fault_ud2_in_handler(void);
void enclave_fault_regs(struct ecall_regs_report *out);

#endif
