// modes: direct sim
/* Errors of common calls on descriptors, memory, signals and time
 * (close(2), dup2(2), fcntl(2), lseek(2), ioctl(2), mmap(2), munmap(2),
 * mprotect(2), sigaction(2), kill(2), wait(2), nanosleep(2),
 * clock_gettime(2), getrlimit(2), socket(2), pipe(2)). */
#include "conf.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>

int main(void)
{
    int p[2];
    struct termios tio;
    struct timespec ts = {0, 1000000000};
    struct rlimit rl;
    if (pipe(p))
        return 1;
    chk("close(-1)", close(-1));
    chk("close(999)", close(999));
    chk("dup(999)", dup(999));
    chk("dup2(999, 50)", dup2(999, 50));
    val("dup2(p0, p0)", dup2(p[0], p[0]) == p[0] ? 0 : -1);
    chk("dup3(p0, p0, 0)", dup3(p[0], p[0], 0));
    chk("dup3 bad flags", dup3(p[0], 50, 0x1234));
    chk("fcntl(999, F_GETFL)", fcntl(999, F_GETFL));
    chk("fcntl unknown cmd", fcntl(p[0], 9999));
    chk("F_DUPFD to -1", fcntl(p[0], F_DUPFD, -1));
    chk("lseek on a pipe", lseek(p[0], 0, SEEK_SET));
    chk("TCGETS on a pipe", ioctl(p[0], TCGETS, &tio));
    chk("ioctl on a closed fd", ioctl(999, FIONREAD, &p[1]));
    chk("pipe into a bad pointer", pipe(BAD));
    chk("pipe2 bad flags", pipe2(p, 0x1234));
    chk("mmap length 0", (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    chk("mmap neither shared nor private", (long)mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0));
    chk("mmap a closed fd", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 999, 0));
    chk("mmap a pipe", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, p[0], 0));
    chk("munmap unaligned", munmap((void *)4097, 4096));
    chk("munmap length 0", munmap((void *)4096, 0));
    void *m = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap((char *)m + 4096, 4096);
    chk("mprotect across an unmapped page", mprotect(m, 8192, PROT_READ | PROT_WRITE));
    chk("mprotect unaligned", mprotect((char *)m + 1, 4096, PROT_READ));
    chk("madvise bad advice", madvise(m, 4096, 12345));
    chk("sigaction(SIGKILL)", sigaction(SIGKILL, &(struct sigaction){.sa_handler = SIG_IGN}, NULL));
    chk("sigaction(SIGSTOP)", sigaction(SIGSTOP, &(struct sigaction){.sa_handler = SIG_IGN}, NULL));
    chk("sigaction(0)", sigaction(0, NULL, NULL));
    chk("sigaction(65)", sigaction(65, NULL, NULL));
    chk("rt_sigprocmask bad how, no set (how unused)",
        syscall(SYS_rt_sigprocmask, 99, NULL, NULL, 8));
    chk("rt_sigprocmask bad size", syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, NULL, 4));
    chk("kill bad signal", kill(getpid(), 65));
    chk("wait without children", wait(NULL));
    chk("nanosleep tv_nsec 1e9", nanosleep(&ts, NULL));
    ts.tv_nsec = -1;
    chk("nanosleep tv_nsec -1", nanosleep(&ts, NULL));
    chk("clock_gettime bad clock", clock_gettime(12345, &ts));
    chk("clock_gettime bad pointer", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD));
    chk("getrlimit bad resource", getrlimit(12345, &rl));
    chk("socket bad family", socket(12345, SOCK_STREAM, 0));
    chk("socket bad type", socket(AF_INET, 12345, 0));
    chk("socket bad protocol", socket(AF_INET, SOCK_STREAM, 12345));
    chk("getcwd size 0", getcwd((char *)&rl, 0) ? 0 : -1);
    chk("getcwd size 1", getcwd((char *)&rl, 1) ? 0 : -1);
    chk("unknown syscall 1000", syscall(1000));
    return 0;
}
