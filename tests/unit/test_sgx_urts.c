/* The untrusted runtime without an enclave: the copy-and-check helper of the
 * trusted PAL against hostile pointers and lengths, OCALL frame validation,
 * and the host loop (urts_ecall) against a fake `enter` that behaves like
 * __vdso_sgx_enter_enclave in front of a scripted enclave: EEXITs, OCALLs,
 * exceptions on both paths, EPC loss, misbehaving enclaves. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "urts_internal.h"
#include "tap.h"

#define HOST_COPY_NO_ENCLAVE 1
#include "enclave/host_copy.c"

/* ---- copy-and-check ------------------------------------------------------ */
static void test_host_range(void)
{
    const uint64_t b = 0x40000000, s = 0x100000;

    CHECK(host_range_ok(b, s, 0x1000, 16), "range below the enclave accepted");
    CHECK(host_range_ok(b, s, b + s, 4096), "range just above the enclave accepted");
    CHECK(host_range_ok(b, s, b - 16, 16), "range ending exactly at the base accepted");
    CHECK(!host_range_ok(b, s, b - 8, 16), "range straddling the base rejected");
    CHECK(!host_range_ok(b, s, b + s - 1, 2), "range straddling the end rejected");
    CHECK(!host_range_ok(b, s, b + 64, 8), "range inside the enclave rejected");
    CHECK(!host_range_ok(b, s, 0x1000, ~0ULL), "huge length (wraps) rejected");
    CHECK(!host_range_ok(b, s, ~0ULL - 7, 16), "range wrapping past 2^64 rejected");
    CHECK(!host_range_ok(b, s, 0, b + 1), "range from 0 into the enclave rejected");
    CHECK(!host_range_ok(b, s, 0x1000, b), "range covering the whole enclave rejected");
    CHECK(host_range_ok(b, s, b + 8, 0), "zero length touches nothing");
}

/* ---- OCALL frames -------------------------------------------------------- */
static uint8_t ustack[2 * OCALL_MAX_DATA] __attribute__((aligned(64)));

static struct ocall_frame *frame_add(uint64_t a, uint64_t b)
{
    struct ocall_frame *f = (struct ocall_frame *)ustack;
    uint64_t in[2] = {a, b};

    memset(f, 0, sizeof(*f) + 64);
    *f = (struct ocall_frame){.number = OCALL_ADD, .in_size = sizeof(in), .out_cap = 8, .result = -1};
    memcpy(f->data, in, sizeof(in));
    return f;
}

static int64_t hook_calls;
static uint64_t hook_cookie;
static int64_t test_hook(struct urts_enclave *e, uint32_t thread, uint64_t cookie, void *ctx)
{
    (void)e;
    (void)thread;
    (void)ctx;
    hook_calls++;
    hook_cookie = cookie;
    return 5;
}

static void test_ocall_frames(void)
{
    struct urts_enclave e = {0};
    struct ocall_frame *f = frame_add(40, 2);
    uint64_t v = 0;

    CHECK(urts_serve_ocall(&e, 0, OCALL_ADD, (uint64_t)f) == 0 && f->result == 0 && f->out_size == 8 &&
              (memcpy(&v, f->data, 8), v == 42),
          "OCALL_ADD computes 42 into the frame");
    f = frame_add(1, 2);
    f->in_size = OCALL_MAX_DATA + 1;
    CHECK(urts_serve_ocall(&e, 0, OCALL_ADD, (uint64_t)f) == -EPROTO, "oversized input rejected");
    f = frame_add(1, 2);
    f->out_cap = ~0ULL;
    CHECK(urts_serve_ocall(&e, 0, OCALL_ADD, (uint64_t)f) == -EPROTO, "oversized output capacity rejected");
    f = frame_add(1, 2);
    CHECK(urts_serve_ocall(&e, 0, OCALL_HOOK, (uint64_t)f) == -EPROTO, "number disagreeing with RSI rejected");
    CHECK(urts_serve_ocall(&e, 0, OCALL_ADD, (uint64_t)ustack + 4) == -EPROTO, "misaligned frame rejected");
    CHECK(urts_serve_ocall(&e, 0, OCALL_ADD, 0) == -EPROTO, "NULL frame rejected");
    f = frame_add(1, 2);
    f->number = 999;
    CHECK(urts_serve_ocall(&e, 0, 999, (uint64_t)f) == 0 && f->result == -ENOSYS && f->out_size == 0,
          "unknown OCALL answered with -ENOSYS");
    f = frame_add(1, 2);
    f->in_size = 4;
    CHECK(urts_serve_ocall(&e, 0, OCALL_ADD, (uint64_t)f) == 0 && f->result == -EINVAL && f->out_size == 0,
          "OCALL_ADD with a short input fails with -EINVAL");
    f = frame_add(7, 0);
    f->number = OCALL_HOOK;
    f->in_size = 8;
    f->out_cap = 0;
    urts_set_hook(&e, test_hook, NULL);
    CHECK(urts_serve_ocall(&e, 0, OCALL_HOOK, (uint64_t)f) == 0 && f->result == 5 && hook_calls == 1 &&
              hook_cookie == 7,
          "OCALL_HOOK runs the test hook with its cookie");
}

/* ---- the host loop against a fake enter ---------------------------------- */
enum scenario {
    S_DONE, S_OCALL, S_AEXN, S_CLASSIC, S_LOST_COMPUTE, S_LOST_OCALL, S_UNHANDLED, S_FATAL,
    S_BADEXIT, S_BADFRAME, S_LOST_ALWAYS, S_LOST_ONCE, S_EENTER_GP, S_PERM,
};
static enum scenario scenario;
static int stage, losses, config_lie;

struct fake_exit {
    uint32_t function;
    long rdi, rsi, rdx, rsp;
    uint16_t vector, errcd;
};

static struct fake_exit done(long status, long value)
{
    return (struct fake_exit){SGX_EEXIT, EXIT_ECALL_DONE, status, value, 0, 0, 0};
}

static struct fake_exit fault(uint32_t leaf, uint16_t vector, uint16_t errcd)
{
    return (struct fake_exit){leaf, 0, 0, 0, 0, vector, errcd};
}

static struct fake_exit ocall_exit(void)
{
    struct ocall_frame *f = frame_add(40, 2);

    return (struct fake_exit){SGX_EEXIT, EXIT_OCALL, OCALL_ADD, (long)f, (long)f, 0, 0};
}

/* After an OCALL: the host must EENTER with the OCALL-return code. */
static struct fake_exit ocall_returned(uint32_t leaf, unsigned long rdi)
{
    struct ocall_frame *f = (struct ocall_frame *)ustack;
    uint64_t v = 0;

    if (leaf != SGX_EENTER || rdi != ENCLAVE_ENTER_OCALL_RETURN)
        return done(-900, 0);
    memcpy(&v, f->data, sizeof(v));
    return done(f->result, (long)v);
}

static struct fake_exit step_exceptions(uint32_t leaf)
{
    switch (scenario) {
    case S_AEXN:
        if (stage == 0)
            return fault(SGX_EENTER == leaf ? SGX_ERESUME : leaf, SGX_VEC_UD, 0);
        return leaf == SGX_ERESUME ? done(0, 42) : done(-901, 0);
    case S_CLASSIC:
        if (stage == 0)
            return fault(SGX_ERESUME, SGX_VEC_UD, 0);
        if (stage == 1)
            return leaf == SGX_EENTER ? (struct fake_exit){SGX_EEXIT, EXIT_STAGE1, 0, 0, 0, 0, 0} : done(-902, 0);
        return leaf == SGX_ERESUME ? done(0, 43) : done(-903, 0);
    case S_LOST_COMPUTE:
        return fault(SGX_ERESUME, SGX_VEC_PF, 0x8004);
    case S_PERM:
        if (stage == 0)
            return fault(SGX_ERESUME, SGX_VEC_PF, 0x8007);
        return leaf == SGX_ERESUME ? done(0, 44) : done(-905, 0);
    case S_UNHANDLED:
        return fault(SGX_ERESUME, SGX_VEC_GP, 0);
    case S_EENTER_GP:
        return fault(SGX_EENTER, SGX_VEC_GP, 0);
    default:
        return done(-904, 0);
    }
}

static struct fake_exit enclave_step(uint32_t leaf, unsigned long rdi, unsigned long rsi)
{
    if (leaf == SGX_EENTER && rdi == ECALL_CONFIG && rsi) { /* the classic EENTER has RSI = 0 */
        struct enclave_config cfg;

        memcpy(&cfg, (void *)rsi, sizeof(cfg));
        return done(0, (long)(cfg.aex_notify ^ (uint64_t)config_lie));
    }
    switch (scenario) {
    case S_DONE:
        return done(0, (long)rsi);
    case S_OCALL:
        return stage == 0 ? ocall_exit() : ocall_returned(leaf, rdi);
    case S_LOST_OCALL:
        return stage == 0 ? ocall_exit() : fault(SGX_EENTER, SGX_VEC_PF, 0x8000);
    case S_FATAL:
        return (struct fake_exit){SGX_EEXIT, EXIT_FATAL, FATAL_UNHANDLED, 13, 0, 0, 0};
    case S_BADEXIT:
        return (struct fake_exit){SGX_EEXIT, 77, 0, 0, 0, 0, 0};
    case S_BADFRAME: {
        struct fake_exit x = ocall_exit();
        x.rsp += 64;
        return x;
    }
    case S_LOST_ALWAYS:
        return fault(SGX_EENTER, SGX_VEC_PF, 0x8000);
    case S_LOST_ONCE:
        return losses++ ? done(0, 7) : fault(SGX_EENTER, SGX_VEC_PF, 0x8000);
    default:
        return step_exceptions(leaf);
    }
}

/* __vdso_sgx_enter_enclave's loop: ENCLU, report, call the handler, repeat
 * with the leaf it returns and the registers the trampoline loaded (which a C
 * caller can only see through the thread, hence next_*). */
static int fake_enter(unsigned long rdi, unsigned long rsi, unsigned long rdx, unsigned int function,
                      unsigned long r8, unsigned long r9, struct sgx_enclave_run *run)
{
    sgx_enclave_user_handler_t handler = (sgx_enclave_user_handler_t)(uintptr_t)run->user_handler;

    (void)rdx;
    (void)r8;
    (void)r9;
    for (;;) {
        struct fake_exit x = enclave_step(function, rdi, rsi);
        const struct urts_thread *th;
        int ret;

        stage++;
        run->function = x.function;
        run->exception_vector = x.vector;
        run->exception_error_code = x.errcd;
        run->exception_addr = x.vector == SGX_VEC_PF ? 0x7000 : 0;
        if (!handler)
            return 0;
        ret = handler(x.rdi, x.rsi, x.rdx, x.rsp, 0, 0, run);
        if (ret <= 0)
            return ret;
        th = (const struct urts_thread *)(uintptr_t)run->user_data;
        function = (unsigned)ret;
        rdi = th->next_rdi;
        rsi = th->next_rsi;
    }
}

static int fake_open(const struct sgx_driver *drv, struct sgx_driver_encl **out)
{
    (void)drv;
    *out = (struct sgx_driver_encl *)malloc(1);
    return *out ? 0 : -ENOMEM;
}
static int fake_create(struct sgx_driver_encl *encl, struct sgx_enclave_create *arg)
{
    (void)encl;
    (void)arg;
    return 0;
}
static int fake_add(struct sgx_driver_encl *encl, struct sgx_enclave_add_pages *arg)
{
    (void)encl;
    arg->count = arg->length;
    return 0;
}
static int fake_init(struct sgx_driver_encl *encl, struct sgx_enclave_init *arg)
{
    (void)encl;
    (void)arg;
    return 0;
}
static void fake_close(struct sgx_driver_encl *encl)
{
    free(encl);
}

static const struct sgx_driver fake_drv = {.name = "fake", .open = fake_open, .create = fake_create,
                                           .add_pages = fake_add, .init = fake_init,
                                           .close = fake_close, .enter = fake_enter};

static char pal_path[512];
static sgx_sign_key *key;

static struct urts_enclave *make(bool aex_notify)
{
    struct urts_desc d = {.pal_path = pal_path, .threads = 1, .nssa = 3, .stack_size = 16384,
                          .heap_size = 4096, .aex_notify = aex_notify, .key = key};
    struct urts_enclave *e = NULL;
    struct sgx_err err = {{0}};

    stage = 0;
    if (!CHECK(urts_create(&fake_drv, &d, &e, &err) == 0, "create with the fake driver (%s)", err.msg))
        return NULL;
    return e;
}

/* Runs one ECALL of `s` on a fresh enclave; counters and result out. */
static int run(enum scenario s, bool aex_notify, struct urts_counters *c, struct urts_result *res, char *msg)
{
    struct urts_enclave *e = make(aex_notify);
    struct urts_counters before;
    int ret;

    if (!e)
        return -9999;
    urts_counters(e, &before);
    scenario = s;
    stage = 0;
    ret = urts_ecall(e, 0, ECALL_COMPUTE, (void *)0x1234, 0, res);
    urts_counters(e, c);
    c->eenter -= before.eenter;
    c->eexit -= before.eexit;
    c->eresume -= before.eresume;
    snprintf(msg, 256, "%s", urts_last_error(e, 0));
    urts_destroy(e);
    return ret;
}

static void test_loop(void)
{
    struct urts_counters c;
    struct urts_result r = {0};
    char msg[256];
    int ret;

    ret = run(S_DONE, true, &c, &r, msg);
    CHECK(ret == 0 && r.status == 0 && r.value == 0x1234 && c.eenter == 1 && c.eexit == 1,
          "ECALL round trip: argument in, result out, one EENTER and one EEXIT");
    ret = run(S_OCALL, true, &c, &r, msg);
    CHECK(ret == 0 && r.status == 0 && r.value == 42 && c.ocalls == 1 && c.eenter == 2 && c.eexit == 2,
          "OCALL served and re-entered with the OCALL-return code (ret %d, status %lld, value %llu)", ret,
          (long long)r.status, (unsigned long long)r.value);
    ret = run(S_AEXN, true, &c, &r, msg);
    CHECK(ret == 0 && r.value == 42 && c.eresume == 1 && c.eenter == 1 && c.eexit == 1 && c.exceptions == 1,
          "AEX-Notify exception: one ERESUME, no extra EENTER/EEXIT");
    ret = run(S_CLASSIC, false, &c, &r, msg);
    CHECK(ret == 0 && r.value == 43 && c.eresume == 1 && c.eenter == 2 && c.eexit == 2,
          "classic exception: EENTER for stage 1, its EEXIT, then ERESUME");
    ret = run(S_LOST_COMPUTE, true, &c, &r, msg);
    CHECK(ret == URTS_ELOST && strstr(msg, "enclave lost") && strstr(msg, "ERESUME"),
          "EPC loss during a computation -> URTS_ELOST (%s)", msg);
    ret = run(S_PERM, true, &c, &r, msg);
    CHECK(ret == 0 && r.value == 44 && c.eresume == 1,
          "EPCM permission fault (0x8007) in a live enclave goes to its handler, not 'lost' (%s)", msg);
    ret = run(S_LOST_OCALL, true, &c, &r, msg);
    CHECK(ret == URTS_ELOST && strstr(msg, "0x8000") && strstr(msg, "EENTER"),
          "EPC loss during an OCALL -> URTS_ELOST (%s)", msg);
    ret = run(S_UNHANDLED, true, &c, &r, msg);
    CHECK(ret == URTS_EUNHANDLED && c.exceptions == URTS_MAX_EXCEPTIONS + 1,
          "an exception the enclave never gets past is bounded (%s)", msg);
    ret = run(S_EENTER_GP, true, &c, &r, msg);
    CHECK(ret == -EFAULT && strstr(msg, "EENTER faulted"), "a faulting EENTER is an error (%s)", msg);
    ret = run(S_FATAL, true, &c, &r, msg);
    CHECK(ret == URTS_EFATAL && strstr(msg, "no handler"), "EXIT_FATAL reported with its reason (%s)", msg);
    ret = run(S_BADEXIT, true, &c, &r, msg);
    CHECK(ret == URTS_EPROTO && strstr(msg, "unknown code 77"), "unknown exit code rejected (%s)", msg);
    ret = run(S_BADFRAME, true, &c, &r, msg);
    CHECK(ret == URTS_EPROTO && c.ocalls == 0, "OCALL frame not at the exit RSP rejected (%s)", msg);
}

static void test_restart(void)
{
    struct urts_enclave *e = make(true);
    struct urts_result r = {0};
    int ret;

    if (!e)
        return;
    scenario = S_LOST_ALWAYS;
    ret = urts_ecall_restartable(e, 0, ECALL_COMPUTE, NULL, 0, &r, 2);
    CHECK(ret == URTS_ELOST && urts_restarts(e) == 2, "lost every time: 2 rebuilds, then URTS_ELOST");
    scenario = S_LOST_ONCE;
    losses = 0;
    stage = 0;
    ret = urts_ecall_restartable(e, 0, ECALL_COMPUTE, NULL, 0, &r, 2);
    CHECK(ret == 0 && r.value == 7 && urts_restarts(e) == 3, "lost once: rebuilt and the ECALL succeeds");
    urts_destroy(e);
}

static void test_no_enter(void)
{
    struct sgx_driver drv = fake_drv;
    struct urts_desc d = {.pal_path = pal_path, .threads = 1, .nssa = 1, .stack_size = 16384, .key = key};
    struct urts_enclave *e = NULL;
    struct sgx_err err = {{0}};

    CHECK(urts_create(&drv, &d, &e, &err) == -EINVAL && strstr(err.msg, "NSSA"), "NSSA 1 refused (%s)", err.msg);
    d.nssa = 2;
    drv.enter = NULL;
    CHECK(urts_create(&drv, &d, &e, &err) == 0, "a driver without enter still builds");
    CHECK(e && urts_ecall(e, 0, ECALL_COMPUTE, NULL, 0, NULL) == -ENOSYS, "but an ECALL says -ENOSYS");
    urts_destroy(e);
    d.aex_notify = true;
    config_lie = 1;
    CHECK(urts_create(&fake_drv, &d, &e, &err) == -EINVAL && strstr(err.msg, "reports AEX-Notify 0"),
          "enclave's own AEX-Notify view disagreeing with the build refused (%s)", err.msg);
    config_lie = 0;
    d.pal_path = "/nonexistent/pal.elf";
    CHECK(urts_create(&fake_drv, &d, &e, &err) < 0 && strstr(err.msg, "nonexistent"),
          "missing PAL ELF named (%s)", err.msg);
}

int main(void)
{
    const char *b = getenv("GEODE_BUILD");
    struct sgx_err err;

    test_host_range();
    test_ocall_frames();
    snprintf(pal_path, sizeof(pal_path), "%s/pal-enclave-test.elf", b ? b : "build");
    key = sgx_key_generate(&err);
    if (!CHECK(key != NULL, "test key")) 
        return TAP_DONE();
    test_loop();
    test_restart();
    test_no_enter();
    sgx_key_free(key);
    return TAP_DONE();
}
