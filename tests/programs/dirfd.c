/* A directory opened with a plain open(O_RDONLY), no O_DIRECTORY (geode
 * learns that it is a directory only when that matters): getdents64 lists
 * it, openat and fstatat resolve relative to it, fchdir enters it, read
 * gives EISDIR, mmap ENODEV; a regular file opened the same way gives
 * ENOTDIR to getdents64, openat and fchdir. argv[1]: a writable directory. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fails;

static void check(int cond, const char *what)
{
    fails += !cond;
    printf("%s %s\n", cond ? "pass" : "FAIL", what);
}

/* Whether getdents64 on fd lists name. */
static int lists(int fd, const char *name)
{
    char buf[4096];
    long n;
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
        for (long off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            if (!strcmp(d->d_name, name))
                return 1;
            off += d->d_reclen;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    char sub[4096], file[4200], buf[16], cwd[4096];
    struct stat st;
    if (argc < 2)
        return 2;
    snprintf(sub, sizeof(sub), "%s/dirfd.d", argv[1]);
    snprintf(file, sizeof(file), "%s/inner", sub);
    mkdir(sub, 0755);
    int w = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    check(w >= 0 && write(w, "inner\n", 6) == 6 && close(w) == 0, "a file in a new directory");

    int d = open(sub, O_RDONLY);
    check(d >= 0, "open(dir, O_RDONLY) without O_DIRECTORY");
    check(read(d, buf, sizeof(buf)) == -1 && errno == EISDIR, "read on it: EISDIR");
    check(lists(d, "inner"), "getdents64 on it lists the file");
    int f = openat(d, "inner", O_RDONLY);
    check(f >= 0 && read(f, buf, sizeof(buf)) == 6 && !memcmp(buf, "inner\n", 6),
          "openat relative to it reads the file");
    close(f);
    check(fstatat(d, "inner", &st, 0) == 0 && st.st_size == 6, "fstatat relative to it");
    check(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, d, 0) == MAP_FAILED && errno == ENODEV,
          "mmap of it: ENODEV");
    check(fchdir(d) == 0 && getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, sub) &&
              access("inner", R_OK) == 0,
          "fchdir into it");
    close(d);

    f = open(file, O_RDONLY);
    check(f >= 0, "open(file, O_RDONLY)");
    check(syscall(SYS_getdents64, f, buf, sizeof(buf)) == -1 && errno == ENOTDIR,
          "getdents64 on the file: ENOTDIR");
    check(openat(f, "x", O_RDONLY) == -1 && errno == ENOTDIR, "openat relative to the file: ENOTDIR");
    check(fchdir(f) == -1 && errno == ENOTDIR, "fchdir to the file: ENOTDIR");
    void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, f, 0);
    check(m != MAP_FAILED && !memcmp(m, "inner\n", 6), "mmap of the file");
    close(f);
    unlink(file);
    rmdir(sub);
    printf("failures=%d\n", fails);
    return fails != 0;
}
