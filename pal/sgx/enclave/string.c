/* The few libc string functions the compiler may call on its own. Built with
 * -fno-builtin and -fno-tree-loop-distribute-patterns so these loops are not
 * turned back into calls to themselves.
 *
 * They are also how the PAL copies the libOS's buffers, which may be a
 * program's bad pointers: they live in section pal_usercopy, and a fault
 * there while the libOS runs goes to the libOS (which turns it into EFAULT
 * for the program) instead of being fatal. They hold no PAL state. */
#include "enclave_internal.h"

#define USERCOPY __attribute__((section("pal_usercopy"), noinline))

USERCOPY void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    while (n--)
        *d++ = *s++;
    return dst;
}

USERCOPY void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;

    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}
