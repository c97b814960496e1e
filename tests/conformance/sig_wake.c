// modes: direct sim
/* A signal one thread sends another, or the process, reaches the thread
 * that takes it wherever it is (signal(7), Linux's signal_wake_up): a
 * thread spinning in its own code runs the handler; one blocked in read,
 * poll, accept, sem_wait, nanosleep or pause is interrupted (EINTR, or
 * the call made again under SA_RESTART); pthread_cancel ends a thread
 * blocked in read; a process-directed signal goes to the thread that does
 * not block it; and sigwaitinfo in one thread takes a signal another
 * thread sends. alarm(10) ends a run that would hang. */
#include "conf.h"
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/socket.h>
#include <time.h>

static volatile sig_atomic_t got;
static int rd_fd = -1;
static sem_t sem;
static int lsock = -1;

static void on_usr1(int sig)
{
    (void)sig;
    got++;
}

static void set_handler(int flags)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sa.sa_flags = flags;
    sigaction(SIGUSR1, &sa, NULL);
}

/* Each blocking body returns what its call gave, as "r errno". */
static void *spin(void *a)
{
    (void)a;
    while (!got)
        ;
    return "spin: handler ran";
}

static char out[8][64];

static void *do_read(void *a)
{
    char c;
    ssize_t r = read(rd_fd, &c, 1);
    snprintf(out[0], sizeof(out[0]), "read: %zd %s got %d", r, r < 0 ? ename(errno) : "-",
             (int)got);
    (void)a;
    return out[0];
}

static void *do_poll(void *a)
{
    struct pollfd p = {.fd = rd_fd, .events = POLLIN};
    int r = poll(&p, 1, -1);
    snprintf(out[1], sizeof(out[1]), "poll: %d %s got %d", r, r < 0 ? ename(errno) : "-", (int)got);
    (void)a;
    return out[1];
}

static void *do_accept(void *a)
{
    int r = accept(lsock, NULL, NULL);
    snprintf(out[2], sizeof(out[2]), "accept: %d %s got %d", r < 0 ? -1 : 0,
             r < 0 ? ename(errno) : "-", (int)got);
    (void)a;
    return out[2];
}

static void *do_sem(void *a)
{
    int r = sem_wait(&sem);
    snprintf(out[3], sizeof(out[3]), "sem_wait: %d %s got %d", r, r < 0 ? ename(errno) : "-",
             (int)got);
    (void)a;
    return out[3];
}

static void *do_sleep(void *a)
{
    struct timespec ts = {30, 0}, rem;
    int r = nanosleep(&ts, &rem);
    snprintf(out[4], sizeof(out[4]), "nanosleep: %d %s got %d rem>20s %d", r,
             r < 0 ? ename(errno) : "-", (int)got, rem.tv_sec > 20);
    (void)a;
    return out[4];
}

static void *do_pause(void *a)
{
    int r = pause();
    snprintf(out[5], sizeof(out[5]), "pause: %d %s got %d", r, ename(errno), (int)got);
    (void)a;
    return out[5];
}

/* Runs body in a thread, waits until it blocks (100 ms), signals it with
 * pthread_kill, then (feed >= 0) writes a byte to feed 100 ms later, and
 * prints label and what the body returned. */
static void interrupt_feed(const char *label, void *(*body)(void *), int feed)
{
    pthread_t t;
    void *res;
    got = 0;
    pthread_create(&t, NULL, body, NULL);
    usleep(100000);
    pthread_kill(t, SIGUSR1);
    if (feed >= 0) {
        usleep(100000);
        if (write(feed, "x", 1) != 1)
            _exit(1);
    }
    pthread_join(t, &res);
    say("%s%s\n", label, (const char *)res);
}

static void interrupt(void *(*body)(void *)) { interrupt_feed("", body, -1); }

static void *reader_forever(void *a)
{
    char c;
    (void)a;
    for (;;)
        if (read(rd_fd, &c, 1) == 1)
            break;
    return NULL;
}

static void *block_usr1_then_read(void *a)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    return do_read(a);
}

static void *waiter(void *a)
{
    sigset_t s;
    siginfo_t si;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    int r = sigwaitinfo(&s, &si);
    snprintf(out[6], sizeof(out[6]), "sigwaitinfo: %s code %d", r > 0 ? sname(r) : "failed",
             si.si_code);
    (void)a;
    return out[6];
}

int main(void)
{
    int p[2];
    alarm(10);
    if (pipe(p))
        return 1;
    rd_fd = p[0];
    sem_init(&sem, 0, 0);
    lsock = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (lsock < 0 || bind(lsock, (struct sockaddr *)&sin, sizeof(sin)) || listen(lsock, 1))
        return 1;

    /* 1. A handler without SA_RESTART: each call ends with EINTR. */
    set_handler(0);
    interrupt(spin);
    interrupt(do_read);
    interrupt(do_poll);
    interrupt(do_accept);
    interrupt(do_sem);
    interrupt(do_sleep);
    interrupt(do_pause);

    /* 2. SA_RESTART: read is made again after the handler and gets the
     * byte written later. */
    set_handler(SA_RESTART);
    interrupt_feed("restarted ", do_read, p[1]);

    /* 3. pthread_cancel of a thread blocked in read. */
    {
        pthread_t t;
        void *res;
        pthread_create(&t, NULL, reader_forever, NULL);
        usleep(100000);
        pthread_cancel(t);
        pthread_join(t, &res);
        say("cancel: %s\n", res == PTHREAD_CANCELED ? "canceled" : "not canceled");
    }

    /* 4. kill(getpid()) while this thread blocks SIGUSR1: the reading
     * thread, which does not, takes it. */
    set_handler(0);
    {
        pthread_t t;
        void *res;
        sigset_t s, old;
        got = 0;
        pthread_create(&t, NULL, do_read, NULL);
        sigemptyset(&s);
        sigaddset(&s, SIGUSR1);
        pthread_sigmask(SIG_BLOCK, &s, &old);
        usleep(100000);
        kill(getpid(), SIGUSR1);
        pthread_join(t, &res);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        say("process-directed %s\n", (const char *)res);
    }

    /* 5. The reverse: the reading thread blocks it, so this one takes it. */
    {
        pthread_t t;
        got = 0;
        pthread_create(&t, NULL, block_usr1_then_read, NULL);
        usleep(100000);
        kill(getpid(), SIGUSR1);
        say("taken here: got %d\n", (int)got);
        if (write(p[1], "y", 1) != 1)
            return 1;
        pthread_join(t, NULL);
    }

    /* 6. sigwaitinfo in a thread, SIGUSR2 blocked everywhere, sent to it
     * by tgkill. */
    {
        pthread_t t;
        void *res;
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGUSR2);
        pthread_sigmask(SIG_BLOCK, &s, NULL);
        pthread_create(&t, NULL, waiter, NULL);
        usleep(100000);
        pthread_kill(t, SIGUSR2);
        pthread_join(t, &res);
        say("%s\n", (const char *)res);
    }
    say("done\n");
    return 0;
}
