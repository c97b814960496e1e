/* Signal delivery: a SIGSEGV handler that siglongjmps out, SIGFPE from an
 * integer division by zero, raise() into an SA_SIGINFO handler, a handler
 * on a sigaltstack, SA_RESETHAND, and the mask during a handler. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile int hits, info_ok, on_alt, mask_ok;
static char altstack[65536];

static void jump_out(int sig) { hits++; siglongjmp(jb, sig); }

static void with_info(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    mask_ok = sigismember(&cur, sig);
    info_ok = si->si_signo == sig;
    char here;
    on_alt = &here >= altstack && &here < altstack + sizeof(altstack);
}

static int check(int cond, const char *what)
{
    printf("%s %s\n", cond ? "pass" : "FAIL", what);
    return cond ? 0 : 1;
}

int main(void)
{
    int fails = 0;
    signal(SIGSEGV, jump_out);
    if (sigsetjmp(jb, 1) == 0)
        *(volatile int *)8 = 1;
    fails += check(hits == 1, "SIGSEGV handler + siglongjmp");

    signal(SIGFPE, jump_out);
    volatile int zero = 0, num = 7;
    if (sigsetjmp(jb, 1) == 0)
        printf("%d\n", num / zero);
    fails += check(hits == 2, "SIGFPE on division by zero");

    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = with_info;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    fails += check(info_ok, "SA_SIGINFO siginfo");
    fails += check(on_alt, "SA_ONSTACK runs on the sigaltstack");
    fails += check(mask_ok, "signal blocked inside its handler");
    struct sigaction now;
    sigaction(SIGUSR1, NULL, &now);
    fails += check(now.sa_handler == SIG_DFL, "SA_RESETHAND");
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    fails += check(!sigismember(&cur, SIGUSR1), "mask restored by sigreturn");
    printf("failures=%d\n", fails);
    fflush(stdout);
    if (fails == 0)
        raise(SIGUSR2); /* default action: killed, status 128 + 12 */
    return 1;
}
