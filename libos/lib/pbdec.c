/* pbdec: a protobuf decoder driven by protoc-c's generated descriptors. It
 * fills the same structures as protobuf-c's protobuf_c_message_unpack, so
 * protobuf-c stays the format's definition (the .proto and its generated
 * descriptors) and the host's encoder, while the libOS decodes the
 * manifest blob with code built like the rest of it: -mgeneral-regs-only,
 * no FP or vector register (the distribution's libprotobuf-c.a uses SSE).
 *
 * Wire format (protobuf encoding): a message is a sequence of (tag, value),
 * tag = field number << 3 | wire type; wire types 0 varint, 1 64-bit,
 * 2 length-delimited, 5 32-bit (3/4, groups, are refused). As protobuf-c:
 * unknown fields are skipped, a repeated scalar may come packed or not, a
 * later singular value replaces an earlier one, a missing required field
 * fails. Unlike protobuf-c, a repeated singular message replaces rather
 * than merges, and unknown fields are not kept; the canonical blob has
 * neither. Nesting deeper than PBDEC_MAX_DEPTH fails. */
#include "pbdec.h"

#include <stdlib.h>
#include <string.h>

#define PBDEC_MAX_DEPTH 32
#define PBDEC_MAX_FIELDS 1024

struct rd {
    const uint8_t *p, *end;
};

static int varint(struct rd *r, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (r->p == r->end)
            return -1;
        uint8_t b = *r->p++;
        if (shift == 63 && b > 1)
            return -1; /* more than 64 bits */
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* A tag: a varint of at most 5 bytes holding 32 bits, as protobuf-c reads
 * it (an overlong tag is refused, not read as a 64-bit number). */
static int tag32(struct rd *r, uint32_t *out)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < 5; i++) {
        if (r->p == r->end)
            return -1;
        uint8_t b = *r->p++;
        if (i == 4 && b > 0x0f)
            return -1;
        v |= (uint32_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

static int fixed(struct rd *r, unsigned n, uint64_t *out)
{
    if ((size_t)(r->end - r->p) < n)
        return -1;
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += n;
    *out = v;
    return 0;
}

/* A length prefix as protobuf-c reads it: a varint of at most 5 bytes, at
 * most INT32_MAX (a longer one, even if it encodes a small number, is
 * refused: found by fuzz_pbdec, "\x22\x80\x80\x80\x80\x80\x00"). */
static int length32(struct rd *r, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 5; i++) {
        if (r->p == r->end)
            return -1;
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *out = v;
            return v > 0x7fffffff ? -1 : 0;
        }
    }
    return -1;
}

static int delimited(struct rd *r, struct rd *sub)
{
    uint64_t len;
    if (length32(r, &len) || len > (uint64_t)(r->end - r->p))
        return -1;
    sub->p = r->p;
    sub->end = r->p + len;
    r->p += len;
    return 0;
}

static int skip(struct rd *r, unsigned wire)
{
    uint64_t v;
    struct rd sub;
    switch (wire) {
    case 0:
        return varint(r, &v);
    case 1:
        return fixed(r, 8, &v);
    case 2:
        return delimited(r, &sub);
    case 5:
        return fixed(r, 4, &v);
    default:
        return -1;
    }
}

/* Bytes one element of a repeated field takes in its array. */
static size_t elem_size(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_ENUM:
        return 4;
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_STRING:
        return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(ProtobufCMessage *);
    }
    return 0;
}

/* The wire type a scalar of type t is written with (not packed). */
static unsigned scalar_wire(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
        return 5;
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 1;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
    case PROTOBUF_C_TYPE_MESSAGE:
        return 2;
    default:
        return 0;
    }
}

/* One scalar (numeric, bool or enum) into dst (elem_size(t) bytes). Floats
 * and doubles are bit patterns here: copied, never computed with. */
static int scalar(struct rd *r, ProtobufCType t, void *dst)
{
    uint64_t v;
    unsigned w = scalar_wire(t);
    if (w == 5 ? fixed(r, 4, &v) : w == 1 ? fixed(r, 8, &v) : varint(r, &v))
        return -1;
    switch (t) {
    case PROTOBUF_C_TYPE_SINT32: {
        uint32_t u = (uint32_t)v;
        uint32_t s = (u >> 1) ^ (0u - (u & 1));
        memcpy(dst, &s, 4);
        return 0;
    }
    case PROTOBUF_C_TYPE_SINT64: {
        uint64_t s = (v >> 1) ^ (0ull - (v & 1));
        memcpy(dst, &s, 8);
        return 0;
    }
    case PROTOBUF_C_TYPE_BOOL: {
        protobuf_c_boolean b = v != 0;
        memcpy(dst, &b, sizeof(b));
        return 0;
    }
    default:
        break;
    }
    if (elem_size(t) == 4) {
        uint32_t u = (uint32_t)v;
        memcpy(dst, &u, 4);
    } else {
        memcpy(dst, &v, 8);
    }
    return 0;
}

static bool is_default_ptr(const ProtobufCFieldDescriptor *f, const void *p)
{
    return p == f->default_value || p == protobuf_c_empty_string;
}

static ProtobufCMessage *decode(const ProtobufCMessageDescriptor *d, struct rd *r, int depth);

/* A string, bytes or message value (wire type 2) into dst. */
static int pointer_value(const ProtobufCFieldDescriptor *f, struct rd *r, void *dst, int depth)
{
    struct rd sub;
    if (delimited(r, &sub))
        return -1;
    size_t len = (size_t)(sub.end - sub.p);
    if (f->type == PROTOBUF_C_TYPE_STRING) {
        char *s = malloc(len + 1);
        if (!s)
            return -1;
        memcpy(s, sub.p, len);
        s[len] = 0;
        memcpy(dst, &s, sizeof(s));
    } else if (f->type == PROTOBUF_C_TYPE_BYTES) {
        ProtobufCBinaryData b = {len, NULL};
        if (len) {
            if (!(b.data = malloc(len)))
                return -1;
            memcpy(b.data, sub.p, len);
        }
        memcpy(dst, &b, sizeof(b));
    } else {
        ProtobufCMessage *m = decode(f->descriptor, &sub, depth + 1);
        if (!m)
            return -1;
        memcpy(dst, &m, sizeof(m));
    }
    return 0;
}

/* Frees what a singular string/bytes/message field holds (not defaults). */
static void free_value(const ProtobufCFieldDescriptor *f, void *at)
{
    if (f->type == PROTOBUF_C_TYPE_STRING) {
        char *s;
        memcpy(&s, at, sizeof(s));
        if (s && !is_default_ptr(f, s))
            free(s);
    } else if (f->type == PROTOBUF_C_TYPE_BYTES) {
        ProtobufCBinaryData b;
        memcpy(&b, at, sizeof(b));
        const ProtobufCBinaryData *def = f->default_value;
        if (b.data && !(def && b.data == def->data))
            free(b.data);
    } else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
        ProtobufCMessage *m;
        memcpy(&m, at, sizeof(m));
        if (m)
            pbdec_free(m);
    }
}

static bool pointer_type(ProtobufCType t)
{
    return t == PROTOBUF_C_TYPE_STRING || t == PROTOBUF_C_TYPE_BYTES ||
           t == PROTOBUF_C_TYPE_MESSAGE;
}

/* Appends one element slot to a repeated field; its address, or NULL. */
static void *append(uint8_t *msg, const ProtobufCFieldDescriptor *f)
{
    size_t *n = (size_t *)(msg + f->quantifier_offset);
    void **arr = (void **)(msg + f->offset);
    size_t es = elem_size(f->type);
    if (*n >= ((size_t)1 << 40) / es)
        return NULL;
    /* Grow at powers of two: realloc only when n reaches one. */
    if ((*n & (*n - 1)) == 0) {
        size_t cap = *n ? *n * 2 : 1;
        void *grown = realloc(*arr, cap * es);
        if (!grown)
            return NULL;
        *arr = grown;
    }
    return (uint8_t *)*arr + (*n)++ * es;
}

static int repeated(uint8_t *msg, const ProtobufCFieldDescriptor *f, unsigned wire, struct rd *r,
                    int depth)
{
    if (pointer_type(f->type)) {
        if (wire != 2)
            return -1;
        void *slot = append(msg, f);
        if (!slot)
            return -1;
        memset(slot, 0, elem_size(f->type));
        if (pointer_value(f, r, slot, depth)) {
            (*(size_t *)(msg + f->quantifier_offset))--;
            return -1;
        }
        return 0;
    }
    if (wire == 2) { /* packed */
        struct rd sub;
        if (delimited(r, &sub))
            return -1;
        while (sub.p < sub.end) {
            void *slot = append(msg, f);
            if (!slot || scalar(&sub, f->type, slot))
                return -1;
        }
        return 0;
    }
    if (wire != scalar_wire(f->type))
        return -1;
    void *slot = append(msg, f);
    return slot ? scalar(r, f->type, slot) : -1;
}

static int singular(uint8_t *msg, const ProtobufCFieldDescriptor *f, unsigned wire, struct rd *r,
                    int depth)
{
    if (wire != scalar_wire(f->type))
        return -1;
    void *at = msg + f->offset;
    if (pointer_type(f->type)) {
        uint8_t fresh[sizeof(ProtobufCBinaryData)] = {0};
        if (pointer_value(f, r, fresh, depth))
            return -1;
        free_value(f, at); /* a later value replaces an earlier one */
        memcpy(at, fresh, elem_size(f->type));
    } else if (scalar(r, f->type, at)) {
        return -1;
    }
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t id = f->id;
        memcpy(msg + f->quantifier_offset, &id, sizeof(id));
    } else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_STRING &&
               f->type != PROTOBUF_C_TYPE_MESSAGE) {
        /* A has_ flag: every optional field but the pointer-valued ones. */
        protobuf_c_boolean has = 1;
        memcpy(msg + f->quantifier_offset, &has, sizeof(has));
    }
    return 0;
}

static const ProtobufCFieldDescriptor *field_by_id(const ProtobufCMessageDescriptor *d, uint64_t id,
                                                   unsigned *index)
{
    for (unsigned i = 0; i < d->n_fields; i++)
        if (d->fields[i].id == id) {
            *index = i;
            return &d->fields[i];
        }
    return NULL;
}

/* Before a oneof member is stored, the member stored earlier (another field
 * with the same case word) is freed, as only one may hold a value. The
 * union's members all start at the same offset. */
static void oneof_clear(uint8_t *msg, const ProtobufCMessageDescriptor *d,
                        const ProtobufCFieldDescriptor *f)
{
    uint32_t cur;
    memcpy(&cur, msg + f->quantifier_offset, sizeof(cur));
    if (!cur || cur == f->id)
        return;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *o = &d->fields[i];
        if (o->id == cur && (o->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            o->quantifier_offset == f->quantifier_offset && pointer_type(o->type))
            free_value(o, msg + o->offset);
    }
    /* The members share the storage: none of the old bits may look like
     * a pointer to the new member. */
    memset(msg + f->offset, 0, elem_size(f->type));
    memset(msg + f->quantifier_offset, 0, sizeof(cur));
}

static ProtobufCMessage *decode(const ProtobufCMessageDescriptor *d, struct rd *r, int depth)
{
    if (!d || d->magic != PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC || depth > PBDEC_MAX_DEPTH ||
        d->n_fields > PBDEC_MAX_FIELDS)
        return NULL;
    uint8_t *msg = malloc(d->sizeof_message);
    if (!msg)
        return NULL;
    if (d->message_init)
        d->message_init((ProtobufCMessage *)msg);
    else
        memset(msg, 0, d->sizeof_message), ((ProtobufCMessage *)msg)->descriptor = d;
    uint64_t required_seen[PBDEC_MAX_FIELDS / 64] = {0};
    while (r->p < r->end) {
        uint32_t tag;
        if (tag32(r, &tag) || (tag >> 3) == 0)
            goto bad;
        unsigned wire = tag & 7, index;
        const ProtobufCFieldDescriptor *f = field_by_id(d, tag >> 3, &index);
        if (!f) {
            if (skip(r, wire))
                goto bad;
            continue;
        }
        int rc;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            rc = repeated(msg, f, wire, r, depth);
        } else {
            if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
                oneof_clear(msg, d, f);
            rc = singular(msg, f, wire, r, depth);
        }
        if (rc)
            goto bad;
        required_seen[index / 64] |= 1ull << (index % 64);
    }
    for (unsigned i = 0; i < d->n_fields; i++)
        if (d->fields[i].label == PROTOBUF_C_LABEL_REQUIRED &&
            !(required_seen[i / 64] & (1ull << (i % 64))))
            goto bad;
    return (ProtobufCMessage *)msg;
bad:
    pbdec_free((ProtobufCMessage *)msg);
    return NULL;
}

ProtobufCMessage *pbdec_unpack(const ProtobufCMessageDescriptor *d, size_t len, const uint8_t *data)
{
    struct rd r = {data, data + len};
    if (!data && len)
        return NULL;
    return decode(d, &r, 0);
}

void pbdec_free(ProtobufCMessage *m)
{
    if (!m)
        return;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    uint8_t *msg = (uint8_t *)m;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(size_t *)(msg + f->quantifier_offset);
            uint8_t *arr = *(uint8_t **)(msg + f->offset);
            if (pointer_type(f->type))
                for (size_t k = 0; k < n; k++)
                    free_value(f, arr + k * elem_size(f->type));
            free(arr);
            continue;
        }
        if (!pointer_type(f->type))
            continue;
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t cur;
            memcpy(&cur, msg + f->quantifier_offset, sizeof(cur));
            if (cur != f->id)
                continue; /* the union holds another member */
        }
        free_value(f, msg + f->offset);
    }
    free(msg);
}
