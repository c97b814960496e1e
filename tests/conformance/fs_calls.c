// modes: direct sim
/* File calls' flags and edge cases, from open(2), lseek(2), read(2),
 * readv(2), dup(2), fcntl(2), pipe(2), rename(2), link(2), truncate(2),
 * access(2), umask(2), getcwd(3), chdir(2), utimensat(2), stat(2),
 * statx(2), getdents64(2): O_PATH, O_NOFOLLOW, O_TMPFILE, SEEK_DATA/
 * SEEK_HOLE, ESPIPE, dup3, F_DUPFD_CLOEXEC, F_SETFL, pipe sizes, pipe2
 * flags, renameat2 flags, nlink, UTIME_OMIT. */
#include "conf.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    int f = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (f < 0 || write(f, "0123456789", 10) != 10 || mkdir("dir", 0755) || symlink("file", "link"))
        return 1;
    char buf[64];

    int p = open("file", O_PATH);
    chk("open O_PATH", p);
    chk("read an O_PATH fd", read(p, buf, 1));
    struct stat st;
    chk("fstat an O_PATH fd", fstat(p, &st));
    val("its size", (long)st.st_size);
    chk("open a symlink O_NOFOLLOW", open("link", O_RDONLY | O_NOFOLLOW));
    chk("openat, dirfd a file", openat(f, "x", O_RDONLY));
    chk("openat, bad dirfd", openat(999, "x", O_RDONLY));
    int t = open(".", O_TMPFILE | O_RDWR, 0600);
    chk("open O_TMPFILE", t);
    chk("open O_TMPFILE read-only", open(".", O_TMPFILE | O_RDONLY, 0600));

    val("lseek SEEK_DATA 0", lseek(f, 0, SEEK_DATA));
    val("lseek SEEK_HOLE 0", lseek(f, 0, SEEK_HOLE));
    chk("lseek SEEK_DATA at the end", lseek(f, 10, SEEK_DATA));
    chk("lseek to -1", lseek(f, -1, SEEK_SET));
    chk("lseek whence 7", lseek(f, 0, 7));
    val("lseek past the end", lseek(f, 100, SEEK_SET));
    val("read past the end", read(f, buf, 4));
    int pp[2];
    if (pipe(pp))
        return 1;
    chk("lseek a pipe", lseek(pp[0], 0, SEEK_CUR));
    chk("pread a pipe", pread(pp[0], buf, 1, 0));
    chk("pread at -1", pread(f, buf, 1, -1));
    struct iovec iov = {buf, 1};
    volatile int many = IOV_MAX + 1, neg = -1;
    chk("readv IOV_MAX+1", syscall(SYS_readv, f, &iov, many));
    chk("readv -1", syscall(SYS_readv, f, &iov, neg));
    val("writev of 0 iovecs", writev(f, &iov, 0));
    chk("read a directory", read(open("dir", O_RDONLY), buf, 1));

    val("dup2 to itself", dup2(f, f));
    chk("dup3 to itself", dup3(f, f, 0));
    chk("dup3 bad flags", dup3(f, 50, 1));
    int d = dup3(f, 50, O_CLOEXEC);
    val("dup3 O_CLOEXEC", d);
    val("its FD_CLOEXEC", fcntl(d, F_GETFD));
    d = fcntl(f, F_DUPFD_CLOEXEC, 60);
    val("F_DUPFD_CLOEXEC from 60", d);
    val("its FD_CLOEXEC", fcntl(d, F_GETFD));
    chk("F_DUPFD -1", fcntl(f, F_DUPFD, -1));
    val("F_GETFL O_RDWR", fcntl(f, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
    chk("F_SETFL O_APPEND|O_NONBLOCK", fcntl(f, F_SETFL, O_APPEND | O_NONBLOCK | O_RDONLY));
    val("F_GETFL", fcntl(f, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
    fcntl(f, F_SETFL, 0);
    val("F_GETPIPE_SZ", fcntl(pp[0], F_GETPIPE_SZ));
    val("F_SETPIPE_SZ 100000", fcntl(pp[0], F_SETPIPE_SZ, 100000));
    val("F_GETPIPE_SZ", fcntl(pp[1], F_GETPIPE_SZ));
    chk("F_GETPIPE_SZ on a file", fcntl(f, F_GETPIPE_SZ));
    chk("fcntl cmd 9999", fcntl(f, 9999));
    chk("pipe2 bad flags", pipe2(pp, O_RDWR));
    chk("pipe2 O_CLOEXEC|O_NONBLOCK", pipe2(pp, O_CLOEXEC | O_NONBLOCK));
    val("read end F_GETFD", fcntl(pp[0], F_GETFD));
    val("read end O_NONBLOCK", fcntl(pp[0], F_GETFL) & O_NONBLOCK);
    chk("read an empty O_NONBLOCK pipe", read(pp[0], buf, 1));

    close(open("other", O_CREAT | O_WRONLY, 0600));
    chk("renameat2 RENAME_NOREPLACE onto a file",
        syscall(SYS_renameat2, AT_FDCWD, "other", AT_FDCWD, "file", 1));
    chk("renameat2 RENAME_EXCHANGE",
        syscall(SYS_renameat2, AT_FDCWD, "other", AT_FDCWD, "file", 2));
    chk("renameat2 NOREPLACE|EXCHANGE",
        syscall(SYS_renameat2, AT_FDCWD, "other", AT_FDCWD, "file", 3));
    chk("renameat2 flags 0x100",
        syscall(SYS_renameat2, AT_FDCWD, "other", AT_FDCWD, "file", 0x100));
    chk("renameat2 RENAME_EXCHANGE with a missing target",
        syscall(SYS_renameat2, AT_FDCWD, "other", AT_FDCWD, "nothing", 2));
    val("size of file after the exchange", (stat("file", &st), (long)st.st_size));
    chk("rename a directory into itself", rename("dir", "dir/sub"));
    chk("rename a directory onto a file", rename("dir", "other"));
    chk("rename a file onto a directory", rename("other", "dir"));
    chk("rename to itself", rename("other", "other"));
    chk("link", link("other", "other2"));
    val("st_nlink", (stat("other", &st), (long)st.st_nlink));
    chk("link a directory", link("dir", "dir2"));
    chk("link onto an existing name", link("other", "other2"));
    chk("unlink a directory", unlink("dir"));
    chk("rmdir .", rmdir("dir/."));
    chk("rmdir a file", rmdir("other"));
    chk("mkdir an existing name", mkdir("other", 0700));

    chk("truncate to -1", truncate("other", -1));
    int r = open("other", O_RDONLY);
    chk("ftruncate a read-only fd", ftruncate(r, 0));
    chk("truncate a directory", truncate("dir", 0));
    chk("access F_OK", access("other", F_OK));
    chk("access a missing file", access("missing", F_OK));
    chk("access mode 8", access("other", 8));
    chk("faccessat flags 0x1", faccessat(AT_FDCWD, "other", R_OK, 0x1));
    chk("faccessat2 AT_EACCESS", syscall(SYS_faccessat2, AT_FDCWD, "other", R_OK, AT_EACCESS));
    chk("faccessat2 AT_SYMLINK_NOFOLLOW on a link",
        syscall(SYS_faccessat2, AT_FDCWD, "link", F_OK, AT_SYMLINK_NOFOLLOW));
    val("umask 077", umask(077));
    val("umask 022", umask(022));
    char small[2];
    say("getcwd small buffer: %s %s\n", getcwd(small, sizeof(small)) ? "ok" : "-1", ename(errno));
    chk("chdir a file", chdir("other"));
    chk("fchdir a file", fchdir(r));
    chk("fchdir a bad fd", fchdir(999));

    struct timespec ts[2] = {{1000, 0}, {0, UTIME_OMIT}};
    chk("utimensat atime only", utimensat(AT_FDCWD, "other", ts, 0));
    stat("other", &st);
    say("atime %ld, mtime kept: %s\n", (long)st.st_atime, st.st_mtime != 1000 ? "yes" : "no");
    ts[1] = (struct timespec){0, 1000000000};
    chk("utimensat tv_nsec 1e9", utimensat(AT_FDCWD, "other", ts, 0));
    chk("utimensat flags 0x1", utimensat(AT_FDCWD, "other", NULL, 0x1));

    struct statx sx;
    chk("statx", statx(AT_FDCWD, "file", 0, STATX_BASIC_STATS, &sx));
    say("statx mask has BASIC_STATS: %s, size %llu, regular %s\n",
        (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS ? "yes" : "no",
        (unsigned long long)sx.stx_size, S_ISREG(sx.stx_mode) ? "yes" : "no");
    chk("statx bad flags", statx(AT_FDCWD, "file", 0x1, STATX_BASIC_STATS, &sx));
    chk("statx STATX__RESERVED", statx(AT_FDCWD, "file", 0, 0x80000000U, &sx));
    chk("fstatat AT_EMPTY_PATH", fstatat(f, "", &st, AT_EMPTY_PATH));
    chk("fstatat \"\" without AT_EMPTY_PATH", fstatat(f, "", &st, 0));

    int dfd = open(".", O_RDONLY | O_DIRECTORY);
    char dents[4096];
    long n, count = 0;
    while ((n = syscall(SYS_getdents64, dfd, dents, sizeof(dents))) > 0)
        for (long off = 0; off < n; count++)
            off += ((struct dirent64 *)(dents + off))->d_reclen;
    val("getdents64 entries", count);
    chk("getdents64 a file", syscall(SYS_getdents64, f, dents, sizeof(dents)));
    chk("getdents64 a tiny buffer", syscall(SYS_getdents64, dfd, dents, 1));
    return 0;
}
