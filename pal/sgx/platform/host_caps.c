/* Host capabilities: probed once each, on first use (host_caps.h). */
#include "host_caps.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sgx_cpuid.h"

#define HWCAP2_FSGSBASE (1ul << 1)
#define HIDE_ENV "GEODE_TEST_HIDE_CAPS"

static const char *const NAMES[HOST_CAP_COUNT] = {
    [HOST_CAP_FSGSBASE] = "fsgsbase",
    [HOST_CAP_FSGSBASE_INSN] = "fsgsbase_insn",
    [HOST_CAP_PKU] = "pku",
    [HOST_CAP_TSC_TRAP] = "tsc_trap",
};

struct cap_state {
    bool probed, have;
    char why[200];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct cap_state caps[HOST_CAP_COUNT];
static bool hide_parsed;
static bool hidden[HOST_CAP_COUNT];
static char bad_hide[128];

const char *host_cap_name(enum host_cap cap)
{
    return cap < HOST_CAP_COUNT ? NAMES[cap] : "?";
}

/* Called with lock held. */
static void parse_hide(void)
{
    const char *env = getenv(HIDE_ENV);
    char buf[256], *save = NULL;

    hide_parsed = true;
    if (!env || !*env)
        return;
    snprintf(buf, sizeof(buf), "%s", env);
    for (char *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        int i;

        for (i = 0; i < HOST_CAP_COUNT && strcmp(tok, NAMES[i]); i++)
            ;
        if (i < HOST_CAP_COUNT) {
            hidden[i] = true;
            continue;
        }
        size_t len = strlen(bad_hide);
        snprintf(bad_hide + len, sizeof(bad_hide) - len, "%s%s", len ? "," : "", tok);
    }
}

/* Runs fn in a forked child: true when it exits 0, with the signal that
 * killed it (or 0) in *sig. */
static bool in_child(int (*fn)(void), int *sig)
{
    int status;
    pid_t pid;

    *sig = 0;
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0)
        _exit(fn());
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return false;
    if (WIFSIGNALED(status))
        *sig = WTERMSIG(status);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int try_fsgsbase_insn(void)
{
    uint64_t fs, gs;

    signal(SIGILL, SIG_DFL);
    __asm__ volatile("rdfsbase %0" : "=r"(fs));
    __asm__ volatile("rdgsbase %0" : "=r"(gs));
    __asm__ volatile("wrfsbase %0" ::"r"(fs) : "memory");
    __asm__ volatile("wrgsbase %0" ::"r"(gs) : "memory");
    return 0;
}

static int try_tsc_trap(void)
{
    signal(SIGSEGV, SIG_DFL);
    if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0))
        return 2;
    (void)__builtin_ia32_rdtsc();
    return 1; /* not trapped */
}

static void probe_fsgsbase(struct cap_state *c, const struct sgx_cpu_caps *cpu)
{
    c->have = (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE) != 0;
    if (c->have)
        snprintf(c->why, sizeof(c->why), "AT_HWCAP2 bit 1 set; CPUID.7.0:EBX[0] = 1");
    else
        snprintf(c->why, sizeof(c->why), "AT_HWCAP2 bit 1 clear; %s",
                 cpu->fsgsbase ? "the CPU has it (CPUID.7.0:EBX[0] = 1) but the kernel did not enable it"
                               : "CPUID.7.0:EBX[0] = 0");
}

static void probe_insn(struct cap_state *c, const struct sgx_cpu_caps *cpu)
{
    int sig;

    if (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE) {
        c->have = true;
        snprintf(c->why, sizeof(c->why), "enabled by the kernel (AT_HWCAP2 bit 1)");
    } else if (!cpu->fsgsbase) {
        snprintf(c->why, sizeof(c->why), "the CPU lacks FSGSBASE (CPUID.7.0:EBX[0] = 0)");
    } else {
        c->have = in_child(try_fsgsbase_insn, &sig);
        snprintf(c->why, sizeof(c->why), "%s",
                 c->have ? "RDFSBASE/WRFSBASE executed in a test child although the kernel did not enable "
                           "them: written bases do not survive context switches"
                 : sig ? "RDFSBASE/WRFSBASE fault in user mode (test child killed by SIGILL)"
                       : "test child for RDFSBASE/WRFSBASE could not run");
    }
}

static void probe_pku(struct cap_state *c, const struct sgx_cpu_caps *cpu)
{
    int key;

    if (!cpu->pku || !cpu->ospke) {
        snprintf(c->why, sizeof(c->why), "CPUID.7.0:ECX[3] PKU = %d, ECX[4] OSPKE = %d", cpu->pku, cpu->ospke);
        return;
    }
    key = pkey_alloc(0, 0);
    if (key < 0) {
        snprintf(c->why, sizeof(c->why), "CPU has PKU and OSPKE; pkey_alloc: %s", strerror(errno));
        return;
    }
    pkey_free(key);
    c->have = true;
    snprintf(c->why, sizeof(c->why), "CPUID.7.0:ECX[3,4] = 1; pkey_alloc gave key %d", key);
}

static void probe_tsc(struct cap_state *c)
{
    int sig;

    in_child(try_tsc_trap, &sig);
    c->have = sig == SIGSEGV;
    snprintf(c->why, sizeof(c->why), "%s",
             c->have ? "RDTSC faulted (SIGSEGV) in a test child after prctl(PR_SET_TSC, PR_TSC_SIGSEGV)"
                     : "RDTSC still ran in a test child after prctl(PR_SET_TSC, PR_TSC_SIGSEGV) "
                       "(typical under a hypervisor)");
}

/* Called with lock held. */
static struct cap_state *probe(enum host_cap cap)
{
    struct cap_state *c = &caps[cap];
    struct sgx_cpu_caps cpu;

    if (c->probed)
        return c;
    sgx_cpu_caps_read(&cpu);
    switch (cap) {
    case HOST_CAP_FSGSBASE:
        probe_fsgsbase(c, &cpu);
        break;
    case HOST_CAP_FSGSBASE_INSN:
        probe_insn(c, &cpu);
        break;
    case HOST_CAP_PKU:
        probe_pku(c, &cpu);
        break;
    case HOST_CAP_TSC_TRAP:
        probe_tsc(c);
        break;
    case HOST_CAP_COUNT:
        break;
    }
    c->probed = true;
    return c;
}

bool host_cap_real(enum host_cap cap)
{
    bool have;

    if (cap >= HOST_CAP_COUNT)
        return false;
    pthread_mutex_lock(&lock);
    have = probe(cap)->have;
    pthread_mutex_unlock(&lock);
    return have;
}

bool host_cap_hidden(enum host_cap cap)
{
    bool h;

    if (cap >= HOST_CAP_COUNT)
        return false;
    pthread_mutex_lock(&lock);
    if (!hide_parsed)
        parse_hide();
    h = hidden[cap];
    pthread_mutex_unlock(&lock);
    return h;
}

bool host_cap(enum host_cap cap)
{
    return !host_cap_hidden(cap) && host_cap_real(cap);
}

const char *host_cap_why(enum host_cap cap)
{
    const char *why;

    if (cap >= HOST_CAP_COUNT)
        return "";
    if (host_cap_hidden(cap) && host_cap_real(cap))
        return "present, but hidden by " HIDE_ENV " (test hook)";
    pthread_mutex_lock(&lock);
    why = probe(cap)->why;
    pthread_mutex_unlock(&lock);
    return why;
}

const char *host_caps_bad_hide(void)
{
    host_cap_hidden(HOST_CAP_FSGSBASE);
    return bad_hide;
}

bool host_caps_bases_volatile(void)
{
    return !host_cap(HOST_CAP_FSGSBASE);
}

bool host_caps_emulate_base_loss(void)
{
    return host_caps_bases_volatile() && host_cap_real(HOST_CAP_FSGSBASE);
}

const char *host_caps_sim_refusal(void)
{
    if (!host_cap(HOST_CAP_FSGSBASE_INSN))
        return "mode sim needs RDFSBASE/WRFSBASE in user mode, which this host lacks "
               "(see 'geode doctor'); use --mode direct";
    return NULL;
}
