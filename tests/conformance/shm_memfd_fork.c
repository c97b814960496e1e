// modes: direct sim
/* memfd_create(2) shared across fork: the inherited descriptor's mapping,
 * a mapping the child makes of it, and write(2) on it all meet in the
 * parent's mapping. */
#include "conf.h"
#include <sys/mman.h>
#include <sys/stat.h>

int main(void)
{
    int fd = memfd_create("conf", 0);
    if (fd < 0 || ftruncate(fd, 8192))
        return 1;
    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        return 1;
    memset(m, '.', 8);
    pid_t pid = xfork();
    if (pid == 0) {
        m[0] = 'a';
        char *own = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (own == MAP_FAILED)
            _exit(1);
        own[1] = 'b';
        val("child pwrite", pwrite(fd, "c", 1, 2));
        val("child ftruncate", ftruncate(fd, 16384));
        _exit(0);
    }
    reap("child", pid);
    say("parent's mapping:");
    for (int i = 0; i < 8; i++)
        say(" %c", pc(m[i]));
    say("\n");
    struct stat st;
    chk("fstat", fstat(fd, &st));
    say("size after the child's ftruncate: %lld\n", (long long)st.st_size);
    return 0;
}
