// modes: direct sim
/* Children's CPU times: getrusage(2) RUSAGE_CHILDREN, times(2)
 * tms_cutime/tms_cstime, wait4(2)'s and waitid(2)'s rusage argument. A
 * child's times are added to its parent's children times when the parent
 * waits for it, with those of the children it waited for itself; a child
 * still a zombie, or one reaped because SIGCHLD is ignored, adds nothing.
 * A child's CPU clock (clock_getcpuclockid(3)) reads its time until it is
 * reaped. */
#include "conf.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <time.h>

#define BURN_MS 80

static long long ms_of(const struct rusage *ru)
{
    return (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000LL +
           (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1000;
}

static long long children_ms(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_CHILDREN, &ru) != 0)
        return -1;
    return ms_of(&ru);
}

/* Spins until the process has used ms of CPU time. */
static void burn(int ms)
{
    struct timespec ts;
    do
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    while (ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 < ms);
}

static pid_t burner(void)
{
    pid_t p = xfork();
    if (p == 0) {
        burn(BURN_MS);
        _exit(0);
    }
    return p;
}

/* A child that forks a grandchild burning ms, sees it end (WNOWAIT) and is
 * killed, leaving it a zombie that goes to the namespace's reaper: the CPU
 * time (ms) wait4 gives for the child, its status in *st, *r wait4's. */
static long long zombie_child(int ms, int *st, pid_t *r)
{
    struct rusage ru;
    int pp[2];

    if (pipe(pp) != 0)
        exit(1);
    pid_t p = xfork();
    if (p == 0) {
        pid_t g = xfork();
        if (g == 0) {
            burn(ms);
            _exit(0);
        }
        siginfo_t gs;
        waitid(P_PID, g, &gs, WEXITED | WNOWAIT);
        post(pp[1]);
        /* Stays until the parent has reaped it, then the grandchild goes
         * to the reaper of the namespace. */
        pause();
        _exit(0);
    }
    await(pp[0]);
    kill(p, SIGKILL);
    memset(&ru, 0, sizeof(ru));
    *r = wait4(p, st, 0, &ru);
    close(pp[0]);
    close(pp[1]);
    return *r == p ? ms_of(&ru) : -1;
}

int main(void)
{
    struct rusage ru;
    struct tms tm;

    chk("getrusage RUSAGE_CHILDREN", getrusage(RUSAGE_CHILDREN, &ru));
    say("children time before any child is zero: %s\n", ms_of(&ru) == 0 ? "yes" : "no");
    chk("getrusage RUSAGE_THREAD", getrusage(RUSAGE_THREAD, &ru));
    chk("getrusage RUSAGE_BOTH (-2)", getrusage(-2, &ru));
    chk("getrusage 2", getrusage(2, &ru));
    chk("getrusage bad pointer", syscall(SYS_getrusage, RUSAGE_CHILDREN, BAD));
    say("times: %s\n", times(&tm) == (clock_t)-1 ? "failed" : "ok");
    say("tms_cutime + tms_cstime zero: %s\n", tm.tms_cutime + tm.tms_cstime == 0 ? "yes" : "no");

    /* A zombie adds nothing until it is waited for. */
    pid_t p = burner();
    siginfo_t si;
    chk("waitid WNOWAIT", waitid(P_PID, p, &si, WEXITED | WNOWAIT));
    say("children time with the child a zombie is zero: %s\n", children_ms() == 0 ? "yes" : "no");
    int st = 0;
    memset(&ru, 0, sizeof(ru));
    pid_t r = wait4(p, &st, 0, &ru);
    say("wait4: %s, %s\n", r == p ? "the child" : "other", wstr(st));
    say("wait4 rusage has the child's time: %s\n", ms_of(&ru) >= BURN_MS - 10 ? "yes" : "no");
    long long after = children_ms();
    say("children time after the wait has it: %s\n", after >= BURN_MS - 10 ? "yes" : "no");
    times(&tm);
    long tck = sysconf(_SC_CLK_TCK);
    say("tms_cutime + tms_cstime has it: %s\n",
        (tm.tms_cutime + tm.tms_cstime) * 1000 / tck >= BURN_MS - 20 ? "yes" : "no");

    /* waitid's fifth argument (the raw syscall's rusage). */
    p = burner();
    memset(&ru, 0, sizeof(ru));
    memset(&si, 0, sizeof(si));
    chk("waitid with rusage", syscall(SYS_waitid, P_PID, p, &si, WEXITED, &ru));
    say("waitid rusage has the child's time: %s\n", ms_of(&ru) >= BURN_MS - 10 ? "yes" : "no");
    long long before = after;
    after = children_ms();
    say("children time grew by it: %s\n", after - before >= BURN_MS - 10 ? "yes" : "no");

    /* A child that waited for a burning grandchild carries its time. */
    p = xfork();
    if (p == 0) {
        pid_t g = burner();
        waitpid(g, NULL, 0);
        _exit(0);
    }
    memset(&ru, 0, sizeof(ru));
    r = wait4(p, &st, 0, &ru);
    say("wait4 of a child that reaped its child: %s\n", r == p ? wstr(st) : "other");
    say("its rusage has the grandchild's time: %s\n", ms_of(&ru) >= BURN_MS - 10 ? "yes" : "no");
    before = after;
    after = children_ms();
    say("children time grew by it: %s\n", after - before >= BURN_MS - 10 ? "yes" : "no");

    /* A child that left its burning child a zombie does not. Compared with
     * the same child whose grandchild burns nothing: what such a child
     * costs by itself (natively nothing; under a libOS its own start-up,
     * tens of milliseconds in a software enclave on a slow host). */
    int base_st = 0;
    long long base = zombie_child(0, &base_st, &r);
    before = children_ms();
    memset(&ru, 0, sizeof(ru));
    long long zms = zombie_child(BURN_MS, &st, &r);
    say("wait4 of a child that left its child a zombie: %s\n", r > 0 ? wstr(st) : "other");
    say("its rusage has the grandchild's time: %s\n", zms >= base + BURN_MS / 2 ? "yes" : "no");
    after = children_ms();
    say("children time grew by it: %s\n", after - before >= base + BURN_MS / 2 ? "yes" : "no");

    /* A child's CPU clock, read by its parent (clock_getcpuclockid(3)):
     * while it is a zombie, and no longer once it is reaped. */
    p = burner();
    chk("waitid WNOWAIT", waitid(P_PID, p, &si, WEXITED | WNOWAIT));
    clockid_t cc;
    say("clock_getcpuclockid of the child: %s\n", ename(clock_getcpuclockid(p, &cc)));
    struct timespec cts = {0, 0};
    chk("clock_gettime of its clock", clock_gettime(cc, &cts));
    say("it has the child's time: %s\n",
        cts.tv_sec * 1000LL + cts.tv_nsec / 1000000 >= BURN_MS - 20 ? "yes" : "no");
    chk("clock_getres of its clock", clock_getres(cc, &cts));
    waitpid(p, NULL, 0);
    chk("clock_gettime of its clock once reaped", clock_gettime(cc, &cts));
    say("clock_getcpuclockid of the reaped child: %s\n", ename(clock_getcpuclockid(p, &cc)));
    after = children_ms();

    /* WNOHANG with nothing to report leaves the rusage as it was. */
    p = xfork();
    if (p == 0) {
        pause();
        _exit(0);
    }
    memset(&ru, 0x55, sizeof(ru));
    r = wait4(p, &st, WNOHANG, &ru);
    say("wait4 WNOHANG: %ld, rusage untouched: %s\n", (long)r,
        ru.ru_utime.tv_sec == 0x5555555555555555LL ? "yes" : "no");
    kill(p, SIGKILL);
    waitpid(p, NULL, 0);

    /* Children reaped because SIGCHLD is ignored add nothing. */
    signal(SIGCHLD, SIG_IGN);
    before = children_ms();
    p = burner();
    errno = 0;
    r = waitpid(p, &st, 0);
    say("waitpid with SIGCHLD ignored: %ld %s\n", (long)r, r == -1 ? ename(errno) : "");
    after = children_ms();
    say("children time unchanged: %s\n", after - before < 10 ? "yes" : "no");
    signal(SIGCHLD, SIG_DFL);

    return 0;
}
