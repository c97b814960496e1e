/* The enclave image builder: from a description to the ordered list of pages
 * to EADD (offset, SECINFO flags, measured or not, content).
 *
 * What goes where (offsets from the enclave base, all page aligned; T = threads,
 * F = SSA frame pages, G = one unmapped guard page, never EADDed):
 *
 *   0                         TCS x T            TCS, measured. OSSA -> the thread's
 *                                                SSA, NSSA, OENTRY = entry of the first
 *                                                ELF, OFSBASE = OGSBASE -> its TLS page,
 *                                                FLAGS.AEXNOTIFY iff ATTRIBUTES.AEXNOTIFY.
 *   T pages                   SSA x T*NSSA*F     RW, measured (zero): a host-chosen SSA
 *                                                (e.g. a preset AEXNOTIFY byte) must not
 *                                                be possible.
 *   then                      TLS x T            RW, measured; starts with struct
 *                                                sgx_layout_tls (enclave_layout.h).
 *   then, per thread          G + stack          RW, NOT measured: the trusted PAL must
 *                                                not rely on initial stack contents.
 *   then                      G + blob           R, measured (e.g. the canonical manifest),
 *                                                zero-padded to a page.
 *   ELF images                G + image          at the offset given with the ELF, or
 *                                                else after the previous region; each
 *                                                PT_LOAD page with its R/W/X, measured.
 *   after the last image      G + heap           RWX, NOT measured: the trusted PAL must
 *                                                zero heap pages before use; RWX because
 *                                                SGX1 fixes EPCM permissions at EADD and
 *                                                programs are loaded into the heap.
 *   SIZE                      power of two >= end (or the size asked for).
 *
 * With heap_low set, the heap comes first instead, from heap_low, and every
 * region above keeps its order but ends at SIZE (see sgx_layout_desc).
 *
 * Pages are listed in increasing offset order; any two regions landing on the
 * same page is an error. The same inputs always give the same list, hence the
 * same MRENCLAVE. */
#ifndef GEODE_SGX_LAYOUT_H
#define GEODE_SGX_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enclave_layout.h"
#include "sgx_arch.h"
#include "sgx_err.h"

#define SGX_LAYOUT_MAX_THREADS 4096

struct sgx_layout_elf {
    const char *path;
    uint64_t offset;   /* where the image's vaddr 0 goes */
    bool has_offset;   /* false: placed after the previous region */
};

struct sgx_layout_desc {
    const struct sgx_layout_elf *elfs; /* at least one; the first provides OENTRY */
    size_t n_elfs;
    const uint8_t *blob;               /* may be NULL when blob_size is 0 */
    size_t blob_size;
    uint32_t threads;
    uint64_t stack_size;               /* bytes per thread, page multiple */
    uint32_t nssa;                     /* SSA frames per thread (>= 1) */
    uint64_t attributes;               /* SECS.ATTRIBUTES flags (AEXNOTIFY -> TCS flag) */
    uint64_t xfrm;
    uint32_t miscselect;
    uint64_t heap_size;                /* bytes, page multiple */
    uint64_t enclave_size;             /* 0: smallest power of two that fits */
    /* Nonzero: the heap-low layout for an enclave based at 0 (geode run):
     * the heap starts at this offset (above the host's mmap_min_addr) and
     * fills everything up to a guard page below the other regions, which
     * move to the top of enclave_size (required); heap_size 0 = all of it. */
    uint64_t heap_low;
    /* SGX2 (EDMM): add only the heap's bookkeeping pages and then
     * heap_precommit bytes at build (the rest stays out of the enclave). */
    bool edmm;
    uint64_t heap_precommit;
};

struct sgx_layout_page {
    uint64_t offset;
    uint64_t secinfo_flags;  /* page type and R/W/X, as in SECINFO.FLAGS */
    bool measured;           /* EEXTEND the content (SGX_PAGE_MEASURE) */
    const uint8_t *data;     /* 4096 bytes, or NULL for a zero page */
    const char *region;      /* "tcs", "ssa", "tls", "stack", "blob", "elf0", "heap" ... */
    uint64_t more;           /* pages after this one, alike at the next offsets (a region of
                              * zero pages not measured: data NULL and measured false) */
};

/* An entry's pages: 1, or a run (a 256 MiB heap is one entry, not 65,536). */
static inline uint64_t sgx_layout_entry_pages(const struct sgx_layout_page *p)
{
    return 1 + p->more;
}

struct sgx_layout {
    uint64_t size;           /* SECS.SIZE */
    uint32_t ssa_frame_size; /* SECS.SSAFRAMESIZE, pages */
    uint64_t entry_offset;   /* OENTRY */
    struct sgx_layout_page *pages;
    size_t n_pages;
    size_t cap_pages;
    void *owned[SGX_LAYOUT_MAX_ELFS + 3]; /* buffers the page data points into */
    size_t n_owned;
};

/* Builds the page list. Returns 0 or -EINVAL / -ENOMEM / -errno (message in e). */
int sgx_layout_build(const struct sgx_layout_desc *desc, struct sgx_layout *out, struct sgx_err *e);

/* Every page of the layout: what EADD adds. */
uint64_t sgx_layout_page_count(const struct sgx_layout *layout);

/* MRENCLAVE of the layout (ECREATE + every page in list order). */
int sgx_layout_measure(const struct sgx_layout *layout, uint8_t mrenclave[32]);

void sgx_layout_free(struct sgx_layout *layout);

/* EADDs every page of l, in list order (the order MRENCLAVE was computed
 * in), through drv into the created enclave encl (layout_add.c). 0 or
 * -errno, with the failing page named in e. */
struct sgx_driver;
struct sgx_driver_encl;
int sgx_layout_add_pages(const struct sgx_driver *drv, struct sgx_driver_encl *encl,
                         const struct sgx_layout *l, struct sgx_err *e);
/* Nanoseconds spent in sgx_layout_add_pages by this process (the start-up
 * split that `geode run` logs at debug level). */
extern uint64_t sgx_layout_add_ns;

#endif
