/* EPC loss in the sim: before an entry, during a computation (from a signal
 * handler) and armed for the n-th entry, each reported as #PF with the SGX
 * error-code bit through the run structure, as the kernel's vDSO does after
 * a suspend; EADD after the loss fails with -EIO. */
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <sys/time.h>

#include "../sgx/enclaves/sim_harness.h"
#include "tap.h"
#include "sim_signal.h"

static sgx_sign_key *key;

static int load(struct tenc *t, bool stop_before_init)
{
    struct tenc_opts o = {.threads = 1, .nssa = 2, .cpu_edeccssa = true, .key = key,
                          .stop_before_init = stop_before_init};

    return tenc_load(t, &o);
}

static int lost_pf(const struct sgx_enclave_run *run, unsigned function)
{
    return run->function == function && run->exception_vector == SGX_VEC_PF &&
           (run->exception_error_code & SGX_SIM_PF_SGX);
}

static void test_before_entry(void)
{
    struct sgx_enclave_run run;
    struct tenc t;
    struct tres r;
    uint8_t b;

    if (!CHECK(load(&t, false) == 0, "enclave"))
        return;
    tenc_enter(&t, 0, SGX_EENTER, CMD_ECHO, 1, 2, 0, 0, &run, &r);
    CHECK(r.rdi == 3, "runs before the loss");
    sgx_sim_inject_epc_loss(t.encl);
    tenc_enter(&t, 0, SGX_EENTER, CMD_ECHO, 1, 2, 0, 0, &run, &r);
    CHECK(lost_pf(&run, SGX_EENTER) && r.calls == 1,
          "EENTER after the loss: #PF with 0x8000, function EENTER (vector %u, code 0x%x)", run.exception_vector,
          run.exception_error_code);
    CHECK(run.exception_addr == tenc_tcs(&t, 0), "exception_addr = the TCS");
    CHECK(sgx_sim_dbg_read(t.encl, t.base, &b, 1) == -EIO, "EDBGRD after the loss -> -EIO");
    tenc_close(&t);
}

static struct sgx_driver_encl *victim;
static volatile int alarms;

static void on_alarm(int sig)
{
    (void)sig;
    if (++alarms == 3)
        sgx_sim_inject_epc_loss(victim);
}

static void test_during_computation(void)
{
    struct itimerval it = {{0, 2000}, {0, 2000}}, off = {{0, 0}, {0, 0}};
    struct sgx_enclave_run run;
    struct sgx_sim_counters c;
    struct tenc t;
    struct tres r;

    if (load(&t, false))
        return;
    victim = t.encl;
    signal(SIGALRM, on_alarm);
    sim_signals_changed(); /* the sim takes handlers over again at the next entry */
    setitimer(ITIMER_REAL, &it, NULL);
    tenc_enter(&t, 0, SGX_EENTER, CMD_LOOP, 1ULL << 40, 0, 0, 0, &run, &r);
    setitimer(ITIMER_REAL, &off, NULL);
    signal(SIGALRM, SIG_DFL);
    sim_signals_changed(); /* the sim takes handlers over again at the next entry */
    sgx_sim_counters(t.encl, &c);
    CHECK(lost_pf(&run, SGX_ERESUME), "loss from a signal during a long loop: #PF 0x8000, function ERESUME (%u, 0x%x)",
          run.function, run.exception_error_code);
    CHECK(alarms >= 3 && c.aex >= 3, "the loop was interrupted (%d signals, %lu AEX)", alarms, (unsigned long)c.aex);
    tenc_close(&t);
}

struct spinner {
    struct tenc *t;
    struct sgx_enclave_run run;
    struct tres r;
};

static void *spin_thread(void *p)
{
    struct spinner *s = p;

    tenc_enter(s->t, 0, SGX_EENTER, CMD_SPIN, 0, 0, 0, 0, &s->run, &s->r);
    return NULL;
}

/* Another thread loses the enclave under running code: its next access
 * faults, nothing can be saved, and the host sees #PF 0x8000 (ERESUME). */
static void test_under_running_thread(void)
{
    struct spinner s;
    struct tenc t;
    pthread_t th;

    if (load(&t, false))
        return;
    s = (struct spinner){.t = &t};
    pthread_create(&th, NULL, spin_thread, &s);
    for (int i = 0; i < 2000 && tenc_heap_u64(&t, HEAP_SPIN_STARTED) != 1; i++)
        usleep(1000);
    sgx_sim_inject_epc_loss(t.encl);
    pthread_join(th, NULL);
    CHECK(lost_pf(&s.run, SGX_ERESUME) && s.r.calls == 1,
          "loss under a running thread: #PF 0x8000, function ERESUME (%u, vector %u)", s.run.function,
          s.run.exception_vector);
    tenc_close(&t);
}

static void test_armed(void)
{
    struct sgx_enclave_run run;
    struct tenc t;
    struct tres r;

    if (load(&t, false))
        return;
    sgx_sim_inject_epc_loss_after(t.encl, 2);
    tenc_enter(&t, 0, SGX_EENTER, CMD_ECHO, 5, 5, 0, 0, &run, &r);
    CHECK(run.function == SGX_EEXIT && r.rdi == 10, "armed for the 2nd entry: the 1st runs");
    tenc_enter(&t, 0, SGX_EENTER, CMD_ECHO, 5, 5, 0, 0, &run, &r);
    CHECK(lost_pf(&run, SGX_EENTER), "the 2nd entry sees the enclave lost");
    tenc_close(&t);
}

static void test_eadd_after_loss(void)
{
    static uint8_t page[4096] __attribute__((aligned(4096)));
    struct sgx_secinfo si __attribute__((aligned(64))) = {.flags = SGX_SECINFO_REG | SGX_SECINFO_R};
    struct tenc t;
    struct sgx_enclave_add_pages a;

    if (!CHECK(load(&t, true) == 0, "enclave built, not initialized"))
        return;
    sgx_sim_inject_epc_loss(t.encl);
    a = (struct sgx_enclave_add_pages){(uintptr_t)page, t.layout.size - 4096, 4096, (uintptr_t)&si, 0, 0};
    CHECK(t.drv.add_pages(t.encl, &a) == -EIO && a.count == 0, "EADD after the loss -> -EIO");
    tenc_close(&t);
}

int main(int argc, char **argv)
{
    (void)argc;
    harness_init(argv[0]);
    key = sgx_key_generate(NULL);
    if (!CHECK(key != NULL, "signing key"))
        return TAP_DONE();
    test_before_entry();
    test_during_computation();
    test_under_running_thread();
    test_armed();
    test_eadd_after_loss();
    sgx_key_free(key);
    return TAP_DONE();
}
