/* The libOS's own SHA-256 (libos/lib/sha256.c, freestanding: the libOS
 * links no libcrypto) against the NIST example vectors and against
 * OpenSSL on random inputs of random lengths, fed whole and in random
 * pieces (every block-boundary case of sha256_update and the padding). */
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "../../libos/lib/sha256.c"
#include "tap.h"

static void hex(const uint8_t *d, char out[65])
{
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

static int digest_is(const void *data, size_t len, const char *want)
{
    uint8_t d[SHA256_LEN];
    char h[65];
    sha256(data, len, d);
    hex(d, h);
    return !strcmp(h, want);
}

static void nist_vectors(void)
{
    CHECK(digest_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
          "NIST: empty message");
    CHECK(digest_is("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
          "NIST: \"abc\"");
    const char *m2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    CHECK(digest_is(m2, strlen(m2),
                    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
          "NIST: 448-bit two-block message");
    const char *m3 =
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
        "klmnopqrlmnopqrsmnopqrstnopqrstu";
    CHECK(digest_is(m3, strlen(m3),
                    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
          "NIST: 896-bit message");
    size_t n = 1000000;
    char *a = malloc(n);
    memset(a, 'a', n);
    CHECK(digest_is(a, n, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
          "NIST: one million 'a'");
    free(a);
}

/* Feeds buf to ctx in random pieces (0..130 bytes). */
static void update_in_pieces(struct sha256_ctx *c, const uint8_t *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        size_t n = (size_t)(rand() % 131);
        n = n > len - off ? len - off : n;
        sha256_update(c, buf + off, n);
        off += n;
    }
}

static void random_vs_openssl(void)
{
    static uint8_t buf[20000];
    int whole_bad = 0, pieces_bad = 0, runs = 500;
    srand(20260517);
    for (int i = 0; i < runs; i++) {
        /* Short lengths often (every padding case), long ones sometimes. */
        size_t len = (size_t)(i < 300 ? i : rand() % (int)sizeof(buf));
        for (size_t j = 0; j < len; j++)
            buf[j] = (uint8_t)rand();
        uint8_t want[32], got[32];
        SHA256(buf, len, want);
        sha256(buf, len, got);
        whole_bad += memcmp(want, got, 32) != 0;
        struct sha256_ctx c;
        sha256_init(&c);
        update_in_pieces(&c, buf, len);
        sha256_final(&c, got);
        pieces_bad += memcmp(want, got, 32) != 0;
    }
    CHECK(whole_bad == 0,
          "%d random inputs (0..299 bytes, then random up to 20000) equal OpenSSL's "
          "SHA256 (%d differ)",
          runs, whole_bad);
    CHECK(pieces_bad == 0, "the same inputs fed in random pieces equal OpenSSL's (%d differ)",
          pieces_bad);
}

int main(void)
{
    nist_vectors();
    random_vs_openssl();
    return TAP_DONE();
}
