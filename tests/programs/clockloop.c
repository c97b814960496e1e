/* clockloop N: N rounds of clock_gettime(CLOCK_MONOTONIC) and
 * gettimeofday, then a sleep of 120 ms and N rounds more (so the clocks
 * are read across an anchor's renewal). Prints the first and last wall
 * time (ns) and what went wrong: a monotonic reading before the one
 * before it, a wall clock that went back, or wall and monotonic clocks
 * that advanced by amounts over 2 ms apart. Exit 1 on any of them. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static long long ns_of(const struct timespec *t)
{
    return t->tv_sec * 1000000000LL + t->tv_nsec;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000, mono_back = 0, wall_back = 0;
    struct timespec m0, m, r0, r1;
    struct timeval tv;
    long long prev_mono, prev_wall, wall, first_wall;

    clock_gettime(CLOCK_REALTIME, &r0);
    clock_gettime(CLOCK_MONOTONIC, &m0);
    first_wall = ns_of(&r0);
    prev_mono = ns_of(&m0);
    prev_wall = first_wall / 1000;
    for (int half = 0; half < 2; half++) {
        for (long i = 0; i < n; i++) {
            clock_gettime(CLOCK_MONOTONIC, &m);
            mono_back += ns_of(&m) < prev_mono;
            prev_mono = ns_of(&m);
            gettimeofday(&tv, NULL);
            wall = tv.tv_sec * 1000000LL + tv.tv_usec;
            wall_back += wall < prev_wall;
            prev_wall = wall;
        }
        if (!half)
            nanosleep(&(struct timespec){0, 120000000}, NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &m);
    clock_gettime(CLOCK_REALTIME, &r1);
    long long dm = ns_of(&m) - ns_of(&m0), dr = ns_of(&r1) - first_wall;
    long long skew = dm > dr ? dm - dr : dr - dm;
    printf("%lld %lld\n", first_wall, ns_of(&r1));
    printf("monotonic back %ld, wall back %ld, skew %s\n", mono_back, wall_back,
           skew > 2000000 ? "over 2 ms" : "under 2 ms");
    return mono_back || wall_back || skew > 2000000;
}
