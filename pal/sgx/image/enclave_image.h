/* Manifest -> enclave: the one place that decides how a validated manifest
 * becomes the image builder's description (layout.h), the SECS the loader
 * asks ECREATE for, and the SIGSTRUCT parameters `geode sign` writes, so the
 * three always agree (EINIT compares them). The loader reads the manifest
 * (the loader's enclave_manifest.c) into struct enclave_image_params and passes
 * its canonical blob; this layer never sees the manifest's own types.
 *
 * Mapping (manifest key -> enclave):
 *   ELF 0          RUNTIME_DIR/pal-enclave.elf, the trusted PAL (provides OENTRY)
 *   ELF 1          the libOS image: loader.entrypoint.uri ("file:PATH"), or
 *                  RUNTIME_DIR/libos.elf when the manifest leaves it empty
 *   blob           manifest_pack(m): the canonical manifest (trusted files must
 *                  be expanded first, so their hashes are measured)
 *   threads        sgx.max_threads (one TCS each)
 *   NSSA           geode.nssa
 *   stack          ENCLAVE_IMAGE_PAL_STACK per thread: the trusted PAL's and the
 *                  libOS's own (ECALLs, exception handling, libOS calls); the
 *                  program's stacks (sys.stack.size) are allocated by the libOS
 *                  in the heap
 *   SECS.SIZE      sgx.enclave_size
 *   heap           the rest: SIZE - end of the last ELF - one guard page
 *   ATTRIBUTES     MODE64BIT | DEBUG if sgx.debug | AEXNOTIFY if geode.aex_notify
 *   XFRM           x87 | SSE | AVX (fixed: SSAFRAMESIZE, hence MRENCLAVE, depends on it)
 *   MISCSELECT     EXINFO
 *   ISVPRODID/SVN  sgx.isvprodid / sgx.isvsvn
 * SIGSTRUCT masks: every ATTRIBUTES, XFRM and MISCSELECT bit is checked, so
 * the enclave only initializes with exactly the attributes above. */
#ifndef GEODE_SGX_ENCLAVE_IMAGE_H
#define GEODE_SGX_ENCLAVE_IMAGE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "sgx_driver.h"
#include "sgx_err.h"
#include "sigstruct.h"

#define ENCLAVE_IMAGE_PAL "pal-enclave.elf"
#define ENCLAVE_IMAGE_LIBOS "libos.elf"
#define ENCLAVE_IMAGE_XFRM (SGX_XFRM_X87 | SGX_XFRM_SSE | SGX_XFRM_AVX)
/* XFRM bits a run adds where the host has them (xfrm_host_optional): the
 * signature's ATTRIBUTEMASK leaves them out, so one SIGSTRUCT runs on
 * hosts with and without AVX-512 (MRENCLAVE does not depend on XFRM while
 * the SSA frame stays one page). */
#define ENCLAVE_IMAGE_XFRM_OPTIONAL SGX_XFRM_AVX512
#define ENCLAVE_IMAGE_MISCSELECT SGX_MISC_EXINFO
#define ENCLAVE_IMAGE_PAL_STACK (256 * 1024ULL) /* as the direct PAL's signal stack */

struct enclave_image {
    char pal_path[PATH_MAX];
    char libos_path[PATH_MAX];
    struct sgx_layout_elf elfs[2];
    uint8_t *blob; /* owned */
    size_t blob_size;
    struct sgx_layout_desc desc; /* heap_size is computed by enclave_image_layout */
    uint16_t isv_prod_id, isv_svn;
};

/* What the image takes from the manifest (the mapping above); the loader
 * fills it (enclave_image_params_of in the loader's enclave_manifest.h). */
struct enclave_image_params {
    const char *libos_uri;         /* loader.entrypoint.uri; NULL or "": RUNTIME_DIR/libos.elf */
    uint64_t enclave_size;         /* sgx.enclave_size */
    uint64_t stack_size;           /* sys.stack.size (checked to fit the enclave) */
    uint32_t max_threads;          /* sgx.max_threads */
    uint32_t nssa;                 /* geode.nssa */
    bool debug;                    /* sgx.debug */
    bool aex_notify;               /* geode.aex_notify */
    bool edmm;                     /* sgx.edmm_enable */
    uint64_t edmm_precommit_size;  /* sgx.edmm_precommit_size */
    uint16_t isv_prod_id, isv_svn; /* sgx.isvprodid, sgx.isvsvn */
};

/* Fills img from p and the canonical manifest blob (copied: measured byte
 * for byte). runtime_dir holds pal-enclave.elf (and libos.elf unless
 * p->libos_uri names one). Returns 0, or -errno with a message naming the
 * missing file or bad value in e. Free with enclave_image_free (also after
 * a failure). */
int enclave_image_describe(const struct enclave_image_params *p, const uint8_t *blob,
                           size_t blob_size, const char *runtime_dir, struct enclave_image *img,
                           struct sgx_err *e);

/* Builds the page list with the heap filling the rest of SIZE. 0 or -errno. */
int enclave_image_layout(struct enclave_image *img, struct sgx_layout *out, struct sgx_err *e);

/* The SECS for ECREATE (BASEADDR left 0 for the caller to fill). */
void enclave_image_secs(const struct enclave_image *img, const struct sgx_layout *l,
                        struct sgx_secs *secs);

/* SIGSTRUCT parameters for MRENCLAVE mr (date: today; the caller may change it). */
void enclave_image_sign_params(const struct enclave_image *img, const uint8_t mr[32],
                               struct sgx_sign_params *p);

/* Builds the enclave through drv: open, reserve a SIZE-aligned range, create,
 * add every page (sgx_layout_add_pages: in runs, through anonymous staging
 * pages, since the kernel needs source mappings that may be executable),
 * init with sig. On success *out is
 * the initialized enclave (close it with drv->close). Returns 0, > 0 an SGX
 * error code from EINIT, or -errno; the message in e names the step. */
int enclave_image_load(const struct sgx_driver *drv, const struct sgx_layout *l,
                       const struct sgx_secs *secs, const struct sgx_sigstruct *sig,
                       struct sgx_driver_encl **out, struct sgx_err *e);

/* Lays out (enclave_image_layout) and measures img into l and mr. Returns
 * 0, or -1 with the reason in e after freeing img. On success free l with
 * sgx_layout_free. */
int enclave_image_measure(struct enclave_image *img, struct sgx_layout *l, uint8_t mr[32],
                          struct sgx_err *e);

void enclave_image_free(struct enclave_image *img);

#endif
