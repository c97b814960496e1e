/* System V shared memory in one process (shmget(2), shmop(2), shmctl(2)):
 * keys, IPC_PRIVATE, IPC_CREAT|IPC_EXCL, sizes, IPC_STAT/IPC_SET, attach
 * counts, contents kept across shmdt and shmat, a removed segment living
 * until its last detach. One line per check, the same natively and under
 * geode (inside an enclave too: nothing here needs a second process).
 * Usage: sysvshm KEY (a key no other process uses). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#include "errnames.h"

#define PG 4096

static void say_res(const char *what, long r)
{
    if (r < 0)
        printf("%s: -1 %s\n", what, ename(errno));
    else
        printf("%s: ok\n", what);
}

static void stat_line(const char *what, int id)
{
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) < 0) {
        printf("%s: IPC_STAT -1 %s\n", what, ename(errno));
        return;
    }
    printf("%s: size %zu, nattch %lu, mode %o, uid is euid %d, cuid is euid %d, cpid is me %d, "
           "lpid is me %d\n",
           what, (size_t)ds.shm_segsz, (unsigned long)ds.shm_nattch, ds.shm_perm.mode & 01777,
           ds.shm_perm.uid == geteuid(), ds.shm_perm.cuid == geteuid(), ds.shm_cpid == getpid(),
           ds.shm_lpid == getpid());
}

int main(int argc, char **argv)
{
    key_t key = argc > 1 ? (key_t)strtol(argv[1], NULL, 0) : 0x47e0de;

    int id = shmget(key, 10000, IPC_CREAT | IPC_EXCL | 0640);
    say_res("shmget key IPC_CREAT|IPC_EXCL", id);
    if (id < 0)
        return 1;
    stat_line("new", id);
    printf("same key again: %s\n", shmget(key, 10000, 0) == id ? "same id" : "other");
    printf("smaller size: %s\n", shmget(key, 100, 0) == id ? "same id" : "other");
    say_res("larger size", shmget(key, 3 * PG + 1, 0));
    say_res("IPC_EXCL on the existing key", shmget(key, PG, IPC_CREAT | IPC_EXCL | 0600));
    say_res("missing key", shmget(key + 1, PG, 0));
    say_res("size 0 with IPC_CREAT", shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600));
    int priv = shmget(IPC_PRIVATE, PG, 0600);
    printf("IPC_PRIVATE: %s\n", priv >= 0 && priv != id ? "a new id" : "wrong");

    unsigned char *p = shmat(id, NULL, 0);
    say_res("shmat", p == (void *)-1 ? -1 : 0);
    if (p == (void *)-1)
        return 1;
    int zero = 1;
    for (int i = 0; i < 10000; i++)
        zero &= p[i] == 0;
    printf("new segment is zero: %d\n", zero);
    memset(p, 'a', 10000);
    p[9999] = 'z';
    stat_line("attached", id);
    say_res("shmdt of an address inside the attach", shmdt(p + PG));
    say_res("shmdt", shmdt(p));
    stat_line("detached", id);
    say_res("shmdt again", shmdt(p));

    unsigned char *q = shmat(id, NULL, SHM_RDONLY);
    say_res("shmat SHM_RDONLY", q == (void *)-1 ? -1 : 0);
    if (q != (void *)-1) {
        printf("contents kept: %c %c %c\n", q[0], q[5000], q[9999]);
        say_res("shmdt", shmdt(q));
    }
    void *at = mmap(NULL, 4 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say_res("shmat at a used address", shmat(id, at, 0) == (void *)-1 ? -1 : 0);
    munmap(at, 4 * PG);
    q = shmat(id, at, 0);
    printf("shmat at a given address: %s\n", q == at ? "there" : "elsewhere");
    if (q != (void *)-1) {
        q[1] = 'b';
        say_res("munmap of the whole attach", munmap(q, 3 * PG));
        stat_line("after munmap", id);
    }
    q = shmat(id, NULL, 0);
    if (q != (void *)-1)
        printf("munmap kept the contents: %c %c\n", q[0], q[1]);

    struct shmid_ds ds;
    memset(&ds, 0, sizeof(ds));
    shmctl(id, IPC_STAT, &ds);
    ds.shm_perm.mode = 0600;
    say_res("IPC_SET", shmctl(id, IPC_SET, &ds));
    stat_line("after IPC_SET", id);
    say_res("IPC_RMID while attached", shmctl(id, IPC_RMID, NULL));
    stat_line("removed, attached", id);
    say_res("the key after IPC_RMID", shmget(key, PG, 0));
    if (q != (void *)-1) {
        q[2] = 'c';
        printf("still usable after IPC_RMID: %c\n", q[2]);
        say_res("shmdt", shmdt(q));
    }
    say_res("IPC_STAT after the last detach", shmctl(id, IPC_STAT, NULL) < 0 ? -1 : 0);
    say_res("shmat after the last detach", shmat(id, NULL, 0) == (void *)-1 ? -1 : 0);
    say_res("IPC_RMID of the private segment", shmctl(priv, IPC_RMID, NULL));
    say_res("shmat a bad id", shmat(-1, NULL, 0) == (void *)-1 ? -1 : 0);
    say_res("IPC_STAT of a bad id", shmctl(12345678, IPC_STAT, &ds));
    return 0;
}
