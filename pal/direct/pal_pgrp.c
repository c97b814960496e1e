/* Direct PAL: process groups and sessions of the program's tree. They are
 * host groups and sessions (so the kernel applies its rules: a child only,
 * same session, not a session leader, and waits by group work), mirrored in
 * the pid namespace as virtual ids: a group is found by its virtual id in
 * the table, so kill(-pgid) reaches only members of the tree, even when
 * the host group holds other processes (a shell pipeline). */
#include <signal.h>
#include <sys/ioctl.h>
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

/* A group id the host has no process for (above Linux's largest
 * pid_max): the host's terminal answers it ESRCH after its own checks. */
#define NO_HOST_GROUP 0x3fffffff

/* The host group of virtual group pg: the caller's session's first, else
 * another session's (the terminal refuses it with EPERM). Under the lock. */
static int32_t tty_host_group(int32_t pg)
{
    int32_t other = NO_HOST_GROUP;
    if (pg <= 0)
        return pg; /* EINVAL below 0, ESRCH for 0: the host says which, in its order */
    for (int i = 0; i < pidns_slots(); i++) {
        const struct ns_entry *e = pidns_slot(i);
        if (!e->id || e->kind != NS_PROCESS || e->host <= 0 || e->pgid != pg)
            continue;
        if (e->sid == pidns_self()->sid)
            return e->hpgid;
        other = e->hpgid;
    }
    return other;
}

/* The virtual id of host group hpg or of the session led by host pid hsid;
 * 0 when it is outside the tree (as pid_vnr in a Linux pid namespace).
 * Under the lock. */
static int32_t tty_virtual(unsigned long req, int32_t host)
{
    for (int i = 0; host > 0 && i < pidns_slots(); i++) {
        const struct ns_entry *e = pidns_slot(i);
        if (!e->id || e->kind != NS_PROCESS || e->host <= 0)
            continue;
        if (req == TIOCGPGRP && e->hpgid == host)
            return e->pgid;
        if (req == TIOCGSID && e->host == host && e->sid == e->id)
            return e->id;
    }
    return 0;
}

long direct_tty_pgrp(int fd, unsigned long req, int32_t *id, int flags)
{
    uint64_t ttou = 1ULL << (SIGTTOU - 1), old = 0;
    int32_t v = *id;
    if (req != TIOCGPGRP && req != TIOCSPGRP && req != TIOCGSID)
        return -PAL_ENOTTY;
    if (!pidns_self()) /* no namespace to name a group in */
        return -PAL_ENOSYS;
    /* Under the lock: a group's host id cannot be reaped and reused
     * between its translation and the host's call (process_wait). */
    bool locked = pidns_lock();
    if (req == TIOCSPGRP)
        v = tty_host_group(v);
    if (flags & PAL_TTY_QUIET)
        HS4(SYS_rt_sigprocmask, SIG_BLOCK, &ttou, &old, 8);
    long r = HS3(SYS_ioctl, fd, req, &v);
    if (flags & PAL_TTY_QUIET)
        HS4(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, 8);
    if (r == 0 && req != TIOCSPGRP)
        *id = tty_virtual(req, v);
    if (locked)
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
