/* Direct PAL: process groups and sessions of the program's tree. They are
 * host groups and sessions (so the kernel applies its rules: a child only,
 * same session, not a session leader, and waits by group work), mirrored in
 * the pid namespace as virtual ids: a group is found by its virtual id in
 * the table, so kill(-pgid) reaches only members of the tree, even when
 * the host group holds other processes (a shell pipeline). */
#include <sys/syscall.h>

#include "host.h"
#include "pidns.h"

/* The process entry of id (0: the caller); a thread id stands for its
 * process. */
static struct ns_entry *target(pal_handle id)
{
    if (id == 0)
        return pidns_self();
    struct ns_entry *e = pidns_find((int32_t)id);
    if (e && e->kind == NS_THREAD)
        e = pidns_find(e->owner);
    return e && e->kind == NS_PROCESS && e->host > 0 ? e : NULL;
}

/* The host group standing for virtual group pgid of session sid. */
static int32_t host_group(int32_t pgid, int32_t sid)
{
    for (int i = 0; i < pidns_slots(); i++) {
        const struct ns_entry *e = pidns_slot(i);
        if (e->id && e->kind == NS_PROCESS && e->host > 0 && e->pgid == pgid && e->sid == sid)
            return e->hpgid;
    }
    return 0;
}

static long direct_setpgid(pal_handle proc, pal_handle pgid)
{
    pidns_lock();
    struct ns_entry *t = proc == 0 || proc == pidns_self()->id ? pidns_self()
                         : pidns_find((int32_t)proc);
    long r = -PAL_ESRCH;
    if (t && t->kind == NS_PROCESS && t->host > 0) {
        int32_t pg = pgid ? (int32_t)pgid : t->id;
        int32_t hg = pg == t->id ? t->host : host_group(pg, t->sid);
        r = hg ? HS2(SYS_setpgid, t->host, hg) : -PAL_EPERM;
        if (r == 0)
            t->pgid = pg, t->hpgid = hg;
    }
    pidns_unlock();
    return r;
}

static long direct_getpgid(pal_handle proc)
{
    pidns_lock();
    const struct ns_entry *e = target(proc);
    long r = e ? e->pgid : -PAL_ESRCH;
    pidns_unlock();
    return r;
}

static long direct_setsid(void)
{
    pidns_lock();
    struct ns_entry *me = pidns_self();
    long r = HS0(SYS_setsid);
    if (r >= 0) {
        me->pgid = me->sid = me->id;
        me->hpgid = (int32_t)r;
        r = me->id;
    }
    pidns_unlock();
    return r;
}

static long direct_getsid(pal_handle proc)
{
    pidns_lock();
    const struct ns_entry *e = target(proc);
    long r = e ? e->sid : -PAL_ESRCH;
    pidns_unlock();
    return r;
}

void direct_fill_groups(struct pal_api *api)
{
    api->process_setpgid = direct_setpgid;
    api->process_getpgid = direct_getpgid;
    api->process_setsid = direct_setsid;
    api->process_getsid = direct_getsid;
}
