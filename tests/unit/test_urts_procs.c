/* The host side of the process OCALLs (urts_ocall_procs.c) and the pid
 * namespace around a host fork (urts_procs.h): in a child of the test
 * (which becomes process 1 of a new namespace and a subreaper), each OCALL
 * is served with a hand-made input, malformed ones are refused, and a
 * host fork made with urts_procs_fork_* gets an id of its own, sees its parent as 1,
 * is waited for with its status, and its signals to process 1 reach the
 * pending word as sent from inside the tree (SIGKILL not at all). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/urts_internal.h"
#include "host/urts_ocall.h"
#include "host/urts_procs.h"
#include "host/urts_signal.h"
#include "tap.h"

#define BIT(sig) (1ULL << ((sig)-1))
#define INSIDE(sig) (BIT(sig) << URTS_SIGNAL_INSIDE_SHIFT)
#define OUTSIDE 3999999

static uint8_t out[OCALL_MAX_DATA];
static uint64_t out_size;

/* One OCALL: a0, a1, then extra bytes. */
static int64_t call(uint64_t number, int64_t a0, int64_t a1, const void *extra, size_t n)
{
    uint8_t in[sizeof(struct ocall_args) + 64];
    struct ocall_args a = {{a0, a1, 0, 0, 0, 0}};

    memcpy(in, &a, sizeof(a));
    memcpy(in + sizeof(a), extra, n);
    out_size = 0;
    return urts_ocall_procs(NULL, 0, number, in, sizeof(a) + n, out, sizeof(out), &out_size);
}

static int64_t call2(uint64_t number, int64_t a0, int64_t a1)
{
    return call(number, a0, a1, NULL, 0);
}

static int32_t out_i32(size_t i)
{
    int32_t v;
    memcpy(&v, out + i * sizeof(v), sizeof(v));
    return v;
}

static void single(void)
{
    int64_t tid, r;
    struct pal_proc_info info;

    CHECK(call2(OCALL_PROCS_ID, 0, 0) == 1 && call2(OCALL_PROCS_PARENT, 0, 0) == 0,
          "the first process is 1, its parent 0");
    CHECK(call2(OCALL_PROCS_GETPGID, 0, 0) == 1 && call2(OCALL_PROCS_GETPGID, 1, 0) == 1,
          "it leads its group (1)");
    tid = call2(OCALL_PROCS_TID_ALLOC, 0, 0);
    CHECK(tid > 1 && call2(OCALL_PROCS_ID_OWNER, tid, 0) == 1, "a thread id, owned by 1 (%lld)",
          (long long)tid);
    r = call2(OCALL_PROCS_LIST, 1, 4);
    CHECK(r == 1 && out_size == 4 && out_i32(0) == tid, "process_list(1) holds it");
    r = call2(OCALL_PROCS_LIST, 1, 0);
    CHECK(r == 1 && out_size == 0, "process_list with max 0: the count, no ids");
    CHECK(call2(OCALL_PROCS_TID_FREE, tid, 0) == 0 && call2(OCALL_PROCS_LIST, 1, 4) == 0 &&
              call2(OCALL_PROCS_ID_OWNER, tid, 0) == -ESRCH,
          "the freed thread id is gone");
    CHECK(call2(OCALL_PROCS_WAIT, -1, 1) == -ECHILD &&
              call2(OCALL_PROCS_WAIT, OUTSIDE, 0) == -ECHILD,
          "waits without children: -ECHILD");
    CHECK(call2(OCALL_PROCS_SIGNAL, OUTSIDE, 0) == -ESRCH &&
              call2(OCALL_PROCS_SIGNAL, -1, SIGKILL) == -ESRCH &&
              call2(OCALL_PROCS_SIGNAL, 1, 0) == 0,
          "signals: outside the tree -ESRCH, -1 alone -ESRCH, 1 exists");
    r = call2(OCALL_PROCS_INFO, 0, 0);
    memcpy(&info, out, sizeof(info));
    CHECK(r == 0 && out_size == sizeof(info) && info.ppid == 0 && info.pgid == 1 &&
              info.threads >= 1,
          "process_info(0): ppid 0, pgid 1");
    CHECK(call2(OCALL_PROCS_INFO, OUTSIDE, 0) == -ESRCH, "process_info outside the tree: -ESRCH");
    r = call2(OCALL_PROCS_OPEN, 1, 0);
    CHECK(r >= 0 && close((int)r) == 0, "process_open(1): a host pidfd");
    CHECK(call(OCALL_PROCS_SET_NAME, 5, 0, "name", 5) == 0, "set_name");
    CHECK(call(OCALL_PROCS_SET_NAME, 5, 0, "namex", 5) == -EINVAL &&
              call(OCALL_PROCS_SET_NAME, 17, 0, "0123456789abcdef", 17) == -EINVAL,
          "set_name without its NUL, or longer than a comm: -EINVAL");
    CHECK(call(OCALL_PROCS_ID, 0, 0, "x", 1) == -EINVAL, "trailing bytes: -EINVAL");
    CHECK(call2(OCALL_PROCS_WAIT, -1, 0x40) == -EINVAL &&
              call2(OCALL_PROCS_LIST, 0, OCALL_PROCS_LIST_MAX + 1) == -EINVAL &&
              call2(OCALL_PROCS_SIGNAL, 1, 65) == -EINVAL &&
              call2(OCALL_PROCS_PDEATHSIG, 65, 0) == -EINVAL,
          "unknown wait options, a list too long, signal 65: -EINVAL");
    CHECK(call2(OCALL_PROCS_ID_OWNER, 1LL << 40, 0) == -ESRCH &&
              call2(OCALL_PROCS_GETSID, -(1LL << 40), 0) == -ESRCH,
          "ids no namespace holds: -ESRCH");
    CHECK(call2(OCALL_PROCS_LAST, 0, 0) == -ENOSYS, "an unused number: -ENOSYS");
}

static void forked(volatile uint64_t *word)
{
    struct urts_fork_id *f;
    int64_t r, id;
    int32_t st;
    pid_t pid;

    CHECK(urts_procs_fork_begin(&f) == 0, "fork_begin");
    pid = fork();
    if (pid == 0) {
        urts_procs_fork_child(f);
        int64_t id = call2(OCALL_PROCS_ID, 0, 0);
        int ok = id > 1 && id < 100 && call2(OCALL_PROCS_PARENT, 0, 0) == 1 &&
                 call2(OCALL_PROCS_SIGNAL, 1, SIGUSR1) == 0 &&
                 call2(OCALL_PROCS_SIGNAL, 1, SIGKILL) == 0;
        _exit(ok ? (int)id : 1);
    }
    id = urts_procs_fork_end(f, pid);
    CHECK(id > 1 && call2(OCALL_PROCS_ID_OWNER, id, 0) == id, "fork_end: the child's id (%lld)",
          (long long)id);
    /* The host's forwarded signals interrupt it, as they would the enclave's. */
    while ((r = call2(OCALL_PROCS_WAIT, id, 0)) == -EINTR) {
    }
    st = out_i32(0);
    CHECK(r == id && out_size == 4 && WIFEXITED(st) && WEXITSTATUS(st) == id,
          "wait(id): its id and exit status (the child saw its id and parent 1, its signals were "
          "taken) (%lld, 0x%x)",
          (long long)r, (unsigned)st);
    for (int i = 0; i < 1000 && !(*word & BIT(SIGCHLD)); i++)
        usleep(1000);
    CHECK((*word & INSIDE(SIGUSR1)) && !(*word & BIT(SIGUSR1)),
          "its SIGUSR1 to 1 is posted as from inside");
    CHECK(*word & BIT(SIGCHLD), "SIGCHLD (the kernel's) is posted as from outside");
    CHECK(call2(OCALL_PROCS_ID_OWNER, id, 0) == -ESRCH, "the reaped child's id is gone");

    CHECK(urts_procs_fork_begin(&f) == 0 && urts_procs_fork_end(f, -EAGAIN) == -EAGAIN &&
              call2(OCALL_PROCS_LIST, 0, 8) == 1,
          "a failed fork: its error, the entry removed");
}

static int child(void)
{
    struct urts_enclave *e = calloc(1, sizeof(*e)); /* no threads: no AEP to look for */
    volatile uint64_t *word;

    CHECK(call2(OCALL_PROCS_ID, 0, 0) == -ENOSYS, "before urts_procs_init: -ENOSYS");
    if (!e || urts_procs_init())
        return 2;
    word = (volatile uint64_t *)(uintptr_t)urts_signal_setup(e);
    if (!word)
        return 3;
    single();
    forked(word);
    return tap_failed;
}

int main(void)
{
    int st = -1;
    pid_t pid;

    fflush(NULL);
    pid = fork();
    if (pid == 0)
        _exit(child());
    if (pid > 0)
        waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "every check of the namespace's process (status 0x%x)", st);
    return tap_failed;
}
