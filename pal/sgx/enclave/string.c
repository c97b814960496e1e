/* The few libc string functions the compiler may call on its own. Built with
 * -fno-builtin and -fno-tree-loop-distribute-patterns so these loops are not
 * turned back into calls to themselves. */
#include "enclave_internal.h"

void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    while (n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;

    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}
