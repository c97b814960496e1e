/* Process groups and sessions. They belong to the PAL's processes (host
 * process groups in direct mode, where the PAL makes geode a group
 * leader), so a group spans every process of the program, forked children
 * included. The first process is pid 1 inside: its host id is translated
 * both ways. Without PAL support, the caller alone is its group. */
#include "sys/sys.h"

static long root_host; /* the PAL's id of inside pid 1 */

void pgrp_init(void)
{
    if (libos_pid == 1 && pal->process_id)
        root_host = pal->process_id();
}

static bool have_groups(void) { return PAL_HAS(pal, process_getsid) && root_host > 0; }
static long to_host(long id) { return id == 1 ? root_host : id; }
static long from_host(long id) { return id == root_host ? 1 : id; }

long pgrp_host_group(long pgid)
{
    return have_groups() ? to_host(pgid) : pgid;
}

SYS(getpgid)
{
    long pid = (int)A(0);
    if (pid < 0)
        return -PAL_ESRCH;
    if (!have_groups())
        return pid == 0 || pid == libos_pid ? libos_pid : -PAL_ESRCH;
    long r = pal->process_getpgid(pid ? to_host(pid) : 0);
    return r < 0 ? r : from_host(r);
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
    return pal->process_setpgid(pid ? to_host(pid) : 0, pg ? to_host(pg) : 0);
}

SYS(getsid)
{
    long pid = (int)A(0);
    if (!have_groups())
        return pid == 0 || pid == libos_pid ? libos_pid : -PAL_ESRCH;
    long r = pal->process_getsid(pid ? to_host(pid) : 0);
    return r < 0 ? r : from_host(r);
}

SYS(setsid)
{
    if (!have_groups())
        return -PAL_EPERM; /* already a group leader */
    long r = pal->process_setsid();
    return r < 0 ? r : from_host(r);
}

/* kill(0, sig) and kill(-pgid, sig): the PAL signals the whole group; the
 * caller, when it is a member, gets its own copy back as a host signal
 * (delivered when this syscall returns), as a Linux process would. */
long pgrp_kill(int pid, int sig)
{
    if (!have_groups() || !pal->process_signal)
        return -PAL_EPERM;
    if (pid == -1)
        return -PAL_EPERM; /* every process the caller may signal: not offered */
    long pg = pid == 0 ? pal->process_getpgid(0) : to_host(-(long)pid);
    if (pg <= 0)
        return pg < 0 ? pg : -PAL_ESRCH;
    return pal->process_signal(-pg, sig);
}
