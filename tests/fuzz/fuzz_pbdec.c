/* The libOS's protobuf decoder (libos/lib/pbdec.c) on arbitrary bytes, as
 * the manifest schema and the all-shapes test schema: no crash, no leak,
 * no sanitizer report, and never an accept where protobuf-c refuses. */
#include <stdlib.h>

#include "geode_manifest.pb-c.h"
#include "lib/pbdec.h"
#include "pbtest.pb-c.h"

static void one(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t size)
{
    ProtobufCMessage *got = pbdec_unpack(d, size, data);
    ProtobufCMessage *ref = protobuf_c_message_unpack(d, NULL, size, data);
    if (got && !ref)
        abort(); /* pbdec accepted what protobuf-c refuses */
    pbdec_free(got);
    protobuf_c_message_free_unpacked(ref, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(&geode__manifest__descriptor, data, size);
    one(&pbt__all__descriptor, data, size);
    return 0;
}
