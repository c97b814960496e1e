/* The manifest read into the image layer's parameters (enclave_manifest.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "enclave_manifest.h"

int enclave_image_params_of(const geode_manifest *m, struct enclave_image_params *p,
                            struct sgx_err *e)
{
    memset(p, 0, sizeof(*p));
    if (!m->sgx || !m->geode)
        return sgx_err_set(e, "manifest has no sgx/geode sections (not validated?)"), -EINVAL;
    *p = (struct enclave_image_params){
        .libos_uri = m->libos_uri,
        .enclave_size = m->sgx->enclave_size,
        .stack_size = m->stack_size,
        .max_threads = m->sgx->max_threads,
        .nssa = m->geode->nssa,
        .debug = m->sgx->debug,
        .aex_notify = m->geode->aex_notify,
        .edmm = m->sgx->edmm_enable,
        .edmm_precommit_size = m->sgx->edmm_precommit_size,
        .isv_prod_id = (uint16_t)m->sgx->isvprodid,
        .isv_svn = (uint16_t)m->sgx->isvsvn,
    };
    return 0;
}

/* enclave_image_describe with blob, or manifest_pack(m) when blob is NULL. */
static int describe(const geode_manifest *m, const uint8_t *blob, size_t blob_len,
                    const char *runtime_dir, struct enclave_image *img, struct sgx_err *e)
{
    struct enclave_image_params p;
    uint8_t *packed = NULL;
    int ret;

    memset(img, 0, sizeof(*img));
    ret = enclave_image_params_of(m, &p, e);
    if (ret)
        return ret;
    if (!blob) {
        packed = manifest_pack(m, &blob_len);
        if (!packed)
            return sgx_err_set(e, "cannot serialize the manifest (out of memory?)"), -ENOMEM;
        blob = packed;
    }
    ret = enclave_image_describe(&p, blob, blob_len, runtime_dir, img, e);
    free(packed);
    return ret;
}

int enclave_image_describe_manifest(const geode_manifest *m, const char *runtime_dir,
                                    struct enclave_image *img, struct sgx_err *e)
{
    return describe(m, NULL, 0, runtime_dir, img, e);
}

int enclave_image_of(const geode_manifest *m, const uint8_t *blob, size_t blob_len,
                     const char *runtime_dir, struct enclave_image *img, struct sgx_layout *l,
                     uint8_t mr[32], struct sgx_err *e)
{
    if (describe(m, blob, blob_len, runtime_dir, img, e)) {
        enclave_image_free(img);
        return -1;
    }
    return enclave_image_measure(img, l, mr, e);
}

int enclave_image_from_manifest(const char *path, const char *runtime_dir, FILE *diag,
                                struct enclave_image *img, struct sgx_layout *l, uint8_t mr[32],
                                struct sgx_err *e)
{
    geode_manifest *m = manifest_load(path, diag);
    int ret;

    memset(img, 0, sizeof(*img));
    sgx_err_set(e, "%s", "");
    if (!m || manifest_expand_trusted(m, diag)) {
        manifest_free(m);
        return -1;
    }
    ret = enclave_image_of(m, NULL, 0, runtime_dir, img, l, mr, e);
    manifest_free(m);
    return ret;
}

int enclave_image_from_blob(const uint8_t *blob, size_t len, const char *runtime_dir,
                            struct enclave_image *img, struct sgx_layout *l, uint8_t mr[32],
                            struct sgx_err *e)
{
    geode_manifest *m = manifest_unpack(blob, len);
    int ret;

    memset(img, 0, sizeof(*img));
    if (!m || !m->sgx || !m->geode) {
        manifest_free(m);
        return sgx_err_set(e, "the manifest blob does not decode as a geode manifest"), -1;
    }
    ret = enclave_image_of(m, blob, len, runtime_dir, img, l, mr, e);
    manifest_free(m);
    return ret;
}
