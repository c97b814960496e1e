/* Trusted PAL: the program's processes (ids, waits, signals, groups and
 * sessions, thread ids, pidfds, /proc information), over the process OCALLs
 * (ocall_abi.h, 128..159). The host keeps the pid namespace the enclave's
 * process shares with the others of its tree (urts/urts_procs.h); it can
 * lie about it as it can about any host state, but every answer is checked
 * to be one Linux could give: ids within the namespace's range, statuses
 * that are Linux wait statuses, counts no larger than asked, handles below
 * OCALL_MAX_HANDLE. */
#include "pal_enclave.h"

#define WNOHANG_ 1
#define WUNTRACED_ 2
#define WCONTINUED_ 8
#define WNOWAIT_ 0x01000000

static int64_t procs_call(uint64_t number, int64_t a0, int64_t a1, void *out, uint64_t out_cap,
                          uint64_t *got)
{
    struct ocall_args a = {{a0, a1, 0, 0, 0, 0}};
    struct ocall_iov iov = {&a, sizeof(a)};

    return enclave_ocallv(number, &iov, 1, out, out_cap, got);
}

static int64_t simple(uint64_t number, int64_t a0, int64_t a1)
{
    return procs_call(number, a0, a1, NULL, 0, NULL);
}

static int id_ok(int64_t id)
{
    return id > 0 && id < OCALL_PROCS_ID_MAX;
}

/* A process id the host returned (> 0), or its error. */
static long checked_id(int64_t r)
{
    return r < 0 || id_ok(r) ? r : -PAL_EIO;
}
/* A group, session or parent id (0: outside the tree), or its error. */
static long checked_id0(int64_t r)
{
    return r < 0 || r == 0 || id_ok(r) ? r : -PAL_EIO;
}
/* 0 or an error. */
static long checked_zero(int64_t r)
{
    return r <= 0 ? r : -PAL_EIO;
}

/* A Linux wait status: exited (code << 8), killed (signal, | 0x80 with a
 * core dump), neither with PAL_WAIT_NO_EXITED; with WUNTRACED stopped
 * ((signal << 8) | 0x7f), with WCONTINUED continued (0xffff). */
static int status_ok(int32_t s, int options)
{
    uint32_t u = (uint32_t)s, sig = u & 0x7f;

    if (u & ~0xffffu)
        return 0;
    if (u == 0xffff)
        return (options & WCONTINUED_) != 0;
    if (sig != 0x7f && (options & PAL_WAIT_NO_EXITED))
        return 0;
    if (sig == 0)
        return !(u & 0x80);
    if (sig == 0x7f)
        return (options & WUNTRACED_) && !(u & 0x80) && (u >> 8) >= 1 && (u >> 8) <= 64;
    return sig <= 64 && !(u >> 8);
}

static long pal_process_wait(pal_handle child, int *status, int options)
{
    int32_t s = 0;
    uint64_t got = 0;
    int64_t r;

    if (options & ~(WNOHANG_ | WUNTRACED_ | WCONTINUED_ | PAL_WAIT_NO_EXITED | WNOWAIT_))
        return -PAL_EINVAL;
    r = procs_call(OCALL_PROCS_WAIT, child, options, &s, sizeof(s), &got);
    if (r < 0)
        return r;
    if (r == 0)
        return options & WNOHANG_ ? 0 : -PAL_EIO;
    if (!id_ok(r) || got != sizeof(s) || !status_ok(s, options))
        return -PAL_EIO;
    *status = s;
    return r;
}

static long pal_process_signal(pal_handle proc, int signo)
{
    if (signo < 0 || signo > 64)
        return -PAL_EINVAL;
    return checked_zero(simple(OCALL_PROCS_SIGNAL, proc, signo));
}

static long pal_process_sigqueue(pal_handle proc, int signo, int code, uint64_t value)
{
    struct ocall_args a = {{proc, signo, code, (int64_t)value}};
    struct ocall_iov iov = {&a, sizeof(a)};

    if (proc <= 0 || signo < 1 || signo > 64 || code >= 0 || code == -6 /* SI_TKILL */)
        return -PAL_EPERM;
    return checked_zero(enclave_ocallv(OCALL_PROCS_SIGQUEUE, &iov, 1, NULL, 0, NULL));
}

/* Not cached: a forked child has a new id. */
static long pal_process_id(void)
{
    return checked_id(simple(OCALL_PROCS_ID, 0, 0));
}
static long pal_process_parent(void)
{
    return checked_id0(simple(OCALL_PROCS_PARENT, 0, 0));
}

static long pal_setpgid(pal_handle proc, pal_handle pgid)
{
    return checked_zero(simple(OCALL_PROCS_SETPGID, proc, pgid));
}

static long pal_getpgid(pal_handle proc)
{
    return checked_id0(simple(OCALL_PROCS_GETPGID, proc, 0));
}
static long pal_setsid(void)
{
    return checked_id(simple(OCALL_PROCS_SETSID, 0, 0));
}
static long pal_getsid(pal_handle proc)
{
    return checked_id0(simple(OCALL_PROCS_GETSID, proc, 0));
}
static long pal_thread_id_alloc(void)
{
    return checked_id(simple(OCALL_PROCS_TID_ALLOC, 0, 0));
}
static void pal_thread_id_free(pal_handle id)
{
    simple(OCALL_PROCS_TID_FREE, id, 0);
}
static long pal_id_owner(pal_handle id)
{
    return checked_id(simple(OCALL_PROCS_ID_OWNER, id, 0));
}

static long pal_process_open(pal_handle id, pal_handle *out)
{
    long r = pal_check_handle(simple(OCALL_PROCS_OPEN, id, 0));

    if (r < 0)
        return r;
    *out = r;
    return 0;
}

static int state_ok(char c)
{
    static const char states[] = "RSDZTtXIP";

    for (const char *s = states; *s; s++)
        if (c == *s)
            return 1;
    return 0;
}

static long pal_process_info(pal_handle id, struct pal_proc_info *out)
{
    struct pal_proc_info i;
    uint64_t got = 0;
    int64_t r = procs_call(OCALL_PROCS_INFO, id, 0, &i, sizeof(i), &got);
    int nul = 0;

    if (r < 0)
        return r;
    if (r != 0 || got != sizeof(i) || checked_id0(i.ppid) < 0 || checked_id0(i.pgid) < 0 ||
        checked_id0(i.sid) < 0 || i.threads < 0 || !state_ok(i.state))
        return -PAL_EIO;
    for (size_t k = 0; k < sizeof(i.comm); k++) {
        nul |= i.comm[k] == 0;
        if (nul)
            i.comm[k] = 0;
    }
    if (!nul)
        return -PAL_EIO;
    *out = i;
    return 0;
}

static long pal_process_list(pal_handle owner, int32_t *ids, size_t max)
{
    uint64_t got = 0, want;
    int64_t r;

    if (max > OCALL_PROCS_LIST_MAX)
        max = OCALL_PROCS_LIST_MAX; /* the count still says how many there are */
    r = procs_call(OCALL_PROCS_LIST, owner, (int64_t)max, ids, max * sizeof(int32_t), &got);
    if (r < 0)
        return r;
    want = (uint64_t)r < max ? (uint64_t)r : max;
    if (r > OCALL_PROCS_LIST_MAX || got != want * sizeof(int32_t))
        return -PAL_EIO;
    for (uint64_t k = 0; k < want; k++)
        if (!id_ok(ids[k]))
            return -PAL_EIO;
    return r;
}

static long pal_process_set_name(const char *name)
{
    char comm[16];
    struct ocall_args a = {{0}};
    struct ocall_iov iov[2] = {{&a, sizeof(a)}, {comm, 0}};
    uint64_t n = 0;

    while (n < sizeof(comm) - 1 && name[n])
        n++;
    memcpy(comm, name, n);
    comm[n] = 0;
    a.a[0] = (int64_t)n + 1;
    iov[1].len = n + 1;
    return checked_zero(enclave_ocallv(OCALL_PROCS_SET_NAME, iov, 2, NULL, 0, NULL));
}

static long pal_set_pdeathsig(int signo)
{
    if (signo < 0 || signo > 64)
        return -PAL_EINVAL;
    return checked_zero(simple(OCALL_PROCS_PDEATHSIG, signo, 0));
}

/* The host's 20 - nice value (1..40) or policy (SCHED_OTHER 0, SCHED_BATCH
 * 3, SCHED_IDLE 5, with SCHED_RESET_ON_FORK): informational, checked for
 * range only. */
static long pal_process_sched(pal_handle proc, int op, int value)
{
    if (op < PAL_SCHED_GET_NICE || op > PAL_SCHED_SET_POLICY || proc < 0)
        return -PAL_EINVAL;
    int64_t r = simple(OCALL_PROCS_SCHED, proc, (int64_t)((uint64_t)op << 32 | (uint32_t)value));
    if (r < 0)
        return r;
    int p = (int)(r & ~0x40000000);
    if (op == PAL_SCHED_GET_NICE)
        return r >= 1 && r <= 40 ? r : -PAL_EIO;
    if (op == PAL_SCHED_GET_POLICY)
        return r <= 0x7fffffff && (p == 0 || p == 3 || p == 5) ? r : -PAL_EIO;
    return checked_zero(r);
}

static long pal_set_subreaper(int on)
{
    if (on != 0 && on != 1)
        return -PAL_EINVAL;
    return checked_zero(simple(OCALL_PROCS_SUBREAPER, on, 0));
}

static long pal_thread_affinity(pal_handle proc, long host_tid, int set, uint64_t *mask)
{
    struct ocall_args a = {{proc, host_tid, set != 0, 0, 0, 0}};
    struct ocall_iov iov[2] = {{&a, sizeof(a)}, {mask, PAL_AFFINITY_BYTES}};
    uint64_t got = 0;
    int64_t r;

    if (proc < 0 || host_tid < 0)
        return -PAL_ESRCH;
    if (set)
        return checked_zero(enclave_ocallv(OCALL_PROCS_AFFINITY, iov, 2, NULL, 0, NULL));
    r = enclave_ocallv(OCALL_PROCS_AFFINITY, iov, 1, mask, PAL_AFFINITY_BYTES, &got);
    if (r < 0)
        return r;
    return r == 0 && got == PAL_AFFINITY_BYTES ? 0 : -PAL_EIO;
}

static long pal_process_exited_child(int code)
{
    if (code < 0 || code > 255)
        return -PAL_EINVAL;
    return checked_id(simple(OCALL_PROCS_EXITED, code, 0));
}

void enclave_fill_procs(struct pal_api *api)
{
    api->process_wait = pal_process_wait;
    api->process_signal = pal_process_signal;
    api->process_id = pal_process_id;
    api->process_parent = pal_process_parent;
    api->process_setpgid = pal_setpgid;
    api->process_getpgid = pal_getpgid;
    api->process_setsid = pal_setsid;
    api->process_getsid = pal_getsid;
    api->thread_id_alloc = pal_thread_id_alloc;
    api->thread_id_free = pal_thread_id_free;
    api->id_owner = pal_id_owner;
    api->process_open = pal_process_open;
    api->process_info = pal_process_info;
    api->process_list = pal_process_list;
    api->process_set_name = pal_process_set_name;
    api->process_set_pdeathsig = pal_set_pdeathsig;
    api->process_sched = pal_process_sched;
    api->process_set_subreaper = pal_set_subreaper;
    api->thread_affinity = pal_thread_affinity;
    api->process_sigqueue = pal_process_sigqueue;
    api->process_exited_child = pal_process_exited_child;
}
