/* The kill calls that must never leave the program's process tree, with
 * what each returns. Meant to run as process 1 of a pid namespace (natively
 * under `unshare --pid --fork`, or under geode, whose namespace is the
 * program's tree): kill(-1, SIGKILL) with and without other processes,
 * kill(getppid(), SIGTERM) from a child (process 1 has no handler: it
 * ignores the signal, or when it blocks it, discards it once unblocked), a child's kill(-1, SIGKILL) and kill(1, SIGKILL),
 * kill of a host pid outside the tree (argv[1]), which does not exist
 * there, and kill(1, SIGTERM) with a handler. Never run it outside a
 * pid namespace other than under geode: natively, kill(-1, SIGKILL) would
 * reach every process the user may signal. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got_term;
static void on_term(int sig) { (void)sig; got_term = 1; }

static const char *result(int r)
{
    static char buf[64];
    const char *name = errno == ESRCH ? "ESRCH" : errno == EPERM ? "EPERM"
                       : errno == EINVAL ? "EINVAL" : "other";
    if (r < 0)
        snprintf(buf, sizeof(buf), "%d %s", r, name);
    else
        snprintf(buf, sizeof(buf), "%d", r);
    return buf;
}

static void report(const char *what, int r) { printf("%s = %s\n", what, result(r)); }

/* Runs fn in a child and reports what it returned there. */
static void in_child(const char *what, int (*fn)(void))
{
    int p[2];
    if (pipe(p) != 0)
        exit(2);
    pid_t c = fork();
    if (c == 0) {
        int r = fn();
        int e = errno;
        if (write(p[1], &r, sizeof(r)) != sizeof(r) || write(p[1], &e, sizeof(e)) != sizeof(e))
            _exit(3);
        _exit(0);
    }
    int r = 0, e = 0, st = 0;
    if (read(p[0], &r, sizeof(r)) != sizeof(r) || read(p[0], &e, sizeof(e)) != sizeof(e))
        exit(4);
    errno = e;
    report(what, r);
    waitpid(c, &st, 0);
    close(p[0]);
    close(p[1]);
}

static int kill_parent_term(void) { return kill(getppid(), SIGTERM); }
static int kill_init_kill(void) { return kill(1, SIGKILL); }
static int kill_all_kill(void) { return kill(-1, SIGKILL); }

static pid_t sleeper(void)
{
    pid_t c = fork();
    if (c == 0) {
        for (;;)
            pause();
    }
    return c;
}

static void reap(const char *what, pid_t c)
{
    int st = 0;
    pid_t w = waitpid(c, &st, 0);
    printf("%s: reaped=%d signal=%d\n", what, w == c, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

int main(int argc, char **argv)
{
    pid_t outside = argc > 1 ? (pid_t)atoi(argv[1]) : 0;
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("getpid = %d\n", getpid());
    report("kill(-1, SIGKILL) alone", kill(-1, SIGKILL));
    if (outside > 0) {
        report("kill(outside, 0)", kill(outside, 0));
        report("kill(outside, SIGKILL)", kill(outside, SIGKILL));
        report("kill(-outside, SIGKILL)", kill(-outside, SIGKILL));
    }
    in_child("child: kill(getppid(), SIGTERM)", kill_parent_term);
    /* Blocked, it stays pending; unblocked without a handler, init
     * discards it (libc's fork blocks every signal around the fork, so a
     * quick child's kill lands like this too). */
    sigset_t term, old, pend;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &old);
    in_child("child: kill(getppid(), SIGTERM) while blocked", kill_parent_term);
    sigpending(&pend);
    printf("pending while blocked = %d\n", sigismember(&pend, SIGTERM));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: survived\n");
    in_child("child: kill(1, SIGKILL)", kill_init_kill);
    in_child("child: kill(-1, SIGKILL) alone", kill_all_kill);

    pid_t a = sleeper();
    report("kill(-1, SIGKILL) with a child", kill(-1, SIGKILL));
    reap("the child", a);

    pid_t b = sleeper();
    in_child("child: kill(-1, SIGKILL) with a sibling", kill_all_kill);
    reap("the sibling", b);

    /* Last: under geode, process 1 dies of its own signals it has no
     * handler for (Linux's init would ignore them). */
    signal(SIGTERM, on_term);
    report("kill(1, SIGTERM) with a handler", kill(1, SIGTERM));
    printf("handled = %d\n", (int)got_term);
    printf("process 1 survived\n");
    return 0;
}
