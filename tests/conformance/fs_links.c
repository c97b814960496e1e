// modes: direct sim
/* Hard and symbolic links, from link(2), linkat(2), symlink(2),
 * symlinkat(2), readlink(2), readlinkat(2), unlink(2), unlinkat(2),
 * path_resolution(7), symlink(7): st_nlink counts, AT_SYMLINK_FOLLOW,
 * AT_EMPTY_PATH, readlink's truncation without a NUL, the errnos of
 * unlinking (EISDIR, ENOTDIR, ENOENT, ELOOP, ENAMETOOLONG). */
#include "conf.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

static long nlink(const char *p)
{
    struct stat st;
    return lstat(p, &st) ? -1 : (long)st.st_nlink;
}

static const char *kind(const char *p)
{
    struct stat st;
    if (lstat(p, &st))
        return ename(errno);
    return S_ISLNK(st.st_mode)   ? "symlink"
           : S_ISREG(st.st_mode) ? "file"
           : S_ISDIR(st.st_mode) ? "dir"
                                 : "other";
}

static void rl(const char *what, int dirfd, const char *p, size_t len)
{
    char buf[64];
    memset(buf, '#', sizeof(buf));
    long n = readlinkat(dirfd, p, buf, len);
    if (n < 0) {
        say("%s: -1 %s\n", what, ename(errno));
        return;
    }
    say("%s: %ld [%.*s] next byte %c\n", what, n, (int)n, buf, buf[n]);
}

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    int f = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (f < 0 || write(f, "data", 4) != 4 || mkdir("dir", 0755) || mkdir("dir/sub", 0755))
        return 1;
    int dfd = open("dir", O_RDONLY | O_DIRECTORY);

    val("nlink of a new file", nlink("file"));
    val("nlink of a directory with one subdirectory", nlink("dir"));
    val("nlink of an empty directory", nlink("dir/sub"));
    chk("link", link("file", "hard"));
    val("nlink after link", nlink("file"));
    struct stat a, b;
    stat("file", &a);
    stat("hard", &b);
    say("same inode: %s\n", a.st_ino == b.st_ino ? "yes" : "no");
    chk("link onto an existing name", link("file", "hard"));
    chk("link a missing file", link("missing", "x"));
    chk("link into a missing directory", link("file", "missing/x"));
    chk("link a directory", link("dir", "dirlink"));
    chk("linkat relative to a directory fd", linkat(AT_FDCWD, "file", dfd, "h2", 0));
    val("nlink", nlink("file"));
    chk("linkat bad flags", linkat(AT_FDCWD, "file", AT_FDCWD, "h3", 0x8000));
    chk("linkat bad dirfd", linkat(999, "file", AT_FDCWD, "h3", 0));

    chk("symlink", symlink("file", "sym"));
    say("kind of sym: %s\n", kind("sym"));
    val("nlink of the target after symlink", nlink("file"));
    chk("symlink onto an existing name", symlink("file", "sym"));
    chk("symlink \"\"", symlink("", "empty"));
    chk("symlink to a missing target", symlink("nowhere", "dangling"));
    say("kind of dangling: %s\n", kind("dangling"));
    chk("stat a dangling symlink", stat("dangling", &a));
    chk("symlinkat relative to a directory fd", symlinkat("../file", dfd, "up"));
    stat("dir/up", &a);
    say("dir/up reaches file: %s\n", a.st_ino == b.st_ino ? "yes" : "no");
    chk("link a symlink (not followed)", link("sym", "symhard"));
    say("kind of symhard: %s\n", kind("symhard"));
    chk("linkat AT_SYMLINK_FOLLOW",
        linkat(AT_FDCWD, "sym", AT_FDCWD, "followed", AT_SYMLINK_FOLLOW));
    say("kind of followed: %s\n", kind("followed"));
    val("nlink of file now", nlink("file"));
    chk("linkat AT_SYMLINK_FOLLOW of a dangling link",
        linkat(AT_FDCWD, "dangling", AT_FDCWD, "x", AT_SYMLINK_FOLLOW));

    rl("readlink", AT_FDCWD, "sym", 64);
    rl("readlink into 2 bytes", AT_FDCWD, "sym", 2);
    rl("readlinkat relative", dfd, "up", 64);
    rl("readlink a file", AT_FDCWD, "file", 64);
    rl("readlink a directory", AT_FDCWD, "dir", 64);
    rl("readlink a missing name", AT_FDCWD, "missing", 64);
    rl("readlink with size 0", AT_FDCWD, "sym", 0);
    rl("readlink through a file", AT_FDCWD, "file/x", 64);
    rl("readlinkat \"\" on a file fd", f, "", 64);

    chk("symlink loop a->b", symlink("b", "a"));
    chk("symlink loop b->a", symlink("a", "b"));
    chk("stat through the loop", stat("a", &a));
    chk("lstat of the loop", lstat("a", &a));
    chk("open a path through the loop", open("a/x", O_RDONLY));
    chk("unlink below the loop", unlink("a/x"));
    chk("mkdir below the loop", mkdir("a/d", 0700));
    chk("unlink the loop itself", unlink("a"));
    chk("symlink to a directory", symlink("dir", "dsym"));
    chk("unlink a directory", unlink("dir"));
    chk("unlink a symlink to a directory", unlink("dsym"));
    say("kind of dir after: %s\n", kind("dir"));
    chk("unlink through a file", unlink("file/x"));
    chk("unlink a missing name", unlink("missing"));
    chk("unlink in a missing directory", unlink("missing/x"));
    chk("unlink dir/", unlink("hard/"));
    chk("unlinkat AT_REMOVEDIR a file", unlinkat(AT_FDCWD, "hard", AT_REMOVEDIR));
    chk("unlinkat 0 a directory", unlinkat(dfd, "sub", 0));
    chk("unlinkat AT_REMOVEDIR a directory", unlinkat(dfd, "sub", AT_REMOVEDIR));
    chk("unlinkat AT_REMOVEDIR a symlink to a directory", unlinkat(AT_FDCWD, "dsym", AT_REMOVEDIR));
    chk("unlinkat bad dirfd", unlinkat(999, "x", 0));
    chk("unlinkat relative to a file fd", unlinkat(f, "x", 0));
    char longname[NAME_MAX + 2];
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = 0;
    chk("unlink a name of NAME_MAX+1", unlink(longname));
    chk("symlink a name of NAME_MAX+1", symlink("file", longname));
    chk("link to a name of NAME_MAX+1", link("file", longname));
    static char longpath[PATH_MAX + 10];
    memset(longpath, 'p', sizeof(longpath) - 1);
    for (int i = 100; i < (int)sizeof(longpath) - 1; i += 100)
        longpath[i] = '/';
    chk("unlink a path of PATH_MAX+9", unlink(longpath));
    static char longtarget[PATH_MAX + 1];
    memset(longtarget, 't', PATH_MAX);
    chk("symlink a target of PATH_MAX", symlink(longtarget, "longt"));

    val("nlink before unlink", nlink("file"));
    chk("unlink hard", unlink("hard"));
    chk("unlinkat dir/h2", unlinkat(dfd, "h2", 0));
    val("nlink after two unlinks", nlink("file"));
    chk("unlink file while open", unlink("file"));
    fstat(f, &a);
    val("fstat nlink of the open unlinked file", (long)a.st_nlink);
    char buf[8] = {0};
    val("pread the unlinked file", pread(f, buf, 8, 0));
    say("kind of sym now: %s, stat it: %s\n", kind("sym"), stat("sym", &a) ? ename(errno) : "ok");
    rl("readlink of the dangling sym", AT_FDCWD, "sym", 64);
    val("nlink of followed", nlink("followed"));
    return 0;
}
