/* Direct PAL: builds the PAL table and boot block, then enters the libOS.
 * After this point the host thread never returns to glibc. */
#include <sched.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "host.h"
#include "pidns.h"

extern char **environ;
void direct_set_libos_range(uint64_t lo, uint64_t hi);

static struct pal_api api;
static struct pal_boot boot;

static void fill_api(void)
{
    api.version = PAL_API_VERSION;
    api.size = sizeof(api);
    direct_fill_mem(&api);
    direct_fill_file(&api);
    direct_fill_net(&api);
    direct_fill_thread(&api);
    direct_fill_misc(&api);
    direct_fill_signal(&api);
    direct_fill_proc(&api);
    direct_fill_crypto(&api);
}

static uint32_t cpu_count(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0)
        return 1;
    int n = CPU_COUNT(&set);
    return n > 0 ? (uint32_t)n : 1;
}

/* The program sees itself as the leader of its own process group (pid 1,
 * pgid 1), so kill(0, sig) and kill(-1's group) must not reach the shell or
 * test runner that started geode: geode becomes a group leader, unless it
 * is a terminal's foreground job, whose group the shell made for it alone
 * (moving out of it would stop its terminal reads with SIGTTIN). */
void direct_own_process_group(void)
{
    pid_t pgrp = getpgrp();
    if (pgrp == getpid() || tcgetpgrp(0) == pgrp)
        return;
    if (setpgid(0, 0) != 0)
        perror("geode: setpgid (kill(0) would reach geode's parent group)");
}

/* The kernel's auxv entry. glibc's getauxval(AT_HWCAP) is not it on x86:
 * glibc replaces dl_hwcap with its own HWCAP_X86_* bits, while programs
 * expect the kernel's CPUID.1:EDX value. Read before the program starts,
 * while glibc may still be used. */
uint64_t geode_kernel_auxval(uint64_t type)
{
    uint64_t pair[2], value = 0;
    FILE *f = fopen("/proc/self/auxv", "rb");
    while (f && fread(pair, sizeof(pair), 1, f) == 1 && pair[0] != AT_NULL) {
        if (pair[0] == type) {
            value = pair[1];
            break;
        }
    }
    if (f)
        fclose(f);
    return value ? value : getauxval(type);
}

int pal_direct_run(const char *libos_path, const uint8_t *blob, size_t blob_len, int argc,
                   char **argv)
{
    struct direct_image img;
    geode_diag_init();
    if (direct_load_libos(libos_path, &img) != 0)
        return 1;
    fill_api();
    boot = (struct pal_boot){
        .version = PAL_API_VERSION,
        .manifest = blob,
        .manifest_len = blob_len,
        .argc = argc,
        .argv = (const char *const *)argv,
        .envp = (const char *const *)environ,
        .libos_base = img.base,
        .libos_size = img.size,
        .stdio = {0, 1, 2},
        .cpu_count = cpu_count(),
        .hwcap = geode_kernel_auxval(AT_HWCAP),
        .hwcap2 = geode_kernel_auxval(AT_HWCAP2),
        .pal_text_lo = (uint64_t)__start_geode_hostsys,
        .pal_text_hi = (uint64_t)__stop_geode_hostsys,
    };
    direct_set_libos_range((uint64_t)img.base, (uint64_t)img.base + img.size);
    direct_own_process_group();
    if (pidns_init() != 0) {
        fprintf(stderr, "geode: cannot create the program's pid namespace\n");
        return 1;
    }
    fflush(NULL);
    if (direct_altstack_setup() != 0 || direct_signals_install() != 0) {
        fprintf(stderr, "geode: cannot install the direct PAL's signal handlers\n");
        return 1;
    }
    ((libos_entry_fn)img.entry)(&api, &boot);
    direct_log_str("geode: internal error: the libOS entry returned\n");
    return 1;
}
