/* File times: utimensat (and futimens, its NULL-path form). */
#include <linux/fcntl.h>

#include "fs/vfs.h"
#include "sys/sys.h"

#define UTIME_NOW_ ((1L << 30) - 1L)
#define UTIME_OMIT_ ((1L << 30) - 2L)

struct k_timespec {
    int64_t sec, nsec;
};

/* The program's timespec pair (NULL: both now) in the PAL's encoding. */
static long times_in(const struct k_timespec *ts, int64_t out[2])
{
    for (int i = 0; i < 2; i++) {
        int64_t ns = ts ? ts[i].nsec : UTIME_NOW_;
        if (ns == UTIME_NOW_ || ns == UTIME_OMIT_)
            out[i] = ns == UTIME_NOW_ ? PAL_UTIME_NOW : PAL_UTIME_OMIT;
        else if (ns < 0 || ns > 999999999 || ts[i].sec < 0)
            return -PAL_EINVAL;
        else
            out[i] = ts[i].sec * 1000000000LL + ns;
    }
    return 0;
}

SYS(utimensat)
{
    char inside[PATH_MAX_LEN];
    int64_t t[2];
    int flags = (int)A(3);
    long r = times_in(PTR(2), t);
    if (r < 0)
        return r;
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -PAL_EINVAL;
    if (!PTR(1)) { /* futimens: the descriptor's own path */
        struct file *f = fd_get((int)A(0));
        if (!f)
            return -PAL_EBADF;
        r = f->path ? vfs_utimes(f->path, t) : -PAL_EINVAL;
        file_put(f);
        return r;
    }
    r = vfs_resolve_at((int)A(0), PTR(1), !(flags & AT_SYMLINK_NOFOLLOW), inside, sizeof(inside));
    return r < 0 ? r : vfs_utimes(inside, t);
}
