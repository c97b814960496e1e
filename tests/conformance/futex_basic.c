// modes: direct sim
/* futex(2) in one process: EAGAIN when the word differs, ETIMEDOUT after a
 * relative timeout (not before it), an absolute FUTEX_WAIT_BITSET deadline
 * in the past, a wake with no waiter, a thread woken by a store and a
 * wake, and the errors EINVAL, EFAULT, ENOSYS. */
#include "conf.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

static long futex(void *uaddr, int op, uint32_t val, const struct timespec *ts, uint32_t val3)
{
    return syscall(SYS_futex, uaddr, op, val, ts, NULL, val3);
}

static uint32_t word;

static void *waiter(void *arg)
{
    (void)arg;
    struct timespec ts = {5, 0};
    while (__atomic_load_n(&word, __ATOMIC_ACQUIRE) == 0)
        if (futex(&word, FUTEX_WAIT_PRIVATE, 0, &ts, 0) == -1 && errno == ETIMEDOUT)
            return "timed out";
    return "woken";
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void)
{
    uint32_t w = 1;
    chk("FUTEX_WAIT, word differs", futex(&w, FUTEX_WAIT, 0, NULL, 0));
    struct timespec ts = {0, 50000000};
    double t0 = now();
    chk("FUTEX_WAIT 50 ms", futex(&w, FUTEX_WAIT_PRIVATE, 1, &ts, 0));
    say("waited at least 50 ms: %s\n", now() - t0 >= 0.05 ? "yes" : "no");
    struct timespec past;
    clock_gettime(CLOCK_MONOTONIC, &past);
    past.tv_sec -= 1;
    chk("FUTEX_WAIT_BITSET, deadline past",
        futex(&w, FUTEX_WAIT_BITSET_PRIVATE, 1, &past, FUTEX_BITSET_MATCH_ANY));
    clock_gettime(CLOCK_REALTIME, &past);
    past.tv_nsec = (past.tv_nsec + 20000000) % 1000000000;
    past.tv_sec += past.tv_nsec < 20000000;
    chk("FUTEX_WAIT_BITSET|CLOCK_REALTIME, 20 ms ahead",
        futex(&w, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1, &past,
              FUTEX_BITSET_MATCH_ANY));
    val("FUTEX_WAKE, no waiter", futex(&w, FUTEX_WAKE, 1, NULL, 0));
    chk("FUTEX_WAIT_BITSET, bitset 0", futex(&w, FUTEX_WAIT_BITSET, 1, NULL, 0));
    chk("FUTEX_WAIT, unaligned", futex((char *)&w + 1, FUTEX_WAIT, 1, NULL, 0));
    chk("FUTEX_WAIT, bad address", futex(BAD, FUTEX_WAIT, 1, NULL, 0));
    ts = (struct timespec){0, 1000000000};
    chk("FUTEX_WAIT, tv_nsec 1e9", futex(&w, FUTEX_WAIT, 1, &ts, 0));
    chk("unknown op", futex(&w, 99, 1, NULL, 0));

    pthread_t t;
    void *res;
    pthread_create(&t, NULL, waiter, NULL);
    usleep(50000);
    __atomic_store_n(&word, 1, __ATOMIC_RELEASE);
    futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, 0);
    pthread_join(t, &res);
    say("thread: %s\n", (char *)res);
    return 0;
}
