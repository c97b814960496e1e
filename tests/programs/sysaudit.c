/* Syscalls added by the syscall-table audit (docs/syscalls.md), written
 * from their man pages and printed for comparison with a native run
 * (tests/direct/t_creds.sh).
 *   sysaudit DIR      calls whose answers Linux and Geode share
 *   sysaudit -geode   Geode's documented refusals (xattrs of its own files, file handles,
 *                     membarrier commands), checked by the test itself */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include "errnames.h"

static char dir[512];

static char *at(const char *name)
{
    static char p[2][600];
    static int i;
    i ^= 1;
    snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
    return p[i];
}

static void vectors(void)
{
    int fd = open(at("v"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    char a[4] = "abcd", b[3] = "xyz", r1[3] = {0}, r2[5] = {0};
    struct iovec w[2] = {{a, 4}, {b, 3}};
    res("pwritev at 2", pwritev(fd, w, 2, 2));
    res("position after pwritev", lseek(fd, 0, SEEK_CUR));
    struct iovec r[2] = {{r1, 2}, {r2, 4}};
    res("preadv at 3", preadv(fd, r, 2, 3));
    printf("read %.2s|%.4s\n", r1, r2);
    res("preadv negative offset", preadv(fd, r, 2, -5));
    res("pwritev2 at -1 (position)", syscall(SYS_pwritev2, fd, w, 1, -1L, 0L, 0));
    res("position after pwritev2 -1", lseek(fd, 0, SEEK_CUR));
    res("preadv2 unknown flag", syscall(SYS_preadv2, fd, r, 1, 0L, 0L, 1 << 30));
    int p[2];
    pipe(p);
    res("pwritev on a pipe", pwritev(p[1], w, 1, 0));
    close(p[0]), close(p[1]);
    res("readahead", readahead(fd, 0, 4096));
    res("sync_file_range WRITE", sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE));
    res("sync_file_range bad flags", sync_file_range(fd, 0, 0, 8));
    close(fd);
}

static void times_(void)
{
    struct stat st;
    struct utimbuf ub = {1000, 2000};
    res("utime", utime(at("v"), &ub));
    stat(at("v"), &st);
    printf("atime %ld mtime %ld\n", (long)st.st_atime, (long)st.st_mtime);
    struct timeval tv[2] = {{3000, 5}, {4000, 7}};
    res("utimes", utimes(at("v"), tv));
    stat(at("v"), &st);
    printf("atime %ld.%09ld mtime %ld.%09ld\n", (long)st.st_atime, st.st_atim.tv_nsec,
           (long)st.st_mtime, st.st_mtim.tv_nsec);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    tv[1].tv_usec = 1000000;
    res("futimesat bad usec", futimesat(dfd, "v", tv));
    tv[1].tv_usec = 0;
    res("futimesat", futimesat(dfd, "v", tv));
    res("utime of a missing file", utime(at("none"), NULL));
    close(dfd);
}

static void sched(void)
{
    res("getpriority", syscall(SYS_getpriority, PRIO_PROCESS, 0));
    res("setpriority 5", setpriority(PRIO_PROCESS, 0, 5));
    res("getpriority after", syscall(SYS_getpriority, PRIO_PROCESS, 0));
    res("getpriority bad which", getpriority(7, 0));
    res("max FIFO", sched_get_priority_max(SCHED_FIFO));
    res("min RR", sched_get_priority_min(SCHED_RR));
    res("max OTHER", sched_get_priority_max(SCHED_OTHER));
    res("max bad", sched_get_priority_max(42));
    res("getscheduler", sched_getscheduler(0));
    struct sched_param sp = {0};
    res("getparam", sched_getparam(0, &sp));
    printf("priority %d\n", sp.sched_priority);
    res("setscheduler BATCH", sched_setscheduler(0, SCHED_BATCH, &sp));
    res("getscheduler after", sched_getscheduler(0));
    sp.sched_priority = 5;
    res("setscheduler OTHER prio 5", sched_setscheduler(0, SCHED_OTHER, &sp));
    sp.sched_priority = 0;
    res("setscheduler OTHER", sched_setscheduler(0, SCHED_OTHER, &sp));
    res("getscheduler negative pid", sched_getscheduler(-1));
}

static void settings(void)
{
    int v = -1;
    res("PR_SET_PDEATHSIG", prctl(PR_SET_PDEATHSIG, 10));
    res("PR_GET_PDEATHSIG", prctl(PR_GET_PDEATHSIG, &v));
    printf("pdeathsig %d\n", v);
    res("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE));
    res("PR_SET_DUMPABLE 0", prctl(PR_SET_DUMPABLE, 0));
    res("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE));
    res("PR_SET_DUMPABLE 5", prctl(PR_SET_DUMPABLE, 5));
    res("PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    res("PR_SET_NO_NEW_PRIVS", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    res("PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    res("PR_CAPBSET_READ CAP_CHOWN", prctl(PR_CAPBSET_READ, 0));
    res("PR_CAPBSET_READ 99", prctl(PR_CAPBSET_READ, 99));
    res("PR_SET_TIMERSLACK", prctl(PR_SET_TIMERSLACK, 1000));
    res("PR_GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK));
    res("personality query", personality(0xffffffff));
    volatile unsigned long x = 0;
    for (unsigned long i = 0; i < 200000000UL; i++)
        x += i;
    struct rusage ru;
    res("getrusage SELF", getrusage(RUSAGE_SELF, &ru));
    printf("some user time %d\n", ru.ru_utime.tv_sec > 0 || ru.ru_utime.tv_usec > 1000);
    res("getrusage bad who", getrusage(5, &ru));
}

static void mmsg(void)
{
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    char a[] = "one", b[] = "three";
    struct mmsghdr m[2] = {{.msg_hdr = {.msg_iov = &(struct iovec){a, 3}, .msg_iovlen = 1}},
                           {.msg_hdr = {.msg_iov = &(struct iovec){b, 5}, .msg_iovlen = 1}}};
    res("sendmmsg", sendmmsg(sv[0], m, 2, 0));
    printf("lens %u %u\n", m[0].msg_len, m[1].msg_len);
    char r1[8] = {0}, r2[8] = {0};
    struct mmsghdr r[3] = {{.msg_hdr = {.msg_iov = &(struct iovec){r1, 8}, .msg_iovlen = 1}},
                           {.msg_hdr = {.msg_iov = &(struct iovec){r2, 8}, .msg_iovlen = 1}},
                           {.msg_hdr = {.msg_iov = &(struct iovec){r2, 8}, .msg_iovlen = 1}}};
    res("recvmmsg WAITFORONE", recvmmsg(sv[1], r, 3, MSG_WAITFORONE, NULL));
    printf("got %s %s lens %u %u\n", r1, r2, r[0].msg_len, r[1].msg_len);
    close(sv[0]), close(sv[1]);
}

struct open_how_ {
    unsigned long long flags, mode, resolve;
};

static void open2(void)
{
    struct open_how_ how = {O_RDONLY, 0, 0};
    long fd = syscall(SYS_openat2, AT_FDCWD, at("v"), &how, sizeof(how));
    res("openat2 plain", fd < 0 ? fd : 0);
    close((int)fd);
    how.mode = 0644;
    res("openat2 mode without O_CREAT", syscall(SYS_openat2, AT_FDCWD, at("v"), &how, sizeof(how)));
    how.mode = 0;
    res("openat2 short size", syscall(SYS_openat2, AT_FDCWD, at("v"), &how, 8));
    how.resolve = 1ULL << 40;
    res("openat2 unknown resolve", syscall(SYS_openat2, AT_FDCWD, at("v"), &how, sizeof(how)));
}

/* Geode only: what docs/syscalls.md says it refuses. */
static void geode_refusals(void)
{
    char v[8];
    /* host files' xattrs are the host's (tests/conformance/fs_xattr.c);
     * the libOS's own files have none */
    res("getxattr /proc/self/status", getxattr("/proc/self/status", "user.x", v, sizeof(v)));
    res("getxattr missing", getxattr("/nonexistent-geode", "user.x", v, sizeof(v)));
    res("fsetxattr bad fd", fsetxattr(-1, "user.x", "1", 1, 0));
    res("listxattr /dev/null", listxattr("/dev/null", v, sizeof(v)));
    res("membarrier QUERY", syscall(SYS_membarrier, 0, 0));
    res("membarrier GLOBAL", syscall(SYS_membarrier, 1, 0));
    struct {
        unsigned bytes;
        int type;
        unsigned char h[128];
    } fh = {128, 0, {0}};
    int mount_id;
    res("name_to_handle_at", syscall(SYS_name_to_handle_at, AT_FDCWD, "/", &fh, &mount_id, 0));
    res("syslog READ_ALL", syscall(SYS_syslog, 3, v, sizeof(v)));
    res("syslog SIZE_BUFFER", syscall(SYS_syslog, 10, NULL, 0));
    struct sched_param sp = {10};
    res("setscheduler FIFO", sched_setscheduler(0, SCHED_FIFO, &sp));
}

/* execveat: fexecve (AT_EMPTY_PATH) and a path; the child prints. */
static void exec_at(const char *self)
{
    int fd = open(self, O_RDONLY | O_CLOEXEC);
    char *a1[] = {"viafd", "-done", NULL}, *a2[] = {"viaat", "-done", NULL}, *env[] = {NULL};
    for (int i = 0; i < 2; i++) {
        fflush(stdout);
        pid_t c = fork();
        if (c == 0) {
            if (i == 0)
                fexecve(fd, a1, env);
            else
                syscall(SYS_execveat, AT_FDCWD, self, a2, env, 0);
            printf("exec %d failed: %s\n", i, ename(errno));
            _exit(1);
        }
        int st;
        waitpid(c, &st, 0);
    }
    res("execveat empty path without AT_EMPTY_PATH", syscall(SYS_execveat, fd, "", a1, env, 0));
    res("execveat bad flags", syscall(SYS_execveat, AT_FDCWD, self, a1, env, 0x4));
    close(fd);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && !strcmp(argv[1], "-done")) {
        printf("execveat ran %s\n", argv[0]);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "-geode")) {
        geode_refusals();
        return 0;
    }
    if (argc < 2)
        return 2;
    snprintf(dir, sizeof(dir), "%s", argv[1]);
    vectors();
    times_();
    sched();
    settings();
    mmsg();
    open2();
    exec_at("/proc/self/exe");
    return 0;
}
