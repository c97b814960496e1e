// modes: direct sim
/* The /proc files programs read at start (proc(5), proc_pid_mounts(5),
 * proc_pid_mountinfo(5), filesystems(5), getauxval(3), statvfs(3)):
 * uptime, loadavg, version, filesystems, mounts and mountinfo, the
 * process's limits, statm, fdinfo, auxv, root, oom_score_adj and cgroup,
 * cpuinfo against the CPUID the program sees, and the listings of /proc
 * and /proc/self. Only relations are printed (field counts, agreement
 * with getrlimit, getauxval, statvfs, lseek), never a value that
 * differs between machines. */
#include "conf.h"
#include <cpuid.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>

#define YN(c) ((c) ? "yes" : "no")

/* The whole file (NUL-terminated) in a static buffer; NULL if unreadable. */
static char *slurp(const char *path, size_t *len)
{
    static char buf[1 << 17];
    int fd = open(path, O_RDONLY);
    size_t n = 0;
    ssize_t r = 1;
    if (fd < 0)
        return NULL;
    while (n < sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
        n += (size_t)r;
    close(fd);
    buf[n] = 0;
    if (len)
        *len = n;
    return r < 0 ? NULL : buf;
}

static int fields(const char *s)
{
    int n = 0;
    for (const char *p = s; *p;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        n++;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n')
            p++;
    }
    return n;
}

/* "N.NN" exactly: digits, a point, two digits. */
static int centi(const char *s, const char **end)
{
    const char *p = s;
    while (*p >= '0' && *p <= '9')
        p++;
    int ok = p > s && p[0] == '.' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9';
    *end = p + 3;
    return ok;
}

static int listed(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    if (!d)
        return 0;
    while (!found && (e = readdir(d)))
        found = !strcmp(e->d_name, name);
    closedir(d);
    return found;
}

static void uptime_loadavg_version(void)
{
    const char *s = slurp("/proc/uptime", NULL), *e;
    say("uptime has 2 fields: %s\n", YN(s && fields(s) == 2));
    say("uptime fields have 2 decimals: %s\n",
        YN(s && centi(s, &e) && *e == ' ' && centi(e + 1, &e) && *e == '\n'));
    s = slurp("/proc/loadavg", NULL);
    int run = 0, all = 0, last = 0;
    double a[3];
    say("loadavg has 5 fields: %s\n", YN(s && fields(s) == 5));
    say("loadavg parses: %s\n",
        YN(s && sscanf(s, "%lf %lf %lf %d/%d %d", &a[0], &a[1], &a[2], &run, &all, &last) == 6));
    say("loadavg runnable in 1..all, last pid >= getpid: %s\n",
        YN(run >= 1 && run <= all && last >= getpid()));
    struct utsname u;
    uname(&u);
    char want[512];
    snprintf(want, sizeof(want), "Linux version %s ", u.release);
    s = slurp("/proc/version", NULL);
    say("version starts with Linux version and uname's release: %s\n",
        YN(s && !strncmp(s, want, strlen(want))));
    say("version holds uname's version: %s\n", YN(s && strstr(s, u.version)));
    s = slurp("/proc/filesystems", NULL);
    say("filesystems lists nodev proc and tmpfs: %s\n",
        YN(s && strstr(s, "nodev\tproc\n") && strstr(s, "nodev\ttmpfs\n")));
}

/* The mountinfo line of the mount holding path (the longest mount point
 * that is a prefix of it, the last such line when one is mounted over
 * another): its id, or -1. */
static int mount_of(const char *info, const char *path, char *type, size_t tsize)
{
    int best_id = -1;
    size_t best = 0;
    char line[4096], point[4096], fstype[256];
    for (const char *p = info; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        int id;
        snprintf(line, sizeof(line), "%.*s", (int)n, p);
        p = nl ? nl + 1 : NULL;
        const char *dash = strstr(line, " - ");
        if (!dash || sscanf(line, "%d %*d %*s %*s %4095s", &id, point) != 2 ||
            sscanf(dash + 3, "%255s", fstype) != 1)
            continue;
        size_t l = strlen(point);
        int under = l == 1 || (!strncmp(point, path, l) && (path[l] == '/' || !path[l]));
        if (under && l >= best) {
            best = l, best_id = id;
            snprintf(type, tsize, "%s", fstype);
        }
    }
    return best_id;
}

static void mounts(const char *dir)
{
    char target[64], buf[8192], type[256] = "";
    ssize_t n = readlink("/proc/mounts", target, sizeof(target) - 1);
    target[n > 0 ? n : 0] = 0;
    say("/proc/mounts is a link to self/mounts: %s\n", YN(!strcmp(target, "self/mounts")));
    char *s = slurp("/proc/mounts", NULL);
    int root = 0, proc = 0, lines = 0, six = 1;
    for (char *l = s ? strtok(s, "\n") : NULL; l; l = strtok(NULL, "\n")) {
        char src[1024], pt[1024], ty[256], opts[1024];
        int a, b;
        lines++;
        six &= sscanf(l, "%1023s %1023s %255s %1023s %d %d", src, pt, ty, opts, &a, &b) == 6;
        root |= !strcmp(pt, "/");
        proc |= !strcmp(pt, "/proc") && !strcmp(ty, "proc");
        if (!strcmp(pt, "/"))
            snprintf(buf, sizeof(buf), "%s", opts);
    }
    say("mounts has lines of 6 fields: %s\n", YN(lines > 0 && six));
    say("mounts has a line for /: %s\n", YN(root));
    say("mounts has /proc of type proc: %s\n", YN(proc));
    struct statvfs sv;
    int sr = statvfs("/", &sv);
    say("statvfs / works: %s\n", YN(sr == 0));
    say("/ is ro in mounts as statvfs says: %s\n",
        YN(sr == 0 && !strncmp(buf, "ro", 2) == !!(sv.f_flag & ST_RDONLY)));
    s = slurp("/proc/self/mounts", NULL);
    say("self/mounts has /proc: %s\n", YN(s && strstr(s, " /proc proc ")));
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/mounts", getpid());
    say("<pid>/mounts opens: %s\n", YN(slurp(path, NULL)));

    static char info[1 << 17];
    s = slurp("/proc/self/mountinfo", NULL);
    snprintf(info, sizeof(info), "%s", s ? s : "");
    int ok = 1, ids = 0;
    lines = 0;
    for (char *p = info; *p;) {
        char *nl = strchr(p, '\n');
        int id, parent;
        unsigned ma, mi;
        char r[1024], pt[1024];
        lines++;
        ok &= sscanf(p, "%d %d %u:%u %1023s %1023s", &id, &parent, &ma, &mi, r, pt) == 6;
        ok &= strstr(p, " - ") != NULL && (!nl || strstr(p, " - ") < nl);
        ids += id > 0;
        if (!nl)
            break;
        p = nl + 1;
    }
    say("mountinfo lines: id parent major:minor root point ... - type source: %s\n",
        YN(lines > 0 && ok && ids == lines));
    say("mountinfo has /: %s\n", YN(mount_of(info, "/", type, sizeof(type)) > 0));
    mount_of(info, "/proc", type, sizeof(type));
    say("mountinfo says /proc is proc: %s\n", YN(!strcmp(type, "proc")));

    /* fdinfo of a file in the scratch directory. */
    if (chdir(dir))
        return;
    int fd = open("f", O_RDWR | O_CREAT | O_APPEND, 0600);
    if (fd < 0 || write(fd, "0123456789", 10) != 10 || lseek(fd, 5, SEEK_SET) != 5)
        return;
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
    s = slurp(path, NULL);
    long pos = -1;
    unsigned flags = 0;
    int mnt = -1;
    if (s) {
        char *p = strstr(s, "pos:");
        pos = p ? strtol(p + 4, NULL, 10) : -1;
        p = strstr(s, "flags:");
        flags = p ? (unsigned)strtoul(p + 6, NULL, 8) : 0;
        p = strstr(s, "mnt_id:");
        mnt = p ? atoi(p + 7) : -1;
    }
    say("fdinfo pos after lseek 5: %ld\n", pos);
    say("fdinfo flags of O_RDWR|O_APPEND file has 02002: %s\n", YN((flags & 02002) == 02002));
    say("fdinfo flags has O_CLOEXEC: %s\n", YN(flags & O_CLOEXEC));
    char cwd[PATH_MAX];
    say("fdinfo mnt_id is the mount of the directory in mountinfo: %s\n",
        YN(getcwd(cwd, sizeof(cwd)) && mnt == mount_of(info, cwd, type, sizeof(type))));
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    s = slurp(path, NULL);
    char *p = s ? strstr(s, "flags:") : NULL;
    flags = p ? (unsigned)strtoul(p + 6, NULL, 8) : 0;
    say("after FD_CLOEXEC fdinfo flags has 02000000: %s\n", YN(flags & O_CLOEXEC));
    char name[16];
    snprintf(name, sizeof(name), "%d", fd);
    say("fdinfo lists the descriptor: %s\n", YN(listed("/proc/self/fdinfo", name)));
    close(fd);
    say("fdinfo of a closed descriptor: %s\n",
        !slurp(path, NULL) && errno == ENOENT ? "ENOENT" : "other");
    int pfd[2];
    if (pipe(pfd) == 0) {
        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pfd[0]);
        s = slurp(path, NULL);
        say("pipe read end fdinfo: %s\n",
            s && strstr(s, "pos:\t0\nflags:\t00\n") ? "pos 0 flags 00" : "other");
        close(pfd[0]), close(pfd[1]);
    }
}

/* AT_HWCAP as the kernel gave it (glibc's getauxval answers its own bits). */
static unsigned long auxv_hwcap;

static const int res[] = {RLIMIT_CPU,      RLIMIT_FSIZE, RLIMIT_DATA,   RLIMIT_STACK,
                          RLIMIT_CORE,     RLIMIT_RSS,   RLIMIT_NPROC,  RLIMIT_NOFILE,
                          RLIMIT_MEMLOCK,  RLIMIT_AS,    RLIMIT_LOCKS,  RLIMIT_SIGPENDING,
                          RLIMIT_MSGQUEUE, RLIMIT_NICE,  RLIMIT_RTPRIO, RLIMIT_RTTIME};

static int limit_matches(const char *cell, rlim_t v)
{
    if (v == RLIM_INFINITY)
        return !strcmp(cell, "unlimited");
    return strtoull(cell, NULL, 10) == v && cell[0] >= '0' && cell[0] <= '9';
}

static void limits(void)
{
    struct rlimit nf;
    getrlimit(RLIMIT_NOFILE, &nf);
    struct rlimit lowered = {nf.rlim_cur > 100 ? 100 : nf.rlim_cur, nf.rlim_max};
    setrlimit(RLIMIT_NOFILE, &lowered);
    char *s = slurp("/proc/self/limits", NULL), head[128];
    snprintf(head, sizeof(head), "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit",
             "Units");
    int rows = 0, match = 1, header = s && !strncmp(s, head, strlen(head));
    char *line = s ? strchr(s, '\n') : NULL;
    while (line && line[1]) {
        char *l = line + 1, soft[32], hard[32];
        line = strchr(l, '\n');
        if (rows < 16 && line - l > 67) {
            struct rlimit r;
            getrlimit(res[rows], &r);
            sscanf(l + 26, "%31s", soft);
            sscanf(l + 47, "%31s", hard);
            match &= limit_matches(soft, r.rlim_cur) && limit_matches(hard, r.rlim_max);
        } else {
            match = 0;
        }
        rows++;
    }
    say("limits has the header: %s\n", YN(header));
    say("limits has 16 rows and each matches getrlimit: %s\n", YN(rows == 16 && match));
    say("limits has Max open files: %s\n", YN(s && strstr(s, "\nMax open files            ")));
    setrlimit(RLIMIT_NOFILE, &nf);
}

static void self_files(void)
{
    char *s = slurp("/proc/self/statm", NULL);
    unsigned long v[7] = {0};
    int n = s ? sscanf(s, "%lu %lu %lu %lu %lu %lu %lu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                       &v[6])
              : 0;
    say("statm has 7 numbers, size > 0, resident <= size: %s\n",
        YN(n == 7 && fields(s) == 7 && v[0] > 0 && v[1] <= v[0]));

    size_t len = 0;
    unsigned long *a = (unsigned long *)slurp("/proc/self/auxv", &len);
    int pagesz = 0, phdr = 0, entry = 0, end = 0;
    for (size_t i = 0; a && i + 1 < len / 8; i += 2) {
        if (a[i] == AT_PAGESZ)
            pagesz = a[i + 1] == getauxval(AT_PAGESZ);
        if (a[i] == AT_PHDR)
            phdr = a[i + 1] == getauxval(AT_PHDR);
        if (a[i] == AT_ENTRY)
            entry = a[i + 1] == getauxval(AT_ENTRY);
        if (a[i] == AT_HWCAP)
            auxv_hwcap = a[i + 1];
        if (a[i] == AT_NULL)
            end = i + 2 == len / 8;
    }
    say("auxv: pairs of 16 bytes ending with AT_NULL: %s\n", YN(len && len % 16 == 0 && end));
    say("auxv: AT_PAGESZ, AT_PHDR, AT_ENTRY as getauxval: %s\n", YN(pagesz && phdr && entry));

    char t[PATH_MAX];
    ssize_t r = readlink("/proc/self/root", t, sizeof(t) - 1);
    t[r > 0 ? r : 0] = 0;
    say("root is a link to /: %s\n", YN(!strcmp(t, "/")));

    s = slurp("/proc/self/oom_score_adj", NULL);
    say("oom_score_adj reads: %s", s ? s : "(unreadable)\n");
    int fd = open("/proc/self/oom_score_adj", O_WRONLY);
    chk("open oom_score_adj for writing", fd);
    errno = 0;
    say("write 1001: %s\n", write(fd, "1001", 4) < 0 ? ename(errno) : "ok");
    say("write 100: %s\n", write(fd, "100\n", 4) == 4 ? "ok" : ename(errno));
    s = slurp("/proc/self/oom_score_adj", NULL);
    say("then reads: %s", s ? s : "(unreadable)\n");
    say("write 0: %s\n", write(fd, "0", 1) == 1 ? "ok" : ename(errno));
    close(fd);

    s = slurp("/proc/self/cgroup", NULL);
    int form = s && *s;
    for (char *l = s; form && l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        form = c1 && c2 && c1 > l && l[0] >= '0' && l[0] <= '9' && c2[1] == '/';
    }
    say("cgroup lines are id:controllers:/path: %s\n", YN(form));
}

static void cpuinfo(void)
{
    unsigned a, b, c, d;
    char vendor[13] = {0}, want[80];
    __cpuid(0, a, b, c, d);
    memcpy(vendor, &b, 4), memcpy(vendor + 4, &d, 4), memcpy(vendor + 8, &c, 4);
    char *s = slurp("/proc/cpuinfo", NULL);
    snprintf(want, sizeof(want), "\nvendor_id\t: %s\n", vendor);
    say("cpuinfo vendor_id is CPUID's: %s\n", YN(s && strstr(s, want)));
    /* Linux's model name is CPUID's brand as the kernel read it at boot; a
     * hypervisor may answer user mode's CPUID differently (seen on a PVM
     * guest), so only its presence is compared here (the libOS's unit test
     * checks that it is CPUID's brand). */
    char *mn = s ? strstr(s, "\nmodel name\t: ") : NULL;
    say("cpuinfo has a model name: %s\n", YN(mn && mn[14] && mn[14] != '\n'));
    unsigned long hw = auxv_hwcap;
    char *fl = s ? strstr(s, "\nflags\t\t: ") : NULL;
    char *nl = fl ? strchr(fl + 1, '\n') : NULL;
    if (nl)
        *nl = 0;
    int agree = fl != NULL;
    static const struct {
        int bit;
        const char *name;
    } bits[] = {{4, " tsc "},  {15, " cmov "}, {23, " mmx "},
                {25, " sse "}, {26, " sse2 "}, {28, " ht "}};
    for (size_t i = 0; agree && i < sizeof(bits) / sizeof(bits[0]); i++)
        agree = !!(hw & (1UL << bits[i].bit)) == !!strstr(fl, bits[i].name);
    say("cpuinfo flags agree with AT_HWCAP: %s\n", YN(agree && hw));
}

int main(int argc, char **argv)
{
    static const char *const root_files[] = {"uptime",      "loadavg", "version",
                                             "filesystems", "mounts",  "cpuinfo"};
    static const char *const self_files_[] = {"mounts", "mountinfo",     "limits",
                                              "statm",  "fdinfo",        "auxv",
                                              "root",   "oom_score_adj", "cgroup"};
    if (argc < 2)
        return 2;
    for (size_t i = 0; i < sizeof(root_files) / sizeof(root_files[0]); i++)
        say("/proc lists %s: %s\n", root_files[i], YN(listed("/proc", root_files[i])));
    for (size_t i = 0; i < sizeof(self_files_) / sizeof(self_files_[0]); i++)
        say("/proc/self lists %s: %s\n", self_files_[i], YN(listed("/proc/self", self_files_[i])));
    chk("access /proc/self/mountinfo R_OK", access("/proc/self/mountinfo", R_OK));
    chk("access /proc/uptime R_OK", access("/proc/uptime", R_OK));
    chk("access /proc/nonexistent F_OK", access("/proc/nonexistent", F_OK));
    uptime_loadavg_version();
    mounts(argv[1]);
    limits();
    self_files();
    cpuinfo();
    return 0;
}
