// modes: direct sim
/* pidfd_send_signal(2) and waitid(P_PIDFD) on what is not a pidfd: a
 * closed number EBADF, a file EBADF, flags EINVAL before the descriptor;
 * a /proc/<pid> directory (and /proc/self) is a pidfd for
 * pidfd_send_signal only; a bad signal number EINVAL after the
 * descriptor; a siginfo naming another signal EINVAL; signal 0 probes. */
#include "conf.h"
#include <fcntl.h>
#include <sys/syscall.h>

static volatile sig_atomic_t got;
static void on_usr1(int s)
{
    got = s;
}

static long send(int fd, int sig, siginfo_t *info, unsigned flags)
{
    return syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

int main(void)
{
    char p[64];
    siginfo_t si;
    signal(SIGUSR1, on_usr1);
    int file = open("/proc/self/status", O_RDONLY);
    snprintf(p, sizeof(p), "/proc/%d", (int)getpid());
    int me = open(p, O_RDONLY | O_DIRECTORY);
    int self = open("/proc/self", O_RDONLY | O_DIRECTORY);
    snprintf(p, sizeof(p), "/proc/%d/task", (int)getpid());
    int task = open(p, O_RDONLY | O_DIRECTORY);
    int pfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
    if (file < 0 || me < 0 || self < 0 || task < 0 || pfd < 0)
        return 1;
    chk("a closed number", send(999, SIGUSR1, NULL, 0));
    chk("a file", send(file, SIGUSR1, NULL, 0));
    chk("a file, bad flags", send(file, SIGUSR1, NULL, 0x100));
    chk("a file, bad signal", send(file, 1000, NULL, 0));
    chk("/proc/<pid>/task", send(task, 0, NULL, 0));
    chk("/proc/<pid>, bad signal", send(me, 1000, NULL, 0));
    chk("/proc/<pid>, signal 0", send(me, 0, NULL, 0));
    chk("/proc/self, signal 0", send(self, 0, NULL, 0));
    chk("/proc/<pid>, SIGUSR1", send(me, SIGUSR1, NULL, 0));
    say("handler saw %s\n", got ? sname(got) : "nothing");
    got = 0;
    chk("pidfd, SIGUSR1", send(pfd, SIGUSR1, NULL, 0));
    say("handler saw %s\n", got ? sname(got) : "nothing");
    memset(&si, 0, sizeof(si));
    si.si_signo = SIGUSR2;
    si.si_code = SI_QUEUE;
    chk("siginfo naming another signal", send(pfd, SIGUSR1, &si, 0));
    chk("waitid P_PIDFD of a file", waitid(P_PIDFD, file, &si, WEXITED | WNOHANG));
    chk("waitid P_PIDFD of /proc/<pid>", waitid(P_PIDFD, me, &si, WEXITED | WNOHANG));
    chk("waitid P_PIDFD of a closed number", waitid(P_PIDFD, 999, &si, WEXITED | WNOHANG));
    return 0;
}
