/* Host callbacks of the protected-files format (pf_host.h). */
#include "pf_host.h"

#include <openssl/evp.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

static long gcm(int enc, const uint8_t key[PF_KEY_SIZE], const uint8_t iv[PF_IV_SIZE],
                const void *aad, size_t aad_len, const void *in, void *out, size_t len,
                uint8_t *tag)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, ok = c && EVP_CipherInit_ex(c, EVP_aes_128_gcm(), NULL, key, iv, enc) == 1;
    if (ok && aad_len)
        ok = EVP_CipherUpdate(c, NULL, &n, aad, (int)aad_len) == 1;
    if (ok && len)
        ok = EVP_CipherUpdate(c, out, &n, in, (int)len) == 1;
    if (ok && !enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, PF_MAC_SIZE, tag) == 1;
    if (ok)
        ok = EVP_CipherFinal_ex(c, (uint8_t *)out + n, &n) == 1;
    if (ok && enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, PF_MAC_SIZE, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok ? 0 : -PF_EIO;
}

static long seal(const uint8_t key[PF_KEY_SIZE], const uint8_t iv[PF_IV_SIZE], const void *aad,
                 size_t aad_len, const void *in, void *out, size_t len, uint8_t tag[PF_MAC_SIZE])
{
    return gcm(1, key, iv, aad, aad_len, in, out, len, tag);
}

static long open_(const uint8_t key[PF_KEY_SIZE], const uint8_t iv[PF_IV_SIZE], const void *aad,
                  size_t aad_len, const void *in, void *out, size_t len,
                  const uint8_t tag[PF_MAC_SIZE])
{
    uint8_t t[PF_MAC_SIZE];
    memcpy(t, tag, sizeof(t));
    return gcm(0, key, iv, aad, aad_len, in, out, len, t);
}

static long rnd(void *buf, size_t len)
{
    return getrandom(buf, len, 0) == (ssize_t)len ? 0 : -PF_EIO;
}

static long fd_read(void *arg, void *buf, size_t len, uint64_t off)
{
    size_t done = 0;
    while (done < len) {
        ssize_t r = pread(*(int *)arg, (char *)buf + done, len - done, (off_t)(off + done));
        if (r < 0)
            return -5;
        if (r == 0)
            break;
        done += (size_t)r;
    }
    return (long)done;
}

static long fd_write(void *arg, const void *buf, size_t len, uint64_t off)
{
    size_t done = 0;
    while (done < len) {
        ssize_t r = pwrite(*(int *)arg, (const char *)buf + done, len - done, (off_t)(off + done));
        if (r <= 0)
            return -5;
        done += (size_t)r;
    }
    return (long)done;
}

static long fd_truncate(void *arg, uint64_t size)
{
    return ftruncate(*(int *)arg, (off_t)size) ? -5 : 0;
}

void pf_host_ops(struct pf_ops *ops, int *fd)
{
    *ops = (struct pf_ops){.arg = fd,
                           .read = fd_read,
                           .write = fd_write,
                           .truncate = fd_truncate,
                           .seal = seal,
                           .open = open_,
                           .random = rnd};
}
