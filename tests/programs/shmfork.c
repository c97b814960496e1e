/* Memory shared between a process and its forked children, as Linux has
 * it: MAP_SHARED of a file, of /dev/shm, of /dev/zero, anonymous, memfd;
 * mremap and madvise of shared memory; process-shared semaphores and
 * mutexes; System V shared memory; and mmap/mprotect's EACCES rules.
 * Prints one line per check, the same natively and under geode.
 * Usage: shmfork DIR (a writable scratch directory);
 *        shmfork DIR KEY: looks up System V key KEY, then creates it and exits. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errnames.h"

#define PG 4096

static const char *dir;

/* "ret errno" of a call, evaluated in order (printf's arguments are not). */
#define RES(expr)                   \
    ({                              \
        errno = 0;                  \
        long r_ = (long)(expr);     \
        res_str(r_, errno);         \
    })
static char res_buf[8][48];
static int res_i;
static const char *res_str(long r, int e)
{
    char *b = res_buf[res_i++ % 8];
    snprintf(b, sizeof(res_buf[0]), "%ld %s", r, ename(e));
    return b;
}

/* Runs fn in a forked child and waits for it; the child's exit status. */
static int in_child(void (*fn)(void *), void *arg)
{
    pid_t p = fork();
    if (p == 0) {
        fn(arg);
        _exit(0);
    }
    int st;
    if (p < 0 || waitpid(p, &st, 0) != p)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int scratch(const char *name, size_t size)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
        perror(path);
        exit(2);
    }
    return fd;
}

struct pair {
    int *a, *b;
};
static void write_pair(void *arg)
{
    struct pair *p = arg;
    *p->a = 42;
    *p->b = 43;
}

/* The case of the issue: /dev/shm file and anonymous shared memory. */
static void basic(void)
{
    char name[64];
    snprintf(name, sizeof(name), "/geode-shmfork-%d", getpid());
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ftruncate(fd, PG) < 0) {
        printf("basic: shm_open %s\n", ename(errno));
        return;
    }
    int *shm = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int *anon = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    *shm = 1, *anon = 1;
    struct pair p = {shm, anon};
    int st = in_child(write_pair, &p);
    printf("basic: child %d, parent sees %d %d\n", st, *shm, *anon);
    int v = 0;
    pread(fd, &v, sizeof(v), 0);
    printf("basic: the /dev/shm file holds %d without msync\n", v);
    munmap(shm, PG);
    munmap(anon, PG);
    close(fd);
    shm_unlink(name);
}

static void write_page2(void *arg) { ((int *)arg)[PG / sizeof(int)] = 7; }
static void write_first(void *arg) { *(int *)arg = 99; }

static void files(void)
{
    /* A file mapped shared; the child's store reaches the parent's
     * mapping, the file, and a second mapping of it. */
    int fd = scratch("shared.bin", 2 * PG);
    int *m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int *m2 = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
    int *priv = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    *priv = 5;
    in_child(write_first, m);
    int v = 0;
    pread(fd, &v, sizeof(v), 0);
    printf("file: parent %d, second mapping %d, file %d, private %d\n", *m, *m2, v, *priv);
    in_child(write_first, priv);
    printf("file: a child's store to a private mapping stays in the child: %d\n", *priv);
    /* mremap grows the shared mapping; still shared after the move. */
    int *g = mremap(m, PG, 2 * PG, MREMAP_MAYMOVE);
    if (g == MAP_FAILED) {
        printf("file: mremap %s\n", ename(errno));
    } else {
        in_child(write_page2, g);
        printf("file: after mremap, page 2 %d, second mapping %d\n", g[PG / sizeof(int)],
               m2[PG / sizeof(int)]);
        munmap(g, 2 * PG);
    }
    munmap(m2, 2 * PG);
    munmap(priv, PG);
    close(fd);
}

static void anon_more(void)
{
    /* /dev/zero mapped shared is anonymous shared memory. */
    int z = open("/dev/zero", O_RDWR);
    int *dz = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, z, 0);
    close(z);
    if (dz == MAP_FAILED) {
        printf("devzero: %s\n", ename(errno));
    } else {
        in_child(write_first, dz);
        printf("devzero: parent sees %d\n", *dz);
        munmap(dz, PG);
    }
    /* memfd: shared through the mapping and through read(). */
    int mfd = memfd_create("shmfork", MFD_CLOEXEC);
    if (mfd < 0 || ftruncate(mfd, PG) < 0) {
        printf("memfd: %s\n", ename(errno));
    } else {
        int *mm = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
        in_child(write_first, mm);
        int v = 0;
        pread(mfd, &v, sizeof(v), 0);
        printf("memfd: mapping %d, read %d\n", *mm, v);
        char link[64], target[128] = "";
        snprintf(link, sizeof(link), "/proc/self/fd/%d", mfd);
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        printf("memfd: link %s\n", n > 0 ? target : ename(errno));
        munmap(mm, PG);
        close(mfd);
    }
    errno = 0;
    long r = syscall(SYS_memfd_create, "x", 0x100);
    printf("memfd: unknown flag %s\n", res_str(r, errno));
    /* Anonymous shared memory moved by mremap stays shared;
     * MADV_DONTNEED keeps the contents of shared pages. */
    int *a = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    *a = 3;
    int *to = mmap(NULL, 4 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int *b = mremap(a, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, to + PG / sizeof(int));
    if (b == MAP_FAILED) {
        printf("anon: mremap %s\n", ename(errno));
    } else {
        in_child(write_first, b);
        madvise(b, PG, MADV_DONTNEED);
        printf("anon: moved %d, after MADV_DONTNEED %d\n", b == to + PG / sizeof(int), *b);
    }
    munmap(to, 4 * PG);
}

struct sync {
    sem_t sem;
    pthread_mutex_t mu;
    long counter;
};
static void count(void *arg)
{
    struct sync *s = arg;
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&s->mu);
        s->counter++;
        pthread_mutex_unlock(&s->mu);
    }
    sem_post(&s->sem);
}

static void sync_objects(void)
{
    struct sync *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&s->mu, &ma);
    sem_init(&s->sem, 1, 0);
    pid_t kids[3];
    for (int i = 0; i < 3; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            count(s);
            _exit(0);
        }
    }
    for (int i = 0; i < 3; i++)
        sem_wait(&s->sem);
    for (int i = 0; i < 3; i++)
        waitpid(kids[i], NULL, 0);
    printf("sync: 3 children counted %ld under a shared mutex\n", s->counter);
    munmap(s, PG);
    /* A named semaphore (in /dev/shm): the child posts, the parent waits. */
    char name[64];
    snprintf(name, sizeof(name), "/geode-sem-%d", getpid());
    sem_t *ns = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
    if (ns == SEM_FAILED) {
        printf("sync: sem_open %s\n", ename(errno));
        return;
    }
    pid_t p = fork();
    if (p == 0) {
        sem_t *c = sem_open(name, 0);
        sem_post(c);
        _exit(0);
    }
    sem_wait(ns);
    waitpid(p, NULL, 0);
    int v = -1;
    sem_getvalue(ns, &v);
    printf("sync: named semaphore posted by the child, now %d\n", v);
    sem_close(ns);
    sem_unlink(name);
}

static void sysv_child(void *arg)
{
    int id = *(int *)arg;
    int *p = shmat(id, NULL, 0);
    if (p == (void *)-1)
        _exit(3);
    p[1] = 77;
    shmdt(p);
}

static void sysv_create_by_key(void *arg)
{
    key_t key = *(key_t *)arg;
    int id = shmget(key, 2 * PG, IPC_CREAT | IPC_EXCL | 0600);
    int *p = id < 0 ? (void *)-1 : shmat(id, NULL, 0);
    if (p == (void *)-1)
        _exit(4);
    p[0] = 1234;
    shmdt(p);
}

static void sysv(void)
{
    int id = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600);
    if (id < 0) {
        printf("sysv: shmget %s\n", ename(errno));
        return;
    }
    int *p = shmat(id, NULL, 0);
    struct shmid_ds ds;
    shmctl(id, IPC_STAT, &ds);
    printf("sysv: size %zu, attached %lu, mode %o, zero %d\n", (size_t)ds.shm_segsz,
           (unsigned long)ds.shm_nattch, ds.shm_perm.mode & 0777, p[0] == 0 && p[2499] == 0);
    int st = in_child(sysv_child, &id);
    shmctl(id, IPC_STAT, &ds);
    printf("sysv: child %d wrote %d, attached %lu, creator is me %d\n", st, p[1],
           (unsigned long)ds.shm_nattch, ds.shm_cpid == getpid());
    int *q = shmat(id, NULL, SHM_RDONLY);
    printf("sysv: a second attach sees %d\n", q[1]);
    printf("sysv: shmdt of a non-attach address %s\n", RES(shmdt((char *)p + PG)));
    shmctl(id, IPC_RMID, NULL);
    errno = 0;
    void *r = shmat(id, NULL, 0);
    printf("sysv: after IPC_RMID still readable %d, new attach %s\n", p[1],
           r == (void *)-1 ? ename(errno) : "ok");
    if (r != (void *)-1)
        shmdt(r);
    shmdt(q);
    shmdt(p);
    printf("sysv: IPC_STAT after the last detach %s\n", RES(shmctl(id, IPC_STAT, &ds)));

    /* A segment created by key in a child after the fork: the parent finds
     * it by the same key. */
    key_t key = (key_t)(0x6e000000 | (getpid() & 0xffff));
    st = in_child(sysv_create_by_key, &key);
    int id2 = shmget(key, 0, 0);
    int *k = id2 < 0 ? (void *)-1 : shmat(id2, NULL, SHM_RDONLY);
    printf("sysv: by key: child %d, parent reads %d\n", st, k == (void *)-1 ? -1 : *k);
    printf("sysv: IPC_EXCL on an existing key %s\n", RES(shmget(key, PG, IPC_CREAT | IPC_EXCL | 0600)));
    printf("sysv: larger than the segment %s\n", RES(shmget(key, 3 * PG, 0)));
    printf("sysv: missing key %s\n", RES(shmget(key + 1, PG, 0)));
    printf("sysv: unknown id %s\n", RES(shmat(id2 + 1, NULL, 0) == (void *)-1 ? -1 : 0));
    printf("sysv: IPC_STAT to a bad pointer %s\n", RES(shmctl(id2, IPC_STAT, (void *)8)));
    printf("sysv: an unaligned address without SHM_RND %s\n",
           RES(shmat(id2, (char *)k + 12, 0) == (void *)-1 ? -1 : 0));
    printf("sysv: zero size, new key %s\n", RES(shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600)));
    if (k != (void *)-1)
        shmdt(k);
    shmctl(id2, IPC_RMID, NULL);
}

static void rules(void)
{
    int ro = scratch("ro.bin", PG);
    close(ro);
    char path[512];
    snprintf(path, sizeof(path), "%s/ro.bin", dir);
    ro = open(path, O_RDONLY);
    int wo = open(path, O_WRONLY);
    errno = 0;
    void *m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
    printf("rules: shared writable map of a read-only fd %s\n", m == MAP_FAILED ? ename(errno) : "ok");
    m = mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
    errno = 0;
    printf("rules: mprotect(PROT_WRITE) of it %s\n",
           mprotect(m, PG, PROT_READ | PROT_WRITE) < 0 ? ename(errno) : "ok");
    munmap(m, PG);
    m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    printf("rules: private writable map of a read-only fd %s\n", m == MAP_FAILED ? ename(errno) : "ok");
    if (m != MAP_FAILED)
        munmap(m, PG);
    errno = 0;
    m = mmap(NULL, PG, PROT_READ, MAP_SHARED, wo, 0);
    printf("rules: map of a write-only fd %s\n", m == MAP_FAILED ? ename(errno) : "ok");
    int d = open(dir, O_RDONLY | O_DIRECTORY);
    errno = 0;
    m = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, d, 0);
    printf("rules: map of a directory %s\n", m == MAP_FAILED ? ename(errno) : "ok");
    errno = 0;
    m = mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | 0x2000000, ro, 0);
    printf("rules: MAP_SHARED_VALIDATE with an unknown flag %s\n", m == MAP_FAILED ? ename(errno) : "ok");
    errno = 0;
    m = mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0);
    printf("rules: neither shared nor private %s\n", m == MAP_FAILED ? ename(errno) : "ok");
    errno = 0;
    m = mmap(NULL, PG, PROT_READ, MAP_SHARED, 999, 0);
    printf("rules: bad fd %s\n", m == MAP_FAILED ? ename(errno) : "ok");
    close(ro);
    close(wo);
    close(d);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: shmfork DIR\n");
        return 2;
    }
    dir = argv[1];
    if (argc > 2) { /* "leave KEY": creates a segment by key and exits with it */
        key_t key = (key_t)strtol(argv[2], NULL, 0);
        int id = shmget(key, PG, 0600);
        printf("existing %s\n", id >= 0 ? "yes" : ename(errno));
        id = shmget(key, PG, IPC_CREAT | 0600);
        printf("created %s\n", id >= 0 ? "yes" : ename(errno));
        return 0;
    }
    setvbuf(stdout, NULL, _IONBF, 0); /* no buffered line is copied into a child */
    basic();
    files();
    anon_more();
    sync_objects();
    sysv();
    rules();
    return 0;
}
