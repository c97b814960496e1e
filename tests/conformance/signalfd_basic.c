// modes: direct sim
/* signalfd (signalfd(2)): blocked signals of the mask are read as
 * signalfd_siginfo records instead of being delivered; EAGAIN when none is
 * pending; poll and epoll see the descriptor readable; changing the mask of
 * an existing signalfd; several records in one read; a blocking read woken
 * by a signal another thread sends; a blocked signal without a handler
 * stays pending (no default action) until read; the errors. */
#include "conf.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>

static void *sender(void *arg)
{
    (void)arg;
    struct timespec nap = {0, 50 * 1000000};
    nanosleep(&nap, NULL);
    kill(getpid(), SIGUSR2);
    return NULL;
}

int main(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);

    sigset_t m1;
    sigemptyset(&m1);
    sigaddset(&m1, SIGUSR1);
    int fd = signalfd(-1, &m1, SFD_NONBLOCK | SFD_CLOEXEC);
    chk("signalfd(-1, {USR1}, NONBLOCK|CLOEXEC)", fd);
    say("FD_CLOEXEC set: %d\n", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    struct signalfd_siginfo si[4];
    val("read with nothing pending", read(fd, si, sizeof(si)));
    val("read with a short buffer", read(fd, si, 100));

    struct pollfd p = {fd, POLLIN, 0};
    val("poll before a signal", poll(&p, 1, 0));
    kill(getpid(), SIGUSR1);
    val("poll after kill(USR1)", poll(&p, 1, 0));
    long n = read(fd, si, sizeof(si));
    val("read bytes", n);
    say("record: signo %s code %d\n", sname((int)si[0].ssi_signo), si[0].ssi_code);
    val("read again", read(fd, si, sizeof(si)));
    val("poll after the read", poll(&p, 1, 0));

    /* SIGUSR2 is blocked but not in the mask: the signalfd does not see it;
     * after the mask changes, it does. */
    kill(getpid(), SIGUSR2);
    val("read with USR2 pending, not in the mask", read(fd, si, sizeof(si)));
    sigset_t m2 = m1;
    sigaddset(&m2, SIGUSR2);
    val("signalfd(fd, {USR1, USR2}) updates the mask", signalfd(fd, &m2, 0));
    kill(getpid(), SIGUSR1);
    n = read(fd, si, sizeof(si));
    say("two records in one read: %ld bytes, %s and %s\n", n, sname((int)si[0].ssi_signo),
        n >= 256 ? sname((int)si[1].ssi_signo) : "-");

    /* epoll. */
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 9}, got;
    chk("epoll_ctl ADD", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    val("epoll_wait with nothing pending", epoll_wait(ep, &got, 1, 0));
    kill(getpid(), SIGUSR2);
    val("epoll_wait after kill(USR2)", epoll_wait(ep, &got, 1, 1000));
    val("read", read(fd, si, sizeof(si)));
    close(ep);

    /* SIGTERM blocked, no handler: it stays pending instead of ending us. */
    sigset_t m3;
    sigemptyset(&m3);
    sigaddset(&m3, SIGTERM);
    int tfd = signalfd(-1, &m3, 0);
    chk("signalfd({TERM}), blocking", tfd);
    kill(getpid(), SIGTERM);
    n = read(tfd, si, sizeof(si));
    say("blocked SIGTERM read instead of delivered: %ld bytes, %s\n", n,
        sname((int)si[0].ssi_signo));

    /* A blocking read woken by another thread's kill. */
    pthread_t th;
    pthread_create(&th, NULL, sender, NULL);
    int bfd = signalfd(-1, &m2, 0);
    n = read(bfd, si, sizeof(si));
    say("blocking read woken by a thread: %ld bytes, %s\n", n, sname((int)si[0].ssi_signo));
    pthread_join(th, NULL);

    /* A forked child has its own pending set. */
    kill(getpid(), SIGUSR1);
    pid_t pid = fork();
    if (pid == 0) {
        struct signalfd_siginfo c;
        long r = read(fd, &c, sizeof(c));
        _exit(r == -1 && errno == EAGAIN ? 0 : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    say("child sees none of the parent's pending signals: %s\n", wstr(st));
    val("parent still reads its own", read(fd, si, sizeof(si)));

    /* Errors. */
    val("signalfd bad flags", signalfd(-1, &m1, 0x1234));
    val("signalfd sizemask 4", syscall(SYS_signalfd4, -1, &m1, 4, 0));
    val("signalfd on a pipe", signalfd(0, &m1, 0));
    val("signalfd on a closed fd", signalfd(999, &m1, 0));
    val("signalfd mask = bad", syscall(SYS_signalfd4, -1, BAD, 8, 0));
    val("write", write(fd, si, sizeof(si[0])));
    return 0;
}
