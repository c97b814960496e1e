// modes: direct sim
/* proc(5)'s /proc/self/fd/N links and /dev/fd/N, /dev/stdin,
 * /dev/stdout, /dev/stderr: opening one opens the file N is open on (a
 * new open file: its own position), even a pipe or an unlinked file;
 * stat follows it to that file; readlink, linkat AT_SYMLINK_FOLLOW. */
#include "conf.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    int pp[2];
    if (pipe(pp))
        return 1;
    char p[64], b[64] = {0};
    snprintf(p, sizeof(p), "/proc/self/fd/%d", pp[1]);
    int w = open(p, O_WRONLY);
    chk("open /proc/self/fd/N of a pipe's write end", w);
    val("write through it", write(w, "hi", 2));
    val("read the pipe", read(pp[0], b, 2));
    snprintf(p, sizeof(p), "/dev/fd/%d", pp[0]);
    int r = open(p, O_RDONLY);
    chk("open /dev/fd/N of the read end", r);
    val("write the pipe", write(pp[1], "yo", 2));
    val("read it through the new descriptor", read(r, b, 2));
    struct stat a, c;
    fstat(pp[0], &a);
    chk("stat /dev/fd/N", stat(p, &c));
    say("the pipe's inode: %s, a FIFO: %s\n", a.st_ino == c.st_ino ? "yes" : "no",
        S_ISFIFO(c.st_mode) ? "yes" : "no");
    chk("lstat /dev/fd/N (the link itself)", lstat(p, &c));
    say("a symlink: %s\n", S_ISLNK(c.st_mode) ? "yes" : "no");
    chk("open /dev/fd/N O_NOFOLLOW", open(p, O_RDONLY | O_NOFOLLOW));
    chk("open /proc/self/fd/999", open("/proc/self/fd/999", O_RDONLY));
    chk("lstat /dev/stdout", lstat("/dev/stdout", &c));
    say("/dev/stdout a symlink: %s\n", S_ISLNK(c.st_mode) ? "yes" : "no");
    long n = readlink("/dev/stdin", b, sizeof(b));
    say("readlink /dev/stdin: %.*s\n", n > 0 ? (int)n : 0, b);
    n = readlink("/dev/fd", b, sizeof(b));
    say("readlink /dev/fd: %.*s\n", n > 0 ? (int)n : 0, b);

    int f = open("file", O_RDWR | O_CREAT, 0600);
    if (write(f, "abc", 3) != 3)
        return 1;
    snprintf(p, sizeof(p), "/proc/self/fd/%d", f);
    int g = open(p, O_RDONLY);
    chk("open /proc/self/fd/N of a file", g);
    val("its position is its own", lseek(g, 0, SEEK_CUR));
    val("F_GETFL of it", fcntl(g, F_GETFL) & O_ACCMODE);
    if (unlink("file"))
        return 1;
    n = readlink(p, b, sizeof(b));
    say("readlink after unlink ends in \" (deleted)\": %s\n",
        n > 10 && !memcmp(b + n - 10, " (deleted)", 10) ? "yes" : "no");
    chk("stat it after unlink", stat(p, &c));
    val("its nlink", (long)c.st_nlink);
    int h = open(p, O_RDONLY);
    chk("open it after unlink", h);
    memset(b, 0, sizeof(b));
    val("read it", read(h, b, 3));
    say("got %s\n", b);
    chk("linkat it back AT_SYMLINK_FOLLOW",
        linkat(AT_FDCWD, p, AT_FDCWD, "back", AT_SYMLINK_FOLLOW));
    chk("stat back", stat("back", &c));
    val("its size", (long)c.st_size);
    return 0;
}
