/* The boundary between the untrusted runtime (pal/sgx/urts/) and the
 * trusted PAL (pal/sgx/enclave): register conventions, ECALL/OCALL numbers and
 * the OCALL frame the enclave writes on the untrusted stack. Freestanding
 * (only <stdint.h>): included on both sides. See docs/sgx-pal.md.
 *
 * EENTER (CSSA = 0):   RDI = ECALL number or ENCLAVE_ENTER_OCALL_RETURN,
 *                      RSI = untrusted argument pointer, RDX = extra argument.
 * EENTER (CSSA >= 1):  classic exception entry; RDI is ignored.
 * EEXIT:               RDI = enum enclave_exit_code, RSI/RDX as listed there.
 *                      Every other GPR is zero except RBX (target), RSP/RBP
 *                      (the host's own values, or RSP = the OCALL frame). */
#ifndef GEODE_ENCLAVE_ABI_H
#define GEODE_ENCLAVE_ABI_H

#include <stdint.h>

#include "ocall_abi.h" /* exitless_excluded names PAL OCALLs */

enum enclave_ecall {
    ECALL_CONFIG = 0,      /* RSI -> struct enclave_config; value = the enclave's own AEX-Notify */
    ECALL_OCALL_TEST = 1,  /* RSI -> struct ecall_ocall_test; RDX = OCALL_TEST_FAULT_AFTER_FRAME:
                              the first OCALL takes a #UD once its frame is written */
    ECALL_COMPUTE = 2,     /* RDX = iterations; result in the ECALL value */
    ECALL_FAULT = 3,       /* RDX = enum enclave_fault_kind, RSI -> struct ecall_fault_report */
    ECALL_STATS = 4,       /* RSI -> struct enclave_stats */
    ECALL_RUN = 5,         /* RSI -> struct enclave_run_args, RDX = the main thread's futex
                              word (host address, 4-aligned; 0: none, waits poll): start the
                              libOS (once; returns when it cannot start, or status 0 when
                              the main thread ended and others still run) */
    ECALL_THREAD = 6,      /* RSI = this thread's futex word (as for ECALL_RUN), RDX = slot =
                              the TCS entered: run the thread thread_create claimed there
                              (returns status 0 when it ends, -EINVAL when no such claim) */
    ECALL_OCALL_BENCH = 7, /* RSI -> struct ecall_ocall_bench: OCALL_ADD round trips (bench, tests) */
    ECALL_FORK = 8,        /* RSI -> struct enclave_fork_args, RDX = this thread's futex word: in
                              a host child of OCALL_FORK, on the TCS of the forking thread:
                              take the parent's state and go on as the child (returns as
                              ECALL_RUN would, or an error when it refuses the parent) */
    /* RSI -> struct enclave_fork_prepare: a process pool's member, before
     * anything ran: zero those heap pages now and remember it, so that a
     * fork's zero runs there need no zeroing (value: pages zeroed; -EBUSY
     * once the enclave ran anything) */
    ECALL_FORK_PREPARE = 9,
    ECALL_COUNT
};

/* Not an ECALL number: "the OCALL you made has returned; its result is in the frame". */
#define ENCLAVE_ENTER_OCALL_RETURN 0x4f524554ULL

enum enclave_exit_code {
    EXIT_ECALL_DONE = 1, /* RSI = status (0 or -errno), RDX = value */
    EXIT_OCALL = 2,      /* RSI = OCALL number, RDX = frame address (= RSP) */
    EXIT_STAGE1 = 3,     /* classic path: stage 1 rewrote SSA; ERESUME please */
    EXIT_FATAL = 4,      /* RSI = enum enclave_fatal, RDX = detail (e.g. vector) */
};

enum enclave_fatal {
    FATAL_BAD_STACK = 1,      /* exception with the interrupted RSP outside the thread stack */
    FATAL_UNHANDLED = 2,      /* exception the PAL has no handler for; RDX = vector */
    FATAL_BAD_ENTRY = 3,      /* EENTER while an OCALL is pending, or unknown OCALL return */
    FATAL_NESTING = 4,        /* CSSA too deep for the SSA frames */
};

enum enclave_fault_kind {
    FAULT_UD2 = 1,     /* #UD */
    FAULT_PF = 2,      /* read of the guard page below the stack: #PF */
    FAULT_DE = 3,      /* divide by zero: #DE */
    FAULT_BP = 4,      /* int3: #BP */
    FAULT_NESTED = 5,  /* ud2, and the handler itself hits a ud2 once (needs NSSA >= 3) */
    FAULT_REGS = 6,    /* ud2 with known GPR/XMM/DF values; RSI -> struct ecall_regs_report */
};

/* What FAULT_REGS found after the handler resumed it (expected: the values
 * it loaded, see enclave_fault_regs in entry.S). */
struct ecall_regs_report {
    uint64_t gpr[12]; /* RBX RBP R8 R9 R10 R11 R12 R13 R14 R15 RSI 0 */
    uint64_t xmm0[2], xmm15[2];
    uint64_t df;
};

enum enclave_ocall {
    OCALL_ADD = 1,   /* in: two u64; out: u64 sum */
    OCALL_HOOK = 2,  /* in: u64 cookie; out: nothing; the host's test hook runs */
    /* in: nothing: the calling thread's exitless request (its slot) is done
     * when this returns: the host served it here, or waited for the worker
     * serving it -> 0 */
    OCALL_EXITLESS_WAIT = 3,
    OCALL_COUNT
};

/* ECALL_RUN: what the host gives the libOS. `strings` is host memory holding
 * argc then envc NUL-terminated strings back to back, strings_size bytes in
 * all (the host's command-line arguments and environment; the libOS uses them
 * only where the manifest allows). */
struct enclave_run_args {
    uint64_t strings, strings_size;
    uint64_t argc, envc;
    int64_t stdio[3];
    uint64_t cpu_count, hwcap, hwcap2;
    /* Host address of the process's pending host-signal masks, two 64-bit
     * words (16 bytes, 8-aligned, outside the enclave; 0: none): the first
     * for signals 1..32 (bit signo - 1), the second for the realtime
     * signals 34..64 (bit signo - 34); the host ORs signals in, the trusted
     * PAL exchanges each with 0 (pal_signal.c). */
    uint64_t signal_word;
    uint64_t exitless; /* host address of the exitless OCALL area (below), or 0 */
    uint64_t host_flags; /* ENCLAVE_HOST_*: hints that can only cost speed */
};
/* The host is a sim whose kernel does not keep user-written FS/GS bases
 * across context switches: follow every WRFSBASE/WRGSBASE with the base
 * sync below (docs/sim.md, "FS and GS bases"). A false hint on hardware
 * costs one #UD, after which the trusted PAL ignores it. */
#define ENCLAVE_HOST_BASES_VOLATILE 1ULL

/* Base sync: UD1 (0F B9 C0) with RAX = ENCLAVE_SYNC_BASES_RAX. A sim with
 * volatile bases makes the current FS/GS bases durable and continues after
 * the 3 bytes; anywhere else it is the #UD it is. */
#define ENCLAVE_SYNC_BASES_RAX 0x73657361626f6567ULL /* "geobases" */
#define ENCLAVE_SYNC_BASES_LEN 3

/* The XSAVE image the trusted PAL keeps of a context (exception.c, the
 * OCALL path): x87, SSE, AVX and AVX-512 in the standard form, up to the
 * end of Hi16_ZMM on Intel's layout. A host adds AVX-512 to XFRM only when
 * its CPU's layout fits (xfrm_host_optional). */
#define ENCLAVE_XSAVE_MAX 2688
#define ENCLAVE_RUN_MAX_STRINGS (1ULL << 20)
#define ENCLAVE_RUN_MAX_CPUS 4096

/* ECALL_FORK: the run arguments (only signal_word, exitless, host_flags
 * and cpu_count are used: the rest is the parent's) and the child's end of
 * the channel to the parent enclave. */
struct enclave_fork_args {
    struct enclave_run_args run;
    int64_t channel;
};

/* ECALL_FORK_PREPARE: up to ENCLAVE_FORK_PREPARE_RUNS runs of pages at
 * enclave addresses, ascending and apart; the enclave keeps only what
 * lies in its heap's pages that are in the enclave (EDMM: added at build). */
#define ENCLAVE_FORK_PREPARE_RUNS 64
struct enclave_fork_prepare {
    uint64_t count;
    struct {
        uint64_t addr, pages;
    } run[ENCLAVE_FORK_PREPARE_RUNS];
};

struct enclave_config {
    uint64_t aex_notify; /* 1: the host built the enclave with ATTRIBUTES.AEXNOTIFY */
};

#define OCALL_TEST_FAULT_AFTER_FRAME 1

struct ecall_ocall_test {
    uint64_t a, b;     /* in */
    uint64_t sum;      /* out: a + b as computed by the host (OCALL_ADD) */
    uint64_t checked;  /* out: the enclave's own a + b, to compare */
};

struct ecall_fault_report {
    uint64_t vector;      /* vector of the last exception the handler saw */
    uint64_t addr;        /* EXINFO.MADDR for #PF/#GP, else 0 */
    uint64_t expected_addr; /* what the enclave faulted on (for #PF) */
    uint64_t handled;     /* exceptions the handler ran for during this ECALL */
    uint64_t max_cssa;    /* deepest CSSA a stage-1 entry saw */
    uint64_t edeccssa;    /* EDECCSSA executed during this ECALL */
};

struct enclave_stats {
    uint64_t ecalls, ocalls, exceptions, notifications, edeccssa, stage1_exits;
    /* exitless: OCALLs a worker served while the caller stayed inside;
     * exitless_waits: queued ones that needed OCALL_EXITLESS_WAIT (an exit,
     * counted in ocalls too) */
    uint64_t exitless, exitless_waits;
    /* fork_pages: pages this enclave received when it was forked (0: not
     * a forked child), fork_data_pages: those sent as data (the rest as
     * zero runs) */
    uint64_t fork_pages, fork_data_pages;
};

/* ECALL_OCALL_BENCH: sets up exitless OCALLs with the area at `exitless`
 * (once per enclave; 0: leave as is), then makes `count` OCALL_ADD round
 * trips, each result checked. Value: how many of them went exitless. */
struct ecall_ocall_bench {
    uint64_t exitless, count;
};

/* Written by the enclave below the untrusted RSP; the host fills result,
 * out_size and the first out_size bytes of data (at most out_cap). */
struct ocall_frame {
    uint64_t number;
    uint64_t in_size;   /* bytes of input at data[0] */
    uint64_t out_cap;   /* bytes the enclave accepts back */
    int64_t result;     /* value >= 0, or -errno */
    uint64_t out_size;
    uint8_t data[];
};

/* A socket OCALL's data (OCALL_MAX_SOCK_IO) with its address and ancillary
 * data, and every other OCALL's, fit. */
#define OCALL_MAX_DATA 73728ULL

/* Exitless OCALLs (geode.ocall_workers > 0; docs/sgx-pal.md). Host memory,
 * page-aligned, allocated by the host: the queue (EXITLESS_QUEUE_SIZE bytes)
 * then one slot per TCS (slot i at EXITLESS_QUEUE_SIZE + i *
 * EXITLESS_SLOT_SIZE). A thread writes its OCALL frame into its own slot,
 * sets the status to QUEUED and puts the frame's address into the ring (a
 * bounded MPMC queue: cell i's seq is i at start; enqueue at enq when
 * seq == enq, then seq = enq + 1; dequeue at deq when seq == deq + 1, then
 * seq = deq + EXITLESS_RING). A worker moves QUEUED to RUNNING, serves the
 * frame and sets DONE, or sets HANDOFF for calls it does not run (ones that
 * may block): OCALL_EXITLESS_WAIT then serves them on the caller's thread.
 * Every value in this area is the other side's to change: both sides only
 * use it as hints and indices they check. */
enum exitless_status {
    EXITLESS_FREE = 0,
    EXITLESS_QUEUED = 1,
    EXITLESS_RUNNING = 2,
    EXITLESS_DONE = 3,
    EXITLESS_HANDOFF = 4,
};

#define EXITLESS_RING 256

struct exitless_cell {
    uint64_t seq, frame;
};

struct exitless_queue {
    uint64_t enq;
    uint8_t pad0[56];
    uint64_t deq;
    uint8_t pad1[56];
    uint32_t polling; /* workers polling the ring now (a hint for the enclave) */
    uint32_t wake;    /* futex word idle workers sleep on */
    uint8_t pad2[56];
    struct exitless_cell ring[EXITLESS_RING];
};

struct exitless_slot {
    uint32_t status;  /* enum exitless_status; futex word */
    uint32_t waiting; /* host only: the caller's thread sleeps on status */
    uint8_t pad[56];
    struct ocall_frame frame; /* then OCALL_MAX_DATA bytes of data */
};

/* OCALLs that always leave the enclave (both sides apply this list): they
 * must run on the calling host thread (its identity, its end, its futex
 * word), or may block for long and would hold a worker. Reads and writes
 * (READ, WRITE, SOCK_SEND/RECV/SENDMSG/RECVMSG) are not listed: a worker
 * serves them on a regular file, or on a socket that cannot block (its
 * O_NONBLOCK or MSG_DONTWAIT), and hands the others back (urts_exitless.c).
 * Nor are POLL and WAITSET_WAIT: a worker polls without waiting, and hands
 * the call back when nothing was ready and the caller would wait. */
static inline int exitless_excluded(uint64_t number)
{
    switch (number) {
    case OCALL_EXITLESS_WAIT:
    case OCALL_EXIT:
    case OCALL_KILL_SELF:
    case OCALL_STOP_SELF: /* until a SIGCONT */
    case OCALL_SIGNAL_HOST_BLOCK: /* the calling host thread's mask */
    case OCALL_SLEEP:
    case OCALL_YIELD:
    case OCALL_THREAD_ID:
    case OCALL_THREAD_START:
    case OCALL_FUTEX_WAIT:
    case OCALL_SOCK_ACCEPT:
    case OCALL_SOCK_CONNECT:
    case OCALL_FILE_LOCK: /* F_SETLKW */
    case OCALL_FLOCK:
    case OCALL_SPLICE: /* a pipe */
    case OCALL_FORK:
    case OCALL_FORK_ABORT:
    case OCALL_PROCS_EXITED: /* a host fork, as OCALL_FORK */
    case OCALL_PROCS_WAIT:
    case OCALL_PROCS_SET_NAME:
    case OCALL_PROCS_PDEATHSIG:
    case OCALL_PROCS_SET_FS_IDS: /* the calling host thread's */
    case OCALL_PROCS_FORK_SEND:  /* a socket: may block */
    case OCALL_PROCS_FORK_RECV:
    case OCALL_SHM_FUTEX_WAIT:
    case OCALL_ATTEST_QE_TARGET: /* the AESM service may take seconds */
    case OCALL_ATTEST_QUOTE:
        return 1;
    }
    return 0;
}

#define EXITLESS_QUEUE_SIZE 8192ULL
#define EXITLESS_SLOT_SIZE 77824ULL /* 19 pages */
_Static_assert(sizeof(struct exitless_queue) <= EXITLESS_QUEUE_SIZE, "exitless queue size");
_Static_assert(sizeof(struct exitless_slot) + OCALL_MAX_DATA <= EXITLESS_SLOT_SIZE, "exitless slot size");

#endif
