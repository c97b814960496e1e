/* Syscalls of issue #4's list that were missing: link, linkat, symlinkat,
 * utimensat (path, AT_SYMLINK_NOFOLLOW, futimens), setuid/setgid to the
 * current ids, rt_sigtimedwait (a pending blocked signal, and a timeout).
 * argv[1]: a scratch directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fails;

static void check(int cond, const char *what)
{
    fails += !cond;
    printf("%s %s\n", cond ? "pass" : "FAIL", what);
}

static void links(const char *d)
{
    char a[512], b[512], c[512], s[512];
    snprintf(a, sizeof(a), "%s/a", d), snprintf(b, sizeof(b), "%s/b", d);
    snprintf(c, sizeof(c), "%s/c", d), snprintf(s, sizeof(s), "%s/s", d);
    int fd = open(a, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, "data", 4), close(fd);
    unlink(b), unlink(c), unlink(s);
    struct stat sa, sb;
    check(link(a, b) == 0 && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_ino == sb.st_ino &&
              sa.st_nlink == 2, "link: same inode, nlink 2");
    check(link(a, b) == -1 && errno == EEXIST, "link onto an existing name: EEXIST");
    int dfd = open(d, O_RDONLY | O_DIRECTORY);
    char target[16];
    check(symlinkat("a", dfd, "s") == 0 && readlink(s, target, sizeof(target)) == 1,
          "symlinkat relative to a dirfd");
    check(linkat(dfd, "s", dfd, "c", 0) == 0 && lstat(c, &sb) == 0 && S_ISLNK(sb.st_mode),
          "linkat without AT_SYMLINK_FOLLOW links the symlink itself");
    unlink(c);
    check(linkat(dfd, "s", dfd, "c", AT_SYMLINK_FOLLOW) == 0 && lstat(c, &sb) == 0 &&
              S_ISREG(sb.st_mode), "linkat with AT_SYMLINK_FOLLOW links the target");
    close(dfd);
}

static void times_(const char *d)
{
    char a[512], s[512];
    snprintf(a, sizeof(a), "%s/a", d), snprintf(s, sizeof(s), "%s/s", d);
    struct timespec ts[2] = {{1000000000, 5}, {1200000000, 7}};
    struct stat st, sl;
    check(utimensat(AT_FDCWD, a, ts, 0) == 0 && stat(a, &st) == 0 &&
              st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec == 1200000000 &&
              st.st_mtim.tv_nsec == 7, "utimensat sets atime and mtime");
    struct timespec omit[2] = {{0, UTIME_OMIT}, {1300000000, 0}};
    check(utimensat(AT_FDCWD, a, omit, 0) == 0 && stat(a, &st) == 0 &&
              st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec == 1300000000,
          "UTIME_OMIT leaves a time unchanged");
    struct timespec old[2] = {{900000000, 0}, {900000000, 0}};
    check(utimensat(AT_FDCWD, s, old, AT_SYMLINK_NOFOLLOW) == 0 && lstat(s, &sl) == 0 &&
              sl.st_mtim.tv_sec == 900000000 && stat(a, &st) == 0 && st.st_mtim.tv_sec == 1300000000,
          "AT_SYMLINK_NOFOLLOW changes the link, not its target");
    int fd = open(a, O_RDONLY);
    check(futimens(fd, ts) == 0 && fstat(fd, &st) == 0 && st.st_mtim.tv_sec == 1200000000,
          "futimens on a descriptor");
    close(fd);
}

static void ids_and_signals(void)
{
    check(setuid(getuid()) == 0 && setgid(getgid()) == 0, "setuid/setgid to the current ids");
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR1);
    siginfo_t si;
    struct timespec ts = {1, 0};
    check(sigtimedwait(&set, &si, &ts) == SIGUSR1 && si.si_signo == SIGUSR1,
          "sigtimedwait takes a pending blocked signal");
    struct timespec short_ = {0, 50000000};
    check(sigtimedwait(&set, &si, &short_) == -1 && errno == EAGAIN, "sigtimedwait times out: EAGAIN");
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    links(argv[1]);
    times_(argv[1]);
    ids_and_signals();
    printf("failures=%d\n", fails);
    return fails ? 1 : 0;
}
