// modes: direct sim
/* Signal delivery beyond sig_calls' argument checks (sigaction(2),
 * signal(7), sigaltstack(2), sigsuspend(2), sigtimedwait(2),
 * rt_sigqueueinfo(2), pthread_sigmask(3)): a handler on the alternate
 * stack (SS_ONSTACK, EPERM while on it, SS_AUTODISARM), SA_RESTART against
 * EINTR for a blocking pipe read, SA_RESETHAND, SA_NODEFER and sa_mask,
 * sigsuspend's mask, the siginfo of kill and sigqueue, the EPERM rules of
 * rt_sigqueueinfo and rt_tgsigqueueinfo, the order and count of queued
 * signals, and signal masks of threads (inherited; a process signal goes
 * to a thread that does not block it). */
#include "conf.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

static char *alt;
static size_t alt_size = 65536;
static volatile int on_alt, alt_flags, ss_eperm, depth, max_depth, hits, blocked_in_handler;
static volatile int usr2_blocked_in_handler, try_change = 1;

static void on_usr1_alt(int sig)
{
    (void)sig;
    char local;
    stack_t cur;
    on_alt = &local >= alt && &local < alt + alt_size;
    sigaltstack(NULL, &cur);
    alt_flags = cur.ss_flags;
    stack_t ns = {.ss_sp = alt, .ss_size = alt_size, .ss_flags = 0};
    if (try_change)
        ss_eperm = sigaltstack(&ns, NULL) == -1 ? errno : 0;
}

static void on_nest(int sig)
{
    sigset_t m;
    hits++;
    depth++;
    if (depth > max_depth)
        max_depth = depth;
    pthread_sigmask(SIG_BLOCK, NULL, &m);
    blocked_in_handler = sigismember(&m, sig);
    usr2_blocked_in_handler = sigismember(&m, SIGUSR2);
    if (hits == 1)
        raise(sig);
    depth--;
}

static void on_plain(int sig)
{
    (void)sig;
    hits++;
}

static int pp[2];
static void *late_writer(void *arg)
{
    (void)arg;
    struct timespec t = {0, 150000000};
    nanosleep(&t, NULL);
    if (write(pp[1], "w", 1) != 1)
        _exit(9);
    return NULL;
}

/* A read of an empty pipe, SIGALRM 30 ms in, a byte written at 150 ms. */
static void restart_read(const char *what, int flags)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_plain;
    sa.sa_flags = flags;
    sigaction(SIGALRM, &sa, NULL);
    hits = 0;
    pthread_t th;
    pthread_create(&th, NULL, late_writer, NULL);
    ualarm(30000, 0);
    char c;
    ssize_t r = read(pp[0], &c, 1);
    say("%s: read %zd %s, handler ran %d\n", what, r, r < 0 ? ename(errno) : "", hits);
    pthread_join(th, NULL);
    if (r < 0 && read(pp[0], &c, 1) != 1)
        say("the byte is lost\n");
}

static pthread_t main_thread;
static volatile int handled_by_main = -1;
static void on_usr2_who(int sig)
{
    (void)sig;
    handled_by_main = pthread_equal(pthread_self(), main_thread);
}

static volatile int thread_done, thread_ready;
static void *mask_thread(void *arg)
{
    (void)arg;
    sigset_t m;
    pthread_sigmask(SIG_BLOCK, NULL, &m);
    say("thread inherits SIGINT blocked: %d, SIGUSR2: %d\n", sigismember(&m, SIGINT),
        sigismember(&m, SIGUSR2));
    pthread_kill(pthread_self(), SIGINT);
    sigpending(&m);
    say("thread's own pending SIGINT: %d\n", sigismember(&m, SIGINT));
    int s;
    sigset_t w;
    sigemptyset(&w);
    sigaddset(&w, SIGINT);
    sigwait(&w, &s);
    say("thread's sigwait: SIG%s\n", sname(s));
    /* Unblocks SIGUSR2 in this thread only: a process signal comes here. */
    sigemptyset(&w);
    sigaddset(&w, SIGUSR2);
    pthread_sigmask(SIG_UNBLOCK, &w, NULL);
    thread_ready = 1;
    while (!thread_done)
        usleep(1000);
    return NULL;
}

int main(void)
{
    struct sigaction sa = {0}, old;
    sigset_t set, cur;

    /* The alternate stack. */
    alt = malloc(alt_size);
    stack_t ss = {.ss_sp = alt, .ss_size = alt_size, .ss_flags = 0};
    chk("sigaltstack", sigaltstack(&ss, NULL));
    sa.sa_handler = on_usr1_alt;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    say("handler on the alternate stack: %d, ss_flags SS_ONSTACK: %s, change while on it: %s\n",
        on_alt, alt_flags == SS_ONSTACK ? "yes" : "no", ss_eperm ? ename(ss_eperm) : "ok");
    sa.sa_flags = 0;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    say("without SA_ONSTACK: on it %d, ss_flags %d\n", on_alt, alt_flags);
    try_change = 0;
    ss.ss_flags = SS_AUTODISARM;
    chk("sigaltstack SS_AUTODISARM", sigaltstack(&ss, NULL));
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    say("SS_AUTODISARM: on it %d, ss_flags in the handler SS_DISABLE: %s\n", on_alt,
        alt_flags == SS_DISABLE ? "yes" : "no");
    stack_t q;
    sigaltstack(NULL, &q);
    say("after the handler: flags 0x%x\n", (unsigned)q.ss_flags);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
    raise(SIGUSR1);
    say("disabled: on it %d\n", on_alt);

    /* SA_RESTART. */
    if (pipe(pp))
        return 1;
    restart_read("no SA_RESTART", 0);
    restart_read("SA_RESTART", SA_RESTART);

    /* Nesting: the signal is blocked in its handler unless SA_NODEFER. */
    sa = (struct sigaction){0};
    sa.sa_handler = on_nest;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);
    hits = max_depth = 0;
    raise(SIGUSR1);
    say("default: ran %d, nested depth %d, blocked in it %d, sa_mask SIGUSR2 blocked %d\n", hits,
        max_depth, blocked_in_handler, usr2_blocked_in_handler);
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGUSR1, &sa, NULL);
    hits = max_depth = 0;
    raise(SIGUSR1);
    say("SA_NODEFER: ran %d, nested depth %d, blocked in it %d\n", hits, max_depth,
        blocked_in_handler);
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGUSR1, &sa, NULL);
    hits = 10, max_depth = 0; /* no raise from the handler: it would kill */
    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR1);
    sigaction(SIGUSR1, NULL, &old);
    say("SA_RESETHAND: ran %d, blocked in it %d, handler now SIG_DFL: %s, SA_RESETHAND kept: %s\n",
        hits, blocked_in_handler, old.sa_handler == SIG_DFL ? "yes" : "no",
        old.sa_flags & SA_RESETHAND ? "yes" : "no");
    signal(SIGUSR2, SIG_DFL);

    /* sigsuspend: the mask for the wait, the old one after. */
    sa = (struct sigaction){0};
    sa.sa_handler = on_plain;
    sigaction(SIGUSR1, &sa, NULL);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    kill(getpid(), SIGUSR1);
    hits = 0;
    sigemptyset(&cur);
    errno = 0;
    int r = sigsuspend(&cur);
    say("sigsuspend: %d %s, handler ran %d\n", r, ename(errno), hits);
    sigprocmask(SIG_BLOCK, NULL, &cur);
    say("SIGUSR1 blocked again after it: %d\n", sigismember(&cur, SIGUSR1));

    /* What kill and sigqueue carry. */
    siginfo_t si;
    struct timespec zero = {0, 0};
    kill(getpid(), SIGUSR1);
    r = sigtimedwait(&set, &si, &zero);
    say("kill: SIG%s, SI_USER %s, si_pid mine %s, si_uid mine %s\n", sname(r),
        si.si_code == SI_USER ? "yes" : "no", si.si_pid == getpid() ? "yes" : "no",
        si.si_uid == getuid() ? "yes" : "no");
    memset(&si, 0, sizeof(si));
    si.si_signo = SIGUSR1;
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value.sival_int = 17;
    chk("rt_sigqueueinfo SI_QUEUE", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));
    si.si_code = SI_KERNEL;
    chk("rt_sigqueueinfo SI_KERNEL", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));
    si.si_code = SI_TKILL;
    chk("rt_sigqueueinfo SI_TKILL", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));
    si.si_code = -60;
    chk("rt_sigqueueinfo si_code -60", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));
    si.si_code = SI_TKILL;
    chk("rt_tgsigqueueinfo SI_TKILL",
        syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), SIGUSR1, &si));
    si.si_code = SI_QUEUE;
    chk("rt_tgsigqueueinfo wrong tgid",
        syscall(SYS_rt_tgsigqueueinfo, 4000000, gettid(), SIGUSR1, &si));
    chk("rt_tgsigqueueinfo tid 0", syscall(SYS_rt_tgsigqueueinfo, getpid(), 0, SIGUSR1, &si));
    chk("rt_sigqueueinfo signal 65", syscall(SYS_rt_sigqueueinfo, getpid(), 65, &si));
    chk("rt_sigqueueinfo bad pointer", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, BAD));
    sigset_t pend;
    sigpending(&pend);
    say("pending SIGUSR1: %d\n", sigismember(&pend, SIGUSR1));
    memset(&si, 0, sizeof(si));
    r = sigtimedwait(&set, &si, &zero);
    say("sigtimedwait: SIG%s, SI_QUEUE %s, value %d\n", sname(r),
        si.si_code == SI_QUEUE ? "yes" : "no", si.si_value.sival_int);
    r = sigtimedwait(&set, &si, &zero);
    say("a standard signal is pending once: %s\n", r == -1 ? ename(errno) : "twice");
    si.si_code = SI_QUEUE;
    si.si_value.sival_int = 18;
    chk("rt_tgsigqueueinfo SI_QUEUE",
        syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), SIGUSR1, &si));
    memset(&si, 0, sizeof(si));
    r = sigtimedwait(&set, &si, &zero);
    say("sigtimedwait: SIG%s, SI_QUEUE %s, value %d\n", sname(r),
        si.si_code == SI_QUEUE ? "yes" : "no", si.si_value.sival_int);

    /* Realtime signals queue, in order of number and then of sending. */
    sigset_t rt;
    sigemptyset(&rt);
    sigaddset(&rt, SIGRTMIN);
    sigaddset(&rt, SIGRTMIN + 1);
    sigaddset(&rt, SIGUSR1);
    sigaddset(&rt, SIGTERM);
    sigprocmask(SIG_BLOCK, &rt, NULL);
    union sigval v;
    v.sival_int = 1, sigqueue(getpid(), SIGRTMIN + 1, v);
    v.sival_int = 2, sigqueue(getpid(), SIGRTMIN + 1, v);
    v.sival_int = 3, sigqueue(getpid(), SIGRTMIN, v);
    v.sival_int = 4, sigqueue(getpid(), SIGRTMIN + 1, v);
    v.sival_int = 5, sigqueue(getpid(), SIGTERM, v);
    v.sival_int = 6, sigqueue(getpid(), SIGUSR1, v);
    v.sival_int = 7, sigqueue(getpid(), SIGUSR1, v);
    say("order:");
    while ((r = sigtimedwait(&rt, &si, &zero)) > 0) {
        if (r >= SIGRTMIN)
            say(" RTMIN+%d:%d", r - SIGRTMIN, si.si_value.sival_int);
        else
            say(" SIG%s:%d", sname(r), si.si_value.sival_int);
    }
    say("\n");
    sigprocmask(SIG_UNBLOCK, &rt, NULL);

    /* Threads: the mask is inherited; a process signal goes to a thread
     * that does not block it. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    sa.sa_handler = on_usr2_who;
    sigaction(SIGUSR2, &sa, NULL);
    main_thread = pthread_self();
    pthread_t th;
    pthread_create(&th, NULL, mask_thread, NULL);
    while (!thread_ready)
        usleep(1000);
    kill(getpid(), SIGUSR2);
    for (int i = 0; i < 2000 && handled_by_main < 0; i++)
        usleep(1000);
    say("SIGUSR2 to the process, handled by: %s\n", handled_by_main < 0 ? "nobody"
                                                    : handled_by_main   ? "main (which blocks it)"
                                                                        : "the thread");
    thread_done = 1;
    pthread_join(th, NULL);
    sigpending(&pend);
    say("main's pending SIGINT: %d\n", sigismember(&pend, SIGINT));
    return 0;
}
