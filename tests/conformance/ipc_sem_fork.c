// modes: direct sim
/* System V semaphores between processes: a forked child posts what its
 * parent waits for, finds the parent's set by key, and its SEM_UNDO
 * adjustments are undone when it exits (by exit and by a signal's default
 * action); a child's set made after the fork is the parent's too. */
#include "conf.h"

#include <sys/ipc.h>
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
    return 0;
}
