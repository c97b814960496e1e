/* Function ranges from the program's .eh_frame_hdr search table and the
 * FDEs it points at (the LSB's "Exception Frames" and the DWARF CFI
 * format). Only what the rewriter needs: each FDE's pc_begin and
 * pc_range. Every byte is read after checking that the program has it
 * mapped readable, and anything unexpected (64-bit lengths, indirect or
 * LEB128 pointers, augmentations before 'R' this parser cannot skip, a
 * table entry that disagrees with its FDE) makes the answer "unknown". */
#include <linux/elf.h>

#include "core/eh_frame.h"
#include "core/vma.h"

#define DW_EH_PE_omit 0xff
#define DW_EH_PE_pcrel 0x10
#define DW_EH_PE_datarel 0x30
/* The search table encoding GNU ld and lld write: datarel | sdata4. */
#define TABLE_ENC 0x3b

/* Reads of program memory: each checked against the mapping table, the
 * last readable mapping remembered (a lookup walks a few hundred bytes). */
struct reader {
    uint64_t lo, hi; /* the last mapping found readable */
};

static bool readable(struct reader *rr, uint64_t a, uint64_t n)
{
    struct vma v;
    if (!n || a + n < a)
        return false;
    if (a >= rr->lo && a + n <= rr->hi)
        return true;
    if (!vma_find(a, &v) || !(v.prot & PAL_PROT_READ) || a + n > v.end)
        return false;
    rr->lo = v.start, rr->hi = v.end;
    return true;
}

static bool rd(struct reader *rr, uint64_t a, void *out, uint64_t n)
{
    if (!readable(rr, a, n))
        return false;
    memcpy(out, (const void *)a, n);
    return true;
}

/* The size of a pointer encoded as enc; 0 for one this parser does not
 * take (LEB128, omitted). */
static uint64_t enc_size(uint8_t enc)
{
    switch (enc & 0x0f) {
    case 0x00: /* absptr */
    case 0x04: /* udata8 */
    case 0x0c: /* sdata8 */
        return 8;
    case 0x03: /* udata4 */
    case 0x0b: /* sdata4 */
        return 4;
    case 0x02: /* udata2 */
    case 0x0a: /* sdata2 */
        return 2;
    default:
        return 0;
    }
}

/* A pointer encoded as enc at *p (advanced past it); base is what datarel
 * is relative to. False for an encoding this parser does not take. */
static bool rd_enc(struct reader *rr, uint8_t enc, uint64_t *p, uint64_t base, uint64_t *out)
{
    uint64_t at = *p, n = enc_size(enc), v = 0;
    if (!n || !rd(rr, at, &v, n))
        return false;
    if ((enc & 0x08) && n < 8 && (v >> (n * 8 - 1)) & 1) /* sdata2/sdata4: sign-extend */
        v |= ~0ULL << (n * 8);
    *p += n;
    switch (enc & 0xf0) {
    case 0:
        break;
    case DW_EH_PE_pcrel:
        v += at;
        break;
    case DW_EH_PE_datarel:
        v += base;
        break;
    default: /* indirect, textrel, funcrel, aligned */
        return false;
    }
    *out = v;
    return true;
}

/* Skips a ULEB128/SLEB128 (at most 10 bytes). */
static bool skip_leb(struct reader *rr, uint64_t *p)
{
    for (int i = 0; i < 10; i++) {
        uint8_t b;
        if (!rd(rr, *p + (uint64_t)i, &b, 1))
            return false;
        if (!(b & 0x80)) {
            *p += (uint64_t)i + 1;
            return true;
        }
    }
    return false;
}

/* The FDE pointer encoding of the CIE at cie ('R' of its augmentation;
 * absptr without one). */
static bool cie_fde_encoding(struct reader *rr, uint64_t cie, uint8_t *enc)
{
    uint32_t len, id;
    uint8_t version;
    char aug[8];
    if (!rd(rr, cie, &len, 4) || len == 0xffffffff || len < 8 || !rd(rr, cie + 4, &id, 4) || id != 0 ||
        !rd(rr, cie + 8, &version, 1) || (version != 1 && version != 3))
        return false;
    uint64_t p = cie + 9;
    size_t n = 0;
    for (;; n++) {
        if (n == sizeof(aug) || !rd(rr, p + n, &aug[n], 1))
            return false;
        if (!aug[n])
            break;
    }
    p += n + 1;
    *enc = 0; /* absptr */
    if (!n)
        return true;
    if (aug[0] != 'z')
        return false;
    if (!skip_leb(rr, &p) || !skip_leb(rr, &p)) /* code and data alignment factors */
        return false;
    if (version == 1)
        p++;
    else if (!skip_leb(rr, &p)) /* return address register */
        return false;
    if (!skip_leb(rr, &p)) /* augmentation data length */
        return false;
    for (size_t i = 1; i < n; i++) {
        uint8_t e;
        switch (aug[i]) {
        case 'R':
            return rd(rr, p, enc, 1);
        case 'L':
            p++;
            break;
        case 'P': /* the personality routine: skipped, whatever it points at */
            if (!rd(rr, p++, &e, 1) || !enc_size(e))
                return false;
            p += enc_size(e);
            break;
        case 'S':
        case 'B':
            break;
        default:
            return false;
        }
    }
    return true;
}

/* The range of the FDE at fde, whose table entry says it starts at loc. */
static bool fde_range(struct reader *rr, uint64_t fde, uint64_t loc, struct eh_range *out)
{
    uint32_t len, cie_off;
    uint8_t enc;
    uint64_t begin, range;
    if (!rd(rr, fde, &len, 4) || len == 0xffffffff || len < 8 || !rd(rr, fde + 4, &cie_off, 4) || !cie_off ||
        !cie_fde_encoding(rr, fde + 4 - cie_off, &enc))
        return false;
    uint64_t p = fde + 8;
    if (!rd_enc(rr, enc, &p, 0, &begin) || !rd_enc(rr, enc & 0x0f, &p, 0, &range) || begin != loc ||
        begin + range < begin || p > fde + 4 + len)
        return false;
    *out = (struct eh_range){begin, begin + range};
    return true;
}

struct table {
    uint64_t hdr, entries, count;
};

static bool table_open(struct reader *rr, uint64_t hdr, struct table *t)
{
    uint8_t h[4];
    if (!rd(rr, hdr, h, 4) || h[0] != 1 || h[1] == DW_EH_PE_omit || h[2] == DW_EH_PE_omit || h[3] != TABLE_ENC)
        return false;
    uint64_t p = hdr + 4, frame, count;
    if (!rd_enc(rr, h[1], &p, hdr, &frame) || !rd_enc(rr, h[2], &p, hdr, &count) || !count || count > (1u << 24) ||
        !readable(rr, p, count * 8))
        return false;
    *t = (struct table){hdr, p, count};
    return true;
}

static uint64_t entry_loc(const struct table *t, uint64_t i)
{
    int32_t v;
    memcpy(&v, (const void *)(t->entries + i * 8), 4);
    return t->hdr + (uint64_t)(int64_t)v;
}

static bool entry_range(struct reader *rr, const struct table *t, uint64_t i, struct eh_range *out)
{
    int32_t v;
    memcpy(&v, (const void *)(t->entries + i * 8 + 4), 4);
    return fde_range(rr, t->hdr + (uint64_t)(int64_t)v, entry_loc(t, i), out);
}

int eh_frame_ranges(uint64_t hdr, uint64_t pc, struct eh_range *out, int max, int *at)
{
    struct reader rr = {0, 0};
    struct table t;
    if (max < 1 || !table_open(&rr, hdr, &t) || entry_loc(&t, 0) > pc)
        return -1;
    uint64_t lo = 0, hi = t.count; /* the last entry starting at or below pc */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (entry_loc(&t, mid) <= pc)
            lo = mid;
        else
            hi = mid;
    }
    /* pc's function, then as many neighbours as parse on each side. */
    uint64_t side = (uint64_t)(max - 1) / 2, below = 0, above = 0;
    struct eh_range fn, tmp[32];
    if (side > 15)
        side = 15;
    if (!entry_range(&rr, &t, lo, &fn) || pc >= fn.hi)
        return -1;
    while (below < side && below < lo && entry_range(&rr, &t, lo - below - 1, &tmp[below]))
        below++;
    int n = 0;
    for (uint64_t i = below; i > 0; i--)
        out[n++] = tmp[i - 1];
    *at = n;
    out[n++] = fn;
    while (above < side && lo + above + 1 < t.count && entry_range(&rr, &t, lo + above + 1, &out[n]))
        above++, n++;
    return n;
}

uint64_t eh_frame_hdr_of_mapping(uint64_t start)
{
    struct reader rr = {0, 0};
    struct vma text, head;
    Elf64_Ehdr eh;
    if (!vma_find(start, &text) || !text.file || text.off < 0 || (uint64_t)text.off > start)
        return 0;
    uint64_t base = start - (uint64_t)text.off;
    if (!vma_find(base, &head) || head.file != text.file || head.off != 0 || !rd(&rr, base, &eh, sizeof(eh)) ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 64)
        return 0;
    uint64_t hdr = 0;
    bool text_found = false;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        if (!rd(&rr, base + eh.e_phoff + i * sizeof(ph), &ph, sizeof(ph)))
            return 0;
        if (ph.p_type == PT_GNU_EH_FRAME)
            hdr = base + ph.p_vaddr;
        /* The image is at base only if this mapping's segment has its
         * address equal to its offset (as GNU ld lays out libraries). */
        if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) &&
            ALIGN_DOWN(ph.p_offset, PAGE_SIZE) == (uint64_t)text.off)
            text_found = ALIGN_DOWN(ph.p_vaddr, PAGE_SIZE) == (uint64_t)text.off;
    }
    return text_found ? hdr : 0;
}
