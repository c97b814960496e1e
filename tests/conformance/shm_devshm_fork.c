// modes: direct sim
/* POSIX shared memory (shm_open(3), shm_overview(7)) across fork: an
 * object in /dev/shm mapped by the parent before fork and opened again by
 * name in the child; shm_unlink removes the name, not the mapping. */
#include "conf.h"
#include <fcntl.h>
#include <sys/mman.h>

int main(void)
{
    char name[64];
    snprintf(name, sizeof(name), "/geode_conf_%d", (int)getpid());
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    chk("shm_open create", fd);
    chk("shm_open O_EXCL again", shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600));
    if (fd < 0 || ftruncate(fd, 4096))
        return 1;
    int *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        return 1;
    m[0] = 1;
    pid_t pid = xfork();
    if (pid == 0) {
        m[0] = 42;
        int fd2 = shm_open(name, O_RDWR, 0);
        chk("child shm_open by name", fd2);
        int *m2 = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
        if (m2 == MAP_FAILED)
            _exit(1);
        say("child's own mapping sees the inherited one: %d\n", m2[0]);
        m2[1] = 43;
        _exit(0);
    }
    reap("child", pid);
    say("parent sees: %d %d\n", m[0], m[1]);
    chk("shm_unlink", shm_unlink(name));
    chk("shm_open after unlink", shm_open(name, O_RDWR, 0));
    chk("shm_unlink again", shm_unlink(name));
    m[2] = 44;
    say("mapping after unlink: %d %d %d\n", m[0], m[1], m[2]);
    return 0;
}
