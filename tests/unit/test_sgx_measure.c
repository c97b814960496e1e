/* MRENCLAVE engine: a known answer for a tiny 2-page enclave, computed here by
 * writing the 64-byte records byte by byte and hashing them in one go. */
#include <string.h>

#include <openssl/sha.h>

#include "measure.h"
#include "tap.h"

static uint8_t stream[64 + 64 + 16 * (64 + 256) + 64];
static size_t stream_len;

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t *record(const char *tag)
{
    uint8_t *r = stream + stream_len;

    memset(r, 0, 64);
    memcpy(r, tag, strlen(tag));
    stream_len += 64;
    return r;
}

/* Expected: ECREATE(ssa=1,size=0x2000), EADD(0, REG|R|X) + 16 EEXTENDs, EADD(0x1000, REG|R|W). */
static void expected_mrenclave(const uint8_t *page0, uint8_t out[32])
{
    uint8_t *r;

    stream_len = 0;
    r = record("ECREATE");
    put_le(r + 8, 1, 4);
    put_le(r + 12, 0x2000, 8);
    r = record("EADD");
    put_le(r + 8, 0, 8);
    put_le(r + 16, 0x205, 8); /* SECINFO.FLAGS, then 40 zero bytes */
    for (int c = 0; c < 16; c++) {
        r = record("EEXTEND");
        put_le(r + 8, (uint64_t)c * 256, 8);
        memcpy(stream + stream_len, page0 + c * 256, 256);
        stream_len += 256;
    }
    r = record("EADD");
    put_le(r + 8, 0x1000, 8);
    put_le(r + 16, 0x203, 8);
    SHA256(stream, stream_len, out);
}

static int engine_mrenclave(const uint8_t *page0, const uint8_t *page1, uint8_t out[32])
{
    struct sgx_secinfo rx = {.flags = 0x205}, rw = {.flags = 0x203};
    struct sgx_measure m;
    int ret = sgx_measure_init(&m, 1, 0x2000);

    ret = ret ? ret : sgx_measure_add_page(&m, 0, &rx, page0, true);
    ret = ret ? ret : sgx_measure_add_page(&m, 0x1000, &rw, page1, false);
    ret = ret ? ret : sgx_measure_final(&m, out);
    sgx_measure_free(&m);
    return ret;
}

int main(void)
{
    static uint8_t page0[4096], page1[4096];
    uint8_t want[32], got[32], again[32];
    struct sgx_measure m;

    for (int i = 0; i < 4096; i++) {
        page0[i] = (uint8_t)(i * 7 + 3);
        page1[i] = (uint8_t)(i ^ 0x5a);
    }
    expected_mrenclave(page0, want);
    CHECK(engine_mrenclave(page0, page1, got) == 0, "engine measures 2 pages");
    CHECK(!memcmp(got, want, 32), "MRENCLAVE matches the hand-built record stream");
    CHECK(engine_mrenclave(page0, page1, again) == 0 && !memcmp(got, again, 32), "deterministic");
    page1[100] ^= 1;
    CHECK(engine_mrenclave(page0, page1, again) == 0 && !memcmp(got, again, 32),
          "unmeasured page content does not change MRENCLAVE");
    page0[4095] ^= 1;
    CHECK(engine_mrenclave(page0, page1, again) == 0 && memcmp(got, again, 32),
          "a flipped byte in a measured page changes MRENCLAVE");
    CHECK(sgx_measure_init(&m, 1, 0x2000) == 0 && sgx_measure_final(&m, got) == 0 &&
              sgx_measure_final(&m, got) < 0 && sgx_measure_eadd(&m, 0, &(struct sgx_secinfo){0}) < 0,
          "use after final is refused");
    sgx_measure_free(&m);
    return TAP_DONE();
}
