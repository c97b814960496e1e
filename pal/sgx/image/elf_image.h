/* Loads and validates an ELF file for placement into an enclave image.
 *
 * Accepted: ELF64, little-endian, x86-64, ET_DYN (position independent, e.g.
 * -static-pie), PT_LOAD segments inside the file, sorted, not overlapping, with
 * p_vaddr and p_offset congruent modulo the page size, W only together with R.
 * Everything else is rejected with a message naming the file and the problem:
 * the enclave image is measured, so a malformed file must never be "fixed up". */
#ifndef GEODE_SGX_ELF_IMAGE_H
#define GEODE_SGX_ELF_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "sgx_err.h"

/* Upper bound on an image's span (highest vaddr + memsz). The images that go
 * into an enclave (trusted PAL, libOS) are well under 1 MiB; the span is
 * allocated whole, so a hostile header must be refused, not allocated
 * (found by tests/fuzz/fuzz_elf_image.c: a 3.8 GB p_memsz). */
#define ELF_IMAGE_MAX_SPAN (1ULL << 28)

struct elf_image {
    uint8_t *mem;     /* span bytes: the segments laid out at their vaddrs, zero elsewhere */
    uint64_t span;    /* page-aligned size of the image */
    uint8_t *perms;   /* per page: SGX_SECINFO_R/W/X bits; 0 = no segment covers the page */
    uint64_t entry;   /* e_entry (relative to the image start) */
};

/* Parses an ELF file already in memory. Returns 0 or -EINVAL / -ENOMEM. */
int elf_image_parse(const uint8_t *file, size_t size, const char *name, struct elf_image *img,
                    struct sgx_err *e);

/* Reads `path` and parses it. Returns 0 or -errno. */
int elf_image_load(const char *path, struct elf_image *img, struct sgx_err *e);

void elf_image_free(struct elf_image *img);

#endif
