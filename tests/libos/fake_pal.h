/* libOS unit tier: a fake PAL for libOS files built for the host. The
 * struct pal_api it installs (fake_pal_init) records every memory call and
 * simulates memory on one host mmap arena (pages reserved, committed and
 * protected as the PAL would), keeps a clock that moves only when told to,
 * and collects log lines. It also defines the libOS globals that the files
 * under test reference (libos_cfg, libos_pid, ...). Files of the VFS (fd_get,
 * file_put, vfs_readlink) are faked by each test, which knows what it needs. */
#ifndef GEODE_TESTS_FAKE_PAL_H
#define GEODE_TESTS_FAKE_PAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pal.h"

/* TAP output shared by the tests of the tier. */
extern int fake_failures;
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            printf("ok - ");                                                                       \
        } else {                                                                                   \
            printf("not ok - ");                                                                   \
            fake_failures++;                                                                       \
        }                                                                                          \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
    } while (0)
/* A check inside a loop: prints only a failure (with its message). */
#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("not ok - ");                                                                   \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            fake_failures++;                                                                       \
        }                                                                                          \
    } while (0)
/* Prints the plan line's end state; returns the exit status. */
int fake_done(void);

/* Installs the fake table as the libOS's `pal` and resets its state. */
void fake_pal_init(void);

/* --- memory: one arena of FAKE_ARENA_PAGES pages --- */
#define FAKE_ARENA_PAGES 8192
enum fake_page_state { FAKE_FREE, FAKE_RESERVED, FAKE_COMMITTED };
extern uint8_t *fake_arena;
/* State and protection (PAL_PROT_*) of the page holding addr, as the PAL
 * was told; -1 when addr is outside the arena. */
int fake_page_state(uint64_t addr);
int fake_page_prot(uint64_t addr);
/* Marks [addr, addr + len) of the arena committed with prot (memory a test
 * hands the code under test as if the PAL had mapped it). */
void fake_map(void *addr, size_t len, int prot);

enum fake_op { OP_RESERVE, OP_COMMIT, OP_PROTECT, OP_FREE };
struct fake_call {
    enum fake_op op;
    uint64_t addr, size;
    int arg; /* prot or flags */
    long ret;
};
#define FAKE_MAX_CALLS 4096
extern struct fake_call fake_calls[FAKE_MAX_CALLS];
extern int fake_ncalls;
/* Makes the next memory call of kind op fail with err (0: none). */
extern long fake_fail_next[4];

/* --- clock: CLOCK_* all read fake_clock_ns; sleep advances it --- */
extern int64_t fake_clock_ns;

/* --- log: every line the libOS logged, concatenated --- */
extern char fake_log[16384];
extern size_t fake_log_len;
extern int fake_log_lines;
void fake_log_clear(void);

/* --- process_kill / libos_exit: recorded; they jump to fake_exit_jmp when
 * a test set it (else the test ends with a failure) --- */
#include <setjmp.h>
extern jmp_buf *fake_exit_jmp;
extern int fake_killed_sig, fake_exit_status;

#endif
