// modes: direct sim
/* Errors of file system calls (open(2), mkdir(2), rmdir(2), unlink(2),
 * rename(2), link(2), readlink(2), truncate(2), read(2), write(2),
 * path_resolution(7)): ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, EBADF,
 * EFAULT, EINVAL, ENAMETOOLONG, ELOOP, EPERM. */
#include "conf.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

static char base[PATH_MAX];

static const char *at(const char *rel)
{
    static char bufs[4][2 * PATH_MAX];
    static int i;
    char *b = bufs[i++ % 4];
    snprintf(b, 2 * PATH_MAX, "%s/%s", base, rel);
    return b;
}

int main(int argc, char **argv)
{
    char buf[16], longname[NAME_MAX + 2];
    if (argc < 2)
        return 2;
    snprintf(base, sizeof(base), "%s", argv[1]);
    int f = open(at("file"), O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (f < 0 || write(f, "data", 4) != 4 || mkdir(at("dir"), 0700) || mkdir(at("full"), 0700) ||
        close(open(at("full/x"), O_CREAT | O_WRONLY, 0600)))
        return 1;
    chk("open a missing file", open(at("missing"), O_RDONLY));
    chk("open in a missing directory", open(at("missing/x"), O_RDONLY));
    chk("open O_CREAT|O_EXCL an existing file", open(at("file"), O_CREAT | O_EXCL | O_RDWR, 0600));
    chk("open file/x", open(at("file/x"), O_RDONLY));
    chk("open a file O_DIRECTORY", open(at("file"), O_RDONLY | O_DIRECTORY));
    chk("open a directory O_WRONLY", open(at("dir"), O_WRONLY));
    chk("open a directory O_RDWR", open(at("dir"), O_RDWR));
    chk("open a directory O_CREAT", open(at("dir"), O_CREAT | O_RDONLY, 0600));
    chk("open \"\"", open("", O_RDONLY));
    chk("open a bad pointer", open(BAD, O_RDONLY));
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = 0;
    chk("open a name of NAME_MAX+1", open(at(longname), O_RDONLY));
    chk("mkdir an existing directory", mkdir(at("dir"), 0700));
    chk("mkdir over a file", mkdir(at("file"), 0700));
    chk("mkdir in a missing directory", mkdir(at("missing/d"), 0700));
    chk("rmdir a non-empty directory", rmdir(at("full")));
    chk("rmdir a file", rmdir(at("file")));
    chk("rmdir a missing one", rmdir(at("missing")));
    chk("unlink a directory", unlink(at("dir")));
    chk("rename a directory over a file", rename(at("dir"), at("file")));
    chk("rename a file over a directory", rename(at("file"), at("dir")));
    chk("rename a directory into itself", rename(at("dir"), at("dir/sub")));
    chk("rename a missing file", rename(at("missing"), at("other")));
    chk("link a directory", link(at("dir"), at("dirlink")));
    chk("link onto an existing name", link(at("file"), at("full/x")));
    chk("readlink a regular file", readlink(at("file"), buf, sizeof(buf)));
    chk("symlink loop a->b", symlink(at("b"), at("a")));
    chk("symlink loop b->a", symlink(at("a"), at("b")));
    chk("open through a symlink loop", open(at("a"), O_RDONLY));
    chk("open a symlink O_NOFOLLOW", open(at("a"), O_RDONLY | O_NOFOLLOW));
    chk("truncate a directory", truncate(at("dir"), 0));
    chk("truncate to a negative length", truncate(at("file"), -1));
    int ro = open(at("file"), O_RDONLY), wo = open(at("file"), O_WRONLY);
    int dir = open(at("dir"), O_RDONLY | O_DIRECTORY);
    chk("write to an O_RDONLY fd", write(ro, "x", 1));
    chk("read from an O_WRONLY fd", read(wo, buf, 1));
    chk("read a directory", read(dir, buf, 1));
    chk("read into a bad pointer", read(ro, BAD, 4));
    chk("write from a bad pointer", write(wo, BAD, 4));
    chk("lseek whence 99", lseek(ro, 0, 99));
    chk("lseek to a negative offset", lseek(ro, -10, SEEK_SET));
    chk("fchdir to a file", fchdir(ro));
    chk("chdir to a file", chdir(at("file")));
    chk("ftruncate an O_RDONLY fd", ftruncate(ro, 0));
    chk("openat a relative name on a file fd", openat(ro, "x", O_RDONLY));
    chk("openat a relative name on a closed fd", openat(999, "x", O_RDONLY));
    chk("mkdirat on a bad fd", mkdirat(999, "x", 0700));
    chk("unlinkat AT_REMOVEDIR a file", unlinkat(AT_FDCWD, at("file"), AT_REMOVEDIR));
    chk("unlinkat bad flags", unlinkat(AT_FDCWD, at("file"), 0x4000));
    return 0;
}
