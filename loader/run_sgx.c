/* `geode run --mode sim|sgx` (run_sgx.h). */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "driver_kernel.h"
#include "host_caps.h"
#include "sgx_cpuid.h"
#include "enclave_manifest.h"
#include "run_restart.h"
#include "manifest/cache_path.h"
#include "run_sgx.h"
#include "urts.h"
#include "urts_fork.h"
#include "urts_confine.h"
#include "urts_exitless.h"
#include "urts_procs.h"
#include "urts_signal.h"
#include "sig_cache.h"
#include "manifest/manifest.h"
#include "urts_quote.h"
#include "sim_build.h"

static uint32_t cpu_count(void)
{
    cpu_set_t set;
    int n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;

    return n > 0 ? (uint32_t)n : 1;
}

/* argv then envp, NUL-terminated, back to back (enclave_run_args.strings). */
static char *pack_strings(int argc, char **argv, char **envp, uint64_t *size, uint64_t *envc)
{
    size_t total = 0, pos = 0;
    uint64_t ne = 0;
    char *buf;

    for (int i = 0; i < argc; i++)
        total += strlen(argv[i]) + 1;
    for (char **e = envp; e && *e; e++, ne++)
        total += strlen(*e) + 1;
    if (total > ENCLAVE_RUN_MAX_STRINGS)
        return NULL;
    buf = malloc(total ? total : 1);
    for (int i = 0; buf && i < argc; i++)
        pos += (size_t)stpcpy(buf + pos, argv[i]) - (size_t)(buf + pos) + 1;
    for (char **e = envp; buf && e && *e; e++)
        pos += (size_t)stpcpy(buf + pos, *e) - (size_t)(buf + pos) + 1;
    *size = total;
    *envc = ne;
    return buf;
}

/* The default key, made (as `geode keygen` would) and kept the first time:
 * generating an RSA-3072 key on every run would cost up to a second. When
 * it cannot be written, the run goes on with the fresh key. */
static sgx_sign_key *signing_key(const char *path, struct sgx_err *err)
{
    sgx_sign_key *key;
    struct sgx_err werr = {{0}};

    if (path && access(path, R_OK) == 0)
        return sgx_key_load_pem(path, err);
    key = sgx_key_generate(err);
    if (key && path) {
        geode_make_parent_dirs(path); /* the key's directory is private */
        if (sgx_key_write_pem(key, path, &werr) == 0)
            fprintf(stderr, "geode: created the enclave signing key %s (see docs/signing.md)\n", path);
    }
    return key;
}

static int sign(const struct enclave_image *img, const uint8_t mr[32], const char *key_path,
                struct sgx_sigstruct *sig, struct sgx_err *err)
{
    struct sgx_sign_params sp;
    sgx_sign_key *key = signing_key(key_path, err);
    int ret;

    if (!key)
        return -1;
    enclave_image_sign_params(img, mr, &sp);
    ret = sgx_sigstruct_sign(&sp, key, sig, err);
    sgx_key_free(key);
    return ret;
}

static int driver(bool sim, bool aex_notify, struct sgx_sim_cpu *cpu, struct sgx_driver *drv,
                  struct sgx_err *err)
{
    if (sim) {
        sgx_sim_cpu_default(cpu, aex_notify);
        /* Test hook: RDTSC #UD in enclave code, as on SGX1 parts (the
         * trusted PAL's clocks then ask the host: t_sim_clock.sh). */
        if (getenv("GEODE_TEST_SIM_RDTSC_UD"))
            cpu->rdtsc_ud = true;
        sgx_sim_driver_init(drv, cpu);
        return 0;
    }
    static const struct sgx_kernel_config kcfg; /* must outlive the driver */
    return sgx_kernel_driver_init(drv, &kcfg, err);
}

static double mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The start-up split logged at debug level (tests/bench/bench.py reads it):
 * CLOCK_MONOTONIC times in ms, from sgx_run's start. */
static struct {
    double start, image, sign, created;
    double wait;   /* EINIT waiting for the signer */
    double signer; /* the signer's measure + sign, beside EADD */
    bool kept;     /* the signature came from the cache (sig_cache.h) */
    uint64_t add_ns;
} startup;

static void log_startup(const struct sgx_run_params *p)
{
    double add = (double)startup.add_ns / 1e6;

    if (!p->log_counters)
        return;
    /* sign: what the start waited for it (the signer runs beside EADD). */
    fprintf(p->log_counters,
            "geode: start-up (ms): at %.3f; manifest+image+layout %.3f sign %.3f EADD %.3f "
            "ECREATE+EINIT %.3f; ECALL_RUN at %.3f; measure+sign beside EADD %.3f%s\n",
            startup.start, startup.image - startup.start, startup.sign - startup.image + startup.wait, add,
            startup.created - startup.sign - add - startup.wait, mono_ms(), startup.signer,
            startup.kept ? " (signature kept)" : "");
}

/* MRENCLAVE and SIGSTRUCT of a manifest's enclave, computed on a thread of
 * their own while urts_create adds the pages (the page list is only read
 * by both); EINIT waits for them (urts_desc.sigstruct_wait). */
struct signer {
    pthread_t thread;
    bool started, joined;
    int ret;
    const struct enclave_image *img;
    const struct sgx_layout *l;
    const char *key_path;
    struct sgx_sigstruct *sig;
    struct sgx_err err;
    /* The signature cache (sig_cache.h): the entry's name when the key is
     * a file; whether *sig came from it; measure and sign regardless. */
    bool keyed, cached, fresh;
    uint8_t cache_key[32];
};

static void *signer_main(void *arg)
{
    struct signer *s = arg;
    double t0 = mono_ms();
    struct sgx_sign_params sp;
    uint8_t mr[32] = {0};
    int ret;

    enclave_image_sign_params(s->img, mr, &sp);
    s->keyed = sig_cache_key(s->l, &sp, s->key_path, s->cache_key) == 0;
    s->cached = s->keyed && !s->fresh && sig_cache_load(s->cache_key, &sp, s->sig) == 0;
    startup.kept = s->cached;
    if (s->cached) {
        s->ret = 0;
        startup.signer = mono_ms() - t0;
        return NULL;
    }
    ret = sgx_layout_measure(s->l, mr);
    if (ret)
        sgx_err_set(&s->err, "hashing the enclave failed: %s", strerror(-ret));
    else if (sign(s->img, mr, s->key_path, s->sig, &s->err))
        ret = -EPERM;
    else if (s->keyed)
        sig_cache_store(s->cache_key, s->sig);
    s->ret = ret;
    startup.signer = mono_ms() - t0;
    return NULL;
}

static int signer_wait(void *arg)
{
    struct signer *s = arg;
    double t0 = mono_ms();

    if (!s->started)
        return -EINVAL;
    if (!s->joined) {
        pthread_join(s->thread, NULL);
        s->joined = true;
        startup.wait = mono_ms() - t0;
    }
    return s->ret;
}

/* Starts the signer; where no thread can be made, signs here. */
static int signer_start(struct signer *s)
{
    s->started = true;
    if (!urts_helper_thread(&s->thread, signer_main, s))
        return 0;
    signer_main(s);
    s->joined = true;
    return s->ret;
}

/* One start of the program: ECALL_RUN on this thread. Returns URTS_ELOST
 * after a loss, URTS_EFATAL after a fatal error (on any thread; s->why
 * names it, the error printed already), else the exit status. */
static int run_once(const struct enclave_run_args *ra, struct run_supervisor *s, unsigned n)
{
    struct urts_result res = {0};
    int ret;

    fflush(NULL);
    run_ecall_begin(s, n);
    ret = urts_ecall(s->e, 0, ECALL_RUN, (void *)ra, urts_futex_word(s->e, 0), &res);
    run_ecall_end(s, ret);
    if (ret == URTS_ELOST)
        return ret;
    if (ret) /* this thread's error, or URTS_ESTOPPED after another's */
        return run_wait_end(s);
    if (res.status) {
        fprintf(stderr, "geode run: the libOS did not start in the enclave: %s\n",
                strerror((int)-res.status));
        return 1;
    }
    /* The main thread left without ending the process: the others go on,
     * and the last one's exit ends it (OCALL_EXIT), unless they lose the
     * enclave or one of them fails. */
    return run_wait_end(s);
}

/* After a loss: every thread stopped, then the enclave rebuilt from the same
 * page list and SIGSTRUCT, unless no restart is left. 0: run again. */
static int after_loss(struct run_supervisor *s, unsigned done, unsigned max)
{
    struct sgx_err err = {{0}};
    int ret = run_stop_all(s, &err);

    if (ret) {
        /* A host thread still uses the enclave's state: no rebuild, and
         * no return into code that frees it. */
        fprintf(stderr, "geode run: %s; %s\n", s->why.msg, err.msg);
        fflush(NULL);
        _exit(1);
    }
    if (done == max) {
        fprintf(stderr,
                "geode run: %s; no restart left (geode.epc_loss_restarts = %u): giving up\n",
                s->why.msg, max);
        return 1;
    }
    fprintf(stderr, "geode run: %s; restarting the program from the start (restart %u of %u)\n",
            s->why.msg, done + 1, max);
    /* Nothing of the lost run may reach the new one: no request still in the
     * exitless queue (the workers go with their area and come back with a
     * fresh one), no signal still pending for the old program. */
    urts_exitless_stop(s->e);
    urts_signal_clear();
    urts_procs_restart();
    ret = urts_rebuild(s->e, &err);
    if (ret == URTS_ELOST) /* lost again while configuring: counts as this restart */
        return sgx_err_set(&s->why, "%s", err.msg), URTS_ELOST;
    if (ret) {
        fprintf(stderr, "geode run: restarting after the loss failed: %s\n", err.msg);
        return 1;
    }
    return 0;
}

/* ENCLAVE_HOST_BASES_VOLATILE where the sim moves bases with arch_prctl.
 * Test hook GEODE_TEST_BASES_HINT=1 plays a host that sends it anyway (as
 * hardware, or a sim whose kernel keeps bases, might): the trusted PAL must
 * take the one #UD that follows as proof and go on without it. */
static uint64_t bases_hint(bool sim)
{
    const char *force = getenv("GEODE_TEST_BASES_HINT");

    if ((sim && host_caps_bases_volatile()) || (force && !strcmp(force, "1")))
        return ENCLAVE_HOST_BASES_VOLATILE;
    return 0;
}

/* What the host tells a starting enclave about itself (ECALL_RUN,
 * ECALL_FORK): stdio, CPUs, HWCAP, base hints; the caller adds the rest. */
static struct enclave_run_args host_facts(const struct sgx_run_params *p)
{
    return (struct enclave_run_args){.stdio = {0, 1, 2},
                                     .cpu_count = cpu_count(),
                                     .hwcap = p->hwcap,
                                     .hwcap2 = p->hwcap2,
                                     .host_flags = bases_hint(p->sim)};
}

/* Runs the program, and again from the start after each EPC loss, at most
 * `restarts` times. Returns only on failure: the exit status. */
static int run_restartable(const struct sgx_run_params *p, struct urts_enclave *e,
                           unsigned restarts, unsigned workers, const struct run_loss_plan *plan)
{
    struct enclave_run_args ra = host_facts(p);
    struct run_supervisor s;

    ra.argc = (uint64_t)p->argc;
    char *strings = pack_strings(p->argc, p->argv, p->envp, &ra.strings_size, &ra.envc);
    int ret;

    if (!strings) {
        fprintf(stderr, "geode run: the command line and environment exceed %llu bytes\n",
                (unsigned long long)ENCLAVE_RUN_MAX_STRINGS);
        return 1;
    }
    ra.strings = (uint64_t)(uintptr_t)strings;
    ra.signal_word = urts_signal_setup(e);
    ra.exitless = urts_exitless_area(e);
    ret = run_supervisor_init(&s, e, plan);
    if (ret) {
        fprintf(stderr, "geode run: cannot set up the EPC loss handling: %s\n", strerror(-ret));
        free(strings);
        return 1;
    }
    log_startup(p);
    ret = run_once(&ra, &s, 0);
    for (unsigned n = 0; ret == URTS_ELOST; n++) {
        ret = after_loss(&s, n, restarts);
        if (!ret && workers && urts_exitless_start(e, workers, &ra.exitless)) {
            fprintf(stderr, "geode run: cannot restart the %u OCALL workers\n", workers);
            ret = 1;
        }
        if (!ret)
            ret = run_once(&ra, &s, n + 1);
    }
    if (ret == URTS_EFATAL)
        ret = run_fail(&s);
    run_supervisor_destroy(&s);
    free(strings);
    return ret;
}

/* n host threads serving exitless OCALLs (geode.ocall_workers), started
 * before ECALL_RUN (and again, with a fresh area, after an EPC-loss
 * restart). */
static int start_workers(unsigned n, struct urts_enclave *e)
{
    uint64_t area;
    int ret;

    ret = n ? urts_exitless_start(e, n, &area) : 0;
    if (ret)
        fprintf(stderr, "geode run: cannot start %u OCALL workers: %s\n", n, strerror(-ret));
    return ret;
}

/* What a host child of OCALL_FORK needs of this run (urts_fork.c). */
struct fork_run {
    const struct sgx_run_params *p;
    unsigned workers;
};

/* The host child of a fork: a new enclave from the same pages and
 * SIGSTRUCT, entered with ECALL_FORK on the forking thread's TCS; then as
 * a run whose ECALL_RUN returned. A forked child is not restarted after an
 * EPC loss (its start was its parent's memory, which is gone): it ends as
 * killed by SIGKILL, which its parent sees. */
static void run_forked(struct urts_enclave *e, uint32_t thread, int chan, void *ctx)
{
    const struct fork_run *fr = ctx;
    struct sgx_err err = {{0}};
    struct urts_result res = {0};
    struct run_supervisor s;
    int ret;

    urts_signal_clear();
    ret = urts_fork_built(e) ? 0 : urts_rebuild(e, &err);
    if (ret) {
        fprintf(stderr, "geode: fork: cannot build the child's enclave: %s\n", err.msg);
        _exit(1);
    }
    if (start_workers(fr->workers, e))
        _exit(1);
    struct enclave_fork_args fa = {.run = host_facts(fr->p), .channel = chan};

    fa.run.signal_word = urts_signal_setup(e);
    fa.run.exitless = urts_exitless_area(e);
    if (run_supervisor_init(&s, e, NULL)) {
        fprintf(stderr, "geode: fork: cannot set up the child's supervision\n");
        _exit(1);
    }
    fflush(NULL);
    run_ecall_begin(&s, 0);
    ret = urts_ecall(e, thread, ECALL_FORK, &fa, urts_futex_word(e, thread), &res);
    run_ecall_end(&s, ret);
    if (!ret && res.status) {
        fprintf(stderr, "geode: fork: the child enclave refused to start: %s\n", strerror((int)-res.status));
        _exit(1);
    }
    ret = run_wait_end(&s);
    if (ret == URTS_ELOST) {
        fprintf(stderr, "geode run: %s; a forked process is not restarted: it ends\n", s.why.msg);
        fflush(NULL);
        signal(SIGKILL, SIG_DFL);
        kill(getpid(), SIGKILL);
    }
    _exit(run_fail(&s));
}

/* What the host runtime reads of the manifest (the one the image measures). */
struct run_settings {
    unsigned restarts;    /* geode.epc_loss_restarts */
    unsigned workers;     /* geode.ocall_workers */
    bool sigterm_inject;  /* sys.enable_sigterm_injection */
    unsigned pool;        /* geode.process_pool */
    int attestation;      /* sgx.remote_attestation */
    bool unconfined;      /* sgx.insecure__host_unconfined */
    bool network;         /* geode.host_network */
};

static struct run_settings run_settings(const geode_manifest *m)
{
    struct run_settings s = {0};

    if (m->geode) {
        s.restarts = m->geode->epc_loss_restarts;
        s.workers = m->geode->ocall_workers;
        s.pool = m->geode->process_pool;
        s.network = m->geode->host_network;
    }
    s.unconfined = m->sgx && m->sgx->insecure_host_unconfined;
    s.sigterm_inject = m->enable_sigterm_injection;
    s.attestation = m->sgx ? (int)m->sgx->remote_attestation : 0;
    return s;
}

/* Test hook, sim only (docs/sgx-pal.md): GEODE_SIM_BAD_ENTRY_AFTER_MS =
 * "THREAD:MS": the first OCALL of enclave thread THREAD (0 = main) at least
 * MS ms after the program starts is answered with a new ECALL, which the
 * trusted PAL refuses as fatal: a real fatal error in one thread. */
static int bad_entry_hook(struct urts_enclave *e)
{
    const char *spec = getenv("GEODE_SIM_BAD_ENTRY_AFTER_MS");
    unsigned thread, ms;
    struct timespec now;
    int used = 0;

    if (!spec || !*spec)
        return 0;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (spec[0] < '0' || spec[0] > '9' || sscanf(spec, "%u:%u%n", &thread, &ms, &used) != 2 ||
        spec[used] || ms > 3600000 ||
        urts_test_bad_entry(e, thread,
                            (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec +
                                ms * 1000000ULL)) {
        fprintf(stderr,
                "geode run: GEODE_SIM_BAD_ENTRY_AFTER_MS=\"%s\": expected THREAD:MILLISECONDS "
                "(a thread below sgx.max_threads)\n",
                spec);
        return -1;
    }
    return 0;
}

/* Test hook, sim only (docs/sim.md): GEODE_SIM_EPC_LOSS_AFTER_MS. */
static int loss_plan(struct run_loss_plan *plan)
{
    const char *spec = getenv("GEODE_SIM_EPC_LOSS_AFTER_MS");

    if (!spec || !*spec)
        return 0;
    if (run_loss_plan_parse(spec, plan)) {
        fprintf(stderr,
                "geode run: GEODE_SIM_EPC_LOSS_AFTER_MS=\"%s\": expected milliseconds, "
                "up to %d separated by commas\n",
                spec, RUN_LOSS_PLAN_MAX);
        return -1;
    }
    return 0;
}

/* sgx.edmm_enable on a CPU without SGX2: the SGX1 layout (every heap page
 * added at build), measured by the signer; a bundle's signed MRENCLAVE
 * cannot change, so a bundle refuses. */
static int edmm_fallback(const struct sgx_run_params *p, const struct sgx_driver *drv, struct enclave_image *img,
                         struct sgx_layout *l, struct sgx_err *err)
{
    if (!img->desc.edmm || drv->sgx2)
        return 0;
    if (p->blob)
        return sgx_err_set(err, "sgx.edmm_enable: this CPU has no SGX2 (EDMM), and the bundle's enclave needs it"),
               -ENODEV;
    fprintf(stderr, "geode run: sgx.edmm_enable: this CPU has no SGX2 (EDMM): every heap page is added at "
                    "start (SGX1 layout; its MRENCLAVE differs from the manifest's)\n");
    img->desc.edmm = false;
    sgx_layout_free(l);
    if (enclave_image_layout(img, l, err))
        return -EINVAL;
    return 0;
}

/* The confined host (urts_confine.c), once the enclave is built: every
 * later host call of this process and its forks goes through the filter. */
static int confine(const struct sgx_run_params *p, struct urts_enclave *e, uint64_t size,
                   const struct run_settings *rs)
{
    struct urts_confine_policy cp = {.sim = p->sim, .network = rs->network,
                                     .aesm = !p->sim && rs->attestation,
                                     .elrange = urts_base(e), .elsize = size};
    int ret;

    if (rs->unconfined) {
        fprintf(stderr, "geode run: the host is not confined (sgx.insecure__host_unconfined)\n");
        return 0;
    }
#if defined(__SANITIZE_ADDRESS__)
    fprintf(stderr, "geode run: the host is not confined: built with AddressSanitizer, whose "
                    "runtime makes host calls (ptrace for leak checks) the filter refuses\n");
    return 0;
#endif
    ret = urts_confine(&cp);
    if (ret) {
        fprintf(stderr, "geode run: cannot confine the host (seccomp filter): %s\n", strerror(-ret));
        return ret;
    }
    urts_handlers_changed(e); /* the sim chains SIGSYS to the new handler */
    urts_confine_test_hook();
    return 0;
}

/* The image and page list of p's manifest, not measured (the signer
 * does). 0, or -1 with the reason in err (img freed). */
static int manifest_layout(const struct sgx_run_params *p, struct enclave_image *img, struct sgx_layout *l,
                           struct sgx_err *err)
{
    if (enclave_image_describe_manifest(p->manifest, p->runtime_dir, img, err)) {
        enclave_image_free(img);
        return -1;
    }
    if (enclave_image_layout(img, l, err)) {
        enclave_image_free(img);
        return -1;
    }
    return 0;
}

int sgx_run(const struct sgx_run_params *p)
{
    struct enclave_image img;
    struct sgx_layout l;
    struct sgx_sigstruct sig;
    struct sgx_sim_cpu cpu;
    struct sgx_driver drv;
    struct sgx_err err = {{0}};
    struct urts_enclave *e = NULL;
    struct run_loss_plan plan = {0};
    uint8_t mr[32];
    unsigned restarts, workers = 0;
    int ret;

    startup.start = mono_ms();
    geode_diag_init();

    if (p->sim && host_caps_bad_hide()[0]) {
        fprintf(stderr, "geode run: GEODE_TEST_HIDE_CAPS: unknown capability '%s' (known: fsgsbase, "
                        "fsgsbase_insn, pku, tsc_trap)\n", host_caps_bad_hide());
        return 1;
    }
    if (p->sim && host_caps_sim_refusal()) {
        fprintf(stderr, "geode run: %s\n", host_caps_sim_refusal());
        return 1;
    }
    if (p->sim && loss_plan(&plan))
        return 1;
    /* A bundle's blob is measured as signed; else the manifest's trusted
     * files are hashed into it first, and the signer measures and signs
     * the layout beside EADD. */
    if (p->blob ? enclave_image_of(p->manifest, p->blob, p->blob_len, p->runtime_dir, &img, &l, mr, &err)
                : manifest_expand_trusted(p->manifest, stderr) || manifest_layout(p, &img, &l, &err)) {
        if (err.msg[0])
            fprintf(stderr, "geode run: %s\n", err.msg);
        return 1;
    }
    if (p->blob && memcmp(mr, p->sigstruct->enclave_hash, sizeof(mr))) {
        fprintf(stderr, "geode run: %s: the bundle's enclave does not measure to the MRENCLAVE its "
                        "SIGSTRUCT signs: refusing to run it\n", p->runtime_dir);
        sgx_layout_free(&l);
        enclave_image_free(&img);
        return 1;
    }
    startup.image = mono_ms();
    struct run_settings rs = run_settings(p->manifest);

    restarts = rs.restarts;
    workers = rs.workers;
    urts_signal_keep_sigterm_out(!rs.sigterm_inject);
    urts_pool_set_size(rs.pool);
    urts_quote_configure(p->sim, rs.attestation);
    bool aex_notify = img.desc.attributes & SGX_ATTR_AEXNOTIFY;
    /* AVX-512 where this host has it and the signature leaves it free
     * (enclave_image_sign_params): a program's libc uses it once CPUID and
     * XGETBV say so, which in the sim they do whatever XFRM says. */
    uint64_t free_xfrm = ~(p->blob ? p->sigstruct->attribute_mask.xfrm : ~ENCLAVE_IMAGE_XFRM_OPTIONAL);
    if (!p->sim) { /* only what this CPU's SGX allows in XFRM (CPUID 0x12.1) */
        struct sgx_cpu_caps caps;
        sgx_cpu_caps_read(&caps);
        free_xfrm &= caps.xfrm;
    }
    struct urts_desc d = {.threads = img.desc.threads, .nssa = img.desc.nssa, .aex_notify = aex_notify,
                          .xfrm = img.desc.xfrm | (xfrm_host_optional(ENCLAVE_XSAVE_MAX) & free_xfrm),
                          .log_counters = p->log_counters, .layout = &img.desc, .sigstruct = &sig, .pages = &l,
                          .unlimited_exceptions = true};
    struct signer signer = {.img = &img, .l = &l, .key_path = p->key_path, .sig = &sig};

    ret = driver(p->sim, aex_notify, &cpu, &drv, &err);
    if (!ret)
        ret = edmm_fallback(p, &drv, &img, &l, &err);
    if (!ret && p->blob) {
        sig = *p->sigstruct;
    } else if (!ret) {
        d.sigstruct_wait = signer_wait;
        d.sigstruct_arg = &signer;
        ret = signer_start(&signer);
        if (ret)
            err = signer.err;
    }
    startup.sign = mono_ms();
    startup.add_ns = sgx_layout_add_ns;
    if (!ret)
        ret = urts_create(&drv, &d, &e, &err);
    if (ret && signer.started && signer.joined && signer.cached) {
        /* EINIT refused the kept signature (an entry that is not this
         * enclave's): forget it, measure and sign, build again. */
        sig_cache_drop(signer.cache_key);
        fprintf(stderr, "geode: the kept signature of this enclave was refused (%s): signing it anew\n",
                err.msg);
        signer = (struct signer){.img = &img, .l = &l, .key_path = p->key_path, .sig = &sig, .fresh = true};
        memset(&err, 0, sizeof(err));
        ret = signer_start(&signer);
        if (ret)
            err = signer.err;
        else
            ret = urts_create(&drv, &d, &e, &err);
    }
    startup.created = mono_ms();
    startup.add_ns = sgx_layout_add_ns - startup.add_ns;
    if (signer.started && !signer.joined)
        signer_wait(&signer); /* urts_create failed before EINIT */
    if (ret && signer.ret)
        err = signer.err; /* the signer's failure is the cause */
    if (ret) {
        fprintf(stderr, "geode run: %s\n", err.msg);
        sgx_layout_free(&l);
        enclave_image_free(&img);
        return 1;
    }
    struct fork_run fr = {p, workers};

    urts_set_fork_handler(e, run_forked, &fr);
    /* The program's pid namespace: this process is its process 1. */
    ret = (p->sim && bad_entry_hook(e)) || urts_procs_init() || start_workers(workers, e) ||
                  confine(p, e, l.size, &rs)
              ? 1
              : run_restartable(p, e, restarts, workers, plan.n ? &plan : NULL);
    urts_procs_exit(); /* the run failed: nothing of the tree outlives it */
    urts_exitless_stop(e);
    urts_destroy(e);
    sgx_layout_free(&l);
    enclave_image_free(&img);
    return ret;
}
