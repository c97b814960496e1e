// modes: direct sim
/* futex(2) across processes on MAP_SHARED memory: a shared FUTEX_WAIT in
 * the child is woken by the parent's store and FUTEX_WAKE; private
 * futexes of two processes are different futexes even on shared memory,
 * so a private wake from the parent wakes no one. */
#include "conf.h"
#include <linux/futex.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

static long futex(void *uaddr, int op, uint32_t val, const struct timespec *ts)
{
    return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

int main(void)
{
    uint32_t *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int ready[2];
    if (w == MAP_FAILED || pipe(ready))
        return 1;
    pid_t pid = xfork();
    if (pid == 0) {
        struct timespec ts = {2, 0};
        int timed_out = 0;
        post(ready[1]);
        while (__atomic_load_n(&w[0], __ATOMIC_ACQUIRE) == 0 && !timed_out)
            timed_out = futex(&w[0], FUTEX_WAIT, 0, &ts) == -1 && errno == ETIMEDOUT;
        say("child: word %u, %s\n", w[0], timed_out ? "timed out" : "woken");
        _exit(0);
    }
    await(ready[0]);
    usleep(100000);
    __atomic_store_n(&w[0], 1, __ATOMIC_RELEASE);
    long r = futex(&w[0], FUTEX_WAKE, 1, NULL);
    reap("shared waiter", pid);
    say("FUTEX_WAKE returned 0 or 1: %s\n", r == 0 || r == 1 ? "yes" : "no");

    pid = xfork();
    if (pid == 0) {
        struct timespec ts = {0, 600000000};
        post(ready[1]);
        chk("child FUTEX_WAIT_PRIVATE 600 ms", futex(&w[1], FUTEX_WAIT_PRIVATE, 0, &ts));
        _exit(0);
    }
    await(ready[0]);
    /* Private wakes for 400 ms, so a wrongly shared futex is woken whatever
     * the scheduling; the sum is 0 on Linux. */
    long woken = 0;
    for (int i = 0; i < 40; i++) {
        woken += futex(&w[1], FUTEX_WAKE_PRIVATE, 1, NULL);
        usleep(10000);
    }
    reap("private waiter", pid);
    say("waiters woken by the parent's FUTEX_WAKE_PRIVATE: %ld\n", woken);
    return 0;
}
