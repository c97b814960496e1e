// modes: direct sim
/* Job control on a terminal (ioctl_tty(2), credentials(7)): a child that
 * starts a session takes a pseudo-terminal as its controlling terminal and
 * hands the foreground to its children's groups (TIOCSPGRP). A background
 * group that asks for it takes SIGTTOU (a handler: EINTR; the default
 * action: it stops, and once continued in the foreground its call is made
 * again), unless it ignores or blocks SIGTTOU; an orphaned group gets
 * ENOTTY. A group that does not exist is ESRCH, one of another session
 * EPERM.
 * The parent reads the foreground group and the session through the master
 * (TIOCGPGRP, TIOCGSID); the slave is not its controlling terminal
 * (ENOTTY). Ids are printed only as relations. */
#include "conf.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>

static volatile sig_atomic_t ttou;

static void on_ttou(int sig)
{
    (void)sig;
    ttou++;
}

static const char *yes(int b)
{
    return b ? "yes" : "no";
}

static void catch_ttou(void)
{
    struct sigaction sa = {.sa_handler = on_ttou}; /* no SA_RESTART: EINTR */
    sigaction(SIGTTOU, &sa, NULL);
}

static void block_ttou(int how)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTTOU);
    sigprocmask(how, &set, NULL);
}

/* A background group whose parent is in the session (not orphaned): its
 * TIOCSPGRP takes SIGTTOU (a handler: EINTR), unless SIGTTOU is ignored or
 * blocked. Gives the terminal back to the leader. */
static int background(int s, pid_t g, pid_t leader_pg)
{
    pid_t me = getpid();
    char b;
    signal(SIGTTIN, SIG_IGN);
    chk("background: read with SIGTTIN ignored", read(s, &b, 1));
    signal(SIGTTIN, SIG_DFL);
    sigset_t ttin;
    sigemptyset(&ttin);
    sigaddset(&ttin, SIGTTIN);
    sigprocmask(SIG_BLOCK, &ttin, NULL);
    chk("background: read with SIGTTIN blocked", read(s, &b, 1));
    sigprocmask(SIG_UNBLOCK, &ttin, NULL);
    struct termios t;
    signal(SIGTTOU, SIG_IGN);
    chk("background: TCSETS with SIGTTOU ignored", tcgetattr(s, &t) || tcsetattr(s, TCSANOW, &t));
    /* TOSTOP: a background write takes SIGTTOU, unless the writer blocks
     * it (the write goes through, and no signal is sent). */
    t.c_lflag |= TOSTOP;
    chk("background: TCSETS TOSTOP with SIGTTOU ignored", tcsetattr(s, TCSANOW, &t));
    catch_ttou();
    int before = ttou;
    block_ttou(SIG_BLOCK);
    val("background: write under TOSTOP with SIGTTOU blocked", write(s, "w", 1));
    block_ttou(SIG_UNBLOCK);
    say("background: SIGTTOU taken for the blocked write: %d\n", (int)ttou - before);
    chk("background: write under TOSTOP with a SIGTTOU handler", write(s, "w", 1));
    say("background: SIGTTOU taken for it: %d\n", (int)ttou - before);
    signal(SIGTTOU, SIG_IGN);
    t.c_lflag &= ~TOSTOP;
    chk("background: TCSETS without TOSTOP", tcsetattr(s, TCSANOW, &t));
    catch_ttou();
    chk("background: TIOCSPGRP with a SIGTTOU handler", tcsetpgrp(s, me));
    say("background: SIGTTOU taken: %d, fg still the first child's: %s\n", (int)ttou,
        yes(tcgetpgrp(s) == g));
    signal(SIGTTOU, SIG_IGN);
    chk("background: TIOCSPGRP with SIGTTOU ignored", tcsetpgrp(s, me));
    say("background: fg is self: %s\n", yes(tcgetpgrp(s) == me));
    catch_ttou();
    chk("background: TIOCSPGRP from the foreground", tcsetpgrp(s, g));
    block_ttou(SIG_BLOCK);
    chk("background: TIOCSPGRP with SIGTTOU blocked", tcsetpgrp(s, me));
    block_ttou(SIG_UNBLOCK);
    say("background: fg is self: %s, SIGTTOU taken: %d\n", yes(tcgetpgrp(s) == me), (int)ttou);
    chk("background: TIOCSPGRP back to the leader", tcsetpgrp(s, leader_pg));
    return 0;
}

static pid_t spawn_group(int (*fn)(int, pid_t, pid_t), int s, pid_t g, pid_t leader_pg)
{
    pid_t p = fork();
    if (p == 0) {
        setpgid(0, 0);
        _exit(fn(s, g, leader_pg));
    }
    setpgid(p, p); /* either one of the two calls makes it, whichever runs first */
    return p;
}

/* With SIGTTIN's and SIGTTOU's default actions: a read, then a TIOCSPGRP,
 * from the background stops the process; once its group is in the
 * foreground and it is continued, the call is made again and succeeds. */
static int stopping(int s, pid_t g, pid_t leader_pg)
{
    (void)g;
    char b[8] = {0};
    long n = read(s, b, sizeof(b) - 1);
    say("stopping: read after the stop: %ld %s\n", n, n == 2 && b[0] == 'z' ? "z" : "?");
    chk("stopping: TIOCSPGRP to the leader", tcsetpgrp(s, leader_pg));
    chk("stopping: TIOCSPGRP after the stop", tcsetpgrp(s, getpid()));
    chk("stopping: TIOCSPGRP back to the leader", tcsetpgrp(s, leader_pg));
    return 0;
}

static int wait_child(pid_t p, const char *what)
{
    int st;
    if (waitpid(p, &st, WUNTRACED) != p)
        return -1;
    say("leader: %s %s\n", what, wstr(st));
    return st;
}

/* The session leader: takes the terminal, moves the foreground among its
 * children's groups. */
static int leader(const char *name, int m, int to_parent, int from_parent)
{
    if (setsid() < 0)
        return 80;
    int s = open(name, O_RDWR); /* a session leader without a terminal takes this one */
    if (s < 0)
        return 81;
    pid_t me = getpid();
    say("leader: fg is self: %s, session is self: %s\n", yes(tcgetpgrp(s) == me),
        yes(tcgetsid(s) == me));
    int go[2];
    if (pipe(go))
        return 82;
    pid_t g = fork();
    if (g == 0) {
        setpgid(0, 0);
        pipe_wait(go[0]);
        _exit(7);
    }
    setpgid(g, g);
    chk("leader: TIOCSPGRP to the child's group", tcsetpgrp(s, g));
    say("leader: fg is the child's group: %s, via the master: %s\n", yes(tcgetpgrp(s) == g),
        yes(tcgetpgrp(m) == g));
    pipe_tell(to_parent);
    pipe_wait(from_parent); /* the parent has looked */

    pid_t h = spawn_group(background, s, g, me);
    wait_child(h, "background child");
    say("leader: fg is self: %s\n", yes(tcgetpgrp(s) == me));

    h = spawn_group(stopping, s, g, me);
    for (int i = 0; i < 2; i++) { /* its read, then its TIOCSPGRP */
        if (!WIFSTOPPED(wait_child(h, "stopping child"))) {
            kill(h, SIGKILL);
            waitpid(h, NULL, 0);
            break;
        }
        chk("leader: TIOCSPGRP to the stopped child's group", tcsetpgrp(s, h));
        kill(h, SIGCONT);
        if (i == 0 && write(m, "z\n", 2) != 2) /* the line its read takes */
            return 84;
    }
    wait_child(h, "stopping child");
    say("leader: fg is self: %s\n", yes(tcgetpgrp(s) == me));

    /* The leader's own group is orphaned (its parent is in another
     * session): no SIGTTOU for it, ENOTTY instead. */
    chk("leader: TIOCSPGRP to the first child's group", tcsetpgrp(s, g));
    catch_ttou();
    ttou = 0;
    chk("leader: TIOCSPGRP from an orphaned background group", tcsetpgrp(s, me));
    block_ttou(SIG_BLOCK);
    chk("leader: TIOCSPGRP with SIGTTOU blocked", tcsetpgrp(s, me));
    block_ttou(SIG_UNBLOCK);
    say("leader: fg is self again: %s, SIGTTOU taken: %d\n", yes(tcgetpgrp(s) == me), (int)ttou);

    chk("leader: TIOCSPGRP to no group", tcsetpgrp(s, 0x3fffffff));
    chk("leader: TIOCSPGRP to the parent's group (another session)",
        tcsetpgrp(s, getpgid(getppid())));
    chk("leader: TIOCSPGRP to a negative group", tcsetpgrp(s, -5));
    say("leader: fg is self: %s\n", yes(tcgetpgrp(s) == me));
    pipe_tell(go[1]);
    wait_child(g, "first child");
    pipe_tell(to_parent);
    pipe_wait(from_parent);
    return 0;
}

int main(void)
{
    if (setpgid(0, 0)) /* its own group, whoever started it */
        return 1;
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) || unlockpt(m))
        return 2;
    char name[64];
    if (ptsname_r(m, name, sizeof(name)))
        return 3;
    val("parent: TIOCGPGRP of the master before any session", tcgetpgrp(m));
    int up[2], down[2];
    if (pipe(up) || pipe(down))
        return 4;
    pid_t c = fork();
    if (c == 0)
        _exit(leader(name, m, up[1], down[0]));
    pipe_wait(up[0]);
    int s = open(name, O_RDWR | O_NOCTTY);
    pid_t fg = tcgetpgrp(m);
    say("parent: fg via the master is the leader's child's group: %s (in the tree: %s)\n",
        yes(fg > 0 && fg != c && getpgid(fg) == fg), yes(fg > 0));
    say("parent: session via the master is the leader's: %s\n", yes(tcgetsid(m) == c));
    chk("parent: TIOCGPGRP of a slave that is not its terminal", tcgetpgrp(s));
    chk("parent: TIOCSPGRP of a slave that is not its terminal", tcsetpgrp(s, getpgrp()));
    pipe_tell(down[1]);
    pipe_wait(up[0]);
    say("parent: fg via the master is the leader: %s\n", yes(tcgetpgrp(m) == c));
    pipe_tell(down[1]);
    int st;
    if (waitpid(c, &st, 0) != c)
        return 5;
    say("parent: leader %s\n", wstr(st));
    return 0;
}
