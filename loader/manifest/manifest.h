/* Manifests: TOML text -> validated Geode__Manifest (the protobuf-c message
 * generated from geode_manifest.proto) -> canonical blob.
 *
 * Every diagnostic is one line "FILE:LINE:COL: error: KEY: message" (or
 * "warning:") written to the diag stream. */
#ifndef GEODE_MANIFEST_H
#define GEODE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "geode_manifest.pb-c.h"

typedef Geode__Manifest geode_manifest;

/* Reads and validates the manifest at path. Returns NULL after writing at
 * least one error to diag. Warnings (unsupported Gramine keys) are written
 * but do not fail. */
geode_manifest *manifest_load(const char *path, FILE *diag);

/* Same, from text in memory; name is what diagnostics call the file.
 * *nerrors (may be NULL) receives the number of errors written. */
geode_manifest *manifest_parse(const char *name, const char *text, size_t len, FILE *diag,
                               int *nerrors);

void manifest_free(geode_manifest *m);

/* The canonical blob: sorted, defaults filled in, protobuf-c packed.
 * Returns a malloc'd buffer (caller frees) and its size in *len, or NULL. */
uint8_t *manifest_pack(const geode_manifest *m, size_t *len);

/* Decodes a blob; NULL if it is malformed. Free with manifest_free. */
geode_manifest *manifest_unpack(const uint8_t *blob, size_t len);

/* Prints a human-readable summary (used by `geode manifest check`). */
void manifest_print_summary(const geode_manifest *m, FILE *out);

/* Fills in the SHA-256 of every trusted file, expanding directory URIs
 * ("file:/dir/") into one entry per regular file beneath them. Returns 0, or
 * -1 after writing an error naming the file to diag. */
int manifest_expand_trusted(geode_manifest *m, FILE *diag);
/* SHA-256 of a host file (through the hash cache, manifest/hash_cache.h);
 * 0, or -1 after writing an error naming the file to diag. */
int manifest_hash_file(const char *path, uint8_t out[32], FILE *diag);

/* Parses a size: an integer, or a string "<n>[K|M|G|T]" (binary units).
 * Returns 0 and sets *out, or -1 when malformed or overflowing. */
int manifest_parse_size(const char *s, uint64_t *out);

#endif
