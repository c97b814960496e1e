/* A program that never ends by itself, for the tests of runs that must be
 * ended from outside (tests/sgx/t_sim_fatal.sh). A worker thread runs
 * forever; the main thread prints "ready" once the worker runs, then:
 *   hang join    waits for the worker (pthread_join: a futex wait); the
 *                worker sleeps 10 ms at a time
 *   hang sleep   sleeps 10 ms at a time, as the worker does
 *   hang spin    sleeps 10 ms at a time; the worker spins without any
 *                system call (it never leaves an enclave)
 *   hang busy    spins without any system call; the worker sleeps
 *   hang exit    ends itself (pthread_exit); the worker spins */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static volatile int started;
static volatile unsigned long spins;

static void nap(void)
{
    struct timespec ts = {0, 10 * 1000 * 1000};

    nanosleep(&ts, NULL);
}

static void *sleeper(void *arg)
{
    (void)arg;
    started = 1;
    for (;;)
        nap();
    return NULL;
}

static void *spinner(void *arg)
{
    (void)arg;
    started = 1;
    for (;;)
        spins++;
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    int spin = !strcmp(mode, "spin") || !strcmp(mode, "exit");
    pthread_t th;

    if (strcmp(mode, "join") && strcmp(mode, "sleep") && strcmp(mode, "busy") && !spin) {
        fprintf(stderr, "usage: hang join|sleep|spin|busy|exit\n");
        return 2;
    }
    if (pthread_create(&th, NULL, spin ? spinner : sleeper, NULL)) {
        printf("pthread_create failed\n");
        return 1;
    }
    while (!started)
        nap();
    printf("ready\n");
    fflush(stdout);
    if (!strcmp(mode, "join"))
        pthread_join(th, NULL);
    if (!strcmp(mode, "exit"))
        pthread_exit(NULL);
    while (!strcmp(mode, "busy"))
        spins++;
    for (;;)
        nap();
}
