/* libFuzzer target: the vDSO symbol lookup over an arbitrary image. The
 * image is copied to the start of an exact-size heap block, so ASan catches
 * any read past the size the parser was given. */
#include <stdlib.h>
#include <string.h>

#include "vdso.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    struct vdso_image img;
    if (vdso_open(copy, size, &img) == VDSO_OK) {
        uintptr_t addr;
        vdso_lookup(&img, "__vdso_sgx_enter_enclave", "LINUX_2.6", &addr);
        vdso_lookup(&img, "__vdso_clock_gettime", NULL, &addr);
    }
    free(copy);
    return 0;
}
