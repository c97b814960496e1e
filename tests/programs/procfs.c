/* statfs/fstatfs, /proc/<pid>/stat and status (own and a child's),
 * /proc/thread-self and /proc/sys, printed so that a native run (as
 * process 1 of a pid namespace) and a run under geode give the same
 * lines. Modes: "all" (default), "nochild" (no fork: enclaves),
 * "statfs PATH" (prints PATH's f_type), "wait SECONDS" (prints "ready",
 * sleeps that long whatever interrupts it, prints "slept": the host
 * SIGTERM tests). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void expect(int cond, const char *what)
{
    printf("%s %s\n", cond ? "pass" : "FAIL", what);
    if (!cond)
        failures++;
}

static long sys_statfs(const void *path, void *buf) { return syscall(SYS_statfs, path, buf); }
static long sys_fstatfs(int fd, void *buf) { return syscall(SYS_fstatfs, fd, buf); }

static int read_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -errno;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return -errno;
    buf[n] = 0;
    return (int)n;
}

static void show_err(const char *what, long r)
{
    printf("%s: %ld %s\n", what, r, r < 0 ? strerror(errno) : "ok");
}

static void statfs_checks(void)
{
    struct statfs a, b;
    printf("statfs / type %lx\n", sys_statfs("/", &a) == 0 ? (long)a.f_type : -1L);
    printf("statfs /tmp type %lx\n", sys_statfs("/tmp", &a) == 0 ? (long)a.f_type : -1L);
    printf("statfs /proc type %lx\n", sys_statfs("/proc", &a) == 0 ? (long)a.f_type : -1L);
    printf("statfs /proc/self/status type %lx\n",
           sys_statfs("/proc/self/status", &a) == 0 ? (long)a.f_type : -1L);
    printf("statfs /dev/null type %lx\n",
           sys_statfs("/dev/null", &a) == 0 ? (long)a.f_type : -1L);
    sys_statfs("/", &a);
    int fd = open("/", O_RDONLY | O_DIRECTORY);
    expect(sys_fstatfs(fd, &b) == 0 && a.f_type == b.f_type && a.f_bsize == b.f_bsize &&
               a.f_blocks == b.f_blocks,
           "fstatfs(/) equals statfs(/)");
    close(fd);
    expect(a.f_bsize > 0 && a.f_namelen > 0 && a.f_bfree <= a.f_blocks, "statfs / sane");
    int p[2];
    pipe(p);
    printf("fstatfs pipe type %lx\n", sys_fstatfs(p[0], &a) == 0 ? (long)a.f_type : -1L);
    close(p[0]), close(p[1]);
    fd = eventfd(0, 0);
    printf("fstatfs eventfd type %lx\n", sys_fstatfs(fd, &a) == 0 ? (long)a.f_type : -1L);
    close(fd);
    fd = (int)syscall(SYS_memfd_create, "procfs", 0);
    printf("fstatfs memfd type %lx\n", sys_fstatfs(fd, &a) == 0 ? (long)a.f_type : -1L);
    close(fd);
    fd = open("/dev/null", O_RDONLY);
    printf("fstatfs /dev/null type %lx\n", sys_fstatfs(fd, &a) == 0 ? (long)a.f_type : -1L);
    close(fd);
    fd = open("/proc/self/stat", O_RDONLY);
    printf("fstatfs /proc/self/stat type %lx\n",
           sys_fstatfs(fd, &a) == 0 ? (long)a.f_type : -1L);
    close(fd);
    show_err("statfs missing", sys_statfs("/no/such/path", &a));
    show_err("statfs through a file", sys_statfs("/proc/self/status/x", &a));
    show_err("statfs through a host file", sys_statfs("/etc/hostname/x", &a));
    show_err("statfs bad path", sys_statfs((void *)8, &a));
    show_err("statfs bad buf", sys_statfs("/", (void *)8));
    show_err("fstatfs -1", sys_fstatfs(-1, &a));
    show_err("fstatfs 900", sys_fstatfs(900, &a));
    show_err("fstatfs bad buf", sys_fstatfs(0, (void *)8));
}

/* The fields of a stat line: comm (without parens) in *comm, the others
 * (from field 3 on) in f[3..]; returns the field count. */
static int parse_stat(const char *line, char *comm, size_t csize, long long *f, int max)
{
    const char *open = strchr(line, '('), *close = strrchr(line, ')');
    if (!open || !close)
        return -1;
    f[1] = atoll(line);
    snprintf(comm, csize, "%.*s", (int)(close - open - 1), open + 1);
    int n = 2;
    for (const char *p = close + 1; *p && n < max;) {
        while (*p == ' ')
            p++;
        if (!*p || *p == '\n')
            break;
        n++;
        f[n] = *p >= 'A' && *p <= 'z' && !(*p >= '0' && *p <= '9') ? *p : atoll(p);
        while (*p && *p != ' ' && *p != '\n')
            p++;
    }
    return n;
}

static const char *status_value(const char *text, const char *key, char *out, size_t size)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "\n%s:", key);
    const char *p = strncmp(text, pat + 1, strlen(pat) - 1) == 0 ? text - 1 : strstr(text, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    while (*p == '\t' || *p == ' ')
        p++;
    size_t n = strcspn(p, "\n");
    snprintf(out, size, "%.*s", (int)n, p);
    return out;
}

static void on_usr1(int s) { (void)s; }

static void self_checks(const char *prog)
{
    char buf[4096], comm[64], v[256];
    long long f[64] = {0};
    const char *slash = strrchr(prog, '/');
    char name[16];
    snprintf(name, sizeof(name), "%s", slash ? slash + 1 : prog);

    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    umask(027);

    expect(read_file("/proc/self/stat", buf, sizeof(buf)) > 0, "/proc/self/stat readable");
    int n = parse_stat(buf, comm, sizeof(comm), f, 64);
    printf("stat fields %d\n", n);
    expect(f[1] == getpid(), "stat pid");
    expect(!strcmp(comm, name), "stat comm is the program's name");
    expect(f[3] == 'R', "stat state R");
    expect(f[4] == getppid(), "stat ppid");
    expect(f[5] == getpgrp(), "stat pgrp");
    expect(f[6] == getsid(0), "stat session");
    expect(f[20] == 1, "stat num_threads");
    expect(f[23] > 0 && f[24] >= 0 && f[24] * 4096 <= f[23], "stat vsize and rss");
    expect(f[22] > 0, "stat starttime");
    snprintf(buf, sizeof(buf), "/proc/%d/stat", getpid());
    expect(read_file(buf, buf, sizeof(buf)) > 0 && atoll(buf) == getpid(), "/proc/<pid>/stat");

    expect(read_file("/proc/self/status", buf, sizeof(buf)) > 0, "/proc/self/status readable");
    static const char *keys[] = {"Name", "Umask", "State", "Tgid", "Pid", "PPid", "TracerPid",
                                 "Uid", "Gid", "FDSize", "Groups", "VmSize", "VmRSS",
                                 "Threads", "SigQ", "SigPnd", "SigBlk", "SigIgn", "SigCgt",
                                 "Cpus_allowed_list"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        snprintf(comm, sizeof(comm), "status has %s", keys[i]);
        expect(status_value(buf, keys[i], v, sizeof(v)) != NULL, comm);
    }
    expect(status_value(buf, "Name", v, sizeof(v)) && !strcmp(v, name), "status Name");
    expect(status_value(buf, "Pid", v, sizeof(v)) && atoi(v) == getpid(), "status Pid");
    expect(status_value(buf, "PPid", v, sizeof(v)) && atoi(v) == getppid(), "status PPid");
    expect(status_value(buf, "Threads", v, sizeof(v)) && atoi(v) == 1, "status Threads");
    expect(status_value(buf, "Umask", v, sizeof(v)) && !strcmp(v, "0027"), "status Umask");
    expect(status_value(buf, "TracerPid", v, sizeof(v)) && !strcmp(v, "0"), "status TracerPid");
    unsigned long long m;
    m = status_value(buf, "SigBlk", v, sizeof(v)) ? strtoull(v, NULL, 16) : 0;
    expect(m & (1ULL << (SIGHUP - 1)), "status SigBlk has SIGHUP");
    m = status_value(buf, "SigIgn", v, sizeof(v)) ? strtoull(v, NULL, 16) : 0;
    expect(m & (1ULL << (SIGUSR2 - 1)), "status SigIgn has SIGUSR2");
    m = status_value(buf, "SigCgt", v, sizeof(v)) ? strtoull(v, NULL, 16) : 0;
    expect(m & (1ULL << (SIGUSR1 - 1)), "status SigCgt has SIGUSR1");
    snprintf(v, sizeof(v), "%s\n", name);
    expect(read_file("/proc/self/comm", buf, sizeof(buf)) > 0 && !strcmp(buf, v), "comm");
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    umask(022);

    char link[128], want[64];
    ssize_t l = readlink("/proc/thread-self", link, sizeof(link) - 1);
    link[l > 0 ? l : 0] = 0;
    snprintf(want, sizeof(want), "%d/task/%ld", getpid(), (long)syscall(SYS_gettid));
    expect(!strcmp(link, want), "thread-self link");
    l = readlink("/proc/self", link, sizeof(link) - 1);
    link[l > 0 ? l : 0] = 0;
    snprintf(want, sizeof(want), "%d", getpid());
    expect(!strcmp(link, want), "/proc/self is a link to the pid");
    struct stat ls;
    expect(lstat("/proc/self", &ls) == 0 && S_ISLNK(ls.st_mode) && stat("/proc/self", &ls) == 0 &&
               S_ISDIR(ls.st_mode),
           "/proc/self: lstat a link, stat a directory");
    expect(read_file("/proc/thread-self/stat", buf, sizeof(buf)) > 0 &&
               atoll(buf) == syscall(SYS_gettid),
           "thread-self/stat");
    /* environ: the initial environment, NUL-separated. */
    const char *path = getenv("PATH");
    int n_env = read_file("/proc/self/environ", buf, sizeof(buf));
    int found = 0;
    for (int off = 0; path && off < n_env; off += (int)strlen(buf + off) + 1)
        found |= !strncmp(buf + off, "PATH=", 5) && !strcmp(buf + off + 5, path);
    expect(!path || found, "environ holds PATH");
    errno = 0;
    printf("/proc/99999/stat: %d\n", read_file("/proc/99999/stat", buf, sizeof(buf)));
}

/* True when directory path lists name. */
static int lists(const char *path, const char *name)
{
    char d[16384];
    int fd = open(path, O_RDONLY | O_DIRECTORY), found = 0;
    long n;
    while (fd >= 0 && (n = syscall(SYS_getdents64, fd, d, sizeof(d))) > 0)
        for (long off = 0; off < n; off += *(unsigned short *)(d + off + 16))
            found |= !strcmp(d + off + 19, name);
    close(fd);
    return found;
}

static volatile int thread_tid, thread_stop;

static void *thread_main(void *arg)
{
    (void)arg;
    __atomic_store_n(&thread_tid, (int)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&thread_stop, __ATOMIC_SEQ_CST))
        usleep(1000);
    return NULL;
}

/* A second thread: the process's stat counts it, task/ lists it, and its
 * own /proc/<tid>/stat and task/<tid>/status name it. */
static void thread_checks(void)
{
    pthread_t th;
    char buf[4096], path[64], num[16], comm[64], v[64];
    long long f[64] = {0};
    if (pthread_create(&th, NULL, thread_main, NULL)) {
        expect(0, "pthread_create");
        return;
    }
    while (!__atomic_load_n(&thread_tid, __ATOMIC_SEQ_CST))
        usleep(1000);
    int tid = thread_tid;
    read_file("/proc/self/stat", buf, sizeof(buf));
    parse_stat(buf, comm, sizeof(comm), f, 64);
    expect(f[20] == 2, "stat num_threads with a second thread");
    snprintf(num, sizeof(num), "%d", tid);
    expect(lists("/proc/self/task", num), "task/ lists the second thread");
    snprintf(num, sizeof(num), "%d", getpid());
    expect(lists("/proc/self/task", num), "task/ lists the first thread");
    snprintf(path, sizeof(path), "/proc/%d/stat", tid);
    expect(read_file(path, buf, sizeof(buf)) > 0 && atoll(buf) == tid, "/proc/<tid>/stat");
    snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
    int r = read_file(path, buf, sizeof(buf));
    expect(r > 0 && status_value(buf, "Pid", v, sizeof(v)) && atoi(v) == tid &&
               status_value(buf, "Tgid", v, sizeof(v)) && atoi(v) == getpid(),
           "task/<tid>/status: Pid is the tid, Tgid the process");
    __atomic_store_n(&thread_stop, 1, __ATOMIC_SEQ_CST);
    pthread_join(th, NULL);
}

static char child_state(pid_t pid, long long *ppid, char *comm, size_t csize)
{
    char path[64], buf[1024];
    long long f[64] = {0};
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    if (read_file(path, buf, sizeof(buf)) <= 0)
        return 0;
    parse_stat(buf, comm, csize, f, 64);
    *ppid = f[4];
    return (char)f[3];
}

static void child_checks(void)
{
    int p[2];
    char comm[64] = "", state = 0, buf[2048], v[64];
    long long ppid = 0;
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        syscall(SYS_prctl, 15 /* PR_SET_NAME */, "kid", 0, 0, 0);
        read(p[0], buf, 1); /* sleeps until the parent closes */
        _exit(3);
    }
    close(p[0]);
    for (int i = 0; i < 500 && state != 'S'; i++) {
        usleep(10000);
        state = child_state(pid, &ppid, comm, sizeof(comm));
    }
    expect(state == 'S', "child stat state S while it sleeps");
    expect(ppid == getpid(), "child stat ppid");
    expect(!strcmp(comm, "kid"), "child stat comm (PR_SET_NAME)");
    char num[16];
    snprintf(num, sizeof(num), "%d", pid);
    expect(lists("/proc", num), "/proc lists the child");
    snprintf(num, sizeof(num), "%d", getpid());
    expect(lists("/proc", num) && lists("/proc", "self") && lists("/proc", "sys"),
           "/proc lists the process, self and sys");
    snprintf(buf, sizeof(buf), "/proc/%d/status", pid);
    int r = read_file(buf, buf, sizeof(buf));
    expect(r > 0 && status_value(buf, "PPid", v, sizeof(v)) && atoi(v) == getpid(),
           "child status PPid");
    expect(r > 0 && status_value(buf, "Pid", v, sizeof(v)) && atoi(v) == pid, "child status Pid");
    close(p[1]);
    for (int i = 0; i < 500 && state != 'Z'; i++) {
        usleep(10000);
        state = child_state(pid, &ppid, comm, sizeof(comm));
    }
    expect(state == 'Z', "child stat state Z before it is reaped");
    int st;
    waitpid(pid, &st, 0);
    snprintf(buf, sizeof(buf), "/proc/%d/stat", pid);
    printf("reaped child's stat: %d\n", read_file(buf, buf, sizeof(buf)));
}

static long read_num(const char *path)
{
    char buf[128];
    return read_file(path, buf, sizeof(buf)) > 0 ? atol(buf) : -1;
}

static int is_uuid(const char *s)
{
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
            return 0;
    }
    return s[36] == '\n';
}

static void sys_checks(void)
{
    char a[128], b[128];
    static const char *nums[] = {"kernel/pid_max", "kernel/ngroups_max", "kernel/cap_last_cap",
                                 "kernel/threads-max", "vm/max_map_count", "fs/file-max",
                                 "fs/nr_open", "fs/pipe-max-size", "net/core/somaxconn"};
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        snprintf(a, sizeof(a), "/proc/sys/%s", nums[i]);
        snprintf(b, sizeof(b), "%s is a positive number", a);
        expect(read_num(a) > 0, b);
    }
    long om = read_num("/proc/sys/vm/overcommit_memory");
    expect(om >= 0 && om <= 2, "overcommit_memory is 0, 1 or 2");
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    expect((rlim_t)read_num("/proc/sys/fs/nr_open") >= rl.rlim_max || rl.rlim_max == RLIM_INFINITY,
           "nr_open >= RLIMIT_NOFILE's maximum");
    expect(read_num("/proc/sys/kernel/pid_max") > getpid(), "pid_max > getpid()");
    expect(read_file("/proc/sys/kernel/ostype", a, sizeof(a)) > 0 && !strcmp(a, "Linux\n"),
           "ostype");
    struct utsname_s { char s[6][65]; } u;
    syscall(SYS_uname, &u);
    read_file("/proc/sys/kernel/osrelease", a, sizeof(a));
    snprintf(b, sizeof(b), "%s\n", u.s[2]);
    expect(!strcmp(a, b), "osrelease equals uname's release");
    read_file("/proc/sys/kernel/version", a, sizeof(a));
    snprintf(b, sizeof(b), "%s\n", u.s[3]);
    expect(!strcmp(a, b), "kernel/version equals uname's version");
    read_file("/proc/sys/kernel/hostname", a, sizeof(a));
    snprintf(b, sizeof(b), "%s\n", u.s[1]);
    expect(!strcmp(a, b), "hostname equals uname's nodename");
    read_file("/proc/sys/kernel/random/boot_id", a, sizeof(a));
    read_file("/proc/sys/kernel/random/boot_id", b, sizeof(b));
    expect(is_uuid(a) && !strcmp(a, b), "boot_id is one uuid");
    read_file("/proc/sys/kernel/random/uuid", a, sizeof(a));
    read_file("/proc/sys/kernel/random/uuid", b, sizeof(b));
    expect(is_uuid(a) && is_uuid(b) && strcmp(a, b), "uuid is fresh per read");
    expect(lists("/proc/sys/kernel", "pid_max") && lists("/proc/sys/kernel/random", "uuid") &&
               lists("/proc/sys", "vm") && lists("/proc/sys/net/core", "somaxconn"),
           "/proc/sys directories list their files");
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "all";
    if (!strcmp(mode, "statfs") && argc > 2) {
        struct statfs s;
        long r = sys_statfs(argv[2], &s);
        printf("%s type %lx\n", argv[2], r == 0 ? (long)s.f_type : -1L);
        return r != 0;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    if (!strcmp(mode, "wait") && argc > 2) {
        struct timespec end, now;
        clock_gettime(CLOCK_MONOTONIC, &end);
        end.tv_sec += atoi(argv[2]);
        printf("ready\n");
        do {
            usleep(50000);
            clock_gettime(CLOCK_MONOTONIC, &now);
        } while (now.tv_sec < end.tv_sec ||
                 (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
        printf("slept\n");
        return 0;
    }
    statfs_checks();
    self_checks(argv[0]);
    thread_checks();
    if (strcmp(mode, "nochild"))
        child_checks();
    sys_checks();
    printf("failures=%d\n", failures);
    return failures != 0;
}
