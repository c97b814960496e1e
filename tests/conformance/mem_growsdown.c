// modes: direct sim
/* mprotect with PROT_GROWSDOWN: on a MAP_GROWSDOWN mapping the change
 * reaches down to the mapping's start (every page below becomes
 * writable); on any other mapping EINVAL; PROT_GROWSUP is EINVAL on
 * x86-64; an unmapped address ENOMEM. */
#include "conf.h"
#include <setjmp.h>
#include <sys/mman.h>

static sigjmp_buf jb;

static void on_segv(int sig)
{
    siglongjmp(jb, sig);
}

/* 1 when a byte at p can be written. */
static int writable(volatile char *p)
{
    if (sigsetjmp(jb, 1))
        return 0;
    *p = 1;
    return 1;
}

int main(void)
{
    signal(SIGSEGV, on_segv);
    long pg = sysconf(_SC_PAGESIZE);
    char *plain = mmap(NULL, 4 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int r = mprotect(plain + 3 * pg, pg, PROT_READ | PROT_WRITE | PROT_GROWSDOWN);
    say("plain mapping, PROT_GROWSDOWN: %d %s\n", r, r ? ename(errno) : "");
    r = mprotect(plain + 3 * pg, pg, PROT_READ | PROT_WRITE | PROT_GROWSUP);
    say("PROT_GROWSUP: %d %s\n", r, r ? ename(errno) : "");
    char *g = mmap(NULL, 4 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
    say("MAP_GROWSDOWN mapping: %s\n", g == MAP_FAILED ? ename(errno) : "ok");
    say("  before: top page writable %d\n", writable(g + 3 * pg));
    r = mprotect(g + 3 * pg, pg, PROT_READ | PROT_WRITE | PROT_GROWSDOWN);
    say("  PROT_GROWSDOWN on its top page: %d %s\n", r, r ? ename(errno) : "");
    for (int i = 0; i < 4; i++)
        say("  page %d writable %d\n", i, writable(g + i * pg));
    r = mprotect(g + 2 * pg, pg, PROT_READ | PROT_GROWSDOWN);
    say("  PROT_READ|PROT_GROWSDOWN on page 2: %d\n", r);
    for (int i = 0; i < 4; i++)
        say("  page %d writable %d\n", i, writable(g + i * pg));
    munmap(plain, 4 * pg);
    r = mprotect(plain, pg, PROT_READ | PROT_GROWSDOWN);
    say("unmapped, PROT_GROWSDOWN: %d %s\n", r, r ? ename(errno) : "");
    return 0;
}
