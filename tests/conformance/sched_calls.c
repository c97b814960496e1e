// modes: direct sim
/* Scheduling calls beyond proc_calls' checks: sched_setaffinity(2) and
 * sched_getaffinity(2) (the mask set is the mask read, empty masks,
 * sizes), getcpu(2), sched_setscheduler(2) with SCHED_BATCH and
 * SCHED_IDLE and SCHED_RESET_ON_FORK, sched_get_priority_max(2) and _min
 * of every policy, sched_rr_get_interval(2) errors, sched_getattr(2) and
 * sched_setattr(2) (sizes, flags, KEEP_POLICY, KEEP_PARAMS),
 * sched_yield(2), getpriority(2)/setpriority(2) for PRIO_PGRP and
 * PRIO_USER, nice(2) and its clamp, a thread's own affinity mask. */
#include "conf.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

struct attr {
    uint32_t size, policy;
    uint64_t flags;
    int32_t nice;
    uint32_t prio;
    uint64_t runtime, deadline, period;
    uint32_t util_min, util_max;
};

static cpu_set_t thread_one;
static void *one_cpu_thread(void *arg)
{
    (void)arg;
    cpu_set_t m;
    chk("thread: sched_setaffinity one CPU", sched_setaffinity(0, sizeof(thread_one), &thread_one));
    sched_getaffinity(0, sizeof(m), &m);
    say("thread: its mask is the one CPU: %s\n", CPU_EQUAL(&m, &thread_one) ? "yes" : "no");
    return NULL;
}

int main(void)
{
    cpu_set_t all, one, got, empty;
    CPU_ZERO(&empty);
    chk("sched_getaffinity", sched_getaffinity(0, sizeof(all), &all));
    long raw = syscall(SYS_sched_getaffinity, 0, sizeof(all), &got);
    say("raw sched_getaffinity returns a size: %s, multiple of 8: %s\n", raw > 0 ? "yes" : "no",
        raw % 8 == 0 ? "yes" : "no");
    chk("sched_getaffinity size 0", syscall(SYS_sched_getaffinity, 0, 0, &got));
    chk("sched_getaffinity bad pointer", syscall(SYS_sched_getaffinity, 0, sizeof(got), BAD));
    chk("sched_getaffinity of a pid that does not exist",
        sched_getaffinity(4000000, sizeof(got), &got));
    int first = -1;
    for (int i = 0; i < CPU_SETSIZE && first < 0; i++)
        if (CPU_ISSET(i, &all))
            first = i;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    chk("sched_setaffinity empty mask", sched_setaffinity(0, sizeof(empty), &empty));
    chk("sched_setaffinity bad pointer", syscall(SYS_sched_setaffinity, 0, sizeof(one), BAD));
    chk("sched_setaffinity of a pid that does not exist",
        sched_setaffinity(4000000, sizeof(one), &one));
    chk("sched_setaffinity one CPU", sched_setaffinity(0, sizeof(one), &one));
    CPU_ZERO(&got);
    chk("sched_getaffinity", sched_getaffinity(0, sizeof(got), &got));
    say("mask read is the mask set: %s, count %d\n", CPU_EQUAL(&got, &one) ? "yes" : "no",
        CPU_COUNT(&got));
    unsigned cpu = 99, node = 99;
    chk("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL));
    say("getcpu is the one CPU allowed: %s, node 0: %s\n", (int)cpu == first ? "yes" : "no",
        node == 0 ? "yes" : "no");
    chk("getcpu NULL pointers", syscall(SYS_getcpu, NULL, NULL, NULL));
    say("sched_getcpu is it: %s\n", sched_getcpu() == first ? "yes" : "no");
    chk("sched_setaffinity all back", sched_setaffinity(0, sizeof(all), &all));
    CPU_ZERO(&got);
    sched_getaffinity(0, sizeof(got), &got);
    say("mask restored: %s\n", CPU_EQUAL(&got, &all) ? "yes" : "no");
    /* A thread's mask is its own. */
    thread_one = one;
    pthread_t th;
    if (pthread_create(&th, NULL, one_cpu_thread, NULL) == 0)
        pthread_join(th, NULL);
    CPU_ZERO(&got);
    sched_getaffinity(0, sizeof(got), &got);
    say("main's mask after the thread's change is still all: %s\n",
        CPU_EQUAL(&got, &all) ? "yes" : "no");

    for (int pol = 0; pol <= 6; pol++) {
        char what[64];
        snprintf(what, sizeof(what), "sched_get_priority_min %d", pol);
        val(what, sched_get_priority_min(pol));
        snprintf(what, sizeof(what), "sched_get_priority_max %d", pol);
        val(what, sched_get_priority_max(pol));
    }
    val("sched_get_priority_max -1", sched_get_priority_max(-1));
    val("sched_get_priority_min 4", sched_get_priority_min(4));

    struct sched_param sp = {0};
    chk("sched_setscheduler SCHED_BATCH", sched_setscheduler(0, SCHED_BATCH, &sp));
    val("sched_getscheduler", sched_getscheduler(0));
    chk("sched_setscheduler SCHED_IDLE", sched_setscheduler(0, SCHED_IDLE, &sp));
    val("sched_getscheduler", sched_getscheduler(0));
    chk("sched_setscheduler SCHED_OTHER|SCHED_RESET_ON_FORK",
        sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &sp));
    val("sched_getscheduler", sched_getscheduler(0));
    chk("sched_setscheduler SCHED_OTHER", sched_setscheduler(0, SCHED_OTHER, &sp));
    val("sched_getscheduler", sched_getscheduler(0));
    chk("sched_setscheduler -1 policy", sched_setscheduler(0, -1, &sp));
    chk("sched_setscheduler of a pid that does not exist",
        sched_setscheduler(4000000, SCHED_OTHER, &sp));
    chk("sched_setscheduler bad param pointer",
        syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, BAD));
    chk("sched_getparam of a pid that does not exist", sched_getparam(4000000, &sp));
    chk("sched_getparam -1", sched_getparam(-1, &sp));
    chk("sched_setparam NULL", syscall(SYS_sched_setparam, 0, NULL));
    chk("sched_setparam priority 0", sched_setparam(0, &sp));

    struct timespec ts;
    chk("sched_rr_get_interval bad pointer", syscall(SYS_sched_rr_get_interval, 0, BAD));
    chk("sched_rr_get_interval of a pid that does not exist", sched_rr_get_interval(4000000, &ts));

    struct attr at;
    memset(&at, 0, sizeof(at));
    chk("sched_getattr", syscall(SYS_sched_getattr, 0, &at, sizeof(at), 0));
    say("size %u, policy %u, nice %d, priority %u\n", at.size, at.policy, at.nice, at.prio);
    chk("sched_getattr flags 1", syscall(SYS_sched_getattr, 0, &at, sizeof(at), 1));
    chk("sched_getattr size 8", syscall(SYS_sched_getattr, 0, &at, 8, 0));
    chk("sched_getattr NULL", syscall(SYS_sched_getattr, 0, NULL, sizeof(at), 0));

    struct {
        struct attr a;
        uint8_t tail[8];
    } big;
    memset(&big, 0, sizeof(big));
    big.a.size = 8;
    chk("sched_setattr size 8", syscall(SYS_sched_setattr, 0, &big, 0));
    say("size written back: %u\n", big.a.size);
    memset(&big, 0, sizeof(big));
    big.a.size = sizeof(big);
    big.a.nice = 5;
    chk("sched_setattr size 64, zero tail, nice 5", syscall(SYS_sched_setattr, 0, &big, 0));
    say("getpriority: %d\n", getpriority(PRIO_PROCESS, 0));
    big.tail[3] = 1;
    chk("sched_setattr size 64, tail not zero", syscall(SYS_sched_setattr, 0, &big, 0));
    say("size written back: %u\n", big.a.size);
    memset(&at, 0, sizeof(at));
    at.size = sizeof(at);
    chk("sched_setattr flags argument 1", syscall(SYS_sched_setattr, 0, &at, 1));
    chk("sched_setattr NULL", syscall(SYS_sched_setattr, 0, NULL, 0));
    chk("sched_setattr pid -1", syscall(SYS_sched_setattr, -1, &at, 0));
    chk("sched_setattr of a pid that does not exist", syscall(SYS_sched_setattr, 4000000, &at, 0));
    at.policy = SCHED_FIFO;
    chk("sched_setattr SCHED_FIFO priority 0", syscall(SYS_sched_setattr, 0, &at, 0));
    at.policy = SCHED_OTHER;
    at.prio = 3;
    chk("sched_setattr SCHED_OTHER priority 3", syscall(SYS_sched_setattr, 0, &at, 0));
    at.prio = 0;
    at.flags = 0x80;
    chk("sched_setattr unknown flag 0x80", syscall(SYS_sched_setattr, 0, &at, 0));
    at.policy = SCHED_BATCH;
    at.flags = 0x10; /* SCHED_FLAG_KEEP_PARAMS */
    at.nice = -7;
    chk("sched_setattr SCHED_BATCH, KEEP_PARAMS", syscall(SYS_sched_setattr, 0, &at, 0));
    say("policy %d, getpriority %d\n", sched_getscheduler(0), getpriority(PRIO_PROCESS, 0));
    at.policy = SCHED_OTHER;
    at.flags = 0x8 | 0x1; /* SCHED_FLAG_KEEP_POLICY | SCHED_FLAG_RESET_ON_FORK */
    at.nice = 6;
    chk("sched_setattr KEEP_POLICY|RESET_ON_FORK, nice 6", syscall(SYS_sched_setattr, 0, &at, 0));
    say("policy %d, getpriority %d\n", sched_getscheduler(0), getpriority(PRIO_PROCESS, 0));
    memset(&at, 0, sizeof(at));
    at.size = sizeof(at);
    chk("sched_setattr SCHED_OTHER nice 0", syscall(SYS_sched_setattr, 0, &at, 0));
    say("policy %d, getpriority %d\n", sched_getscheduler(0), getpriority(PRIO_PROCESS, 0));

    val("sched_yield", sched_yield());

    errno = 0;
    int pu = getpriority(PRIO_USER, 0);
    say("getpriority PRIO_USER in -20..19: %s %s\n", pu >= -20 && pu <= 19 ? "yes" : "no",
        errno ? ename(errno) : "");
    errno = 0;
    int pr = getpriority(PRIO_PROCESS, 4000000);
    say("getpriority of a pid that does not exist: %d %s\n", pr, ename(errno));
    errno = 0;
    pr = getpriority(PRIO_PGRP, 4000000);
    say("getpriority of a group that does not exist: %d %s\n", pr, ename(errno));
    chk("setpriority of a pid that does not exist", setpriority(PRIO_PROCESS, 4000000, 1));
    chk("setpriority of a group that does not exist", setpriority(PRIO_PGRP, 4000000, 1));
    chk("setpriority PRIO_PROCESS own pid, 4", setpriority(PRIO_PROCESS, getpid(), 4));
    say("getpriority: %d\n", getpriority(PRIO_PROCESS, 0));
    errno = 0;
    int n = nice(2);
    say("nice(2): %d %s\n", n, errno ? ename(errno) : "");
    errno = 0;
    n = nice(100);
    say("nice(100): %d %s\n", n, errno ? ename(errno) : "");
    memset(&at, 0, sizeof(at));
    syscall(SYS_sched_getattr, 0, &at, sizeof(at), 0);
    say("sched_getattr nice %d\n", at.nice);
    chk("setpriority -30 (clamped to -20)", setpriority(PRIO_PROCESS, 0, -30));
    say("getpriority: %d\n", getpriority(PRIO_PROCESS, 0));
    errno = 0;
    n = nice(-100);
    say("nice(-100): %d %s\n", n, errno ? ename(errno) : "");
    chk("setpriority 0", setpriority(PRIO_PROCESS, 0, 0));
    say("getpriority: %d\n", getpriority(PRIO_PROCESS, 0));
    return 0;
}
