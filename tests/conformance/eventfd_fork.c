// modes: direct sim
/* An eventfd is one open file shared with a forked child (eventfd(2),
 * fork(2)): the child's write wakes and feeds the parent's read, and what
 * the child reads is gone for the parent. */
#include "conf.h"
#include <poll.h>
#include <sys/eventfd.h>

int main(void)
{
    uint64_t v = 5;
    int st;
    int fd = eventfd(0, EFD_NONBLOCK);
    if (fd < 0)
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        val("child: write 5", write(fd, &v, 8));
        _exit(0);
    }
    waitpid(pid, &st, 0);
    struct pollfd p = {fd, POLLIN, 0};
    val("parent: poll after the child's write", poll(&p, 1, 200));
    v = 0;
    val("parent: read", read(fd, &v, 8));
    say("parent: value %llu\n", (unsigned long long)v);

    int fd2 = eventfd(7, EFD_NONBLOCK);
    pid = fork();
    if (pid == 0) {
        v = 0;
        val("child: read", read(fd2, &v, 8));
        say("child: value %llu\n", (unsigned long long)v);
        _exit(0);
    }
    waitpid(pid, &st, 0);
    chk("parent: read after the child's", read(fd2, &v, 8));
    return 0;
}
