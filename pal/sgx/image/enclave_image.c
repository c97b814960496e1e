/* Manifest -> enclave image description, SECS, SIGSTRUCT parameters, and the
 * build through a driver: see enclave_image.h for the mapping. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "enclave_image.h"

#define PAGE SGX_PAGE_SIZE

/* RUNTIME_DIR/name, which must be readable. */
static int runtime_file(const char *dir, const char *name, const char *what, char *out, size_t size,
                        struct sgx_err *e)
{
    int n = snprintf(out, size, "%s/%s", dir, name);

    if (n < 0 || (size_t)n >= size)
        return sgx_err_set(e, "runtime directory path too long: %s", dir), -ENAMETOOLONG;
    if (access(out, R_OK)) {
        int err = errno;

        sgx_err_set(e, "cannot read %s %s: %s%s", what, out, strerror(err),
                    err == ENOENT ? " (not built or not installed?)" : "");
        return -err;
    }
    return 0;
}

/* The libOS: loader.entrypoint.uri when given ("file:" is checked by the
 * manifest rules), else the runtime directory's libos.elf. */
static int libos_path(const struct enclave_image_params *p, const char *dir, char *out, size_t size,
                      struct sgx_err *e)
{
    const char *uri = p->libos_uri;

    if (!uri || !*uri)
        return runtime_file(dir, ENCLAVE_IMAGE_LIBOS, "the libOS image", out, size, e);
    if (strncmp(uri, "file:", 5) || snprintf(out, size, "%s", uri + 5) >= (int)size)
        return sgx_err_set(e, "loader.entrypoint.uri '%s' is not a usable file: URI", uri), -EINVAL;
    if (access(out, R_OK)) {
        int err = errno;

        sgx_err_set(e, "cannot read the libOS image %s (loader.entrypoint.uri): %s", out, strerror(err));
        return -err;
    }
    return 0;
}

static uint64_t attributes_of(const struct enclave_image_params *p)
{
    uint64_t a = SGX_ATTR_MODE64BIT;

    if (p->debug)
        a |= SGX_ATTR_DEBUG;
    if (p->aex_notify)
        a |= SGX_ATTR_AEXNOTIFY;
    return a;
}

static int describe_sizes(const struct enclave_image_params *p, struct enclave_image *img,
                          struct sgx_err *e)
{
    uint64_t size = p->enclave_size;

    if (size < 2 * PAGE || (size & (size - 1)))
        return sgx_err_set(e, "sgx.enclave_size %llu is not a power of two >= 8 KiB",
                           (unsigned long long)size), -EINVAL;
    if (!p->stack_size || p->stack_size > size)
        return sgx_err_set(e, "sys.stack.size %llu does not fit in the enclave",
                           (unsigned long long)p->stack_size), -EINVAL;
    img->desc.threads = p->max_threads;
    img->desc.nssa = p->nssa;
    img->desc.stack_size = ENCLAVE_IMAGE_PAL_STACK; /* the program's own stack is the libOS's */
    img->desc.enclave_size = size;
    return 0;
}

int enclave_image_describe(const struct enclave_image_params *p, const uint8_t *blob,
                           size_t blob_size, const char *runtime_dir, struct enclave_image *img,
                           struct sgx_err *e)
{
    int ret;

    memset(img, 0, sizeof(*img));
    ret = runtime_file(runtime_dir, ENCLAVE_IMAGE_PAL, "the trusted PAL image", img->pal_path,
                       sizeof(img->pal_path), e);
    ret = ret ? ret : libos_path(p, runtime_dir, img->libos_path, sizeof(img->libos_path), e);
    ret = ret ? ret : describe_sizes(p, img, e);
    if (ret)
        return ret;
    img->blob = malloc(blob_size ? blob_size : 1);
    if (!img->blob)
        return sgx_err_set(e, "out of memory"), -ENOMEM;
    memcpy(img->blob, blob, blob_size);
    img->blob_size = blob_size;
    img->elfs[0] = (struct sgx_layout_elf){.path = img->pal_path};
    img->elfs[1] = (struct sgx_layout_elf){.path = img->libos_path};
    img->desc.elfs = img->elfs;
    img->desc.n_elfs = 2;
    img->desc.blob = img->blob;
    img->desc.blob_size = img->blob_size;
    img->desc.attributes = attributes_of(p);
    img->desc.xfrm = ENCLAVE_IMAGE_XFRM;
    img->desc.miscselect = ENCLAVE_IMAGE_MISCSELECT;
    img->desc.edmm = p->edmm;
    img->desc.heap_precommit = p->edmm_precommit_size;
    img->isv_prod_id = p->isv_prod_id;
    img->isv_svn = p->isv_svn;
    return 0;
}

int enclave_image_layout(struct enclave_image *img, struct sgx_layout *out, struct sgx_err *e)
{
    /* The heap-low layout: the enclave is based at 0 and the heap fills
     * everything from SGX_LOW_BASE_GAP to the other regions at the top. */
    img->desc.heap_low = SGX_LOW_BASE_GAP;
    img->desc.heap_size = 0;
    return sgx_layout_build(&img->desc, out, e);
}

void enclave_image_secs(const struct enclave_image *img, const struct sgx_layout *l,
                        struct sgx_secs *secs)
{
    memset(secs, 0, sizeof(*secs));
    secs->size = l->size;
    secs->ssa_frame_size = l->ssa_frame_size;
    secs->miscselect = img->desc.miscselect;
    secs->attributes.flags = img->desc.attributes;
    secs->attributes.xfrm = img->desc.xfrm;
}

void enclave_image_sign_params(const struct enclave_image *img, const uint8_t mr[32],
                               struct sgx_sign_params *p)
{
    *p = (struct sgx_sign_params){
        .date_bcd = sgx_date_bcd_today(),
        .miscselect = img->desc.miscselect,
        .miscmask = UINT32_MAX,
        .attributes = {.flags = img->desc.attributes, .xfrm = img->desc.xfrm},
        .attribute_mask = {.flags = UINT64_MAX, .xfrm = ~ENCLAVE_IMAGE_XFRM_OPTIONAL},
        .isv_prod_id = img->isv_prod_id,
        .isv_svn = img->isv_svn,
    };
    memcpy(p->enclave_hash, mr, 32);
}

static int build_and_init(const struct sgx_driver *drv, struct sgx_driver_encl *encl,
                          const struct sgx_layout *l, const struct sgx_secs *secs_in,
                          const struct sgx_sigstruct *sig, struct sgx_err *e)
{
    struct sgx_secs secs; /* the type is page aligned, as ECREATE wants */
    int ret;

    secs = *secs_in;
    ret = sgx_reserve_range(secs.size, &secs.base);
    if (ret)
        return sgx_err_set(e, "cannot reserve %llu bytes for the enclave: %s",
                           (unsigned long long)secs.size, strerror(-ret)), ret;
    ret = drv->create(encl, &(struct sgx_enclave_create){(uintptr_t)&secs});
    if (ret) {
        munmap((void *)(uintptr_t)secs.base, secs.size);
        return sgx_err_set(e, "ECREATE failed: %s", strerror(-ret)), ret;
    }
    ret = sgx_layout_add_pages(drv, encl, l, e);
    if (ret)
        return ret;
    ret = drv->init(encl, &(struct sgx_enclave_init){(uintptr_t)sig});
    if (ret > 0)
        sgx_err_set(e, "EINIT refused the enclave: SGX error %d%s", ret,
                    ret == SGX_INVALID_MEASUREMENT ? " (invalid measurement: MRENCLAVE differs "
                                                     "from the SIGSTRUCT's ENCLAVEHASH)" : "");
    else if (ret < 0)
        sgx_err_set(e, "EINIT failed: %s", strerror(-ret));
    return ret;
}

int enclave_image_load(const struct sgx_driver *drv, const struct sgx_layout *l,
                       const struct sgx_secs *secs, const struct sgx_sigstruct *sig,
                       struct sgx_driver_encl **out, struct sgx_err *e)
{
    struct sgx_driver_encl *encl = NULL;
    int ret = drv->open(drv, &encl);

    *out = NULL;
    if (ret)
        return sgx_err_set(e, "%s driver: cannot open a new enclave: %s", drv->name, strerror(-ret)), ret;
    ret = build_and_init(drv, encl, l, secs, sig, e);
    if (ret) {
        drv->close(encl);
        return ret;
    }
    *out = encl;
    return 0;
}

int enclave_image_measure(struct enclave_image *img, struct sgx_layout *l, uint8_t mr[32],
                          struct sgx_err *e)
{
    int ret = enclave_image_layout(img, l, e);

    if (ret) {
        enclave_image_free(img);
        return -1;
    }
    ret = sgx_layout_measure(l, mr);
    if (ret) {
        sgx_err_set(e, "hashing the enclave failed: %s", strerror(-ret));
        sgx_layout_free(l);
        enclave_image_free(img);
        return -1;
    }
    return 0;
}

void enclave_image_free(struct enclave_image *img)
{
    free(img->blob);
    img->blob = NULL;
}
