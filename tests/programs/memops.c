/* Memory syscalls with Linux semantics: mremap shrink, grow (in place or
 * moved) and MREMAP_FIXED keeping the contents; MADV_DONTNEED zeroing
 * private anonymous pages and restoring file pages; a MAP_SHARED file
 * mapping written back by msync, munmap and exit; /proc/self/maps listing a
 * mapping with its protection. argv[1]: a scratch directory. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096

static int check(int cond, const char *what)
{
    printf("%s %s\n", cond ? "pass" : "FAIL", what);
    return cond ? 0 : 1;
}

static int filled(const unsigned char *p, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return 0;
    return 1;
}

static int remap_tests(void)
{
    int fails = 0;
    unsigned char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 0xab, 4 * PG);
    unsigned char *q = mremap(p, 4 * PG, 2 * PG, 0);
    fails += check(q == p && filled(q, 2 * PG, 0xab), "mremap shrink in place keeps contents");
    unsigned char *g = mremap(q, 2 * PG, 64 * PG, MREMAP_MAYMOVE);
    fails += check(g != MAP_FAILED && filled(g, 2 * PG, 0xab) && filled(g + 2 * PG, 62 * PG, 0),
                   "mremap grow keeps contents, new part zero");
    g[64 * PG - 1] = 1; /* the grown part is writable */
    unsigned char *hole = mmap(NULL, 128 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(hole, 128 * PG);
    unsigned char *m = mremap(g, 64 * PG, 64 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, hole);
    fails += check(m == hole && filled(m, 2 * PG, 0xab) && m[64 * PG - 1] == 1,
                   "mremap MREMAP_FIXED moves the contents");
    fails += check(mremap(p + 1, PG, 2 * PG, 0) == MAP_FAILED, "mremap unaligned address fails");
    munmap(m, 64 * PG);
    return fails;
}

static int dontneed_tests(const char *dir)
{
    int fails = 0;
    unsigned char *p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 0x5a, 8 * PG);
    int r = madvise(p + 2 * PG, 4 * PG, MADV_DONTNEED);
    fails += check(r == 0 && filled(p + 2 * PG, 4 * PG, 0) && filled(p, 2 * PG, 0x5a) &&
                       filled(p + 6 * PG, 2 * PG, 0x5a),
                   "MADV_DONTNEED zeroes exactly the range (private anonymous)");
    char path[512];
    snprintf(path, sizeof(path), "%s/dontneed.bin", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    unsigned char buf[PG];
    memset(buf, 'F', sizeof(buf));
    write(fd, buf, sizeof(buf));
    unsigned char *f = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    memset(f, 'X', PG);
    r = madvise(f, PG, MADV_DONTNEED);
    fails += check(r == 0 && filled(f, PG, 'F'), "MADV_DONTNEED on a private file mapping rereads the file");
    munmap(f, PG);
    close(fd);
    munmap(p, 8 * PG);
    return fails;
}

static int file_has(const char *path, off_t off, char c, size_t n)
{
    char buf[PG];
    int fd = open(path, O_RDONLY);
    ssize_t got = pread(fd, buf, n, off);
    close(fd);
    return got == (ssize_t)n && filled((unsigned char *)buf, n, (unsigned char)c);
}

static int shared_tests(const char *dir)
{
    int fails = 0;
    char path[512];
    snprintf(path, sizeof(path), "%s/shared.bin", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    ftruncate(fd, 2 * PG);
    char *s = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    memset(s, 'M', PG);
    fails += check(msync(s, PG, MS_SYNC) == 0 && file_has(path, 0, 'M', PG),
                   "msync writes a MAP_SHARED page back to the file");
    memset(s + PG, 'U', PG);
    munmap(s, 2 * PG);
    fails += check(file_has(path, PG, 'U', PG), "munmap writes dirty MAP_SHARED pages back");
    pid_t child = fork();
    if (child == 0) { /* writes and exits without msync or munmap */
        char *c = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        memset(c, 'E', PG);
        _exit(0);
    }
    int st;
    waitpid(child, &st, 0);
    fails += check(file_has(path, 0, 'E', PG), "exit writes dirty MAP_SHARED pages back");
    close(fd);
    return fails;
}

static int maps_tests(void)
{
    char *p = mmap(NULL, 3 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char want[64], line[512];
    snprintf(want, sizeof(want), "%lx-%lx r--p", (unsigned long)p, (unsigned long)(p + 3 * PG));
    FILE *f = fopen("/proc/self/maps", "r");
    int found = 0, stack = 0;
    while (f && fgets(line, sizeof(line), f)) {
        found |= strncmp(line, want, strlen(want)) == 0;
        stack |= strstr(line, "[stack]") != NULL;
    }
    if (f)
        fclose(f);
    munmap(p, 3 * PG);
    return check(found && stack, "/proc/self/maps lists a new mapping and [stack]");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: memops DIR\n");
        return 2;
    }
    int fails = remap_tests();
    fails += dontneed_tests(argv[1]);
    fails += shared_tests(argv[1]);
    fails += maps_tests();
    printf("failures=%d\n", fails);
    return fails ? 1 : 0;
}
