/* Direct PAL: memory. Reserve = an inaccessible, uncommitted mapping;
 * commit = a fresh zero-filled anonymous mapping over it; shared memory is
 * the host's own (memfd, MAP_SHARED), so forked children share it. */
#include <linux/fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "host.h"

static long mmap_raw(void *addr, size_t len, int prot, int flags)
{
    return HS6(SYS_mmap, addr, len, prot, flags, -1, 0);
}

static long direct_mem_reserve(void **addr, size_t size, int flags)
{
    int mflags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
    if (flags & PAL_MEM_FIXED)
        mflags |= (flags & PAL_MEM_NOREPLACE) ? MAP_FIXED_NOREPLACE : MAP_FIXED;
    long r = mmap_raw(*addr, size, PROT_NONE, mflags);
    if (r < 0)
        return r;
    *addr = (void *)r;
    return 0;
}

static long direct_mem_commit(void *addr, size_t size, int prot)
{
    long r = mmap_raw(addr, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    return r < 0 ? r : 0;
}

static long direct_mem_protect(void *addr, size_t size, int prot)
{
    return HS3(SYS_mprotect, addr, size, prot);
}

static long direct_mem_free(void *addr, size_t size)
{
    return HS2(SYS_munmap, addr, size);
}

/* The host's own private file mapping: no copy, pages shared with the
 * page cache until written. */
static long direct_file_map(pal_handle h, void *addr, size_t len, int64_t off, int prot)
{
    long r = HS6(SYS_mmap, addr, len, prot, MAP_PRIVATE | MAP_FIXED, h, off);
    return r < 0 ? r : 0;
}

/* The host's memfd: shared memory that forked children inherit. */
static long direct_memfd_create(const char *name, pal_handle *out)
{
    long fd = HS2(SYS_memfd_create, name, MFD_CLOEXEC);
    if (fd < 0)
        return fd;
    *out = fd;
    return 0;
}

static long direct_memfd_create_flags(const char *name, unsigned flags, pal_handle *out)
{
    if (flags & ~(unsigned)MFD_ALLOW_SEALING)
        return -PAL_EINVAL;
    long fd = HS2(SYS_memfd_create, name, MFD_CLOEXEC | flags);
    if (fd < 0)
        return fd;
    *out = fd;
    return 0;
}

static long direct_file_seals(pal_handle h, int seals)
{
    return seals < 0 ? HS2(SYS_fcntl, h, F_GET_SEALS) : HS3(SYS_fcntl, h, F_ADD_SEALS, seals);
}

/* The host's own MAP_SHARED mapping: the kernel keeps every mapping of the
 * file, in every process of the tree, coherent. */
static long direct_file_map_shared(pal_handle h, void *addr, size_t len, int64_t off, int prot)
{
    long r = HS6(SYS_mmap, addr, len, prot, MAP_SHARED | MAP_FIXED, h, off);
    return r < 0 ? r : 0;
}

void direct_fill_mem(struct pal_api *api)
{
    api->mem_reserve = direct_mem_reserve;
    api->mem_commit = direct_mem_commit;
    api->mem_protect = direct_mem_protect;
    api->mem_free = direct_mem_free;
    api->file_map = direct_file_map;
    api->memfd_create = direct_memfd_create;
    api->file_map_shared = direct_file_map_shared;
    api->memfd_create_flags = direct_memfd_create_flags;
    api->file_seals = direct_file_seals;
}
