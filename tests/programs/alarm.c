/* alarm/setitimer interrupting a blocking read: EINTR without SA_RESTART;
 * with SA_RESTART the read is restarted and gets the byte the handler
 * wrote. Then sigsuspend waits for a timer signal. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static int fds[2];
static volatile int fired;

static void on_alarm(int sig)
{
    (void)sig;
    fired++;
    if (fired == 2)
        write(fds[1], "r", 1);
}

static void arm(int restart)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 100000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

int main(void)
{
    char c;
    int fails = 0;
    pipe(fds);
    arm(0);
    ssize_t n = read(fds[0], &c, 1);
    fails += !(n < 0 && errno == EINTR && fired == 1);
    printf("%s read interrupted with EINTR\n", fails ? "FAIL" : "pass");
    arm(1);
    n = read(fds[0], &c, 1);
    int ok = n == 1 && c == 'r' && fired == 2;
    fails += !ok;
    printf("%s SA_RESTART read restarted\n", ok ? "pass" : "FAIL");
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    sigprocmask(SIG_BLOCK, &block, &old);
    alarm(1);
    sigsuspend(&old);
    ok = fired == 3;
    fails += !ok;
    printf("%s alarm + sigsuspend\n", ok ? "pass" : "FAIL");
    printf("failures=%d\n", fails);
    return fails;
}
