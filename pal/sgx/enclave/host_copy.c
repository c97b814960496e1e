/* Copy-and-check: the only way the trusted PAL reads or writes host memory.
 * A host range is accepted only if it is entirely outside the enclave and
 * does not wrap around; data is copied exactly once, so the host cannot change
 * it between a check and a use. host_range_ok is pure so the host-side unit
 * tests can exercise it with hostile pointers and lengths. */
#include "enclave_internal.h"

/* 1 if [ptr, ptr + len) lies entirely outside [base, base + size) without
 * overflowing; a zero-length range is always acceptable (nothing is touched). */
int host_range_ok(uint64_t base, uint64_t size, uint64_t ptr, uint64_t len)
{
    if (len == 0)
        return 1;
    if (ptr + len < ptr || base + size < base)
        return 0;
    return ptr + len <= base || ptr >= base + size;
}

#ifndef HOST_COPY_NO_ENCLAVE
int copy_from_host(void *dst, uint64_t src, uint64_t len)
{
    if (!host_range_ok(g_encl.base, g_encl.size, src, len) || !src)
        return -1;
    memcpy(dst, (const void *)src, len);
    return 0;
}

int copy_to_host(uint64_t dst, const void *src, uint64_t len)
{
    if (!host_range_ok(g_encl.base, g_encl.size, dst, len) || !dst)
        return -1;
    memcpy((void *)dst, src, len);
    return 0;
}

/* A naturally aligned word of host memory. */
static int host_word_ok(uint64_t addr, uint64_t size)
{
    return addr && addr % size == 0 && host_range_ok(g_encl.base, g_encl.size, addr, size);
}

int host_load32(uint64_t addr, uint32_t *v)
{
    if (!host_word_ok(addr, 4))
        return -1;
    *v = __atomic_load_n((volatile uint32_t *)addr, __ATOMIC_SEQ_CST);
    return 0;
}

int host_store32(uint64_t addr, uint32_t v)
{
    if (!host_word_ok(addr, 4))
        return -1;
    __atomic_store_n((volatile uint32_t *)addr, v, __ATOMIC_SEQ_CST);
    return 0;
}

int host_load64(uint64_t addr, uint64_t *v)
{
    if (!host_word_ok(addr, 8))
        return -1;
    *v = __atomic_load_n((volatile uint64_t *)addr, __ATOMIC_SEQ_CST);
    return 0;
}

int host_store64(uint64_t addr, uint64_t v)
{
    if (!host_word_ok(addr, 8))
        return -1;
    __atomic_store_n((volatile uint64_t *)addr, v, __ATOMIC_SEQ_CST);
    return 0;
}

int host_xchg64(uint64_t addr, uint64_t v, uint64_t *old)
{
    if (!host_word_ok(addr, 8))
        return -1;
    *old = __atomic_exchange_n((volatile uint64_t *)addr, v, __ATOMIC_SEQ_CST);
    return 0;
}

int host_cas64(uint64_t addr, uint64_t *expected, uint64_t desired)
{
    if (!host_word_ok(addr, 8))
        return -1;
    return __atomic_compare_exchange_n((volatile uint64_t *)addr, expected, desired, 0,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
#endif
