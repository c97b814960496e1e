/* Process benchmarks, timed inside the program so that geode's start-up is
 * not counted:
 *   procs fork MIB ROUNDS    allocate and touch MIB MiB, then ROUNDS of
 *                            fork + _exit + waitpid
 *   procs spawn PATH ROUNDS [PAUSE_MS [MIB]]
 *                            ROUNDS of posix_spawn(PATH) + waitpid; the
 *                            child's output goes to /dev/null; with
 *                            PAUSE_MS, that long between rounds and one
 *                            spawn first, not timed (an enclave pool fills
 *                            at the first fork and refills meanwhile); with
 *                            MIB, from a process that allocated and touched
 *                            MIB MiB first
 * Prints "ns_per_call=N rounds=R" (N: one round, the median is taken by
 * bench.py over runs). A child that exits other than 0 fails the run. */
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int reap(pid_t pid)
{
    int st;

    if (waitpid(pid, &st, 0) != pid) {
        perror("waitpid");
        return -1;
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "child ended with status 0x%x\n", st);
        return -1;
    }
    return 0;
}

/* mib MiB, every page touched (page i holds i's low byte); NULL on failure. */
static volatile uint8_t *touched(long mib)
{
    size_t len = (size_t)mib << 20;
    volatile uint8_t *mem =
        mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (mem == MAP_FAILED) {
        perror("mmap");
        return NULL;
    }
    for (size_t off = 0; off < len; off += 4096)
        mem[off] = (uint8_t)(off >> 12);
    return mem;
}

/* With a pause: one fork first, not timed (a pool fills at a process's
 * first fork), then pause_ms before each timed round. */
static int bench_fork(long mib, long rounds, long pause_ms)
{
    size_t len = (size_t)mib << 20;
    volatile uint8_t *mem = touched(mib);
    double spent = 0;

    if (!mem)
        return 1;
    for (long i = pause_ms ? -1 : 0; i < rounds; i++) {
        if (pause_ms)
            usleep((useconds_t)pause_ms * 1000);
        double t0 = now_ns();
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) /* the child checks a page: its memory is the parent's */
            _exit(mem[len - 4096] == (uint8_t)((len - 4096) >> 12) ? 0 : 3);
        if (reap(pid))
            return 1;
        if (i >= 0)
            spent += now_ns() - t0;
    }
    printf("ns_per_call=%.0f rounds=%ld mib=%ld\n", spent / (double)rounds, rounds, mib);
    return 0;
}

static int bench_spawn(const char *path, long rounds, long pause_ms, long mib)
{
    double spent = 0;

    if (mib > 0 && !touched(mib))
        return 1;
    posix_spawn_file_actions_t fa;
    char *argv[] = {(char *)path, NULL};

    if (posix_spawn_file_actions_init(&fa) ||
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)) {
        fprintf(stderr, "posix_spawn_file_actions failed\n");
        return 1;
    }
    /* With a pause: one spawn first, not timed (a pool fills at a
     * process's first fork). */
    for (long i = pause_ms ? -1 : 0; i < rounds; i++) {
        pid_t pid;

        if (pause_ms)
            usleep((useconds_t)pause_ms * 1000);
        double t0 = now_ns();
        int err = posix_spawn(&pid, path, &fa, NULL, argv, environ);
        if (err) {
            fprintf(stderr, "posix_spawn %s: %s\n", path, strerror(err));
            return 1;
        }
        if (reap(pid))
            return 1;
        if (i >= 0)
            spent += now_ns() - t0;
    }
    posix_spawn_file_actions_destroy(&fa);
    printf("ns_per_call=%.0f rounds=%ld\n", spent / (double)rounds, rounds);
    return 0;
}

int main(int argc, char **argv)
{
    long rounds = argc >= 4 && argc <= 6 ? atol(argv[3]) : 0;

    if (rounds > 0 && !strcmp(argv[1], "fork") && atol(argv[2]) > 0 && argc <= 5)
        return bench_fork(atol(argv[2]), rounds, argc == 5 ? atol(argv[4]) : 0);
    if (rounds > 0 && !strcmp(argv[1], "spawn"))
        return bench_spawn(argv[2], rounds, argc >= 5 ? atol(argv[4]) : 0,
                           argc == 6 ? atol(argv[5]) : 0);
    fprintf(stderr, "usage: procs fork MIB ROUNDS [PAUSE_MS] | "
                    "procs spawn PATH ROUNDS [PAUSE_MS [MIB]]\n");
    return 2;
}
