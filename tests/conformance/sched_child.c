// modes: direct sim
/* Scheduling settings across processes (getpriority(2), setpriority(2),
 * sched_setscheduler(2), sched_setaffinity(2), sched(7)
 * "SCHED_RESET_ON_FORK"): a child inherits the nice value, the policy and
 * the CPU mask, its parent reads and changes them by pid, and SCHED_RESET_ON_FORK gives the child
 * SCHED_OTHER and a nice value of at least 0. */
#include "conf.h"

#include <sched.h>
#include <sys/resource.h>

static int to_child[2], to_parent[2];
static cpu_set_t all_cpus;

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
            cpu_set_t m;
            sched_getaffinity(0, sizeof(m), &m);
            say("  child: nice %d, policy %d, CPUs: %s\n", n, sched_getscheduler(0),
                CPU_EQUAL(&m, &all_cpus) ? "all"
                : CPU_COUNT(&m) == 1     ? "one"
                                         : "other");
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
    cpu_set_t one, m;
    sched_getaffinity(0, sizeof(all_cpus), &all_cpus);
    CPU_ZERO(&one);
    for (int i = 0; i < CPU_SETSIZE; i++)
        if (CPU_ISSET(i, &all_cpus)) {
            CPU_SET(i, &one);
            break;
        }
    chk("sched_setaffinity one CPU", sched_setaffinity(0, sizeof(one), &one));
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
    CPU_ZERO(&m);
    chk("sched_getaffinity of the child", sched_getaffinity(p, sizeof(m), &m));
    say("its mask is the one CPU: %s\n", CPU_EQUAL(&m, &one) ? "yes" : "no");
    chk("sched_setaffinity of the child, every CPU",
        sched_setaffinity(p, sizeof(all_cpus), &all_cpus));
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
    chk("sched_getaffinity of the reaped child", sched_getaffinity(p, sizeof(m), &m));
    chk("sched_setaffinity of the reaped child", sched_setaffinity(p, sizeof(m), &all_cpus));
    chk("sched_setaffinity every CPU", sched_setaffinity(0, sizeof(all_cpus), &all_cpus));

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
