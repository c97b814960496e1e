/* The protobuf-c entry points the generated geode_manifest.pb-c.c calls,
 * served by pbdec (the libOS does not link libprotobuf-c.a: it uses SSE).
 * The generated pack functions are not linked: the libOS never encodes,
 * and its link drops them (--gc-sections on the generated object). */
#include "lib/pbdec.h"

const char protobuf_c_empty_string[] = "";

ProtobufCMessage *protobuf_c_message_unpack(const ProtobufCMessageDescriptor *d,
                                            ProtobufCAllocator *allocator, size_t len,
                                            const uint8_t *data)
{
    if (allocator)
        return NULL; /* the libOS has one allocator */
    return pbdec_unpack(d, len, data);
}

void protobuf_c_message_free_unpacked(ProtobufCMessage *m, ProtobufCAllocator *allocator)
{
    if (!allocator)
        pbdec_free(m);
}
