// modes: direct sim
/* MAP_SHARED of a regular file across fork (mmap(2), msync(2)): the
 * child's stores through the inherited mapping and through a mapping it
 * makes itself reach the parent's mapping and the file (pread), and a
 * pwrite by the child is seen through the parent's mapping. */
#include "conf.h"
#include <fcntl.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
    char path[4096];
    if (argc < 2)
        return 2;
    snprintf(path, sizeof(path), "%s/shm_file", argv[1]);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, 8192))
        return 1;
    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        return 1;
    pid_t pid = xfork();
    if (pid == 0) {
        m[0] = 'a';
        m[4096] = 'b';
        char *own = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (own == MAP_FAILED)
            _exit(1);
        own[1] = 'c';
        if (pwrite(fd, "d", 1, 4097) != 1)
            _exit(1);
        chk("child msync", msync(own, 8192, MS_SYNC));
        _exit(0);
    }
    reap("child", pid);
    say("parent's mapping: %c %c %c %c\n", pc(m[0]), pc(m[1]), pc(m[4096]), pc(m[4097]));
    char b[2] = {0, 0};
    val("pread 0", pread(fd, b, 2, 0));
    say("file bytes 0-1: %c %c\n", pc(b[0]), pc(b[1]));
    val("pread 4096", pread(fd, b, 2, 4096));
    say("file bytes 4096-4097: %c %c\n", pc(b[0]), pc(b[1]));
    m[2] = 'e';
    chk("munmap", munmap(m, 8192));
    close(fd);
    fd = open(path, O_RDONLY);
    val("pread after munmap and reopen", pread(fd, b, 1, 2));
    say("file byte 2: %c\n", pc(b[0]));
    return 0;
}
