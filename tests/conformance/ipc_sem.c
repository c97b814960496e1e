// modes: direct sim
/* System V semaphores in one process (semget(2), semop(2), semctl(2)):
 * sets by key and private, values and their limits, all-or-nothing
 * operation arrays, IPC_NOWAIT, a timeout, a wait that another thread
 * ends (for an increase and for zero, counted by GETNCNT and GETZCNT),
 * a wait a signal ends (EINTR: semop is never restarted), removal under
 * a waiter (EIDRM), IPC_STAT and IPC_SET, and the errors of each call. */
#include "conf.h"

#include <pthread.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/time.h>

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
    struct seminfo *__buf;
};

static int sid;
static volatile int waiter_r, waiter_errno;

static void op(const char *what, int id, unsigned short num, short v, short flg)
{
    struct sembuf b = {num, v, flg};
    chk(what, semop(id, &b, 1));
}

static void *waiter(void *arg)
{
    struct sembuf b = {0, (short)(long)arg, 0};
    waiter_r = semop(sid, &b, 1);
    waiter_errno = errno;
    return NULL;
}

static void *poster(void *arg)
{
    (void)arg;
    usleep(100 * 1000);
    struct sembuf b = {0, 1, 0};
    semop(sid, &b, 1);
    return NULL;
}

static void on_alarm(int sig)
{
    (void)sig;
}

/* Until GETNCNT (or GETZCNT) of semaphore 0 is n: a waiter is blocked. */
static int wait_count(int cmd, int n)
{
    for (int i = 0; i < 200; i++) {
        if (semctl(sid, 0, cmd) == n)
            return 1;
        usleep(5000);
    }
    return 0;
}

int main(void)
{
    key_t key = 0x47e0de00 + (getpid() & 0xff);
    union semun u;
    unsigned short vals[3];
    struct semid_ds ds;

    sid = semget(IPC_PRIVATE, 3, 0600);
    say("semget IPC_PRIVATE 3: %s\n", sid >= 0 ? "ok" : ename(errno));
    u.array = vals;
    chk("GETALL", semctl(sid, 0, GETALL, u));
    say("fresh values: %d %d %d\n", vals[0], vals[1], vals[2]);
    u.val = 5;
    chk("SETVAL 1 = 5", semctl(sid, 1, SETVAL, u));
    val("GETVAL 1", semctl(sid, 1, GETVAL));
    val("GETPID 1 is ours", semctl(sid, 1, GETPID) == getpid());
    u.val = 32768;
    chk("SETVAL 32768", semctl(sid, 1, SETVAL, u));
    u.val = -1;
    chk("SETVAL -1", semctl(sid, 1, SETVAL, u));
    chk("GETVAL of semaphore 3", semctl(sid, 3, GETVAL));

    op("semop +2 on 0", sid, 0, 2, 0);
    op("semop -3 on 0, IPC_NOWAIT", sid, 0, -3, IPC_NOWAIT);
    op("semop 0 (wait for zero) on 0, IPC_NOWAIT", sid, 0, 0, IPC_NOWAIT);
    struct sembuf many[3] = {{0, -1, 0}, {1, -1, 0}, {2, -1, IPC_NOWAIT}};
    chk("three operations, the last cannot go", semop(sid, many, 3));
    val("GETVAL 0 unchanged", semctl(sid, 0, GETVAL));
    val("GETVAL 1 unchanged", semctl(sid, 1, GETVAL));
    many[2].sem_op = 1;
    chk("three operations that all go", semop(sid, many, 3));
    u.array = vals;
    semctl(sid, 0, GETALL, u);
    say("values now: %d %d %d\n", vals[0], vals[1], vals[2]);
    struct sembuf top = {2, 32767, IPC_NOWAIT};
    chk("semop past 32767", semop(sid, &top, 1));
    struct sembuf far = {3, 1, 0};
    chk("semop on semaphore 3", semop(sid, &far, 1));
    chk("semop with no operations", semop(sid, many, 0));
    static struct sembuf lots[501];
    chk("semop with 501 operations", semop(sid, lots, 501));
    chk("semop on a bad id", semop(sid + 1, many, 1));
    struct timespec ts = {0, 50 * 1000 * 1000};
    struct sembuf dec = {2, -1, 0};
    u.val = 0;
    semctl(sid, 2, SETVAL, u);
    chk("semtimedop -1 on a 0 value, 50 ms", semtimedop(sid, &dec, 1, &ts));
    struct timespec bad_ts = {0, 1000000000};
    chk("semtimedop, tv_nsec 1e9", semtimedop(sid, &dec, 1, &bad_ts));

    /* A waiter for an increase, ended by another thread's semop. */
    u.val = 0;
    semctl(sid, 0, SETVAL, u);
    pthread_t w, p;
    pthread_create(&w, NULL, waiter, (void *)-1L);
    say("a thread waits for an increase (GETNCNT 1): %s\n", wait_count(GETNCNT, 1) ? "yes" : "no");
    pthread_create(&p, NULL, poster, NULL);
    pthread_join(w, NULL);
    pthread_join(p, NULL);
    say("its semop: %d, GETNCNT now %d, value %d\n", waiter_r, semctl(sid, 0, GETNCNT),
        semctl(sid, 0, GETVAL));
    /* A waiter for zero, ended by SETVAL 0. */
    u.val = 2;
    semctl(sid, 0, SETVAL, u);
    pthread_create(&w, NULL, waiter, (void *)0L);
    say("a thread waits for zero (GETZCNT 1): %s\n", wait_count(GETZCNT, 1) ? "yes" : "no");
    u.val = 0;
    semctl(sid, 0, SETVAL, u);
    pthread_join(w, NULL);
    say("its semop: %d\n", waiter_r);

    /* A signal ends a wait: EINTR, even with SA_RESTART. */
    struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 100 * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
    op("semop -1 on 0, a signal comes", sid, 0, -1, 0);

    /* Removal under a waiter: EIDRM. */
    pthread_create(&w, NULL, waiter, (void *)-1L);
    wait_count(GETNCNT, 1);
    chk("IPC_RMID", semctl(sid, 0, IPC_RMID));
    pthread_join(w, NULL);
    say("the waiter's semop: %d %s\n", waiter_r, waiter_r ? ename(waiter_errno) : "");
    chk("GETVAL after IPC_RMID", semctl(sid, 0, GETVAL));

    /* By key. */
    int k1 = semget(key, 2, IPC_CREAT | 0640);
    say("semget key, IPC_CREAT: %s\n", k1 >= 0 ? "ok" : ename(errno));
    say("again: the same id: %s\n", semget(key, 2, 0) == k1 ? "yes" : "no");
    say("again with fewer semaphores: the same id: %s\n", semget(key, 1, 0) == k1 ? "yes" : "no");
    chk("again with more semaphores", semget(key, 3, 0));
    chk("again with IPC_CREAT|IPC_EXCL", semget(key, 2, IPC_CREAT | IPC_EXCL | 0600));
    chk("another key without IPC_CREAT", semget(key + 0x100, 1, 0));
    chk("semget with 0 semaphores, IPC_CREAT", semget(key + 0x100, 0, IPC_CREAT | 0600));
    chk("semget with -1 semaphores", semget(IPC_PRIVATE, -1, 0600));
    u.buf = &ds;
    chk("IPC_STAT", semctl(k1, 0, IPC_STAT, u));
    say("sem_nsems %lu, mode %o, key ours %s, uid ours %s\n", (unsigned long)ds.sem_nsems,
        ds.sem_perm.mode & 0777, ds.sem_perm.__key == key ? "yes" : "no",
        ds.sem_perm.uid == geteuid() ? "yes" : "no");
    ds.sem_perm.mode = 0600;
    chk("IPC_SET mode 0600", semctl(k1, 0, IPC_SET, u));
    semctl(k1, 0, IPC_STAT, u);
    say("mode now %o\n", ds.sem_perm.mode & 0777);
    struct seminfo si;
    u.__buf = &si;
    say("IPC_INFO: %s\n", semctl(0, 0, IPC_INFO, u) >= 0 && si.semvmx == 32767 ? "ok" : "bad");
    chk("bad command", semctl(k1, 0, 1234));
    chk("IPC_RMID by key's id", semctl(k1, 0, IPC_RMID));
    chk("IPC_RMID again", semctl(k1, 0, IPC_RMID));
    return 0;
}
