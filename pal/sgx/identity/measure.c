#include "measure.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#define RECORD_SIZE 64

/* Hashes the batched records into ctx (m's own, or a copy for peek). */
static int flush_into(const struct sgx_measure *m, EVP_MD_CTX *ctx)
{
    return !m->used || EVP_DigestUpdate(ctx, m->batch, m->used) ? 0 : -EIO;
}

/* Adds one 64-byte record (plus an optional 256-byte payload for EEXTEND)
 * to the batch, hashing the batch first when it is full. */
static int hash_record(struct sgx_measure *m, const uint8_t rec[RECORD_SIZE], const uint8_t *extra,
                       size_t extra_len)
{
    if (!m->md_ctx || m->done)
        return -EINVAL;
    if (m->used + RECORD_SIZE + extra_len > sizeof(m->batch)) {
        if (flush_into(m, m->md_ctx))
            return -EIO;
        m->used = 0;
    }
    memcpy(m->batch + m->used, rec, RECORD_SIZE);
    if (extra_len)
        memcpy(m->batch + m->used + RECORD_SIZE, extra, extra_len);
    m->used += RECORD_SIZE + (uint32_t)extra_len;
    return 0;
}

int sgx_measure_init(struct sgx_measure *m, uint32_t ssa_frame_size, uint64_t size)
{
    uint8_t rec[RECORD_SIZE] = "ECREATE";
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    m->md_ctx = NULL;
    m->done = false;
    m->used = 0;
    if (!ctx)
        return -ENOMEM;
    if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(ctx);
        return -EIO;
    }
    m->md_ctx = ctx;
    memcpy(rec + 8, &ssa_frame_size, sizeof(ssa_frame_size));
    memcpy(rec + 12, &size, sizeof(size));
    return hash_record(m, rec, NULL, 0);
}

int sgx_measure_eadd(struct sgx_measure *m, uint64_t offset, const struct sgx_secinfo *secinfo)
{
    uint8_t rec[RECORD_SIZE] = "EADD";

    memcpy(rec + 8, &offset, sizeof(offset));
    memcpy(rec + 16, secinfo, 48);
    return hash_record(m, rec, NULL, 0);
}

int sgx_measure_eextend(struct sgx_measure *m, uint64_t offset, const uint8_t chunk[SGX_EEXTEND_CHUNK])
{
    uint8_t rec[RECORD_SIZE] = "EEXTEND";

    memcpy(rec + 8, &offset, sizeof(offset));
    return hash_record(m, rec, chunk, SGX_EEXTEND_CHUNK);
}

int sgx_measure_add_page(struct sgx_measure *m, uint64_t offset, const struct sgx_secinfo *secinfo,
                         const uint8_t *data, bool measured)
{
    int ret = sgx_measure_eadd(m, offset, secinfo);

    if (ret || !measured)
        return ret;
    for (uint64_t c = 0; c < SGX_PAGE_SIZE; c += SGX_EEXTEND_CHUNK) {
        ret = sgx_measure_eextend(m, offset + c, data + c);
        if (ret)
            return ret;
    }
    return 0;
}

int sgx_measure_peek(const struct sgx_measure *m, uint8_t mrenclave[32])
{
    EVP_MD_CTX *copy;
    unsigned int len = 0;
    int ok;

    if (!m->md_ctx || m->done)
        return -EINVAL;
    copy = EVP_MD_CTX_new();
    if (!copy)
        return -ENOMEM;
    ok = EVP_MD_CTX_copy_ex(copy, m->md_ctx) && !flush_into(m, copy) && EVP_DigestFinal_ex(copy, mrenclave, &len) &&
         len == 32;
    EVP_MD_CTX_free(copy);
    return ok ? 0 : -EIO;
}

int sgx_measure_final(struct sgx_measure *m, uint8_t mrenclave[32])
{
    unsigned int len = 0;
    int ret = 0;

    if (!m->md_ctx || m->done)
        return -EINVAL;
    if (flush_into(m, m->md_ctx) || !EVP_DigestFinal_ex(m->md_ctx, mrenclave, &len) || len != 32)
        ret = -EIO;
    m->done = true;
    sgx_measure_free(m);
    return ret;
}

void sgx_measure_free(struct sgx_measure *m)
{
    EVP_MD_CTX_free(m->md_ctx);
    m->md_ctx = NULL;
}
