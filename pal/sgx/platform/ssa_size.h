/* SSA frame size for an enclave's XFRM and MISCSELECT.
 *
 * A frame holds the XSAVE area (non-compacted format) at offset 0, the MISC
 * region (EXINFO, 16 bytes, when MISCSELECT.EXINFO) and GPRSGX (184 bytes) at
 * the end. SSAFRAMESIZE is part of MRENCLAVE, so the XSAVE size comes from a
 * fixed table of the SDM's standard-format component offsets (Vol. 1, 13.4 and
 * CPUID leaf 0xD as defined for Intel parts) rather than from the build
 * machine's CPUID: the same inputs must give the same MRENCLAVE everywhere. */
#ifndef GEODE_SGX_SSA_SIZE_H
#define GEODE_SGX_SSA_SIZE_H

#include <stdint.h>

#include "sgx_err.h"

/* Bytes of a non-compacted XSAVE area for xfrm. Returns 0, or -EINVAL when
 * x87|SSE are not both set, a component is unknown, or a group is partial
 * (AVX-512 needs all of bits 7:5 and AVX; AMX needs bits 18:17). */
int sgx_xsave_size(uint64_t xfrm, uint32_t *bytes, struct sgx_err *e);

/* SSAFRAMESIZE in pages: XSAVE + MISC + GPRSGX, rounded up. Returns 0 or -EINVAL. */
int sgx_ssa_frame_pages(uint64_t xfrm, uint32_t miscselect, uint32_t *pages, struct sgx_err *e);

#endif
