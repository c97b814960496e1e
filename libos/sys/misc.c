/* Small syscalls: resource usage, CPU
 * affinity, close_range, rt_sigsuspend. */
#include "core/signal.h"
#include "fs/vfs.h"
#include "sys/sys.h"

/* Resource accounting is not kept: everything reads as zero. */
SYS(getrusage)
{
    memset(PTR(1), 0, 144);
    return 0;
}

SYS(times)
{
    int64_t ns = 0;
    pal->clock_get(1 /* CLOCK_MONOTONIC */, &ns);
    if (PTR(0))
        memset(PTR(0), 0, 32);
    return (long)(ns / 10000000); /* clock ticks at AT_CLKTCK = 100 */
}

SYS(sched_setaffinity) { return 0; }

SYS(close_range)
{
    if (A(0) > A(1) || (A(2) & ~4ULL /* CLOSE_RANGE_CLOEXEC */))
        return -PAL_EINVAL;
    uint64_t hi = A(1) < FD_MAX ? A(1) : FD_MAX - 1;
    for (uint64_t fd = A(0); fd <= hi; fd++)
        (A(2) & 4) ? (void)fd_set_cloexec((int)fd, true) : (void)fd_close((int)fd);
    return 0;
}

SYS(pause)
{
    while (!signal_pending_for(cur_thread()->sigmask))
        pal->sleep(1000000000LL); /* cut short by the host signal */
    return -PAL_EINTR;
}

/* Waits with a temporary mask until a signal arrives; the handler's
 * sigreturn restores the mask from before the call. */
SYS(rt_sigsuspend)
{
    struct libos_thread *t = cur_thread();
    if (A(1) != 8)
        return -PAL_EINVAL;
    t->saved_sigmask = t->sigmask;
    t->has_saved_sigmask = true;
    t->sigmask = *(uint64_t *)PTR(0) & ~(SIGBIT(9) | SIGBIT(19));
    while (!signal_pending_for(t->sigmask))
        pal->sleep(1000000000LL); /* cut short by the host signal */
    return -PAL_EINTR;
}
