#include "hexfmt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void hex_encode(const uint8_t *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0xf];
    }
    out[2 * len] = '\0';
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int hex_decode(const char *in, uint8_t *out, size_t len)
{
    if (strlen(in) != 2 * len)
        return -1;
    for (size_t i = 0; i < len; i++) {
        int hi = nibble(in[2 * i]), lo = nibble(in[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int parse_u64(const char *in, uint64_t max, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;

    /* strtoull accepts a sign and leading blanks; a size or ID must not have them. */
    if (!in || !(*in >= '0' && *in <= '9'))
        return -1;
    errno = 0;
    v = strtoull(in, &end, 0);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}
