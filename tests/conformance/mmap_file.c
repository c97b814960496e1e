// modes: direct sim
/* File mappings in one process (mmap(2), msync(2), mprotect(2)): a shared
 * mapping and read/write see each other, its stores reach the file after
 * munmap, a private mapping's do not; EACCES for a writable shared map of a
 * read-only descriptor (at mmap and at mprotect) and for a write-only one;
 * SIGBUS past the end of a truncated file. */
#include "conf.h"
#include <fcntl.h>
#include <setjmp.h>
#include <sys/mman.h>

static sigjmp_buf jb;
static void on_bus(int sig)
{
    siglongjmp(jb, sig);
}

int main(int argc, char **argv)
{
    char path[4096], b[8] = {0};
    if (argc < 2)
        return 2;
    snprintf(path, sizeof(path), "%s/mapped", argv[1]);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, 8192))
        return 1;
    char *sh = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *pv = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (sh == MAP_FAILED || pv == MAP_FAILED)
        return 1;
    sh[0] = 'a';
    val("pread sees a store to the shared map", pread(fd, b, 1, 0));
    say("byte: %c\n", pc(b[0]));
    val("pwrite", pwrite(fd, "b", 1, 1));
    say("shared map sees it: %c\n", pc(sh[1]));
    /* Whether a private map sees later changes to the file is unspecified
     * (mmap(2)); only its own stores are checked. */
    pv[4096] = 'p';
    say("private map's own store: %c\n", pc(pv[4096]));
    chk("msync MS_SYNC", msync(sh, 8192, MS_SYNC));
    chk("msync unaligned", msync(sh + 1, 10, MS_SYNC));
    chk("msync MS_SYNC|MS_ASYNC", msync(sh, 4096, MS_SYNC | MS_ASYNC));
    sh[2] = 'd';
    munmap(sh, 8192);
    munmap(pv, 8192);
    val("pread after munmap", pread(fd, b, 4, 0));
    say("bytes: %c %c %c\n", pc(b[0]), pc(b[1]), pc(b[2]));
    val("pread of the page only the private map wrote", pread(fd, b, 1, 4096));
    say("file byte 4096 is %s\n", b[0] == 0 ? "zero" : "not zero");

    int ro = open(path, O_RDONLY), wo = open(path, O_WRONLY);
    chk("mmap PROT_WRITE MAP_SHARED of O_RDONLY",
        (long)mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
    chk("mmap PROT_WRITE MAP_PRIVATE of O_RDONLY",
        (long)mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0));
    chk("mmap of O_WRONLY", (long)mmap(NULL, 4096, PROT_READ, MAP_SHARED, wo, 0));
    char *r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0);
    chk("mprotect PROT_WRITE of a shared O_RDONLY map", mprotect(r, 4096, PROT_READ | PROT_WRITE));
    char *pr = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, ro, 0);
    chk("mprotect PROT_WRITE of a private O_RDONLY map",
        mprotect(pr, 4096, PROT_READ | PROT_WRITE));

    sh = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (sh == MAP_FAILED || ftruncate(fd, 100))
        return 1;
    signal(SIGBUS, on_bus);
    int sig = sigsetjmp(jb, 1);
    if (sig == 0) {
        volatile char c = sh[4096];
        (void)c;
        say("read past the end: no signal\n");
    } else {
        say("read past the end: SIG%s\n", sname(sig));
    }
    say("inside the last page, past the end: %d\n", sh[200]);
    return 0;
}
