/* The sim's quoting enclave (pal/sgx/sim/sim_qe.c) and the quote parser and
 * checks (pal/sgx/identity/quote_verify.c), without an enclave: a REPORT MACed
 * here with the QE's report key, as EREPORT would. */
#include <errno.h>
#include <openssl/evp.h>
#include <string.h>

#include "quote_verify.h"
#include "sim_qe.h"
#include "sim_run.h"
#include "tap.h"

static void make_report(struct sgx_report *r, uint8_t fill)
{
    struct sgx_targetinfo ti;
    uint8_t key[16];
    size_t n = 0;

    memset(r, 0, sizeof(*r));
    memset(r->body.mrenclave, fill, 32);
    memset(r->body.report_data, fill ^ 0xff, 64);
    memset(r->key_id, 0x42, 32);
    sgx_sim_qe_target_info(&ti);
    sim_report_key_for(&ti, r->key_id, key);
    EVP_Q_mac(NULL, "CMAC", NULL, "AES-128-CBC", NULL, key, 16, (const uint8_t *)&r->body,
              sizeof(r->body), r->mac, 16, &n);
}

static int verify(const uint8_t *q, size_t len, const uint8_t pub[64])
{
    struct quote_v3 p;
    char why[256];
    return quote_parse(q, len, &p, why, sizeof(why)) || quote_verify_sim(&p, pub, why, sizeof(why));
}

int main(void)
{
    static const uint8_t root1[16] = {1}, root2[16] = {2};
    struct sgx_report r;
    struct quote_v3 p;
    uint8_t q[8192], pub[64], pub2[64];
    char why[256];
    EVP_PKEY *k;

    sgx_sim_set_root_key(root1);
    k = sgx_sim_qe_key();
    CHECK(k && !quote_ecdsa_pub(k, pub), "the sim QE's key derives from the root secret");
    EVP_PKEY_free(k);
    k = sgx_sim_qe_key();
    CHECK(k && !quote_ecdsa_pub(k, pub2) && !memcmp(pub, pub2, 64), "deterministically");
    EVP_PKEY_free(k);

    make_report(&r, 0x11);
    long n = sgx_sim_qe_quote(&r, q, sizeof(q));
    CHECK(n > SGX_QUOTE_MIN_SIZE && !quote_parse(q, (size_t)n, &p, why, sizeof(why)) &&
              p.size == (size_t)n && !memcmp(p.body, &r.body, sizeof(r.body)) && p.auth_len == 32 &&
              p.cert_type == 1 && p.cert_len == 36,
          "a quote of a REPORT for the QE: v3 layout, the report body, auth and certification data "
          "(%ld bytes)",
          n);
    CHECK(verify(q, (size_t)n, pub) == 0, "it verifies with the QE's key");
    CHECK(sgx_sim_qe_quote(&r, q, 500) == -ENOSPC, "a short buffer: ENOSPC");
    r.mac[0] ^= 1;
    CHECK(sgx_sim_qe_quote(&r, q + 4096, 4096) == -EPERM, "a REPORT with a wrong MAC: EPERM");
    r.mac[0] ^= 1;

    int bad = 0;
    for (long len = 0; len < n; len++)
        bad |= quote_parse(q, (size_t)len, &p, why, sizeof(why)) == 0;
    CHECK(!bad, "every truncation is refused by the parser");
    uint8_t longer[8192];
    memcpy(longer, q, (size_t)n);
    CHECK(quote_parse(longer, (size_t)n + 1, &p, why, sizeof(why)) != 0, "a trailing byte too");
    int missed = 0;
    for (long i = 0; i < n; i++) {
        q[i] ^= 0x01;
        missed += verify(q, (size_t)n, pub) == 0;
        q[i] ^= 0x01;
    }
    CHECK(!missed, "every single flipped bit of the quote fails verification (%d missed)", missed);
    q[0] = 2;
    CHECK(quote_parse(q, (size_t)n, &p, why, sizeof(why)) != 0 && strstr(why, "version"),
          "version 2 (EPID) is not a v3 quote: %s", why);
    q[0] = 3;

    sgx_sim_set_root_key(root2);
    make_report(&r, 0x22);
    CHECK(sgx_sim_qe_quote(&r, q, sizeof(q)) > 0,
          "another machine's sim QE quotes its own reports");
    k = sgx_sim_qe_key();
    quote_ecdsa_pub(k, pub2);
    EVP_PKEY_free(k);
    n = sgx_sim_qe_quote(&r, q, sizeof(q));
    CHECK(verify(q, (size_t)n, pub) != 0 && verify(q, (size_t)n, pub2) == 0,
          "its quotes do not verify with the first machine's key (the secret is the trust)");
    return TAP_DONE();
}
