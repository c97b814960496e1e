/* Process groups and sessions. They belong to the PAL's pid namespace
 * (direct mode: host groups mirrored as virtual ids, pal/direct/pal_pgrp.c),
 * so a group spans every process of the program, forked children included,
 * and holds no process outside the program's tree. Without a PAL namespace,
 * the caller alone is its group. */
#include "sys/sys.h"

static bool have_groups(void) { return PAL_HAS(pal, process_getsid) && ns_enabled(); }

SYS(getpgid)
{
    long pid = (int)A(0);
    if (pid < 0)
        return -PAL_ESRCH;
    if (!have_groups())
        return pid == 0 || pid == libos_pid ? libos_pid : -PAL_ESRCH;
    return pal->process_getpgid(pid);
}

SYS(getpgrp)
{
    struct sc_args self = {{0}, args->ctx};
    return sys_getpgid(&self);
}

SYS(setpgid)
{
    long pid = (int)A(0), pg = (int)A(1);
    if (pid < 0 || pg < 0)
        return -PAL_EINVAL;
    if (!have_groups())
        return (pid == 0 || pid == libos_pid) && (pg == 0 || pg == libos_pid) ? 0 : -PAL_EPERM;
    return pal->process_setpgid(pid, pg);
}

SYS(getsid)
{
    long pid = (int)A(0);
    if (pid < 0)
        return -PAL_ESRCH;
    if (!have_groups())
        return pid == 0 || pid == libos_pid ? libos_pid : -PAL_ESRCH;
    return pal->process_getsid(pid);
}

SYS(setsid)
{
    if (!have_groups())
        return -PAL_EPERM; /* already a group leader */
    return pal->process_setsid();
}

/* kill(0, sig), kill(-1, sig) and kill(-pgid, sig): the PAL signals the
 * processes of the namespace; the caller, when it is one of them, gets its
 * own copy back as a host signal (delivered when this syscall returns), as
 * a Linux process would. */
long pgrp_kill(int pid, int sig)
{
    if (!have_groups() || !pal->process_signal)
        return pid == -1 ? -PAL_ESRCH : -PAL_EPERM; /* no other process exists */
    return pal->process_signal(pid, sig);
}
