/* Credentials as credentials(7), setresuid(2), setfsuid(2), setgroups(2)
 * and chown(2) describe them, printed so that a run under geode can be
 * compared with a native one (tests/direct/t_creds.sh).
 *   creds DIR [create]   started as root: DIR is a scratch directory
 *                        (traversable by every user); "create": files
 *                        made under a changed fsuid are checked too
 *   creds -nonroot DIR   started as uid/gid 1000 (no supplementary group)
 *   creds -show          prints the ids and the auxv ids (after execve) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errnames.h"

static int dirfd_ = -1;

/* The raw syscalls: the libc wrappers of some set*id calls broadcast to
 * threads or check arguments themselves. */
static long sc(long nr, long a, long b, long c)
{
    return syscall(nr, a, b, c);
}

static void ids(const char *when)
{
    uid_t r, e, s;
    gid_t gr, ge, gs;
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    printf("%s: uid %u %u %u fsuid %d gid %u %u %u fsgid %d\n", when, r, e, s, setfsuid((uid_t)-1),
           gr, ge, gs, setfsgid((gid_t)-1));
    /* capget v3: CAP_CHOWN (0, a file system capability), CAP_SETGID (6)
     * and CAP_SETUID (7), effective and permitted. */
    struct {
        uint32_t version;
        int pid;
    } h = {0x20080522, 0};
    struct {
        uint32_t eff, perm, inh;
    } d[2];
    if (syscall(SYS_capget, &h, d) < 0) {
        printf("capget: %s\n", ename(errno));
        return;
    }
    printf("  caps eff chown %u setgid %u setuid %u, perm chown %u setuid %u\n", d[0].eff & 1,
           d[0].eff >> 6 & 1, d[0].eff >> 7 & 1, d[0].perm & 1, d[0].perm >> 7 & 1);
}

static void groups(void)
{
    gid_t g[64];
    int n = getgroups(64, g);
    printf("groups(%d):", n);
    for (int i = 0; i < n; i++)
        printf(" %u", g[i]);
    printf("\n");
}

/* The credential lines of /proc/self/status. */
static void status(void)
{
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, "Uid:", 4) || !strncmp(line, "Gid:", 4) ||
            !strncmp(line, "Groups:", 7) || !strncmp(line, "CapEff:", 7))
            printf("  status %s", line);
    if (f)
        fclose(f);
}

static void owner(const char *name, int follow)
{
    struct stat st;
    if (fstatat(dirfd_, name, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0)
        printf("stat %s: %s\n", name, ename(errno));
    else
        printf("owner %s: %u:%u mode %o\n", name, st.st_uid, st.st_gid, st.st_mode & 07777);
}

static void make(const char *name)
{
    unlinkat(dirfd_, name, 0);
    int fd = openat(dirfd_, name, O_CREAT | O_WRONLY | O_EXCL, 0644);
    if (fd < 0)
        printf("create %s: %s\n", name, ename(errno));
    else
        close(fd);
}

static void finish_child(void)
{
    fflush(stdout);
    _exit(0);
}

static void run_child(void (*fn)(void))
{
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        fn();
        finish_child();
    }
    int st;
    waitpid(p, &st, 0);
    printf("child status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st));
}

/* Root: every change; the group and owner bits of chown. */
static void root_checks(void)
{
    ids("start");
    gid_t set[] = {5, 3, 3, 100};
    res("setgroups(5,3,3,100)", setgroups(4, set));
    groups();
    gid_t one[1];
    res("getgroups(1) with 4", getgroups(1, one));
    res("getgroups(0)", getgroups(0, NULL));
    make("f");
    res("fchmodat f 06755", fchmodat(dirfd_, "f", 06755, 0));
    res("fchownat f 65534:65534", fchownat(dirfd_, "f", 65534, 65534, 0));
    owner("f", 1);
    res("symlinkat l -> f", symlinkat("f", dirfd_, "l"));
    res("fchownat l 0:0 nofollow", fchownat(dirfd_, "l", 0, 0, AT_SYMLINK_NOFOLLOW));
    owner("l", 0);
    owner("f", 1);
    res("fchownat bad flags", fchownat(dirfd_, "f", 0, 0, 0x4));
    res("fchownat missing", fchownat(dirfd_, "nope", 0, 0, 0));
    res("fchown -1 fd", fchown(-1, 0, 0));
    int fd = openat(dirfd_, "f", O_RDONLY);
    res("fchown f 7:8", fchown(fd, 7, 8));
    owner("f", 1);
    res("fchownat AT_EMPTY_PATH 65534:-1", fchownat(fd, "", 65534, -1, AT_EMPTY_PATH));
    owner("f", 1);
    close(fd);
    res("fchownat f -1:-1", fchownat(dirfd_, "f", -1, -1, 0));
    make("secret");
    res("fchmodat secret 0600", fchmodat(dirfd_, "secret", 0600, 0));
    res("setuid(-1)", sc(SYS_setuid, -1, 0, 0));
}

/* Drops everything as a daemon's worker does (nginx: setgid, setgroups,
 * setuid), then nothing comes back. */
static void drop_all(void)
{
    res("setgid(65534)", setgid(65534));
    res("setgroups(0)", setgroups(0, NULL));
    res("setuid(65534)", sc(SYS_setuid, 65534, 0, 0));
    ids("dropped");
    groups();
    status();
    res("setuid(0)", sc(SYS_setuid, 0, 0, 0));
    res("setgid(0)", sc(SYS_setgid, 0, 0, 0));
    res("setgroups(1)", setgroups(1, (gid_t[]){0}));
    res("setresuid(-1,0,-1)", sc(SYS_setresuid, -1, 0, -1));
    res("setfsuid(0) returns", setfsuid(0));
    ids("after refusals");
    /* f is 65534:65534 (the last root chown), l is 0:0. */
    res("chown f to 0", fchownat(dirfd_, "f", 0, -1, 0));
    res("chown f to 65534:-1 (no change, owner)", fchownat(dirfd_, "f", 65534, -1, 0));
    res("chgrp f to 65534 (own group)", fchownat(dirfd_, "f", -1, 65534, 0));
    res("chgrp f to 0 (not a member)", fchownat(dirfd_, "f", -1, 0, 0));
    res("chgrp l (not the owner)", fchownat(dirfd_, "l", -1, 65534, AT_SYMLINK_NOFOLLOW));
    /* File permissions now apply: root's 0600 file is closed to nobody. */
    int fd = openat(dirfd_, "secret", O_RDONLY);
    res("open root's 0600 secret as nobody", fd);
    if (fd >= 0)
        close(fd);
    fd = openat(dirfd_, "f", O_RDONLY);
    res("open f (nobody's, 0755) as nobody", fd < 0 ? fd : 0);
    if (fd >= 0)
        close(fd);
}

/* The effective uid goes away and comes back through the saved one. */
static void euid_dance(void)
{
    res("setresuid(-1,1000,-1)", sc(SYS_setresuid, -1, 1000, -1));
    ids("euid 1000");
    status();
    res("setuid(1000) (not real or saved)", sc(SYS_setuid, 1000, 0, 0));
    res("chown f as euid 1000", fchownat(dirfd_, "f", 0, 0, 0));
    res("setuid(0) (saved)", sc(SYS_setuid, 0, 0, 0));
    ids("euid back");
    res("setreuid(1000,1000)", sc(SYS_setreuid, 1000, 1000, 0));
    ids("setreuid");
    res("setreuid(-1,0)", sc(SYS_setreuid, -1, 0, 0));
    res("setreuid(1000,-1)", sc(SYS_setreuid, 1000, -1, 0));
    res("setregid(7,8)", sc(SYS_setregid, 7, 8, 0));
    res("setresgid(-1,-1,-1)", sc(SYS_setresgid, -1, -1, -1));
}

/* setreuid's saved-id rule, and setresgid while root. */
static void saved_rule(void)
{
    res("setreuid(-1,1000)", sc(SYS_setreuid, -1, 1000, 0));
    ids("setreuid(-1,1000)");
    res("setreuid(-1,0)", sc(SYS_setreuid, -1, 0, 0));
    res("setreuid(0,-1)", sc(SYS_setreuid, 0, -1, 0));
    ids("setreuid(0,-1)");
    res("setresgid(1,2,3)", sc(SYS_setresgid, 1, 2, 3));
    res("setregid(3,1)", sc(SYS_setregid, 3, 1, 0));
    ids("gids");
    res("setresuid(2000,2000,2000)", sc(SYS_setresuid, 2000, 2000, 2000));
    res("setresgid(1,9,-1)", sc(SYS_setresgid, 1, 9, -1));
    res("setfsgid(3) returns", setfsgid(3));
    res("setfsgid(77) returns", setfsgid(77));
    ids("end");
}

static int create_mode;

/* The file system uid alone: CAP_CHOWN goes with fsuid 0. */
static void fsuid_checks(void)
{
    res("setfsuid(1234) returns", setfsuid(1234));
    res("setfsgid(4321) returns", setfsgid(4321));
    ids("fsuid 1234");
    res("chown f as fsuid 1234", fchownat(dirfd_, "f", 0, 0, 0));
    if (create_mode) {
        make("g");
        owner("g", 1);
        res("chgrp g to 4321 (owner, fsgid)", fchownat(dirfd_, "g", -1, 4321, 0));
        res("chown g to 0", fchownat(dirfd_, "g", 0, -1, 0));
    }
    res("setfsuid(0) returns", setfsuid(0));
    res("chown f as fsuid 0", fchownat(dirfd_, "f", 5, 5, 0));
    owner("f", 1);
}

/* KEEPCAPS, and the ids across execve (set-user-ID bits not honoured). */
static void exec_checks(void)
{
    res("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
    res("PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
    res("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
    res("PR_SET_KEEPCAPS 2", prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0));
    res("setresgid(10,20,30)", sc(SYS_setresgid, 10, 20, 30));
    res("setgroups(1)", setgroups(1, (gid_t[]){42}));
    res("setresuid(0,1000,0)", sc(SYS_setresuid, 0, 1000, 0));
    fflush(stdout);
    execl("/proc/self/exe", "creds", "-show", (char *)NULL);
    printf("execl: %s\n", ename(errno));
}

static void show(void)
{
    ids("after execve");
    groups();
    printf("auxv uid %lu euid %lu gid %lu egid %lu\n", getauxval(AT_UID), getauxval(AT_EUID),
           getauxval(AT_GID), getauxval(AT_EGID));
    res("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
    res("setuid(0) (saved id now 1000)", sc(SYS_setuid, 0, 0, 0));
}

/* Started as 1000:1000 with no supplementary group. */
static void nonroot(void)
{
    ids("start");
    res("setuid(0)", sc(SYS_setuid, 0, 0, 0));
    res("setgid(0)", sc(SYS_setgid, 0, 0, 0));
    res("setgroups(0)", setgroups(0, NULL));
    res("setresuid(1000,1000,1000)", sc(SYS_setresuid, 1000, 1000, 1000));
    res("setfsuid(0) returns", setfsuid(0));
    res("setfsuid(-1) returns", setfsuid(-1));
    res("chown root-owned r to 1000", fchownat(dirfd_, "r", 1000, -1, 0));
    res("chgrp root-owned r to 1000", fchownat(dirfd_, "r", -1, 1000, 0));
    int fd = openat(dirfd_, "s", O_RDONLY);
    res("open root's 0600 s", fd < 0 ? fd : 0);
    ids("end");
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && !strcmp(argv[1], "-show")) {
        show();
        return 0;
    }
    if (argc > 2 && !strcmp(argv[1], "-nonroot")) {
        dirfd_ = open(argv[2], O_RDONLY | O_DIRECTORY);
        nonroot();
        return 0;
    }
    if (argc < 2 || (dirfd_ = open(argv[1], O_RDONLY | O_DIRECTORY)) < 0) {
        fprintf(stderr, "usage: creds DIR [create] | -nonroot DIR | -show\n");
        return 2;
    }
    create_mode = argc > 2 && !strcmp(argv[2], "create");
    if (geteuid() != 0) {
        printf("not root\n");
        return 3;
    }
    root_checks();
    run_child(drop_all);
    run_child(euid_dance);
    run_child(saved_rule);
    run_child(fsuid_checks);
    run_child(exec_checks);
    ids("parent unchanged");
    return 0;
}
