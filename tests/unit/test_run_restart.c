/* geode run after EPC loss, the parts that need no enclave: the test knob's
 * parser (run_restart.c) and urts_stop_threads (urts_thread.c) on a bare
 * struct urts_enclave whose "enclave threads" are host threads blocked the
 * way OCALLs block: in nanosleep (interrupted by the kick signal), in a
 * futex wait on the thread's word (woken), and one that ignores EINTR
 * (reported as -ETIMEDOUT, never joined while it runs). */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#include "run_restart.h"
#include "urts_internal.h"

#define THREADS 4

static volatile int stubborn_stop;

static void on_kick(int sig)
{
    (void)sig;
}

static void *sleeper(void *p)
{
    struct timespec ts = {60, 0};

    (void)p;
    nanosleep(&ts, NULL); /* EINTR on the kick */
    return NULL;
}

static void *futex_waiter(void *p)
{
    uint32_t *word = p;

    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, *word, NULL, NULL, 0);
    return NULL;
}

static void *stubborn(void *p)
{
    struct timespec ts = {0, 5 * 1000 * 1000};

    (void)p;
    while (!stubborn_stop)
        nanosleep(&ts, NULL);
    return NULL;
}

static struct urts_enclave *make_enclave(void)
{
    struct urts_enclave *e = calloc(1, sizeof(*e));

    e->threads = THREADS;
    e->thread = calloc(THREADS, sizeof(*e->thread));
    for (uint32_t i = 0; i < THREADS; i++) {
        e->thread[i].encl = e;
        e->thread[i].index = i;
    }
    return e;
}

static void start(struct urts_enclave *e, uint32_t i, void *(*fn)(void *), void *arg)
{
    e->thread[i].host_started = pthread_create(&e->thread[i].host_thread, NULL, fn, arg) == 0;
}

static void test_parse(void)
{
    struct run_loss_plan p;

    CHECK(run_loss_plan_parse("300", &p) == 0 && p.n == 1 && p.ms[0] == 300, "one value");
    CHECK(run_loss_plan_parse("0,15,3600000", &p) == 0 && p.n == 3 && p.ms[1] == 15 &&
              p.ms[2] == 3600000,
          "a list, limits included");
    CHECK(run_loss_plan_parse("1,2,3,4,5,6,7,8", &p) == 0 && p.n == RUN_LOSS_PLAN_MAX, "8 values");
    static const char *bad[] = {"",
                                ",",
                                "1,",
                                ",1",
                                "1,,2",
                                "1x",
                                "-1",
                                " 1",
                                "3600001",
                                "99999999999999999999",
                                "1,2,3,4,5,6,7,8,9",
                                "+5"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(run_loss_plan_parse(bad[i], &p) == -EINVAL, "refused: \"%s\"", bad[i]);
}

static void test_stop(void)
{
    struct urts_enclave *e = make_enclave();
    struct sigaction sa = {.sa_handler = on_kick};
    struct timespec t0, t1;

    sigemptyset(&sa.sa_mask);
    sigaction(RUN_KICK_SIGNAL, &sa, NULL);
    e->thread[0].futex_word = 7;
    e->thread[2].futex_word = 5;
    start(e, 1, sleeper, NULL);
    start(e, 2, futex_waiter, &e->thread[2].futex_word);
    usleep(50 * 1000); /* both blocked */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(urts_stop_threads(e, RUN_KICK_SIGNAL, 2000) == 0,
          "sleeping and futex-waiting threads stopped");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(t1.tv_sec - t0.tv_sec < 2, "without waiting for the 60 s sleep");
    CHECK(!e->thread[1].host_started && !e->thread[2].host_started, "and joined");
    CHECK(!e->thread[0].futex_word && !e->thread[2].futex_word,
          "futex words cleared for the next start");
    CHECK(urts_stop_threads(e, RUN_KICK_SIGNAL, 0) == 0, "nothing started: 0 at once");

    start(e, 3, stubborn, NULL);
    CHECK(urts_stop_threads(e, RUN_KICK_SIGNAL, 100) == -ETIMEDOUT,
          "a thread that stays: -ETIMEDOUT");
    CHECK(e->thread[3].host_started, "and it is not forgotten");
    stubborn_stop = 1;
    CHECK(urts_stop_threads(e, 0, 2000) == 0 && !e->thread[3].host_started, "joined once it ends");
    free(e->thread);
    free(e);
}

int main(void)
{
    test_parse();
    test_stop();
    return TAP_DONE();
}
