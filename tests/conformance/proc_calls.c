// modes: direct sim
/* Process settings and waits, from getrlimit(2), prlimit(2),
 * sched_setscheduler(2), sched_getparam(2), sched_get_priority_max(2),
 * sched_rr_get_interval(2), sched_getaffinity(2), getpriority(2),
 * uname(2), sysinfo(2), poll(2), select(2), ppoll(2), pselect(2). */
#include "conf.h"
#include <poll.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/sysinfo.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>

int main(void)
{
    struct rlimit rl, old;
    chk("getrlimit RLIMIT_NOFILE", getrlimit(RLIMIT_NOFILE, &rl));
    chk("getrlimit 99", getrlimit(99, &rl));
    chk("getrlimit bad pointer", getrlimit(RLIMIT_NOFILE, BAD));
    struct rlimit bad = {.rlim_cur = 20, .rlim_max = 10};
    chk("setrlimit cur > max", setrlimit(RLIMIT_NOFILE, &bad));
    getrlimit(RLIMIT_CORE, &old);
    rl = (struct rlimit){.rlim_cur = 0, .rlim_max = old.rlim_max};
    chk("setrlimit RLIMIT_CORE 0", setrlimit(RLIMIT_CORE, &rl));
    getrlimit(RLIMIT_CORE, &rl);
    say("RLIMIT_CORE cur: %lu\n", (unsigned long)rl.rlim_cur);
    chk("prlimit64 of pid 0, new and old", prlimit(0, RLIMIT_CORE, &old, &rl));
    say("old cur was: %lu\n", (unsigned long)rl.rlim_cur);
    chk("prlimit64 of a pid that does not exist", prlimit(4000000, RLIMIT_CORE, NULL, &rl));
    chk("prlimit64 resource 99", prlimit(0, 99, NULL, &rl));

    struct sched_param sp = {0};
    val("sched_getscheduler", sched_getscheduler(0));
    chk("sched_getscheduler -1", sched_getscheduler(-1));
    chk("sched_getscheduler of a pid that does not exist", sched_getscheduler(4000000));
    chk("sched_setscheduler SCHED_OTHER priority 1",
        sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){1}));
    chk("sched_setscheduler policy 99", sched_setscheduler(0, 99, &sp));
    chk("sched_setscheduler NULL param", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL));
    chk("sched_getparam", sched_getparam(0, &sp));
    say("priority %d\n", sp.sched_priority);
    chk("sched_getparam NULL", syscall(SYS_sched_getparam, 0, NULL));
    chk("sched_setparam priority 5 under SCHED_OTHER", sched_setparam(0, &(struct sched_param){5}));
    val("sched_get_priority_max SCHED_FIFO", sched_get_priority_max(SCHED_FIFO));
    val("sched_get_priority_min SCHED_RR", sched_get_priority_min(SCHED_RR));
    val("sched_get_priority_max SCHED_OTHER", sched_get_priority_max(SCHED_OTHER));
    chk("sched_get_priority_max 99", sched_get_priority_max(99));
    struct timespec ts;
    chk("sched_rr_get_interval", sched_rr_get_interval(0, &ts));
    chk("sched_rr_get_interval -1", sched_rr_get_interval(-1, &ts));
    cpu_set_t set;
    chk("sched_getaffinity", sched_getaffinity(0, sizeof(set), &set));
    say("CPU count >= 1: %s\n", CPU_COUNT(&set) >= 1 ? "yes" : "no");
    chk("sched_getaffinity size 1", syscall(SYS_sched_getaffinity, 0, 1, &set));
    chk("sched_getaffinity size 9", syscall(SYS_sched_getaffinity, 0, 9, &set));

    errno = 0;
    int prio = getpriority(PRIO_PROCESS, 0);
    say("getpriority: %s, errno %s\n", prio >= -20 && prio <= 19 ? "in -20..19" : "out of range",
        errno ? ename(errno) : "0");
    chk("getpriority which 9", getpriority(9, 0));
    chk("setpriority 5", setpriority(PRIO_PROCESS, 0, 5));
    say("getpriority: %d\n", getpriority(PRIO_PROCESS, 0));
    chk("setpriority 100 (clamped to 19)", setpriority(PRIO_PROCESS, 0, 100));
    say("getpriority: %d\n", getpriority(PRIO_PROCESS, 0));
    chk("setpriority which 9", setpriority(9, 0, 0));

    struct utsname u;
    chk("uname", uname(&u));
    say("sysname %s, machine %s\n", u.sysname, u.machine);
    chk("uname bad pointer", syscall(SYS_uname, BAD));
    struct sysinfo si;
    chk("sysinfo", sysinfo(&si));
    say("mem_unit %u, totalram > freeram: %s, procs >= 1: %s\n", si.mem_unit,
        si.totalram > si.freeram ? "yes" : "no", si.procs >= 1 ? "yes" : "no");
    chk("sysinfo bad pointer", syscall(SYS_sysinfo, BAD));

    int p[2];
    if (pipe(p))
        return 1;
    struct pollfd pf[2] = {{.fd = p[0], .events = POLLIN}, {.fd = -1, .events = POLLIN}};
    val("poll, nothing ready, timeout 0", poll(pf, 2, 0));
    pf[1].fd = 999;
    val("poll with a closed fd", poll(pf, 2, 0));
    say("revents of the closed fd: 0x%x\n", pf[1].revents);
    chk("poll nfds > RLIMIT_NOFILE", syscall(SYS_poll, pf, 1 << 20, 0));
    chk("poll bad pointer", poll(BAD, 1, 0));
    struct timespec neg = {-1, 0};
    chk("ppoll negative timeout", ppoll(pf, 1, &neg, NULL));
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    struct timeval tv = {0, 0};
    val("select, timeout 0", select(p[0] + 1, &rd, NULL, NULL, &tv));
    int closed = dup(p[0]);
    close(closed);
    FD_ZERO(&rd);
    FD_SET(closed, &rd);
    tv = (struct timeval){0, 0};
    chk("select a closed fd", select(closed + 1, &rd, NULL, NULL, &tv));
    tv = (struct timeval){-1, 0};
    chk("select negative timeout", select(1, NULL, NULL, NULL, &tv));
    chk("select nfds -1", select(-1, NULL, NULL, NULL, NULL));
    tv = (struct timeval){0, 1000};
    chk("select, no sets, 1 ms", select(0, NULL, NULL, NULL, &tv));
    struct timespec pts = {0, 1000000000};
    chk("pselect tv_nsec 1e9", pselect(0, NULL, NULL, NULL, &pts, NULL));
    return 0;
}
