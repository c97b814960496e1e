// modes: direct sim
/* PR_SET_CHILD_SUBREAPER (prctl(2)) in a process that is not process 1:
 * an orphan of its subtree becomes its child (getppid names it, it waits
 * for it), not the namespace's init's; the setting is not inherited by a
 * forked child, and a process that clears it lets orphans go up. */
#include "conf.h"

#include <sys/prctl.h>

/* In the subreaper: a middle child forks a leaf and ends; the leaf
 * reports its new parent; the subreaper waits for both. */
static void orphan_round(const char *what, int expect_adopted)
{
    int rep[2];
    if (pipe(rep))
        _exit(2);
    pid_t me = getpid();
    pid_t mid = xfork();
    if (mid == 0) {
        pid_t middle = getpid();
        pid_t leaf = xfork();
        if (leaf == 0) {
            /* Until the middle child is gone. */
            while (getppid() == middle)
                usleep(1000);
            char c = getppid() == me ? 'S' : 'O';
            if (write(rep[1], &c, 1) != 1)
                _exit(9);
            _exit(4);
        }
        _exit(0);
    }
    int st;
    waitpid(mid, &st, 0);
    char c = 0;
    if (read(rep[0], &c, 1) != 1)
        c = '?';
    say("%s: orphan's parent is the subreaper: %s\n", what,
        c == 'S'   ? "yes"
        : c == 'O' ? "no"
                   : "?");
    if (expect_adopted) {
        pid_t r = wait(&st);
        say("%s: the subreaper reaps it: %s, %s\n", what, r > 0 ? "yes" : ename(errno), wstr(st));
    }
    close(rep[0]);
    close(rep[1]);
}

int main(void)
{
    pid_t sub = xfork();
    if (sub == 0) {
        int v = -1;
        chk("child: PR_SET_CHILD_SUBREAPER 1", prctl(PR_SET_CHILD_SUBREAPER, 1));
        prctl(PR_GET_CHILD_SUBREAPER, &v);
        say("child: PR_GET_CHILD_SUBREAPER %d\n", v);
        orphan_round("set", 1);
        pid_t g = xfork();
        if (g == 0) {
            int w = -1;
            prctl(PR_GET_CHILD_SUBREAPER, &w);
            say("grandchild: inherited %d\n", w);
            _exit(0);
        }
        waitpid(g, NULL, 0);
        chk("child: PR_SET_CHILD_SUBREAPER 0", prctl(PR_SET_CHILD_SUBREAPER, 0));
        orphan_round("cleared", 0);
        errno = 0;
        pid_t r = waitpid(-1, NULL, WNOHANG);
        say("cleared: children left: %s\n", r == -1 ? ename(errno) : "some");
        _exit(0);
    }
    reap("subreaper child", sub);
    /* The orphan of the cleared round went to the namespace's init: the
     * first process here when it is process 1. Reap it if it came. */
    while (waitpid(-1, NULL, 0) > 0)
        ;
    return 0;
}
