/* Host signals of geode run (urts_signal.c) that must always be able to
 * end it: each case runs in a child with the handlers installed and raises
 * signals at itself, playing the enclave (which takes the pending word by
 * exchanging it with 0) where needed. A SIGTERM or SIGINT only sets its bit
 * the first time; a second one while one is still pending, or the first
 * once the enclave is known dead, ends the child by that signal at once;
 * other signals never do. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ocall_abi.h"
#include "urts_internal.h"
#include "urts_signal.h"
#include "tap.h"

#define BIT(sig) (1ULL << ((sig) - 1))

static volatile uint64_t *word;

/* Each returns normally when the child survives; its value is its exit status. */
static int one_term(void)
{
    raise(SIGTERM);
    return *word == BIT(SIGTERM) ? 0 : 3;
}

static int two_terms(void)
{
    raise(SIGTERM);
    raise(SIGTERM);
    return 0;
}

static int int_then_term(void)
{
    raise(SIGINT);
    raise(SIGTERM);
    return 0;
}

static int taken_between(void)
{
    raise(SIGTERM);
    if (__atomic_exchange_n(word, 0, __ATOMIC_SEQ_CST) != BIT(SIGTERM))
        return 3;
    raise(SIGTERM);
    return *word == BIT(SIGTERM) ? 0 : 4;
}

static int others_twice(void)
{
    raise(SIGUSR1);
    raise(SIGUSR1);
    raise(SIGHUP);
    raise(SIGHUP);
    return *word == (BIT(SIGUSR1) | BIT(SIGHUP)) ? 0 : 3;
}

static int dead_int(void)
{
    urts_signal_dead(true);
    raise(SIGINT);
    return 0;
}

static int dead_then_alive(void)
{
    urts_signal_dead(true);
    urts_signal_dead(false);
    raise(SIGTERM);
    return *word == BIT(SIGTERM) ? 0 : 3;
}

/* kill(2) of this process is its own copy of a kill from inside the tree
 * (from_inside): its sender is recorded once; a second while the first is
 * not taken merges with it, as a pending standard signal does. */
static int sender_recorded(void)
{
    struct ocall_signal_sender s;

    if (kill(getpid(), SIGUSR1) || kill(getpid(), SIGUSR1))
        return 2;
    if (*word != BIT(SIGUSR1) << URTS_SIGNAL_INSIDE_SHIFT)
        return 3;
    if (urts_signal_sender(SIGUSR1, &s) != 1 || s.code != SI_USER || s.uid != getuid() || s.more)
        return 4;
    if (urts_signal_sender(SIGUSR1, &s) != 0 || s.lost)
        return 5; /* the second merged: nothing more, nothing lost */
    if (urts_signal_sender(SIGUSR2, &s) != 0 || urts_signal_sender(0, &s) != -EINVAL ||
        urts_signal_sender(65, &s) != -EINVAL)
        return 6;
    raise(SIGUSR2); /* tgkill: not a kill from inside, no sender */
    if (urts_signal_sender(SIGUSR2, &s) != 0)
        return 7;
    return 0;
}

/* Runs fn in a child; *status = its wait status, err = what it wrote on stderr. */
static void in_child(int (*fn)(void), int *status, char *err, size_t cap)
{
    int fds[2];
    pid_t pid;
    ssize_t n = 0, r;

    *status = -1;
    err[0] = 0;
    if (pipe(fds))
        return;
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        struct urts_enclave *e = calloc(1, sizeof(*e)); /* no threads: no AEP to look for */

        dup2(fds[1], 2);
        close(fds[0]);
        word = e ? (volatile uint64_t *)(uintptr_t)urts_signal_setup(e) : NULL;
        _exit(word ? fn() : 9);
    }
    close(fds[1]);
    while (pid > 0 && (size_t)n < cap - 1 && (r = read(fds[0], err + n, cap - 1 - (size_t)n)) > 0)
        n += r;
    err[n] = 0;
    close(fds[0]);
    if (pid > 0)
        waitpid(pid, status, 0);
}

static bool killed_by(int status, int sig)
{
    return status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

static bool exited_0(int status)
{
    return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
    char err[512];
    int st;

    in_child(one_term, &st, err, sizeof(err));
    CHECK(exited_0(st) && !err[0], "one SIGTERM: only its bit is set, for the program (status 0x%x)",
          st);
    in_child(two_terms, &st, err, sizeof(err));
    CHECK(killed_by(st, SIGTERM) && strstr(err, "geode run: SIGTERM, and the enclave has not taken"),
          "a second SIGTERM while the first is pending ends geode by SIGTERM, with one line (%s)",
          err);
    in_child(int_then_term, &st, err, sizeof(err));
    CHECK(killed_by(st, SIGTERM), "SIGINT pending, then SIGTERM: ends by SIGTERM (0x%x)", st);
    in_child(taken_between, &st, err, sizeof(err));
    CHECK(exited_0(st), "the enclave took the first SIGTERM: the next one is for the program again");
    in_child(others_twice, &st, err, sizeof(err));
    CHECK(exited_0(st), "SIGUSR1 and SIGHUP twice while pending: nothing ends (0x%x)", st);
    in_child(sender_recorded, &st, err, sizeof(err));
    CHECK(exited_0(st), "kill of itself: its sender recorded once, a second merged, none for tgkill (0x%x)",
          st);
    in_child(dead_int, &st, err, sizeof(err));
    CHECK(killed_by(st, SIGINT) && !err[0],
          "enclave known dead: the first SIGINT ends geode by SIGINT, silently (0x%x, %s)", st, err);
    in_child(dead_then_alive, &st, err, sizeof(err));
    CHECK(exited_0(st), "alive again (a new start): the first SIGTERM is the program's (0x%x)", st);
    return TAP_DONE();
}
