/* MAP_SHARED of a file across fork, as multiprocessing uses it: a file in
 * DIR (under Geode in an enclave, /dev/shm on an untrusted_shm mount is
 * host memory shared with the children; any other directory is the
 * process's own copy, and fork warns about it), or with "anon" anonymous
 * shared memory (host memory in an enclave only with
 * sys.insecure__shared_memory_untrusted). Prints one line per check, the
 * same natively and under geode when the sharing is real.
 * Usage: shmhost DIR|anon */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PG 4096
#define ROUNDS 20000

struct shared {
    sem_t ready; /* posted by the child once it wrote `word` */
    sem_t lock;  /* a process-shared lock around `count` */
    long word;
    long count;
};

static void yesno(const char *what, int cond)
{
    printf("%s: %s\n", what, cond ? "yes" : "no");
}

static void bump(struct shared *s)
{
    for (int i = 0; i < ROUNDS; i++) {
        while (sem_wait(&s->lock) < 0 && errno == EINTR)
            ;
        s->count++;
        sem_post(&s->lock);
    }
}

/* The child's writes (a word, a semaphore post, counter increments under a
 * process-shared semaphore) as the parent and the file see them. */
static void across_fork(int fd, struct shared *s)
{
    sem_init(&s->ready, 1, 0);
    sem_init(&s->lock, 1, 1);
    pid_t pid = fork();
    if (pid == 0) {
        s->word = 0x5eed;
        sem_post(&s->ready);
        bump(s);
        _exit(0);
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 3;
    int r;
    while ((r = sem_timedwait(&s->ready, &ts)) < 0 && errno == EINTR)
        ;
    yesno("the child's sem_post wakes the parent", r == 0);
    yesno("the parent sees the child's store", s->word == 0x5eed);
    bump(s);
    int status;
    waitpid(pid, &status, 0);
    yesno("the child ended normally", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    yesno("counter under a process-shared lock", s->count == 2L * ROUNDS);
    if (fd < 0)
        return;
    long from_file = 0;
    pread(fd, &from_file, sizeof(from_file), offsetof(struct shared, word));
    yesno("read() of the file sees the child's store", from_file == 0x5eed);
}

/* mprotect, partial munmap and mremap keep the pages shared with the file. */
static void map_ops(int fd, char *p)
{
    yesno("mprotect read-only", mprotect(p, 2 * PG, PROT_READ) == 0);
    yesno("mprotect read-write", mprotect(p, 2 * PG, PROT_READ | PROT_WRITE) == 0);
    p[PG] = 'b';
    if (fd < 0) { /* no file to see the pages through */
        yesno("munmap of the second page", munmap(p + PG, PG) == 0);
        yesno("munmap", munmap(p, PG) == 0);
        return;
    }
    char c = 0;
    pread(fd, &c, 1, PG);
    yesno("a store reaches the file at once", c == 'b');
    yesno("munmap of the second page", munmap(p + PG, PG) == 0);
    char *q = mremap(p, PG, 3 * PG, MREMAP_MAYMOVE);
    yesno("mremap grows it", q != MAP_FAILED);
    if (q == MAP_FAILED)
        return;
    yesno("the moved mapping shows the file's pages", q[PG] == 'b');
    q[2 * PG] = 'c';
    pread(fd, &c, 1, 2 * PG);
    yesno("a store through the moved mapping reaches the file", c == 'c');
    yesno("munmap", munmap(q, 3 * PG) == 0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: shmhost DIR|anon\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    if (!strcmp(argv[1], "anon")) {
        char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        across_fork(-1, (struct shared *)p);
        map_ops(-1, p);
        return 0;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/geode-shmhost-%d", argv[1], (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ftruncate(fd, 3 * PG) < 0) {
        perror(path);
        return 1;
    }
    unlink(path);
    char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    across_fork(fd, (struct shared *)p);
    map_ops(fd, p);
    close(fd);
    return 0;
}
