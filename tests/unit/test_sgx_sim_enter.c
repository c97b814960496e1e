/* The sim's execution leaves, each a real enclave run (tests/sgx/enclaves/
 * test_encl.S) built with the image builder, signed, and entered through
 * drv->enter exactly as the host runtime does: EENTER/EEXIT, the vDSO's
 * user_handler protocol, TCS checks, exceptions reported through the run
 * structure and resumed, AEX-Notify with EDECCSSA, asynchronous signals,
 * nested exceptions (NSSA = 3) and the CPUID model without EDECCSSA. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "../sgx/enclaves/sim_harness.h"
#include "host_caps.h"
#include "tap.h"
#include "sim_signal.h"

static sgx_sign_key *key;
static uint64_t enclu_addr; /* the vDSO's ENCLU (the AEP), learnt from EENTER's RCX */

static int load(struct tenc *t, uint32_t threads, uint32_t nssa, bool aexnotify, bool edeccssa)
{
    struct tenc_opts o = {.threads = threads, .nssa = nssa, .aexnotify = aexnotify, .cpu_edeccssa = edeccssa,
                          .key = key};
    int ret = tenc_load(t, &o);

    if (ret)
        fprintf(stderr, "enclave load failed: %d\n", ret);
    return ret;
}

static void test_enter_exit(void)
{
    struct tenc t;
    struct sgx_enclave_run run;
    struct tres r;
    struct sgx_sim_counters c;
    const struct sgx_tcs *tcs;
    int ret;

    if (!CHECK(load(&t, 1, 2, false, true) == 0, "test enclave builds and initializes"))
        return;
    tcs = tenc_tcs_plan(&t, 0);
    ret = tenc_enter(&t, 0, SGX_EENTER, CMD_ECHO, 40, 2, 0, 0, &run, &r);
    CHECK(ret == 0 && run.function == SGX_EEXIT && r.calls == 1, "EENTER -> EEXIT: returns 0, function = EEXIT (%d, %u)",
          ret, run.function);
    CHECK(r.rdi == 42, "RSI + RDX computed inside and passed out in RDI (%lu)", (unsigned long)r.rdi);
    CHECK(r.rsi == t.base + tcs->ofsbase && r.rdx == t.base + tcs->ogsbase,
          "FS/GS base inside = base + OFSBASE/OGSBASE (rdfsbase/rdgsbase)");
    CHECK(r.r8 == 0, "RAX = CSSA = 0 on EENTER");
    enclu_addr = r.r9 - 3;
    CHECK(!memcmp((void *)(uintptr_t)enclu_addr, "\x0f\x01\xd7", 3) &&
              enclu_addr - (uint64_t)(uintptr_t)t.drv.enter < 0x100,
          "RCX = the address after the vDSO's ENCLU");
    CHECK(tenc_gpr(&t, 0, 0).ursp != 0, "URSP saved in SSA[0] by EENTER");
    sgx_sim_counters(t.encl, &c);
    CHECK(c.eenter == 1 && c.eexit == 1 && c.aex == 0, "counters: 1 EENTER, 1 EEXIT, 0 AEX");
    /* Where bases move with arch_prctl, EENTER keeps the #UD path. */
    CHECK(c.eenter_direct == (host_cap(HOST_CAP_FSGSBASE) ? 1u : 0u),
          "the EENTER was the vDSO's direct call where the host allows it, not a #UD (%lu)",
          (unsigned long)c.eenter_direct);
    run.reserved[3] = 1;
    CHECK(harness_call_vdso(t.drv.enter, 0, 0, 0, SGX_EENTER, 0, 0, &run) == -EINVAL, "nonzero reserved -> -EINVAL");
    run.reserved[3] = 0;
    CHECK(harness_call_vdso(t.drv.enter, 0, 0, 0, SGX_EEXIT, 0, 0, &run) == -EINVAL, "function EEXIT -> -EINVAL");
    tenc_close(&t);
}

/* ENCLU pages (docs/sim.md): the test enclave's EEXIT shares its page
 * with the rest of its code, so the page the first EEXIT made an ENCLU
 * page is given back its execute permission at the next entry's first
 * fetch there, for good; results and counters as without. */
static void test_enclu_mixed_page(void)
{
    struct tenc t;
    struct sgx_enclave_run run;
    struct tres r;
    struct sgx_sim_counters c;
    int ok = 1;

    if (load(&t, 1, 2, false, true))
        return;
    for (int i = 0; i < 4; i++) {
        int ret = tenc_enter(&t, 0, SGX_EENTER, CMD_ECHO, 40, i, 0, 0, &run, &r);

        ok &= ret == 0 && run.function == SGX_EEXIT && r.rdi == (uint64_t)(40 + i);
    }
    sgx_sim_counters(t.encl, &c);
    CHECK(ok && c.eenter == 4 && c.eexit == 4, "four EENTER/EEXIT round trips, each result right");
    CHECK(c.xtrap_pages == 1 && c.xtrap_mixed == 1 && c.enclu_fetch == 0,
          "the EEXIT's page became an ENCLU page once and went back at the next fetch there "
          "(pages %llu, mixed %llu, by fetch %llu)",
          (unsigned long long)c.xtrap_pages, (unsigned long long)c.xtrap_mixed, (unsigned long long)c.enclu_fetch);
    tenc_close(&t);
}

/* The direct EEXIT (docs/sim.md): an EEXIT at an ENCLU alone at the end of
 * its page goes through the page's stub without a signal after the first;
 * one whose RBP is not the vDSO's frame (here 0x10, with the EEXIT target
 * a landing pad that puts the real RBP back from R9) is still an EEXIT,
 * run the usual way after sim_xexit's own fault, and the TCS is free
 * again. */
extern const char sim_vdso_enclu[];
void xexit_landing(void);
__asm__(".text\n"
        "xexit_landing:\n"
        "  mov %r9, %rbp\n"
        "  jmp sim_vdso_enclu + 3\n");

static void test_direct_eexit(void)
{
    struct tenc t;
    struct sgx_enclave_run run;
    struct tres r;
    struct sgx_sim_counters c0, c1, c2;
    bool direct = host_cap(HOST_CAP_FSGSBASE);
    int ok = 1, ret;

    if (load(&t, 1, 2, false, true))
        return;
    for (int i = 0; i < 4; i++) {
        ret = tenc_enter(&t, 0, SGX_EENTER, CMD_PEXIT, 40, i, 0, 0, &run, &r);
        ok &= ret == 0 && run.function == SGX_EEXIT && r.rdi == (uint64_t)(40 + i);
    }
    sgx_sim_counters(t.encl, &c0);
    CHECK(ok && c0.eexit == 4 && c0.eexit_direct == (direct ? 3u : 0u),
          "EEXITs at an ENCLU alone at its page's end: results right, all but the first direct "
          "where the host allows it (EEXIT %llu, direct %llu)",
          (unsigned long long)c0.eexit, (unsigned long long)c0.eexit_direct);
    ret = tenc_enter(&t, 0, SGX_EENTER, CMD_PEXIT_BADRBP, (uint64_t)(uintptr_t)xexit_landing, 0, 0, 0, &run, &r);
    sgx_sim_counters(t.encl, &c1);
    CHECK(ret == 0 && run.function == SGX_EEXIT && r.rdi == 0x2347 && c1.eexit == c0.eexit + 1 &&
              c1.eexit_direct == c0.eexit_direct && c1.xexit_rewinds == c0.xexit_rewinds + (direct ? 1u : 0u),
          "an EEXIT whose RBP is not the vDSO's frame is an EEXIT all the same, the usual way "
          "(ret %d, rdi %#llx; direct %llu -> %llu, rewinds %llu)",
          ret, (unsigned long long)r.rdi, (unsigned long long)c0.eexit_direct,
          (unsigned long long)c1.eexit_direct, (unsigned long long)c1.xexit_rewinds);
    ret = tenc_enter(&t, 0, SGX_EENTER, CMD_PEXIT, 1, 2, 0, 0, &run, &r);
    sgx_sim_counters(t.encl, &c2);
    CHECK(ret == 0 && r.rdi == 3 && c2.eexit_direct == c1.eexit_direct + (direct ? 1u : 0u),
          "after it the TCS is free and the next EEXIT is direct again");
    tenc_close(&t);
}

static int handler_calls;

static int twice_then_fail(long rdi, long rsi, long rdx, long ursp, long r8, long r9, struct sgx_enclave_run *run)
{
    (void)rdi, (void)rsi, (void)rdx, (void)ursp, (void)r8, (void)r9, (void)run;
    return ++handler_calls == 1 ? SGX_EENTER : -7;
}

static void test_user_handler(void)
{
    struct tenc t;
    struct sgx_enclave_run run;
    struct sgx_sim_counters c;
    struct tres r;

    if (load(&t, 1, 2, false, true))
        return;
    memset(&run, 0, sizeof(run));
    run.tcs = tenc_tcs(&t, 0);
    run.user_handler = (uintptr_t)twice_then_fail;
    CHECK(harness_call_vdso(t.drv.enter, CMD_ECHO, 1, 2, SGX_EENTER, 0, GUARD, &run) == -7 && handler_calls == 2,
          "user_handler: > 0 is the next leaf, <= 0 is returned (calls %d)", handler_calls);
    sgx_sim_counters(t.encl, &c);
    CHECK(c.eenter == 2 && c.eexit == 2, "two EENTER/EEXIT rounds");
    memset(&run, 0, sizeof(run));
    run.tcs = tenc_tcs(&t, 0);
    CHECK(harness_call_vdso(t.drv.enter, CMD_ECHO, 1, 2, SGX_EENTER, 0, GUARD, &run) == 0 && run.function == SGX_EEXIT,
          "no user_handler: returns 0 with function = EEXIT");
    tenc_enter(&t, 0, SGX_EENTER, CMD_ECHO, 1, 2, 0, 0, &run, &r);
    CHECK(r.rdi == 3, "still usable");
    tenc_close(&t);
}

struct spinner {
    struct tenc *t;
    struct tres r;
    int ret;
};

static void *spin_thread(void *p)
{
    struct spinner *s = p;
    struct sgx_enclave_run run;

    s->ret = tenc_enter(s->t, 0, SGX_EENTER, CMD_SPIN, 0, 0, 0, 0, &run, &s->r);
    return NULL;
}

static void test_tcs_checks(void)
{
    struct tenc t;
    struct sgx_enclave_run run;
    struct spinner s;
    struct tres r;
    pthread_t th;

    if (load(&t, 2, 2, false, true))
        return;
    s = (struct spinner){.t = &t};
    pthread_create(&th, NULL, spin_thread, &s);
    for (int i = 0; i < 2000 && tenc_heap_u64(&t, HEAP_SPIN_STARTED) != 1; i++)
        usleep(1000);
    tenc_enter(&t, 0, SGX_EENTER, CMD_ECHO, 1, 1, 0, 0, &run, &r);
    CHECK(is_exception(&run, SGX_EENTER, SGX_VEC_GP) && r.calls == 1,
          "EENTER of a busy TCS -> #GP reported with function = EENTER (vector %u)", run.exception_vector);
    tenc_enter(&t, 1, SGX_EENTER, CMD_SETFLAG, 0, 0, 0, 0, &run, &r);
    CHECK(run.function == SGX_EEXIT, "second TCS usable while the first is busy");
    pthread_join(th, NULL);
    CHECK(s.ret == 0 && s.r.rdi == 0x7777, "the spinning thread finished (0x%lx)", (unsigned long)s.r.rdi);
    run.tcs = tenc_tcs(&t, 0) + 8;
    harness_call_vdso(t.drv.enter, 0, 0, 0, SGX_EENTER, 0, 0, &run);
    CHECK(is_exception(&run, SGX_EENTER, SGX_VEC_GP), "misaligned TCS -> #GP");
    run.tcs = tenc_heap(&t);
    harness_call_vdso(t.drv.enter, 0, 0, 0, SGX_EENTER, 0, 0, &run);
    CHECK(is_exception(&run, SGX_EENTER, SGX_VEC_GP), "a REG page as TCS -> #GP");
    run.tcs = (uintptr_t)&run & ~4095ULL;
    harness_call_vdso(t.drv.enter, 0, 0, 0, SGX_EENTER, 0, 0, &run);
    CHECK(is_exception(&run, SGX_EENTER, SGX_VEC_GP), "a host page as TCS -> #GP");
    run.tcs = tenc_tcs(&t, 0);
    harness_call_vdso(t.drv.enter, 0, 0, 0, SGX_ERESUME, 0, 0, &run);
    CHECK(is_exception(&run, SGX_ERESUME, SGX_VEC_GP), "ERESUME with CSSA = 0 -> #GP");
    tenc_close(&t);
}

struct fault_case {
    const char *name;
    int cmd;
    unsigned vector;
    const char *insn; /* bytes at the saved RIP */
    unsigned len;
    uint64_t marker;
};

static void check_fault(struct tenc *t, const struct fault_case *fc, uint64_t arg)
{
    struct sgx_enclave_run run;
    struct sgx_gprsgx g;
    struct tres r;
    uint8_t insn[3] = {0};
    uint32_t want_info = sgx_exitinfo_encode((uint8_t)fc->vector, SGX_EXITINFO_TYPE_HW);

    tenc_enter(t, 0, SGX_EENTER, fc->cmd, arg, 0, 0, 0, &run, &r);
    CHECK(is_exception(&run, SGX_ERESUME, fc->vector) && r.calls == 1,
          "%s: reported through run (function %u, vector %u)", fc->name, run.function, run.exception_vector);
    g = tenc_gpr(t, 0, 0);
    sgx_sim_dbg_read(t->encl, g.rip, insn, fc->len);
    CHECK(g.exitinfo == want_info, "%s: EXITINFO valid, vector, type HW (0x%x)", fc->name, g.exitinfo);
    CHECK(!memcmp(insn, fc->insn, fc->len), "%s: SSA[0].RIP is the faulting instruction", fc->name);
    CHECK(tenc_cssa(t, 0) == 1, "%s: CSSA = 1", fc->name);
    if (fc->vector == SGX_VEC_PF) {
        struct sgx_exinfo x;

        sgx_sim_dbg_read(t->encl, tenc_ssa_gpr(t, 0, 0) - sizeof(x), &x, sizeof(x));
        CHECK(g.rsi == arg && x.maddr == arg && x.errcd == run.exception_error_code && (x.errcd & 4),
              "#PF: SSA.RSI, EXINFO.MADDR = the address, ERRCD = run's error code (0x%x)", x.errcd);
        CHECK(run.exception_addr == (arg & ~0xfffULL), "#PF: exception_addr = CR2 with low 12 bits cleared");
    }
    if (fc->vector == SGX_VEC_DE)
        CHECK(g.rax == 1 && g.rcx == 0 && g.rdx == 0, "#DE: SSA holds the interrupted GPRs");
    tenc_skip(t, 0, 0, fc->len);
    CHECK(tenc_resume(t, &run) == 0 && run.function == SGX_EEXIT && r.rdi == fc->marker,
          "%s: ERESUME after fixing SSA.RIP continues the code (0x%lx)", fc->name, (unsigned long)r.rdi);
    CHECK(tenc_cssa(t, 0) == 0, "%s: CSSA back to 0", fc->name);
}

static void test_exceptions(void)
{
    static const struct fault_case cases[] = {
        {"ud2", CMD_UD, SGX_VEC_UD, "\x0f\x0b", 2, 0x1234},
        {"bad access", CMD_PF, SGX_VEC_PF, "\x48\x8b\x06", 3, 0x2345},
        {"divide by zero", CMD_DE, SGX_VEC_DE, "\xf7\xf1", 2, 0x3456},
        {"syscall", CMD_SYSCALL, SGX_VEC_UD, "\x0f\x05", 2, 0x5678},
    };
    struct sgx_sim_counters c;
    struct tenc t;

    if (load(&t, 1, 2, false, true))
        return;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        /* An unmapped guard page inside ELRANGE (never added). */
        check_fault(&t, &cases[i], t.base + t.layout.size - 4096 + 0x123);
    sgx_sim_counters(t.encl, &c);
    CHECK(c.aex == 4 && c.eresume == 4 && c.eenter == 4 && c.eexit == 4, "counters: 4 AEX, 4 ERESUME, 4 EENTER, 4 EEXIT");
    tenc_close(&t);
}

/* Without MISCSELECT.EXINFO the CPU does not report #PF/#GP in EXITINFO
 * (valid = 0) and writes no EXINFO; the kernel still reports the fault. */
static void test_no_exinfo(void)
{
    struct tenc_opts o = {.threads = 1, .nssa = 2, .cpu_edeccssa = true, .key = key, .no_exinfo = true};
    struct sgx_enclave_run run;
    struct sgx_exinfo x;
    struct tenc t;
    struct tres r;
    uint64_t addr;

    if (!CHECK(tenc_load(&t, &o) == 0, "enclave without MISCSELECT.EXINFO"))
        return;
    addr = t.base + t.layout.size - 4096 + 8;
    tenc_enter(&t, 0, SGX_EENTER, CMD_PF, addr, 0, 0, 0, &run, &r);
    sgx_sim_dbg_read(t.encl, tenc_ssa_gpr(&t, 0, 0) - sizeof(x), &x, sizeof(x));
    CHECK(is_exception(&run, SGX_ERESUME, SGX_VEC_PF) && run.exception_addr == (addr & ~0xfffULL),
          "no EXINFO: #PF still reported through run");
    CHECK(tenc_gpr(&t, 0, 0).exitinfo == 0 && x.maddr == 0 && x.errcd == 0,
          "no EXINFO: EXITINFO valid = 0 and no EXINFO written for #PF");
    tenc_skip(&t, 0, 0, 3);
    CHECK(tenc_resume(&t, &run) == 0 && r.rdi == 0x2345, "no EXINFO: resumes");
    tenc_enter(&t, 0, SGX_EENTER, CMD_UD, 0, 0, 0, 0, &run, &r);
    CHECK(tenc_gpr(&t, 0, 0).exitinfo == sgx_exitinfo_encode(SGX_VEC_UD, SGX_EXITINFO_TYPE_HW),
          "no EXINFO: #UD is reported in EXITINFO regardless");
    tenc_close(&t);
}

static volatile int traps;
static volatile uint64_t trap_rip;

static void on_trap(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;

    (void)sig, (void)si;
    traps++;
    trap_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
}

static void test_int3(void)
{
    struct sigaction sa = {.sa_sigaction = on_trap, .sa_flags = SA_SIGINFO};
    struct sgx_enclave_run run;
    struct sgx_sim_counters c;
    struct tenc t;
    struct tres r;
    struct sgx_gprsgx g;

    if (load(&t, 1, 2, false, true))
        return;
    sigaction(SIGTRAP, &sa, NULL);
    sim_signals_changed(); /* the sim takes handlers over again at the next entry */
    tenc_enter(&t, 0, SGX_EENTER, CMD_BP, 0, 0, 0, 0, &run, &r);
    g = tenc_gpr(&t, 0, 0);
    CHECK(traps == 1 && trap_rip == enclu_addr, "int3: SIGTRAP delivered at the AEP, as the kernel does (no fixup)");
    CHECK(g.exitinfo == sgx_exitinfo_encode(SGX_VEC_BP, SGX_EXITINFO_TYPE_SW), "int3: EXITINFO #BP type SW (0x%x)",
          g.exitinfo);
    CHECK(run.function == SGX_EEXIT && r.rdi == 0x4567, "int3: the handler's return ERESUMEs past int3");
    sgx_sim_counters(t.encl, &c);
    CHECK(c.aex == 1 && c.eresume == 1 && tenc_cssa(&t, 0) == 0, "int3: one AEX, one ERESUME, CSSA 0");
    signal(SIGTRAP, SIG_DFL);
    sim_signals_changed(); /* the sim takes handlers over again at the next entry */
    tenc_close(&t);
}

static void test_aex_notify(void)
{
    struct sgx_enclave_run run;
    struct sgx_sim_counters c;
    struct tenc t;
    struct tres r;
    uint64_t info;

    if (!CHECK(load(&t, 1, 2, true, true) == 0, "AEX-Notify enclave initializes"))
        return;
    tenc_enter(&t, 0, SGX_EENTER, CMD_UD, 0, 0, 0, ARM_NOTIFY, &run, &r);
    CHECK(is_exception(&run, SGX_ERESUME, SGX_VEC_UD) && tenc_cssa(&t, 0) == 1, "notify: #UD reported, CSSA 1");
    CHECK(tenc_resume(&t, &run) == 0 && run.function == SGX_EEXIT && r.rdi == 0x1234,
          "notify: ERESUME -> OENTRY, stage 1 EDECCSSA, stage 2 resumed past ud2 (0x%lx)", (unsigned long)r.rdi);
    info = tenc_heap_u64(&t, HEAP_LAST_EXITINFO);
    CHECK(tenc_heap_u64(&t, HEAP_NOTIFY_COUNT) == 1 && tenc_heap_u64(&t, HEAP_LAST_CSSA) == 1,
          "notify: OENTRY entered once with RAX = CSSA = 1");
    CHECK(info == sgx_exitinfo_encode(SGX_VEC_UD, SGX_EXITINFO_TYPE_HW), "notify: SSA[0] EXITINFO seen by the handler");
    sgx_sim_counters(t.encl, &c);
    CHECK(c.aex == 1 && c.eresume == 1 && c.edeccssa == 1 && c.eenter == 1 && c.eexit == 1,
          "notify: 1 AEX, 1 ERESUME, 1 EDECCSSA, no EENTER/EEXIT for the exception");
    CHECK(tenc_cssa(&t, 0) == 0, "notify: CSSA 0 at the end");
    tenc_enter(&t, 0, SGX_EENTER, CMD_SYSCALL, 0, 0, 0, ARM_NOTIFY, &run, &r);
    CHECK(tenc_resume(&t, &run) == 0 && r.rdi == 0x5678 && tenc_heap_u64(&t, HEAP_NOTIFY_COUNT) == 2,
          "notify: syscall (#UD) handled inside the enclave as well");
    tenc_close(&t);
}

static volatile int alarms;
static struct sgx_driver_encl *lose_on_alarm;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
    if (lose_on_alarm && alarms >= 3)
        sgx_sim_inject_epc_loss(lose_on_alarm);
}

static void timer(long usec)
{
    struct itimerval it = {{0, usec}, {0, usec}};

    setitimer(ITIMER_REAL, &it, NULL);
}

static uint64_t loop_result(uint64_t n)
{
    uint64_t s = 0;

    for (uint64_t i = 0; i < n; i++)
        s += (3 * i) ^ i;
    return s;
}

static void test_async(bool notify)
{
    const uint64_t n = 300000000;
    struct sgx_enclave_run run;
    struct sgx_sim_counters c;
    struct tenc t;
    struct tres r;
    const char *m = notify ? "AEX-Notify" : "plain";

    if (load(&t, 1, 2, notify, true))
        return;
    signal(SIGALRM, on_alarm);
    sim_signals_changed(); /* the sim takes handlers over again at the next entry */
    alarms = 0;
    timer(2000);
    tenc_enter(&t, 0, SGX_EENTER, CMD_LOOP, n, 0, 0, notify ? ARM_NOTIFY : 0, &run, &r);
    timer(0);
    sgx_sim_counters(t.encl, &c);
    CHECK(run.function == SGX_EEXIT && r.rdi == loop_result(n), "%s: loop result correct across signals", m);
    CHECK(c.aex > 0 && c.eresume == c.aex && alarms > 0, "%s: %lu AEX, each resumed; host handler ran %d times", m,
          (unsigned long)c.aex, alarms);
    if (notify)
        CHECK(tenc_heap_u64(&t, HEAP_NOTIFY_COUNT) > 0 && c.edeccssa == tenc_heap_u64(&t, HEAP_NOTIFY_COUNT) &&
                  !(tenc_heap_u64(&t, HEAP_LAST_EXITINFO) & SGX_EXITINFO_VALID),
              "%s: OENTRY saw %lu notifications, EXITINFO valid = 0", m,
              (unsigned long)tenc_heap_u64(&t, HEAP_NOTIFY_COUNT));
    else
        CHECK(!(tenc_gpr(&t, 0, 0).exitinfo & SGX_EXITINFO_VALID), "%s: interrupt AEX has EXITINFO valid = 0", m);
    signal(SIGALRM, SIG_DFL);
    sim_signals_changed(); /* the sim takes handlers over again at the next entry */
    tenc_close(&t);
}

static void test_nested(void)
{
    struct sgx_enclave_run run;
    struct tenc t;
    struct tres r;
    uint8_t insn[2];

    if (!CHECK(load(&t, 1, 3, false, true) == 0, "NSSA = 3 enclave"))
        return;
    tenc_enter(&t, 0, SGX_EENTER, CMD_UD, 0, 0, 0, 0, &run, &r);
    tenc_heap_set(&t, HEAP_FAULT_IN_HANDLER, 1);
    tenc_enter(&t, 0, SGX_EENTER, 0, 0, 0, 0, 0, &run, &r);
    sgx_sim_dbg_read(t.encl, tenc_gpr(&t, 0, 1).rip, insn, 2);
    CHECK(is_exception(&run, SGX_ERESUME, SGX_VEC_UD) && tenc_cssa(&t, 0) == 2,
          "fault in the handler (CSSA 1) -> SSA[1], CSSA 2");
    CHECK(!memcmp(insn, "\x0f\x0b", 2) && tenc_gpr(&t, 0, 1).exitinfo == sgx_exitinfo_encode(SGX_VEC_UD, 3),
          "SSA[1] holds the handler's context and #UD");
    CHECK(tenc_gpr(&t, 0, 0).rip != tenc_gpr(&t, 0, 1).rip, "SSA[0] still holds the first fault");
    tenc_skip(&t, 0, 1, 2);
    tenc_resume(&t, &run);
    CHECK(run.function == SGX_EEXIT && r.rdi == 0xe0 && tenc_cssa(&t, 0) == 1, "handler resumed and exited, CSSA 1");
    tenc_skip(&t, 0, 0, 2);
    tenc_resume(&t, &run);
    CHECK(run.function == SGX_EEXIT && r.rdi == 0x1234 && tenc_cssa(&t, 0) == 0, "original code resumed, CSSA 0");
    tenc_close(&t);
}

static void test_rdtsc(void)
{
    struct tenc_opts o = {.threads = 1, .nssa = 2, .cpu_edeccssa = true, .key = key, .rdtsc_ud = true};
    struct sgx_enclave_run run;
    struct sgx_gprsgx g;
    struct tenc t;
    struct tres r;
    uint8_t insn[2] = {0};

    if (load(&t, 1, 2, false, true))
        return;
    tenc_enter(&t, 0, SGX_EENTER, CMD_RDTSC, 0, 0, 0, 0, &run, &r);
    CHECK(run.function == SGX_EEXIT && r.rdi != 0, "RDTSC runs in an enclave on the default (SGX2) model");
    tenc_close(&t);
    if (!host_cap(HOST_CAP_TSC_TRAP)) {
        SKIP("RDTSC #UD on the SGX1 model: host lacks RDTSC trapping (%s)", host_cap_why(HOST_CAP_TSC_TRAP));
        CHECK(tenc_load(&t, &o) == -EOPNOTSUPP, "SGX1 RDTSC model without RDTSC trapping: ECREATE refused");
        tenc_close(&t);
        return;
    }
    if (tenc_load(&t, &o))
        return;
    tenc_enter(&t, 0, SGX_EENTER, CMD_RDTSC, 0, 0, 0, 0, &run, &r);
    g = tenc_gpr(&t, 0, 0);
    sgx_sim_dbg_read(t.encl, g.rip, insn, 2);
    CHECK(is_exception(&run, SGX_ERESUME, SGX_VEC_UD) && !memcmp(insn, "\x0f\x31", 2),
          "RDTSC on the SGX1 model -> #UD at the instruction (trapped with PR_SET_TSC)");
    tenc_skip(&t, 0, 0, 2);
    CHECK(tenc_resume(&t, &run) == 0 && run.function == SGX_EEXIT, "resumes past it");
    CHECK(time(NULL) > 0 && __builtin_ia32_rdtsc() != 0, "RDTSC works again on the host side");
    tenc_close(&t);
}

static sigjmp_buf probe_env;
static volatile int probe_code;

static void on_probe_fault(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    probe_code = si->si_code;
    siglongjmp(probe_env, 1);
}

/* 1 when host code can read addr, 0 when it faults (code in probe_code). */
static int host_can_read(uint64_t addr)
{
    struct sigaction sa = {.sa_sigaction = on_probe_fault, .sa_flags = SA_SIGINFO}, old;
    volatile int ok = 0;

    sigaction(SIGSEGV, &sa, &old);
    sim_signals_changed(); /* the sim takes handlers over again at the next entry */
    probe_code = 0;
    if (!sigsetjmp(probe_env, 1)) {
        (void)*(volatile uint8_t *)(uintptr_t)addr;
        ok = 1;
    }
    sigaction(SIGSEGV, &old, NULL);
    sim_signals_changed(); /* the sim takes handlers over again at the next entry */
    return ok;
}

static void test_isolation(void)
{
    struct tenc_opts o = {.threads = 1, .nssa = 2, .cpu_edeccssa = true, .key = key, .isolation = true};
    struct sgx_enclave_run run;
    struct tenc t;
    struct tres r;

    if (!host_cap(HOST_CAP_PKU)) {
        SKIP("isolation: host lacks protection keys (%s)", host_cap_why(HOST_CAP_PKU));
        CHECK(tenc_load(&t, &o) == -EOPNOTSUPP, "isolation without protection keys: ECREATE refused");
        tenc_close(&t);
        return;
    }
    if (!CHECK(tenc_load(&t, &o) == 0, "isolation: enclave with protection-keyed pages"))
        return;
    CHECK(!host_can_read(tenc_heap(&t)) && probe_code == SEGV_PKUERR,
          "isolation: host read of an enclave page faults (SEGV_PKUERR, code %d)", probe_code);
    tenc_enter(&t, 0, SGX_EENTER, CMD_ECHO, 20, 22, 0, 0, &run, &r);
    CHECK(run.function == SGX_EEXIT && r.rdi == 42, "isolation: enclave code uses its pages");
    CHECK(!host_can_read(tenc_heap(&t)), "isolation: denied again after EEXIT");
    tenc_enter(&t, 0, SGX_EENTER, CMD_UD, 0, 0, 0, 0, &run, &r);
    tenc_skip(&t, 0, 0, 2);
    CHECK(is_exception(&run, SGX_ERESUME, SGX_VEC_UD) && !host_can_read(tenc_heap(&t)),
          "isolation: denied on the host side after an AEX");
    CHECK(tenc_resume(&t, &run) == 0 && r.rdi == 0x1234, "isolation: ERESUME gives access back");
    tenc_close(&t);
}

static void test_cpuid_model(void)
{
    struct sgx_enclave_run run;
    struct cpuid_regs regs;
    struct tenc t;
    struct tres r;

    if (load(&t, 1, 2, false, false))
        return;
    sgx_sim_cpuid(&t.cpu, 0, &regs);
    CHECK(!(regs.eax & SGX_CPUID0_EAX_EDECCSSA) && (regs.eax & SGX_CPUID0_EAX_SGX1), "CPUID(0x12,0) without EDECCSSA");
    tenc_enter(&t, 0, SGX_EENTER, CMD_EDECCSSA, 0, 0, 0, 0, &run, &r);
    CHECK(is_exception(&run, SGX_ERESUME, SGX_VEC_UD), "EDECCSSA on a CPU without it -> #UD (%u)",
          run.exception_vector);
    tenc_close(&t);
    if (load(&t, 1, 2, false, true))
        return;
    sgx_sim_cpuid(&t.cpu, 0, &regs);
    CHECK(regs.eax & SGX_CPUID0_EAX_EDECCSSA, "CPUID(0x12,0) with EDECCSSA");
    tenc_enter(&t, 0, SGX_EENTER, CMD_EDECCSSA, 0, 0, 0, 0, &run, &r);
    CHECK(is_exception(&run, SGX_ERESUME, SGX_VEC_GP), "EDECCSSA with CSSA = 0 -> #GP (%u)", run.exception_vector);
    tenc_close(&t);
    sgx_sim_cpu_default(&t.cpu, false);
    sgx_sim_cpuid(&t.cpu, 1, &regs);
    CHECK(!(regs.eax & SGX_CPUID1_EAX_AEXNOTIFY), "CPUID(0x12,1) without AEXNOTIFY");
    CHECK(tenc_load(&t, &(struct tenc_opts){.aexnotify = true, .cpu_no_aexnotify = true, .key = key}) == -EINVAL,
          "AEXNOTIFY attribute refused at ECREATE on a CPU without it");
    tenc_close(&t);
}

int main(int argc, char **argv)
{
    (void)argc;
    harness_init(argv[0]);
    key = sgx_key_generate(NULL);
    if (!CHECK(key != NULL, "signing key"))
        return TAP_DONE();
    test_enter_exit();
    test_enclu_mixed_page();
    test_direct_eexit();
    test_user_handler();
    test_tcs_checks();
    test_exceptions();
    test_no_exinfo();
    test_int3();
    test_aex_notify();
    test_async(false);
    test_async(true);
    test_nested();
    test_cpuid_model();
    test_isolation();
    test_rdtsc();
    sgx_key_free(key);
    return TAP_DONE();
}
