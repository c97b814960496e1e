/* MRENCLAVE measurement engine (measure.h), on libcrypto's SHA256_* (the
 * EVP interface would cost a provider look-up, about a millisecond, at the
 * first use in every process). */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_Init and friends */
#include "measure.h"

#include <errno.h>
#include <string.h>

#include <openssl/sha.h>

#define RECORD_SIZE 64
#define MEMO_MIN_RECORDS 1024 /* a run shorter than this is hashed, not looked up */

_Static_assert(sizeof(SHA256_CTX) <= sizeof(((struct sgx_measure *)0)->ctx), "SHA256_CTX space");
_Static_assert(_Alignof(SHA256_CTX) <= 8, "SHA256_CTX alignment");

static const struct sgx_measure_memo *memo;

void sgx_measure_set_memo(const struct sgx_measure_memo *m)
{
    memo = m;
}

static SHA256_CTX *ctx_of(struct sgx_measure *m)
{
    return (SHA256_CTX *)(void *)m->ctx;
}

/* Hashes the batched records. */
static void flush_batch(struct sgx_measure *m)
{
    if (m->used)
        SHA256_Update(ctx_of(m), m->batch, m->used);
    m->used = 0;
}

/* Adds one 64-byte record (plus an optional 256-byte payload for EEXTEND)
 * to the batch, hashing the batch first when it is full. */
static void batch_record(struct sgx_measure *m, const uint8_t rec[RECORD_SIZE], const uint8_t *extra,
                         size_t extra_len)
{
    if (m->used + RECORD_SIZE + extra_len > sizeof(m->batch))
        flush_batch(m);
    memcpy(m->batch + m->used, rec, RECORD_SIZE);
    if (extra_len)
        memcpy(m->batch + m->used + RECORD_SIZE, extra, extra_len);
    m->used += RECORD_SIZE + (uint32_t)extra_len;
}

static void eadd_record(uint8_t rec[RECORD_SIZE], uint64_t offset, const uint8_t secinfo[48])
{
    memset(rec, 0, RECORD_SIZE);
    memcpy(rec, "EADD", 4);
    memcpy(rec + 8, &offset, sizeof(offset));
    memcpy(rec + 16, secinfo, 48);
}

/* The memo's name for the pending run hashed from the current state: the
 * chaining value and length so far (the state at a block boundary is all
 * of it) and the run's first offset, length and SECINFO. */
static void run_key(const struct sgx_measure *m, const SHA256_CTX *c, uint64_t pages, uint8_t key[32])
{
    SHA256_CTX k;

    SHA256_Init(&k);
    SHA256_Update(&k, "geode eadd run 1", 16);
    SHA256_Update(&k, c->h, sizeof(c->h));
    SHA256_Update(&k, &c->Nl, sizeof(c->Nl));
    SHA256_Update(&k, &c->Nh, sizeof(c->Nh));
    SHA256_Update(&k, &m->run_offset, sizeof(m->run_offset));
    SHA256_Update(&k, &pages, sizeof(pages));
    SHA256_Update(&k, m->run_secinfo, sizeof(m->run_secinfo));
    SHA256_Final(key, &k);
}

/* Hashes the pending run of EADD records: looked up in the memo when it is
 * long (the state after it then comes from there), else record by record. */
static void flush_run(struct sgx_measure *m)
{
    uint64_t n = m->run_pages;
    uint8_t rec[RECORD_SIZE], key[32], state[32];
    SHA256_CTX *c = ctx_of(m);
    bool keyed = false;

    if (!n)
        return;
    m->run_pages = 0;
    if (memo && n >= MEMO_MIN_RECORDS) {
        flush_batch(m);
        if (c->num == 0) { /* at a block boundary, as every record ends one */
            run_key(m, c, n, key);
            keyed = true;
            if (memo->get(key, state) == 0) {
                uint64_t bits = ((uint64_t)c->Nh << 32 | c->Nl) + n * RECORD_SIZE * 8;

                memcpy(c->h, state, sizeof(c->h));
                c->Nl = (SHA_LONG)bits;
                c->Nh = (SHA_LONG)(bits >> 32);
                return;
            }
        }
    }
    for (uint64_t i = 0; i < n; i++) {
        eadd_record(rec, m->run_offset + i * SGX_PAGE_SIZE, m->run_secinfo);
        batch_record(m, rec, NULL, 0);
    }
    if (keyed) {
        flush_batch(m);
        memcpy(state, c->h, sizeof(state));
        memo->put(key, state);
    }
}

int sgx_measure_init(struct sgx_measure *m, uint32_t ssa_frame_size, uint64_t size)
{
    uint8_t rec[RECORD_SIZE] = "ECREATE";

    memset(m, 0, offsetof(struct sgx_measure, batch));
    SHA256_Init(ctx_of(m));
    m->live = true;
    memcpy(rec + 8, &ssa_frame_size, sizeof(ssa_frame_size));
    memcpy(rec + 12, &size, sizeof(size));
    batch_record(m, rec, NULL, 0);
    return 0;
}

/* EADD records are gathered into a run (consecutive pages, one SECINFO)
 * and hashed when anything else comes. */
int sgx_measure_eadd(struct sgx_measure *m, uint64_t offset, const struct sgx_secinfo *secinfo)
{
    if (!m->live)
        return -EINVAL;
    if (m->run_pages && offset == m->run_offset + m->run_pages * SGX_PAGE_SIZE &&
        !memcmp(m->run_secinfo, secinfo, sizeof(m->run_secinfo))) {
        m->run_pages++;
        return 0;
    }
    flush_run(m);
    m->run_offset = offset;
    m->run_pages = 1;
    memcpy(m->run_secinfo, secinfo, sizeof(m->run_secinfo));
    return 0;
}

int sgx_measure_eadd_run(struct sgx_measure *m, uint64_t offset, uint64_t pages,
                         const struct sgx_secinfo *secinfo)
{
    if (!pages)
        return 0;
    if (sgx_measure_eadd(m, offset, secinfo))
        return -EINVAL;
    m->run_pages += pages - 1; /* the run the first page is in goes on */
    return 0;
}

int sgx_measure_eextend(struct sgx_measure *m, uint64_t offset, const uint8_t chunk[SGX_EEXTEND_CHUNK])
{
    uint8_t rec[RECORD_SIZE] = "EEXTEND";

    if (!m->live)
        return -EINVAL;
    flush_run(m);
    memcpy(rec + 8, &offset, sizeof(offset));
    batch_record(m, rec, chunk, SGX_EEXTEND_CHUNK);
    return 0;
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

/* The digest of everything so far, leaving m as it is (a copy is ended). */
int sgx_measure_peek(const struct sgx_measure *m, uint8_t mrenclave[32])
{
    static __thread struct sgx_measure copy;

    if (!m->live)
        return -EINVAL;
    memcpy(&copy, m, sizeof(copy));
    return sgx_measure_final(&copy, mrenclave);
}

int sgx_measure_final(struct sgx_measure *m, uint8_t mrenclave[32])
{
    if (!m->live)
        return -EINVAL;
    flush_run(m);
    flush_batch(m);
    SHA256_Final(mrenclave, ctx_of(m));
    sgx_measure_free(m);
    return 0;
}

void sgx_measure_free(struct sgx_measure *m)
{
    memset(m->ctx, 0, sizeof(m->ctx));
    m->live = false;
}
