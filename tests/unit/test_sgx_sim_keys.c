/* EREPORT and EGETKEY in the sim, from real enclave runs: a REPORT for a
 * target enclave verifies with the target's EGETKEY(REPORT) key (and not
 * with another enclave's); SEAL keys follow KEYPOLICY (MRENCLAVE vs.
 * MRSIGNER); the SDM's error codes for bad requests. */
#include <openssl/evp.h>
#include <sys/stat.h>

#include "../sgx/enclaves/sim_harness.h"
#include "tap.h"

static sgx_sign_key *key1, *key2;

static int load(struct tenc *t, sgx_sign_key *k, uint64_t heap)
{
    struct tenc_opts o = {.threads = 1, .nssa = 2, .cpu_edeccssa = true, .key = k, .heap_size = heap};

    return tenc_load(t, &o);
}

/* EGETKEY in t; returns its RAX (0 or an SGX error). */
static uint64_t getkey(struct tenc *t, const struct sgx_keyrequest *kr, uint8_t out[16])
{
    struct sgx_enclave_run run;
    struct tres r;

    memset(out, 0, 16);
    tenc_enter(t, 0, SGX_EENTER, CMD_EGETKEY, (uintptr_t)kr, (uintptr_t)out, 0, 0, &run, &r);
    return run.function == SGX_EEXIT ? r.rdi : 0xdead;
}

static uint64_t seal_key(struct tenc *t, uint16_t policy, uint8_t out[16])
{
    struct sgx_keyrequest kr;

    memset(&kr, 0, sizeof(kr));
    kr.key_name = SGX_KEYNAME_SEAL;
    kr.key_policy = policy;
    kr.attribute_mask.flags = ~0ULL;
    kr.attribute_mask.xfrm = ~0ULL;
    return getkey(t, &kr, out);
}

static void report_for(struct tenc *src, const struct sgx_secs *target, struct sgx_report *rep)
{
    struct sgx_targetinfo ti;
    struct sgx_enclave_run run;
    uint8_t data[64] __attribute__((aligned(64)));
    struct tres r;

    memset(&ti, 0, sizeof(ti));
    memcpy(ti.measurement, target->mrenclave, 32);
    ti.attributes = target->attributes;
    ti.miscselect = target->miscselect;
    for (int i = 0; i < 64; i++)
        data[i] = (uint8_t)i;
    memset(rep, 0, sizeof(*rep));
    tenc_enter(src, 0, SGX_EENTER, CMD_EREPORT, (uintptr_t)&ti, (uintptr_t)data, (uintptr_t)rep, 0, &run, &r);
}

static int cmac_ok(const uint8_t k[16], const struct sgx_report *rep)
{
    uint8_t mac[16];
    size_t n = 0;

    return EVP_Q_mac(NULL, "CMAC", NULL, "AES-128-CBC", NULL, k, 16, (const uint8_t *)&rep->body, sizeof(rep->body), mac, 16, &n) &&
           n == 16 && !memcmp(mac, rep->mac, 16);
}

static void test_report(struct tenc *a, struct tenc *b, struct tenc *c)
{
    const struct sgx_secs *sa = sgx_sim_secs(a->encl), *sb = sgx_sim_secs(b->encl);
    struct sgx_keyrequest kr;
    struct sgx_report rep;
    uint8_t kb[16], ka[16];

    report_for(a, sb, &rep);
    CHECK(!memcmp(rep.body.mrenclave, sa->mrenclave, 32) && !memcmp(rep.body.mrsigner, sa->mrsigner, 32) &&
              rep.body.isv_prod_id == 7 && rep.body.isv_svn == 3 && rep.body.report_data[63] == 63 &&
              rep.body.attributes.flags == sa->attributes.flags,
          "REPORT body: the reporting enclave's identity and REPORTDATA");
    memset(&kr, 0, sizeof(kr));
    kr.key_name = SGX_KEYNAME_REPORT;
    memcpy(kr.key_id, rep.key_id, 32);
    CHECK(getkey(b, &kr, kb) == 0 && cmac_ok(kb, &rep), "the target's EGETKEY(REPORT) key verifies the MAC");
    CHECK(getkey(c, &kr, ka) == 0 && !cmac_ok(ka, &rep) && memcmp(ka, kb, 16),
          "an enclave with another MRENCLAVE gets another report key: no verification");
    CHECK(getkey(a, &kr, ka) == 0 && !memcmp(ka, kb, 16),
          "the report key binds MRENCLAVE, not MRSIGNER (A and B share MRENCLAVE)");
    rep.body.report_data[0] ^= 1;
    CHECK(!cmac_ok(kb, &rep), "a changed REPORT body fails verification");
}

static void test_seal_policy(struct tenc *a, struct tenc *b, struct tenc *c)
{
    uint8_t ka[16], kb[16], kc[16], k2[16];

    /* a, b: same MRENCLAVE, different signers; a, c: same signer, different MRENCLAVE. */
    CHECK(seal_key(a, SGX_KEYPOLICY_MRENCLAVE, ka) == 0 && seal_key(b, SGX_KEYPOLICY_MRENCLAVE, kb) == 0 &&
              seal_key(c, SGX_KEYPOLICY_MRENCLAVE, kc) == 0,
          "EGETKEY(SEAL, MRENCLAVE) succeeds");
    CHECK(!memcmp(ka, kb, 16) && memcmp(ka, kc, 16), "MRENCLAVE policy: same for the same MRENCLAVE only");
    seal_key(a, SGX_KEYPOLICY_MRSIGNER, ka);
    seal_key(b, SGX_KEYPOLICY_MRSIGNER, kb);
    seal_key(c, SGX_KEYPOLICY_MRSIGNER, kc);
    CHECK(!memcmp(ka, kc, 16) && memcmp(ka, kb, 16), "MRSIGNER policy: same for the same signer only");
    seal_key(a, SGX_KEYPOLICY_MRSIGNER, k2);
    CHECK(!memcmp(ka, k2, 16), "keys are deterministic");
}

static void test_errors(struct tenc *a)
{
    struct sgx_keyrequest kr;
    uint8_t k[16];

    memset(&kr, 0, sizeof(kr));
    kr.key_name = 9;
    CHECK(getkey(a, &kr, k) == SGX_INVALID_KEYNAME, "unknown key name -> SGX_INVALID_KEYNAME");
    kr.key_name = SGX_KEYNAME_SEAL;
    kr.isv_svn = 4;
    CHECK(getkey(a, &kr, k) == SGX_INVALID_ISVSVN, "ISVSVN above the enclave's -> SGX_INVALID_ISVSVN");
    kr.isv_svn = 2;
    kr.cpu_svn[0] = 1;
    CHECK(getkey(a, &kr, k) == SGX_INVALID_CPUSVN, "CPUSVN above the CPU's -> SGX_INVALID_CPUSVN");
    kr.cpu_svn[0] = 0;
    kr.key_name = SGX_KEYNAME_PROVISION;
    CHECK(getkey(a, &kr, k) == SGX_INVALID_ATTRIBUTE, "PROVISION key without PROVISIONKEY -> SGX_INVALID_ATTRIBUTE");
    kr.key_name = SGX_KEYNAME_SEAL;
    CHECK(getkey(a, &kr, k) == 0, "an older ISVSVN is allowed");
}

/* The root key file: created 0600 with 16 random bytes, reloaded as is;
 * every key depends on the root key. */
static void test_root_key(struct tenc *a)
{
    char dir[] = "/tmp/geode-sim-key-XXXXXX", path[256];
    uint8_t k1[16], k2[16], k3[16];
    struct stat st;

    if (!mkdtemp(dir))
        return;
    snprintf(path, sizeof(path), "%s/cfg/geode/sim-root-key", dir);
    CHECK(sgx_sim_load_root_key(path) == 0 && stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 &&
              st.st_size == 16,
          "root key file created with mode 0600 and 16 bytes");
    seal_key(a, SGX_KEYPOLICY_MRSIGNER, k1);
    CHECK(sgx_sim_load_root_key(path) == 0 && seal_key(a, SGX_KEYPOLICY_MRSIGNER, k2) == 0 && !memcmp(k1, k2, 16),
          "reloading the file gives the same keys");
    sgx_sim_set_root_key((const uint8_t *)"another-root-key");
    seal_key(a, SGX_KEYPOLICY_MRSIGNER, k3);
    CHECK(memcmp(k1, k3, 16), "another root key (another machine) gives other keys");
    unlink(path);
    snprintf(path, sizeof(path), "%s/cfg/geode", dir);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/cfg", dir);
    rmdir(path);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    struct tenc a, b, c;
    struct sgx_sim_counters n;

    (void)argc;
    harness_init(argv[0]);
    key1 = sgx_key_generate(NULL);
    key2 = sgx_key_generate(NULL);
    if (!CHECK(key1 && key2, "signing keys"))
        return TAP_DONE();
    if (!CHECK(load(&a, key1, 0) == 0 && load(&b, key2, 0) == 0 && load(&c, key1, 8 * 4096) == 0,
               "three enclaves: A, B (same code, other signer), C (other layout, A's signer)"))
        return TAP_DONE();
    test_report(&a, &b, &c);
    test_seal_policy(&a, &b, &c);
    test_errors(&a);
    test_root_key(&a);
    sgx_sim_counters(a.encl, &n);
    CHECK(n.ereport == 1 && n.egetkey >= 5, "counters: EREPORT %lu, EGETKEY %lu", (unsigned long)n.ereport,
          (unsigned long)n.egetkey);
    tenc_close(&a);
    tenc_close(&b);
    tenc_close(&c);
    sgx_key_free(key1);
    sgx_key_free(key2);
    return TAP_DONE();
}
