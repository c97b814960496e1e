// modes: direct sim
/* Anonymous memory reads as zeros until written, however it is first
 * touched: by the program, by a system call that fills it (read into a
 * page never touched) or reads it (write from one), by two threads at
 * once, after mprotect, in a forked child, after MADV_DONTNEED, after the
 * break shrinks and grows again, and deep in the main stack. Inside an
 * enclave the PAL commits such pages on first touch (pal.h
 * mem_commit_lazy): every way of touching one first is here. */
#include "conf.h"

#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <sys/mman.h>

#define PG 4096UL
#define MB (1024UL * 1024)

static long zero_pages(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i])
            return 0;
    return 1;
}

static sigjmp_buf jb;
static void on_segv(int sig)
{
    siglongjmp(jb, sig);
}

/* 1 when the access faults (SIGSEGV), 0 when it goes through. */
static int faults(volatile unsigned char *p, int write)
{
    int sig = sigsetjmp(jb, 1);
    if (sig)
        return 1;
    if (write)
        *p = 1;
    else
        (void)*p;
    return 0;
}

struct toucher {
    unsigned char *base;
    int id;
};

/* Two threads write interleaved words of the same fresh pages. */
static void *touch(void *arg)
{
    struct toucher *t = arg;
    for (size_t pg = 0; pg < 256; pg++)
        for (size_t w = (size_t)t->id; w < 8; w += 2)
            ((volatile uint64_t *)(t->base + pg * PG))[w] = pg * 16 + w;
    return NULL;
}

static long deep(int n)
{
    volatile char pad[4000];
    pad[0] = (char)n, pad[3999] = (char)n;
    if (n == 0)
        return pad[0];
    return deep(n - 1) + pad[3999] + zero_pages((unsigned char *)pad + 1, 3000);
}

int main(int argc, char **argv)
{
    (void)argc;
    struct sigaction sa = {.sa_handler = on_segv};
    sigaction(SIGSEGV, &sa, NULL);

    /* Fresh pages read as zeros; sparse writes stay. */
    size_t len = 16 * MB;
    unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("mmap 16M: %s\n", m == MAP_FAILED ? ename(errno) : "ok");
    say("first page zero: %ld\n", zero_pages(m, PG));
    for (size_t off = 0; off < len; off += 1 * MB + PG)
        m[off] = (unsigned char)(off >> 20) + 1;
    long good = 1;
    for (size_t off = 0; off < len; off += 1 * MB + PG)
        good &= m[off] == (unsigned char)((off >> 20) + 1) && zero_pages(m + off + 1, PG - 1);
    say("sparse writes kept, rest zero: %ld\n", good);
    say("last page zero: %ld\n", zero_pages(m + len - PG, PG));

    /* read(2) fills a page nothing touched; write(2) sends one. */
    char path[512];
    snprintf(path, sizeof(path), "%s/data", argv[1]);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    unsigned char *src = malloc(3 * PG);
    for (size_t i = 0; i < 3 * PG; i++)
        src[i] = (unsigned char)(i * 7 + 3);
    say("write file: %ld\n", (long)write(fd, src, 3 * PG));
    unsigned char *dst = m + 8 * MB + 3 * PG + 100; /* untouched, across pages */
    say("pread into fresh pages: %ld\n", (long)pread(fd, dst, 3 * PG, 0));
    say("same bytes: %d\n", memcmp(dst, src, 3 * PG) == 0);
    say("around them zero: %ld %ld\n", zero_pages(dst - 100, 100), zero_pages(dst + 3 * PG, 200));
    int p[2];
    pipe(p);
    say("write from fresh pages: %ld\n", (long)write(p[1], m + 12 * MB + 50, 3000));
    unsigned char back[3000];
    long got = read(p[0], back, sizeof(back));
    say("read back: %ld zero %ld\n", got, zero_pages(back, sizeof(back)));

    /* Two threads on the same fresh pages: nothing either wrote is lost. */
    unsigned char *shared = m + 4 * MB;
    pthread_t th[2];
    struct toucher ts[2] = {{shared, 0}, {shared, 1}};
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, touch, &ts[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    good = 1;
    for (size_t pg = 0; pg < 256; pg++)
        for (size_t w = 0; w < 8; w++)
            good &= ((uint64_t *)(shared + pg * PG))[w] == pg * 16 + w;
    say("two threads, all words kept: %ld\n", good);

    /* mprotect before the first touch. */
    unsigned char *r = mmap(NULL, 1 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    chk("mprotect read-only", mprotect(r, 1 * MB, PROT_READ));
    say("read-only: read faults %d, zero %ld, write faults %d\n", faults(r + 5 * PG, 0),
        zero_pages(r + 5 * PG, PG), faults(r + 6 * PG, 1));
    chk("mprotect none", mprotect(r + 64 * PG, 64 * PG, PROT_NONE));
    say("none: read faults %d\n", faults(r + 70 * PG, 0));
    chk("mprotect back", mprotect(r + 64 * PG, 64 * PG, PROT_READ | PROT_WRITE));
    say("read-write again: write faults %d, zero %ld\n", faults(r + 71 * PG + 8, 1),
        zero_pages(r + 71 * PG + 9, 100));
    munmap(r, 1 * MB);

    /* A forked child sees what was written and zeros elsewhere. */
    m[2 * MB] = 42;
    pid_t pid = fork();
    if (pid == 0) {
        int ok = m[2 * MB] == 42 && zero_pages(m + 2 * MB + 1, PG) && zero_pages(m + 10 * MB + 128 * PG, 64 * PG);
        m[10 * MB + 128 * PG] = 9; /* the child's own */
        _exit(ok && m[10 * MB + 128 * PG] == 9 ? 0 : 3);
    }
    int st;
    waitpid(pid, &st, 0);
    say("child: %s, parent's page still zero: %ld\n", wstr(st), zero_pages(m + 10 * MB + 128 * PG, PG));

    /* MADV_DONTNEED makes private anonymous pages zero again. */
    memset(m + 6 * MB, 0x5a, 1 * MB);
    chk("madvise dontneed", madvise(m + 6 * MB, 1 * MB, MADV_DONTNEED));
    say("after dontneed zero: %ld\n", zero_pages(m + 6 * MB, 1 * MB));
    munmap(m, len);

    /* The break: pages given back and taken again are zero. */
    char *b0 = sbrk(0);
    sbrk(256 * 1024);
    memset(b0, 0x77, 256 * 1024);
    sbrk(-256 * 1024);
    sbrk(256 * 1024);
    say("brk regrown zero: %ld\n", zero_pages((unsigned char *)b0 + PG, 255 * 1024 - PG));

    /* Deep in the main stack (about 2 MiB of frames). */
    say("deep stack: %ld\n", deep(500));
    return 0;
}
