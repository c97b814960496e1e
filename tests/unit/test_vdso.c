/* Tests for pal/sgx/platform/vdso.c: symbol lookup in synthetic ELF images
 * (DT_HASH, DT_GNU_HASH, versioned, relocated link base), in the real vDSO
 * of this machine, and in corrupted images. Images under test are copied so
 * that they end right before a PROT_NONE page: any read past the size given
 * to the parser faults and fails the test. */
#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vdso.h"
#include "tap.h"

#define IMG_SIZE 0x600
/* Layout of the synthetic image (offsets from its start). */
#define OFF_PHDR 0x40
#define OFF_DYN 0x100
#define OFF_SYM 0x200
#define OFF_STR 0x280
#define OFF_HASH 0x300
#define OFF_GNU 0x380
#define OFF_VERSYM 0x400
#define OFF_VERDEF 0x440
#define OFF_TEXT 0x500
#define NSYMS 4

static const char STRTAB[] = "\0__vdso_sgx_enter_enclave\0__vdso_clock_gettime\0undefined_sym\0"
                             "linux-vdso.so.1\0LINUX_2.6\0";
enum { STR_SGX = 1, STR_CLOCK = 26, STR_UNDEF = 47, STR_SONAME = 61, STR_LINUX26 = 77 };

struct img_opts {
    bool sysv_hash, gnu_hash, versions;
    uint64_t link_base; /* vaddr of the image start */
};

static uint8_t img[IMG_SIZE] __attribute__((aligned(16)));

static uint32_t elf_hash(const char *s)
{
    uint32_t h = 0, g;
    for (; *s; s++) {
        h = (h << 4) + (unsigned char)*s;
        g = h & 0xf0000000u;
        h = (h ^ (g >> 24)) & ~g;
    }
    return h;
}

static uint32_t gnu_hash(const char *s)
{
    uint32_t h = 5381;
    for (; *s; s++)
        h = h * 33 + (unsigned char)*s;
    return h;
}

static void put(size_t off, const void *src, size_t len)
{
    memcpy(img + off, src, len);
}

static void put_headers(const struct img_opts *o)
{
    Elf64_Ehdr eh = {.e_type = ET_DYN, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
                     .e_phoff = OFF_PHDR, .e_ehsize = sizeof(Elf64_Ehdr),
                     .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 2};
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    Elf64_Phdr ph[2] = {
        {.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0, .p_vaddr = o->link_base,
         .p_filesz = IMG_SIZE, .p_memsz = IMG_SIZE, .p_align = 0x1000},
        {.p_type = PT_DYNAMIC, .p_flags = PF_R, .p_offset = OFF_DYN,
         .p_vaddr = o->link_base + OFF_DYN, .p_filesz = 0x100, .p_memsz = 0x100, .p_align = 8},
    };
    put(0, &eh, sizeof(eh));
    put(OFF_PHDR, ph, sizeof(ph));
}

static void put_dynamic(const struct img_opts *o)
{
    Elf64_Dyn d[12];
    int n = 0;
    d[n++] = (Elf64_Dyn){DT_SYMTAB, {o->link_base + OFF_SYM}};
    d[n++] = (Elf64_Dyn){DT_STRTAB, {o->link_base + OFF_STR}};
    d[n++] = (Elf64_Dyn){DT_STRSZ, {sizeof(STRTAB)}};
    d[n++] = (Elf64_Dyn){DT_SYMENT, {sizeof(Elf64_Sym)}};
    if (o->sysv_hash)
        d[n++] = (Elf64_Dyn){DT_HASH, {o->link_base + OFF_HASH}};
    if (o->gnu_hash)
        d[n++] = (Elf64_Dyn){DT_GNU_HASH, {o->link_base + OFF_GNU}};
    if (o->versions) {
        d[n++] = (Elf64_Dyn){DT_VERSYM, {o->link_base + OFF_VERSYM}};
        d[n++] = (Elf64_Dyn){DT_VERDEF, {o->link_base + OFF_VERDEF}};
        d[n++] = (Elf64_Dyn){DT_VERDEFNUM, {2}};
    }
    d[n++] = (Elf64_Dyn){DT_NULL, {0}};
    put(OFF_DYN, d, (size_t)n * sizeof(d[0]));
}

static const uint32_t SYM_NAMES[NSYMS] = {0, STR_SGX, STR_CLOCK, STR_UNDEF};

static void put_symbols(const struct img_opts *o)
{
    Elf64_Sym s[NSYMS] = {{0}};
    s[1] = (Elf64_Sym){.st_name = STR_SGX, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC),
                       .st_shndx = 1, .st_value = o->link_base + OFF_TEXT, .st_size = 16};
    s[2] = (Elf64_Sym){.st_name = STR_CLOCK, .st_info = ELF64_ST_INFO(STB_WEAK, STT_FUNC),
                       .st_shndx = 1, .st_value = o->link_base + OFF_TEXT + 16, .st_size = 16};
    s[3] = (Elf64_Sym){.st_name = STR_UNDEF, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC),
                       .st_shndx = SHN_UNDEF};
    put(OFF_SYM, s, sizeof(s));
    put(OFF_STR, STRTAB, sizeof(STRTAB));
}

/* Two buckets; chains built by inserting each symbol at its bucket's head. */
static void put_sysv_hash(void)
{
    uint32_t h[2 + 2 + NSYMS] = {2, NSYMS};
    for (uint32_t i = 1; i < NSYMS; i++) {
        uint32_t b = elf_hash(STRTAB + SYM_NAMES[i]) % 2;
        h[4 + i] = h[2 + b];
        h[2 + b] = i;
    }
    put(OFF_HASH, h, sizeof(h));
}

/* One bucket holding symbols 1..3, a one-word bloom filter with all bits
 * set (the lookup may ignore it). */
static void put_gnu_hash(void)
{
    uint32_t hdr[4] = {1, 1, 1, 6};
    uint64_t bloom = ~0ull;
    uint32_t bucket = 1, chain[NSYMS - 1];
    for (uint32_t i = 1; i < NSYMS; i++)
        chain[i - 1] = gnu_hash(STRTAB + SYM_NAMES[i]) & ~1u;
    chain[NSYMS - 2] |= 1;
    put(OFF_GNU, hdr, sizeof(hdr));
    put(OFF_GNU + 16, &bloom, sizeof(bloom));
    put(OFF_GNU + 24, &bucket, sizeof(bucket));
    put(OFF_GNU + 28, chain, sizeof(chain));
}

/* Version 1: the base (soname) definition; version 2: LINUX_2.6. */
static void put_versions(void)
{
    uint16_t versym[NSYMS] = {0, 2, 2, 0};
    Elf64_Verdef vd[2] = {
        {.vd_version = VER_DEF_CURRENT, .vd_flags = VER_FLG_BASE, .vd_ndx = 1, .vd_cnt = 1,
         .vd_aux = sizeof(Elf64_Verdef), .vd_next = sizeof(Elf64_Verdef) + sizeof(Elf64_Verdaux)},
        {.vd_version = VER_DEF_CURRENT, .vd_ndx = 2, .vd_cnt = 1, .vd_aux = sizeof(Elf64_Verdef)},
    };
    Elf64_Verdaux va[2] = {{.vda_name = STR_SONAME}, {.vda_name = STR_LINUX26}};
    size_t step = sizeof(Elf64_Verdef) + sizeof(Elf64_Verdaux);
    put(OFF_VERSYM, versym, sizeof(versym));
    for (int i = 0; i < 2; i++) {
        put(OFF_VERDEF + i * step, &vd[i], sizeof(vd[i]));
        put(OFF_VERDEF + i * step + sizeof(Elf64_Verdef), &va[i], sizeof(va[i]));
    }
}

static void build_image(const struct img_opts *o)
{
    memset(img, 0, sizeof(img));
    put_headers(o);
    put_dynamic(o);
    put_symbols(o);
    if (o->sysv_hash)
        put_sysv_hash();
    if (o->gnu_hash)
        put_gnu_hash();
    if (o->versions)
        put_versions();
    memset(img + OFF_TEXT, 0xc3, 32); /* ret */
}

/* A buffer of `len` bytes that ends right at a PROT_NONE page. */
static uint8_t *guard_area, *guard_end;

static void guard_init(void)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    guard_area = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (guard_area == MAP_FAILED) {
        perror("test_vdso: mmap");
        exit(1);
    }
    guard_end = guard_area + page;
    if (mprotect(guard_end, page, PROT_NONE)) {
        perror("test_vdso: mprotect");
        exit(1);
    }
}

/* Opens a copy of the first len bytes of img placed against the guard page,
 * then looks up name; returns the combined status. */
static enum vdso_status open_and_lookup(size_t len, const char *name, const char *version,
                                        uintptr_t *addr, const uint8_t **where)
{
    uint8_t *copy = guard_end - len;
    struct vdso_image vi;
    memcpy(copy, img, len);
    *where = copy;
    enum vdso_status st = vdso_open(copy, len, &vi);
    return st == VDSO_OK ? vdso_lookup(&vi, name, version, addr) : st;
}

static enum vdso_status lookup_full(const char *name, const char *version, uintptr_t *addr,
                                    const uint8_t **where)
{
    return open_and_lookup(IMG_SIZE, name, version, addr, where);
}

static void test_variant(const char *label, const struct img_opts *o)
{
    uintptr_t addr = 0;
    const uint8_t *base;
    build_image(o);
    enum vdso_status st = lookup_full("__vdso_sgx_enter_enclave", "LINUX_2.6", &addr, &base);
    CHECK(st == VDSO_OK && addr == (uintptr_t)(base + OFF_TEXT),
          "%s: __vdso_sgx_enter_enclave@LINUX_2.6 found at its run-time address (%s)", label,
          vdso_status_str(st));
    st = lookup_full("__vdso_clock_gettime", NULL, &addr, &base);
    CHECK(st == VDSO_OK && addr == (uintptr_t)(base + OFF_TEXT + 16),
          "%s: weak __vdso_clock_gettime found without a version (%s)", label,
          vdso_status_str(st));
    st = lookup_full("__vdso_getcpu", "LINUX_2.6", &addr, &base);
    CHECK(st == VDSO_NOT_FOUND, "%s: absent symbol reported as not found (%s)", label,
          vdso_status_str(st));
    st = lookup_full("undefined_sym", NULL, &addr, &base);
    CHECK(st == VDSO_NOT_FOUND, "%s: undefined (SHN_UNDEF) symbol not matched (%s)", label,
          vdso_status_str(st));
    st = lookup_full("__vdso_sgx_enter_enclave", "LINUX_9.9", &addr, &base);
    CHECK(st == (o->versions ? VDSO_NOT_FOUND : VDSO_OK),
          "%s: wrong version %s (%s)", label, o->versions ? "rejected" : "ignored (unversioned)",
          vdso_status_str(st));
}

static void test_synthetic(void)
{
    const uint64_t old_base = 0xffffffffff700000ull; /* pre-3.x vDSO link address */
    test_variant("DT_HASH", &(struct img_opts){.sysv_hash = true, .versions = true});
    test_variant("DT_GNU_HASH", &(struct img_opts){.gnu_hash = true, .versions = true});
    test_variant("both hashes", &(struct img_opts){true, true, true, 0});
    test_variant("unversioned", &(struct img_opts){.sysv_hash = true});
    test_variant("GNU, link base", &(struct img_opts){false, true, true, old_base});
    test_variant("DT_HASH, link base", &(struct img_opts){true, false, true, old_base});

    size_t size = 0;
    build_image(&(struct img_opts){true, true, true, old_base});
    enum vdso_status st = vdso_image_extent(img, IMG_SIZE, &size);
    CHECK(st == VDSO_OK && size == IMG_SIZE, "extent from PT_LOAD is %zu (got %zu, %s)",
          (size_t)IMG_SIZE, size, vdso_status_str(st));
}

/* Every truncation must fail cleanly (or still find the symbol correctly
 * when the cut falls after everything the lookup needs). */
static void test_truncated(void)
{
    struct img_opts kinds[2] = {{.sysv_hash = true, .versions = true},
                                {.gnu_hash = true, .versions = true}};
    for (int k = 0; k < 2; k++) {
        int bad = 0, failed = 0;
        build_image(&kinds[k]);
        for (size_t len = 0; len < IMG_SIZE; len++) {
            uintptr_t addr = 0;
            const uint8_t *base;
            enum vdso_status st = open_and_lookup(len, "__vdso_sgx_enter_enclave", "LINUX_2.6",
                                                  &addr, &base);
            failed += st != VDSO_OK;
            bad += st == VDSO_OK && (len <= OFF_TEXT || addr != (uintptr_t)(base + OFF_TEXT));
        }
        CHECK(bad == 0 && failed > OFF_TEXT, "%s: %d truncations rejected, none misread",
              k ? "GNU" : "SysV", failed);
    }
}

struct corruption {
    const char *what;
    size_t off;
    uint64_t value;
    size_t width;
    enum vdso_status want;
};

static void test_corrupted(void)
{
    const size_t dyn_symtab_val = OFF_DYN + 8, dyn_strsz_val = OFF_DYN + 2 * 16 + 8;
    const struct corruption cases[] = {
        {"bad magic", 0, 0x7f454c47, 4, VDSO_BAD_HEADER},
        {"32-bit class", EI_CLASS, ELFCLASS32, 1, VDSO_BAD_HEADER},
        {"e_phoff past the end", offsetof(Elf64_Ehdr, e_phoff), 0x10000, 8, VDSO_BAD_PHDRS},
        {"e_phoff wraps", offsetof(Elf64_Ehdr, e_phoff), ~0ull - 8, 8, VDSO_BAD_PHDRS},
        {"e_phentsize wrong", offsetof(Elf64_Ehdr, e_phentsize), 32, 2, VDSO_BAD_PHDRS},
        {"no PT_DYNAMIC", OFF_PHDR + sizeof(Elf64_Phdr), PT_NOTE, 4, VDSO_NO_DYNAMIC},
        {"PT_DYNAMIC past the end", OFF_PHDR + sizeof(Elf64_Phdr) + 16, 0x7000, 8,
         VDSO_BAD_DYNAMIC},
        {"DT_SYMTAB past the end", dyn_symtab_val, 0x100000, 8, VDSO_BAD_TABLES},
        {"DT_STRSZ too big", dyn_strsz_val, 0x10000, 8, VDSO_BAD_TABLES},
        {"nbucket = 0", OFF_HASH, 0, 4, VDSO_BAD_HASH},
        {"nchain huge", OFF_HASH + 4, 0x10000000, 4, VDSO_BAD_HASH},
        {"bucket indices past nchain", OFF_HASH + 8, 77ull << 32 | 77, 8, VDSO_BAD_HASH},
        {"st_name past DT_STRSZ", OFF_SYM + sizeof(Elf64_Sym), 0x5000, 4, VDSO_BAD_SYMBOL},
        {"st_value outside the image", OFF_SYM + sizeof(Elf64_Sym) + 8, 0x99999999, 8,
         VDSO_BAD_SYMBOL},
        {"unterminated string table", OFF_STR + sizeof(STRTAB) - 2, 0x7878, 2, VDSO_BAD_VERSION},
        {"vd_version wrong", OFF_VERDEF, 7, 2, VDSO_BAD_VERSION},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uintptr_t addr;
        const uint8_t *base;
        build_image(&(struct img_opts){.sysv_hash = true, .versions = true});
        memcpy(img + cases[i].off, &cases[i].value, cases[i].width);
        enum vdso_status st = lookup_full("__vdso_sgx_enter_enclave", "LINUX_2.6", &addr, &base);
        CHECK(st == cases[i].want, "corrupted (%s): %s", cases[i].what, vdso_status_str(st));
    }
}

/* A cycle in the SysV chain must be detected, not followed forever. */
static void test_hash_cycle(void)
{
    build_image(&(struct img_opts){.sysv_hash = true});
    uint32_t h[2 + 2 + NSYMS] = {2, NSYMS, 3, 3, 0, 3, 3, 3}; /* chain[3] = 3 */
    memcpy(img + OFF_HASH, h, sizeof(h));
    uintptr_t addr;
    const uint8_t *base;
    enum vdso_status st = lookup_full("__vdso_getcpu", NULL, &addr, &base);
    CHECK(st == VDSO_BAD_HASH, "SysV hash chain cycle detected (%s)", vdso_status_str(st));
}

/* Random byte corruption: every outcome is acceptable except a crash (the
 * guard page turns any overread into one). */
static void test_random_mutations(void)
{
    unsigned seed = 12345;
    int ok = 0, total = 20000;
    for (int i = 0; i < total; i++) {
        build_image(&(struct img_opts){i & 1, !(i & 1) || (i & 2), (i & 4) != 0, 0});
        for (int k = 0; k < 1 + i % 8; k++)
            img[rand_r(&seed) % IMG_SIZE] = (uint8_t)rand_r(&seed);
        uintptr_t addr;
        const uint8_t *base;
        ok += lookup_full(i & 8 ? "__vdso_clock_gettime" : "__vdso_sgx_enter_enclave",
                          "LINUX_2.6", &addr, &base) == VDSO_OK;
    }
    CHECK(1, "%d randomly corrupted images parsed without a crash (%d still resolved)", total,
          ok);
}

/* Does the running kernel build the SGX vDSO entry? -1 if unknown. */
static int kernel_has_sgx_config(void)
{
    FILE *p = popen("zcat /proc/config.gz 2>/dev/null | grep -c '^CONFIG_X86_SGX=y'", "r");
    int n = -1;
    if (!p)
        return -1;
    if (fscanf(p, "%d", &n) != 1)
        n = -1;
    int rc = pclose(p);
    /* grep -c exits 1 with "0" printed; no output at all means no config. */
    return (n < 0 || (rc != 0 && n != 0)) ? -1 : n > 0;
}

static void test_real_vdso(void)
{
    struct vdso_image vi;
    uintptr_t addr = 0;
    enum vdso_status st = vdso_open_self(&vi);
    if (!CHECK(st == VDSO_OK, "real vDSO opens (%s, %zu bytes)", vdso_status_str(st), vi.size))
        return;
    st = vdso_lookup(&vi, "__vdso_clock_gettime", "LINUX_2.6", &addr);
    CHECK(st == VDSO_OK, "real vDSO: __vdso_clock_gettime@LINUX_2.6 found (%s)",
          vdso_status_str(st));
    if (st == VDSO_OK) {
        int (*vgettime)(clockid_t, struct timespec *) = (void *)addr;
        struct timespec a, b;
        clock_gettime(CLOCK_REALTIME, &a);
        int rc = vgettime(CLOCK_REALTIME, &b);
        CHECK(rc == 0 && llabs((long long)(b.tv_sec - a.tv_sec)) <= 1,
              "real vDSO: calling the found __vdso_clock_gettime gives the time (%lld vs %lld)",
              (long long)b.tv_sec, (long long)a.tv_sec);
    }
    st = vdso_lookup(&vi, "__vdso_clock_gettime", "LINUX_0.0", &addr);
    CHECK(st == VDSO_NOT_FOUND, "real vDSO: wrong version not matched (%s)",
          vdso_status_str(st));
    st = vdso_lookup(&vi, "__vdso_sgx_enter_enclave", "LINUX_2.6", &addr);
    int sgx = kernel_has_sgx_config();
    if (sgx < 0)
        SKIP("real vDSO: __vdso_sgx_enter_enclave is %s (no /proc/config.gz to compare)",
             vdso_status_str(st));
    else
        CHECK(st == (sgx ? VDSO_OK : VDSO_NOT_FOUND),
              "real vDSO: __vdso_sgx_enter_enclave %s, as CONFIG_X86_SGX=%s says (%s)",
              sgx ? "present" : "absent", sgx ? "y" : "n", vdso_status_str(st));
}

int main(void)
{
    guard_init();
    test_synthetic();
    test_truncated();
    test_corrupted();
    test_hash_cycle();
    test_random_mutations();
    test_real_vdso();
    return TAP_DONE();
}
