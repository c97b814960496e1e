// modes: direct sim
/* System calls from sites whose number is set at run time, which geode
 * rewrites the wide way (core/rewrite.c): glibc's syscall(2), and read(2)
 * once the process has threads (`xor %eax,%eax; syscall`). The same site
 * serves ordinary calls and ones that need the exact context (fork and
 * clone through syscall(2), execve in a child), errors set errno, and a
 * read blocked there restarts after an SA_RESTART handler. */
#include "conf.h"
#include <pthread.h>
#include <sys/syscall.h>

static int fds[2];
static volatile int in_handler;

static void on_usr1(int sig)
{
    (void)sig;
    in_handler++;
}

static void *reader(void *arg)
{
    (void)arg;
    char c = 0;
    long n = read(fds[0], &c, 1); /* blocks until main writes */
    say("read after the handler: %ld '%c', handler ran %d\n", n, c, in_handler);
    return NULL;
}

static void *idle(void *arg)
{
    return arg;
}

static void forks(void)
{
    for (int round = 0; round < 3; round++) {
        long r = syscall(SYS_getpid);
        say("syscall(SYS_getpid) round %d: %s\n", round, r == getpid() ? "own pid" : "other");
    }
    for (int round = 0; round < 2; round++) {
        long pid = syscall(SYS_fork);
        if (pid == 0)
            _exit(7 + round);
        int st = 0;
        waitpid((pid_t)pid, &st, 0);
        say("syscall(SYS_fork) round %d: child exit %d\n", round, WEXITSTATUS(st));
    }
    long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid == 0)
        _exit(9);
    int st = 0;
    waitpid((pid_t)pid, &st, 0);
    say("syscall(SYS_clone, SIGCHLD): child exit %d\n", WEXITSTATUS(st));
    pid = fork();
    if (pid == 0) {
        char *argv[] = {"rewrite_wide", "child", NULL};
        syscall(SYS_execve, "/proc/self/exe", argv, environ);
        _exit(100);
    }
    waitpid((pid_t)pid, &st, 0);
    say("syscall(SYS_execve) in a child: exit %d\n", WEXITSTATUS(st));
    errno = 0;
    long r = syscall(SYS_close, -1);
    say("syscall(SYS_close, -1): %ld %s\n", r, ename(errno));
}

static void threaded_reads(void)
{
    pthread_t t;
    /* A second thread makes glibc's read take its threaded path. */
    pthread_create(&t, NULL, idle, NULL);
    pthread_join(t, NULL);
    if (pipe(fds))
        exit(1);
    long sum = 0, got = 0;
    for (int i = 0; i < 3000; i++) {
        char c = (char)('a' + i % 26), r;
        if (write(fds[1], &c, 1) != 1 || read(fds[0], &r, 1) != 1)
            exit(2);
        sum += r, got++;
    }
    say("3000 reads: %ld bytes, sum %ld\n", got, sum);
    char b;
    errno = 0;
    long r = read(-1, &b, 1);
    say("read of a closed descriptor: %ld %s\n", r, ename(errno));

    struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
    sigaction(SIGUSR1, &sa, NULL);
    pthread_create(&t, NULL, reader, NULL);
    usleep(100 * 1000);
    pthread_kill(t, SIGUSR1);
    usleep(100 * 1000);
    if (write(fds[1], "z", 1) != 1)
        exit(3);
    pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "child")) {
        say("execve'd through syscall(2)\n");
        return 3;
    }
    forks();
    threaded_reads();
    return 0;
}
