/* The trusted PAL in a real enclave run on the sim, through the uRTS:
 * ECALL/OCALL round trip, exceptions handled inside the enclave on the
 * AEX-Notify path (one AEX, one ERESUME, one EDECCSSA, no extra EENTER/EEXIT)
 * and on the classic path, a timer signal during a long computation, a fault
 * inside the handler (NSSA = 3), and EPC loss during a computation and during
 * an OCALL. Counts come from the sim's own counters. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "host_caps.h"
#include "urts.h"
#include "sim_build.h"
#include "sim_encl.h"
#include "sim_run.h"
#include "tap.h"
#include "sim_signal.h"

static char pal_path[512];
static sgx_sign_key *key;

static struct urts_enclave *make(struct sgx_driver *drv, struct sgx_sim_cpu *cpu, bool aex_notify)
{
    struct urts_desc d = {.pal_path = pal_path, .threads = 2, .nssa = 3, .stack_size = 65536,
                          .heap_size = 65536, .aex_notify = aex_notify, .key = key};
    struct urts_enclave *e = NULL;
    struct sgx_err err = {{0}};

    sgx_sim_cpu_default(cpu, aex_notify);
    sgx_sim_driver_init(drv, cpu);
    if (!CHECK(urts_create(drv, &d, &e, &err) == 0, "enclave built, EINIT and configured (aex_notify %d) %s",
               aex_notify, err.msg))
        return NULL;
    return e;
}

static void sim_delta(struct urts_enclave *e, const struct sgx_sim_counters *before, struct sgx_sim_counters *d)
{
    sgx_sim_counters(urts_driver_encl(e), d);
    d->eenter -= before->eenter;
    d->eexit -= before->eexit;
    d->aex -= before->aex;
    d->eresume -= before->eresume;
    d->edeccssa -= before->edeccssa;
}

static int64_t hook_calls, hook_saw_secret;
static int64_t count_hook(struct urts_enclave *e, uint32_t thread, uint64_t cookie, void *ctx)
{
    uint64_t x7, x15;

    /* The enclave left a marker in XMM7 and XMM15 before this OCALL. */
    __asm__ volatile("movq %%xmm7, %0; movq %%xmm15, %1" : "=r"(x7), "=r"(x15));
    hook_saw_secret += x7 == 0x5ec2e7c0ffee5ec2ULL || x15 == 0x5ec2e7c0ffee5ec2ULL;
    (void)e;
    (void)thread;
    (void)ctx;
    hook_calls++;
    return cookie == 40 ? 0 : -EINVAL;
}

static void test_ocall(struct urts_enclave *e)
{
    struct ecall_ocall_test t = {.a = 40, .b = 2};
    struct urts_result r = {0};
    int ret;

    struct sgx_sim_counters c0, c1;

    urts_set_hook(e, count_hook, NULL);
    hook_calls = 0;
    sgx_sim_counters(urts_driver_encl(e), &c0);
    ret = urts_ecall(e, 1, ECALL_OCALL_TEST, &t, 0, &r);
    sgx_sim_counters(urts_driver_encl(e), &c1);
    /* Every EEXIT (the OCALLs', the ECALL's end) at the trusted PAL's one
     * ENCLU, alone at the end of its page: where the kernel keeps the
     * bases the sim writes, the direct EEXIT through the page's stub (no
     * signal); elsewhere the sim's fetch #PF on an ENCLU page (docs/sim.md,
     * "ENCLU pages", "Direct EEXIT"), never a mixed page. */
    if (host_cap(HOST_CAP_FSGSBASE))
        CHECK(c1.eexit - c0.eexit >= 2 && c1.eexit_direct - c0.eexit_direct == c1.eexit - c0.eexit &&
                  c1.enclu_fetch == c0.enclu_fetch && c1.xtrap_pages == 0 && c1.xtrap_mixed == 0,
              "the PAL's EEXITs are direct, through the stub on its ENCLU page (EEXIT %llu, direct %llu; "
              "pages %llu, mixed %llu)",
              (unsigned long long)(c1.eexit - c0.eexit), (unsigned long long)(c1.eexit_direct - c0.eexit_direct),
              (unsigned long long)c1.xtrap_pages, (unsigned long long)c1.xtrap_mixed);
    else
        CHECK(c1.eexit - c0.eexit >= 2 && c1.enclu_fetch - c0.enclu_fetch == c1.eexit - c0.eexit &&
                  c1.xtrap_pages == 1 && c1.xtrap_mixed == 0 && c1.eexit_direct == 0,
              "the PAL's EEXITs are fetch faults on its ENCLU page (EEXIT %llu, by fetch %llu; pages %llu, "
              "mixed %llu)",
              (unsigned long long)(c1.eexit - c0.eexit), (unsigned long long)(c1.enclu_fetch - c0.enclu_fetch),
              (unsigned long long)c1.xtrap_pages, (unsigned long long)c1.xtrap_mixed);
    CHECK(ret == 0 && r.status == 0 && r.value == 1 && t.sum == 42 && t.checked == 42 && hook_calls == 1,
          "ECALL -> OCALL_ADD -> result copied back: 40 + 2 = %llu (ret %d status %lld: %s)",
          (unsigned long long)t.sum, ret, (long long)r.status, urts_last_error(e, 1));
    CHECK(hook_calls == 1 && !hook_saw_secret,
          "the enclave's vector registers are not visible to the host during an OCALL, and are "
          "back afterwards (value %llu)", (unsigned long long)r.value);
    urts_set_hook(e, NULL, NULL);
}

static void lie_size(struct ocall_frame *f, void *ctx)
{
    (void)ctx;
    if (f->number == OCALL_ADD)
        f->out_size = 4096; /* more than the 8 bytes the enclave asked for */
}

static void lie_errno(struct ocall_frame *f, void *ctx)
{
    (void)ctx;
    f->result = -200; /* not an errno the enclave passes through */
}

static int aep_scribbles;

/* Host code at the AEP after an exception may use as much of the untrusted
 * stack as it likes (a kernel signal frame with XSAVE state is ~3 KiB). */
static void scribble_stack(void *ctx)
{
    volatile unsigned char buf[8192];

    (void)ctx;
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = 0xa5;
    aep_scribbles++;
}

/* An exception after an OCALL's frame is written and before its EEXIT: the
 * AEX sends the host to the AEP on the untrusted stack, below which the
 * frame lies unless the enclave moved that stack below the frame (ocall.c,
 * keep_host_below). The host's stack use there must not reach the frame. */
static void test_fault_in_frame(struct urts_enclave *e, bool aex_notify)
{
    struct ecall_ocall_test t = {.a = 20, .b = 22};
    struct urts_result r = {0};
    struct urts_counters c0, c1;
    int ret;

    urts_counters(e, &c0);
    aep_scribbles = 0;
    urts_set_aep_hook(e, scribble_stack, NULL);
    ret = urts_ecall(e, 0, ECALL_OCALL_TEST, &t, OCALL_TEST_FAULT_AFTER_FRAME, &r);
    urts_set_aep_hook(e, NULL, NULL);
    urts_counters(e, &c1);
    CHECK(ret == 0 && r.status == 0 && r.value == 1 && t.sum == 42 && aep_scribbles == 1 &&
              c1.exceptions == c0.exceptions + 1,
          "%s: a #UD between an OCALL's frame and its EEXIT, 8 KiB of host stack used at the AEP: the OCALL "
          "is intact (ret %d, status %lld, sum %llu, %d hook runs, %s)",
          aex_notify ? "aex-notify" : "classic", ret, (long long)r.status, (unsigned long long)t.sum,
          aep_scribbles, urts_last_error(e, 0));
}

static void test_hostile_host(struct urts_enclave *e)
{
    struct ecall_ocall_test t = {.a = 1, .b = 2};
    struct urts_result r = {0};
    int ret;

    urts_set_frame_hook(e, lie_size, NULL);
    ret = urts_ecall(e, 0, ECALL_OCALL_TEST, &t, 0, &r);
    CHECK(ret == 0 && r.status == -EIO && t.sum == 0, "OCALL returning more bytes than requested -> -EIO inside "
          "(status %lld)", (long long)r.status);
    urts_set_frame_hook(e, lie_errno, NULL);
    ret = urts_ecall(e, 0, ECALL_OCALL_TEST, &t, 0, &r);
    CHECK(ret == 0 && r.status == -EIO, "OCALL errno outside the allow-list -> -EIO inside (status %lld)",
          (long long)r.status);
    urts_set_frame_hook(e, NULL, NULL);
    ret = urts_ecall(e, 0, ECALL_OCALL_TEST, (void *)(uintptr_t)(urts_base(e) + 0x1000), 0, &r);
    CHECK(ret == 0 && r.status == -EFAULT, "ECALL argument pointing into the enclave refused (status %lld)",
          (long long)r.status);
    ret = urts_ecall(e, 0, ECALL_COUNT + 5, NULL, 0, &r);
    CHECK(ret == 0 && r.status == -ENOSYS, "unknown ECALL number -> -ENOSYS");
}

static void test_regs(struct urts_enclave *e, bool aex_notify)
{
    static const uint64_t want[11] = {0x1111111111111111, 0x2222222222222222, 0x3333333333333333,
                                      0x4444444444444444, 0x5555555555555555, 0x6666666666666666,
                                      0x7777777777777777, 0x8888888888888888, 0x9999999999999999,
                                      0xaaaaaaaaaaaaaaaa, 0xbbbbbbbbbbbbbbbb};
    struct ecall_regs_report rep;
    struct urts_result r = {0};
    int ret, same = 1;

    memset(&rep, 0, sizeof(rep));
    ret = urts_ecall(e, 0, ECALL_FAULT, &rep, FAULT_REGS, &r);
    for (int i = 0; i < 11; i++)
        same &= rep.gpr[i] == want[i];
    CHECK(ret == 0 && r.value == 1 && same, "%s: every GPR survives the exception handler",
          aex_notify ? "aex-notify" : "classic");
    CHECK(rep.xmm0[0] == want[0] && rep.xmm0[1] == want[1] && rep.xmm15[0] == want[8] && rep.xmm15[1] == want[9],
          "%s: XMM0/XMM15 survive (XSAVE state restored; xmm0 %llx:%llx)", aex_notify ? "aex-notify" : "classic",
          (unsigned long long)rep.xmm0[1], (unsigned long long)rep.xmm0[0]);
    CHECK(rep.df == 1, "%s: RFLAGS.DF survives", aex_notify ? "aex-notify" : "classic");
}

static uint64_t xorshift(uint64_t n)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL;

    for (uint64_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    return x;
}

struct fault_case {
    enum enclave_fault_kind kind;
    uint8_t vector;
    uint64_t value;
    const char *name;
};

static void test_fault(struct urts_enclave *e, const struct fault_case *fc, bool aex_notify)
{
    struct ecall_fault_report rep = {0};
    struct sgx_sim_counters before, d;
    struct urts_result r = {0};
    int ret;

    sgx_sim_counters(urts_driver_encl(e), &before);
    ret = urts_ecall(e, 0, ECALL_FAULT, &rep, fc->kind, &r);
    sim_delta(e, &before, &d);
    if (!CHECK(ret == 0 && r.status == 0 && r.value == fc->value && rep.vector == fc->vector && rep.handled == 1,
               "%s %s: handled inside (ret %d, value 0x%llx, vector %llu, handled %llu: %s)",
               aex_notify ? "aex-notify" : "classic", fc->name, ret, (unsigned long long)r.value,
               (unsigned long long)rep.vector, (unsigned long long)rep.handled, urts_last_error(e, 0)))
        return;
    if (fc->kind == FAULT_PF)
        CHECK(rep.addr == rep.expected_addr, "#PF: EXINFO address 0x%llx is the one accessed (0x%llx)",
              (unsigned long long)rep.addr, (unsigned long long)rep.expected_addr);
    if (aex_notify)
        CHECK(d.aex == 1 && d.eresume == 1 && d.edeccssa == 1 && d.eenter == 1 && d.eexit == 1,
              "aex-notify %s: 1 AEX, 1 ERESUME, 1 EDECCSSA, only the ECALL's EENTER/EEXIT (aex %llu eresume "
              "%llu edeccssa %llu eenter %llu eexit %llu)", fc->name, (unsigned long long)d.aex,
              (unsigned long long)d.eresume, (unsigned long long)d.edeccssa, (unsigned long long)d.eenter,
              (unsigned long long)d.eexit);
    else
        CHECK(d.aex == 1 && d.eresume == 1 && d.edeccssa == 0 && d.eenter == 2 && d.eexit == 2,
              "classic %s: AEX, EENTER (stage 1), EEXIT, ERESUME (aex %llu eresume %llu eenter %llu eexit %llu)",
              fc->name, (unsigned long long)d.aex, (unsigned long long)d.eresume, (unsigned long long)d.eenter,
              (unsigned long long)d.eexit);
}

static void test_nested(struct urts_enclave *e, bool aex_notify)
{
    struct ecall_fault_report rep = {0};
    struct urts_result r = {0};
    int ret = urts_ecall(e, 0, ECALL_FAULT, &rep, FAULT_NESTED, &r);

    CHECK(ret == 0 && r.value == 0xd2 && rep.handled == 2 && rep.max_cssa == 2,
          "%s: a fault inside the handler (CSSA 2, NSSA 3) is handled too (ret %d handled %llu max cssa %llu: %s)",
          aex_notify ? "aex-notify" : "classic", ret, (unsigned long long)rep.handled,
          (unsigned long long)rep.max_cssa, urts_last_error(e, 0));
}

static volatile sig_atomic_t alarms;
static struct sgx_driver_encl *lose_on_alarm;
static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
    if (lose_on_alarm && alarms == 3)
        sgx_sim_inject_epc_loss(lose_on_alarm);
}

static void set_timer(long usec)
{
    struct itimerval it = {{0, usec}, {0, usec}};

    setitimer(ITIMER_REAL, &it, NULL);
}

static void test_timer(struct urts_enclave *e, bool aex_notify)
{
    const uint64_t n = 300000000;
    struct enclave_stats s0 = {0}, s1 = {0};
    struct sgx_sim_counters before, d;
    struct urts_result r = {0};
    int ret;

    urts_ecall(e, 0, ECALL_STATS, &s0, 0, NULL);
    sgx_sim_counters(urts_driver_encl(e), &before);
    alarms = 0;
    signal(SIGALRM, on_alarm);
    sim_signals_changed(); /* the sim takes handlers over again at the next entry */
    set_timer(2000);
    ret = urts_ecall(e, 0, ECALL_COMPUTE, NULL, n, &r);
    set_timer(0);
    sim_delta(e, &before, &d);
    urts_ecall(e, 0, ECALL_STATS, &s1, 0, NULL);
    CHECK(ret == 0 && r.value == xorshift(n) && alarms > 0 && d.aex > 0,
          "%s: timer signals during a computation (%d signals, %llu AEX), result correct",
          aex_notify ? "aex-notify" : "classic", (int)alarms, (unsigned long long)d.aex);
    if (aex_notify)
        CHECK(s1.notifications > s0.notifications, "aex-notify: the notification handler ran (%llu times)",
              (unsigned long long)(s1.notifications - s0.notifications));
}

/* OCALLs under a storm of timer signals: one taken while the thread leaves
 * by the direct EEXIT (in the ENCLU page's stub or in sim_xexit, before it
 * left enclave mode) is an AEX at the ENCLU, with the registers the
 * enclave had there; the OCALL then goes on as if nothing happened. The
 * classic run's timer signal is a real-time one: the sim owns those too,
 * so they are not blocked in enclave code but taken there (AEX). */
static void on_rt(int sig)
{
    (void)sig;
    alarms++;
}

static void test_exit_storm(struct urts_enclave *e, bool aex_notify)
{
    struct sgx_sim_counters c0, c1;
    bool direct = host_cap(HOST_CAP_FSGSBASE);
    time_t end = time(NULL) + 5;
    int bad = 0, i, sig = aex_notify ? SIGALRM : SIGRTMIN + 3;
    char first[256] = "";
    struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = sig};
    struct itimerspec its = {{0, 40000}, {0, 40000}}, off = {{0, 0}, {0, 0}};
    timer_t tm;

    if (!CHECK(timer_create(CLOCK_MONOTONIC, &sev, &tm) == 0, "timer for the signal storm"))
        return;
    sgx_sim_counters(urts_driver_encl(e), &c0);
    c1 = c0;
    alarms = 0;
    signal(sig, aex_notify ? on_alarm : on_rt);
    sim_signals_changed();
    timer_settime(tm, 0, &its, NULL);
    /* At least 1000; where EEXITs are direct, on until 50 signals came in
     * their window, or 5 s. */
    for (i = 0; i < 1000 || (direct && c1.xexit_rewinds - c0.xexit_rewinds < 50 && time(NULL) < end); i++) {
        struct ecall_ocall_test t = {.a = (uint64_t)i, .b = 7};
        struct urts_result r = {0};

        int ret = urts_ecall(e, 0, ECALL_OCALL_TEST, &t, 0, &r);

        if ((ret || r.status || t.sum != (uint64_t)i + 7) && !bad++)
            snprintf(first, sizeof(first), "first at %d: ret %d, status %lld, sum %llu, %s", i, ret,
                     (long long)r.status, (unsigned long long)t.sum, urts_last_error(e, 0));
        if (i % 256 == 0)
            sgx_sim_counters(urts_driver_encl(e), &c1);
    }
    timer_settime(tm, 0, &off, NULL);
    timer_delete(tm);
    signal(sig, aex_notify ? on_alarm : SIG_IGN); /* one may still be pending; test_loss uses on_alarm */
    sim_signals_changed();
    sgx_sim_counters(urts_driver_encl(e), &c1);
    CHECK(bad == 0 && alarms > 0 && c1.aex > c0.aex && (!direct || c1.xexit_rewinds > c0.xexit_rewinds),
          "%s: %d OCALLs under %d timer signals (%s), every result right (%d wrong%s%s); %llu taken in "
          "enclave code (AEX), %llu on the way out of the direct EEXIT",
          aex_notify ? "aex-notify" : "classic", i, (int)alarms, aex_notify ? "SIGALRM" : "SIGRTMIN+3", bad,
          bad ? ", " : "", first,
          (unsigned long long)(c1.aex - c0.aex), (unsigned long long)(c1.xexit_rewinds - c0.xexit_rewinds));
}

static void test_loss(struct urts_enclave *e)
{
    struct ecall_ocall_test t = {.a = 40, .b = 2};
    struct urts_result r = {0};
    struct sgx_err err;
    int ret;

    lose_on_alarm = urts_driver_encl(e);
    alarms = 0;
    set_timer(2000);
    ret = urts_ecall(e, 0, ECALL_COMPUTE, NULL, 4000000000ULL, &r);
    set_timer(0);
    lose_on_alarm = NULL;
    CHECK(ret == URTS_ELOST && strstr(urts_last_error(e, 0), "0x8"),
          "EPC loss during a computation: enclave lost, not a crash (%d: %s)", ret, urts_last_error(e, 0));
    ret = urts_rebuild(e, &err);
    CHECK(ret == 0, "rebuilt after the loss (%s)", ret ? err.msg : "");
    if (ret)
        return;
    ret = urts_ecall_restartable(e, 0, ECALL_COMPUTE, NULL, 1000, &r, 1);
    CHECK(ret == 0 && r.value == xorshift(1000), "the rebuilt enclave computes");
    sgx_sim_inject_epc_loss_after(urts_driver_encl(e), 2); /* the EENTER returning from the OCALL */
    ret = urts_ecall(e, 1, ECALL_OCALL_TEST, &t, 0, &r);
    CHECK(ret == URTS_ELOST && strstr(urts_last_error(e, 1), "EENTER"),
          "EPC loss during an OCALL: enclave lost on re-entry (%d: %s)", ret, urts_last_error(e, 1));
}

/* The enclave's own counters agree with what this file did to it. */
static void test_stats(struct urts_enclave *e, bool aex_notify)
{
    struct enclave_stats s = {0};
    struct urts_counters c;
    int ret = urts_ecall(e, 0, ECALL_STATS, &s, 0, NULL);

    urts_counters(e, &c);
    CHECK(ret == 0 && s.ecalls >= 16 && s.ocalls == 6 && s.exceptions == 8 &&
              s.edeccssa == (aex_notify ? s.exceptions + s.notifications : 0) &&
              s.stage1_exits == (aex_notify ? 0 : 8) && c.ocalls == s.ocalls,
          "%s: enclave counters: %llu ECALLs, %llu OCALLs (host %llu), %llu exceptions, %llu EDECCSSA, "
          "%llu stage-1 exits", aex_notify ? "aex-notify" : "classic", (unsigned long long)s.ecalls,
          (unsigned long long)s.ocalls, (unsigned long long)c.ocalls, (unsigned long long)s.exceptions,
          (unsigned long long)s.edeccssa, (unsigned long long)s.stage1_exits);
}

struct worker {
    struct urts_enclave *e;
    uint32_t thread;
    int failures;
};

/* OCALLs, faults and computations on one TCS while another host thread does
 * the same on the other: per-thread state must stay per thread. */
static void *worker(void *arg)
{
    struct worker *w = arg;

    for (int i = 0; i < 50; i++) {
        struct ecall_ocall_test t = {.a = (uint64_t)i, .b = w->thread};
        struct ecall_fault_report rep = {0};
        struct urts_result r = {0};

        if (urts_ecall(w->e, w->thread, ECALL_OCALL_TEST, &t, 0, &r) || r.status || t.sum != (uint64_t)i + w->thread)
            w->failures++;
        if (urts_ecall(w->e, w->thread, ECALL_FAULT, &rep, FAULT_UD2, &r) || r.value != 0xd2 || rep.handled != 1)
            w->failures++;
        if (urts_ecall(w->e, w->thread, ECALL_COMPUTE, NULL, 1000 + i, &r) || r.value != xorshift(1000 + i))
            w->failures++;
    }
    return NULL;
}

static void test_threads(bool aex_notify)
{
    struct sgx_sim_cpu cpu;
    struct sgx_driver drv;
    struct urts_enclave *e = make(&drv, &cpu, aex_notify);
    struct worker w[2] = {{e, 0, 0}, {e, 1, 0}};
    pthread_t tid[2];

    if (!e)
        return;
    for (int i = 0; i < 2; i++)
        pthread_create(&tid[i], NULL, worker, &w[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(tid[i], NULL);
    CHECK(w[0].failures == 0 && w[1].failures == 0,
          "%s: two host threads on two TCSs, 150 ECALLs each with OCALLs and faults (%d + %d failures)",
          aex_notify ? "aex-notify" : "classic", w[0].failures, w[1].failures);
    urts_destroy(e);
}

static void run_mode(bool aex_notify)
{
    static const struct fault_case cases[] = {
        {FAULT_UD2, SGX_VEC_UD, 0xd2, "ud2 (#UD)"},
        {FAULT_PF, SGX_VEC_PF, 0xfa17, "guard-page read (#PF)"},
        {FAULT_DE, SGX_VEC_DE, 7, "divide by zero (#DE)"},
        {FAULT_BP, SGX_VEC_BP, 0xb3, "int3 (#BP)"},
    };
    struct sgx_sim_cpu cpu;
    struct sgx_driver drv;
    struct urts_enclave *e = make(&drv, &cpu, aex_notify);

    if (!e)
        return;
    test_ocall(e);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        test_fault(e, &cases[i], aex_notify);
    test_nested(e, aex_notify);
    test_regs(e, aex_notify);
    test_hostile_host(e);
    test_fault_in_frame(e, aex_notify);
    test_timer(e, aex_notify);
    test_stats(e, aex_notify);
    test_exit_storm(e, aex_notify);
    if (aex_notify)
        test_loss(e);
    urts_destroy(e);
}

/* ECALL_FORK_PREPARE (a pool member's zeroing ahead of a fork): only heap
 * pages are zeroed (the runs are clipped to them), malformed runs are
 * refused, and once ECALL_RUN has started (even one that then failed) it
 * is refused: it must never zero a running enclave's memory. */
static int64_t prepare(struct urts_enclave *e, uint64_t addr, uint64_t pages, uint64_t *zeroed)
{
    static struct enclave_fork_prepare p;
    struct urts_result r = {0};

    memset(&p, 0, sizeof(p));
    p.count = 1;
    p.run[0].addr = addr;
    p.run[0].pages = pages;
    if (urts_ecall(e, 0, ECALL_FORK_PREPARE, &p, 0, &r))
        return -1000;
    *zeroed = r.value;
    return r.status;
}

static void test_fork_prepare(void)
{
    struct sgx_sim_cpu cpu;
    struct sgx_driver drv;
    struct urts_enclave *e = make(&drv, &cpu, true);
    static struct enclave_fork_prepare bad;
    static struct enclave_run_args ra;
    struct urts_result r = {0};
    uint64_t base, n = 0, heap = 0, mark = 0x5a5a5a5a5a5a5a5aULL, back = 1;
    int64_t st;

    if (!e)
        return;
    base = urts_base(e);
    st = prepare(e, base, 1ULL << 24, &n); /* the whole enclave and more */
    CHECK(st == 0 && n == 65536 / 4096,
          "fork prepare: a run over the whole enclave zeroes its %d heap "
          "pages only (status %lld, %llu pages)",
          65536 / 4096, (long long)st, (unsigned long long)n);
    for (uint64_t a = base; a < base + (1ULL << 26) && !heap; a += 4096)
        if (prepare(e, a, 1, &n) == 0 && n == 1)
            heap = a;
    if (CHECK(heap != 0, "fork prepare: one page of the heap found (%#llx)",
              (unsigned long long)heap)) {
        /* The host's bytes, through the sim's own view of the EPC. */
        memcpy(sim_alias(urts_driver_encl(e), heap + 8 - base), &mark, sizeof(mark));
        st = prepare(e, heap, 1, &n);
        memcpy(&back, sim_alias(urts_driver_encl(e), heap + 8 - base), sizeof(back));
        CHECK(st == 0 && n == 1 && back == 0,
              "fork prepare: the host's bytes in that page are zeroed");
    }
    bad.count = 2;
    bad.run[0].addr = base + 8192;
    bad.run[0].pages = 1;
    bad.run[1].addr = base;
    bad.run[1].pages = 1;
    urts_ecall(e, 0, ECALL_FORK_PREPARE, &bad, 0, &r);
    CHECK(r.status == -EINVAL, "fork prepare: runs out of order are refused (%lld)",
          (long long)r.status);
    bad.count = ENCLAVE_FORK_PREPARE_RUNS + 1;
    urts_ecall(e, 0, ECALL_FORK_PREPARE, &bad, 0, &r);
    CHECK(r.status == -EINVAL, "fork prepare: more than %d runs are refused",
          ENCLAVE_FORK_PREPARE_RUNS);
    bad.count = 1;
    bad.run[0].addr = base + 1;
    urts_ecall(e, 0, ECALL_FORK_PREPARE, &bad, 0, &r);
    CHECK(r.status == -EINVAL, "fork prepare: an address that is not a page's is refused");
    /* ECALL_RUN claims the enclave before it checks its arguments (no
     * libOS here: it fails with EINVAL, cpu_count 0). */
    urts_ecall(e, 0, ECALL_RUN, &ra, 0, &r);
    CHECK(r.status == -EINVAL, "fork prepare: (ECALL_RUN started and failed: %lld)",
          (long long)r.status);
    st = heap ? prepare(e, heap, 1, &n) : -1;
    CHECK(st == -EBUSY, "fork prepare: refused once ECALL_RUN started (%lld)", (long long)st);
    if (heap) {
        memcpy(sim_alias(urts_driver_encl(e), heap + 8 - base), &mark, sizeof(mark));
        prepare(e, heap, 1, &n);
        memcpy(&back, sim_alias(urts_driver_encl(e), heap + 8 - base), sizeof(back));
        CHECK(back == mark, "fork prepare: and the refused one zeroed nothing");
    }
    urts_destroy(e);
}

/* At debug log level the runtime prints the transition counts at exit. */
static void test_log_counters(void)
{
    struct sgx_sim_cpu cpu;
    struct sgx_driver drv;
    struct urts_desc d = {.pal_path = pal_path, .threads = 1, .nssa = 3, .stack_size = 65536,
                          .heap_size = 65536, .aex_notify = true, .key = key};
    struct urts_enclave *e = NULL;
    struct sgx_err err = {{0}};
    char buf[1024] = "";
    FILE *log = fmemopen(buf, sizeof(buf) - 1, "w");
    struct ecall_fault_report rep = {0};
    struct urts_result r;

    d.log_counters = log;
    sgx_sim_cpu_default(&cpu, true);
    sgx_sim_driver_init(&drv, &cpu);
    if (!CHECK(urts_create(&drv, &d, &e, &err) == 0, "enclave for the counter log (%s)", err.msg))
        return;
    urts_ecall(e, 0, ECALL_FAULT, &rep, FAULT_UD2, &r);
    urts_destroy(e);
    fclose(log);
    CHECK(strstr(buf, "geode: enclave transitions: EENTER ") && strstr(buf, "EDECCSSA 1 ") &&
              strstr(buf, "exceptions 1 "),
          "transition counts printed at exit (%.200s)", buf);
}

int main(void)
{
    const char *b = getenv("GEODE_BUILD");
    struct sgx_sim_cpu cpu;
    struct sgx_driver drv;
    struct sgx_err err;

    sgx_sim_cpu_default(&cpu, true);
    sgx_sim_driver_init(&drv, &cpu);
    if (!drv.enter) {
        SKIP("sim entry not available yet");
        return TAP_DONE();
    }
    snprintf(pal_path, sizeof(pal_path), "%s/pal-enclave-test.elf", b ? b : "build");
    key = sgx_key_generate(&err);
    if (!CHECK(key != NULL, "test key (%s)", key ? "" : err.msg))
        return TAP_DONE();
    run_mode(true);
    run_mode(false);
    test_threads(true);
    test_threads(false);
    test_log_counters();
    test_fork_prepare();
    sgx_key_free(key);
    return TAP_DONE();
}
