/* Program pointer checks (see user.h). */
#include "core/user.h"

static long range_ok(const void *p, size_t len)
{
    uint64_t a = (uint64_t)p;
    if (!len)
        return 0;
    if (!p || a + len < a || a + len > 0x800000000000ULL)
        return -PAL_EFAULT; /* NULL, wrapping, or beyond the user half */
    return 1;
}

long user_check_read(const void *p, size_t len)
{
    long r = range_ok(p, len);
    if (r <= 0)
        return r;
    const volatile char *c = p;
    uint64_t a = (uint64_t)p, end = a + len;
    for (uint64_t at = a; at < end; at = ALIGN_DOWN(at, PAGE_SIZE) + PAGE_SIZE)
        (void)c[at - a];
    (void)c[len - 1];
    return 0;
}

long user_check_write(void *p, size_t len)
{
    long r = range_ok(p, len);
    if (r <= 0)
        return r;
    volatile char *c = p;
    uint64_t a = (uint64_t)p, end = a + len;
    /* An atomic add of 0 writes the page without changing a byte another
     * thread may be changing at the same moment. */
    for (uint64_t at = a; at < end; at = ALIGN_DOWN(at, PAGE_SIZE) + PAGE_SIZE)
        __atomic_fetch_add(&c[at - a], 0, __ATOMIC_RELAXED);
    __atomic_fetch_add(&c[len - 1], 0, __ATOMIC_RELAXED);
    return 0;
}
