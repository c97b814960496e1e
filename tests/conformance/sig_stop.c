// modes: direct sim
/* Stopping and continuing a child (signal(7), waitpid(2), waitid(2)):
 * SIGSTOP reported by waitpid WUNTRACED and by waitid WSTOPPED, SIGCONT by
 * WCONTINUED; a report is given once; WNOWAIT leaves it; SIGCHLD's
 * si_code for a stop, none with SA_NOCLDSTOP (sigaction(2)); a stopped
 * child that is killed. */
#include "conf.h"

static volatile int chld_code;
static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    chld_code = si->si_code;
}

static const char *code_name(int c)
{
    switch (c) {
    case CLD_EXITED:
        return "CLD_EXITED";
    case CLD_KILLED:
        return "CLD_KILLED";
    case CLD_STOPPED:
        return "CLD_STOPPED";
    case CLD_CONTINUED:
        return "CLD_CONTINUED";
    default:
        return "other";
    }
}

static const char *st_words(int st)
{
    static char buf[64];
    if (WIFSTOPPED(st))
        snprintf(buf, sizeof(buf), "stopped by SIG%s", sname(WSTOPSIG(st)));
    else if (WIFCONTINUED(st))
        snprintf(buf, sizeof(buf), "continued");
    else
        return wstr(st);
    return buf;
}

int main(void)
{
    int pp[2];
    if (pipe(pp))
        return 1;
    struct sigaction sa = {0};
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);

    pid_t p = xfork();
    if (p == 0) {
        char c;
        while (read(pp[0], &c, 1) != 1)
            ;
        _exit(7);
    }
    int st = 0;
    pid_t r = waitpid(p, &st, WNOHANG | WUNTRACED | WCONTINUED);
    say("waitpid WNOHANG before anything: %ld\n", (long)r);
    chk("kill SIGSTOP", kill(p, SIGSTOP));
    r = waitpid(p, &st, WUNTRACED);
    say("waitpid WUNTRACED: %s, %s\n", r == p ? "the child" : "other", st_words(st));
    for (int i = 0; i < 1000 && !chld_code; i++)
        usleep(1000);
    say("SIGCHLD si_code: %s\n", code_name(chld_code));
    r = waitpid(p, &st, WNOHANG | WUNTRACED);
    say("again: %ld (reported once)\n", (long)r);
    chk("kill SIGSTOP again", kill(p, SIGSTOP));
    r = waitpid(p, &st, WNOHANG | WUNTRACED);
    say("a second SIGSTOP while stopped reports: %ld\n", (long)r);

    chld_code = 0;
    chk("kill SIGCONT", kill(p, SIGCONT));
    r = waitpid(p, &st, WCONTINUED);
    say("waitpid WCONTINUED: %s, %s\n", r == p ? "the child" : "other", st_words(st));
    for (int i = 0; i < 1000 && !chld_code; i++)
        usleep(1000);
    say("SIGCHLD si_code: %s\n", code_name(chld_code));
    r = waitpid(p, &st, WNOHANG | WCONTINUED);
    say("again: %ld\n", (long)r);

    /* waitid. */
    siginfo_t si;
    kill(p, SIGSTOP);
    memset(&si, 0, sizeof(si));
    chk("waitid WSTOPPED|WNOWAIT", waitid(P_PID, p, &si, WSTOPPED | WNOWAIT));
    say("si_code %s, si_status SIG%s, si_pid the child: %s\n", code_name(si.si_code),
        sname(si.si_status), si.si_pid == p ? "yes" : "no");
    memset(&si, 0, sizeof(si));
    chk("waitid WSTOPPED", waitid(P_PID, p, &si, WSTOPPED));
    say("si_code %s, si_status SIG%s\n", code_name(si.si_code), sname(si.si_status));
    memset(&si, 0, sizeof(si));
    chk("waitid WSTOPPED|WNOHANG, reported already", waitid(P_PID, p, &si, WSTOPPED | WNOHANG));
    say("si_pid: %s\n", si.si_pid == 0 ? "0" : "set");
    kill(p, SIGCONT);
    memset(&si, 0, sizeof(si));
    chk("waitid WCONTINUED", waitid(P_PID, p, &si, WCONTINUED));
    say("si_code %s, si_status SIG%s\n", code_name(si.si_code), sname(si.si_status));
    chk("waitid no WEXITED/WSTOPPED/WCONTINUED", waitid(P_PID, p, &si, WNOHANG));
    chk("waitpid bad option", waitpid(p, &st, 0x100));

    /* A stopped child ends when killed; a plain wait does not see stops. */
    kill(p, SIGSTOP);
    waitpid(p, &st, WUNTRACED);
    chk("kill SIGTERM to the stopped child", kill(p, SIGTERM));
    r = waitpid(p, &st, WNOHANG);
    say("still stopped, SIGTERM pending: %ld\n", (long)r);
    chk("kill SIGKILL", kill(p, SIGKILL));
    r = waitpid(p, &st, 0);
    say("waitpid: %s, %s\n", r == p ? "the child" : "other", st_words(st));

    /* A continued child goes on: its exit is reported as usual. */
    p = xfork();
    if (p == 0) {
        char c;
        while (read(pp[0], &c, 1) != 1)
            ;
        _exit(7);
    }
    kill(p, SIGSTOP);
    waitpid(p, &st, WUNTRACED);
    post(pp[1]);
    kill(p, SIGCONT);
    r = waitpid(p, &st, 0);
    say("stopped, written to, continued: %s\n", st_words(st));

    /* SA_NOCLDSTOP: no SIGCHLD for a stop or a continue, one for the end. */
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    chld_code = 0;
    p = xfork();
    if (p == 0) {
        char c;
        while (read(pp[0], &c, 1) != 1)
            ;
        _exit(7);
    }
    kill(p, SIGSTOP);
    waitpid(p, &st, WUNTRACED);
    kill(p, SIGCONT);
    waitpid(p, &st, WCONTINUED);
    usleep(50000);
    say("SA_NOCLDSTOP: SIGCHLD after a stop and a continue: %s\n",
        chld_code ? code_name(chld_code) : "none");
    post(pp[1]);
    waitpid(p, &st, 0);
    for (int i = 0; i < 1000 && !chld_code; i++)
        usleep(1000);
    say("after the end: %s\n", code_name(chld_code));
    return 0;
}
