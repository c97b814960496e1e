// modes: direct sim
/* POSIX semaphores between processes (sem_init(3) with pshared, sem_open(3),
 * sem_overview(7)): an unnamed semaphore in MAP_SHARED memory and a named
 * one hand a token between parent and child; sem_trywait EAGAIN, timed
 * wait ETIMEDOUT. */
#include "conf.h"
#include <fcntl.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <time.h>

static int timed(sem_t *s, int ms)
{
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_nsec += ms * 1000000L;
    dl.tv_sec += dl.tv_nsec / 1000000000L;
    dl.tv_nsec %= 1000000000L;
    return sem_timedwait(s, &dl);
}

int main(void)
{
    sem_t *s =
        mmap(NULL, 2 * sizeof(sem_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED)
        return 1;
    chk("sem_init pshared", sem_init(&s[0], 1, 0));
    chk("sem_init pshared", sem_init(&s[1], 1, 0));
    chk("sem_trywait at 0", sem_trywait(&s[0]));
    chk("sem_timedwait 50 ms at 0", timed(&s[0], 50));
    pid_t pid = xfork();
    if (pid == 0) {
        int took = timed(&s[0], 2000) == 0;
        _exit(took && sem_post(&s[1]) == 0 ? 0 : took ? 2 : 1);
    }
    int posted = sem_post(&s[0]), e = errno;
    int got = timed(&s[1], 2000), e2 = errno;
    reap("child (0: took the parent's token and posted back)", pid);
    errno = e;
    chk("parent posts", posted);
    errno = e2;
    chk("parent takes the child's token", got);
    int v = -1;
    sem_getvalue(&s[0], &v);
    say("value after the exchange: %d\n", v);

    char name[64];
    snprintf(name, sizeof(name), "/geode_conf_sem_%d", (int)getpid());
    sem_t *n = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
    say("sem_open create: %s\n", n == SEM_FAILED ? ename(errno) : "ok");
    if (n == SEM_FAILED)
        return 0;
    pid = xfork();
    if (pid == 0) {
        sem_t *c = sem_open(name, 0);
        say("child sem_open by name: %s\n", c == SEM_FAILED ? ename(errno) : "ok");
        if (c != SEM_FAILED)
            sem_post(c);
        _exit(0);
    }
    reap("child", pid);
    chk("parent takes the child's token", timed(n, 2000));
    chk("sem_unlink", sem_unlink(name));
    n = sem_open(name, 0);
    say("sem_open after unlink: %s\n", n == SEM_FAILED ? ename(errno) : "ok");
    return 0;
}
