// modes: direct sim
/* What /proc/self/fd/N links to for the anonymous-inode files (proc(5)):
 * anon_inode:[eventfd], [eventpoll], [signalfd], [timerfd], inotify,
 * [pidfd]. */
#include "conf.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>

int main(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    const char *what[] = {"eventfd", "epoll", "signalfd", "timerfd", "inotify", "pidfd"};
    int fds[] = {eventfd(0, 0),
                 epoll_create1(0),
                 signalfd(-1, &s, 0),
                 timerfd_create(CLOCK_MONOTONIC, 0),
                 inotify_init1(0),
                 (int)syscall(SYS_pidfd_open, getpid(), 0)};
    for (int i = 0; i < 6; i++) {
        char p[64], b[128];
        snprintf(p, sizeof(p), "/proc/self/fd/%d", fds[i]);
        long n = fds[i] < 0 ? -1 : readlink(p, b, sizeof(b) - 1);
        if (n < 0) {
            say("%s: -1 %s\n", what[i], ename(errno));
            continue;
        }
        b[n] = 0;
        say("%s: %s\n", what[i], b);
    }
    return 0;
}
