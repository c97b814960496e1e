/* Fresh memory reads as zeros, whatever the host put there: anonymous
 * mappings (small and large, so both committed at once and on demand),
 * break growth, main-stack pages never touched, a PROT_NONE reservation
 * made accessible piece by piece (as glibc's per-thread arenas are, also
 * one reserved before the fork), and the same in a forked child. Prints one count of non-zero bytes
 * per kind; natively every count is 0. Under the sim, t_sim_dirty_heap.sh has the host add the
 * enclave's heap with a pattern instead of zeros and leave every page it maps accessible (PROT_NONE
 * included): the counts must stay 0. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MB (1024UL * 1024UL)

static unsigned long nonzero(const volatile unsigned char *p, size_t len)
{
    unsigned long n = 0;

    for (size_t i = 0; i < len; i++)
        n += p[i] != 0;
    return n;
}

static unsigned long map_nonzero(size_t len)
{
    unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned long n;

    if (m == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    n = nonzero(m, len);
    munmap(m, len);
    return n;
}

/* A 64 MiB PROT_NONE reservation (at `m`, or a new one) made readable in
 * two pieces: its start read-write, 1 MiB near its end read-only. */
static unsigned long reserve_nonzero(unsigned char *m)
{
    size_t len = 64 * MB;
    unsigned long n;

    if (!m)
        m = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED || mprotect(m, 132 * 1024, PROT_READ | PROT_WRITE) ||
        mprotect(m + len - 2 * MB, MB, PROT_READ)) {
        perror("reserve");
        exit(2);
    }
    n = nonzero(m, 132 * 1024) + nonzero(m + len - 2 * MB, MB);
    m[0] = 1;
    munmap(m, len);
    return n;
}

/* Stack pages below depth: read before any write in this process. */
/* The deepest frame's pad but its top 4 KiB: that part lay just below
 * the caller's stack pointer, where Linux may put a signal frame and an
 * enclave's resume stages the interrupted registers (docs/sgx-pal.md,
 * "enclave_resume"): the ABI leaves memory below the stack pointer to them. */
static unsigned long __attribute__((noinline)) stack_nonzero(int depth)
{
    volatile unsigned char pad[60 * 1024];
    unsigned long n;

    if (depth > 0) {
        n = stack_nonzero(depth - 1);
        pad[0] = 1; /* keeps the frame */
        return n + (pad[0] != 1);
    }
    return nonzero(pad, sizeof(pad) - 4096);
}

static void report(const char *who)
{
    void *b0 = sbrk(0);
    unsigned long brk_n = 0;

    if (sbrk((intptr_t)MB) != (void *)-1)
        brk_n = nonzero(b0, MB);
    printf("%s: mmap 16 KiB %lu, mmap 8 MiB %lu, brk 1 MiB %lu, reserve 64 MiB %lu\n", who,
           map_nonzero(16 * 1024), map_nonzero(8 * MB), brk_n, reserve_nonzero(NULL));
}

int main(void)
{
    int st;
    pid_t pid;
    unsigned char *before = mmap(NULL, 64 * MB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    printf("stack 1.2 MiB deep: %lu\n", stack_nonzero(20));
    report("parent");
    fflush(stdout);
    pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        report("child");
        printf("child: reserved before the fork %lu\n", reserve_nonzero(before));
        fflush(stdout);
        _exit(0);
    }
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
        printf("child failed\n");
        return 1;
    }
    return 0;
}
