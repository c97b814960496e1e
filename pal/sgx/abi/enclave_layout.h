/* What the image builder (pal/sgx/image/layout.c) leaves in the enclave for
 * the trusted PAL to find: the TLS page at the start of every thread's TLS
 * (see the layout in layout.h) and the heap's bookkeeping size. Both sides
 * include it: the enclave through enclave_internal.h, the host through
 * layout.h. */
#ifndef GEODE_SGX_ENCLAVE_LAYOUT_H
#define GEODE_SGX_ENCLAVE_LAYOUT_H

#include <stdint.h>

#define SGX_LAYOUT_MAX_ELFS 8

/* At offset 0 of every TLS page: where the trusted PAL finds its regions.
 * All offsets are enclave-relative (add the base at run time). */
struct sgx_layout_tls {
    uint64_t self_offset;      /* this TLS page */
    uint64_t thread_index;
    uint64_t tcs_offset;
    uint64_t ssa_offset;
    uint64_t stack_top_offset; /* one past the highest stack byte */
    uint64_t stack_size;
    uint64_t blob_offset;
    uint64_t blob_size;        /* bytes of blob data (without padding) */
    uint64_t heap_offset;
    uint64_t heap_size;
    uint64_t enclave_size;
    uint64_t n_elfs;
    uint64_t elf_offset[SGX_LAYOUT_MAX_ELFS];
    uint64_t elf_span[SGX_LAYOUT_MAX_ELFS];
    uint64_t nssa;            /* SSA frames of this thread (TCS.NSSA) */
    uint64_t ssa_frame_pages; /* SECS.SSAFRAMESIZE: pages per SSA frame */
    /* SGX2 (EDMM): SGX_LAYOUT_TLS_EDMM set when only the first
     * heap_added bytes of the heap, and its page maps at the top, were
     * added at build; the trusted PAL adds the rest with EACCEPT as it
     * commits it. 0 and 0 otherwise. SGX_LAYOUT_TLS_MAPS_TOP: the page
     * maps are the heap's last pages (every layout since 2026-12-08). */
    uint64_t flags;
    uint64_t heap_added;
};
#define SGX_LAYOUT_TLS_EDMM 1ULL
#define SGX_LAYOUT_TLS_MAPS_TOP 2ULL

/* Pages at the end of a heap of `pages` pages that the trusted PAL's
 * bookkeeping uses (pal_mem.c: a bit and a byte per page). At the end, not
 * the start: in a heap-low layout the start is 0x10000, and the maps of a
 * 16 GiB heap (4.5 MiB) would cover 0x400000, where a program linked at a
 * fixed address wants its image. */
static inline uint64_t sgx_layout_heap_meta_pages(uint64_t pages)
{
    return (pages / 8 + 4095) / 4096 + (pages + 4095) / 4096;
}

#endif
