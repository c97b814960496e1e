// modes: direct sim
/* A process-shared mutex and condition variable in anonymous shared
 * memory (pthread_mutexattr_setpshared(3)): parent and child each add 2000
 * to a counter under the mutex, and the child waits on the condition for
 * the parent's go. */
#include "conf.h"
#include <pthread.h>
#include <sys/mman.h>

struct shared {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int go;
    long counter;
};

int main(void)
{
    struct shared *s =
        mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED)
        return 1;
    pthread_mutexattr_t ma;
    pthread_condattr_t ca;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_condattr_init(&ca);
    pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&s->mu, &ma);
    pthread_cond_init(&s->cv, &ca);
    pid_t pid = xfork();
    if (pid == 0) {
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_sec += 2;
        int r = 0;
        pthread_mutex_lock(&s->mu);
        while (!s->go && r == 0)
            r = pthread_cond_timedwait(&s->cv, &s->mu, &dl);
        pthread_mutex_unlock(&s->mu);
        say("child woken by the condition: %s\n", r == 0 ? "yes" : ename(r));
        for (int i = 0; i < 2000; i++) {
            pthread_mutex_lock(&s->mu);
            s->counter++;
            pthread_mutex_unlock(&s->mu);
        }
        _exit(0);
    }
    usleep(50000);
    pthread_mutex_lock(&s->mu);
    s->go = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&s->mu);
        s->counter++;
        pthread_mutex_unlock(&s->mu);
    }
    reap("child", pid);
    say("counter: %ld\n", s->counter);
    return 0;
}
