// modes: direct sim
/* File modes and open flags, from chmod(2), fchmodat(2), umask(2),
 * open(2), creat(2), mkdir(2), mknod(2), access(2), inode(7): the umask's
 * effect on open, creat, mkdir and mknod, chmod's special bits, O_EXCL,
 * O_NOFOLLOW, O_DIRECTORY, O_PATH (what works on such a descriptor and what
 * is EBADF), O_TMPFILE (linkat through /proc/self/fd), O_TRUNC. */
#include "conf.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

static void mode(const char *what, const char *p)
{
    struct stat st;
    if (lstat(p, &st))
        say("%s: -1 %s\n", what, ename(errno));
    else
        say("%s: %06o\n", what, (unsigned)st.st_mode);
}

static void fmode(const char *what, int fd)
{
    struct stat st;
    if (fstat(fd, &st))
        say("%s: -1 %s\n", what, ename(errno));
    else
        say("%s: %06o size %lld\n", what, (unsigned)st.st_mode, (long long)st.st_size);
}

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    char buf[16];
    umask(022);
    int f = open("f644", O_RDWR | O_CREAT | O_EXCL, 0666);
    mode("open 0666 under umask 022", "f644");
    umask(077);
    close(open("f600", O_RDWR | O_CREAT, 0777));
    mode("open 0777 under umask 077", "f600");
    close(creat("fcreat", 0755));
    mode("creat 0755 under umask 077", "fcreat");
    chk("mkdir 0777", mkdir("d700", 0777));
    mode("under umask 077", "d700");
    umask(0);
    chk("mkdir 01777 under umask 0", mkdir("dsticky", 01777));
    mode("its mode", "dsticky");
    chk("mkdirat 0751", mkdirat(AT_FDCWD, "d751", 0751));
    mode("its mode", "d751");
    umask(027);
    chk("mknod a FIFO 0666 under umask 027", mknod("fifo", S_IFIFO | 0666, 0));
    mode("its mode", "fifo");
    chk("mknodat a regular file 0666", mknodat(AT_FDCWD, "reg", S_IFREG | 0666, 0));
    mode("its mode", "reg");
    chk("mknod type 0 (a regular file)", mknod("reg0", 0644, 0));
    mode("its mode", "reg0");
    chk("mknod over an existing name", mknod("reg", S_IFIFO | 0600, 0));
    chk("mknod a bad type", mknod("bad", 0170000 | 0600, 0));
    chk("mknod a directory", mknod("dnod", S_IFDIR | 0700, 0));
    chk("mkfifo in a missing directory", mkfifo("missing/fifo", 0600));
    umask(022);

    chk("chmod 04755", chmod("f644", 04755));
    mode("its mode", "f644");
    chk("chmod 07777", chmod("f644", 07777));
    mode("its mode", "f644");
    chk("chmod with S_IFDIR bits (ignored)", chmod("f644", S_IFDIR | 0640));
    mode("its mode", "f644");
    chk("fchmod 0600", fchmod(f, 0600));
    fmode("fstat", f);
    chk("fchmodat relative to a dir fd", fchmodat(open("d751", O_RDONLY), "../reg", 0604, 0));
    mode("its mode", "reg");
    chk("fchmodat bad dirfd", fchmodat(999, "reg", 0600, 0));
    chk("chmod a missing file", chmod("missing", 0600));
    chk("fchmod a bad fd", fchmod(999, 0600));
    chk("symlink", symlink("reg", "sym"));
    chk("chmod through the symlink", chmod("sym", 0640));
    mode("target's mode", "reg");
    chk("raw fchmodat 0 flags", syscall(SYS_fchmodat, AT_FDCWD, "reg", 0644));
    mode("its mode", "reg");
    chk("fchmodat AT_SYMLINK_NOFOLLOW on a file",
        fchmodat(AT_FDCWD, "reg", 0640, AT_SYMLINK_NOFOLLOW));
    mode("its mode", "reg");
    chk("fchmodat AT_SYMLINK_NOFOLLOW on a symlink",
        fchmodat(AT_FDCWD, "sym", 0600, AT_SYMLINK_NOFOLLOW));
    mode("the target's mode", "reg");
    chk("fchmodat bad flags", fchmodat(AT_FDCWD, "reg", 0600, 0x8000));
    chk("fchmodat2 bad flags", syscall(452, AT_FDCWD, "reg", 0600, 0x8000));
    chk("fchmodat2 AT_SYMLINK_NOFOLLOW on a symlink",
        syscall(452, AT_FDCWD, "sym", 0600, AT_SYMLINK_NOFOLLOW));
    chk("fchmodat2 AT_SYMLINK_NOFOLLOW on a file",
        syscall(452, AT_FDCWD, "reg", 0444, AT_SYMLINK_NOFOLLOW));
    mode("its mode", "reg");
    chk("fchmodat2 AT_EMPTY_PATH on an fd", syscall(452, f, "", 0604, AT_EMPTY_PATH));
    fmode("fstat", f);
    chk("fchmodat2 \"\" without AT_EMPTY_PATH", syscall(452, f, "", 0600, 0));
    chk("linkat AT_EMPTY_PATH of an open file",
        linkat(f, "", AT_FDCWD, "f644.link", AT_EMPTY_PATH));
    mode("f644.link", "f644.link");
    chk("linkat \"\" without AT_EMPTY_PATH", linkat(f, "", AT_FDCWD, "f644.link2", 0));

    chk("chmod 0", chmod("f600", 0));
    chk("access F_OK of mode 0", access("f600", F_OK));
    chk("faccessat AT_EACCESS F_OK", faccessat(AT_FDCWD, "f600", F_OK, AT_EACCESS));
    chk("faccessat AT_SYMLINK_NOFOLLOW on a symlink",
        faccessat(AT_FDCWD, "sym", F_OK, AT_SYMLINK_NOFOLLOW));
    chk("access X_OK of a 0644 file", (chmod("reg", 0644), access("reg", X_OK)));
    chk("access through a file", access("reg/x", F_OK));

    chk("O_CREAT|O_EXCL on a symlink", open("sym", O_CREAT | O_EXCL | O_RDWR, 0600));
    chk("O_CREAT|O_EXCL on a dangling symlink",
        (symlink("nowhere", "dang"), open("dang", O_CREAT | O_EXCL | O_RDWR, 0600)));
    chk("O_CREAT through a dangling symlink", open("dang", O_CREAT | O_RDWR, 0600));
    mode("its target", "nowhere");
    chk("O_EXCL without O_CREAT on an existing file", open("reg", O_EXCL | O_RDONLY));
    chk("O_NOFOLLOW on a symlink", open("sym", O_NOFOLLOW | O_RDONLY));
    chk("O_NOFOLLOW on a symlink's parent", open("sym/../reg", O_NOFOLLOW | O_RDONLY));
    chk("O_NOFOLLOW|O_PATH on a symlink", open("sym", O_NOFOLLOW | O_PATH));
    chk("O_DIRECTORY on a file", open("reg", O_DIRECTORY | O_RDONLY));
    chk("O_DIRECTORY on a FIFO", open("fifo", O_DIRECTORY | O_RDONLY));
    chk("O_DIRECTORY|O_CREAT on a new name", open("newdir", O_DIRECTORY | O_CREAT | O_RDWR, 0600));
    chk("open a directory O_CREAT", open("d751", O_CREAT | O_RDONLY, 0600));
    chk("open \"reg/\"", open("reg/", O_RDONLY));
    chk("open \"new/\" O_CREAT", open("new/", O_CREAT | O_RDWR, 0600));
    chk("open O_WRONLY|O_RDWR (3)", open("reg", 3));
    if (write(f, "hello", 5) != 5)
        return 1;
    int t = open("f644", O_RDONLY | O_TRUNC);
    fmode("O_RDONLY|O_TRUNC", t);
    chk("open a FIFO O_RDWR", open("fifo", O_RDWR));
    chk("open a FIFO O_WRONLY|O_NONBLOCK without a reader", open("fifo", O_WRONLY | O_NONBLOCK));

    int p = open("d751", O_PATH);
    chk("open O_PATH a directory", p);
    fmode("fstat of it", p);
    int q = openat(p, "../reg", O_RDONLY);
    chk("openat relative to the O_PATH fd", q);
    chk("read from the O_PATH dir fd", read(p, buf, 1));
    int pf = open("reg", O_PATH);
    chk("read from an O_PATH file fd", read(pf, buf, 1));
    chk("write to an O_PATH file fd", write(pf, "x", 1));
    chk("fchmod an O_PATH fd", fchmod(pf, 0600));
    chk("ftruncate an O_PATH fd", ftruncate(pf, 0));
    chk("fsync an O_PATH fd", fsync(pf));
    chk("mmap an O_PATH fd", syscall(SYS_mmap, 0, 4096, 1, 1, pf, 0) == -1 ? -1 : 0);
    chk("dup an O_PATH fd", dup(pf));
    val("F_GETFL of O_PATH", fcntl(pf, F_GETFL) & (O_PATH | O_ACCMODE));
    chk("fstatat AT_EMPTY_PATH on it", fstatat(pf, "", &(struct stat){0}, AT_EMPTY_PATH));
    chk("fchdir to the O_PATH dir fd", fchdir(p));
    chk("open reg from there", close(open("../reg", O_RDONLY)));
    chk("back", chdir(".."));

    int tf = open(".", O_TMPFILE | O_RDWR, 0640);
    chk("O_TMPFILE", tf);
    fmode("its mode", tf);
    struct stat st;
    fstat(tf, &st);
    val("its nlink", (long)st.st_nlink);
    chk("O_TMPFILE on a file", open("reg", O_TMPFILE | O_RDWR, 0600));
    chk("O_TMPFILE without write access", open(".", O_TMPFILE | O_RDONLY, 0600));
    chk("O_TMPFILE in a missing directory", open("missing", O_TMPFILE | O_RDWR, 0600));
    if (write(tf, "tmp", 3) != 3)
        return 1;
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", tf);
    chk("linkat /proc/self/fd/N AT_SYMLINK_FOLLOW",
        linkat(AT_FDCWD, proc, AT_FDCWD, "named", AT_SYMLINK_FOLLOW));
    mode("named", "named");
    int nf = open("named", O_RDONLY);
    val("read named", read(nf, buf, sizeof(buf)));
    fstat(tf, &st);
    val("nlink after linkat", (long)st.st_nlink);
    int ex = open(".", O_TMPFILE | O_RDWR | O_EXCL, 0600);
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", ex);
    chk("linkat of an O_TMPFILE|O_EXCL file",
        linkat(AT_FDCWD, proc, AT_FDCWD, "named2", AT_SYMLINK_FOLLOW));

    int a = open("app", O_RDWR | O_CREAT | O_APPEND, 0600);
    val("write O_APPEND", write(a, "abc", 3));
    val("pwrite O_APPEND at 0", pwrite(a, "Z", 1, 0));
    val("lseek SEEK_CUR after", lseek(a, 0, SEEK_CUR));
    memset(buf, 0, sizeof(buf));
    val("pread", pread(a, buf, sizeof(buf), 0));
    say("content: %s\n", buf);
    return 0;
}
