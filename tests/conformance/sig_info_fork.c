// modes: direct sim
/* What a signal from another process carries (sigaction(2) SA_SIGINFO,
 * sigqueue(3), rt_sigqueueinfo(2)): kill's SI_USER with the sender's pid
 * and uid, sigqueue's SI_QUEUE with its value, both ways between a parent
 * and its child; rt_sigqueueinfo's EPERM for a si_code of the kernel or
 * of kill sent to another process. (In sim one end missed both of its
 * peer's signals about once in fifty runs until 2026-12-06: the enclave's
 * exception handler took a signal interrupting its own entry one SSA
 * level too deep; see sig_storm.) */
#include "conf.h"

#include <sys/syscall.h>

static volatile int got_code = 99, got_val, got_pid, got_uid;

static void on_usr(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    got_val = si->si_value.sival_int;
    got_pid = si->si_pid;
    got_uid = (int)si->si_uid;
    got_code = si->si_code;
}

static const char *code_name(int c)
{
    return c == SI_USER    ? "SI_USER"
           : c == SI_QUEUE ? "SI_QUEUE"
           : c == SI_TKILL ? "SI_TKILL"
                           : "other";
}

/* Waits for the handler, then prints what it saw, from the view of a
 * process whose peer is peer. */
static void show(const char *who, pid_t peer)
{
    for (int i = 0; i < 2000 && got_code == 99; i++)
        usleep(1000);
    say("%s: %s, si_pid is the sender: %s, si_uid mine: %s, value %d\n", who, code_name(got_code),
        got_pid == peer ? "yes" : "no", got_uid == (int)getuid() ? "yes" : "no",
        got_code == SI_QUEUE ? got_val : 0);
    got_code = 99;
}

int main(void)
{
    int to_child[2], to_parent[2];
    if (pipe(to_child) || pipe(to_parent))
        return 1;
    struct sigaction sa = {0};
    sa.sa_sigaction = on_usr;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    pid_t parent = getpid();
    pid_t p = xfork();
    if (p == 0) {
        post(to_parent[1]);
        show("child, kill from the parent", parent);
        post(to_parent[1]);
        show("child, sigqueue from the parent", parent);
        post(to_parent[1]);
        kill(parent, SIGUSR2);
        await(to_child[0]);
        union sigval v = {.sival_int = 31};
        sigqueue(parent, SIGUSR1, v);
        await(to_child[0]);
        _exit(0);
    }
    await(to_parent[0]);
    long r = kill(p, SIGUSR1);
    await(to_parent[0]);
    chk("kill the child", r);
    union sigval v = {.sival_int = 42};
    r = sigqueue(p, SIGUSR2, v);
    await(to_parent[0]);
    chk("sigqueue the child", r);
    show("parent, kill from the child", p);
    post(to_child[1]);
    show("parent, sigqueue from the child", p);

    siginfo_t si;
    memset(&si, 0, sizeof(si));
    si.si_signo = SIGUSR1;
    si.si_code = SI_USER;
    chk("rt_sigqueueinfo SI_USER to the child", syscall(SYS_rt_sigqueueinfo, p, SIGUSR1, &si));
    si.si_code = SI_KERNEL;
    chk("rt_sigqueueinfo SI_KERNEL to the child", syscall(SYS_rt_sigqueueinfo, p, SIGUSR1, &si));
    si.si_code = SI_TKILL;
    chk("rt_sigqueueinfo SI_TKILL to the child", syscall(SYS_rt_sigqueueinfo, p, SIGUSR1, &si));
    si.si_code = SI_QUEUE;
    chk("rt_sigqueueinfo SI_QUEUE, signal 0, to the child",
        syscall(SYS_rt_sigqueueinfo, p, 0, &si));
    post(to_child[1]);
    reap("child", p);
    chk("rt_sigqueueinfo SI_QUEUE to the reaped child",
        syscall(SYS_rt_sigqueueinfo, p, SIGUSR1, &si));
    return 0;
}
