/* uRTS: fork of the program's process (OCALL_FORK, OCALL_FORK_ABORT;
 * the enclave side and the protocol are in pal/sgx/enclave/pal_fork.c).
 *
 * The host forks this geode process. The host child keeps only the
 * calling thread: it drops what belonged to the parent's other host
 * threads (their enclave threads, the exitless workers), lets the backend
 * redo its per-task state (the sim's syscall dispatch is not inherited),
 * and hands over to the run's fork handler (run_sgx.c), which builds a
 * new enclave from the same pages and SIGSTRUCT and enters it with
 * ECALL_FORK on the same TCS. The old enclave's mapping goes with the
 * rebuild's close: on hardware it is the parent's enclave (the kernel
 * shares an enclave's pages with a forked mm), in the sim the same shared
 * EPC memory; the child never touches it. Host descriptors are the
 * host fork's: the child has the parent's, at the same numbers. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "urts_exitless.h"
#include "urts_fork.h"
#include "urts_internal.h"
#include "urts_procs.h"

/* Empty polls of the fork stream (with a yield between), then one wait of
 * FORK_RECV_WAIT_NS for more, that end one OCALL_PROCS_FORK_RECV with
 * what it has: a yield lets the writer run when it shares this CPU, the
 * wait when other work holds the CPUs (under load the yields alone ended
 * calls after a few KiB: thousands of OCALLs for a 100 MiB fork). */
#define FORK_RECV_YIELDS 2
#define FORK_RECV_WAIT_NS 100000

void urts_set_fork_handler(struct urts_enclave *e, urts_fork_fn fn, void *ctx)
{
    e->fork_fn = fn;
    e->fork_ctx = ctx;
}

/* In the host child: nothing of the parent's other host threads is left,
 * nor its pool (urts_pool.c). */
void urts_fork_forget_threads(struct urts_enclave *e)
{
    urts_pool_forget();
    for (uint32_t t = 0; t < e->threads; t++) {
        struct urts_thread *th = &e->thread[t];

        th->host_started = false;
        th->busy = 0;
        th->futex_word = 0;
        th->done = false;
    }
    urts_exitless_forget(e);
}

/* The host child with its enclave: the fork handler takes over. */
void urts_fork_run_child(struct urts_enclave *e, uint32_t thread, int chan)
{
    chan = urts_fork_tamper(chan);
    if (chan < 0)
        _exit(127);
    e->fork_fn(e, thread, chan, e->fork_ctx);
    _exit(127);
}

__attribute__((noreturn)) static void child(struct urts_enclave *e, uint32_t thread, int chan)
{
    if (e->drv->after_fork && e->drv->after_fork()) {
        fprintf(stderr, "geode: fork: the %s backend cannot run in the child process\n", e->drv->name);
        _exit(127);
    }
    urts_fork_forget_threads(e);
    e->fork_built = false;
    urts_fork_run_child(e, thread, chan);
    _exit(127);
}

bool urts_fork_built(const struct urts_enclave *e)
{
    return e->fork_built;
}

/* A fork that took a pool member refills the pool (a host fork of this
 * process, ~1 ms) once it has sent the child its first part of the
 * stream, while the child takes it, instead of before the handshake, when
 * the child waits for its key offer; or at the next fork, whichever
 * comes first. */
static struct urts_enclave *fill_e;
static pid_t fill_child;

static void fill_pending(void)
{
    struct urts_enclave *e = fill_e;

    fill_e = NULL;
    if (e)
        urts_pool_fill(e, fill_child);
}

/* OCALL_FORK's output: the child's id and the parent's end of the channel. */
static int64_t reply(int64_t id, int chan, uint8_t *out, uint64_t *out_size)
{
    int64_t v[2] = {id, chan};

    memcpy(out, v, sizeof(v));
    *out_size = sizeof(v);
    return 0;
}

int64_t urts_fork(struct urts_enclave *e, uint32_t thread, uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    struct urts_fork_id *f;
    int sv[2];
    long id;

    if (out_cap < 2 * sizeof(int64_t))
        return -EINVAL;
    if (!e->fork_fn)
        return -ENOSYS;
    fill_pending();
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
        return -errno;
    id = urts_procs_fork_begin(&f);
    struct urts_pool_member m;

    /* A child whose enclave is built already, when the pool has one: it
     * is given its id before it is told to go (it looks itself up). A
     * member that cannot take it (it died) is ended and reaped through the
     * namespace, and the fork goes on without the pool. */
    if (id >= 0 && urts_pool_next(&m) == 0) {
        id = urts_procs_fork_end(f, m.pid);
        if (id >= 0 && urts_pool_go(&m, thread, sv[1]) == 0) {
            close(sv[1]);
            if (e->desc.log_counters)
                fprintf(
                    e->desc.log_counters,
                    "geode: fork: child %ld takes an enclave of the process pool (built ahead)\n",
                    id);
            fill_e = e;
            fill_child = m.pid;
            return reply(id, sv[0], out, out_size);
        }
        if (id >= 0)
            urts_fork_abort(id);
        id = urts_procs_fork_begin(&f);
    }
    if (id < 0) {
        close(sv[0]);
        close(sv[1]);
        return id;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        urts_procs_fork_child(f);
        close(sv[0]);
        child(e, thread, sv[1]);
    }
    id = urts_procs_fork_end(f, pid < 0 ? -errno : pid);
    close(sv[1]);
    if (id < 0) {
        close(sv[0]);
        return id;
    }
    urts_pool_fill(e, pid);
    return reply(id, sv[0], out, out_size);
}

/* A vfork child that exits before it execs leaves its parent nothing but
 * a child with its exit status: a host process of the namespace that
 * exits with it at once, with no enclave. Its id is returned once it is a
 * zombie (a wait with WNOHANG right after finds it, as after Linux's
 * vfork; WNOWAIT: the program's wait reaps it). */
int64_t urts_fork_exited(int code)
{
    struct urts_fork_id *f;
    long id = urts_procs_fork_begin(&f);
    siginfo_t si;
    pid_t pid;

    if (id < 0)
        return id;
    pid = fork();
    if (pid == 0) {
        urts_procs_fork_child(f);
        _exit(code);
    }
    id = urts_procs_fork_end(f, pid < 0 ? -errno : pid);
    if (id >= 0)
        while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
            ;
    return id;
}

/* The enclave's sealed stream, written from or read into host memory the
 * enclave mapped with OCALL_SHM_MAP: one exit per OCALL_FORK_BULK_MAX bytes
 * instead of one per OCALL_MAX_IO. The range must lie inside one such
 * mapping, so the enclave cannot have the host read or write anything else
 * of its own. */
int64_t urts_fork_bulk(uint64_t number, const int64_t *a)
{
    uint64_t addr = (uint64_t)a[1], len = (uint64_t)a[2];

    if (a[0] < 0 || a[0] >= OCALL_MAX_HANDLE || a[2] < 1 || a[2] > OCALL_FORK_BULK_MAX ||
        addr + len < addr || !urts_shm_inside(addr, addr + len))
        return -EINVAL;
    if (number == OCALL_PROCS_FORK_RECV) {
        uint8_t *buf = (uint8_t *)(uintptr_t)addr;
        ssize_t r;
        uint64_t got;
        int idle = 0;

        do
            r = read((int)a[0], buf, len);
        while (r < 0 && errno == EINTR);
        if (r <= 0)
            return r < 0 ? -errno : 0;
        /* Then what else the stream has without blocking, until the
         * buffer is full or the stream pauses: a socket holds less than
         * the buffer (~210 KiB by default), and the writer refills it as it
         * is read (a yield lets it run when it shares this CPU). One OCALL
         * of the enclave brings up to `len` bytes instead of one socket's
         * worth. */
        for (got = (uint64_t)r; got < len;) {
            r = recv((int)a[0], buf + got, len - got, MSG_DONTWAIT);
            if (r > 0) {
                got += (uint64_t)r;
                idle = 0;
            } else if (r < 0 && errno == EINTR) {
                continue;
            } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                if (++idle <= FORK_RECV_YIELDS) {
                    sched_yield();
                    continue;
                }
                struct pollfd p = {.fd = (int)a[0], .events = POLLIN};
                struct timespec ts = {0, FORK_RECV_WAIT_NS};

                if (ppoll(&p, 1, &ts, NULL) <= 0)
                    break; /* the stream pauses: the enclave takes what came */
                idle = 0;
            } else {
                break; /* end of stream or an error: the next call reports it */
            }
        }
        return (int64_t)got;
    }
    for (uint64_t done = 0; done < len;) {
        ssize_t r = write((int)a[0], (const uint8_t *)(uintptr_t)addr + done, len - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? -errno : -EIO;
        done += (uint64_t)r;
    }
    fill_pending();
    return 0;
}

/* Through the namespace, as the program's own kill and wait: the entry
 * goes with the reap. */
int64_t urts_fork_abort(int64_t id)
{
    const struct pal_api *api = urts_procs_api();
    int status;

    if (id <= 0 || !api || !api->process_signal || !api->process_wait)
        return -EINVAL;
    urts_procs_thread();
    if (api->process_signal(id, SIGKILL) < 0)
        return -ESRCH;
    return api->process_wait(id, &status, 0) == id ? 0 : -ECHILD;
}
