// modes: direct sim
/* Short-lived threads and the memory churn they bring, as a thread pool or
 * a Python program starting threads makes it: glibc gives each new thread
 * a stack it cached from a dead one (after MADV_DONTNEED of its unused
 * part), and each thread here also maps a region the way glibc maps a
 * stack (PROT_NONE, then mprotect of all but a guard page), writes its
 * top, drops the rest with MADV_DONTNEED and unmaps it, while the other
 * threads do the same. Every page must read zero until written, the guard
 * page must fault, and data must survive the neighbours' churn. Inside an
 * enclave with EDMM this is pages added, restricted, trimmed and removed
 * while threads enter and leave (t_sim_edmm.sh runs it so). */
#include "conf.h"

#include <pthread.h>
#include <setjmp.h>
#include <sys/mman.h>

#define PG 4096UL
#define REGION (2048 * PG + PG) /* 8 MiB and a guard page, as glibc's stacks */
#define TOUCHED 64              /* pages written at the top */
#define THREADS 3 /* at once; argv[2] may ask more (the conformance tier has 4 in all) */
#define THREADS_MAX 32
#define ROUNDS 60
#define MAPS 4 /* per thread and round */

static int all_zero(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i += 512)
        if (p[i] || p[i + 511])
            return 0;
    return 1;
}

static __thread sigjmp_buf jb;
static void on_segv(int sig)
{
    siglongjmp(jb, sig);
}

static int guard_faults(volatile unsigned char *p)
{
    if (sigsetjmp(jb, 1))
        return 1;
    (void)*p;
    return 0;
}

struct result {
    int zero_bad, data_bad, guard_bad, call_bad;
};

/* One region's life; a deep stack frame too, so that the cached stacks
 * glibc hands on are written and dropped. */
static void churn(struct result *r, unsigned seed)
{
    volatile unsigned char deep[48 * 1024];
    unsigned char *a =
        mmap(NULL, REGION, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

    if (a == MAP_FAILED) {
        r->call_bad++;
        return;
    }
    deep[seed % sizeof(deep)] = 1;
    if (mprotect(a + PG, REGION - PG, PROT_READ | PROT_WRITE)) {
        r->call_bad++;
        munmap(a, REGION);
        return;
    }
    unsigned char *top = a + REGION - TOUCHED * PG;
    r->zero_bad += !all_zero(top, TOUCHED * PG);
    memset(top, (int)(seed & 0x7f) | 1, TOUCHED * PG);
    r->guard_bad += !guard_faults(a);
    if (madvise(a + PG, REGION - PG - TOUCHED * PG, MADV_DONTNEED))
        r->call_bad++;
    for (size_t i = 0; i < TOUCHED * PG; i += PG)
        r->data_bad += top[i] != ((seed & 0x7f) | 1);
    sched_yield(); /* in and out of an enclave while the others change pages */
    r->zero_bad += !all_zero(a + PG + 1024 * PG, 64 * PG);
    if (madvise(top, TOUCHED * PG, MADV_DONTNEED))
        r->call_bad++;
    r->zero_bad += !all_zero(top, TOUCHED * PG);
    if (munmap(a, REGION))
        r->call_bad++;
    r->data_bad += deep[seed % sizeof(deep)] != 1;
}

static void *worker(void *arg)
{
    struct result *r = arg;
    unsigned seed = (unsigned)(uintptr_t)r;

    for (int i = 0; i < MAPS; i++)
        churn(r, seed + (unsigned)i);
    return NULL;
}

int main(int argc, char **argv)
{
    struct sigaction sa = {.sa_handler = on_segv};
    struct result res[THREADS_MAX], total = {0};
    int create_bad = 0, threads = argc > 2 ? atoi(argv[2]) : THREADS;

    if (threads < 1 || threads > THREADS_MAX)
        threads = THREADS;
    sigaction(SIGSEGV, &sa, NULL);
    for (int round = 0; round < ROUNDS; round++) {
        pthread_t t[THREADS_MAX];
        int made[THREADS_MAX];

        memset(res, 0, sizeof(res));
        for (int i = 0; i < threads; i++) {
            made[i] = pthread_create(&t[i], NULL, worker, &res[i]) == 0;
            create_bad += !made[i];
        }
        for (int i = 0; i < threads; i++) {
            if (made[i])
                pthread_join(t[i], NULL);
            total.zero_bad += res[i].zero_bad;
            total.data_bad += res[i].data_bad;
            total.guard_bad += res[i].guard_bad;
            total.call_bad += res[i].call_bad;
        }
    }
    say("threads created and joined: %d rounds, failures %d\n", ROUNDS, create_bad);
    say("fresh and dropped pages read zero: %s\n", total.zero_bad ? "no" : "yes");
    say("written pages keep their data: %s\n", total.data_bad ? "no" : "yes");
    say("guard pages fault: %s\n", total.guard_bad ? "no" : "yes");
    say("mmap, mprotect, madvise, munmap failures: %d\n", total.call_bad);
    return 0;
}
