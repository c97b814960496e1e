/* Host side of the process OCALLs (abi/ocall_abi.h, 128..159): each is
 * the direct PAL's call on the program's pid namespace (urts_procs.h) with
 * the OCALL's arguments. The host checks what it is handed as the direct
 * PAL's callers would (ranges, lengths); the enclave checks every answer. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "urts_fork.h"
#include "urts_internal.h"
#include "urts_ocall.h"
#include "urts_procs.h"
#include "urts_signal.h"

static int64_t do_wait(const struct pal_api *d, const int64_t *a, uint8_t *out, uint64_t out_cap,
                       uint64_t *out_size)
{
    int status = 0;
    long r;

    if (out_cap < sizeof(int32_t) ||
        (a[1] & ~(int64_t)(1 | 2 | 8 | PAL_WAIT_NO_EXITED | 0x01000000)))
        return -EINVAL;
    if (a[0] <= -(int64_t)OCALL_PROCS_ID_MAX || a[0] >= OCALL_PROCS_ID_MAX)
        return -ECHILD; /* no such child can exist */
    r = d->process_wait(a[0], &status, (int)a[1]);
    if (r > 0) {
        int32_t s = status;

        memcpy(out, &s, sizeof(s));
        *out_size = sizeof(s);
    }
    return r;
}

static int64_t do_affinity(const struct pal_api *d, const int64_t *a, struct urts_ocall_in *r,
                           uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    uint64_t mask[PAL_AFFINITY_BYTES / 8];
    const uint8_t *in = NULL;
    long res;

    if (a[2] && !(in = urts_ocall_bytes(r, PAL_AFFINITY_BYTES)))
        return -EINVAL;
    if (!urts_ocall_end(r) || (!a[2] && out_cap < PAL_AFFINITY_BYTES) || !d->thread_affinity)
        return -EINVAL;
    if (a[0] < 0 || a[0] >= OCALL_PROCS_ID_MAX || a[1] < 0 || a[1] > INT32_MAX)
        return -ESRCH;
    if (in)
        memcpy(mask, in, sizeof(mask));
    res = d->thread_affinity(a[0], a[1], a[2] != 0, mask);
    if (res == 0 && !a[2]) {
        memcpy(out, mask, sizeof(mask));
        *out_size = sizeof(mask);
    }
    return res;
}

static int64_t do_sender(int64_t signo, uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    struct ocall_signal_sender s;
    int r;

    if (out_cap < sizeof(s) || signo < 1 || signo > 64)
        return -EINVAL;
    r = urts_signal_sender((int)signo, &s);
    if (r == 1 && getenv("GEODE_TEST_HOSTILE_SENDER")) {
        /* Test: a host that lies about the sender (t_sim_signals). */
        s.code = 5, s.pid = -3, s.more = 1u << 30, s.lost = 1u << 30;
    }
    if (r >= 0) {
        memcpy(out, &s, sizeof(s));
        *out_size = sizeof(s);
    }
    return r;
}

static int64_t do_info(const struct pal_api *d, int64_t id, uint8_t *out, uint64_t out_cap,
                       uint64_t *out_size)
{
    struct pal_proc_info info;
    long r;

    if (out_cap < sizeof(info))
        return -EINVAL;
    r = d->process_info(id, &info);
    if (r == 0) {
        memcpy(out, &info, sizeof(info));
        *out_size = sizeof(info);
    }
    return r;
}

static int64_t do_list(const struct pal_api *d, int64_t owner, int64_t max, uint8_t *out,
                       uint64_t out_cap, uint64_t *out_size)
{
    int32_t ids[OCALL_PROCS_LIST_MAX];
    long n;

    if (max < 0 || max > OCALL_PROCS_LIST_MAX || (uint64_t)max * sizeof(int32_t) > out_cap)
        return -EINVAL;
    n = d->process_list(owner, ids, (size_t)max);
    if (n > 0) {
        size_t k = (size_t)(n < max ? n : max);

        memcpy(out, ids, k * sizeof(int32_t));
        *out_size = k * sizeof(int32_t);
    }
    return n;
}

static int64_t do_open(const struct pal_api *d, int64_t id)
{
    pal_handle h = -1;
    long r = d->process_open(id, &h);

    return r < 0 ? r : h;
}

/* The file-system ids the enclave last set (OCALL_PROCS_SET_FS_IDS; the
 * libOS keeps one set per process): the calling host thread takes them at
 * once, an exitless worker before the next call it serves
 * (urts_fs_ids_sync), so a file operation runs with them on whichever host
 * thread serves it. */
static struct {
    pthread_mutex_t lock;
    uint32_t gen; /* 0: never set */
    uint32_t fsuid, fsgid, n;
    uint32_t groups[OCALL_FS_IDS_GROUPS_MAX];
} fs_ids = {.lock = PTHREAD_MUTEX_INITIALIZER};
static __thread uint32_t fs_ids_applied;

static int64_t set_fs_ids(const struct pal_api *d, const int64_t *a, struct urts_ocall_in *r)
{
    const uint8_t *g;
    uint32_t groups[OCALL_FS_IDS_GROUPS_MAX];
    long res;

    if (a[0] < 0 || a[0] > UINT32_MAX - 1 || a[1] < 0 || a[1] > UINT32_MAX - 1 || a[2] < 0 ||
        a[2] > OCALL_FS_IDS_GROUPS_MAX)
        return -EINVAL;
    if (!(g = urts_ocall_bytes(r, a[2] * 4)) || !urts_ocall_end(r))
        return -EINVAL;
    if (!d->set_fs_ids)
        return -ENOSYS;
    memcpy(groups, g, (size_t)a[2] * 4);
    res = d->set_fs_ids((uint32_t)a[0], (uint32_t)a[1], groups, (size_t)a[2]);
    if (res)
        return res;
    pthread_mutex_lock(&fs_ids.lock);
    fs_ids.fsuid = (uint32_t)a[0];
    fs_ids.fsgid = (uint32_t)a[1];
    fs_ids.n = (uint32_t)a[2];
    memcpy(fs_ids.groups, groups, (size_t)a[2] * 4);
    fs_ids_applied = __atomic_add_fetch(&fs_ids.gen, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&fs_ids.lock);
    return 0;
}

void urts_fs_ids_sync(void)
{
    const struct pal_api *d = urts_procs_api();
    uint32_t groups[OCALL_FS_IDS_GROUPS_MAX], uid, gid, n, gen;

    if (__atomic_load_n(&fs_ids.gen, __ATOMIC_ACQUIRE) == fs_ids_applied || !d->set_fs_ids)
        return;
    pthread_mutex_lock(&fs_ids.lock);
    gen = fs_ids.gen;
    uid = fs_ids.fsuid;
    gid = fs_ids.fsgid;
    n = fs_ids.n;
    memcpy(groups, fs_ids.groups, (size_t)n * 4);
    pthread_mutex_unlock(&fs_ids.lock);
    d->set_fs_ids(uid, gid, groups, n);
    fs_ids_applied = gen;
}

int64_t urts_ocall_procs(struct urts_enclave *e, uint32_t thread, uint64_t number,
                         const uint8_t *in, uint64_t in_size, uint8_t *out, uint64_t out_cap,
                         uint64_t *out_size)
{
    const struct pal_api *d = urts_procs_api();
    struct urts_ocall_in r;
    const int64_t *a = r.a.a;
    const char *name;

    (void)e;
    (void)thread;
    *out_size = 0;
    if (urts_ocall_begin(&r, in, in_size))
        return -EINVAL;
    if (number == OCALL_PROCS_SET_FS_IDS)
        return set_fs_ids(d, a, &r);
    if (number == OCALL_PROCS_FORK_SEND || number == OCALL_PROCS_FORK_RECV)
        return urts_ocall_end(&r) ? urts_fork_bulk(number, a) : -EINVAL;
    if (!d->process_id)
        return -ENOSYS; /* no namespace: urts_procs_init did not run */
    urts_procs_thread();
    if (number == OCALL_PROCS_SET_NAME) {
        if (a[0] < 1 || a[0] > 16 || !(name = urts_ocall_str(&r, a[0])) || !urts_ocall_end(&r))
            return -EINVAL;
        return d->process_set_name(name);
    }
    if (number == OCALL_PROCS_AFFINITY)
        return do_affinity(d, a, &r, out, out_cap, out_size);
    if (!urts_ocall_end(&r))
        return -EINVAL;
    /* Ids the namespace cannot hold are nobody's (the direct PAL takes
     * them as int32_t). */
    if (number != OCALL_PROCS_WAIT && number != OCALL_PROCS_LIST &&
        (a[0] <= -(int64_t)OCALL_PROCS_ID_MAX || a[0] >= OCALL_PROCS_ID_MAX))
        return number == OCALL_PROCS_TID_FREE ? 0 : -ESRCH;
    switch (number) {
    case OCALL_PROCS_WAIT:
        return do_wait(d, a, out, out_cap, out_size);
    case OCALL_PROCS_SIGNAL:
        return a[1] < 0 || a[1] > 64 ? -EINVAL : d->process_signal(a[0], (int)a[1]);
    case OCALL_PROCS_ID:
        return d->process_id();
    case OCALL_PROCS_PARENT:
        return d->process_parent();
    case OCALL_PROCS_SETPGID:
        /* No group has an id past the namespace's: EPERM, as Linux for a
         * group that does not exist. */
        return a[1] < 0 || a[1] > INT32_MAX   ? -EINVAL
               : a[1] >= OCALL_PROCS_ID_MAX ? -EPERM
                                             : d->process_setpgid(a[0], a[1]);
    case OCALL_PROCS_GETPGID:
        return d->process_getpgid(a[0]);
    case OCALL_PROCS_SETSID:
        return d->process_setsid();
    case OCALL_PROCS_GETSID:
        return d->process_getsid(a[0]);
    case OCALL_PROCS_TID_ALLOC:
        return d->thread_id_alloc();
    case OCALL_PROCS_TID_FREE:
        d->thread_id_free(a[0]);
        return 0;
    case OCALL_PROCS_ID_OWNER:
        return d->id_owner(a[0]);
    case OCALL_PROCS_OPEN:
        return do_open(d, a[0]);
    case OCALL_PROCS_INFO:
        return do_info(d, a[0], out, out_cap, out_size);
    case OCALL_PROCS_LIST:
        return a[0] < 0 || a[0] >= OCALL_PROCS_ID_MAX
                   ? -EINVAL
                   : do_list(d, a[0], a[1], out, out_cap, out_size);
    case OCALL_PROCS_SCHED:
        return !d->process_sched ? -ENOSYS
               : a[0] < 0        ? -ESRCH
                                 : d->process_sched(a[0], (int)(a[1] >> 32), (int32_t)a[1]);
    case OCALL_PROCS_SUBREAPER:
        return !d->process_set_subreaper ? -ENOSYS : d->process_set_subreaper((int)a[0]);
    case OCALL_PROCS_PDEATHSIG:
        return a[0] < 0 || a[0] > 64 ? -EINVAL : d->process_set_pdeathsig((int)a[0]);
    case OCALL_PROCS_SIGNAL_SENDER:
        return do_sender(a[0], out, out_cap, out_size);
    case OCALL_PROCS_EXITED:
        return a[0] < 0 || a[0] > 255 ? -EINVAL : urts_fork_exited((int)a[0]);
    case OCALL_PROCS_SIGQUEUE:
        /* The direct PAL checks the code and the signal as sigqueue does. */
        return !d->process_sigqueue ? -ENOSYS
               : a[0] <= 0 || a[1] < 1 || a[1] > 64 || a[2] < INT32_MIN || a[2] > INT32_MAX
                   ? -EINVAL
                   : d->process_sigqueue(a[0], (int)a[1], (int)a[2], (uint64_t)a[3]);
    }
    return -ENOSYS;
}
