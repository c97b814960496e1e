/* Calls getppid N times (argv[1], default 1000000) through the libc
 * wrapper, the syscall site that rewriting turns into a direct call. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    long sum = 0;
    for (long i = 0; i < n; i++)
        sum += getppid();
    printf("calls=%ld sum=%ld\n", n, sum);
    return 0;
}
