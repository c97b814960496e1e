// modes: direct sim
/* Inode numbers under /proc (proc(5), stat(2), getdents64(2)): /proc is
 * inode 1; the directories a walk meets each have their own (find(1) and
 * du take two directories with one device and inode for a file-system
 * loop); stat, fstat and a directory's entry agree on a node's number; "."
 * and ".." in a listing are the directory and its parent. Only relations
 * are printed. */
#define _GNU_SOURCE
#include "conf.h"
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>

#define YN(c) ((c) ? "yes" : "no")

static const char *dirs[] = {"/proc", "/proc/self", "/proc/self/fd", "/proc/self/task", "/proc/sys",
                             "/proc/sys/kernel", "/proc/sys/vm", "/proc/sys/net"};

/* The entry `name` of directory `dir` in a getdents listing: its d_ino. */
static ino_t entry_ino(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    ino_t ino = 0;
    while (d && (e = readdir(d)))
        if (!strcmp(e->d_name, name))
            ino = e->d_ino;
    if (d)
        closedir(d);
    return ino;
}

static int loops;

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)path, (void)st, (void)ftw;
    loops += flag == FTW_DNR;
    return 0;
}

int main(void)
{
    struct stat s[8], root, sys, self_fd;
    int distinct = 1, ok = 1;
    size_t n = sizeof(dirs) / sizeof(dirs[0]);

    for (size_t i = 0; i < n; i++)
        if (stat(dirs[i], &s[i]))
            ok = 0;
    say("stat of the directories: %s\n", YN(ok));
    say("/proc is inode 1: %s\n", YN(s[0].st_ino == 1));
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (s[i].st_dev == s[j].st_dev && s[i].st_ino == s[j].st_ino)
                distinct = 0;
    say("each directory its own inode: %s\n", YN(distinct));
    say("non-zero inodes: %s\n", YN(s[1].st_ino && s[4].st_ino && s[5].st_ino));

    int fd = open("/proc/sys", O_RDONLY | O_DIRECTORY);
    say("fstat agrees with stat: %s\n", YN(fd >= 0 && !fstat(fd, &sys) && sys.st_ino == s[4].st_ino));
    if (fd >= 0)
        close(fd);
    say("getdents agrees with stat (/proc/sys/kernel): %s\n",
        YN(entry_ino("/proc/sys", "kernel") == s[5].st_ino));
    say("\".\" is the directory: %s\n", YN(entry_ino("/proc/sys/kernel", ".") == s[5].st_ino));
    say("\"..\" is its parent: %s\n", YN(entry_ino("/proc/sys/kernel", "..") == s[4].st_ino));
    stat("/proc", &root);
    stat("/proc/self/fd", &self_fd);
    say("a file and a directory differ: %s\n",
        YN(stat("/proc/sys/kernel/ostype", &sys) == 0 && sys.st_ino != s[5].st_ino && sys.st_ino != root.st_ino));

    /* A physical walk of /proc/sys that would stop at a loop. */
    int r = nftw("/proc/sys", visit, 16, FTW_PHYS);
    say("nftw of /proc/sys: %d, unreadable directories %d\n", r, loops);
    return 0;
}
