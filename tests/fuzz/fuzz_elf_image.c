/* libFuzzer target: the enclave image builder's ELF validation. Any input
 * is either rejected with a message or gives an image whose every page is
 * addressable and whose entry lies inside it. */
#include <stdlib.h>

#include "elf_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elf_image img = {0};
    struct sgx_err err = {{0}};
    if (elf_image_parse(data, size, "fuzz.elf", &img, &err) == 0) {
        if (img.span == 0 || img.span % 4096 || img.entry >= img.span)
            abort();
        volatile uint8_t sink = img.mem[img.span - 1] ^ img.perms[img.span / 4096 - 1];
        (void)sink;
        elf_image_free(&img);
    }
    return 0;
}
