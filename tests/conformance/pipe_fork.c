// modes: direct sim
/* A pipe between processes (pipe(7)): the parent's blocking read returns
 * what the child wrote and then 0 only when the child, holder of the last
 * write end, exits; a reader that is gone gives the writer EPIPE. PIPE_BUF
 * atomicity: four processes each write 300 records of PIPE_BUF bytes of
 * their own letter at once into one pipe; the reader finds every record
 * whole. */
#include "conf.h"
#include <limits.h>

#define WRITERS 4
#define RECORDS 300

static void eof(void)
{
    int fds[2], back[2];
    char b[64];
    if (pipe(fds) || pipe(back))
        exit(1);
    pid_t pid = xfork();
    if (pid == 0) {
        close(fds[0]);
        if (write(fds[1], "hello", 5) != 5)
            _exit(1);
        usleep(100000);
        if (write(fds[1], " world", 6) != 6)
            _exit(1);
        _exit(0);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while ((r = read(fds[0], b + n, sizeof(b) - 1 - n)) > 0)
        n += r;
    b[n] = 0;
    say("read until end of file: \"%s\" then %zd\n", b, r);
    reap("writer", pid);

    pid = xfork();
    if (pid == 0) {
        close(back[1]);
        _exit(0);
    }
    close(back[0]);
    reap("reader", pid);
    signal(SIGPIPE, SIG_IGN);
    val("write with the only reader gone", write(back[1], "x", 1));
}

static void atomic(void)
{
    int fds[2];
    pid_t pid[WRITERS];
    if (pipe(fds))
        exit(1);
    for (int i = 0; i < WRITERS; i++) {
        pid[i] = xfork();
        if (pid[i] == 0) {
            char rec[PIPE_BUF];
            memset(rec, 'A' + i, sizeof(rec));
            close(fds[0]);
            for (int r = 0; r < RECORDS; r++)
                if (write(fds[1], rec, sizeof(rec)) != sizeof(rec))
                    _exit(1);
            _exit(0);
        }
    }
    close(fds[1]);
    static char rec[PIPE_BUF];
    int count[WRITERS] = {0}, mixed = 0;
    for (;;) {
        size_t n = 0;
        ssize_t r = 1;
        while (n < sizeof(rec) && (r = read(fds[0], rec + n, sizeof(rec) - n)) > 0)
            n += r;
        if (n == 0)
            break;
        int ok = n == sizeof(rec) && rec[0] >= 'A' && rec[0] < 'A' + WRITERS;
        for (size_t k = 1; ok && k < n; k++)
            ok = rec[k] == rec[0];
        if (ok)
            count[rec[0] - 'A']++;
        else
            mixed++;
        if (r <= 0)
            break;
    }
    for (int i = 0; i < WRITERS; i++) {
        say("records of %c: %d\n", 'A' + i, count[i]);
        reap("  writer", pid[i]);
    }
    say("mixed or short records: %d\n", mixed);
}

int main(void)
{
    eof();
    atomic();
    return 0;
}
