/* Direct PAL and SGX host: pal_ioctl.h's requests on a host descriptor,
 * as the host's terminal answers them for the program: SIGTTOU blocked on
 * the calling thread when the program ignores or blocks it
 * (PAL_TTY_QUIET), and the ids of TIOCGPGRP, TIOCSPGRP and TIOCGSID
 * translated through the pid namespace (a group or session outside the
 * tree reads as 0, as pid_vnr gives it in a Linux pid namespace). */
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "host.h"
#include "pal_ioctl.h"
#include "pidns.h"

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

/* The host's ioctl; with PAL_TTY_QUIET, SIGTTOU blocked on this thread
 * for the call (the program ignores or blocks it: a background process may
 * change its terminal, as tty_check_change allows). */
static long quiet_ioctl(int fd, unsigned long req, void *arg, int flags)
{
    uint64_t ttou = 1ULL << (SIGTTOU - 1), old = 0;
    if (flags & PAL_TTY_QUIET)
        HS4(SYS_rt_sigprocmask, SIG_BLOCK, &ttou, &old, 8);
    long r = HS3(SYS_ioctl, fd, req, arg);
    if (flags & PAL_TTY_QUIET)
        HS4(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, 8);
    return r;
}

/* TIOCGPGRP, TIOCSPGRP, TIOCGSID with *id an id of the namespace. */
static long tty_pgrp(int fd, unsigned long req, int32_t *id, int flags)
{
    int32_t v = *id;
    if (!pidns_self()) /* no namespace to name a group in */
        return -PAL_ENOSYS;
    /* Under the lock: a group's host id cannot be reaped and reused
     * between its translation and the host's call (process_wait). */
    bool locked = pidns_lock();
    if (req == TIOCSPGRP)
        v = tty_host_group(v);
    long r = quiet_ioctl(fd, req, &v, flags);
    if (r == 0 && req != TIOCSPGRP)
        *id = tty_virtual(req, v);
    if (locked)
        pidns_unlock();
    return r;
}

long direct_tty_call(int fd, unsigned long req, void *arg, int flags)
{
    return pal_ioctl_is_id(req) ? tty_pgrp(fd, req, arg, flags) : quiet_ioctl(fd, req, arg, flags);
}
