/* Hex encoding of byte strings (MRENCLAVE, MRSIGNER, ...) for the CLI and JSON. */
#ifndef GEODE_SGX_HEXFMT_H
#define GEODE_SGX_HEXFMT_H

#include <stddef.h>
#include <stdint.h>

/* Writes 2*len lowercase hex digits and a NUL into out (2*len+1 bytes). */
void hex_encode(const uint8_t *in, size_t len, char *out);

/* Parses exactly 2*len hex digits (either case). Returns 0 or -1. */
int hex_decode(const char *in, uint8_t *out, size_t len);

/* Parses a whole decimal or 0x-prefixed number <= max. Returns 0 or -1. */
int parse_u64(const char *in, uint64_t max, uint64_t *out);

#endif
