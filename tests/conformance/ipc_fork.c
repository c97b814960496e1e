// modes: direct sim
/* System V IPC between processes. Semaphores: a forked child posts what
 * its parent waits for, finds the parent's set by key, and its SEM_UNDO
 * adjustments are undone when it exits (by exit and by a signal's default
 * action); a child's set made after the fork is the parent's too. Message
 * queues: a child's message reaches its parent, and the parent's reply the
 * child waiting for it. */
#include "conf.h"

#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>

union semun {
    int val;
};

static int op1(int id, unsigned short num, short v, short flg, long ms)
{
    struct sembuf b = {num, v, flg};
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    return semtimedop(id, &b, 1, &ts);
}

static int child_status(pid_t pid)
{
    int st = 0;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(void)
{
    key_t key = 0x47e0df00 + (getpid() & 0xff);
    int id = semget(key, 3, IPC_CREAT | IPC_EXCL | 0600);
    say("semget: %s\n", id >= 0 ? "ok" : ename(errno));

    pid_t pid = fork();
    if (pid == 0) {
        usleep(50 * 1000);
        int mine = semget(key, 3, 0);
        _exit(mine == id && op1(mine, 0, 1, 0, 1000) == 0 ? 0 : 1);
    }
    chk("the parent waits for the child's post", op1(id, 0, -1, 0, 3000));
    say("child exit %d\n", child_status(pid));

    pid = fork();
    if (pid == 0)
        _exit(op1(id, 1, 3, SEM_UNDO, 1000) == 0 && semctl(id, 1, GETVAL) == 3 ? 0 : 1);
    int st = child_status(pid);
    say("child exit %d, value after its SEM_UNDO +3 and exit: %d\n", st, semctl(id, 1, GETVAL));

    pid = fork();
    if (pid == 0) {
        op1(id, 2, 2, SEM_UNDO, 1000);
        op1(id, 0, 1, 0, 1000); /* tells the parent */
        pause();                /* SIGTERM's default action ends it */
        _exit(0);
    }
    chk("the parent waits for the second child's post", op1(id, 0, -1, 0, 3000));
    say("value while that child lives: %d\n", semctl(id, 2, GETVAL));
    kill(pid, SIGTERM);
    st = child_status(pid);
    say("child status %d, value after it: %d\n", st, semctl(id, 2, GETVAL));

    int pipefd[2];
    if (pipe(pipefd))
        return 1;
    pid = fork();
    if (pid == 0) {
        int made = semget(key + 1, 1, IPC_CREAT | 0600);
        union semun u = {.val = 7};
        semctl(made, 0, SETVAL, u);
        if (write(pipefd[1], &made, sizeof(made)) != sizeof(made))
            _exit(2);
        _exit(0);
    }
    int made = -1;
    if (read(pipefd[0], &made, sizeof(made)) != sizeof(made))
        return 1;
    st = child_status(pid);
    say("child exit %d; its new set seen here: value %d, by key: %s\n", st, semctl(made, 0, GETVAL),
        semget(key + 1, 1, 0) == made ? "yes" : "no");
    semctl(made, 0, IPC_RMID);
    chk("IPC_RMID", semctl(id, 0, IPC_RMID));

    struct {
        long mtype;
        char text[16];
    } m = {0, {0}};
    int q = msgget(key, IPC_CREAT | 0600);
    pid = fork();
    if (pid == 0) {
        struct {
            long mtype;
            char text[16];
        } c = {5, "ping"}, r = {0, {0}};
        if (msgsnd(q, &c, 4, 0) || msgrcv(q, &r, sizeof(r.text), 6, 0) != 4)
            _exit(1);
        _exit(memcmp(r.text, "pong", 4) ? 2 : 0);
    }
    ssize_t n = -1;
    for (int i = 0; i < 300 && n < 0; i++) { /* 3 s at most */
        n = msgrcv(q, &m, sizeof(m.text), 5, IPC_NOWAIT);
        if (n < 0)
            usleep(10 * 1000);
    }
    say("the parent receives: %zd '%.*s'\n", n, n > 0 ? (int)n : 0, m.text);
    m.mtype = 6;
    memcpy(m.text, "pong", 4);
    chk("the parent replies", msgsnd(q, &m, 4, 0));
    st = child_status(pid);
    say("child exit %d (0: it received the reply)\n", st);
    chk("msgctl IPC_RMID", msgctl(q, IPC_RMID, NULL));
    return 0;
}
