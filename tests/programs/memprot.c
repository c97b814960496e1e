/* Page protections as Linux enforces them, seen by the program: a write to
 * a PROT_READ page faults (SIGSEGV at that address) and leaves the byte as
 * it was, PROT_NONE faults on read, mprotect back to read-write keeps the
 * contents, a page unmapped and mapped again is zero, and 32 MiB touched
 * page by page and unmapped. In an enclave with sgx.edmm_enable the EPCM
 * refuses these accesses even where the host's page table would allow them
 * (t_sim_edmm.sh, GEODE_TEST_HOST_WIDENS_MPROTECT). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define PG 4096

static sigjmp_buf jb;
static volatile void *fault_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    fault_addr = si->si_addr;
    siglongjmp(jb, 1);
}

/* 1 when the access faulted at p. */
static int faults(volatile char *p, int write)
{
    fault_addr = NULL;
    if (sigsetjmp(jb, 1) == 0) {
        if (write)
            *p = 0x5a;
        else
            (void)*p;
        return 0;
    }
    return fault_addr == (void *)p;
}

int main(void)
{
    struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO};
    char *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *big;

    sigaction(SIGSEGV, &sa, NULL);
    if (m == MAP_FAILED)
        return 1;
    memset(m, 0x11, 4 * PG);
    mprotect(m + PG, PG, PROT_READ);
    printf("write to a PROT_READ page faults: %d\n", faults(m + PG + 100, 1));
    printf("the byte is unchanged: %d\n", m[PG + 100] == 0x11);
    printf("read of it works: %d\n", !faults(m + PG + 200, 0));
    mprotect(m + 2 * PG, PG, PROT_NONE);
    printf("read of a PROT_NONE page faults: %d\n", faults(m + 2 * PG + 8, 0));
    mprotect(m + PG, 2 * PG, PROT_READ | PROT_WRITE);
    printf("read-write again, contents kept: %d %d\n", !faults(m + PG + 100, 1),
           m[2 * PG + 8] == 0x11);
    munmap(m + 3 * PG, PG);
    m = mmap(m + 3 * PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
             0);
    printf("unmapped and mapped again: zero: %d\n", m != MAP_FAILED && m[0] == 0 && m[PG - 1] == 0);
    big = mmap(NULL, 32 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (size_t i = 0; big != MAP_FAILED && i < (32 << 20); i += PG)
        big[i] = (char)i;
    printf("32 MiB touched and unmapped: %d\n",
           big != MAP_FAILED && big[5 * PG] == (char)(5 * PG) && munmap(big, 32 << 20) == 0);
    return 0;
}
