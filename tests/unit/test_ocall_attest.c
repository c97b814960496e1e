/* Quotes through the boundary: the trusted PAL's pal_attest.c against the
 * real host handlers (urts_quote.c with the sim's quoting enclave)
 * in-process, then a hostile host: a short TARGETINFO, a quote of another
 * report body or other report data, a quote whose declared size or reply
 * size lies, a truncated quote. EREPORT and EGETKEY are played by the sim's
 * key derivation here (what the sim's ENCLU handler computes). */
#define HOST_COPY_NO_ENCLAVE 1
#include <errno.h>
#include <openssl/evp.h>
#include <string.h>

#include "tap.h"

#include "quote_verify.h"
#include "urts_quote.h"
#include "ocall_loopback.h"
#include "sim_qe.h"
#include "sim_run.h"

struct enclave_globals g_encl;

static const uint8_t my_mrenclave[32] = {0xe1, 0xe2, 0xe3};

static void cmac(const uint8_t key[16], const void *d, size_t n, uint8_t mac[16])
{
    size_t len = 0;
    EVP_Q_mac(NULL, "CMAC", NULL, "AES-128-CBC", NULL, key, 16, d, n, mac, 16, &len);
}

void enclave_ereport(const void *targetinfo, const void *reportdata, struct sgx_report *out)
{
    uint8_t key[16];
    memset(out, 0, sizeof(*out));
    memcpy(out->body.mrenclave, my_mrenclave, 32);
    out->body.attributes.flags = SGX_ATTR_INIT | SGX_ATTR_MODE64BIT;
    memcpy(out->body.report_data, reportdata, 64);
    memset(out->key_id, 0x33, 32);
    sim_report_key_for(targetinfo, out->key_id, key);
    cmac(key, &out->body, sizeof(out->body), out->mac);
}

uint64_t enclave_egetkey(const struct sgx_keyrequest *req, uint8_t key[16])
{
    struct sgx_targetinfo me = {0};
    memcpy(me.measurement, my_mrenclave, 32);
    me.attributes.flags = SGX_ATTR_INIT | SGX_ATTR_MODE64BIT;
    return sim_report_key_for(&me, req->key_id, key) ? 1 : 0;
}

/* Stand-ins under names of their own (the host library has the real
 * crypto.c and the direct PAL's platform hooks): pal_attest.c below calls
 * these. */
static int test_aes_cmac(const uint8_t key[16], const void *data, size_t len, uint8_t mac[16])
{
    cmac(key, data, len, mac);
    return 0;
}

static int logged;
static void test_platform_log(const char *msg, size_t len)
{
    (void)msg, (void)len;
    logged++;
}

#define enclave_aes_cmac test_aes_cmac
#define crypto_platform_log test_platform_log
#include "../../pal/sgx/enclave/pal_attest.c"
#undef enclave_aes_cmac
#undef crypto_platform_log

static enum { T_NONE, T_SHORT_TI, T_BODY, T_RDATA, T_SIGLEN, T_SIZE, T_TRUNC, T_ERRNO } tamper;

static void hostile(uint64_t number, int64_t *result, uint8_t *out, uint64_t *out_size)
{
    if (number == OCALL_ATTEST_QE_TARGET && tamper == T_SHORT_TI)
        *out_size = 511;
    if (number != OCALL_ATTEST_QUOTE || *result < 0)
        return;
    switch (tamper) {
    case T_BODY:
        out[48 + 64] ^= 1;
        break; /* MRENCLAVE */
    case T_RDATA:
        out[48 + 320] ^= 1;
        break; /* report data */
    case T_SIGLEN:
        out[432] ^= 1;
        break;
    case T_SIZE:
        *result += 1;
        break;
    case T_TRUNC:
        *out_size -= 1, *result -= 1;
        break;
    case T_ERRNO:
        *result = -ECONNREFUSED;
        break;
    default:
        break;
    }
}

int main(void)
{
    static const uint8_t root[16] = {9};
    static uint8_t q[8192];
    uint8_t rd[64], pub[64];
    struct quote_v3 p;
    struct pal_api api = {0};
    char why[256];

    sgx_sim_set_root_key(root);
    enclave_fill_attest(&api);
    memset(rd, 0xab, sizeof(rd));
    EVP_PKEY *k = sgx_sim_qe_key();
    quote_ecdsa_pub(k, pub);
    EVP_PKEY_free(k);

    urts_quote_configure(true, 0);
    CHECK(api.attest_quote(rd, q, sizeof(q)) == -PAL_EPERM,
          "sgx.remote_attestation = none: the host gives no quote (EPERM)");
    urts_quote_configure(true, 1);
    CHECK(api.attest_quote(rd, q, sizeof(q)) == -PAL_EPERM, "epid in the sim: no quote (EPERM)");

    urts_quote_configure(true, 2);
    long n = api.attest_quote(rd, q, sizeof(q));
    CHECK(n > 436 && !quote_parse(q, (size_t)n, &p, why, sizeof(why)) &&
              !quote_verify_sim(&p, pub, why, sizeof(why)) &&
              !memcmp(p.body->mrenclave, my_mrenclave, 32) && !memcmp(p.body->report_data, rd, 64),
          "dcap in the sim: a quote of this enclave's report with the report data, verified (%ld)",
          n);
    CHECK(api.attest_quote(rd, q, 500) == -PAL_ENOSPC, "a buffer too small: ENOSPC");

    loopback_tamper = hostile;
    struct {
        int t;
        long want;
        const char *what;
    } cases[] = {
        {T_SHORT_TI, -PAL_EIO, "a 511-byte QE TARGETINFO"},
        {T_BODY, -PAL_EPERM, "a quote of another enclave's body"},
        {T_RDATA, -PAL_EPERM, "a quote with other report data"},
        {T_SIGLEN, -PAL_EPERM, "a quote whose declared size is not its size"},
        {T_SIZE, -PAL_EIO, "a result larger than the reply"},
        {T_TRUNC, -PAL_EPERM, "a quote cut short by a byte"},
        {T_ERRNO, -PAL_EIO, "an errno outside the allowed list"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tamper = cases[i].t;
        logged = 0;
        memset(q, 0x55, sizeof(q));
        long r = api.attest_quote(rd, q, sizeof(q));
        CHECK(r == cases[i].want, "hostile host: %s is refused (%ld, want %ld)", cases[i].what, r,
              cases[i].want);
    }
    tamper = T_BODY;
    api.attest_quote(rd, q, sizeof(q));
    CHECK(q[0] == 0 && q[100] == 0 && logged, "a refused quote is wiped and the refusal logged");
    loopback_tamper = NULL;

    uint8_t me[512], rep[432];
    struct sgx_targetinfo ti;
    CHECK(api.attest_target_info(me) == 0 && !memcmp(me, my_mrenclave, 32),
          "my_target_info carries this enclave's MRENCLAVE");
    CHECK(api.attest_report(me, rd, rep) == 0 && api.attest_verify_report(rep) == 0,
          "a report for its own TARGETINFO verifies");
    rep[64] ^= 1;
    CHECK(api.attest_verify_report(rep) == -PAL_EPERM, "a changed byte: EPERM");
    sgx_sim_qe_target_info(&ti);
    CHECK(api.attest_report(&ti, rd, rep) == 0 && api.attest_verify_report(rep) == -PAL_EPERM,
          "a report made for another target: EPERM");
    return TAP_DONE();
}
