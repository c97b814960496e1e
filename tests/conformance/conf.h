/* Helpers shared by the conformance programs (see docs/conformance.md).
 * Every line goes straight to fd 1 with dprintf: no stdio buffer that a
 * fork could duplicate, and lines written before a fork appear once. A
 * program prints only what Linux makes deterministic (results, errno
 * names, relations between ids), never a pid, an address or a time. */
#ifndef CONF_H
#define CONF_H
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define say(...) dprintf(1, __VA_ARGS__)

/* An address no mapping holds, hidden from the compiler's checks. */
static volatile uintptr_t bad_addr = 8;
#define BAD ((void *)bad_addr)

static inline const char *ename(int e)
{
    const char *n = strerrorname_np(e);
    return n ? n : "E?";
}

static inline const char *sname(int sig)
{
    const char *n = sigabbrev_np(sig);
    return n ? n : "?";
}

/* One byte through a pipe between two processes: pipe_wait until the
 * other end's pipe_tell (exit 90/91 when the pipe fails). */
static inline void pipe_wait(int fd)
{
    char c;
    if (read(fd, &c, 1) != 1)
        _exit(90);
}

static inline void pipe_tell(int fd)
{
    if (write(fd, "x", 1) != 1)
        _exit(91);
}

/* "WHAT: ok" for a call that succeeded, "WHAT: -1 ENAME" for one that failed. */
static inline void chk(const char *what, long r)
{
    if (r == -1)
        say("%s: -1 %s\n", what, ename(errno));
    else
        say("%s: ok\n", what);
}

/* As chk, with the value returned when the call succeeded. */
static inline void val(const char *what, long r)
{
    if (r == -1)
        say("%s: -1 %s\n", what, ename(errno));
    else
        say("%s: %ld\n", what, r);
}

/* A wait status in words: "exit N", "signal SIG" or "status 0xN". */
static inline const char *wstr(int st)
{
    static char buf[64];
    if (WIFEXITED(st))
        snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, sizeof(buf), "signal SIG%s", sname(WTERMSIG(st)));
    else
        snprintf(buf, sizeof(buf), "status 0x%x", st);
    return buf;
}

/* Waits for PID and prints "WHAT: <status>" (or the waitpid error). */
static inline void reap(const char *what, pid_t pid)
{
    int st = 0;
    pid_t r = waitpid(pid, &st, 0);
    if (r == -1)
        say("%s: waitpid -1 %s\n", what, ename(errno));
    else if (r != pid)
        say("%s: waitpid returned another child\n", what);
    else
        say("%s: %s\n", what, wstr(st));
}

/* A fork that ends the program when it fails, so later lines never
 * describe a child that does not exist. */
static inline pid_t xfork(void)
{
    pid_t p = fork();
    if (p == -1) {
        say("fork: -1 %s\n", ename(errno));
        exit(99);
    }
    return p;
}

/* One byte through a pipe: the ordering handshake between two processes. */
static inline void post(int fd)
{
    char c = 'x';
    ssize_t r;
    while ((r = write(fd, &c, 1)) == -1 && errno == EINTR)
        ;
    if (r != 1)
        _exit(98);
}

/* Waits for a post; a signal handler running meanwhile does not end the wait. */
static inline int await(int fd)
{
    char c;
    ssize_t r;
    while ((r = read(fd, &c, 1)) == -1 && errno == EINTR)
        ;
    return r == 1 ? 0 : -1;
}

/* A byte as a printable character: '0' for a zero byte. */
static inline char pc(char c)
{
    return c ? c : '0';
}

#endif
