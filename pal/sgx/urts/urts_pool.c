/* uRTS: a pool of host children whose enclave is already built and
 * EINITed (geode.process_pool; docs/sgx-pal.md, "Fork"), so that a fork
 * costs the state transfer, not an enclave build.
 *
 * A member is a host fork of this process made ahead of time: it drops
 * what belonged to the parent's threads, builds the enclave from the same
 * pages and SIGSTRUCT, says "ready" on its control socket and waits. It
 * is not a process of the program: it has no entry in the pid namespace
 * (nothing the program does can wait for it, signal it or list it), it
 * dies with the thread that made it (PR_SET_PDEATHSIG), and it never exits
 * on its own while that thread lives, so the program's waits never see it.
 *
 * A fork that takes a member sends it "go": the forking thread's TCS and
 * the process's whole descriptor table at that moment (SCM_RIGHTS, each
 * with its number and close-on-exec flag), plus the channel's end. The
 * member makes its table exactly that (its own control socket moved above
 * the highest number first), joins the pid namespace under the id the
 * parent made for it, and enters its enclave with ECALL_FORK as a freshly
 * forked child would. A member that is not ready, or whose process group
 * or session is no longer the parent's, is not used: the fork then builds
 * its child as without a pool. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/close_range.h>
#include <unistd.h>

#include "urts_fork.h"
#include "urts_internal.h"
#include "urts_procs.h"

#define POOL_MAX 16
#define FDS_PER_MSG 200
/* How long a new member leaves the CPU to the child of the fork that made
 * it before it builds, unless that child ends sooner. */
#define BUILD_DEFER_MS 100

struct member {
    pid_t pid;
    int ctl;
    bool ready;
    pid_t pgid, sid; /* the parent's when the member was made */
};

static struct member pool[POOL_MAX];
static unsigned pool_n, pool_want;

/* "go", then the descriptor batches. */
struct go_msg {
    uint32_t thread;
    int32_t max_fd;
    uint32_t n_fds; /* descriptors in the batches that follow */
};

struct fd_entry {
    int32_t number;
    int32_t cloexec;
};

static int send_fds(int sock, const void *data, size_t len, const int *fds, unsigned n)
{
    char cbuf[CMSG_SPACE(sizeof(int) * FDS_PER_MSG)];
    struct iovec iov = {(void *)data, len};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};

    if (n) {
        memset(cbuf, 0, sizeof(cbuf));
        m.msg_control = cbuf;
        m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);

        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
    }
    return sendmsg(sock, &m, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* One message: its data, and its descriptors at or above `floor` (close-on-exec). */
static ssize_t recv_fds(int sock, void *data, size_t len, int *fds, unsigned *n, int floor)
{
    char cbuf[CMSG_SPACE(sizeof(int) * FDS_PER_MSG)];
    struct iovec iov = {data, len};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    ssize_t r = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);

    *n = 0;
    if (r <= 0)
        return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        unsigned k = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));

        for (unsigned i = 0; i < k && *n < FDS_PER_MSG; i++) {
            int fd;

            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            int high = fcntl(fd, F_DUPFD_CLOEXEC, floor);

            close(fd);
            if (high < 0)
                return -1;
            fds[(*n)++] = high;
        }
    }
    return (m.msg_flags & MSG_CTRUNC) ? -1 : r;
}

/* The member's table becomes the parent's: everything of its own up to
 * max_fd closed, the parent's descriptors at their numbers. */
static int take_table(int ctl, const struct go_msg *go, int *chan)
{
    struct fd_entry *want = calloc(go->n_fds + 1, sizeof(*want));
    int *got = calloc(go->n_fds + 1, sizeof(int));
    unsigned have = 0;
    int floor = go->max_fd + 1;

    if (!want || !got)
        return -1;
    /* Batches: entries as data, the descriptors as rights; the channel
     * comes last, alone. */
    while (have < go->n_fds) {
        struct fd_entry part[FDS_PER_MSG];
        unsigned n;
        ssize_t r = recv_fds(ctl, part, sizeof(part), got + have, &n, floor);

        if (r < 0 || (size_t)r != n * sizeof(struct fd_entry) || have + n > go->n_fds)
            return -1;
        memcpy(want + have, part, n * sizeof(struct fd_entry));
        have += n;
    }
    char one;
    unsigned n;

    if (recv_fds(ctl, &one, 1, chan, &n, floor) != 1 || n != 1)
        return -1;
    close_range(0, (unsigned)go->max_fd, 0); /* what it got lies above max_fd */
    for (unsigned i = 0; i < have; i++) {
        if (want[i].number < 0 || want[i].number > go->max_fd ||
            dup3(got[i], want[i].number, want[i].cloexec ? O_CLOEXEC : 0) != want[i].number)
            return -1;
        close(got[i]);
    }
    free(want);
    free(got);
    return 0;
}

/* The build of an enclave takes tens of ms of CPU; the child of the fork
 * that made this member starts meanwhile (a posix_spawn's child execs and
 * often ends within that time), and on a busy host the two would share a
 * CPU. So the build waits until that child is gone, for at most
 * BUILD_DEFER_MS (a long-lived child then shares the CPU as before). */
static void defer_build(pid_t child)
{
    int fd = child > 0 ? (int)syscall(SYS_pidfd_open, child, 0) : -1;

    if (fd < 0)
        return; /* none, or gone already */
    struct pollfd p = {fd, POLLIN, 0};

    while (poll(&p, 1, BUILD_DEFER_MS) < 0 && errno == EINTR)
        ;
    close(fd);
}

/* The runs of pages marked in vec (the parent's enclave had memory
 * behind them), at most ENCLAVE_FORK_PREPARE_RUNS: when there are more,
 * the shortest gaps between them are closed. */
static void prepare_runs(const unsigned char *vec, size_t pages, uint64_t base,
                         struct enclave_fork_prepare *p)
{
    size_t i = 0;

    p->count = 0;
    while (i < pages) {
        size_t j;

        while (i < pages && !(vec[i] & 1))
            i++;
        for (j = i; j < pages && (vec[j] & 1); j++)
            ;
        if (i == j)
            break;
        if (p->count == ENCLAVE_FORK_PREPARE_RUNS) {
            /* Full: the shortest gap (this run's included) closes. */
            size_t best = ENCLAVE_FORK_PREPARE_RUNS - 1;
            uint64_t gap = base + i * 4096ULL - (p->run[best].addr + p->run[best].pages * 4096ULL);

            for (size_t k = 0; k + 1 < ENCLAVE_FORK_PREPARE_RUNS; k++) {
                uint64_t g = p->run[k + 1].addr - (p->run[k].addr + p->run[k].pages * 4096ULL);

                if (g < gap) {
                    gap = g;
                    best = k;
                }
            }
            if (best == ENCLAVE_FORK_PREPARE_RUNS - 1) {
                p->run[best].pages = (base + j * 4096ULL - p->run[best].addr) / 4096;
                i = j;
                continue;
            }
            p->run[best].pages =
                (p->run[best + 1].addr + p->run[best + 1].pages * 4096ULL - p->run[best].addr) /
                4096;
            memmove(&p->run[best + 1], &p->run[best + 2],
                    (ENCLAVE_FORK_PREPARE_RUNS - best - 2) * sizeof(p->run[0]));
            p->count--;
        }
        p->run[p->count].addr = base + i * 4096ULL;
        p->run[p->count++].pages = j - i;
        i = j;
    }
}

/* The pages the parent's enclave had memory behind are about what the
 * child will receive first: the new enclave zeroes them itself now
 * (ECALL_FORK_PREPARE), off the fork's path, and a zero run of the stream
 * there then costs the child nothing. On failure the child zeroes them as
 * it receives them. */
static void prepare(struct urts_enclave *e, const unsigned char *vec, size_t pages)
{
    static struct enclave_fork_prepare p;
    struct urts_result res = {0};

    prepare_runs(vec, pages, urts_base(e), &p);
    if (p.count)
        urts_ecall(e, 0, ECALL_FORK_PREPARE, &p, 0, &res);
}

__attribute__((noreturn)) static void member_main(struct urts_enclave *e, int ctl, pid_t child)
{
    struct sgx_err err = {{0}};
    struct go_msg go;
    int chan = -1;
    char ready = 'r';

    prctl(PR_SET_PDEATHSIG, SIGKILL);
    defer_build(child);
    if (e->drv->after_fork && e->drv->after_fork())
        _exit(127);
    urts_fork_forget_threads(e);
    /* The pages the parent's enclave has memory behind now are about what
     * the child will touch first (it receives them at the fork): the new
     * enclave gets them before "ready", off the fork's path. */
    size_t pages = e->encl ? (size_t)(e->size / 4096) : 0;
    unsigned char *resident = e->drv->resident && pages ? malloc(pages) : NULL;

    if (resident && e->drv->resident(e->encl, resident, pages)) {
        free(resident);
        resident = NULL;
    }
    if (urts_rebuild(e, &err)) {
        fprintf(stderr, "geode: process pool: cannot build an enclave: %s\n", err.msg);
        ready = 'f';
    } else if (resident) {
        if (e->drv->prefault)
            e->drv->prefault(e->encl, resident, pages);
        prepare(e, resident, pages);
    }
    free(resident);
    e->fork_built = true;
    /* Nothing of the parent's table at the time stays open here (a pipe's
     * write end would keep its reader from EOF): the table comes whole
     * with "go" (the enclave keeps no descriptor once built: urts_build). */
    if (ctl > 3)
        close_range(3, (unsigned)ctl - 1, 0);
    close_range((unsigned)ctl + 1, ~0U, 0);
    if (write(ctl, &ready, 1) != 1 || ready != 'r')
        _exit(127);
    if (recv(ctl, &go, sizeof(go), 0) != sizeof(go) || go.max_fd < 2 || go.max_fd > (1 << 20) ||
        go.n_fds > (unsigned)go.max_fd + 1)
        _exit(127);
    int high = fcntl(ctl, F_DUPFD_CLOEXEC, go.max_fd + 1);

    if (high < 0)
        _exit(127);
    close(ctl);
    if (take_table(high, &go, &chan) || urts_procs_adopt_self()) {
        fprintf(stderr, "geode: process pool: the member cannot become the child\n");
        _exit(127);
    }
    close(high);
    urts_fork_run_child(e, go.thread, chan);
}

/* Members made by this process and ready now; none is waited for. */
static void collect_ready(void)
{
    for (unsigned i = 0; i < pool_n; i++) {
        struct pollfd p = {pool[i].ctl, POLLIN, 0};
        char c;

        if (pool[i].ready || poll(&p, 1, 0) != 1)
            continue;
        if (read(pool[i].ctl, &c, 1) == 1 && c == 'r') {
            pool[i].ready = true;
            continue;
        }
        /* It failed to build: it is gone or going. */
        close(pool[i].ctl);
        kill(pool[i].pid, SIGKILL);
        waitpid(pool[i].pid, NULL, 0);
        pool[i--] = pool[--pool_n];
    }
}

void urts_pool_set_size(unsigned n)
{
    pool_want = n < POOL_MAX ? n : POOL_MAX;
}

void urts_pool_fill(struct urts_enclave *e, pid_t child)
{
    while (pool_n < pool_want) {
        int sv[2];

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
            return;
        fflush(NULL);
        pid_t pid = fork();

        if (pid == 0) {
            close(sv[0]);
            urts_pool_forget();
            member_main(e, sv[1], child);
        }
        close(sv[1]);
        if (pid < 0) {
            close(sv[0]);
            return;
        }
        pool[pool_n++] = (struct member){pid, sv[0], false, getpgid(0), getsid(0)};
    }
}

/* The host-side descriptor numbers of this process, but the pool's own
 * control sockets. */
static int list_fds(struct fd_entry **out, int **fds, unsigned *n, int *max_fd)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    unsigned cap = 64;

    *n = 0;
    *max_fd = 2;
    *out = malloc(cap * sizeof(**out));
    *fds = malloc(cap * sizeof(**fds));
    if (!d || !*out || !*fds) {
        if (d)
            closedir(d);
        return -1;
    }
    while ((de = readdir(d))) {
        int fd = atoi(de->d_name), flags;
        bool own = fd == dirfd(d) || de->d_name[0] == '.';

        for (unsigned i = 0; i < pool_n && !own; i++)
            own = fd == pool[i].ctl;
        if (own || (flags = fcntl(fd, F_GETFD)) < 0)
            continue;
        if (*n == cap) {
            cap *= 2;
            *out = realloc(*out, cap * sizeof(**out));
            *fds = realloc(*fds, cap * sizeof(**fds));
            if (!*out || !*fds) {
                closedir(d);
                return -1;
            }
        }
        (*out)[*n] = (struct fd_entry){fd, (flags & FD_CLOEXEC) != 0};
        (*fds)[(*n)++] = fd;
        if (fd > *max_fd)
            *max_fd = fd;
    }
    closedir(d);
    return 0;
}

/* A ready member taken out of the pool, or -1 when none can be used
 * (members whose group or session is no longer this process's are ended). */
int urts_pool_next(struct urts_pool_member *out)
{
    collect_ready();
    for (unsigned i = 0; i < pool_n; i++) {
        struct member m = pool[i];

        if (!m.ready)
            continue;
        pool[i--] = pool[--pool_n];
        if (m.pgid != getpgid(0) || m.sid != getsid(0)) {
            close(m.ctl);
            kill(m.pid, SIGKILL);
            waitpid(m.pid, NULL, 0);
            continue;
        }
        *out = (struct urts_pool_member){m.pid, m.ctl};
        return 0;
    }
    return -1;
}

/* "go" to the member: the forking thread, this process's descriptor table
 * and the channel. 0, or -1 (the member is then useless: the caller ends
 * and reaps it). The control socket is closed either way. */
int urts_pool_go(const struct urts_pool_member *m, uint32_t thread, int chan)
{
    struct fd_entry *list = NULL, part[FDS_PER_MSG];
    int *fds = NULL, pfds[FDS_PER_MSG], max_fd, ret = -1;
    unsigned n = 0, sent = 0;

    if (!list_fds(&list, &fds, &n, &max_fd)) {
        if (chan > max_fd)
            max_fd = chan; /* (not a table entry: it comes alone, last) */
        struct go_msg go = {thread, max_fd, 0};

        for (unsigned k = 0; k < n; k++)
            go.n_fds += list[k].number != chan;
        ret = send(m->ctl, &go, sizeof(go), MSG_NOSIGNAL) == sizeof(go) ? 0 : -1;
        for (unsigned k = 0; !ret && k <= n; k++) {
            if (k < n && list[k].number != chan) {
                part[sent] = list[k];
                pfds[sent++] = fds[k];
            }
            if (sent == FDS_PER_MSG || (k == n && sent)) {
                ret = send_fds(m->ctl, part, sent * sizeof(part[0]), pfds, sent);
                sent = 0;
            }
        }
        if (!ret)
            ret = send_fds(m->ctl, "c", 1, &chan, 1);
    }
    close(m->ctl);
    free(list);
    free(fds);
    return ret;
}

void urts_pool_forget(void)
{
    for (unsigned i = 0; i < pool_n; i++)
        close(pool[i].ctl);
    pool_n = 0;
}
