// modes: direct sim
/* Path resolution's edge cases, from path_resolution(7), rename(2),
 * link(2), symlink(2), mkdir(2), mknod(2), rmdir(2), open(2),
 * faccessat(2), readlinkat(2), utimensat(2), fchownat(2): trailing
 * slashes (a directory is required; a missing name to create is ENOENT
 * except for mkdir), "." and ".." after a non-directory, "." or ".." as
 * the last component of a rename, "" with and without AT_EMPTY_PATH. */
#include "conf.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    char b[64];
    int f = open("file", O_RDWR | O_CREAT, 0644);
    if (f < 0 || mkdir("dir", 0755) || mkdir("dir2", 0755))
        return 1;
    chk("rename file to new/", rename("file", "new/"));
    chk("rename file/ to new", rename("file/", "new"));
    chk("rename dir2 to newd/", rename("dir2", "newd/"));
    chk("rename newd/ back to dir2", rename("newd/", "dir2"));
    chk("rename dir onto file/", rename("dir", "file/"));
    chk("link file new/", link("file", "new/"));
    chk("link file onto file/", link("file", "file/"));
    chk("symlink to new/", symlink("file", "new/"));
    chk("symlink onto dir/", symlink("file", "dir/"));
    chk("mknod a FIFO fifo/", mknod("fifo/", S_IFIFO | 0600, 0));
    chk("mkdir new/", mkdir("new/", 0755));
    chk("mkdir file/", mkdir("file/", 0755));
    chk("rmdir new//", rmdir("new//"));
    chk("mkdirat on a file fd", mkdirat(f, "x", 0755));
    chk("unlink file/.", unlink("file/."));
    chk("unlink file/", unlink("file/"));
    chk("rmdir dir/.", rmdir("dir/."));
    chk("rmdir dir/..", rmdir("dir/.."));
    chk("mkdir dir/.", mkdir("dir/.", 0755));
    chk("link dir/. x", link("dir/.", "x"));
    chk("symlink to dir/.", symlink("x", "dir/."));
    chk("open . O_CREAT", open(".", O_CREAT | O_RDONLY, 0600));
    chk("open dir/.. O_WRONLY", open("dir/..", O_WRONLY));
    chk("rename dir dir/..", rename("dir", "dir/.."));
    chk("rename dir/. z", rename("dir/.", "z"));
    chk("RENAME_NOREPLACE onto dir/.",
        syscall(SYS_renameat2, AT_FDCWD, "dir2", AT_FDCWD, "dir/.", RENAME_NOREPLACE));
    chk("rename file over itself through dir/../file", rename("file", "dir/../file"));
    chk("access dir/../file", access("dir/../file", F_OK));
    chk("access file/..", access("file/..", F_OK));
    chk("access file/.", access("file/.", F_OK));
    chk("access missing/..", access("missing/..", F_OK));
    chk("chdir file/..", chdir("file/.."));
    chk("stat file/", stat("file/", &(struct stat){0}));
    chk("truncate dir/", truncate("dir/", 0));
    chk("creat dir/", creat("dir/", 0600));
    chk("creat file/", creat("file/", 0600));
    chk("open file/ O_RDONLY", open("file/", O_RDONLY));
    if (symlink("dir", "dsym") || symlink("file", "fsym"))
        return 1;
    chk("lstat dsym/ follows it", lstat("dsym/", &(struct stat){0}));
    struct stat st;
    lstat("dsym/", &st);
    say("dsym/ is a directory: %s\n", S_ISDIR(st.st_mode) ? "yes" : "no");
    chk("lstat fsym/", lstat("fsym/", &st));
    chk("rename dsym/ x", rename("dsym/", "x"));
    chk("rename dir2 onto dsym/", rename("dir2", "dsym/"));
    chk("mkdir dsym/", mkdir("dsym/", 0755));
    chk("symlink onto dsym/", symlink("x", "dsym/"));
    chk("unlink dsym/", unlink("dsym/"));
    chk("rmdir dsym/", rmdir("dsym/"));
    say("dir still there: %s, dsym still a symlink: %s\n", access("dir", F_OK) ? "no" : "yes",
        lstat("dsym", &st) == 0 && S_ISLNK(st.st_mode) ? "yes" : "no");

    int p = open("file", O_PATH);
    chk("statx AT_EMPTY_PATH on an O_PATH fd",
        statx(p, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &(struct statx){0}));
    chk("faccessat2 AT_EMPTY_PATH", syscall(SYS_faccessat2, f, "", R_OK, AT_EMPTY_PATH));
    chk("faccessat2 \"\" without AT_EMPTY_PATH", syscall(SYS_faccessat2, f, "", R_OK, 0));
    chk("faccessat2 AT_SYMLINK_NOFOLLOW on a dangling symlink",
        (symlink("nowhere", "dang"),
         syscall(SYS_faccessat2, AT_FDCWD, "dang", F_OK, AT_SYMLINK_NOFOLLOW)));
    chk("faccessat2 following the dangling symlink",
        syscall(SYS_faccessat2, AT_FDCWD, "dang", F_OK, 0));
    chk("readlinkat AT_FDCWD \"\"", readlinkat(AT_FDCWD, "", b, sizeof(b)));
    chk("readlinkat \"\" on a bad fd", readlinkat(999, "", b, sizeof(b)));
    int pl = open("fsym", O_PATH | O_NOFOLLOW);
    long n = readlinkat(pl, "", b, sizeof(b));
    say("readlinkat \"\" on an O_PATH symlink fd: %ld [%.*s]\n", n, n > 0 ? (int)n : 0, b);
    chk("readlinkat \"\" on a file fd", readlinkat(f, "", b, sizeof(b)));
    int pd = open("dir", O_PATH);
    chk("fchownat AT_EMPTY_PATH on an O_PATH fd", fchownat(pd, "", -1, -1, AT_EMPTY_PATH));
    chk("fchown an O_PATH fd", fchown(pd, -1, -1));
    chk("fchownat \"\" without AT_EMPTY_PATH", fchownat(pd, "", -1, -1, 0));
    struct timespec ts[2] = {{1000, 0}, {2000, 0}};
    chk("utimensat AT_EMPTY_PATH on a file fd", utimensat(f, "", ts, AT_EMPTY_PATH));
    fstat(f, &st);
    val("its mtime", (long)st.st_mtime);
    chk("utimensat \"\" without AT_EMPTY_PATH", utimensat(f, "", ts, 0));
    return 0;
}
