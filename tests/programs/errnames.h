/* Shared by the test programs: errno names (musl has no strerrorname_np)
 * and one "WHAT = result" line per call. The programs' output is compared
 * with their own native runs, so a name missing here only prints less
 * nicely ("errnoN"), it cannot hide a difference. */
#ifndef GEODE_TEST_ERRNAMES_H
#define GEODE_TEST_ERRNAMES_H

#include <errno.h>
#include <stdio.h>

static inline const char *ename(int e)
{
    static const struct {
        int e;
        const char *n;
    } t[] = {
        {0, "0"},           {EPERM, "EPERM"},   {ENOENT, "ENOENT"}, {ESRCH, "ESRCH"},
        {E2BIG, "E2BIG"},   {EBADF, "EBADF"},   {EAGAIN, "EAGAIN"}, {EACCES, "EACCES"},
        {EFAULT, "EFAULT"}, {EEXIST, "EEXIST"}, {ENODEV, "ENODEV"}, {EISDIR, "EISDIR"},
        {EINVAL, "EINVAL"}, {ESPIPE, "ESPIPE"}, {EPIPE, "EPIPE"},   {ENOSYS, "ENOSYS"},
        {EIDRM, "EIDRM"},   {EOPNOTSUPP, "EOPNOTSUPP"},
    };
    static char buf[16];
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (t[i].e == e)
            return t[i].n;
    snprintf(buf, sizeof(buf), "errno%d", e);
    return buf;
}

/* "WHAT = -1 ENAME" for a call that failed, "WHAT = RESULT" otherwise. */
static inline void res(const char *what, long r)
{
    if (r < 0)
        printf("%s = -1 %s\n", what, ename(errno));
    else
        printf("%s = %ld\n", what, r);
}

#endif
