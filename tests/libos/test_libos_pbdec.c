/* libOS unit tier: lib/pbdec.c, the libOS's protobuf decoder, against
 * protobuf-c (the format's reference here). Random wire encodings of every
 * field shape (pbtest.proto) and of the manifest schema are decoded by
 * both; re-encoding each result with protobuf-c must give the same bytes.
 * Then mutated encodings: pbdec may never accept what protobuf-c refuses,
 * and ASan (the sanitize tier builds this too) sees every path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geode_manifest.pb-c.h"
#include "lib/pbdec.h"
#include "pbtest.pb-c.h"

static int failures;
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            printf("ok - ");                                                                       \
        } else {                                                                                   \
            printf("not ok - ");                                                                   \
            failures++;                                                                            \
        }                                                                                          \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
    } while (0)

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static unsigned below(unsigned n)
{
    return (unsigned)(rnd() % n);
}
/* A second stream for the unknown fields, so that an encoding with them
 * has the same known fields as one without. */
static uint64_t rng2 = 0x13198a2e03707344ull;
static uint64_t rnd2(void)
{
    rng2 ^= rng2 << 13;
    rng2 ^= rng2 >> 7;
    rng2 ^= rng2 << 17;
    return rng2;
}

struct buf {
    uint8_t *p;
    size_t n, cap;
};
static void put(struct buf *b, const void *d, size_t n)
{
    if (!n)
        return;
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}
static void put_varint(struct buf *b, uint64_t v)
{
    do {
        uint8_t c = (v & 0x7f) | (v > 0x7f ? 0x80 : 0);
        put(b, &c, 1);
        v >>= 7;
    } while (v);
}
static void put_tag(struct buf *b, uint32_t id, unsigned wire)
{
    put_varint(b, (uint64_t)id << 3 | wire);
}

/* A value likely to hit edges: small, large, negative, all-ones. */
static uint64_t edgy(void)
{
    switch (below(6)) {
    case 0:
        return below(3);
    case 1:
        return below(300);
    case 2:
        return (uint64_t) - (int64_t)below(1000);
    case 3:
        return ~0ull;
    case 4:
        return 1ull << below(64);
    default:
        return rnd();
    }
}

static unsigned wire_of(ProtobufCType t)
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

/* One scalar's payload (no tag). int32 and enums are written as protobuf
 * writes them: sign-extended to 64 bits. */
static void put_scalar(struct buf *b, ProtobufCType t)
{
    uint64_t v = edgy();
    switch (wire_of(t)) {
    case 5: {
        uint32_t u = (uint32_t)v;
        put(b, &u, 4);
        return;
    }
    case 1:
        put(b, &v, 8);
        return;
    default:
        break;
    }
    if (t == PROTOBUF_C_TYPE_BOOL)
        v = below(2);
    else if (t == PROTOBUF_C_TYPE_INT32 || t == PROTOBUF_C_TYPE_ENUM)
        v = (uint64_t)(int64_t)(int32_t)v;
    else if (t == PROTOBUF_C_TYPE_UINT32 || t == PROTOBUF_C_TYPE_SINT32)
        v = (uint32_t)v;
    put_varint(b, v);
}

static void gen_message(struct buf *b, const ProtobufCMessageDescriptor *d, int depth,
                        bool unknowns);

static void put_delimited_text(struct buf *b, bool binary)
{
    unsigned n = below(24);
    uint8_t s[24];
    for (unsigned i = 0; i < n; i++)
        s[i] = binary ? (uint8_t)rnd() : (uint8_t)('a' + below(26));
    put_varint(b, n);
    put(b, s, n);
}

static void gen_field(struct buf *b, const ProtobufCFieldDescriptor *f, int depth, bool unknowns)
{
    unsigned w = wire_of(f->type);
    if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
        struct buf sub = {0};
        gen_message(&sub, f->descriptor, depth + 1, unknowns);
        put_tag(b, f->id, 2);
        put_varint(b, sub.n);
        put(b, sub.p, sub.n);
        free(sub.p);
        return;
    }
    if (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_BYTES) {
        put_tag(b, f->id, 2);
        put_delimited_text(b, f->type == PROTOBUF_C_TYPE_BYTES);
        return;
    }
    if (f->label == PROTOBUF_C_LABEL_REPEATED && below(2)) { /* packed */
        struct buf sub = {0};
        for (unsigned k = 1 + below(5); k; k--)
            put_scalar(&sub, f->type);
        put_tag(b, f->id, 2);
        put_varint(b, sub.n);
        put(b, sub.p, sub.n);
        free(sub.p);
        return;
    }
    put_tag(b, f->id, w);
    put_scalar(b, f->type);
}

/* Fields in random order, some more than once (but a singular message or
 * oneof message at most once: protobuf-c merges those, pbdec replaces). */
static void gen_message(struct buf *b, const ProtobufCMessageDescriptor *d, int depth,
                        bool unknowns)
{
    bool used_msg[64] = {0};
    for (unsigned i = 0; i < d->n_fields; i++)
        if (d->fields[i].label == PROTOBUF_C_LABEL_REQUIRED)
            gen_field(b, &d->fields[i], depth, unknowns);
    unsigned count = depth > 2 ? below(3) : below(14);
    for (unsigned k = 0; k < count; k++) {
        unsigned i = below(d->n_fields);
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        bool single_msg =
            f->type == PROTOBUF_C_TYPE_MESSAGE && f->label != PROTOBUF_C_LABEL_REPEATED;
        if (single_msg && (used_msg[i % 64] || depth > 3))
            continue;
        if (f->type == PROTOBUF_C_TYPE_MESSAGE && depth > 3)
            continue;
        used_msg[i % 64] |= single_msg;
        if (unknowns && rnd2() % 4 == 0) {
            static const unsigned wires[] = {0, 1, 2, 5};
            unsigned w = wires[rnd2() % 4];
            put_tag(b, 1000 + (unsigned)(rnd2() % 100), w);
            uint64_t v = rnd2();
            if (w == 0)
                put_varint(b, v);
            else if (w == 1 || w == 5)
                put(b, &v, w == 1 ? 8 : 4);
            else {
                put_varint(b, 8);
                put(b, &v, 8);
            }
        }
        gen_field(b, f, depth, unknowns);
    }
}

static bool same_repack(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
    size_t na = protobuf_c_message_get_packed_size(a), nb = protobuf_c_message_get_packed_size(b);
    if (na != nb)
        return false;
    uint8_t *pa = malloc(na + 1), *pb = malloc(nb + 1);
    protobuf_c_message_pack(a, pa);
    protobuf_c_message_pack(b, pb);
    bool same = memcmp(pa, pb, na) == 0;
    free(pa);
    free(pb);
    return same;
}

static void differential(const ProtobufCMessageDescriptor *d, const char *what, unsigned rounds)
{
    unsigned bad = 0, refused = 0;
    for (unsigned r = 0; r < rounds; r++) {
        uint64_t seed = rng;
        struct buf clean = {0}, noisy = {0};
        gen_message(&clean, d, 0, false);
        rng = seed; /* the same fields again, now with unknown ones among them */
        gen_message(&noisy, d, 0, true);
        ProtobufCMessage *ref = protobuf_c_message_unpack(d, NULL, clean.n, clean.p);
        ProtobufCMessage *got = pbdec_unpack(d, clean.n, clean.p);
        ProtobufCMessage *got2 = pbdec_unpack(d, noisy.n, noisy.p);
        if (!ref || !got || !got2)
            refused++;
        else if (!same_repack(ref, got) || !same_repack(ref, got2)) {
            if (bad++ == 0) {
                printf("# first difference at round %u: clean %d, with unknowns %d\n", r,
                       !same_repack(ref, got), !same_repack(ref, got2));
                if (getenv("PBDEC_DUMP")) {
                    size_t na = protobuf_c_message_get_packed_size(ref),
                           nb = protobuf_c_message_get_packed_size(got);
                    uint8_t *pa = malloc(na + 1), *pb = malloc(nb + 1);
                    protobuf_c_message_pack(ref, pa);
                    protobuf_c_message_pack(got, pb);
                    printf("# in :");
                    for (size_t i = 0; i < clean.n; i++)
                        printf(" %02x", clean.p[i]);
                    printf("\n");
                    printf("# ref:");
                    for (size_t i = 0; i < na; i++)
                        printf(" %02x", pa[i]);
                    printf("\n");
                    printf("# got:");
                    for (size_t i = 0; i < nb; i++)
                        printf(" %02x", pb[i]);
                    printf("\n");
                    free(pa);
                    free(pb);
                }
            }
        }
        protobuf_c_message_free_unpacked(ref, NULL);
        pbdec_free(got);
        pbdec_free(got2);
        free(clean.p);
        free(noisy.p);
    }
    CHECK(refused == 0, "%s: %u random valid encodings decoded by both (%u refused)", what, rounds,
          refused);
    CHECK(bad == 0,
          "%s: pbdec's result re-encodes to protobuf-c's bytes, unknown fields skipped (%u differ)",
          what, bad);
}

/* Mutated encodings: truncation, flipped bytes, inserted bytes. */
static void mutations(const ProtobufCMessageDescriptor *d, const char *what, unsigned rounds)
{
    unsigned looser = 0, both = 0, neither = 0, stricter = 0;
    for (unsigned r = 0; r < rounds; r++) {
        struct buf b = {0};
        gen_message(&b, d, 0, below(2));
        if (!b.n)
            continue;
        switch (below(3)) {
        case 0:
            b.n = below((unsigned)b.n);
            break;
        case 1:
            for (unsigned k = 1 + below(3); k; k--)
                b.p[below((unsigned)b.n)] ^= (uint8_t)(1u << below(8));
            break;
        default:
            b.p[below((unsigned)b.n)] = (uint8_t)rnd();
            break;
        }
        ProtobufCMessage *ref = protobuf_c_message_unpack(d, NULL, b.n, b.p);
        ProtobufCMessage *got = pbdec_unpack(d, b.n, b.p);
        if (got && !ref)
            looser++;
        else if (got && ref)
            both++;
        else if (!got && !ref)
            neither++;
        else
            stricter++;
        protobuf_c_message_free_unpacked(ref, NULL);
        pbdec_free(got);
        free(b.p);
    }
    CHECK(looser == 0,
          "%s: %u mutated encodings: pbdec accepts none that protobuf-c refuses (%u looser; both "
          "accept %u, both refuse %u, only pbdec refuses %u)",
          what, rounds, looser, both, neither, stricter);
}

static void edges(void)
{
    const ProtobufCMessageDescriptor *d = &pbt__all__descriptor;
    /* An 11-byte varint, a varint past 64 bits, a group, field number 0,
     * a length past the end, nesting beyond the limit. */
    static const uint8_t over[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    static const uint8_t big10[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
                                    0xff, 0xff, 0xff, 0xff, 0x02};
    static const uint8_t group[] = {0x0b, 0x0c};
    static const uint8_t zero_id[] = {0x00, 0x01};
    static const uint8_t past_end[] = {0x7a, 0x05, 'a', 'b'};
    static const uint8_t wrong_wire[] = {0x7d, 1, 2, 3, 4}; /* str (15) as 32-bit */
    static const uint8_t long_tag[] = {0xfa, 0x88, 0x88, 0x88, 0x88, 0x00, 0x00}; /* 6-byte tag */
    static const uint8_t long_len[] = {0x7a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}; /* 6-byte length */
    static const uint8_t huge_len[] = {0x7a, 0xff, 0xff, 0xff, 0xff, 0x0f}; /* > INT32_MAX */
    struct {
        const uint8_t *p;
        size_t n;
        const char *what;
    } bad[] = {{over, sizeof(over), "an 11-byte varint"},
               {big10, sizeof(big10), "a 10-byte varint past 64 bits"},
               {group, sizeof(group), "a group (wire type 3)"},
               {zero_id, sizeof(zero_id), "field number 0"},
               {past_end, sizeof(past_end), "a length past the end"},
               {wrong_wire, sizeof(wrong_wire), "a string field with wire type 5"},
               {long_tag, sizeof(long_tag), "a tag longer than 5 bytes (found by fuzz_pbdec)"},
               {long_len, sizeof(long_len), "a length prefix longer than 5 bytes (found by fuzz_pbdec)"},
               {huge_len, sizeof(huge_len), "a length prefix above INT32_MAX"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ProtobufCMessage *m = pbdec_unpack(d, bad[i].n, bad[i].p);
        CHECK(!m, "refused: %s", bad[i].what);
        pbdec_free(m);
    }
    /* inner { kids { kids { ... } } } 40 deep: past the depth limit. */
    struct buf b = {0};
    for (int i = 0; i < 40; i++) {
        struct buf outer = {0};
        put_tag(&outer, i == 39 ? 17 : 3, 2);
        put_varint(&outer, b.n);
        put(&outer, b.p, b.n);
        free(b.p);
        b = outer;
    }
    ProtobufCMessage *m = pbdec_unpack(d, b.n, b.p);
    CHECK(!m, "refused: messages nested 40 deep");
    pbdec_free(m);
    free(b.p);
    /* Empty input: a message with every default. */
    Pbt__All *e = (Pbt__All *)pbdec_unpack(d, 0, NULL);
    CHECK(e && !e->str && e->dstr && !strcmp(e->dstr, "dflt") && e->n_r_i32 == 0 && !e->inner &&
              !e->has_opt_u32,
          "empty input: every field at its default");
    pbdec_free(&e->base);
    /* The oneof: the last member wins and only it is kept. */
    static const uint8_t oneof[] = {0xf2, 0x01, 0x02, 'h', 'i', 0xf8, 0x01, 0x2a};
    Pbt__All *o = (Pbt__All *)pbdec_unpack(d, sizeof(oneof), oneof);
    CHECK(o && o->choice_case == PBT__ALL__CHOICE_C_U64 && o->c_u64 == 42,
          "oneof: a later member replaces an earlier string member");
    pbdec_free(o ? &o->base : NULL);
    /* A required field: missing is refused; given, the defaults stay. */
    static const uint8_t req_missing[] = {0x12, 0x01, 'x'};
    static const uint8_t req_given[] = {0x08, 0x03};
    ProtobufCMessage *rq = pbdec_unpack(&pbt__req__descriptor, sizeof(req_missing), req_missing);
    CHECK(!rq, "refused: a message without its required field");
    pbdec_free(rq);
    Pbt__Req *rg = (Pbt__Req *)pbdec_unpack(&pbt__req__descriptor, sizeof(req_given), req_given);
    CHECK(rg && rg->a == 3 && !strcmp(rg->dstr, "hello") && rg->dnum == 5,
          "a required field given: decoded, with the declared defaults");
    pbdec_free(rg ? &rg->base : NULL);
    /* A string replacing a declared default: the default is not freed. */
    static const uint8_t repl[] = {0x8a, 0x02, 0x01, 'z', 0x8a, 0x02, 0x01, 'y'};
    Pbt__All *rp = (Pbt__All *)pbdec_unpack(d, sizeof(repl), repl);
    CHECK(rp && !strcmp(rp->dstr, "y"), "a default string replaced twice: the last value");
    pbdec_free(rp ? &rp->base : NULL);
    /* A field number at the top of the range. */
    static const uint8_t top[] = {0xf8, 0xff, 0xff, 0xff, 0x0f, 0x07};
    Pbt__All *t = (Pbt__All *)pbdec_unpack(d, sizeof(top), top);
    CHECK(t && t->big_id == 7, "field number 2^29-1 decoded");
    pbdec_free(t ? &t->base : NULL);
}

int main(void)
{
    differential(&pbt__all__descriptor, "every field shape", 3000);
    differential(&geode__manifest__descriptor, "the manifest schema", 2000);
    mutations(&pbt__all__descriptor, "every field shape", 4000);
    mutations(&geode__manifest__descriptor, "the manifest schema", 2000);
    edges();
    return failures ? 1 : 0;
}
