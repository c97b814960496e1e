/* The protected-files format's parsing of what the host gives back
 * (libos/pf): metadata node, tree nodes and data nodes from the input as
 * the host file. The cipher is a stand-in (identity, with a tag that
 * passes unless its first byte is 0xff), so that the fuzzer reaches what
 * lies behind the MAC checks: a real host cannot forge those, but the
 * decoding after them must hold for any bytes. */
#include <stdlib.h>
#include <string.h>

#include "pf.h"

struct hostfile {
    const uint8_t *data;
    size_t len;
};

static long f_read(void *arg, void *buf, size_t len, uint64_t off)
{
    const struct hostfile *h = arg;
    if (off >= h->len)
        return 0;
    size_t n = h->len - off < len ? h->len - off : len;
    memcpy(buf, h->data + off, n);
    return (long)n;
}
static long f_write(void *arg, const void *buf, size_t len, uint64_t off)
{
    (void)arg, (void)buf, (void)off;
    return (long)len; /* flushes go nowhere */
}
static long f_truncate(void *arg, uint64_t size) { return (void)arg, (void)size, 0; }
static long c_seal(const uint8_t *key, const uint8_t *iv, const void *aad, size_t aad_len,
                   const void *in, void *out, size_t len, uint8_t *tag)
{
    (void)key, (void)iv, (void)aad, (void)aad_len;
    memmove(out, in, len);
    memset(tag, 0, PF_MAC_SIZE);
    return 0;
}
static long c_open(const uint8_t *key, const uint8_t *iv, const void *aad, size_t aad_len,
                   const void *in, void *out, size_t len, const uint8_t *tag)
{
    (void)key, (void)iv, (void)aad, (void)aad_len;
    if (tag[0] == 0xff)
        return -1;
    memmove(out, in, len);
    return 0;
}
static long c_random(void *buf, size_t len) { return memset(buf, 7, len), 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t key[PF_KEY_SIZE];
    struct hostfile h = {data, size};
    struct pf_ops ops = {&h, f_read, f_write, f_truncate, c_seal, c_open, c_random};
    struct pf_file pf;
    uint8_t buf[6000];

    if (pf_open(&pf, &ops, key, "/enc/f", size) == 0) {
        for (uint64_t off = 0; off < pf.size;) {
            long n = pf_read(&pf, buf, sizeof(buf), off);
            if (n <= 0)
                break;
            off += (uint64_t)n;
        }
        if (pf_write(&pf, "x", 1, pf.size / 2) == 1 && pf_set_size(&pf, pf.size / 3) == 0)
            pf_flush(&pf);
    }
    pf_close(&pf);
    return 0;
}
