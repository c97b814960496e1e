/* The program's pid namespace as the libOS sees it. With a PAL that keeps
 * one (direct mode; in an enclave, the host's, over OCALLs), every id the
 * PAL hands out or accepts is virtual (pal.h): process 1 is the first
 * process, thread ids come from the same space as process ids, and no id
 * reaches a host process outside the program's tree. Without one (a PAL
 * lacking these entries), the program is alone: process 1 with thread ids
 * from a counter of its own. */
#include "core/signal.h"
#include "sys/sys.h"

static volatile int next_tid = 2;

/* Without a PAL namespace: the live ids of the process's other threads. */
#define LOCAL_TIDS 4096
static int32_t local_tids[LOCAL_TIDS];
static spinlock_t local_lock;

static bool local_has(int id)
{
    bool found = false;
    spin_lock(&local_lock);
    for (int i = 0; i < LOCAL_TIDS && !found; i++)
        found = local_tids[i] == id;
    spin_unlock(&local_lock);
    return found;
}

/* Replaces one slot holding from with to (0: a free slot). */
static bool local_swap(int32_t from, int32_t to)
{
    bool done = false;
    spin_lock(&local_lock);
    for (int i = 0; i < LOCAL_TIDS && !done; i++)
        if (local_tids[i] == from)
            local_tids[i] = to, done = true;
    spin_unlock(&local_lock);
    return done;
}

bool ns_enabled(void) { return PAL_HAS(pal, id_owner); }

bool ns_own_id(int id)
{
    if (id == libos_pid)
        return true;
    if (id <= 0)
        return false;
    return ns_enabled() ? pal->id_owner(id) == libos_pid : local_has(id);
}

long ns_tid_alloc(void)
{
    if (PAL_HAS(pal, thread_id_alloc))
        return pal->thread_id_alloc();
    int id = __atomic_fetch_add(&next_tid, 1, __ATOMIC_SEQ_CST);
    return local_swap(0, id) ? id : -PAL_EAGAIN;
}

void ns_tid_free(int tid)
{
    if (tid == libos_pid)
        return;
    if (PAL_HAS(pal, thread_id_free))
        pal->thread_id_free(tid);
    else if (!ns_enabled())
        local_swap(tid, 0);
}

long ns_thread_ids(int32_t *ids, size_t max)
{
    if (ns_enabled())
        return PAL_HAS(pal, process_list) ? pal->process_list(libos_pid, ids, max) : 0;
    size_t n = 0;
    spin_lock(&local_lock);
    for (int i = 0; i < LOCAL_TIDS; i++)
        if (local_tids[i] && n++ < max)
            ids[n - 1] = local_tids[i];
    spin_unlock(&local_lock);
    return (long)n;
}

/* pid_namespaces(7): the namespace's init gets only the signals it has a
 * handler for when other processes of the namespace send them; the default
 * action (even SIGKILL's) does not apply. Unlike Linux's init, process 1
 * still dies of its own signals (raise, abort, a shell's `kill $$`): it is
 * an ordinary program that happens to be first, and its users expect
 * that. */
bool ns_init_ignores(int sig, bool from_inside)
{
    /* The PAL's id, not libos_pid: a signal can reach a forked child
     * before the libOS has learnt its new id. */
    /* A blocked one stays pending, as on Linux, for sigwait or a
     * signalfd (a postmaster's latch), with its origin noted: if process 1
     * unblocks it with no handler, it is discarded as Linux's get_signal
     * discards it for init (signal_note_init_origin). (libc's fork blocks every
     * signal around the fork: a child's kill(getppid(), SIGTERM) lands
     * there.) */
    if (!ns_enabled() || pal->process_id() != 1)
        return false;
    if (from_inside && !signal_has_handler(sig) && !thread_blocks(libos_pid, sig))
        return true;
    signal_note_init_origin(sig, from_inside); /* the copy about to be pending */
    return false;
}
