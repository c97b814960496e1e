/* The host side of the process OCALLs (urts_ocall_procs.c) and the pid
 * namespace around a host fork (urts_procs.h): in a child of the test
 * (which becomes process 1 of a new namespace and a subreaper), each OCALL
 * is served with a hand-made input, malformed ones are refused, and a
 * host fork made with urts_procs_fork_* gets an id of its own, sees its parent as 1,
 * is waited for with its status, and its signals to process 1 reach the
 * pending word as sent from inside the tree (SIGKILL not at all). Then the
 * trusted side (pal/sgx/enclave/pal_procs.c through ocall_loopback.h):
 * real answers pass, and every answer a hostile host bends (ids out of
 * range, statuses Linux cannot give, /proc fields, counts, handles) is
 * -EIO. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "urts_internal.h"
#include "urts_ocall.h"
#include "urts_procs.h"
#include "urts_signal.h"
#include "tap.h"

#include "ocall_loopback.h"

#include "../../pal/sgx/enclave/pal_procs.c"

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
    if (n)
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

/* A hostile host: after the real handler of `t_number`, one change. */
enum { T_RESULT, T_OUT32, T_SIZE, T_STATE, T_COMM };
static uint64_t t_number;
static int t_kind;
static int64_t t_value;
static size_t t_at;

static void tamper(uint64_t number, int64_t *result, uint8_t *o, uint64_t *size)
{
    int32_t v = (int32_t)t_value;

    if (number != t_number)
        return;
    switch (t_kind) {
    case T_RESULT:
        *result = t_value;
        break;
    case T_OUT32:
        memcpy(o + t_at, &v, sizeof(v));
        break;
    case T_SIZE:
        *size = (uint64_t)t_value;
        break;
    case T_STATE:
        ((struct pal_proc_info *)o)->state = (char)t_value;
        break;
    case T_COMM:
        memset(((struct pal_proc_info *)o)->comm, 'x', 16);
        break;
    }
}

static void bend(uint64_t number, int kind, int64_t value, size_t at)
{
    t_number = number, t_kind = kind, t_value = value, t_at = at;
    loopback_tamper = tamper;
}

static void trusted(void)
{
    struct pal_api api;
    struct pal_proc_info info;
    int32_t ids[8];
    int status = 0;
    pal_handle h = -1;
    long r, tid;

    memset(&api, 0, sizeof(api));
    enclave_fill_procs(&api);
    loopback_tamper = NULL;
    CHECK(api.process_id() == 1 && api.process_parent() == 0 && api.process_getpgid(0) == 1,
          "trusted: id 1, parent 0, group 1 through the OCALLs");
    tid = api.thread_id_alloc();
    CHECK(tid > 1 && api.id_owner(tid) == 1 && api.process_list(1, ids, 8) == 1 && ids[0] == tid,
          "trusted: a thread id, its owner, the list");
    CHECK(api.process_list(1, ids, 0) == 1, "trusted: the list's count with max 0");
    CHECK(api.process_info(0, &info) == 0 && info.ppid == 0 && info.pgid == 1 && info.comm[15] == 0,
          "trusted: process_info(0)");
    CHECK(api.process_wait(-1, &status, 1) == -PAL_ECHILD &&
              api.process_wait(-1, &status, 0x40) == -PAL_EINVAL,
          "trusted: a wait without children; unknown options refused inside");
    CHECK(api.process_signal(1, 65) == -PAL_EINVAL && api.process_set_pdeathsig(-1) == -PAL_EINVAL,
          "trusted: signal numbers past 64 refused inside");
    CHECK(api.process_set_name("a-name-longer-than-fifteen") == 0,
          "trusted: a long name is cut to a comm");
    /* A child that has already exited (a vfork child's exit before exec):
     * a host process of the namespace, a zombie with that code. */
    r = api.process_exited_child(7);
    long w;
    while ((w = api.process_wait(r, &status, 0)) == -PAL_EINTR) /* its SIGCHLD, as the libOS retries */
        ;
    CHECK(r > 1 && r < OCALL_PROCS_ID_MAX && w == r && status == 7 << 8,
          "trusted: an exited child %ld, reaped with exit 7 (wait %ld, status 0x%x)", r, w, status);
    CHECK(api.process_exited_child(256) == -PAL_EINVAL && api.process_exited_child(-1) == -PAL_EINVAL,
          "trusted: an exit code past 255 refused inside");
    bend(OCALL_PROCS_EXITED, T_RESULT, OCALL_PROCS_ID_MAX, 0);
    r = api.process_exited_child(3);
    loopback_tamper = NULL;
    long reaped;
    while ((reaped = api.process_wait(-1, &status, 0)) == -PAL_EINTR)
        ;
    CHECK(r == -PAL_EIO && reaped > 1 && status == 3 << 8,
          "hostile: an exited child's id 2^22: -EIO (the host's child reaped: exit 3)");

    bend(OCALL_PROCS_ID, T_RESULT, 0, 0);
    r = api.process_id();
    bend(OCALL_PROCS_ID, T_RESULT, OCALL_PROCS_ID_MAX, 0);
    CHECK(r == -PAL_EIO && api.process_id() == -PAL_EIO, "hostile: process id 0 or 2^22: -EIO");
    bend(OCALL_PROCS_GETPGID, T_RESULT, 1LL << 30, 0);
    r = api.process_getpgid(0);
    bend(OCALL_PROCS_PARENT, T_RESULT, -(int64_t)OCALL_PROCS_ID_MAX, 0);
    CHECK(r == -PAL_EIO && api.process_parent() == -PAL_EIO,
          "hostile: a group 2^30, a parent far below 0: -EIO");
    bend(OCALL_PROCS_SIGNAL, T_RESULT, 1, 0);
    r = api.process_signal(1, 0);
    bend(OCALL_PROCS_SETSID, T_RESULT, 0, 0);
    CHECK(r == -PAL_EIO && api.process_setsid() == -PAL_EIO, "hostile: signal 1, setsid 0: -EIO");
    bend(OCALL_PROCS_OPEN, T_RESULT, OCALL_MAX_HANDLE, 0);
    CHECK(api.process_open(1, &h) == -PAL_EIO && h == -1,
          "hostile: a handle past OCALL_MAX_HANDLE: -EIO");
    bend(OCALL_PROCS_INFO, T_STATE, 'Q', 0);
    r = api.process_info(0, &info);
    bend(OCALL_PROCS_INFO, T_COMM, 0, 0);
    long r2 = api.process_info(0, &info);
    bend(OCALL_PROCS_INFO, T_OUT32, -7, offsetof(struct pal_proc_info, ppid));
    long r3 = api.process_info(0, &info);
    bend(OCALL_PROCS_INFO, T_SIZE, 8, 0);
    CHECK(r == -PAL_EIO && r2 == -PAL_EIO && r3 == -PAL_EIO &&
              api.process_info(0, &info) == -PAL_EIO,
          "hostile: process_info with state Q, a comm without NUL, ppid -7, a short record: -EIO");
    bend(OCALL_PROCS_LIST, T_OUT32, 0, 0);
    r = api.process_list(1, ids, 8);
    bend(OCALL_PROCS_LIST, T_RESULT, 5000, 0);
    r2 = api.process_list(1, ids, 8);
    bend(OCALL_PROCS_LIST, T_RESULT, 2, 0);
    CHECK(r == -PAL_EIO && r2 == -PAL_EIO && api.process_list(1, ids, 8) == -PAL_EIO,
          "hostile: a list with id 0, a count of 5000, a count its ids do not match: -EIO");
    bend(OCALL_PROCS_TID_ALLOC, T_RESULT, -1000, 0);
    r = api.thread_id_alloc();
    CHECK(r == -PAL_EIO, "hostile: an errno past Linux's: -EIO (%ld)", r);
    bend(OCALL_PROCS_WAIT, T_RESULT, 0, 0);
    CHECK(api.process_wait(-1, &status, 0) == -PAL_EIO,
          "hostile: a blocking wait answered 0: -EIO");
    loopback_tamper = NULL;
    api.thread_id_free(tid);
    CHECK(api.id_owner(tid) == -PAL_ESRCH, "trusted: the thread id freed");
}

/* A child to wait for, whose answer is bent: status and id checks. */
static void trusted_wait(void)
{
    struct pal_api api;
    static const int32_t bad[] = {0x10000, 0x80, 0x17f, 0x7f, 0x41, 0xff};
    int status = 0, n_bad = 0;
    struct urts_fork_id *f;
    pid_t pid;
    long id, r;

    memset(&api, 0, sizeof(api));
    enclave_fill_procs(&api);
    for (size_t i = 0; i <= sizeof(bad) / sizeof(bad[0]); i++) {
        if (urts_procs_fork_begin(&f))
            return;
        pid = fork();
        if (pid == 0) {
            urts_procs_fork_child(f);
            _exit(3);
        }
        id = urts_procs_fork_end(f, pid);
        if (i < sizeof(bad) / sizeof(bad[0]))
            bend(OCALL_PROCS_WAIT, T_OUT32, bad[i], 0);
        else
            loopback_tamper = NULL;
        while ((r = api.process_wait(id, &status, 0)) == -PAL_EINTR) {
        }
        if (i < sizeof(bad) / sizeof(bad[0]))
            n_bad += r == -PAL_EIO;
        else
            CHECK(r == id && status == 3 << 8,
                  "trusted: a child's id and exit status 3 (%ld, 0x%x)", r, status);
        loopback_tamper = NULL;
        while (api.process_wait(id, &status, 0) == -PAL_EINTR) {
        }
    }
    /* A death by signal: the status is the signal number. */
    if (urts_procs_fork_begin(&f) == 0) {
        pid = fork();
        if (pid == 0) {
            urts_procs_fork_child(f);
            signal(SIGUSR2, SIG_DFL);
            raise(SIGUSR2);
            _exit(1);
        }
        id = urts_procs_fork_end(f, pid);
        while ((r = api.process_wait(id, &status, 0)) == -PAL_EINTR) {
        }
        CHECK(r == id && status == SIGUSR2, "trusted: a child killed by SIGUSR2 (%ld, 0x%x)", r,
              status);
    }
    CHECK(
        n_bad == (int)(sizeof(bad) / sizeof(bad[0])),
        "hostile: wait statuses Linux cannot give (high bits, a core bit without a signal, a stop "
        "without WUNTRACED, signal 65, 0xff): -EIO (%d)",
        n_bad);
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
    trusted();
    trusted_wait();
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
