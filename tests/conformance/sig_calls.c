// modes: direct sim
/* Signal calls' errors and edge cases (sigaction(2), sigprocmask(2),
 * sigpending(2), sigtimedwait(2), sigaltstack(2), kill(2), rt_sigqueueinfo(2),
 * signal(7)): SIGKILL/SIGSTOP cannot be caught or blocked, bad signal
 * numbers and sigset sizes are EINVAL, a pending blocked signal is seen by
 * sigpending and taken by sigtimedwait, sigaltstack's limits. */
#include "conf.h"
#include <sys/syscall.h>
#include <time.h>

static void on_usr(int sig)
{
    (void)sig;
}

int main(void)
{
    struct sigaction sa = {.sa_handler = on_usr}, old;
    chk("sigaction SIGKILL", sigaction(SIGKILL, &sa, NULL));
    chk("sigaction SIGSTOP", sigaction(SIGSTOP, &sa, NULL));
    chk("sigaction SIGKILL, query only", sigaction(SIGKILL, NULL, &old));
    chk("sigaction 0", sigaction(0, &sa, NULL));
    chk("sigaction 65", sigaction(65, &sa, NULL));
    chk("rt_sigaction sigsetsize 4", syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 4));
    chk("sigaction SIGUSR1", sigaction(SIGUSR1, &sa, NULL));
    chk("sigaction SIGUSR1, old", sigaction(SIGUSR1, NULL, &old));
    say("old handler is ours: %s\n", old.sa_handler == on_usr ? "yes" : "no");
    chk("sigaction SIGRTMAX", sigaction(SIGRTMAX, &sa, NULL));

    sigset_t set, cur;
    sigemptyset(&set);
    sigaddset(&set, SIGKILL);
    sigaddset(&set, SIGSTOP);
    sigaddset(&set, SIGUSR1);
    chk("block SIGKILL, SIGSTOP, SIGUSR1", sigprocmask(SIG_BLOCK, &set, NULL));
    sigprocmask(SIG_BLOCK, NULL, &cur);
    say("blocked: KILL %d STOP %d USR1 %d\n", sigismember(&cur, SIGKILL),
        sigismember(&cur, SIGSTOP), sigismember(&cur, SIGUSR1));
    chk("sigprocmask how 3", sigprocmask(3, &set, NULL));
    chk("sigprocmask how 3, no set", sigprocmask(3, NULL, &cur));
    chk("rt_sigprocmask sigsetsize 16", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 16));
    chk("rt_sigprocmask bad set pointer", syscall(SYS_rt_sigprocmask, SIG_BLOCK, BAD, NULL, 8));

    raise(SIGUSR1);
    sigpending(&cur);
    say("SIGUSR1 pending: %d\n", sigismember(&cur, SIGUSR1));
    chk("rt_sigpending sigsetsize 16", syscall(SYS_rt_sigpending, &cur, 16));
    chk("rt_sigpending sigsetsize 4", syscall(SYS_rt_sigpending, &cur, 4));
    siginfo_t si;
    struct timespec zero = {0, 0};
    sigset_t w;
    sigemptyset(&w);
    sigaddset(&w, SIGUSR1);
    val("sigtimedwait SIGUSR1", sigtimedwait(&w, &si, &zero));
    say("si_code SI_TKILL: %s\n", si.si_code == SI_TKILL ? "yes" : "no");
    val("sigtimedwait, none pending", sigtimedwait(&w, &si, &zero));
    struct timespec bad = {0, 1000000000};
    val("sigtimedwait tv_nsec 1e9", sigtimedwait(&w, &si, &bad));
    struct timespec ms = {0, 10000000};
    val("sigtimedwait 10 ms", sigtimedwait(&w, &si, &ms));
    chk("rt_sigtimedwait sigsetsize 4", syscall(SYS_rt_sigtimedwait, &w, &si, &zero, 4));
    union sigval sv = {.sival_int = 7};
    chk("sigqueue SIGUSR1", sigqueue(getpid(), SIGUSR1, sv));
    val("sigwaitinfo", sigwaitinfo(&w, &si));
    say("si_code SI_QUEUE: %s, value %d\n", si.si_code == SI_QUEUE ? "yes" : "no",
        si.si_value.sival_int);
    siginfo_t fake = {.si_code = SI_USER};
    chk("rt_sigqueueinfo with si_code SI_USER",
        syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &fake));
    chk("kill signal 65", kill(getpid(), 65));
    chk("kill signal 0", kill(getpid(), 0));
    chk("kill a pid that does not exist", kill(4000000, 0));

    stack_t ss = {.ss_size = 1024, .ss_sp = malloc(1 << 16)}, os;
    chk("sigaltstack, size 1024", sigaltstack(&ss, NULL));
    ss.ss_size = 1 << 16;
    ss.ss_flags = 42;
    chk("sigaltstack, flags 42", sigaltstack(&ss, NULL));
    ss.ss_flags = 0;
    chk("sigaltstack 64 KiB", sigaltstack(&ss, NULL));
    chk("sigaltstack, query", sigaltstack(NULL, &os));
    say("size %zu, flags %d\n", os.ss_size, os.ss_flags);
    ss.ss_flags = SS_DISABLE;
    chk("sigaltstack SS_DISABLE", sigaltstack(&ss, NULL));
    sigaltstack(NULL, &os);
    say("flags SS_DISABLE: %s\n", os.ss_flags == SS_DISABLE ? "yes" : "no");
    chk("sigaltstack, bad pointer", sigaltstack(BAD, NULL));

    sigemptyset(&set);
    chk("sigsuspend bad pointer", syscall(SYS_rt_sigsuspend, BAD, 8));
    chk("rt_sigsuspend sigsetsize 4", syscall(SYS_rt_sigsuspend, &set, 4));
    return 0;
}
