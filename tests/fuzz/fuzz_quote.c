/* libFuzzer target: untrusted quotes (`geode quote verify`, RA-TLS
 * certificates) and AESM replies (urts_aesm.c). Must never crash or read
 * past the input, and must never accept a quote not signed by the key. */
#include <string.h>

#include "quote_verify.h"
#include "sim_qe.h"
#include "urts_aesm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t pub[64] = {1};
    static uint8_t out[AESM_QUOTE_MAX];
    struct quote_v3 q;
    char why[256];

    if (!quote_parse(data, size, &q, why, sizeof(why)) &&
        !quote_verify_sim(&q, pub, why, sizeof(why)))
        __builtin_trap(); /* no key has that public point */
    for (int kind = AESM_INIT_QUOTE; kind <= AESM_GET_QUOTE_EX; kind++)
        aesm_reply_parse((enum aesm_reply)kind, data, size, out, sizeof(out));
    return 0;
}
