// modes: direct sim
/* Process ids as relations (getpid(2), getppid(2), setpgid(2), setsid(2),
 * PR_SET_CHILD_SUBREAPER in prctl(2)): a child's parent is the forker, a
 * child starts in the parent's group and session, setpgid and setsid move
 * it, and an orphan is adopted by the subreaper. */
#include "conf.h"
#include <sys/prctl.h>

int main(void)
{
    pid_t me = getpid(), grp = getpgrp(), sid = getsid(0);
    int fds[2], orphan[2];
    if (pipe(fds) || pipe(orphan))
        return 1;
    chk("PR_SET_CHILD_SUBREAPER", prctl(PR_SET_CHILD_SUBREAPER, 1));
    say("getpid twice is the same: %s\n", getpid() == me ? "yes" : "no");
    pid_t pid = xfork();
    if (pid == 0) {
        say("child's getppid is the parent: %s\n", getppid() == me ? "yes" : "no");
        say("child's getpid differs from the parent: %s\n", getpid() != me ? "yes" : "no");
        say("child starts in the parent's group: %s\n", getpgrp() == grp ? "yes" : "no");
        say("child starts in the parent's session: %s\n", getsid(0) == sid ? "yes" : "no");
        say("getpgid(0) equals getpgrp: %s\n", getpgid(0) == getpgrp() ? "yes" : "no");
        chk("child setpgid(0, 0)", setpgid(0, 0));
        say("child leads its group: %s\n", getpgrp() == getpid() ? "yes" : "no");
        say("parent's group unchanged: %s\n", getpgid(me) == grp ? "yes" : "no");
        pid_t g = xfork();
        if (g == 0) {
            pid_t self = getpid();
            say("grandchild's parent is the child: %s\n", getppid() != me ? "yes" : "no");
            chk("grandchild setsid", setsid());
            say("grandchild leads its session and group: %s\n",
                getsid(0) == self && getpgrp() == self ? "yes" : "no");
            chk("grandchild setsid again", setsid());
            post(fds[1]);
            /* Wait for the child to exit, then report the new parent. */
            for (int i = 0; i < 500 && getppid() != me; i++)
                usleep(10000);
            if (getppid() == me)
                post(orphan[1]);
            _exit(0);
        }
        await(fds[0]);
        _exit(0);
    }
    reap("child", pid);
    close(orphan[1]);
    say("orphan adopted by the subreaper: %s\n", await(orphan[0]) == 0 ? "yes" : "no");
    int st;
    pid_t r = wait(&st);
    say("subreaper reaps the orphan: %s, %s\n", r > 0 && r != pid ? "yes" : "no", wstr(st));
    return 0;
}
