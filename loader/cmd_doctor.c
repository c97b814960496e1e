/* geode doctor: reports what this machine offers each run mode, one line per
 * check with the evidence behind it, then which modes will work.
 *
 * Checks run for real where that is cheap and safe: Syscall User Dispatch
 * and seccomp are armed in a forked child that traps one syscall, PKU is
 * tried with pkey_alloc, userfaultfd is opened. The checks fill a report;
 * printing (text or --json) is separate. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "cli.h"
#include "sgx_cpuid.h"
#include "host_caps.h"
#include "vdso.h"

/* Older headers may lack these (Linux 5.11 ABI values). */
#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#endif
#ifndef PR_SYS_DISPATCH_ON
#define PR_SYS_DISPATCH_ON 1
#define PR_SYS_DISPATCH_OFF 0
#endif
#ifndef SYSCALL_DISPATCH_FILTER_ALLOW
#define SYSCALL_DISPATCH_FILTER_ALLOW 0
#define SYSCALL_DISPATCH_FILTER_BLOCK 1
#endif
#ifndef SYS_USER_DISPATCH
#define SYS_USER_DISPATCH 2
#endif
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

#define MAX_CHECKS 32
/* Value the SIGSYS handler puts in RAX: proves the trapped call never ran. */
#define PROBE_MAGIC 0x6e0de
/* Child exit status when the mechanism armed but did not trap the call. */
#define PROBE_NOT_TRAPPED 250

enum verdict { V_OK, V_NO, V_WARN };

struct check {
    const char *name;   /* stable id for --json */
    enum verdict verdict;
    char text[128];     /* what was checked, and the finding */
    char reason[384];   /* the evidence */
};

/* Facts the mode decisions depend on, filled in by the checks. */
struct facts {
    struct sgx_cpu_caps caps;
    bool x86_64, sgx_dev, sgx_vdso, sud, seccomp, fsgsbase, fsgsbase_insn;
};

struct report {
    struct check checks[MAX_CHECKS];
    int n;
    struct facts f;
};

__attribute__((format(printf, 5, 6))) static void add(struct report *r, const char *name,
                                                      enum verdict v, const char *text,
                                                      const char *reason_fmt, ...)
{
    if (r->n >= MAX_CHECKS)
        return; /* cannot happen: MAX_CHECKS covers every check below */
    struct check *c = &r->checks[r->n++];
    va_list ap;
    c->name = name;
    c->verdict = v;
    snprintf(c->text, sizeof(c->text), "%s", text);
    va_start(ap, reason_fmt);
    vsnprintf(c->reason, sizeof(c->reason), reason_fmt, ap);
    va_end(ap);
}

static void need(char *buf, size_t size, bool have, const char *item);

/* ---- CPU ---------------------------------------------------------------- */

static void brand_string(char *out, size_t size)
{
    struct cpuid_regs r[3];
    char raw[49] = "";
    cpuid_exec(0x80000000u, 0, &r[0]);
    if (r[0].eax >= 0x80000004u) {
        for (unsigned i = 0; i < 3; i++)
            cpuid_exec(0x80000002u + i, 0, &r[i]);
        memcpy(raw, r, 48);
        raw[48] = '\0';
    }
    const char *s = raw;
    while (*s == ' ')
        s++;
    snprintf(out, size, "%s", *s ? s : "no brand string");
}

static void check_cpu(struct report *r)
{
    const struct sgx_cpu_caps *c = &r->f.caps;
    char brand[49], text[128];
    brand_string(brand, sizeof(brand));
    snprintf(text, sizeof(text), "CPU %s family 0x%x model 0x%x stepping %u", c->vendor,
             c->family, c->model, c->stepping);
    add(r, "cpu", V_OK, text, "%s%s", brand,
        c->hypervisor ? "; running under a hypervisor (CPUID.1:ECX[31] = 1)" : "");
}

static const char *no_sgx_why(const struct sgx_cpu_caps *c)
{
    if (!strcmp(c->vendor, "AuthenticAMD") || !strcmp(c->vendor, "HygonGenuine"))
        return "AMD CPU: SGX is an Intel feature";
    if (strcmp(c->vendor, "GenuineIntel"))
        return "not an Intel CPU";
    if (c->hypervisor)
        return "Intel CPU under a hypervisor that does not expose SGX";
    return "this Intel CPU lacks SGX, or it is disabled in the firmware";
}

static void check_sgx_cpu(struct report *r)
{
    const struct sgx_cpu_caps *c = &r->f.caps;
    if (c->sgx)
        add(r, "sgx-cpu", V_OK, "CPU supports SGX", "CPUID.7.0:EBX[2] = 1");
    else
        add(r, "sgx-cpu", V_NO, "CPU has no SGX", "CPUID.7.0:EBX[2] = 0 (%s)", no_sgx_why(c));
}

/* One CPUID.0x12 feature line; without SGX the leaf is not enumerated. */
static void leaf12_line(struct report *r, const char *name, bool have, enum verdict if_absent,
                        const char *what, const char *where)
{
    char text[128];
    if (!r->f.caps.sgx) {
        snprintf(text, sizeof(text), "%s not available", what);
        add(r, name, V_NO, text, "%s not enumerated: CPUID leaf 0x12 is valid only when "
                                 "CPUID.7.0:EBX[2] = 1", where);
        return;
    }
    snprintf(text, sizeof(text), "%s %s", what, have ? "supported" : "not supported");
    add(r, name, have ? V_OK : if_absent, text, "%s = %d", where, have);
}

static void check_sgx_leaf12(struct report *r)
{
    const struct sgx_cpu_caps *c = &r->f.caps;
    leaf12_line(r, "sgx1", c->sgx1, V_NO, "SGX1 instructions", "CPUID.0x12.0:EAX[0]");
    leaf12_line(r, "sgx2", c->sgx2, V_WARN, "SGX2 (EDMM) instructions", "CPUID.0x12.0:EAX[1]");
    leaf12_line(r, "edeccssa", c->edeccssa, V_WARN, "EDECCSSA", "CPUID.0x12.0:EAX[11]");
    leaf12_line(r, "aexnotify", c->aexnotify, V_WARN, "AEX-Notify attribute",
                "CPUID.0x12.1:EAX[10]");
}

static void check_flc(struct report *r)
{
    bool lc = r->f.caps.sgx_lc;
    add(r, "flc", lc ? V_OK : V_NO,
        lc ? "flexible launch control: supported" : "flexible launch control: not supported",
        "CPUID.7.0:ECX[30] = %d%s", lc,
        lc ? "" : " (the Linux SGX driver needs it to launch enclaves)");
}

/* ---- devices and kernel ------------------------------------------------- */

static void describe_node(const struct stat *st, char *out, size_t size)
{
    const struct group *g = getgrgid(st->st_gid);
    snprintf(out, size, "mode %04o, uid %u, group %s (%u)", (unsigned)(st->st_mode & 07777),
             (unsigned)st->st_uid, g ? g->gr_name : "?", (unsigned)st->st_gid);
}

/* Returns true when path is a character device this process can open rw. */
static bool check_device(struct report *r, const char *name, const char *path,
                         enum verdict if_bad, const char *missing_why)
{
    struct stat st;
    char text[128], node[96];
    if (stat(path, &st) != 0) {
        snprintf(text, sizeof(text), "%s: absent", path);
        add(r, name, if_bad, text, "stat: %s (%s)", strerror(errno), missing_why);
        return false;
    }
    describe_node(&st, node, sizeof(node));
    if (!S_ISCHR(st.st_mode)) {
        snprintf(text, sizeof(text), "%s: not a character device", path);
        add(r, name, if_bad, text, "%s", node);
        return false;
    }
    if (access(path, R_OK | W_OK) != 0) {
        snprintf(text, sizeof(text), "%s: not usable by uid %u", path, (unsigned)getuid());
        add(r, name, if_bad, text, "%s; access(R_OK|W_OK): %s", node, strerror(errno));
        return false;
    }
    snprintf(text, sizeof(text), "%s: present, read/write", path);
    add(r, name, V_OK, text, "%s", node);
    return true;
}

static void check_sgx_devices(struct report *r)
{
    r->f.sgx_dev = check_device(r, "sgx-enclave", "/dev/sgx_enclave", V_NO,
                                "no SGX driver: needs Linux >= 5.11 with CONFIG_X86_SGX on an "
                                "SGX machine");
    check_device(r, "sgx-provision", "/dev/sgx_provision", V_WARN,
                 "needed only for enclaves with the PROVISIONKEY attribute");
}

static void check_vdso(struct report *r)
{
    struct vdso_image img;
    uintptr_t addr = 0;
    enum vdso_status st = vdso_open_self(&img);
    if (st == VDSO_OK)
        st = vdso_lookup(&img, "__vdso_sgx_enter_enclave", "LINUX_2.6", &addr);
    r->f.sgx_vdso = st == VDSO_OK;
    if (st == VDSO_OK)
        add(r, "vdso-sgx", V_OK, "vDSO has __vdso_sgx_enter_enclave", "LINUX_2.6 at %#lx",
            (unsigned long)addr);
    else if (st == VDSO_NOT_FOUND)
        add(r, "vdso-sgx", V_NO, "vDSO lacks __vdso_sgx_enter_enclave",
            "the kernel exports it only when built with CONFIG_X86_SGX (Linux >= 5.11)");
    else
        add(r, "vdso-sgx", V_NO, "vDSO could not be read", "%s", vdso_status_str(st));
}

static void check_kernel(struct report *r)
{
    struct utsname u;
    char text[128];
    if (uname(&u) != 0) {
        add(r, "kernel", V_WARN, "kernel: unknown", "uname: %s", strerror(errno));
        return;
    }
    r->f.x86_64 = !strcmp(u.machine, "x86_64");
    snprintf(text, sizeof(text), "kernel %.40s %.60s", u.sysname, u.release);
    add(r, "kernel", V_OK, text, "uname: %.100s", u.version);
    snprintf(text, sizeof(text), "architecture %.60s", u.machine);
    add(r, "arch", r->f.x86_64 ? V_OK : V_NO, text, "uname machine%s",
        r->f.x86_64 ? "" : "; Geode runs on x86-64 only");
}

/* ---- syscall interception, tested in a child ---------------------------- */

static volatile char sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
static volatile sig_atomic_t trapped_nr = -1, trapped_code = -1;

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    (void)sig;
    /* Allow first: the handler's own rt_sigreturn must not be dispatched. */
    sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
    trapped_nr = si->si_syscall;
    trapped_code = si->si_code;
    uc->uc_mcontext.gregs[REG_RAX] = PROBE_MAGIC;
}

static int arm_sud(void)
{
    if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, 0, 0, &sud_selector) != 0)
        return errno;
    sud_selector = SYSCALL_DISPATCH_FILTER_BLOCK;
    return 0;
}

/* Traps getppid on x86-64; everything else (incl. rt_sigreturn) is allowed. */
static int arm_seccomp(void)
{
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return errno;
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
        return errno;
    return 0;
}

/* Child body: arm, make one syscall, check the handler saw it with the
 * expected si_code and that the call itself never ran. */
static int probe_child(int (*arm)(void), int want_code)
{
    struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
    if (sigaction(SIGSYS, &sa, NULL) != 0)
        return errno;
    int err = arm();
    if (err)
        return err;
    long ret = syscall(SYS_getppid);
    bool ok = ret == PROBE_MAGIC && trapped_nr == SYS_getppid && trapped_code == want_code;
    return ok ? 0 : PROBE_NOT_TRAPPED;
}

/* Runs probe_child in a fork; returns true on success, else fills why. */
static bool probe_in_child(int (*arm)(void), int want_code, char *why, size_t size)
{
    int status;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, size, "fork: %s", strerror(errno));
        return false;
    }
    if (pid == 0)
        _exit(probe_child(arm, want_code));
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            snprintf(why, size, "waitpid: %s", strerror(errno));
            return false;
        }
    if (WIFSIGNALED(status))
        snprintf(why, size, "test child killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else if (WEXITSTATUS(status) == PROBE_NOT_TRAPPED)
        snprintf(why, size, "armed, but the test syscall was not trapped as expected");
    else if (WEXITSTATUS(status) != 0)
        snprintf(why, size, "%s", strerror(WEXITSTATUS(status)));
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void check_sud(struct report *r)
{
    char why[160] = "";
    r->f.sud = probe_in_child(arm_sud, SYS_USER_DISPATCH, why, sizeof(why));
    if (r->f.sud)
        add(r, "sud", V_OK, "Syscall User Dispatch: works",
            "prctl(PR_SET_SYSCALL_USER_DISPATCH, ON) in a test child trapped getppid as SIGSYS");
    else
        add(r, "sud", V_NO, "Syscall User Dispatch: unavailable",
            "prctl(PR_SET_SYSCALL_USER_DISPATCH, ON) in a test child: %s (needs Linux >= 5.11)",
            why);
}

static void check_seccomp(struct report *r)
{
    char why[160] = "";
    r->f.seccomp = probe_in_child(arm_seccomp, SYS_SECCOMP, why, sizeof(why));
    if (r->f.seccomp)
        add(r, "seccomp", V_OK, "seccomp filters: work",
            "a SECCOMP_RET_TRAP filter in a test child trapped getppid as SIGSYS");
    else
        add(r, "seccomp", V_NO, "seccomp filters: unavailable",
            "seccomp(SECCOMP_SET_MODE_FILTER) in a test child: %s", why);
}

/* ---- other CPU/kernel features ------------------------------------------ */

/* FSGSBASE, PKU and RDTSC trapping: host_caps.h decides (and its test hook
 * GEODE_TEST_HIDE_CAPS applies here as everywhere). */
static void check_fsgsbase(struct report *r)
{
    r->f.fsgsbase = host_cap(HOST_CAP_FSGSBASE);
    r->f.fsgsbase_insn = host_cap(HOST_CAP_FSGSBASE_INSN);
    if (r->f.fsgsbase)
        add(r, "fsgsbase", V_OK, "FSGSBASE: enabled", "%s", host_cap_why(HOST_CAP_FSGSBASE));
    else if (r->f.fsgsbase_insn)
        add(r, "fsgsbase", V_WARN, "FSGSBASE: instructions run, bases not kept",
            "%s; %s; the sim moves bases with arch_prctl and syncs enclave writes (slower, docs/sim.md)",
            host_cap_why(HOST_CAP_FSGSBASE), host_cap_why(HOST_CAP_FSGSBASE_INSN));
    else
        add(r, "fsgsbase", V_NO, "FSGSBASE: not usable", "%s; %s", host_cap_why(HOST_CAP_FSGSBASE),
            host_cap_why(HOST_CAP_FSGSBASE_INSN));
}

static void check_pku(struct report *r)
{
    bool have = host_cap(HOST_CAP_PKU);

    add(r, "pku", have ? V_OK : V_WARN, have ? "protection keys: work" : "protection keys: unavailable",
        "%s%s", host_cap_why(HOST_CAP_PKU), have ? "" : " (the sim's isolation option needs them)");
}

static void check_tsc_trap(struct report *r)
{
    bool have = host_cap(HOST_CAP_TSC_TRAP);

    add(r, "tsc-trap", have ? V_OK : V_WARN, have ? "RDTSC trapping: works" : "RDTSC trapping: unavailable",
        "%s%s", host_cap_why(HOST_CAP_TSC_TRAP),
        have ? "" : " (the sim cannot model SGX1's RDTSC #UD; enclaves run RDTSC as on SGX2)");
}

static void check_hidden(struct report *r)
{
    char list[128] = "";
    const char *bad = host_caps_bad_hide();

    for (int c = 0; c < HOST_CAP_COUNT; c++)
        if (host_cap_hidden((enum host_cap)c))
            need(list, sizeof(list), false, host_cap_name((enum host_cap)c));
    if (list[0] || bad[0])
        add(r, "hidden", V_WARN, "capabilities hidden by GEODE_TEST_HIDE_CAPS (test hook)", "%s%s%s%s",
            list[0] ? "hidden: " : "", list, bad[0] ? "; unknown names: " : "", bad);
}

/* Opens a userfaultfd and completes the UFFDIO_API handshake. */
static int try_userfaultfd(void)
{
    int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
    if (fd < 0 && errno == EINVAL) /* kernels before 5.11 lack UFFD_USER_MODE_ONLY */
        fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -errno;
    struct uffdio_api api = {.api = UFFD_API};
    int rc = ioctl(fd, UFFDIO_API, &api) == 0 ? 0 : -errno;
    close(fd);
    return rc;
}

static void check_userfaultfd(struct report *r)
{
    int rc = try_userfaultfd();
    if (rc == 0)
        add(r, "userfaultfd", V_OK, "userfaultfd: works", "userfaultfd + UFFDIO_API succeeded");
    else
        add(r, "userfaultfd", V_WARN, "userfaultfd: unavailable", "%s%s", strerror(-rc),
            rc == -EPERM ? " (see vm.unprivileged_userfaultfd)" : "");
}

/* ---- modes -------------------------------------------------------------- */

struct mode {
    const char *name;
    bool ok;
    char why[192];
};

/* Appends item to a comma-separated "missing" list. */
static void need(char *buf, size_t size, bool have, const char *item)
{
    size_t len = strlen(buf);
    if (!have && len < size)
        snprintf(buf + len, size - len, "%s%s", len ? ", " : "", item);
}

static void decide_mode(struct mode *m, const char *name, const char *needs, char *missing)
{
    m->name = name;
    m->ok = missing[0] == '\0';
    snprintf(m->why, sizeof(m->why), m->ok ? "has %s" : "missing %s", m->ok ? needs : missing);
}

static void decide_modes(const struct facts *f, struct mode m[3])
{
    char miss[128] = "";
    need(miss, sizeof(miss), f->caps.sgx1, "SGX1");
    need(miss, sizeof(miss), f->caps.sgx_lc, "flexible launch control");
    need(miss, sizeof(miss), f->sgx_dev, "/dev/sgx_enclave");
    need(miss, sizeof(miss), f->sgx_vdso, "__vdso_sgx_enter_enclave");
    decide_mode(&m[0], "sgx", "SGX1, FLC, /dev/sgx_enclave, vDSO entry", miss);
    miss[0] = '\0';
    need(miss, sizeof(miss), f->x86_64, "x86-64");
    need(miss, sizeof(miss), f->sud, "Syscall User Dispatch");
    need(miss, sizeof(miss), f->fsgsbase_insn, "RDFSBASE/WRFSBASE in user mode");
    decide_mode(&m[1], "sim",
                f->fsgsbase ? "x86-64, Syscall User Dispatch, FSGSBASE"
                            : "x86-64, Syscall User Dispatch, FSGSBASE instructions (bases through arch_prctl: "
                              "slower)",
                miss);
    /* direct needs either interception mechanism, not both. */
    miss[0] = '\0';
    need(miss, sizeof(miss), f->sud || f->seccomp, "Syscall User Dispatch and seccomp");
    decide_mode(&m[2], "direct",
                f->sud ? "Syscall User Dispatch" : "seccomp (Syscall User Dispatch absent)", miss);
}

/* ---- output ------------------------------------------------------------- */

static const char *const TAGS[] = {[V_OK] = "[ ok ]", [V_NO] = "[ no ]", [V_WARN] = "[warn]"};
static const char *const WORDS[] = {[V_OK] = "ok", [V_NO] = "no", [V_WARN] = "warn"};

static void print_text(const struct report *r, const struct mode m[3])
{
    for (int i = 0; i < r->n; i++)
        printf("%s %s: %s\n", TAGS[r->checks[i].verdict], r->checks[i].text,
               r->checks[i].reason);
    for (int i = 0; i < 3; i++)
        printf("%s mode %s: %s\n", TAGS[m[i].ok ? V_OK : V_NO], m[i].name, m[i].why);
    printf("modes:");
    int any = 0;
    for (int i = 0; i < 3; i++)
        if (m[i].ok) {
            printf(" %s", m[i].name);
            any = 1;
        }
    printf("%s\n", any ? "" : " none");
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static void json_field(const char *key, const char *val, const char *sep)
{
    json_str(key);
    putchar(':');
    json_str(val);
    fputs(sep, stdout);
}

static void print_json_checks(const struct report *r)
{
    printf("{\"checks\":[");
    for (int i = 0; i < r->n; i++) {
        const struct check *c = &r->checks[i];
        printf("%s{", i ? "," : "");
        json_field("name", c->name, ",");
        json_field("status", WORDS[c->verdict], ",");
        json_field("text", c->text, ",");
        json_field("reason", c->reason, "}");
    }
    printf("],");
}

/* "caps": what host_cap() answers, the probe's own answer and the hook. */
static void print_json_caps(void)
{
    printf("\"caps\":{");
    for (int i = 0; i < HOST_CAP_COUNT; i++) {
        enum host_cap c = (enum host_cap)i;

        printf("%s\"%s\":{\"have\":%s,\"real\":%s,\"hidden\":%s}", i ? "," : "", host_cap_name(c),
               host_cap(c) ? "true" : "false", host_cap_real(c) ? "true" : "false",
               host_cap_hidden(c) ? "true" : "false");
    }
    printf("},");
}

static void print_json(const struct report *r, const struct mode m[3])
{
    print_json_checks(r);
    print_json_caps();
    printf("\"modes\":{");
    for (int i = 0; i < 3; i++) {
        printf("%s\"%s\":{\"available\":%s,", i ? "," : "", m[i].name, m[i].ok ? "true" : "false");
        json_field("reason", m[i].why, "}");
    }
    printf("},\"available\":[");
    for (int i = 0, k = 0; i < 3; i++)
        if (m[i].ok)
            printf("%s\"%s\"", k++ ? "," : "", m[i].name);
    printf("]}\n");
}

/* ---- command ------------------------------------------------------------ */

static void usage(FILE *out)
{
    fprintf(out, "usage: geode doctor [--json]\n\n"
                 "Checks this machine's CPU, kernel and devices, with the evidence for each\n"
                 "finding, and tells which run modes (sgx, sim, direct) will work.\n\n"
                 "  --json     machine-readable output\n"
                 "  -h, --help this text\n\n"
                 "Exit status: 0 when at least one mode works, 1 when none does, 2 on misuse.\n");
}

static void run_checks(struct report *r)
{
    sgx_cpu_caps_read(&r->f.caps);
    check_cpu(r);
    check_kernel(r);
    check_sgx_cpu(r);
    check_sgx_leaf12(r);
    check_flc(r);
    check_sgx_devices(r);
    check_vdso(r);
    check_sud(r);
    check_seccomp(r);
    check_fsgsbase(r);
    check_pku(r);
    check_tsc_trap(r);
    check_userfaultfd(r);
    check_hidden(r);
}

char doctor_auto_mode(char *why, size_t size)
{
    static struct report r;
    struct mode m[3];
    memset(&r, 0, sizeof(r));
    run_checks(&r);
    decide_modes(&r.f, m);
    snprintf(why, size, "sgx: %s; sim: %s", m[0].why, m[1].why);
    return m[0].ok ? 's' : m[1].ok ? 'm' : 0;
}

int cmd_doctor(int argc, char **argv)
{
    bool json = false;
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") != 0) {
            fprintf(stderr, "geode doctor: unknown option '%s' (try 'geode doctor --help')\n",
                    argv[i]);
            return 2;
        }
        json = true;
    }
    static struct report r; /* ~20 KiB: keep it off the stack */
    struct mode m[3];
    memset(&r, 0, sizeof(r));
    run_checks(&r);
    decide_modes(&r.f, m);
    if (json)
        print_json(&r, m);
    else
        print_text(&r, m);
    return m[0].ok || m[1].ok || m[2].ok ? 0 : 1;
}
