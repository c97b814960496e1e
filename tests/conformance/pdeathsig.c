// modes: direct sim
/* prctl(PR_SET_PDEATHSIG) (prctl(2)): a process whose parent ends gets the
 * signal it asked for; the setting reads back, and a forked child starts
 * without it. The grandchild reports over a pipe to the first process. */
#include "conf.h"

#include <sys/prctl.h>

static int report[2];

static void on_usr1(int sig)
{
    (void)sig;
    char c = 'U';
    if (write(report[1], &c, 1) < 0)
        _exit(3);
}

int main(void)
{
    int ready[2], v = -1;
    if (pipe(report) || pipe(ready))
        return 2;
    chk("prctl(PR_SET_PDEATHSIG, 99)", prctl(PR_SET_PDEATHSIG, 99));
    pid_t mid = fork();
    if (mid == 0) {
        pid_t leaf = fork();
        if (leaf == 0) {
            signal(SIGUSR1, on_usr1);
            prctl(PR_SET_PDEATHSIG, SIGUSR1);
            prctl(PR_GET_PDEATHSIG, &v);
            say("leaf: PR_GET_PDEATHSIG %s\n", sname(v));
            char c = 'R';
            if (write(ready[1], &c, 1) < 0)
                _exit(3);
            for (int i = 0; i < 500; i++) /* up to 5 s for the signal */
                usleep(10000);
            _exit(0);
        }
        char c;
        if (read(ready[0], &c, 1) != 1)
            _exit(3);
        pid_t again = fork();
        if (again == 0) { /* a child of a process that set one starts without it */
            prctl(PR_GET_PDEATHSIG, &v);
            say("child of mid: PR_GET_PDEATHSIG %d\n", v);
            _exit(0);
        }
        waitpid(again, NULL, 0);
        _exit(0); /* the leaf's parent ends */
    }
    reap("mid", mid);
    char c = 0;
    ssize_t n = read(report[0], &c, 1);
    say("leaf got its parent-death signal: %s\n", n == 1 && c == 'U' ? "SIGUSR1" : "no");
    return 0;
}
