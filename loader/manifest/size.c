/* Sizes in manifests: "256M", "4G", "512K", "1T", or a plain byte count. */
#include <ctype.h>
#include <stdint.h>

#include "manifest/manifest.h"

static int unit_shift(char c)
{
    switch (toupper((unsigned char)c)) {
    case 'K':
        return 10;
    case 'M':
        return 20;
    case 'G':
        return 30;
    case 'T':
        return 40;
    default:
        return -1;
    }
}

int manifest_parse_size(const char *s, uint64_t *out)
{
    uint64_t n = 0;
    const char *p = s;
    if (!isdigit((unsigned char)*p))
        return -1;
    for (; isdigit((unsigned char)*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        if (n > (UINT64_MAX - d) / 10)
            return -1;
        n = n * 10 + d;
    }
    if (*p) {
        int shift = unit_shift(*p);
        if (shift < 0 || p[1] != '\0')
            return -1;
        if (n > (UINT64_MAX >> shift))
            return -1;
        n <<= shift;
    }
    *out = n;
    return 0;
}
