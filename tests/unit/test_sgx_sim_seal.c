/* The sealing key the trusted PAL asks for (enclave_seal_key in
 * pal/sgx/enclave/crypto_enclave.c: SEAL, MRENCLAVE policy, its own ISVSVN
 * and CPUSVN, every ATTRIBUTES and MISCSELECT bit in the masks, a KEYID), in
 * the sim: enclaves with the same MRENCLAVE derive the same key for the same
 * KEYID, other KEYIDs and other MRENCLAVEs give other keys; the masks are
 * part of the derivation (SDM), and a KEYREQUEST with reserved bytes set is
 * a #GP. */
#include "../sgx/enclaves/sim_harness.h"
#include "tap.h"

static int load(struct tenc *t, sgx_sign_key *k, uint64_t heap)
{
    struct tenc_opts o = {
        .threads = 1, .nssa = 2, .cpu_edeccssa = true, .key = k, .heap_size = heap};

    return tenc_load(t, &o);
}

/* EGETKEY in t: its RAX (0 or an SGX error), or 0xdead and the run's
 * exception in *run when the enclave did not exit normally. */
static uint64_t getkey(struct tenc *t, const struct sgx_keyrequest *kr, uint8_t out[16],
                       struct sgx_enclave_run *run)
{
    struct tres r;

    memset(out, 0, 16);
    tenc_enter(t, 0, SGX_EENTER, CMD_EGETKEY, (uintptr_t)kr, (uintptr_t)out, 0, 0, run, &r);
    return run->function == SGX_EEXIT ? r.rdi : 0xdead;
}

/* enclave_seal_key's request (the test enclave's ISVSVN is 3). */
static void pal_request(struct sgx_keyrequest *kr, uint8_t id)
{
    memset(kr, 0, sizeof(*kr));
    kr->key_name = SGX_KEYNAME_SEAL;
    kr->key_policy = SGX_KEYPOLICY_MRENCLAVE;
    kr->isv_svn = 3;
    kr->attribute_mask.flags = ~0ULL;
    kr->attribute_mask.xfrm = ~0ULL;
    kr->misc_mask = ~0U;
    memset(kr->key_id, id, sizeof(kr->key_id));
}

static int key_for(struct tenc *t, const struct sgx_keyrequest *kr, uint8_t out[16])
{
    struct sgx_enclave_run run;

    return getkey(t, kr, out, &run) == 0 ? 0 : -1;
}

static void test_keyid(struct tenc *a, struct tenc *b, struct tenc *c)
{
    struct sgx_keyrequest kr;
    uint8_t a1[16], b1[16], a2[16], c1[16], again[16];

    pal_request(&kr, 1);
    CHECK(!key_for(a, &kr, a1) && !key_for(b, &kr, b1) && !key_for(c, &kr, c1) &&
              !key_for(a, &kr, again),
          "the PAL's request succeeds in every enclave");
    CHECK(!memcmp(a1, b1, 16) && !memcmp(a1, again, 16),
          "same MRENCLAVE (other signer), same KEYID: the same key, every time");
    CHECK(memcmp(a1, c1, 16), "another MRENCLAVE: another key");
    pal_request(&kr, 2);
    CHECK(!key_for(a, &kr, a2) && memcmp(a1, a2, 16), "another KEYID: another key");
    kr.key_id[31] ^= 0x80;
    CHECK(!key_for(a, &kr, again) && memcmp(a2, again, 16), "one bit of KEYID changes the key");
}

static void test_masks(struct tenc *a)
{
    struct sgx_keyrequest kr;
    uint8_t full[16], k[16];

    pal_request(&kr, 1);
    key_for(a, &kr, full);
    kr.attribute_mask.flags = SGX_ATTR_INIT | SGX_ATTR_DEBUG | SGX_ATTR_MODE64BIT;
    CHECK(!key_for(a, &kr, k) && memcmp(full, k, 16), "ATTRIBUTEMASK is itself bound (flags)");
    pal_request(&kr, 1);
    kr.attribute_mask.xfrm = 3;
    CHECK(!key_for(a, &kr, k) && memcmp(full, k, 16), "ATTRIBUTEMASK is itself bound (XFRM)");
    pal_request(&kr, 1);
    kr.misc_mask = 0;
    CHECK(!key_for(a, &kr, k) && memcmp(full, k, 16), "MISCMASK is itself bound");
}

static void test_reserved(struct tenc *d)
{
    struct sgx_keyrequest kr;
    struct sgx_enclave_run run;
    uint8_t k[16];
    uint64_t rax;

    pal_request(&kr, 1);
    kr.reserved2[100] = 1;
    rax = getkey(d, &kr, k, &run);
    CHECK(rax == 0xdead && run.exception_vector == SGX_VEC_GP,
          "a KEYREQUEST with a reserved byte set: #GP (vector %u)", run.exception_vector);
}

int main(int argc, char **argv)
{
    struct tenc a, b, c, d;
    sgx_sign_key *key1, *key2;

    (void)argc;
    harness_init(argv[0]);
    key1 = sgx_key_generate(NULL);
    key2 = sgx_key_generate(NULL);
    if (!CHECK(key1 && key2, "signing keys"))
        return TAP_DONE();
    if (!CHECK(load(&a, key1, 0) == 0 && load(&b, key2, 0) == 0 && load(&c, key1, 8 * 4096) == 0 &&
                   load(&d, key1, 0) == 0,
               "enclaves: A, B (same code, other signer), C (other layout), D (for the #GP)"))
        return TAP_DONE();
    test_keyid(&a, &b, &c);
    test_masks(&a);
    test_reserved(&d);
    tenc_close(&a);
    tenc_close(&b);
    tenc_close(&c);
    tenc_close(&d);
    sgx_key_free(key1);
    sgx_key_free(key2);
    return TAP_DONE();
}
