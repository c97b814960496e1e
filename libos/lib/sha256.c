/* SHA-256 as FIPS 180-4 describes it, one 64-byte block at a time. Plain
 * integer code (the libOS is built with -mgeneral-regs-only); checked
 * against OpenSSL in tests/unit/test_sha256.c. */
#include "sha256.h"

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* One round on the working variables v[0..7] = a..h, written without
 * moving them: round i uses v[(k - i) & 7] for variable k. */
#define ROUND(i)                                                                                   \
    do {                                                                                           \
        uint32_t *a_ = &v[(0 - (i)) & 7], *b_ = &v[(1 - (i)) & 7], *c_ = &v[(2 - (i)) & 7];        \
        uint32_t *d_ = &v[(3 - (i)) & 7], *e_ = &v[(4 - (i)) & 7], *f_ = &v[(5 - (i)) & 7];        \
        uint32_t *g_ = &v[(6 - (i)) & 7], *h_ = &v[(7 - (i)) & 7];                                 \
        uint32_t t1 = *h_ + (ror(*e_, 6) ^ ror(*e_, 11) ^ ror(*e_, 25)) +                          \
                      ((*e_ & *f_) ^ (~*e_ & *g_)) + K[i] + w[i];                                  \
        uint32_t t2 = (ror(*a_, 2) ^ ror(*a_, 13) ^ ror(*a_, 22)) +                                \
                      ((*a_ & *b_) ^ (*a_ & *c_) ^ (*b_ & *c_));                                   \
        *d_ += t1;                                                                                 \
        *h_ = t1 + t2;                                                                             \
    } while (0)

static void compress(uint32_t h[8], const uint8_t block[64])
{
    uint32_t w[64], v[8];
    for (int i = 0; i < 16; i++)
        w[i] = load_be32(block + 4 * i);
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    for (int i = 0; i < 8; i++)
        v[i] = h[i];
    /* Eight rounds per iteration, so every index below is a constant. */
    for (int i = 0; i < 64; i += 8) {
        ROUND(i + 0);
        ROUND(i + 1);
        ROUND(i + 2);
        ROUND(i + 3);
        ROUND(i + 4);
        ROUND(i + 5);
        ROUND(i + 6);
        ROUND(i + 7);
    }
    for (int i = 0; i < 8; i++)
        h[i] += v[i];
}

void sha256_init(struct sha256_ctx *c)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    for (int i = 0; i < 8; i++)
        c->h[i] = iv[i];
    c->total = 0;
    c->used = 0;
}

void sha256_update(struct sha256_ctx *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    c->total += len;
    while (len > 0) {
        if (c->used == 0 && len >= 64) { /* whole blocks straight from the input */
            compress(c->h, p);
            p += 64, len -= 64;
            continue;
        }
        size_t n = 64 - c->used < len ? 64 - c->used : len;
        for (size_t i = 0; i < n; i++)
            c->block[c->used + i] = p[i];
        c->used += n, p += n, len -= n;
        if (c->used == 64) {
            compress(c->h, c->block);
            c->used = 0;
        }
    }
}

/* Padding: 0x80, zeros up to 56 mod 64, the bit length big-endian. */
void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_LEN])
{
    uint64_t bits = c->total * 8;
    c->block[c->used++] = 0x80;
    if (c->used > 56) {
        while (c->used < 64)
            c->block[c->used++] = 0;
        compress(c->h, c->block);
        c->used = 0;
    }
    while (c->used < 56)
        c->block[c->used++] = 0;
    store_be32(c->block + 56, (uint32_t)(bits >> 32));
    store_be32(c->block + 60, (uint32_t)bits);
    compress(c->h, c->block);
    for (int i = 0; i < 8; i++)
        store_be32(out + 4 * i, c->h[i]);
}

void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN])
{
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, data, len);
    sha256_final(&c, out);
}
