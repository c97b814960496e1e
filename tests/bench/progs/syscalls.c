/* Syscall cost micro-benchmarks. Prints "ns_per_call=<float>" for one of:
 *   getppid N | read4k N FILE | openclose N FILE | pipe N
 * Timing is taken inside the program, around the loop only, so start-up
 * cost does not count. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long bench_getppid(long n)
{
    long sum = 0;
    /* glibc's getppid() is "mov $110,%eax; syscall": the site shape that
     * syscall-site rewriting patches (the generic syscall() is not). */
    for (long i = 0; i < n; i++)
        sum += getppid();
    return sum;
}

static long bench_read4k(long n, const char *file)
{
    static char buf[4096];
    int fd = open(file, O_RDONLY);
    if (fd < 0) {
        perror(file);
        exit(1);
    }
    for (long i = 0; i < n; i++)
        if (pread(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf)) {
            fprintf(stderr, "short read\n");
            exit(1);
        }
    close(fd);
    return buf[0];
}

static long bench_openclose(long n, const char *file)
{
    for (long i = 0; i < n; i++) {
        int fd = openat(AT_FDCWD, file, O_RDONLY);
        if (fd < 0) {
            perror(file);
            exit(1);
        }
        close(fd);
    }
    return 0;
}

static int pipefd[2];
static long pipe_n;

static void *reader(void *arg)
{
    char buf[64];
    long got = 0;
    (void)arg;
    while (got < pipe_n * 8) {
        ssize_t r = read(pipefd[0], buf, sizeof(buf));
        if (r <= 0)
            break;
        got += r;
    }
    return (void *)got;
}

static long bench_pipe(long n)
{
    pthread_t t;
    if (pipe(pipefd) < 0)
        exit(1);
    pipe_n = n;
    pthread_create(&t, NULL, reader, NULL);
    for (long i = 0; i < n; i++)
        if (write(pipefd[1], "12345678", 8) != 8)
            exit(1);
    void *got;
    pthread_join(t, &got);
    return (long)got;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: syscalls getppid|read4k|openclose|pipe N [FILE]\n");
        return 2;
    }
    long n = atol(argv[2]);
    const char *file = argc > 3 ? argv[3] : "/etc/hostname";
    double t0 = now_ns();
    long sink;
    if (!strcmp(argv[1], "getppid"))
        sink = bench_getppid(n);
    else if (!strcmp(argv[1], "read4k"))
        sink = bench_read4k(n, file);
    else if (!strcmp(argv[1], "openclose"))
        sink = bench_openclose(n, file);
    else if (!strcmp(argv[1], "pipe"))
        sink = bench_pipe(n);
    else
        return 2;
    double t1 = now_ns();
    printf("ns_per_call=%.2f sink=%ld\n", (t1 - t0) / n, sink & 1);
    return 0;
}
