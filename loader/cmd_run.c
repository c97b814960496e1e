/* geode run [--mode auto|sgx|sim|direct] MANIFEST [args...]
 *
 * Validates the manifest and hands it to the PAL of the chosen mode (auto:
 * sgx where it works, else sim, from doctor's checks) together with the
 * libOS image. The exit status is the program's (128 + signal number
 * when it was killed by a signal, since the program is this process). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/auxv.h>

#include <sys/resource.h>

#include "pal_direct.h"
#include "bundle.h"
#include "cli.h"
#include "run_sgx.h"
#include "manifest/manifest.h"
#include "mount_reach.h"
#include "paths.h"

extern char **environ;

static void usage(FILE *out)
{
    fprintf(out, "usage: geode run [--mode auto|sgx|sim|direct] MANIFEST [ARGS...]\n"
                 "  Runs the manifest's program under the libOS. ARGS are passed only when\n"
                 "  the manifest sets loader.insecure__use_cmdline_argv = true.\n"
                 "  Modes: sgx (an SGX enclave), sim (the software SGX), direct (no enclave,\n"
                 "  for debugging); auto, the default, is sgx where it works, else sim.\n");
}

/* libos.elf sits next to the geode binary (build tree) or in
 * ../lib/geode/ relative to it (installed layout). */
static int find_libos(char *out, size_t size)
{
    char self[PATH_MAX - 32]; /* leaves room for the suffixes below */
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        fprintf(stderr, "geode run: cannot locate the geode binary: %m\n");
        return -1;
    }
    self[n] = 0;
    char *slash = strrchr(self, '/');
    *slash = 0;
    const char *cands[] = {"%s/libos.elf", "%s/../lib/geode/libos.elf"};
    for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
        int len = snprintf(out, size, cands[i], self);
        if (len > 0 && (size_t)len < size && access(out, R_OK) == 0)
            return 0;
    }
    fprintf(stderr, "geode run: libos.elf not found in %s or %s/../lib/geode\n", self, self);
    return -1;
}

static int parse_mode(const char *s, Geode__RunMode *mode)
{
    if (!strcmp(s, "auto"))
        *mode = GEODE__RUN_MODE__MODE_AUTO;
    else if (!strcmp(s, "direct"))
        *mode = GEODE__RUN_MODE__MODE_DIRECT;
    else if (!strcmp(s, "sim"))
        *mode = GEODE__RUN_MODE__MODE_SIM;
    else if (!strcmp(s, "sgx"))
        *mode = GEODE__RUN_MODE__MODE_SGX;
    else {
        fprintf(stderr, "geode run: unknown mode \"%s\" (auto, sgx, sim or direct)\n", s);
        return -1;
    }
    return 0;
}

static const char *mode_name(Geode__RunMode m)
{
    switch (m) {
    case GEODE__RUN_MODE__MODE_DIRECT: return "direct";
    case GEODE__RUN_MODE__MODE_SIM: return "sim";
    case GEODE__RUN_MODE__MODE_SGX: return "sgx";
    default: return "auto";
    }
}

/* bundle: a signed bundle's libOS and blob, else the build's. */
static int run_direct(geode_manifest *m, const struct bundle *bundle, int argc, char **argv)
{
    char libos[PATH_MAX];
    size_t len;
    if (bundle) {
        bool uri = m->libos_uri && m->libos_uri[0];
        int n = uri ? snprintf(libos, sizeof(libos), "%s", m->libos_uri + 5)
                    : snprintf(libos, sizeof(libos), "%.*s/libos.elf", PATH_MAX - 16, bundle->dir);
        if (n < 0 || (size_t)n >= sizeof(libos))
            return fprintf(stderr, "geode run: the libOS path is too long\n"), 1;
    } else if (find_libos(libos, sizeof(libos)) != 0) {
        return 1;
    }
    if (bundle) /* the signed blob itself, byte for byte */
        return pal_direct_run(libos, bundle->blob, bundle->blob_len, argc, argv);
    uint8_t *blob = manifest_pack(m, &len);
    if (!blob) {
        fprintf(stderr, "geode run: cannot serialize the manifest\n");
        return 1;
    }
    /* Does not return on success: the program's exit ends the process. */
    int r = pal_direct_run(libos, blob, len, argc, argv);
    free(blob);
    return r;
}

static uint64_t auxval(uint64_t type)
{
    return geode_kernel_auxval(type);
}

/* sim or sgx: the manifest's enclave, signed with the default key (made
 * the first time), runs the libOS; at debug log level the transition
 * counts are printed at exit. */
static int run_enclave(const char *manifest, geode_manifest *m, const struct bundle *bundle,
                       bool sim, bool debug, int argc, char **argv)
{
    char runtime[PATH_MAX], key[PATH_MAX];
    const char *home = getenv("HOME");
    struct sgx_run_params p = {.manifest = m, .runtime_dir = runtime, .sim = sim,
                               .argc = argc, .argv = argv, .envp = environ,
                               .hwcap = auxval(AT_HWCAP), .hwcap2 = auxval(AT_HWCAP2),
                               .log_counters = debug ? stderr : NULL};

    if (bundle) { /* the vendor's enclave: nothing is built from the host's files or signed */
        p.blob = bundle->blob;
        p.blob_len = bundle->blob_len;
        p.sigstruct = &bundle->sig;
        p.runtime_dir = bundle->dir;
        return sgx_run(&p);
    }
    if (geode_runtime_dir(runtime, sizeof(runtime)) != 0)
        return 1;
    if (debug)
        fprintf(stderr, "geode: %s: building the enclave and signing it with the local key "
                        "(the development flow; a vendor ships 'geode sign --bundle')\n",
                manifest);
    if (home && *home && snprintf(key, sizeof(key), "%s/.config/geode/enclave-key.pem", home) <
                             (int)sizeof(key))
        p.key_path = key;
    return sgx_run(&p);
}

/* auto: sgx where it works, else sim; never direct, which has no enclave
 * to protect the program (the user asks for it by name). */
static int pick_mode(const geode_manifest *m, Geode__RunMode *mode)
{
    char why[512];
    char pick = doctor_auto_mode(why, sizeof(why));
    if (!pick) {
        fprintf(stderr, "geode run: mode auto: no enclave mode works on this machine (%s); "
                        "run 'geode doctor' for details, or --mode direct to run without an "
                        "enclave\n", why);
        return -1;
    }
    *mode = pick == 's' ? GEODE__RUN_MODE__MODE_SGX : GEODE__RUN_MODE__MODE_SIM;
    if (m->log_level >= GEODE__LOG_LEVEL__LOG_DEBUG)
        fprintf(stderr, "geode: mode auto: %s (%s)\n", mode_name(*mode), why);
    return 0;
}

/* Parses [--mode M] [--]; sets *first to the manifest's index. Returns 0,
 * 1 after printing help, or 2 on misuse. */
static int parse_args(int argc, char **argv, Geode__RunMode *mode, bool *mode_given, int *first)
{
    int i = 1;
    if (cli_wants_help(argc, argv) && (argc < 3 || !strcmp(argv[1], "-h") ||
                                       !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 1;
    }
    for (; i < argc && !strncmp(argv[i], "--mode", 6); i++) {
        const char *v = argv[i][6] == '=' ? argv[i] + 7 : (i + 1 < argc ? argv[++i] : "");
        if (parse_mode(v, mode) != 0)
            return 2;
        *mode_given = true;
    }
    if (i < argc && !strcmp(argv[i], "--"))
        i++;
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    *first = i;
    return 0;
}

/* The program's descriptors are host descriptors of this process too
 * (files, sockets, pipes), next to geode's own: its soft RLIMIT_NOFILE goes
 * up to the hard one, as Go's runtime does for itself. A manifest that
 * allows the program more than that gets a warning: past it, opens fail
 * with EMFILE from the host. */
static void host_fds_raise(const geode_manifest *m)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl))
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (m->fds_limit && rl.rlim_max != RLIM_INFINITY && m->fds_limit > rl.rlim_max)
        fprintf(stderr, "geode run: sys.fds.limit is %u, above this host's RLIMIT_NOFILE (%llu): "
                        "opens past that fail with EMFILE\n",
                m->fds_limit, (unsigned long long)rl.rlim_max);
}

int cmd_run(int argc, char **argv)
{
    Geode__RunMode mode = GEODE__RUN_MODE__MODE_AUTO;
    bool mode_given = false;
    int i, r = parse_args(argc, argv, &mode, &mode_given, &i);
    if (r != 0)
        return r == 1 ? 0 : r;
    struct bundle bundle, *b = NULL;
    geode_manifest *m;
    if (bundle_is(argv[i])) {
        if (bundle_open(argv[i], "run", &bundle))
            return 1;
        b = &bundle;
        m = bundle.m;
    } else {
        m = manifest_load(argv[i], stderr);
    }
    if (!m)
        return 1;
    if (!mode_given && m->geode)
        mode = m->geode->mode;
    mount_reach_check(m, stderr);
    host_fds_raise(m);
    int nargs = argc - i - 1;
    if (nargs > 0 && !m->use_cmdline_argv) {
        fprintf(stderr, "geode run: %s: arguments given but loader.insecure__use_cmdline_argv "
                        "is not true\n", argv[i]);
        r = 1;
    } else if (mode == GEODE__RUN_MODE__MODE_AUTO && pick_mode(m, &mode) != 0) {
        r = 1;
    } else if (mode == GEODE__RUN_MODE__MODE_SIM || mode == GEODE__RUN_MODE__MODE_SGX) {
        bool debug = m->log_level >= GEODE__LOG_LEVEL__LOG_DEBUG;
        r = run_enclave(argv[i], m, b, mode == GEODE__RUN_MODE__MODE_SIM, debug, nargs,
                        argv + i + 1);
    } else {
        r = run_direct(m, b, nargs, argv + i + 1);
    }
    if (b)
        bundle_close(b);
    else
        manifest_free(m);
    return r;
}
