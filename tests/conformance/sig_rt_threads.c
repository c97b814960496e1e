// modes: direct sim
/* The order in which a thread takes signals sent from another thread while
 * it blocked them (signal(7), sigqueue(3), rt_tgsigqueueinfo(2),
 * tgkill(2)): those directed at the thread first, then the process's; in
 * each, the lowest number first, and the queued instances of a realtime
 * signal in the order sent, each with its value. */
#include "conf.h"

#include <pthread.h>
#include <sys/syscall.h>

static int order[32], n;
static pid_t main_tid;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (n < 32)
        order[n++] = sig * 100 + (si->si_code == SI_QUEUE ? si->si_value.sival_int : 99);
}

static void *sender(void *arg)
{
    (void)arg;
    union sigval v;
    for (int i = 0; i < 3; i++) {
        v.sival_int = i;
        sigqueue(getpid(), SIGRTMIN + 2, v);
    }
    for (int i = 0; i < 2; i++) {
        v.sival_int = 10 + i;
        sigqueue(getpid(), SIGRTMIN, v);
    }
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    si.si_signo = SIGRTMIN + 1;
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value.sival_int = 20;
    syscall(SYS_rt_tgsigqueueinfo, getpid(), main_tid, SIGRTMIN + 1, &si);
    kill(getpid(), SIGUSR1);
    syscall(SYS_tgkill, getpid(), main_tid, SIGUSR2);
    return NULL;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO;
    sigfillset(&sa.sa_mask); /* one handler at a time: the order is the delivery order */
    for (int s = SIGRTMIN; s <= SIGRTMIN + 2; s++)
        sigaction(s, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL); /* the sender inherits it: nothing goes to it */
    main_tid = (pid_t)syscall(SYS_gettid);
    pthread_t t;
    pthread_create(&t, NULL, sender, NULL);
    pthread_join(t, NULL);
    sigset_t p;
    sigpending(&p);
    say("pending:");
    for (int s = 1; s < 65; s++)
        if (sigismember(&p, s))
            say(" %s", s >= SIGRTMIN ? (s == SIGRTMIN ? "RTMIN" : s == SIGRTMIN + 1 ? "RTMIN+1" : "RTMIN+2")
                                     : sname(s));
    say("\n");
    pthread_sigmask(SIG_UNBLOCK, &all, NULL);
    say("taken:");
    for (int i = 0; i < n; i++) {
        int s = order[i] / 100, v = order[i] % 100;
        const char *name = s >= SIGRTMIN ? (s == SIGRTMIN ? "RTMIN" : s == SIGRTMIN + 1 ? "RTMIN+1" : "RTMIN+2")
                                         : sname(s);
        if (v == 99)
            say(" %s", name);
        else
            say(" %s(%d)", name, v);
    }
    say("\n");
    return 0;
}
