/* execve releases every mapping of the old program: a region mapped
 * before exec is gone afterwards (not in /proc/self/maps, and the address
 * can be mapped again with MAP_FIXED_NOREPLACE, zero-filled). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define LEN (64 * 4096)

/* True when some line of /proc/self/maps covers addr (Linux may merge
 * neighbouring mappings into one line). */
static int listed(unsigned long addr)
{
    char line[512];
    FILE *f = fopen("/proc/self/maps", "r");
    int found = 0;
    while (f && fgets(line, sizeof(line), f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo <= addr && addr < hi)
            found = 1;
    }
    if (f)
        fclose(f);
    return found;
}

static int after_exec(unsigned long addr)
{
    int fails = 0;
    fails += listed(addr);
    printf("%s old mapping gone from /proc/self/maps\n", listed(addr) ? "FAIL" : "pass");
    char *p = mmap((void *)addr, LEN, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    int ok = p == (char *)addr && p[0] == 0 && p[LEN - 1] == 0;
    fails += !ok;
    printf("%s old address free again (MAP_FIXED_NOREPLACE, zero-filled)\n", ok ? "pass" : "FAIL");
    printf("failures=%d\n", fails);
    return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[1], "after"))
        return after_exec(strtoul(argv[2], NULL, 16));
    /* Far from where loaders and mmap place things, so that the new image
     * does not simply reuse the address. */
    char *p = mmap((void *)0x6f0000000000UL, LEN, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    memset(p, 0x77, LEN);
    char *q = mmap(p, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    int ok = q == MAP_FAILED && p[0] == 0x77;
    printf("%s MAP_FIXED_NOREPLACE over a mapping fails and keeps it\n", ok ? "pass" : "FAIL");
    if (!ok || !listed((unsigned long)p)) {
        printf("FAIL the mapping is listed before exec\nfailures=1\n");
        return 1;
    }
    char arg[32];
    snprintf(arg, sizeof(arg), "%lx", (unsigned long)p);
    fflush(stdout);
    execl("/proc/self/exe", "execmaps", "after", arg, (char *)NULL);
    perror("execl");
    return 1;
}
