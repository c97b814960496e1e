/* Bad pointers handed to syscalls must give EFAULT, not kill the process,
 * and leave the libOS usable (locks released). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fails;

static void expect_efault(long r, const char *what)
{
    int ok = r == -1 && errno == EFAULT;
    fails += !ok;
    printf("%s %s\n", ok ? "pass" : "FAIL", what);
}

int main(void)
{
    void *bad = (void *)16;
    expect_efault(syscall(SYS_write, 1, bad, 10), "write from a bad buffer");
    expect_efault(syscall(SYS_open, bad, O_RDONLY), "open of a bad path");
    expect_efault(syscall(SYS_stat, "/", bad), "stat into a bad buffer");
    expect_efault(syscall(SYS_rt_sigaction, SIGUSR1, bad, NULL, 8), "rt_sigaction from a bad pointer");
    expect_efault(syscall(SYS_uname, bad), "uname into a bad buffer");
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    int ok = sigaction(SIGUSR1, &sa, NULL) == 0; /* its lock was released */
    fails += !ok;
    printf("%s sigaction works afterwards\n", ok ? "pass" : "FAIL");
    printf("failures=%d\n", fails);
    return fails;
}
