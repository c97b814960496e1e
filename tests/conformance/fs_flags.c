// modes: direct sim
/* More descriptor and path facts, from fcntl(2) (F_GETFL: O_LARGEFILE,
 * no creation flags, F_SETFL of O_DIRECT and O_NOATIME; F_GETLEASE),
 * rename(2) (onto a hard link of itself: nothing happens), link counts of
 * directories, openat(2) (an absolute path ignores dirfd), the errnos of
 * "" and "/" as names. */
#include "conf.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    int f = open("file", O_RDWR | O_CREAT, 0644);
    write(f, "hello", 5);
    link("file", "hard");
    chk("rename onto its own hard link", rename("file", "hard"));
    say("both names: %s %s\n", access("file", F_OK) ? "no" : "yes",
        access("hard", F_OK) ? "no" : "yes");
    mkdir("d", 0755);
    mkdir("d/a", 0755);
    mkdir("d/b", 0755);
    struct stat st;
    stat("d", &st);
    val("nlink d with 2 subdirs", st.st_nlink);
    rmdir("d/a");
    stat("d", &st);
    val("after rmdir", st.st_nlink);
    chk("openat absolute with a bad dirfd", openat(999, "/", O_RDONLY));
    val("F_GETFL of O_RDWR", fcntl(f, F_GETFL));
    int g = open("file", O_WRONLY | O_SYNC | O_DSYNC | O_APPEND | O_NONBLOCK | O_NOATIME);
    val("F_GETFL of many flags", fcntl(g, F_GETFL));
    int h = open("file", O_RDONLY | O_DIRECT);
    val("F_GETFL O_DIRECT", h < 0 ? -1 : fcntl(h, F_GETFL));
    chk("F_SETFL O_DIRECT", fcntl(f, F_SETFL, O_DIRECT));
    val("then F_GETFL", fcntl(f, F_GETFL));
    chk("F_SETFL O_NOATIME", fcntl(f, F_SETFL, O_NOATIME));
    val("then F_GETFL", fcntl(f, F_GETFL));
    int p[2];
    pipe(p);
    val("pipe F_GETFL", fcntl(p[0], F_GETFL));
    val("pipe write end F_GETFL", fcntl(p[1], F_GETFL));
    int dd = open("d", O_RDONLY | O_DIRECTORY);
    val("dir F_GETFL", fcntl(dd, F_GETFL));
    int op = open("file", O_PATH);
    val("O_PATH F_GETFL", fcntl(op, F_GETFL));
    chk("F_GETLEASE", fcntl(f, F_GETLEASE));
    chk("F_ADD_SEALS on a regular file", fcntl(f, F_ADD_SEALS, F_SEAL_WRITE));
    chk("F_GET_SEALS on a regular file", fcntl(f, F_GET_SEALS));
    chk("F_GETOWN", fcntl(f, F_GETOWN));
    chk("F_SETFD 5", fcntl(f, F_SETFD, 5));
    val("F_GETFD", fcntl(f, F_GETFD));
    chk("readlink bufsiz -1", syscall(SYS_readlink, "file", (char[4]){0}, -1L));
    chk("mkdir \"\"", mkdir("", 0700));
    chk("rmdir \"\"", rmdir(""));
    chk("rename \"\"", rename("", "x"));
    chk("chdir \"\"", chdir(""));
    chk("link \"\"", link("", "x"));
    chk("symlink to \"\"", symlink("file", ""));
    chk("unlink /", unlink("/"));
    chk("rmdir /", rmdir("/"));
    chk("rename / x", rename("/", "x"));
    chk("mkdir /", mkdir("/", 0700));
    chk("link / x", link("/", "x"));
    return 0;
}
