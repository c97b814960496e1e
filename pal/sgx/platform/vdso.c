/* Bounds-checked ELF64 dynamic symbol lookup; see vdso.h.
 *
 * All reads go through img_read(), which copies bytes out only when the
 * whole range lies inside the image (memcpy also avoids unaligned access in
 * hostile images). Addresses are link-time vaddrs, translated with the bias
 * of the first PT_LOAD segment, as the dynamic linker does. */
#include <elf.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "vdso.h"

/* Bounds any loop over image data, so hostile chains cannot spin forever. */
#define MAX_DYN_ENTRIES 4096

const char *vdso_status_str(enum vdso_status st)
{
    switch (st) {
    case VDSO_OK: return "ok";
    case VDSO_NOT_FOUND: return "symbol not found";
    case VDSO_NO_VDSO: return "no vDSO (AT_SYSINFO_EHDR is 0)";
    case VDSO_BAD_HEADER: return "not an ELF64 x86-64 shared object";
    case VDSO_BAD_PHDRS: return "program headers malformed or outside the image";
    case VDSO_NO_LOAD: return "no PT_LOAD segment";
    case VDSO_NO_DYNAMIC: return "no PT_DYNAMIC segment";
    case VDSO_BAD_DYNAMIC: return "dynamic section outside the image or not terminated";
    case VDSO_NO_TABLES: return "DT_SYMTAB, DT_STRTAB, DT_STRSZ or a hash table missing";
    case VDSO_BAD_TABLES: return "symbol, string or version table outside the image";
    case VDSO_BAD_HASH: return "hash table malformed or outside the image";
    case VDSO_BAD_SYMBOL: return "symbol entry, name or value outside the image";
    case VDSO_BAD_VERSION: return "version definitions malformed";
    }
    return "unknown vdso status";
}

static int in_range(size_t size, uint64_t off, uint64_t len)
{
    return off <= size && len <= size - off;
}

static int img_read(const struct vdso_image *img, uint64_t off, void *dst, size_t len)
{
    if (!in_range(img->size, off, len))
        return 0;
    memcpy(dst, img->base + off, len);
    return 1;
}

static uint64_t vaddr_off(const struct vdso_image *img, uint64_t vaddr)
{
    return vaddr + img->bias; /* wraps mod 2^64; every use is range-checked */
}

static enum vdso_status read_ehdr(const void *base, size_t size, Elf64_Ehdr *eh)
{
    if (size < sizeof(*eh))
        return VDSO_BAD_HEADER;
    memcpy(eh, base, sizeof(*eh));
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64 ||
        eh->e_type != ET_DYN)
        return VDSO_BAD_HEADER;
    if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
        !in_range(size, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
        return VDSO_BAD_PHDRS;
    return VDSO_OK;
}

static void read_phdr(const void *base, const Elf64_Ehdr *eh, unsigned i, Elf64_Phdr *ph)
{
    memcpy(ph, (const uint8_t *)base + eh->e_phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
}

/* The first PT_LOAD maps the ELF header: its offset-vaddr delta is the bias. */
static enum vdso_status find_bias(const void *base, const Elf64_Ehdr *eh, uint64_t *bias)
{
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr ph;
        read_phdr(base, eh, i, &ph);
        if (ph.p_type == PT_LOAD) {
            *bias = ph.p_offset - ph.p_vaddr;
            return VDSO_OK;
        }
    }
    return VDSO_NO_LOAD;
}

enum vdso_status vdso_image_extent(const void *base, size_t probe, size_t *size)
{
    Elf64_Ehdr eh;
    uint64_t bias, extent = 0;
    enum vdso_status st = read_ehdr(base, probe, &eh);
    if (st == VDSO_OK)
        st = find_bias(base, &eh, &bias);
    for (unsigned i = 0; st == VDSO_OK && i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        read_phdr(base, &eh, i, &ph);
        if (ph.p_type != PT_LOAD)
            continue;
        uint64_t start = ph.p_vaddr + bias, end = start + ph.p_memsz;
        if (ph.p_memsz < ph.p_filesz || end < start)
            return VDSO_BAD_PHDRS;
        if (end > extent)
            extent = end;
    }
    if (st == VDSO_OK)
        *size = (size_t)extent;
    return st;
}

struct dyn_tags {
    uint64_t symtab, strtab, strsz, syment, hash, gnu_hash, versym, verdef;
    unsigned seen; /* bit per tag above, so that 0 stays a legal value */
};

enum { T_SYMTAB = 1, T_STRTAB = 2, T_STRSZ = 4, T_SYMENT = 8, T_HASH = 16, T_GNU_HASH = 32,
       T_VERSYM = 64, T_VERDEF = 128 };

static void note_tag(struct dyn_tags *t, const Elf64_Dyn *d)
{
    static const struct { int64_t tag; unsigned bit; size_t field; } map[] = {
        {DT_SYMTAB, T_SYMTAB, offsetof(struct dyn_tags, symtab)},
        {DT_STRTAB, T_STRTAB, offsetof(struct dyn_tags, strtab)},
        {DT_STRSZ, T_STRSZ, offsetof(struct dyn_tags, strsz)},
        {DT_SYMENT, T_SYMENT, offsetof(struct dyn_tags, syment)},
        {DT_HASH, T_HASH, offsetof(struct dyn_tags, hash)},
        {DT_GNU_HASH, T_GNU_HASH, offsetof(struct dyn_tags, gnu_hash)},
        {DT_VERSYM, T_VERSYM, offsetof(struct dyn_tags, versym)},
        {DT_VERDEF, T_VERDEF, offsetof(struct dyn_tags, verdef)},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (d->d_tag == map[i].tag) {
            memcpy((char *)t + map[i].field, &d->d_un.d_val, sizeof(uint64_t));
            t->seen |= map[i].bit;
        }
}

static enum vdso_status read_dynamic(const struct vdso_image *img, const Elf64_Phdr *dyn,
                                     struct dyn_tags *tags)
{
    uint64_t off = vaddr_off(img, dyn->p_vaddr);
    uint64_t n = dyn->p_memsz / sizeof(Elf64_Dyn);
    if (!in_range(img->size, off, n * sizeof(Elf64_Dyn)) || n > MAX_DYN_ENTRIES)
        return VDSO_BAD_DYNAMIC;
    memset(tags, 0, sizeof(*tags));
    for (uint64_t i = 0; i < n; i++) {
        Elf64_Dyn d;
        img_read(img, off + i * sizeof(d), &d, sizeof(d));
        if (d.d_tag == DT_NULL)
            return VDSO_OK;
        note_tag(tags, &d);
    }
    return VDSO_BAD_DYNAMIC; /* no DT_NULL inside the segment */
}

/* Translates a table vaddr; offset 0 would overlap the ELF header. */
static int table_off(const struct vdso_image *img, uint64_t vaddr, uint64_t len, size_t *off)
{
    uint64_t o = vaddr_off(img, vaddr);
    if (o == 0 || !in_range(img->size, o, len))
        return 0;
    *off = (size_t)o;
    return 1;
}

static enum vdso_status set_tables(struct vdso_image *img, const struct dyn_tags *t)
{
    unsigned need = T_SYMTAB | T_STRTAB | T_STRSZ;
    if ((t->seen & need) != need || !(t->seen & (T_HASH | T_GNU_HASH)))
        return VDSO_NO_TABLES;
    if ((t->seen & T_SYMENT) && t->syment != sizeof(Elf64_Sym))
        return VDSO_BAD_TABLES;
    img->strsz = (size_t)t->strsz;
    if (!table_off(img, t->symtab, sizeof(Elf64_Sym), &img->symtab) ||
        !table_off(img, t->strtab, t->strsz, &img->strtab))
        return VDSO_BAD_TABLES;
    if ((t->seen & T_HASH) && !table_off(img, t->hash, 8, &img->hash))
        return VDSO_BAD_HASH;
    if ((t->seen & T_GNU_HASH) && !table_off(img, t->gnu_hash, 16, &img->gnu_hash))
        return VDSO_BAD_HASH;
    if ((t->seen & T_VERSYM) && !table_off(img, t->versym, 2, &img->versym))
        return VDSO_BAD_TABLES;
    if ((t->seen & T_VERDEF) && !table_off(img, t->verdef, sizeof(Elf64_Verdef), &img->verdef))
        return VDSO_BAD_TABLES;
    return VDSO_OK;
}

static enum vdso_status find_dynamic(const void *base, const Elf64_Ehdr *eh, Elf64_Phdr *dyn)
{
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        read_phdr(base, eh, i, dyn);
        if (dyn->p_type == PT_DYNAMIC)
            return VDSO_OK;
    }
    return VDSO_NO_DYNAMIC;
}

enum vdso_status vdso_open(const void *base, size_t size, struct vdso_image *img)
{
    Elf64_Ehdr eh;
    Elf64_Phdr dyn;
    struct dyn_tags tags;
    memset(img, 0, sizeof(*img));
    img->base = base;
    img->size = size;
    enum vdso_status st = read_ehdr(base, size, &eh);
    if (st == VDSO_OK)
        st = find_bias(base, &eh, &img->bias);
    if (st == VDSO_OK)
        st = find_dynamic(base, &eh, &dyn);
    if (st == VDSO_OK)
        st = read_dynamic(img, &dyn, &tags);
    if (st == VDSO_OK)
        st = set_tables(img, &tags);
    img->load_offset = (uintptr_t)base + (uintptr_t)img->bias;
    return st;
}

enum vdso_status vdso_open_self(struct vdso_image *img)
{
    const void *base = (const void *)getauxval(AT_SYSINFO_EHDR);
    long page = sysconf(_SC_PAGESIZE);
    size_t size;
    memset(img, 0, sizeof(*img));
    if (!base)
        return VDSO_NO_VDSO;
    enum vdso_status st = vdso_image_extent(base, page > 0 ? (size_t)page : 4096, &size);
    return st == VDSO_OK ? vdso_open(base, size, img) : st;
}

/* Compares the NUL-terminated string at strtab[name_off] with want. Returns
 * 1 on match, 0 on mismatch, -1 if it does not end inside the table. */
static int str_eq(const struct vdso_image *img, uint64_t name_off, const char *want)
{
    if (name_off >= img->strsz)
        return -1;
    const char *s = (const char *)img->base + img->strtab + name_off;
    size_t avail = img->strsz - (size_t)name_off;
    const char *nul = memchr(s, '\0', avail);
    if (!nul)
        return -1;
    return (size_t)(nul - s) == strlen(want) && !memcmp(s, want, (size_t)(nul - s));
}

static enum vdso_status verdef_name_eq(const struct vdso_image *img, uint64_t off,
                                       const Elf64_Verdef *vd, const char *version)
{
    Elf64_Verdaux aux;
    if (!img_read(img, off + vd->vd_aux, &aux, sizeof(aux)))
        return VDSO_BAD_VERSION;
    int eq = str_eq(img, aux.vda_name, version);
    if (eq < 0)
        return VDSO_BAD_VERSION;
    return eq ? VDSO_OK : VDSO_NOT_FOUND;
}

/* Does version index ver name `version`? vd_next only moves forward, and
 * every read is range-checked, so the walk ends. */
static enum vdso_status version_matches(const struct vdso_image *img, uint16_t ver,
                                        const char *version)
{
    if (!img->verdef)
        return VDSO_BAD_VERSION; /* DT_VERSYM without DT_VERDEF */
    uint64_t off = img->verdef;
    for (;;) {
        Elf64_Verdef vd;
        if (!img_read(img, off, &vd, sizeof(vd)) || vd.vd_version != VER_DEF_CURRENT)
            return VDSO_BAD_VERSION;
        if (!(vd.vd_flags & VER_FLG_BASE) && (vd.vd_ndx & 0x7fff) == (ver & 0x7fff))
            return verdef_name_eq(img, off, &vd, version);
        if (vd.vd_next == 0)
            return VDSO_NOT_FOUND;
        off += vd.vd_next;
    }
}

/* Checks symbol idx against name/version: VDSO_OK (and *addr) on a match,
 * VDSO_NOT_FOUND on a mismatch, an error if the entry is malformed. */
static enum vdso_status check_symbol(const struct vdso_image *img, uint64_t idx, const char *name,
                                     const char *version, uintptr_t *addr)
{
    Elf64_Sym sym;
    if (idx > img->size / sizeof(sym) ||
        !img_read(img, img->symtab + idx * sizeof(sym), &sym, sizeof(sym)))
        return VDSO_BAD_SYMBOL;
    int eq = str_eq(img, sym.st_name, name);
    if (eq < 0)
        return VDSO_BAD_SYMBOL;
    unsigned type = ELF64_ST_TYPE(sym.st_info), bind = ELF64_ST_BIND(sym.st_info);
    if (!eq || sym.st_shndx == SHN_UNDEF || (type != STT_FUNC && type != STT_OBJECT) ||
        (bind != STB_GLOBAL && bind != STB_WEAK))
        return VDSO_NOT_FOUND;
    if (!in_range(img->size, vaddr_off(img, sym.st_value), 1))
        return VDSO_BAD_SYMBOL;
    if (version && img->versym) {
        uint16_t ver;
        if (!img_read(img, img->versym + idx * 2, &ver, sizeof(ver)))
            return VDSO_BAD_TABLES;
        enum vdso_status st = version_matches(img, ver, version);
        if (st != VDSO_OK)
            return st;
    }
    *addr = img->load_offset + (uintptr_t)sym.st_value;
    return VDSO_OK;
}

static uint32_t elf_hash(const char *name)
{
    uint32_t h = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h = (h << 4) + *p;
        uint32_t g = h & 0xf0000000u;
        if (g)
            h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

static uint32_t gnu_hash(const char *name)
{
    uint32_t h = 5381;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = h * 33 + *p;
    return h;
}

static int read_u32(const struct vdso_image *img, uint64_t off, uint32_t *v)
{
    return img_read(img, off, v, sizeof(*v));
}

static enum vdso_status lookup_sysv(const struct vdso_image *img, const char *name,
                                    const char *version, uintptr_t *addr)
{
    uint32_t hdr[2]; /* nbucket, nchain */
    img_read(img, img->hash, hdr, sizeof(hdr)); /* in range: checked by set_tables */
    uint64_t buckets = img->hash + 8, chains = buckets + (uint64_t)hdr[0] * 4;
    if (hdr[0] == 0 || !in_range(img->size, buckets, ((uint64_t)hdr[0] + hdr[1]) * 4) ||
        !in_range(img->size, img->symtab, (uint64_t)hdr[1] * sizeof(Elf64_Sym)))
        return VDSO_BAD_HASH;
    uint32_t i = 0;
    if (!read_u32(img, buckets + (uint64_t)(elf_hash(name) % hdr[0]) * 4, &i))
        return VDSO_BAD_HASH;
    /* A chain visits each symbol at most once; more steps mean a cycle. */
    for (uint32_t steps = 0; i != STN_UNDEF; steps++) {
        if (i >= hdr[1] || steps >= hdr[1])
            return VDSO_BAD_HASH;
        enum vdso_status st = check_symbol(img, i, name, version, addr);
        if (st != VDSO_NOT_FOUND)
            return st;
        if (!read_u32(img, chains + (uint64_t)i * 4, &i))
            return VDSO_BAD_HASH;
    }
    return VDSO_NOT_FOUND;
}

static enum vdso_status lookup_gnu(const struct vdso_image *img, const char *name,
                                   const char *version, uintptr_t *addr)
{
    uint32_t hdr[4]; /* nbuckets, symoffset, bloom_size (in u64 words), bloom_shift */
    img_read(img, img->gnu_hash, hdr, sizeof(hdr)); /* in range: checked by set_tables */
    uint64_t buckets = img->gnu_hash + 16 + (uint64_t)hdr[2] * 8;
    uint64_t chains = buckets + (uint64_t)hdr[0] * 4;
    if (hdr[0] == 0 || !in_range(img->size, buckets, (uint64_t)hdr[0] * 4))
        return VDSO_BAD_HASH;
    uint32_t h = gnu_hash(name), idx = 0;
    if (!read_u32(img, buckets + (uint64_t)(h % hdr[0]) * 4, &idx))
        return VDSO_BAD_HASH;
    if (idx == 0)
        return VDSO_NOT_FOUND;
    if (idx < hdr[1])
        return VDSO_BAD_HASH;
    /* The chain ends at an entry with bit 0 set; each step reads further
     * into the image, so a missing end runs into the range check. */
    for (;; idx++) {
        uint32_t ch;
        if (!read_u32(img, chains + (uint64_t)(idx - hdr[1]) * 4, &ch))
            return VDSO_BAD_HASH;
        if ((ch | 1) == (h | 1)) {
            enum vdso_status st = check_symbol(img, idx, name, version, addr);
            if (st != VDSO_NOT_FOUND)
                return st;
        }
        if (ch & 1)
            return VDSO_NOT_FOUND;
        if (idx == UINT32_MAX)
            return VDSO_BAD_HASH;
    }
}

enum vdso_status vdso_lookup(const struct vdso_image *img, const char *name, const char *version,
                             uintptr_t *addr)
{
    if (!img->symtab)
        return VDSO_NO_TABLES; /* vdso_open() failed or was not called */
    if (img->hash)
        return lookup_sysv(img, name, version, addr);
    return lookup_gnu(img, name, version, addr);
}
