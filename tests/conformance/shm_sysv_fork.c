// modes: direct sim
/* System V shared memory across fork (shmget(2), shmat(2), shmctl(2),
 * svipc(7)): a private segment attached before fork is shared with the
 * child, a child's own attach sees the same pages, IPC_STAT counts the
 * attaches, IPC_RMID removes the id once the last one detaches. */
#include "conf.h"
#include <sys/ipc.h>
#include <sys/shm.h>

int main(void)
{
    int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    chk("shmget", id);
    if (id < 0)
        return 1;
    int *m = shmat(id, NULL, 0);
    if (m == (void *)-1) {
        say("shmat: -1 %s\n", ename(errno));
        shmctl(id, IPC_RMID, NULL);
        return 1;
    }
    m[0] = 1;
    pid_t pid = xfork();
    if (pid == 0) {
        m[0] = 42;
        int *own = shmat(id, NULL, 0);
        if (own == (void *)-1)
            _exit(1);
        say("child's own attach sees the inherited one: %d\n", own[0]);
        own[1] = 43;
        struct shmid_ds ds;
        chk("child IPC_STAT", shmctl(id, IPC_STAT, &ds));
        say("child sees %d attaches\n", (int)ds.shm_nattch);
        _exit(0);
    }
    reap("child", pid);
    say("parent sees: %d %d\n", m[0], m[1]);
    struct shmid_ds ds;
    chk("IPC_STAT", shmctl(id, IPC_STAT, &ds));
    say("attaches after the child exited: %d, size %zu\n", (int)ds.shm_nattch,
        (size_t)ds.shm_segsz);
    chk("IPC_RMID", shmctl(id, IPC_RMID, NULL));
    m[2] = 44;
    say("still attached after IPC_RMID: %d\n", m[2]);
    chk("shmdt", shmdt(m));
    chk("IPC_STAT after the last detach", shmctl(id, IPC_STAT, &ds));
    chk("shmget a size of 0 with IPC_CREAT", shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600));
    chk("shmat a bad id", (long)shmat(-1, NULL, 0));
    return 0;
}
