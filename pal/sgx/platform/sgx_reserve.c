#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#include "sgx_driver.h"

int sgx_reserve_range(uint64_t size, uint64_t *base)
{
    uint8_t *raw, *aligned;

    if (size < 2 * SGX_PAGE_SIZE || (size & (size - 1)) || size > (1ULL << 46))
        return -EINVAL;
    /* Twice the size guarantees a size-aligned window somewhere inside. */
    raw = mmap(NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (raw == MAP_FAILED)
        return -errno;
    aligned = (uint8_t *)(((uintptr_t)raw + size - 1) & ~(uintptr_t)(size - 1));
    if (aligned > raw)
        munmap(raw, (size_t)(aligned - raw));
    if (aligned + size < raw + 2 * size)
        munmap(aligned + size, (size_t)(raw + 2 * size - (aligned + size)));
    *base = (uint64_t)(uintptr_t)aligned;
    return 0;
}
