// modes: direct sim
/* FUTEX_CMP_REQUEUE and FUTEX_REQUEUE: the comparison first (EAGAIN when
 * the word moved on), then up to n waiters woken and up to m moved to the
 * second word, where a later wake finds them; the count is woken plus
 * moved; negative counts are EINVAL. Three waiters (four threads: an
 * enclave's default). */
#include "conf.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>

static uint32_t w1, w2;
static int ready, returned;

static long fx(uint32_t *a, int op, long n, long m, uint32_t *b, uint32_t v)
{
    return syscall(SYS_futex, a, op | FUTEX_PRIVATE_FLAG, n, m, b, v);
}

static void *waiter(void *arg)
{
    (void)arg;
    __atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
    fx(&w1, FUTEX_WAIT, 0, 0, NULL, 0);
    __atomic_add_fetch(&returned, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void start(pthread_t t[3])
{
    ready = returned = 0;
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, waiter, NULL);
    while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < 3)
        usleep(1000);
    usleep(200 * 1000); /* into their waits */
}

static int settled(void)
{
    usleep(100 * 1000);
    return __atomic_load_n(&returned, __ATOMIC_SEQ_CST);
}

int main(void)
{
    pthread_t t[3];
    start(t);
    long r = fx(&w1, FUTEX_CMP_REQUEUE, 1, 1, &w2, 7);
    say("CMP_REQUEUE with a stale value: %ld %s\n", r, r < 0 ? ename(errno) : "");
    r = fx(&w1, FUTEX_CMP_REQUEUE, -1, 1, &w2, 0);
    say("CMP_REQUEUE waking -1: %ld %s\n", r, r < 0 ? ename(errno) : "");
    r = fx(&w1, FUTEX_CMP_REQUEUE, 1, 1, &w2, 0);
    say("CMP_REQUEUE wake 1, move 1: %ld; returned %d\n", r, settled());
    r = fx(&w2, FUTEX_WAKE, 5, 0, NULL, 0);
    say("wake of the second word: %ld; returned %d\n", r, settled());
    r = fx(&w1, FUTEX_WAKE, 5, 0, NULL, 0);
    say("wake of the first word: %ld; returned %d\n", r, settled());
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);

    start(t);
    r = fx(&w1, FUTEX_REQUEUE, 0, 10, &w2, 0);
    say("REQUEUE wake 0, move all: %ld; returned %d\n", r, settled());
    r = fx(&w1, FUTEX_WAKE, 5, 0, NULL, 0);
    say("wake of the first word: %ld\n", r);
    r = fx(&w2, FUTEX_WAKE, 5, 0, NULL, 0);
    say("wake of the second word: %ld; returned %d\n", r, settled());
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    return 0;
}
