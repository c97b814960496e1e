// modes: direct sim
/* System V message queues (msgget(2), msgop(2), msgctl(2)): messages in
 * order, by type (exact, MSG_EXCEPT, lowest up to -type), texts longer
 * than the receiver's room (E2BIG, MSG_NOERROR), MSG_COPY, a full queue
 * (EAGAIN, then a sender another thread's receive lets through), a
 * receiver another thread's send ends, EINTR despite SA_RESTART, EIDRM
 * under a waiter, IPC_STAT counters, IPC_SET of msg_qbytes, and each
 * call's errors (between processes: ipc_fork.c). */
#include "conf.h"

#include <pthread.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/time.h>

struct msg {
    long mtype;
    char text[64];
};

static int qid;
static volatile long got_r;
static volatile int got_errno;
static struct msg got;

static int snd(int id, long type, const char *text, int flg)
{
    struct msg m = {type, {0}};
    size_t n = strlen(text);
    memcpy(m.text, text, n);
    return msgsnd(id, &m, n, flg);
}

static void rcv(const char *what, int id, long type, size_t cap, int flg)
{
    struct msg m;
    memset(&m, 0, sizeof(m));
    ssize_t n = msgrcv(id, &m, cap, type, flg);
    if (n < 0)
        say("%s: -1 %s\n", what, ename(errno));
    else
        say("%s: %zd type %ld '%.*s'\n", what, n, m.mtype, (int)n, m.text);
}

static void *receiver(void *arg)
{
    memset(&got, 0, sizeof(got));
    got_r = msgrcv(qid, &got, sizeof(got.text), (long)arg, 0);
    got_errno = errno;
    return NULL;
}

static void *sender(void *arg)
{
    (void)arg;
    usleep(100 * 1000);
    snd(qid, 9, "late", 0);
    return NULL;
}

static void on_alarm(int sig)
{
    (void)sig;
}

static void stat_line(const char *what, int id)
{
    struct msqid_ds ds;
    if (msgctl(id, IPC_STAT, &ds))
        say("%s: IPC_STAT -1 %s\n", what, ename(errno));
    else
        say("%s: qnum %lu cbytes %lu qbytes %lu lspid ours %s\n", what, (unsigned long)ds.msg_qnum,
            (unsigned long)ds.__msg_cbytes, (unsigned long)ds.msg_qbytes,
            ds.msg_lspid == getpid() ? "yes" : "no");
}

int main(void)
{
    key_t key = 0x47e0e000 + (getpid() & 0xff);
    qid = msgget(IPC_PRIVATE, 0600);
    say("msgget IPC_PRIVATE: %s\n", qid >= 0 ? "ok" : ename(errno));
    chk("send type 3 'c'", snd(qid, 3, "c", 0));
    chk("send type 1 'a'", snd(qid, 1, "a", 0));
    chk("send type 2 'bb'", snd(qid, 2, "bb", 0));
    chk("send type 1 'a2'", snd(qid, 1, "a2", 0));
    stat_line("after four sends", qid);
    rcv("receive type 2", qid, 2, 64, 0);
    rcv("receive any type except 3", qid, 3, 64, MSG_EXCEPT);
    rcv("receive the lowest type up to 3", qid, -3, 64, 0);
    rcv("copy the message at index 0", qid, 0, 64, MSG_COPY | IPC_NOWAIT);
    rcv("copy at index 5", qid, 5, 64, MSG_COPY | IPC_NOWAIT);
    rcv("copy without IPC_NOWAIT", qid, 0, 64, MSG_COPY);
    chk("send 'long text' (9 bytes)", snd(qid, 4, "long text", 0));
    rcv("receive type 4 with room for 4", qid, 4, 4, 0);
    rcv("receive type 4, MSG_NOERROR", qid, 4, 4, MSG_NOERROR);
    rcv("receive any", qid, 0, 64, 0);
    rcv("receive from an empty queue, IPC_NOWAIT", qid, 0, 64, IPC_NOWAIT);
    chk("send type 0", snd(qid, 0, "x", 0));
    struct msg big = {1, {0}};
    chk("send 8193 bytes", msgsnd(qid, &big, 8193, 0));
    chk("send to a bad id", snd(qid + 1, 1, "x", 0));
    rcv("receive from a bad id", qid + 1, 0, 64, IPC_NOWAIT);

    /* A small queue: full, then a receive lets a waiting sender through. */
    struct msqid_ds ds;
    msgctl(qid, IPC_STAT, &ds);
    ds.msg_qbytes = 8;
    chk("IPC_SET msg_qbytes 8", msgctl(qid, IPC_SET, &ds));
    chk("send 5 bytes", snd(qid, 1, "12345", 0));
    chk("send 5 more, IPC_NOWAIT", snd(qid, 1, "67890", IPC_NOWAIT));
    pthread_t t;
    pthread_create(&t, NULL, receiver, (void *)0L);
    pthread_join(t, NULL);
    say("another thread received %ld bytes '%.*s'\n", got_r, (int)got_r, got.text);
    chk("now the 5 more go", snd(qid, 1, "67890", IPC_NOWAIT));
    rcv("receive any", qid, 0, 64, 0);

    /* A receiver waits; another thread's send ends it. */
    pthread_t s;
    pthread_create(&t, NULL, receiver, (void *)9L);
    pthread_create(&s, NULL, sender, NULL);
    pthread_join(t, NULL);
    pthread_join(s, NULL);
    say("the waiting receiver got %ld bytes '%.*s' type %ld\n", got_r, (int)got_r, got.text,
        got.mtype);

    struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 100 * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
    rcv("receive from an empty queue, a signal comes", qid, 0, 64, 0);

    pthread_create(&t, NULL, receiver, (void *)0L);
    usleep(100 * 1000);
    chk("IPC_RMID under a waiting receiver", msgctl(qid, IPC_RMID, NULL));
    pthread_join(t, NULL);
    say("its msgrcv: %ld %s\n", got_r, got_r < 0 ? ename(got_errno) : "");

    int k1 = msgget(key, IPC_CREAT | 0600);
    say("msgget key, IPC_CREAT: %s\n", k1 >= 0 ? "ok" : ename(errno));
    say("again: the same id: %s\n", msgget(key, 0) == k1 ? "yes" : "no");
    chk("again with IPC_CREAT|IPC_EXCL", msgget(key, IPC_CREAT | IPC_EXCL | 0600));
    chk("another key without IPC_CREAT", msgget(key + 1, 0));
    struct msginfo mi;
    say("IPC_INFO: %s\n",
        msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) >= 0 && mi.msgmax >= 8192 ? "ok" : "bad");
    chk("bad command", msgctl(k1, 1234, NULL));
    chk("IPC_RMID", msgctl(k1, IPC_RMID, NULL));
    chk("IPC_RMID again", msgctl(k1, IPC_RMID, NULL));
    return 0;
}
