// modes: direct sim
/* Edge cases of descriptors and stat, from getdents64(2) (d_type),
 * statx(2), fstatat(2), open(2) (what an O_PATH descriptor allows: fstat,
 * fchdir, fcntl, fstatfs; EBADF for the rest), dup(2) (a shared offset),
 * lseek(2), read(2)/write(2) (EFAULT for a buffer past the address space
 * before any count is looked at), openat2(2), mkdir(2) (S_ISVTX kept). */
#include "conf.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <sys/ioctl.h>
int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    int f = open("file", O_RDWR | O_CREAT, 0644);
    write(f, "hello", 5);
    mkdir("dir", 0755);
    symlink("file", "sym");
    mkfifo("fifo", 0600);
    DIR *d = opendir(".");
    struct dirent *e;
    int types[16] = {0};
    int n = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] != '.') {
            types[e->d_type & 15]++;
            n++;
        }
    }
    say("entries %d: reg %d dir %d lnk %d fifo %d unknown %d\n", n, types[DT_REG], types[DT_DIR],
        types[DT_LNK], types[DT_FIFO], types[DT_UNKNOWN]);
    struct statx sx;
    chk("statx", statx(AT_FDCWD, "file", 0, STATX_ALL, &sx));
    say("mask %x blksize>0 %d nlink %u mode %o size %llu\n", sx.stx_mask & (STATX_BASIC_STATS),
        sx.stx_blksize > 0, sx.stx_nlink, sx.stx_mode, (unsigned long long)sx.stx_size);
    chk("statx AT_SYMLINK_NOFOLLOW sym",
        statx(AT_FDCWD, "sym", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx));
    say("sym mode %o size %llu\n", sx.stx_mode, (unsigned long long)sx.stx_size);
    chk("statx dir", statx(AT_FDCWD, "dir", 0, STATX_BASIC_STATS, &sx));
    say("dir nlink %u\n", sx.stx_nlink);
    chk("statx NULL buf", syscall(SYS_statx, AT_FDCWD, "file", 0, STATX_BASIC_STATS, NULL));
    chk("statx NULL path", syscall(SYS_statx, AT_FDCWD, NULL, 0, STATX_BASIC_STATS, &sx));
    chk("statx AT_STATX_FORCE_SYNC|DONT_SYNC",
        statx(AT_FDCWD, "file", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx));
    struct stat st;
    chk("fstatat AT_NO_AUTOMOUNT", fstatat(AT_FDCWD, "file", &st, AT_NO_AUTOMOUNT));
    chk("fstatat bad flags", fstatat(AT_FDCWD, "file", &st, 0x10000));
    chk("stat a fifo", stat("fifo", &st));
    say("fifo: %d\n", S_ISFIFO(st.st_mode));
    int a = open("file", O_WRONLY | O_APPEND);
    int b = dup(a);
    write(a, "1", 1);
    val("dup'd offset after append", lseek(b, 0, SEEK_CUR));
    val("lseek SEEK_END 0", lseek(f, 0, SEEK_END));
    val("lseek SEEK_CUR -100", lseek(f, -100, SEEK_CUR));
    val("lseek 1<<62", lseek(f, 1LL << 62, SEEK_SET));
    chk("lseek on O_PATH", lseek(open("file", O_PATH), 0, SEEK_SET));
    chk("fsync on O_PATH", fsync(open("file", O_PATH)));
    chk("fstatfs on O_PATH", fstatfs(open("file", O_PATH), &(struct statfs){0}));
    chk("getdents64 on O_PATH dir",
        syscall(SYS_getdents64, open("dir", O_PATH), (char[512]){0}, 512));
    chk("fchdir to O_PATH dir", fchdir(open("dir", O_PATH)));
    chk("chdir back", chdir(".."));
    chk("ioctl FIONREAD on O_PATH", ioctl(open("file", O_PATH), 0x541B, &n));
    chk("fcntl F_GETFL on O_PATH", fcntl(open("file", O_PATH), F_GETFL));
    chk("close_range", syscall(SYS_close_range, 100, 200, 0));
    int hi = dup2(f, 150);
    chk("close_range UNSHARE, one thread", syscall(SYS_close_range, 140, 160, 2));
    chk("  the descriptor after it", fcntl(hi, F_GETFD));
    hi = dup2(f, 150);
    chk("close_range UNSHARE|CLOEXEC", syscall(SYS_close_range, 140, 160, 6));
    chk("  the descriptor after it", fcntl(hi, F_GETFD));
    chk("close_range flag 8", syscall(SYS_close_range, 140, 160, 8));
    close(hi);
    chk("dup2 to -1", dup2(f, -1));
    chk("dup2 to 1<<20", dup2(f, 1 << 20));
    chk("F_DUPFD 1<<20", fcntl(f, F_DUPFD, 1 << 20));
    chk("read with count SSIZE_MAX+1", syscall(SYS_read, f, (char[4]){0}, (size_t)1 << 63));
    chk("write with count 1<<47", syscall(SYS_write, f, "x", (size_t)1 << 47));
    chk("pread at 1<<62", pread(f, (char[4]){0}, 4, 1LL << 62));
    chk("pwrite at -1", pwrite(f, "x", 1, -1));
    chk("write 0 to a bad buffer", write(f, BAD, 0));
    chk("read 0 from a bad buffer", read(f, BAD, 0));
    chk("openat2 size 0", syscall(SYS_openat2, AT_FDCWD, "file", &(char[24]){0}, 0));
    chk("open O_CREAT|O_DIRECTORY", open("newd", O_CREAT | O_DIRECTORY | O_RDONLY, 0700));
    chk("open O_TRUNC on a dir", open("dir", O_TRUNC | O_RDONLY));
    chk("open O_WRONLY|O_TRUNC on a fifo nonblock", open("fifo", O_WRONLY | O_TRUNC | O_NONBLOCK));
    chk("mkdir with mode 07777", mkdir("m7", 07777));
    stat("m7", &st);
    say("m7 mode %o\n", st.st_mode);
    chk("creat on a symlink to a missing file", (symlink("nofile", "dl"), creat("dl", 0600)));
    say("nofile exists: %s\n", access("nofile", F_OK) ? "no" : "yes");
    return 0;
}
