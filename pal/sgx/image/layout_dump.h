/* Machine-readable output of a layout, so anyone can recompute MRENCLAVE
 * without Geode: the ECREATE parameters and page list as JSON, and the page
 * contents as a flat file (4096 bytes per listed page, in list order). */
#ifndef GEODE_SGX_LAYOUT_DUMP_H
#define GEODE_SGX_LAYOUT_DUMP_H

#include <stdio.h>

#include "layout.h"

/* {"size":N,"ssa_frame_size":N,"entry":N,"mrenclave":"hex",
 *  "pages":[{"offset":N,"flags":N,"measured":true,"region":"tcs"},...]}
 * Returns 0 or -EIO. */
int sgx_layout_write_json(FILE *out, const struct sgx_layout *l, const uint8_t mrenclave[32]);

/* Every page's 4096 bytes (zeros for zero pages), in list order. Returns 0 or -EIO. */
int sgx_layout_write_pages(FILE *out, const struct sgx_layout *l);

#endif
