// modes: direct sim
/* Two threads call execve at once, again and again (each new image counts
 * down): one wins, the other thread is gone with the old image, as Linux's
 * de_thread makes it, and the one thread left has the process's id even
 * when it was not the first; the program ends after every round with its
 * status. A third round kind: execve while another thread sleeps in a
 * blocking call. */
#include "conf.h"
#include <pthread.h>

static char *next_argv[4];

static void *exec_now(void *arg)
{
    (void)arg;
    execv("/proc/self/exe", next_argv);
    say("execv failed: %s\n", ename(errno));
    _exit(1);
}

static void *block(void *arg)
{
    char c;
    if (read(*(int *)arg, &c, 1) >= 0)
        say("read returned\n");
    return NULL;
}

static void *spin(void *arg)
{
    for (volatile unsigned long i = 0;; i++)
        ;
    return arg;
}

int main(int argc, char **argv)
{
    int left = argc > 2 ? atoi(argv[2]) : 30;
    say("round %d, the one thread is the leader %d\n", left, gettid() == getpid());
    if (left == 0)
        return 3;
    char count[16];
    snprintf(count, sizeof(count), "%d", left - 1);
    next_argv[0] = argv[0], next_argv[1] = argc > 1 ? argv[1] : "x", next_argv[2] = count;
    pthread_t t;
    if (left % 5 == 0) { /* one thread blocked in read, one spinning; main execs */
        static int fds[2];
        if (pipe(fds) || pthread_create(&t, NULL, block, &fds[0]) ||
            pthread_create(&t, NULL, spin, NULL))
            say("set-up failed\n");
        usleep(50 * 1000);
    } else if (pthread_create(&t, NULL, exec_now, NULL)) {
        say("pthread_create failed\n");
    }
    exec_now(NULL);
    return 1;
}
