// modes: direct sim
/* File seals and mappings (fcntl(2) F_ADD_SEALS, memfd_create(2)):
 * F_SEAL_WRITE is EBUSY while a writable shared mapping exists and forbids
 * new ones (EPERM) and PROT_WRITE on a read-only shared one (EACCES);
 * F_SEAL_FUTURE_WRITE forbids writes and new writable shared mappings;
 * private mappings stay writable; unknown seal bits are EINVAL, files
 * that take no seals EINVAL; a forked child sees the seals. */
#include "conf.h"
#include <fcntl.h>
#include <sys/mman.h>

int main(void)
{
    int fd = memfd_create("maps", MFD_ALLOW_SEALING);
    if (fd < 0 || ftruncate(fd, 4096))
        return 1;
    char *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (w == MAP_FAILED)
        return 1;
    w[0] = 'A';
    chk("F_SEAL_WRITE with a writable shared mapping", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    chk("munmap", munmap(w, 4096));
    char *r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    say("read-only shared mapping: %s\n", r == MAP_FAILED ? "failed" : "ok");
    chk("F_SEAL_WRITE with a read-only shared mapping of an O_RDWR fd",
        fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    chk("munmap", munmap(r, 4096));
    chk("F_SEAL_WRITE after munmap", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    val("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
    r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    say("read-only shared mapping after F_SEAL_WRITE: %s\n", r == MAP_FAILED ? "failed" : "ok");
    if (r == MAP_FAILED)
        return 1;
    chk("mprotect PROT_WRITE of it", mprotect(r, 4096, PROT_READ | PROT_WRITE));
    say("byte 0 through the mapping: %c\n", r[0]);
    chk("write", write(fd, "x", 1));
    chk("mmap shared writable", (long)mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    say("private writable mapping: %s\n", p == MAP_FAILED ? "failed" : "ok");
    if (p != MAP_FAILED) {
        p[0] = 'B';
        say("private store: %c, shared byte: %c\n", p[0], r[0]);
    }
    chk("ftruncate without size seals", ftruncate(fd, 8192));

    int g = memfd_create("future", MFD_ALLOW_SEALING);
    val("pwrite", pwrite(g, "abc", 3, 0));
    chk("F_SEAL_FUTURE_WRITE", fcntl(g, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
    chk("pwrite after F_SEAL_FUTURE_WRITE", pwrite(g, "x", 1, 0));
    chk("mmap shared writable after F_SEAL_FUTURE_WRITE",
        (long)mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, g, 0));
    chk("ftruncate after F_SEAL_FUTURE_WRITE", ftruncate(g, 10));
    chk("unknown seal bit", fcntl(g, F_ADD_SEALS, 0x100));
    chk("F_SEAL_GROW|SHRINK", fcntl(g, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK));
    val("F_GET_SEALS", fcntl(g, F_GET_SEALS));
    chk("write with O_APPEND past the end, F_SEAL_GROW",
        fcntl(g, F_SETFL, O_APPEND) == 0 ? write(g, "y", 1) : -1);

    int h = memfd_create("grow", MFD_ALLOW_SEALING);
    val("write 5", write(h, "hello", 5));
    chk("F_SEAL_GROW", fcntl(h, F_ADD_SEALS, F_SEAL_GROW));
    val("lseek 2", lseek(h, 2, SEEK_SET));
    val("write 3 up to the end", write(h, "LLO", 3));
    chk("write 1 past the end", write(h, "!", 1));
    chk("fallocate past the end", fallocate(h, 0, 0, 100));
    chk("ftruncate smaller", ftruncate(h, 2));
    chk("ftruncate back to 5", ftruncate(h, 5));

    pid_t pid = xfork();
    if (pid == 0) {
        val("child F_GET_SEALS", fcntl(h, F_GET_SEALS));
        chk("child F_ADD_SEALS F_SEAL_SEAL", fcntl(h, F_ADD_SEALS, F_SEAL_SEAL));
        _exit(0);
    }
    reap("child", pid);
    val("F_GET_SEALS after the child's F_SEAL_SEAL", fcntl(h, F_GET_SEALS));
    chk("F_ADD_SEALS after the child's F_SEAL_SEAL", fcntl(h, F_ADD_SEALS, F_SEAL_WRITE));

    int pfd[2];
    if (pipe(pfd))
        return 1;
    chk("F_GET_SEALS on a pipe", fcntl(pfd[0], F_GET_SEALS));
    chk("F_ADD_SEALS on a pipe", fcntl(pfd[1], F_ADD_SEALS, F_SEAL_SEAL));
    chk("F_GET_SEALS on a bad fd", fcntl(-1, F_GET_SEALS));
    return 0;
}
