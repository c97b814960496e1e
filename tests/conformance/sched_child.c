// modes: direct sim
/* Scheduling settings across processes (getpriority(2), setpriority(2),
 * sched_setscheduler(2), sched(7) "SCHED_RESET_ON_FORK"): a child
 * inherits the nice value and the policy, its parent reads and changes
 * them by pid, and SCHED_RESET_ON_FORK gives the child SCHED_OTHER and a
 * nice value of at least 0. */
#include "conf.h"

#include <sched.h>
#include <sys/resource.h>

static int to_child[2], to_parent[2];

/* A child that reports its nice value and policy when told, until told
 * to end. */
static pid_t reporter(void)
{
    pid_t p = xfork();
    if (p == 0) {
        char c;
        while (read(to_child[0], &c, 1) == 1 && c != 'q') {
            errno = 0;
            int n = getpriority(PRIO_PROCESS, 0);
            say("  child: nice %d, policy %d\n", n, sched_getscheduler(0));
            post(to_parent[1]);
        }
        _exit(0);
    }
    return p;
}

static void ask(void)
{
    post(to_child[1]);
    await(to_parent[0]);
}

static void done(pid_t p)
{
    if (write(to_child[1], "q", 1) != 1)
        _exit(9);
    reap("child", p);
}

int main(void)
{
    if (pipe(to_child) || pipe(to_parent))
        return 1;
    struct sched_param sp = {0};
    chk("setpriority 3", setpriority(PRIO_PROCESS, 0, 3));
    chk("SCHED_BATCH", sched_setscheduler(0, SCHED_BATCH, &sp));
    pid_t p = reporter();
    say("a child inherits them:\n");
    ask();
    errno = 0;
    int n = getpriority(PRIO_PROCESS, p);
    say("getpriority of the child: %d %s\n", n, errno ? ename(errno) : "");
    val("sched_getscheduler of the child", sched_getscheduler(p));
    chk("setpriority of the child, 11", setpriority(PRIO_PROCESS, p, 11));
    chk("sched_setscheduler of the child, SCHED_IDLE", sched_setscheduler(p, SCHED_IDLE, &sp));
    chk("sched_getparam of the child", sched_getparam(p, &sp));
    struct timespec ts;
    chk("sched_rr_get_interval of the child", sched_rr_get_interval(p, &ts));
    say("after the parent's changes:\n");
    ask();
    say("the parent's own: nice %d, policy %d\n", getpriority(PRIO_PROCESS, 0),
        sched_getscheduler(0));
    done(p);
    errno = 0;
    n = getpriority(PRIO_PROCESS, p);
    say("getpriority of the reaped child: %d %s\n", n, ename(errno));
    chk("setpriority of the reaped child", setpriority(PRIO_PROCESS, p, 1));
    chk("sched_getscheduler of the reaped child", sched_getscheduler(p));

    /* SCHED_RESET_ON_FORK: the child starts SCHED_OTHER; a negative nice
     * goes to 0 (needs the privilege to set it, which root has). */
    int neg = setpriority(PRIO_PROCESS, 0, -2) == 0;
    chk("SCHED_BATCH|SCHED_RESET_ON_FORK",
        sched_setscheduler(0, SCHED_BATCH | SCHED_RESET_ON_FORK, &sp));
    p = reporter();
    say("with SCHED_RESET_ON_FORK (nice -2 set: %s):\n", neg ? "yes" : "no");
    ask();
    done(p);
    chk("SCHED_OTHER", sched_setscheduler(0, SCHED_OTHER, &sp));
    return 0;
}
