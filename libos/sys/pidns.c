/* The program's pid namespace as the libOS sees it. With a PAL that keeps
 * one (direct mode), every id the PAL hands out or accepts is virtual
 * (pal.h): process 1 is the first process, thread ids come from the same
 * space as process ids, and no id reaches a host process outside the
 * program's tree. Without one (an enclave today), the program is alone:
 * process 1 with thread ids from a counter of its own. */
#include "core/signal.h"
#include "sys/sys.h"

static volatile int next_tid = 2;

bool ns_enabled(void) { return PAL_HAS(pal, id_owner); }

bool ns_own_id(int id)
{
    if (id == libos_pid)
        return true;
    return id > 0 && ns_enabled() && pal->id_owner(id) == libos_pid;
}

long ns_tid_alloc(void)
{
    if (PAL_HAS(pal, thread_id_alloc))
        return pal->thread_id_alloc();
    return __atomic_fetch_add(&next_tid, 1, __ATOMIC_SEQ_CST);
}

void ns_tid_free(int tid)
{
    if (tid != libos_pid && PAL_HAS(pal, thread_id_free))
        pal->thread_id_free(tid);
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
    /* Also when blocked: pending signals carry no origin, so the check
     * Linux makes at delivery cannot be made later (a blocked one is thus
     * not left for sigtimedwait, unlike on Linux). */
    return from_inside && ns_enabled() && pal->process_id() == 1 && !signal_has_handler(sig);
}
