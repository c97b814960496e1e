// modes: direct sim
/* Descriptors across fork (fork(2), open(2), fcntl(2)): parent and child
 * share the open file description (offset, status flags), each has its
 * own descriptor table (close, FD_CLOEXEC). */
#include "conf.h"
#include <fcntl.h>

int main(int argc, char **argv)
{
    char path[4096], b[4] = {0};
    if (argc < 2)
        return 2;
    snprintf(path, sizeof(path), "%s/fork_fds", argv[1]);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, "abcdefgh", 8) != 8 || lseek(fd, 0, SEEK_SET))
        return 1;
    int cx = open(path, O_RDONLY | O_CLOEXEC);
    pid_t pid = xfork();
    if (pid == 0) {
        val("child read", read(fd, b, 3));
        val("child F_SETFL O_NONBLOCK|O_APPEND", fcntl(fd, F_SETFL, O_NONBLOCK | O_APPEND));
        say("child FD_CLOEXEC inherited: %s\n", fcntl(cx, F_GETFD) == FD_CLOEXEC ? "yes" : "no");
        chk("child close", close(fd));
        _exit(0);
    }
    reap("child", pid);
    val("parent offset after the child's read", lseek(fd, 0, SEEK_CUR));
    val("parent read", read(fd, b, 2));
    say("parent read: %c%c\n", pc(b[0]), pc(b[1]));
    int fl = fcntl(fd, F_GETFL);
    say("parent sees O_NONBLOCK %s O_APPEND %s\n", fl & O_NONBLOCK ? "set" : "clear",
        fl & O_APPEND ? "set" : "clear");
    val("parent write (O_APPEND)", write(fd, "Z", 1));
    val("offset after an appending write", lseek(fd, 0, SEEK_CUR));
    return 0;
}
