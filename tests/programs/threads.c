/* Four threads add to a shared counter under a mutex, then join; checks
 * clone, TLS (each thread's own errno), futex and thread exit. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define NTHREADS 4
#define ITERS 100000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *worker(void *arg)
{
    long id = (long)arg;
    errno = (int)id + 100; /* errno lives in this thread's TLS */
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
        if (i % 10000 == 0)
            sched_yield();
    }
    return (void *)(long)(errno == (int)id + 100);
}

int main(void)
{
    pthread_t th[NTHREADS];
    for (long i = 0; i < NTHREADS; i++)
        if (pthread_create(&th[i], NULL, worker, (void *)i) != 0) {
            printf("pthread_create failed\n");
            return 1;
        }
    int tls_ok = 1;
    for (int i = 0; i < NTHREADS; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        tls_ok &= ret == (void *)1;
    }
    printf("counter=%ld tls=%s\n", counter, tls_ok ? "ok" : "bad");
    return counter == NTHREADS * ITERS && tls_ok ? 0 : 1;
}
