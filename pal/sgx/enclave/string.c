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

/* REP MOVSB/STOSB: general registers only, and fast on every CPU with
 * ERMS (pages of a fork, zeroing of committed memory). A fault inside
 * still has its RIP in this section. */
USERCOPY void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;

    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

USERCOPY void *memset(void *dst, int c, size_t n)
{
    void *d = dst;

    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}
