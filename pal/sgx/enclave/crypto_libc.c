/* The libcrypto symbols the enclave defines itself. gcm128.o refers to them;
 * the objects that normally define them would bring in OPENSSL_cpuid_setup
 * (CPUID, getenv) and the allocator, which the enclave has no use for: the
 * AEAD context is the caller's storage and crypto.c sets the capability
 * vector from the host's CPUID report. */
#include <stddef.h>
#include <stdint.h>

/* OpenSSL's CPU capability vector (crypto.c fills it once). */
unsigned int OPENSSL_ia32cap_P[4];

/* 0 when equal; time independent of the contents (GCM tag check). */
int CRYPTO_memcmp(const void *a, const void *b, size_t len)
{
    const volatile uint8_t *x = a, *y = b;
    uint8_t d = 0;

    for (size_t i = 0; i < len; i++)
        d |= x[i] ^ y[i];
    return d;
}

/* Only CRYPTO_gcm128_new/release allocate, and crypto.c calls neither:
 * allocation fails, and freeing the NULL it returned does nothing. */
void *CRYPTO_malloc(size_t num, const char *file, int line)
{
    (void)num, (void)file, (void)line;
    return NULL;
}

void CRYPTO_clear_free(void *ptr, size_t num, const char *file, int line)
{
    (void)ptr, (void)num, (void)file, (void)line;
}
