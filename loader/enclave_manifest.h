/* The loader's half of the manifest -> enclave mapping: reads a validated
 * manifest into the image layer's plain parameters (pal/sgx/image/
 * enclave_image.h has the mapping) and hands it its canonical blob. */
#ifndef GEODE_ENCLAVE_MANIFEST_H
#define GEODE_ENCLAVE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "enclave_image.h"
#include "manifest/manifest.h"

/* p from m (which must have its sgx and geode sections). 0 or -EINVAL. */
int enclave_image_params_of(const geode_manifest *m, struct enclave_image_params *p,
                            struct sgx_err *e);

/* enclave_image_describe of m (expanded: its trusted files' hashes are
 * measured) with manifest_pack(m) as the blob. */
int enclave_image_describe_manifest(const geode_manifest *m, const char *runtime_dir,
                                    struct enclave_image *img, struct sgx_err *e);

/* Describe, lay out and measure m; blob, when given, is the exact blob m
 * was unpacked from, measured as it is (else manifest_pack(m)). Returns 0,
 * or -1 with the reason in e. On success free img with enclave_image_free
 * and l with sgx_layout_free. */
int enclave_image_of(const geode_manifest *m, const uint8_t *blob, size_t blob_len,
                     const char *runtime_dir, struct enclave_image *img, struct sgx_layout *l,
                     uint8_t mr[32], struct sgx_err *e);

/* The whole front half of `geode measure MANIFEST` / `geode sign MANIFEST`:
 * load and validate the manifest (diagnostics to diag), expand trusted files
 * (hash them, as `geode manifest expand` does), describe, lay out, measure.
 * Returns 0, or -1 with the reason in e (empty when diag already has it). On
 * success free img with enclave_image_free and l with sgx_layout_free. */
int enclave_image_from_manifest(const char *path, const char *runtime_dir, FILE *diag,
                                struct enclave_image *img, struct sgx_layout *l, uint8_t mr[32],
                                struct sgx_err *e);
/* The same from a canonical blob (a signed bundle's), measured byte for
 * byte as given: no file is hashed. */
int enclave_image_from_blob(const uint8_t *blob, size_t len, const char *runtime_dir,
                            struct enclave_image *img, struct sgx_layout *l, uint8_t mr[32],
                            struct sgx_err *e);

#endif
