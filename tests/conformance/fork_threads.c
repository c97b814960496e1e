// modes: direct sim
/* fork(2) while other threads are inside system calls: the child has only
 * the forking thread, and nothing those threads were doing at the fork
 * (taking a descriptor, mapping memory, allocating) may leave the child
 * stuck or its state half-made. Each child makes the same calls itself and
 * exits; a child that does not exit within 10 s counts as hung. */
#include "conf.h"
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>

#define FORKS 40
static volatile int stop;

static void *busy(void *arg)
{
    long k = (long)arg;
    while (!stop) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) == 0) {
            int d = dup(p[0]);
            close(p[0]), close(p[1]);
            if (d >= 0)
                close(d);
        }
        int fd = open("/", O_RDONLY | O_DIRECTORY);
        if (fd >= 0) {
            for (int i = 0; i < 8; i++)
                dup2(fd, 100 + (int)k);
            close(fd);
        }
        char cwd[64];
        if (chdir(k ? "/" : "/tmp") || !getcwd(cwd, sizeof(cwd)))
            continue;
        void *m = mmap(NULL, 4096 * (1 + k), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
        if (m != MAP_FAILED) {
            *(volatile char *)m = 1;
            munmap(m, 4096 * (1 + k));
        }
    }
    return NULL;
}

static int child(void)
{
    for (int i = 0; i < 50; i++) {
        int p[2];
        if (pipe(p) || write(p[1], "x", 1) != 1)
            return 2;
        close(p[0]), close(p[1]);
        void *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return 3;
        ((volatile char *)m)[4096] = 1;
        munmap(m, 8192);
        int fd = open("/", O_RDONLY | O_DIRECTORY);
        if (fd < 0 || dup2(fd, 100) != 100)
            return 4;
        close(fd);
        char cwd[64];
        if (!getcwd(cwd, sizeof(cwd)))
            return 5;
    }
    return 0;
}

int main(void)
{
    pthread_t th[2];
    for (long i = 0; i < 2; i++)
        if (pthread_create(&th[i], NULL, busy, (void *)i))
            return 1;
    int ok = 0, hung = 0, bad = 0;
    for (int i = 0; i < FORKS; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(child());
        if (pid < 0) {
            say("fork %d: -1 %s\n", i, ename(errno));
            bad++;
            continue;
        }
        int st = 0;
        pid_t w = 0;
        for (int t = 0; t < 1000 && (w = waitpid(pid, &st, WNOHANG)) == 0; t++)
            usleep(10000);
        if (w == 0) {
            hung++;
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
        } else if (w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
            ok++;
        } else {
            say("fork %d: child status %#x\n", i, st);
            bad++;
        }
    }
    stop = 1;
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    say("forks beside busy threads: %d exited 0, %d hung, %d other\n", ok, hung, bad);
    return 0;
}
