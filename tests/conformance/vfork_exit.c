// modes: direct sim
/* A vfork child that exits before it execs (vfork(2), _exit(2), exit(2),
 * wait(2), sigwaitinfo(2), pipe(7)): its exit status (the low 8 bits),
 * the SIGCHLD with its pid and status, a zombie kill(2) can still find
 * until it is reaped, its end of a pipe closed with it, and many failed
 * posix_spawns in turn (each child exits 127 and posix_spawn reaps it). */
#include "conf.h"

#include <spawn.h>
#include <sys/syscall.h>

extern char **environ;

static void exit_with(int code)
{
    pid_t pid = vfork();
    if (pid == 0)
        _exit(code);
    say("_exit(%d): ", code);
    reap("child", pid);
}

static void exit_codes(void)
{
    exit_with(0);
    exit_with(9);
    exit_with(255);
    exit_with(256 + 3);
    pid_t pid = vfork();
    if (pid == 0)
        syscall(SYS_exit, 5); /* the thread's exit: the vfork child's only thread */
    reap("SYS_exit(5) child", pid);
}

static void sigchld(void)
{
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    pid_t pid = vfork();
    if (pid == 0)
        _exit(42);
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    int sig = sigwaitinfo(&chld, &si);
    say("SIGCHLD: %s, from the child: %s, CLD_EXITED: %s, status %d\n", sig == SIGCHLD ? "yes" : "no",
        si.si_pid == pid ? "yes" : "no", si.si_code == CLD_EXITED ? "yes" : "no", si.si_status);
    chk("kill(child, 0) before the wait", kill(pid, 0));
    siginfo_t w;
    memset(&w, 0, sizeof(w));
    chk("waitid WNOWAIT", waitid(P_PID, (id_t)pid, &w, WEXITED | WNOWAIT));
    say("waitid saw the child: %s, status %d\n", w.si_pid == pid ? "yes" : "no", w.si_status);
    reap("child", pid);
    chk("kill(child, 0) after the wait", kill(pid, 0));
    sigprocmask(SIG_UNBLOCK, &chld, NULL);
}

static void pipe_end(void)
{
    int fds[2];
    if (pipe(fds)) {
        say("pipe: %s\n", ename(errno));
        return;
    }
    pid_t pid = vfork();
    if (pid == 0) {
        if (write(fds[1], "x", 1) != 1)
            _exit(1);
        _exit(0);
    }
    close(fds[1]);
    char buf[4];
    ssize_t a = read(fds[0], buf, sizeof(buf)), b = read(fds[0], buf, sizeof(buf));
    say("the child's byte: %zd, then end of file: %s\n", a, b == 0 ? "yes" : "no");
    close(fds[0]);
    reap("writer child", pid);
}

/* glibc's posix_spawn reaps a child whose exec failed itself. */
static void many(void)
{
    int enoent = 0;
    for (volatile int i = 0; i < 40; i++) {
        pid_t pid = 0;
        char *argv[] = {"nope", NULL};
        if (posix_spawn(&pid, "/nonexistent/prog", NULL, NULL, argv, environ) == ENOENT)
            enoent++;
    }
    say("40 failed posix_spawns, ENOENT: %d\n", enoent);
    chk("no child left (waitpid -1)", waitpid(-1, NULL, WNOHANG));
}

int main(void)
{
    exit_codes();
    sigchld();
    pipe_end();
    many();
    return 0;
}
