/* Host side of the process/time OCALLs that need no enclave: page-table
 * permissions (OCALL_MPROTECT) only inside the enclave's range, clocks,
 * CPUID, and input validation. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "urts_internal.h"
#include "urts_ocall.h"
#include "tap.h"

#define PAGE 4096ULL

static int64_t call(struct urts_enclave *e, uint64_t nr, int64_t a0, int64_t a1, int64_t a2, void *out,
                    uint64_t cap, uint64_t *got)
{
    struct ocall_args a = {{a0, a1, a2}};
    uint64_t dummy;

    return urts_ocall_proc(e, 0, nr, (const uint8_t *)&a, sizeof(a), out, cap, got ? got : &dummy);
}

/* The permissions /proc/self/maps shows for the page at p ("rw-p"...). */
static int perms_of(const void *p, char perms[5])
{
    FILE *f = fopen("/proc/self/maps", "r");
    unsigned long lo, hi;
    char line[512];

    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && (unsigned long)p >= lo &&
            (unsigned long)p < hi) {
            fclose(f);
            return 0;
        }
    if (f)
        fclose(f);
    return -1;
}

static void test_mprotect(void)
{
    struct urts_enclave e;
    uint8_t *m = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char perms[5] = "";

    memset(&e, 0, sizeof(e));
    e.base = (uint64_t)(uintptr_t)(m + 2 * PAGE); /* the "enclave": pages 2..5 */
    e.size = 4 * PAGE;
    CHECK(call(&e, OCALL_MPROTECT, (int64_t)e.base, PAGE, PROT_NONE, NULL, 0, NULL) == 0 &&
              perms_of(m + 2 * PAGE, perms) == 0 && !strcmp(perms, "---p"),
          "PROT_NONE on an enclave page (%s)", perms);
    CHECK(call(&e, OCALL_MPROTECT, (int64_t)e.base, 4 * PAGE, PROT_READ | PROT_WRITE | PROT_EXEC, NULL,
               0, NULL) == 0 && perms_of(m + 5 * PAGE, perms) == 0 && !strcmp(perms, "rwxp"),
          "RWX on the whole enclave (%s)", perms);
    CHECK(call(&e, OCALL_MPROTECT, (int64_t)(uintptr_t)m, PAGE, PROT_NONE, NULL, 0, NULL) == -EINVAL &&
              perms_of(m, perms) == 0 && !strcmp(perms, "rw-p"),
          "a host page below the enclave: -EINVAL, untouched");
    CHECK(call(&e, OCALL_MPROTECT, (int64_t)e.base + 3 * PAGE, 2 * PAGE, PROT_NONE, NULL, 0, NULL) ==
                  -EINVAL && perms_of(m + 6 * PAGE, perms) == 0 && !strcmp(perms, "rw-p"),
          "a range running past the enclave's end: -EINVAL, nothing changed");
    CHECK(call(&e, OCALL_MPROTECT, (int64_t)e.base + 1, PAGE, PROT_NONE, NULL, 0, NULL) == -EINVAL &&
              call(&e, OCALL_MPROTECT, (int64_t)e.base, 100, PROT_NONE, NULL, 0, NULL) == -EINVAL &&
              call(&e, OCALL_MPROTECT, (int64_t)e.base, 0, PROT_NONE, NULL, 0, NULL) == -EINVAL &&
              call(&e, OCALL_MPROTECT, (int64_t)e.base, PAGE, 0x10, NULL, 0, NULL) == -EINVAL &&
              call(&e, OCALL_MPROTECT, (int64_t)e.base, -(int64_t)PAGE, PROT_NONE, NULL, 0, NULL) == -EINVAL,
          "unaligned, empty, wrapping ranges and unknown PROT bits: -EINVAL");
    CHECK(call(NULL, OCALL_MPROTECT, (int64_t)e.base, PAGE, PROT_NONE, NULL, 0, NULL) == -EINVAL,
          "no enclave: -EINVAL");
    munmap(m, 8 * PAGE);
}

static void test_misc(void)
{
    int64_t ns = 0;
    uint32_t regs[4] = {0};
    uint64_t got = 0;
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    CHECK(call(NULL, OCALL_CLOCK_GET, CLOCK_MONOTONIC, 0, 0, &ns, sizeof(ns), &got) == 0 &&
              got == sizeof(ns) && ns >= ts.tv_sec * 1000000000LL,
          "CLOCK_MONOTONIC in ns");
    CHECK(call(NULL, OCALL_CLOCK_GET, CLOCK_MONOTONIC, 0, 0, &ns, 4, &got) == -EINVAL,
          "a clock with no room for the answer: -EINVAL");
    int64_t r = call(NULL, OCALL_CPUID, 0, 0, 0, regs, sizeof(regs), &got);
    CHECK(r == 0 && got == 16 && regs[0] > 0, "CPUID leaf 0 (max leaf %u)", regs[0]);
    CHECK(urts_ocall_proc(NULL, 0, OCALL_CPUID, (const uint8_t *)"x", 1, (uint8_t *)regs, 16, &got) ==
              -EINVAL,
          "input shorter than the arguments: -EINVAL");
    CHECK(call(NULL, OCALL_PROC_LAST, 0, 0, 0, NULL, 0, NULL) == -ENOSYS, "an unknown number: -ENOSYS");
}

int main(void)
{
    test_mprotect();
    test_misc();
    return TAP_DONE();
}
