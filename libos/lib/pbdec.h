/* pbdec: protobuf decoding from protoc-c's generated descriptors, with no
 * FP or vector register use (pbdec.c). */
#ifndef GEODE_LIBOS_PBDEC_H
#define GEODE_LIBOS_PBDEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

/* Decodes len bytes into a new message of type d, as
 * protobuf_c_message_unpack does; NULL when the bytes are malformed (or
 * memory ran out). Free with pbdec_free. */
ProtobufCMessage *pbdec_unpack(const ProtobufCMessageDescriptor *d, size_t len,
                               const uint8_t *data);

/* Frees a message from pbdec_unpack and everything it holds. */
void pbdec_free(ProtobufCMessage *m);

#endif
