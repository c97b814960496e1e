/* libFuzzer target: SIGSTRUCT verification and printing of untrusted
 * files (`geode sigstruct show`). Must never crash, and must never accept
 * a SIGSTRUCT whose signed bytes were not signed by its own modulus. */
#include <stdio.h>
#include <string.h>

#include "sigstruct.h"
#include "sigstruct_show.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sgx_sigstruct sig;
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    memset(&sig, 0, sizeof(sig));
    memcpy(&sig, data, size < sizeof(sig) ? size : sizeof(sig));
    struct sgx_err err = {{0}};
    sgx_sigstruct_verify(&sig, &err);
    uint8_t mrsigner[32];
    sgx_sigstruct_mrsigner(&sig, mrsigner);
    sgx_sigstruct_print(sink, &sig);
    return 0;
}
