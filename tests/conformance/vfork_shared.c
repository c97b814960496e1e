// modes: direct sim
/* vfork and posix_spawn: the child shares the parent's memory until it
 * execs or exits, and has its own descriptors, dispositions, mask,
 * working directory and umask; posix_spawn reports a failed exec. */
#include "conf.h"

#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <time.h>
#include <sys/stat.h>

extern char **environ;

static volatile int shared_word;
static volatile int got_usr1;

static void on_usr1(int sig)
{
    (void)sig;
    got_usr1++;
}

static int wait_status(pid_t pid)
{
    int st = 0;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return st;
}

static void show_status(const char *what, int st)
{
    if (WIFEXITED(st))
        say("%s: exit %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        say("%s: signal %s\n", what, sname(WTERMSIG(st)));
    else
        say("%s: status %x\n", what, st);
}

/* The child's stores reach the parent; its own state does not. */
static void child_state(void)
{
    int fds[2];
    if (pipe(fds))
        _exit(80);
    struct sigaction sa = {.sa_handler = on_usr1};
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    mode_t old_umask = umask(022);
    char cwd[256];
    if (!getcwd(cwd, sizeof(cwd)))
        _exit(81);
    shared_word = 1;
    pid_t pid = vfork();
    if (pid == 0) {
        shared_word = 2;                 /* seen by the parent */
        close(fds[0]);                   /* the child's table only */
        dup2(fds[1], 100);
        signal(SIGUSR1, SIG_IGN);        /* the child's dispositions only */
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, NULL);
        umask(077);
        if (chdir("/"))
            _exit(82);
        _exit(7);
    }
    say("vfork: %s\n", pid > 0 ? "child id" : ename(errno));
    show_status("vfork child", wait_status(pid));
    say("shared word after child: %d\n", shared_word);
    say("read end still open: %s\n", fcntl(fds[0], F_GETFD) == 0 ? "yes" : ename(errno));
    say("fd 100 in parent: %s\n", fcntl(100, F_GETFD) < 0 ? ename(errno) : "open");
    struct sigaction cur;
    sigaction(SIGUSR1, NULL, &cur);
    say("SIGUSR1 handler kept: %s\n", cur.sa_handler == on_usr1 ? "yes" : "no");
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    say("mask kept empty: %s\n", sigismember(&now, SIGUSR1) ? "no" : "yes");
    say("umask kept: %03o\n", umask(old_umask));
    char after[256];
    say("cwd kept: %s\n", getcwd(after, sizeof(after)) && !strcmp(after, cwd) ? "yes" : "no");
    raise(SIGUSR1);
    say("handler ran: %d\n", got_usr1);
    close(fds[0]);
    close(fds[1]);
}

/* A failed exec in the child is an error the child can write back. */
static void child_exec_error(void)
{
    volatile int err = 0;
    pid_t pid = vfork();
    if (pid == 0) {
        char *argv[] = {"nope", NULL};
        execve("/nonexistent/prog", argv, environ);
        err = errno;
        _exit(127);
    }
    show_status("exec error child", wait_status(pid));
    say("exec error seen by parent: %s\n", ename(err));
}

/* The ids: the child's getppid is ours, its getpid the id vfork returned
 * (sent through a pipe: what a child writes after its first call that
 * needs a process of its own may stay the child's under geode). */
static void child_ids(void)
{
    volatile pid_t parent_seen = 0;
    int fds[2];
    if (pipe(fds))
        return;
    pid_t pid = vfork();
    if (pid == 0) {
        parent_seen = getppid();
        pid_t me = getpid();
        if (write(fds[1], &me, sizeof(me)) != sizeof(me))
            _exit(1);
        _exit(0);
    }
    show_status("ids child", wait_status(pid));
    pid_t seen = 0;
    if (read(fds[0], &seen, sizeof(seen)) != sizeof(seen))
        seen = -1;
    close(fds[0]);
    close(fds[1]);
    say("child's getpid is vfork's result: %s\n", seen == pid ? "yes" : "no");
    say("child's getppid is the parent: %s\n", parent_seen == getpid() ? "yes" : "no");
}

/* A fault in the child ends the child, not the parent. */
static void child_fault(void)
{
    pid_t pid = vfork();
    if (pid == 0) {
        *(volatile int *)BAD = 1;
        _exit(0);
    }
    show_status("faulting child", wait_status(pid));
}

/* posix_spawn: errors, file actions, a successful exec (of this program
 * itself, through /proc/self/exe, in the roles main takes). */
static void spawn(void)
{
    pid_t pid;
    char *argv[] = {"nope", NULL};
    int r = posix_spawn(&pid, "/nonexistent/prog", NULL, NULL, argv, environ);
    say("posix_spawn missing: %s\n", r ? ename(r) : "0");
    if (r == 0)
        wait_status(pid);
    r = posix_spawnp(&pid, "no-such-program-here", NULL, NULL, argv, environ);
    say("posix_spawnp missing: %s\n", r ? ename(r) : "0");
    if (r == 0)
        wait_status(pid);

    int fds[2];
    if (pipe(fds))
        return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    char *echo[] = {"vfork_shared", "-", "echo", NULL};
    r = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, echo, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    say("posix_spawn self: %s\n", r ? ename(r) : "0");
    char buf[64] = {0};
    size_t got = 0;
    for (ssize_t n; got < sizeof(buf) - 1 && (n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0;)
        got += (size_t)n;
    close(fds[0]);
    say("spawned child wrote: %s", buf);
    if (r == 0)
        show_status("spawned self", wait_status(pid));

    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&at, 0);
    char *grp[] = {"vfork_shared", "-", "group", NULL};
    r = posix_spawn(&pid, "/proc/self/exe", NULL, &at, grp, environ);
    posix_spawnattr_destroy(&at);
    if (r == 0)
        show_status("spawned in own group", wait_status(pid));
    else
        say("posix_spawn setpgroup: %s\n", ename(r));
}

/* With another thread running: it keeps the process's descriptors while
 * a vfork child closes one of its own, and posix_spawn still reports a
 * failed exec. */
static volatile int stop_spinner, spinner_misses, spinner_checks;
static int kept_fd;

static void *spinner(void *arg)
{
    (void)arg;
    while (!stop_spinner) {
        if (fcntl(kept_fd, F_GETFD) < 0)
            spinner_misses++;
        spinner_checks++;
    }
    return NULL;
}

static void with_thread(void)
{
    pthread_t th;
    kept_fd = open("/dev/null", O_RDONLY);
    if (kept_fd < 0 || pthread_create(&th, NULL, spinner, NULL))
        return;
    while (!spinner_checks)
        ;
    pid_t pid = vfork();
    if (pid == 0) {
        close(kept_fd);
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        _exit(fcntl(kept_fd, F_GETFD) < 0 ? 0 : 1);
    }
    show_status("threaded vfork child (closed its fd)", wait_status(pid));
    char *argv[] = {"nope", NULL};
    int r = posix_spawn(&pid, "/nonexistent/prog", NULL, NULL, argv, environ);
    say("threaded posix_spawn missing: %s\n", r ? ename(r) : "0");
    if (r == 0)
        wait_status(pid);
    stop_spinner = 1;
    pthread_join(th, NULL);
    say("other thread saw the fd closed: %s\n", spinner_misses ? "yes" : "no");
    say("fd still open after: %s\n", fcntl(kept_fd, F_GETFD) >= 0 ? "yes" : "no");
    close(kept_fd);
}

int main(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[2], "echo")) { /* stdin is /dev/null */
        char c;
        say("spawned\n");
        while (read(0, &c, 1) == 1)
            say("%c", c);
        say("done\n");
        return 0;
    }
    if (argc > 2 && !strcmp(argv[2], "group"))
        return getpgrp() == getpid() ? 5 : 6;
    child_state();
    child_exec_error();
    child_ids();
    child_fault();
    spawn();
    with_thread();
    return 0;
}
