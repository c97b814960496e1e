/* libFuzzer target: manifest validation and the canonical blob. Any input
 * must either be rejected with diagnostics or give a manifest whose blob
 * decodes and re-encodes to the same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *sink = fopen("/dev/null", "w");
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    geode_manifest *m = manifest_parse("fuzz.toml", text, size, sink, NULL);
    if (m) {
        size_t len, len2;
        uint8_t *blob = manifest_pack(m, &len);
        geode_manifest *back = manifest_unpack(blob, len);
        if (!back)
            abort();
        uint8_t *blob2 = manifest_pack(back, &len2);
        if (len != len2 || memcmp(blob, blob2, len))
            abort();
        free(blob);
        free(blob2);
        manifest_free(back);
        manifest_free(m);
    }
    /* Blobs from the host are untrusted too. */
    manifest_free(manifest_unpack(data, size));
    free(text);
    fclose(sink);
    return 0;
}
