// modes: direct sim
/* getdents (78), the old layout still used by old static binaries: each
 * record's name ends in a NUL and its type is the record's last byte; the
 * same entries as getdents64, records of the same length; a buffer too
 * small for one record is EINVAL; a file is ENOTDIR; a bad fd EBADF. */
#include "conf.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

struct old_dirent {
    unsigned long d_ino, d_off;
    unsigned short d_reclen;
    char d_name[];
};

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    char dir[] = "gd", path[256];
    if (argc < 2 || chdir(argv[1]) || mkdir(dir, 0755))
        return 1;
    const char *files[] = {"a", "bb", "a-much-longer-name-of-thirty-chars", "sub"};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        if (i == 3)
            mkdir(path, 0755);
        else
            close(open(path, O_CREAT | O_WRONLY, 0644));
    }
    symlink("a", strcat(strcpy(path, dir), "/ln"));
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    char buf[4096], *names[16];
    long r = syscall(SYS_getdents, fd, buf, 16);
    say("16-byte buffer: %ld %s\n", r, r < 0 ? ename(errno) : "");
    int n = 0;
    long total = 0;
    while ((r = syscall(SYS_getdents, fd, buf, 64)) > 0) { /* a record or two at a time */
        for (long at = 0; at < r && n < 16;) {
            struct old_dirent *d = (struct old_dirent *)(buf + at);
            char *e = malloc(300);
            snprintf(e, 300, "%.64s type %d reclen-ok %d", d->d_name, buf[at + d->d_reclen - 1],
                     d->d_reclen == ((20 + strlen(d->d_name) + 7) & ~7UL));
            names[n++] = e;
            at += d->d_reclen;
        }
        total += r;
    }
    say("end: %ld\n", r);
    qsort(names, (size_t)n, sizeof(names[0]), cmp);
    for (int i = 0; i < n; i++)
        say("  %s\n", names[i]);
    lseek(fd, 0, SEEK_SET);
    long r64 = syscall(SYS_getdents64, fd, buf, sizeof(buf));
    lseek(fd, 0, SEEK_SET);
    r = syscall(SYS_getdents, fd, buf, sizeof(buf));
    say("whole directory: getdents %ld bytes, getdents64 %ld bytes, a few at a time %ld\n", r, r64,
        total);
    snprintf(path, sizeof(path), "%s/a", dir);
    int f = open(path, O_RDONLY);
    r = syscall(SYS_getdents, f, buf, sizeof(buf));
    say("a file: %ld %s\n", r, r < 0 ? ename(errno) : "");
    r = syscall(SYS_getdents, 999, buf, sizeof(buf));
    say("a bad fd: %ld %s\n", r, r < 0 ? ename(errno) : "");
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        i == 3 ? rmdir(path) : unlink(path);
    }
    unlink(strcat(strcpy(path, dir), "/ln"));
    rmdir(dir);
    return 0;
}
