/* Symbol lookup in an ELF64 shared object already mapped in memory: the
 * kernel's vDSO (for __vdso_sgx_enter_enclave) or a synthetic test image.
 *
 * The image is treated as untrusted bytes: every table, string and hash
 * chain is checked against the image size given by the caller, so a
 * malformed image yields an error status, never a wild read.
 *
 * Usage:
 *   struct vdso_image img;
 *   enum vdso_status st = vdso_open_self(&img);           // or vdso_open(base, size, &img)
 *   if (st == VDSO_OK) st = vdso_lookup(&img, "__vdso_sgx_enter_enclave", "LINUX_2.6", &addr);
 *   if (st != VDSO_OK) fprintf(stderr, "...: %s\n", vdso_status_str(st));
 */
#ifndef GEODE_SGX_HOST_VDSO_H
#define GEODE_SGX_HOST_VDSO_H

#include <stddef.h>
#include <stdint.h>

enum vdso_status {
    VDSO_OK = 0,
    VDSO_NOT_FOUND,      /* well-formed image, no such symbol (or version) */
    VDSO_NO_VDSO,        /* AT_SYSINFO_EHDR is 0: the process has no vDSO */
    VDSO_BAD_HEADER,     /* not an ELF64 x86-64 (little-endian) shared object */
    VDSO_BAD_PHDRS,      /* program headers outside the image or malformed */
    VDSO_NO_LOAD,        /* no PT_LOAD segment */
    VDSO_NO_DYNAMIC,     /* no PT_DYNAMIC segment */
    VDSO_BAD_DYNAMIC,    /* dynamic section outside the image or unterminated */
    VDSO_NO_TABLES,      /* DT_SYMTAB, DT_STRTAB, DT_STRSZ or both hash tables missing */
    VDSO_BAD_TABLES,     /* symbol/string/version table outside the image */
    VDSO_BAD_HASH,       /* hash table header, bucket or chain outside the image */
    VDSO_BAD_SYMBOL,     /* symbol entry, name or value outside the image */
    VDSO_BAD_VERSION,    /* version definitions malformed */
};

/* A validated view of the image. Pointers point into the caller's mapping;
 * nothing is allocated, so there is nothing to close. */
struct vdso_image {
    const uint8_t *base;    /* image start (the ELF header) */
    size_t size;            /* bytes readable from base */
    uint64_t bias;          /* image offset = vaddr + bias (mod 2^64) */
    uintptr_t load_offset;  /* run-time address = vaddr + load_offset */
    size_t symtab, strtab, strsz;
    size_t hash, gnu_hash;  /* image offsets; 0 = absent */
    size_t versym, verdef;  /* image offsets; 0 = absent */
};

const char *vdso_status_str(enum vdso_status st);

/* Extent of the image from its PT_LOAD segments: the number of bytes from
 * base to the end of the last segment. Only the first `probe` bytes are
 * read (enough for the ELF and program headers; a page for the vDSO). */
enum vdso_status vdso_image_extent(const void *base, size_t probe, size_t *size);

/* Validates the headers and locates the dynamic tables. */
enum vdso_status vdso_open(const void *base, size_t size, struct vdso_image *img);

/* The running process's vDSO (getauxval(AT_SYSINFO_EHDR)), sized from its
 * PT_LOAD segments. */
enum vdso_status vdso_open_self(struct vdso_image *img);

/* Finds a defined global/weak function or object symbol by name. With a
 * non-NULL version (e.g. "LINUX_2.6") and a versioned image, the symbol's
 * version must match; unversioned images match any version. Uses DT_HASH,
 * or DT_GNU_HASH when DT_HASH is absent. *addr is the run-time address. */
enum vdso_status vdso_lookup(const struct vdso_image *img, const char *name, const char *version,
                             uintptr_t *addr);

#endif
