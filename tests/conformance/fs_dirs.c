// modes: direct sim
/* Directories, from getdents64(2), readdir(3), telldir(3), seekdir(3),
 * rewinddir(3), mkdir(2), rename(2), chdir(2), getcwd(3),
 * path_resolution(7): 300 entries read in small buffers (each name seen
 * once), EINVAL for a buffer too small for one entry, unlink during a
 * listing, seekdir back to a telldir position, renames of directories,
 * getcwd's ERANGE, ".." at the root. */
#include "conf.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define N 300

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]) || mkdir("big", 0700))
        return 2;
    char name[64];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "big/entry-%03d", i);
        if (close(open(name, O_CREAT | O_WRONLY, 0600)))
            return 1;
    }
    static char seen[N];
    int dfd = open("big", O_RDONLY | O_DIRECTORY);
    static char buf[4096] __attribute__((aligned(8)));
    long n, calls = 0, dots = 0, twice = 0, others = 0, most = 0;
    chk("getdents64 with a 16-byte buffer", syscall(SYS_getdents64, dfd, buf, 16));
    while ((n = syscall(SYS_getdents64, dfd, buf, 200)) > 0) {
        calls++;
        long here = 0;
        for (long off = 0; off < n; here++) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            int i;
            if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
                dots++;
            else if (sscanf(d->d_name, "entry-%d", &i) == 1 && i >= 0 && i < N)
                twice += seen[i]++ > 0;
            else
                others++;
            off += d->d_reclen;
        }
        most = here > most ? here : most;
    }
    long all = 0;
    for (int i = 0; i < N; i++)
        all += seen[i] == 1;
    say("getdents64 end: %ld, names seen once: %ld, twice: %ld, dots %ld, others %ld\n", n, all,
        twice, dots, others);
    say("more than one call: %s, at most 200 bytes' worth per call: %s\n", calls > 1 ? "yes" : "no",
        most <= 200 / 24 + 1 ? "yes" : "no");
    val("getdents64 again at the end", syscall(SYS_getdents64, dfd, buf, sizeof(buf)));
    val("lseek to 0", lseek(dfd, 0, SEEK_SET));
    val("getdents64 after rewinding is not empty",
        syscall(SYS_getdents64, dfd, buf, sizeof(buf)) > 0);
    chk("getdents64 a bad buffer", syscall(SYS_getdents64, dfd, BAD, sizeof(buf)));
    chk("getdents64 a bad fd", syscall(SYS_getdents64, 999, buf, sizeof(buf)));

    /* unlink during the listing: the names not removed are each seen once */
    DIR *d = opendir("big");
    memset(seen, 0, sizeof(seen));
    struct dirent *e;
    int count = 0;
    long pos = -1;
    while ((e = readdir(d))) {
        int i;
        if (sscanf(e->d_name, "entry-%d", &i) != 1)
            continue;
        seen[i]++;
        if (++count == 100) {
            pos = telldir(d);
            for (int j = 0; j < N; j += 2) {
                snprintf(name, sizeof(name), "big/entry-%03d", j);
                unlink(name);
            }
        }
    }
    long odd_once = 0, odd_missing = 0, dup = 0;
    for (int i = 0; i < N; i++) {
        dup += seen[i] > 1;
        if (i % 2)
            odd_once += seen[i] == 1, odd_missing += seen[i] == 0;
    }
    say("unlink during readdir: odd names seen once %ld, missing %ld, duplicates %ld\n", odd_once,
        odd_missing, dup);
    seekdir(d, pos);
    e = readdir(d);
    say("seekdir to a telldir position gives an entry: %s\n", e ? "yes" : "no");
    rewinddir(d);
    count = 0;
    while ((e = readdir(d)))
        count++;
    val("entries after rewinddir", count);
    closedir(d);

    if (mkdir("a", 0700) || mkdir("a/sub", 0700) || mkdir("empty", 0700) || mkdir("full", 0700) ||
        close(open("full/x", O_CREAT | O_WRONLY, 0600)))
        return 1;
    chk("mkdir an existing directory", mkdir("a", 0700));
    chk("mkdir a/sub/..", mkdir("a/sub/..", 0700));
    chk("mkdir with a trailing slash", mkdir("new/", 0700));
    chk("rename a directory over an empty one", rename("a", "empty"));
    say("empty/sub exists: %s, a gone: %s\n", access("empty/sub", F_OK) ? "no" : "yes",
        access("a", F_OK) ? "yes" : "no");
    chk("rename a directory over a non-empty one", rename("empty", "full"));
    chk("rename a directory into its own subdirectory", rename("empty", "empty/sub/x"));
    chk("rename a directory onto itself", rename("empty", "empty"));
    chk("rename a directory to its own subdirectory's parent path",
        rename("empty/sub", "empty/sub/"));
    chk("rename . away", rename("empty/.", "z"));
    chk("rename .. away", rename("empty/..", "z"));
    chk("rename onto .", rename("new", "empty/."));
    chk("rmdir a directory with a trailing slash", rmdir("new/"));

    char cwd[PATH_MAX], small[4];
    chk("chdir empty/sub", chdir("empty/sub"));
    say("getcwd ends in /empty/sub: %s\n", getcwd(cwd, sizeof(cwd)) && strlen(cwd) > 10 &&
                                                   !strcmp(cwd + strlen(cwd) - 10, "/empty/sub")
                                               ? "yes"
                                               : "no");
    chk("getcwd into 4 bytes", syscall(SYS_getcwd, small, sizeof(small)));
    chk("getcwd size 0", syscall(SYS_getcwd, cwd, 0));
    long len = syscall(SYS_getcwd, cwd, sizeof(cwd));
    say("getcwd returns the length with its NUL: %s\n",
        len == (long)strlen(cwd) + 1 ? "yes" : "no");
    chk("rmdir the cwd's parent's other child", rmdir("../../full"));
    int up = open("..", O_RDONLY | O_DIRECTORY);
    chk("chdir ../..", chdir("../.."));
    chk("fchdir to empty", fchdir(up));
    chk("rmdir the cwd", rmdir("sub"));
    chk("getcwd of a removed cwd", syscall(SYS_getcwd, cwd, sizeof(cwd)) > 0 ? 0 : -1);
    chk("chdir / then ..", chdir("/") || chdir(".."));
    say("getcwd at /..: %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : ename(errno));
    struct stat r1, r2;
    stat("/", &r1);
    stat("/..", &r2);
    say("/.. is /: %s\n", r1.st_ino == r2.st_ino && r1.st_dev == r2.st_dev ? "yes" : "no");
    chk("chdir a missing directory", chdir("/nonexistent-dir-for-conformance"));
    chk("chdir \"\"", chdir(""));
    return 0;
}
