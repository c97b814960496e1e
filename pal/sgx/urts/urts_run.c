/* uRTS: running ECALLs. Every enclave exit goes through the vDSO's
 * user_handler (urts_exit_trampoline -> urts_on_exit), which decides the next
 * ENCLU leaf; the trampoline then loads RDI/RSI/RDX for it from the thread
 * (a C handler cannot choose the registers the vDSO passes to ENCLU). */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "urts_internal.h"

_Static_assert(offsetof(struct urts_thread, next_rdi) == 0 && offsetof(struct urts_thread, next_rsi) == 8 &&
                   offsetof(struct urts_thread, next_rdx) == 16,
               "the exit trampoline loads these by offset");

#define SGX_PF_SGX 0x8000 /* #PF error code bit 15: EPCM/EPC fault */
#define PF_PRESENT 0x1

int urts_on_exit(long rdi, long rsi, long rdx, long rsp, long r8, long r9, struct sgx_enclave_run *run)
    __attribute__((visibility("hidden")));
int urts_exit_trampoline(long rdi, long rsi, long rdx, long rsp, long r8, long r9, struct sgx_enclave_run *run)
    __attribute__((visibility("hidden")));
struct urts_call {
    vdso_sgx_enter_enclave_t fn;
    uint64_t rdi, rsi, rdx, function;
    struct sgx_enclave_run *run;
};
int urts_vdso_call(const struct urts_call *c) __attribute__((visibility("hidden")));

/* urts_exit_trampoline: the user_handler; stack: [rsp] ret, [rsp+8] run.
 * urts_vdso_call: calls the vDSO and restores RBX, RBP and R12-R15 itself:
 * the enclave may clobber R12-R15, and after an exit whose RSP is not the
 * entry RSP (an OCALL frame) the vDSO pops RBX from the wrong place. */
__asm__(".text\n"
        ".globl urts_exit_trampoline\n"
        ".hidden urts_exit_trampoline\n"
        ".type urts_exit_trampoline, @function\n"
        "urts_exit_trampoline:\n"
        "    push %rbx\n"
        "    mov 16(%rsp), %rbx\n"
        "    sub $16, %rsp\n"
        "    mov %rbx, (%rsp)\n"
        "    call urts_on_exit\n"
        "    mov 32(%rbx), %rcx\n"
        "    mov 0(%rcx), %rdi\n"
        "    mov 8(%rcx), %rsi\n"
        "    mov 16(%rcx), %rdx\n"
        "    xor %r8d, %r8d\n"
        "    xor %r9d, %r9d\n"
        "    add $16, %rsp\n"
        "    pop %rbx\n"
        "    ret\n"
        ".size urts_exit_trampoline, . - urts_exit_trampoline\n"
        ".globl urts_vdso_call\n"
        ".hidden urts_vdso_call\n"
        ".type urts_vdso_call, @function\n"
        "urts_vdso_call:\n"
        "    push %rbp\n"
        "    mov %rsp, %rbp\n"
        "    push %rbx\n"
        "    push %r12\n"
        "    push %r13\n"
        "    push %r14\n"
        "    push %r15\n"
        "    pushq 40(%rdi)\n"
        "    mov 0(%rdi), %r11\n"
        "    mov 32(%rdi), %rcx\n"
        "    xor %r8d, %r8d\n"
        "    xor %r9d, %r9d\n"
        "    mov 24(%rdi), %rdx\n"
        "    mov 16(%rdi), %rsi\n"
        "    mov 8(%rdi), %rdi\n"
        "    call *%r11\n"
        "    lea -40(%rbp), %rsp\n"
        "    pop %r15\n"
        "    pop %r14\n"
        "    pop %r13\n"
        "    pop %r12\n"
        "    pop %rbx\n"
        "    pop %rbp\n"
        "    ret\n"
        ".size urts_vdso_call, . - urts_vdso_call\n");
_Static_assert(offsetof(struct urts_call, rdi) == 8 && offsetof(struct urts_call, function) == 32 &&
                   offsetof(struct urts_call, run) == 40,
               "urts_vdso_call reads these by offset");

void urts_count(uint64_t *counter)
{
    __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

/* Ends the ECALL with `outcome`; the handler then returns 0 to the vDSO. */
static int finish(struct urts_thread *th, int outcome)
{
    th->outcome = outcome;
    th->done = true;
    return 0;
}

static int next(struct urts_thread *th, int leaf, uint64_t rdi)
{
    th->next_rdi = rdi;
    th->next_rsi = 0;
    th->next_rdx = 0;
    urts_count(leaf == SGX_EENTER ? &th->encl->cnt.eenter : &th->encl->cnt.eresume);
    return leaf;
}

static const char *fatal_name(long code)
{
    switch (code) {
    case FATAL_BAD_STACK:
        return "exception with the stack pointer outside the thread's stack";
    case FATAL_UNHANDLED:
        return "exception the trusted PAL has no handler for";
    case FATAL_BAD_ENTRY:
        return "entry refused (an OCALL is pending on this thread)";
    case FATAL_NESTING:
        return "exceptions nested deeper than the SSA frames";
    }
    return "unknown reason";
}

/* After urts_halt: the ECALL ends where the thread left the enclave. */
static int stopped(struct urts_thread *th)
{
    sgx_err_set(&th->err, "stopped by the host (the run is ending)");
    return finish(th, URTS_ESTOPPED);
}

/* urts_test_bad_entry: this thread's OCALL is the one to refuse (once). */
static bool bad_entry_due(struct urts_thread *th)
{
    struct urts_enclave *e = th->encl;
    uint32_t want = th->index + 1;
    struct timespec now;

    if (__atomic_load_n(&e->bad_entry_thread, __ATOMIC_RELAXED) != want)
        return false;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec < e->bad_entry_at_ns)
        return false;
    return __atomic_compare_exchange_n(&e->bad_entry_thread, &want, 0, false, __ATOMIC_RELAXED,
                                       __ATOMIC_RELAXED);
}

static int on_ocall(struct urts_thread *th, long rsi, long rdx, long rsp)
{
    if (urts_halted(th->encl))
        return stopped(th);
    if (bad_entry_due(th))
        return next(th, SGX_EENTER, ECALL_STATS); /* a new ECALL, not the OCALL's return */
    /* The frame is at the exit RSP: anything else is a protocol error. */
    __atomic_store_n(&th->busy, URTS_BUSY_OCALL, __ATOMIC_SEQ_CST);
    int bad = rdx != rsp || urts_serve_ocall(th->encl, th->index, (uint64_t)rsi, (uint64_t)rdx);
    __atomic_store_n(&th->busy, URTS_BUSY_ENCLAVE, __ATOMIC_SEQ_CST);
    if (bad)
        return sgx_err_set(&th->err, "malformed OCALL %ld (frame 0x%lx, rsp 0x%lx)", rsi, rdx, rsp),
               finish(th, URTS_EPROTO);
    /* Halted while the OCALL ran (e.g. blocked until kicked): not back in. */
    if (urts_halted(th->encl))
        return stopped(th);
    return next(th, SGX_EENTER, ENCLAVE_ENTER_OCALL_RETURN);
}

static int on_eexit(struct urts_thread *th, long rdi, long rsi, long rdx, long rsp)
{
    urts_count(&th->encl->cnt.eexit);
    th->consecutive_exceptions = 0;
    switch (rdi) {
    case EXIT_ECALL_DONE:
        th->res = (struct urts_result){.status = rsi, .value = (uint64_t)rdx};
        return finish(th, 0);
    case EXIT_OCALL:
        return on_ocall(th, rsi, rdx, rsp);
    case EXIT_STAGE1:
        return urts_halted(th->encl) ? stopped(th) : next(th, SGX_ERESUME, 0);
    case EXIT_FATAL:
        sgx_err_set(&th->err, "enclave fatal error: %s (detail %ld)", fatal_name(rsi), rdx);
        return finish(th, URTS_EFATAL);
    }
    sgx_err_set(&th->err, "enclave exited with unknown code %ld", rdi);
    return finish(th, URTS_EPROTO);
}

/* EPC loss: a #PF with the SGX bit on EENTER, or on a page that is not
 * present. A live enclave's EPCM permission faults (0x8005, 0x8007: present
 * page) are its own exceptions and go to its handler; if the enclave is in
 * fact gone, the entry that delivers them faults on EENTER/ERESUME again. */
static bool epc_lost(const struct sgx_enclave_run *run)
{
    uint16_t err = run->exception_error_code;

    if (run->exception_vector != SGX_VEC_PF || !(err & SGX_PF_SGX))
        return false;
    return run->function == SGX_EENTER || !(err & PF_PRESENT);
}

static int on_exception(struct urts_thread *th, const struct sgx_enclave_run *run)
{
    struct urts_enclave *e = th->encl;
    const char *when = run->function == SGX_EENTER ? "EENTER" : "ERESUME";

    urts_count(&e->cnt.exceptions);
    if (e->aep_hook)
        e->aep_hook(e->aep_hook_ctx);
    if (epc_lost(run)) {
        sgx_err_set(&th->err, "enclave lost: #PF with the SGX bit (error code 0x%x, address 0x%llx) on %s",
                    run->exception_error_code, (unsigned long long)run->exception_addr, when);
        return finish(th, URTS_ELOST);
    }
    if (run->function == SGX_EENTER && !th->consecutive_exceptions) {
        sgx_err_set(&th->err, "EENTER faulted: vector %u, error code 0x%x", run->exception_vector,
                    run->exception_error_code);
        return finish(th, -EFAULT);
    }
    if (urts_halted(e))
        return stopped(th);
    if (++th->consecutive_exceptions > URTS_MAX_EXCEPTIONS && !e->desc.unlimited_exceptions) {
        sgx_err_set(&th->err, "the enclave did not get past exception vector %u (%u in a row)",
                    run->exception_vector, URTS_MAX_EXCEPTIONS);
        return finish(th, URTS_EUNHANDLED);
    }
    /* AEX-Notify: ERESUME enters the enclave's handler. Classic: EENTER does. */
    return e->desc.aex_notify ? next(th, SGX_ERESUME, 0) : next(th, SGX_EENTER, 0);
}

int urts_on_exit(long rdi, long rsi, long rdx, long rsp, long r8, long r9, struct sgx_enclave_run *run)
{
    struct urts_thread *th = (struct urts_thread *)(uintptr_t)run->user_data;

    (void)r8;
    (void)r9;
    if (run->function == SGX_EEXIT)
        return on_eexit(th, rdi, rsi, rdx, rsp);
    if (run->function == SGX_EENTER || run->function == SGX_ERESUME)
        return on_exception(th, run);
    sgx_err_set(&th->err, "vDSO reported unknown function %u", run->function);
    return finish(th, URTS_EPROTO);
}

static int start(struct urts_enclave *e, uint32_t thread, struct urts_thread **out)
{
    struct urts_thread *th;

    if (!e || thread >= e->threads)
        return -EINVAL;
    th = &e->thread[thread];
    sgx_err_set(&th->err, "%s", "");
    if (!e->encl) {
        sgx_err_set(&th->err, "the enclave is gone (lost and not rebuilt)");
        return URTS_ELOST;
    }
    if (!e->drv->enter) {
        sgx_err_set(&th->err, "%s: the driver cannot enter enclaves", e->drv->name);
        return -ENOSYS;
    }
    memset(&th->run, 0, sizeof(th->run));
    th->run.tcs = th->tcs;
    th->run.user_handler = (uint64_t)(uintptr_t)urts_exit_trampoline;
    th->run.user_data = (uint64_t)(uintptr_t)th;
    th->done = false;
    th->consecutive_exceptions = 0;
    *out = th;
    return 0;
}

int urts_ecall(struct urts_enclave *e, uint32_t thread, uint64_t number, void *arg, uint64_t arg2,
               struct urts_result *res)
{
    struct urts_thread *th;
    struct urts_call call;
    int ret = start(e, thread, &th);

    if (ret)
        return ret;
    call = (struct urts_call){e->drv->enter, number, (uint64_t)(uintptr_t)arg, arg2, SGX_EENTER, &th->run};
    urts_count(&e->cnt.eenter);
    urts_trap_enter(th);
    th->runner = pthread_self();
    __atomic_store_n(&th->busy, URTS_BUSY_ENCLAVE, __ATOMIC_SEQ_CST);
    ret = urts_vdso_call(&call);
    __atomic_store_n(&th->busy, 0, __ATOMIC_SEQ_CST);
    urts_trap_enter(NULL);
    if (ret < 0)
        return sgx_err_set(&th->err, "entering the enclave failed: %s", strerror(-ret)), ret;
    if (!th->done) {
        /* Only a handler-less return could get here: an exception the vDSO reported. */
        sgx_err_set(&th->err, "enclave returned without an exit code (function %u)", th->run.function);
        return URTS_EPROTO;
    }
    if (!th->outcome && res)
        *res = th->res;
    return th->outcome;
}

int urts_ecall_restartable(struct urts_enclave *e, uint32_t thread, uint64_t number, void *arg,
                           uint64_t arg2, struct urts_result *res, unsigned max_restarts)
{
    int ret = urts_ecall(e, thread, number, arg, arg2, res);

    /* Each rebuild counts, including one whose configuration ECALL finds the
     * enclave lost again: at most max_restarts, never an unbounded loop. */
    for (unsigned attempt = 0; ret == URTS_ELOST && attempt < max_restarts; attempt++) {
        struct sgx_err err;

        ret = urts_rebuild(e, &err);
        if (ret && ret != URTS_ELOST) {
            sgx_err_set(&e->thread[thread].err, "rebuilding the lost enclave failed: %s", err.msg);
            return ret;
        }
        if (!ret)
            ret = urts_ecall(e, thread, number, arg, arg2, res);
    }
    return ret;
}

int urts_configure(struct urts_enclave *e, struct sgx_err *err)
{
    struct enclave_config cfg = {.aex_notify = e->desc.aex_notify};
    struct urts_result res;
    int ret = urts_ecall(e, 0, ECALL_CONFIG, &cfg, 0, &res);

    if (ret)
        return sgx_err_set(err, "configuring the enclave: %s", urts_last_error(e, 0)), ret;
    if (res.status)
        return sgx_err_set(err, "enclave refused its configuration (status %lld)", (long long)res.status),
               -EINVAL;
    if (res.value != cfg.aex_notify)
        return sgx_err_set(err, "enclave reports AEX-Notify %llu from its ATTRIBUTES, the host built it with %llu",
                           (unsigned long long)res.value, (unsigned long long)cfg.aex_notify),
               -EINVAL;
    return 0;
}

void urts_halt(struct urts_enclave *e)
{
    __atomic_store_n(&e->halted, 1, __ATOMIC_SEQ_CST);
}

bool urts_halted(const struct urts_enclave *e)
{
    return __atomic_load_n(&e->halted, __ATOMIC_SEQ_CST);
}

int urts_test_bad_entry(struct urts_enclave *e, uint32_t thread, uint64_t at_ns)
{
    if (thread >= e->threads)
        return -EINVAL;
    e->bad_entry_at_ns = at_ns;
    __atomic_store_n(&e->bad_entry_thread, thread + 1, __ATOMIC_RELAXED);
    return 0;
}

void urts_set_hook(struct urts_enclave *e, urts_hook_fn fn, void *ctx)
{
    e->hook = fn;
    e->hook_ctx = ctx;
}

void urts_counters(const struct urts_enclave *e, struct urts_counters *out)
{
    out->eenter = __atomic_load_n(&e->cnt.eenter, __ATOMIC_RELAXED);
    out->eexit = __atomic_load_n(&e->cnt.eexit, __ATOMIC_RELAXED);
    out->eresume = __atomic_load_n(&e->cnt.eresume, __ATOMIC_RELAXED);
    out->ocalls = __atomic_load_n(&e->cnt.ocalls, __ATOMIC_RELAXED);
    out->exceptions = __atomic_load_n(&e->cnt.exceptions, __ATOMIC_RELAXED);
}

const char *urts_last_error(const struct urts_enclave *e, uint32_t thread)
{
    return e && thread < e->threads ? e->thread[thread].err.msg : "no such enclave thread";
}

struct sgx_driver_encl *urts_driver_encl(const struct urts_enclave *e)
{
    return e->encl;
}

int urts_inject_epc_loss(struct urts_enclave *e)
{
    if (!e->drv->inject_epc_loss)
        return -ENOTSUP;
    e->drv->inject_epc_loss(e->encl);
    return 0;
}

uint64_t urts_base(const struct urts_enclave *e)
{
    return e->base;
}

unsigned urts_restarts(const struct urts_enclave *e)
{
    return e->restarts;
}
