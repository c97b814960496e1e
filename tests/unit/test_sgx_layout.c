/* The image builder: ELF validation, SSA frame sizes, layout determinism and
 * TCS contents, and a full round trip through the sim's build leaves (the
 * builder's MRENCLAVE and the sim's independent one must agree). */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sgx_cpuid.h"
#include "elf_image.h"
#include "layout.h"
#include "sigstruct.h"
#include "ssa_size.h"
#include "sim_build.h"
#include "tap.h"

static char dir[] = "/tmp/geode-test-layout-XXXXXX";
static char elf_path[256];
static uint8_t *elf;
static size_t elf_size;

static int compile_tiny(void)
{
    char src[256], cmd[768];
    FILE *f;

    snprintf(src, sizeof(src), "%s/tiny.c", dir);
    snprintf(elf_path, sizeof(elf_path), "%s/tiny", dir);
    f = fopen(src, "w");
    if (!f)
        return -1;
    fputs("static volatile int c = 1; int big[5000] = {1};\n"
          "void _start(void) { c++; for (;;) __asm__ volatile(\"hlt\"); }\n", f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "gcc -nostdlib -static-pie -fPIE -O2 -o %s %s 2>/dev/null", elf_path, src);
    if (system(cmd))
        return -1;
    f = fopen(elf_path, "rb");
    elf = malloc(1 << 20);
    elf_size = f && elf ? fread(elf, 1, 1 << 20, f) : 0;
    if (f)
        fclose(f);
    return elf_size ? 0 : -1;
}

/* Parses a mutated copy of the ELF; returns whether it was rejected with `want` in the message. */
static int rejects(void (*mutate)(uint8_t *, size_t *), const char *want)
{
    uint8_t *copy = malloc(elf_size);
    size_t size = elf_size;
    struct elf_image img;
    struct sgx_err e = {{0}};
    int ret;

    memcpy(copy, elf, elf_size);
    mutate(copy, &size);
    ret = elf_image_parse(copy, size, "x.elf", &img, &e);
    if (!ret)
        elf_image_free(&img);
    free(copy);
    printf("# %s\n", e.msg);
    return ret == -EINVAL && strstr(e.msg, want) != NULL;
}

static Elf64_Phdr *load_phdr(uint8_t *f, int nth)
{
    Elf64_Ehdr *eh = (Elf64_Ehdr *)f;

    for (int i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr *ph = (Elf64_Phdr *)(f + eh->e_phoff) + i;

        if (ph->p_type == PT_LOAD && nth-- == 0)
            return ph;
    }
    abort();
}

static void m_magic(uint8_t *f, size_t *n) { (void)n; f[1] = 'X'; }
static void m_machine(uint8_t *f, size_t *n) { (void)n; ((Elf64_Ehdr *)f)->e_machine = EM_386; }
static void m_exec(uint8_t *f, size_t *n) { (void)n; ((Elf64_Ehdr *)f)->e_type = ET_EXEC; }
static void m_truncate(uint8_t *f, size_t *n) { (void)f; *n = 20; }
static void m_phoff(uint8_t *f, size_t *n) { ((Elf64_Ehdr *)f)->e_phoff = *n - 8; }
static void m_outside(uint8_t *f, size_t *n) { load_phdr(f, 1)->p_offset = *n - 2; }
static void m_overlap(uint8_t *f, size_t *n) { (void)n; load_phdr(f, 1)->p_vaddr = load_phdr(f, 0)->p_vaddr; }
static void m_wonly(uint8_t *f, size_t *n) { (void)n; load_phdr(f, 0)->p_flags = PF_W; }
static void m_entry(uint8_t *f, size_t *n) { (void)n; ((Elf64_Ehdr *)f)->e_entry = 0; }
static void m_memsz(uint8_t *f, size_t *n) { (void)n; load_phdr(f, 0)->p_memsz = 1; load_phdr(f, 0)->p_filesz = 2; }

static void test_elf(void)
{
    struct elf_image img;
    struct sgx_err e = {{0}};

    CHECK(elf_image_parse(elf, elf_size, "tiny", &img, &e) == 0, "tiny static-pie parses (%s)", e.msg);
    CHECK(img.span % 4096 == 0 && img.entry < img.span && (img.perms[img.entry / 4096] & SGX_SECINFO_X),
          "span page aligned, entry in an X page");
    elf_image_free(&img);
    CHECK(rejects(m_magic, "bad magic"), "bad magic rejected");
    CHECK(rejects(m_truncate, "bad magic"), "truncated file rejected");
    CHECK(rejects(m_machine, "wrong machine"), "wrong machine rejected");
    CHECK(rejects(m_exec, "ET_DYN"), "ET_EXEC rejected");
    CHECK(rejects(m_phoff, "program header"), "program headers outside the file rejected");
    CHECK(rejects(m_outside, "outside the file"), "segment outside the file rejected");
    CHECK(rejects(m_overlap, "overlaps"), "overlapping segments rejected");
    CHECK(rejects(m_wonly, "writable but not readable"), "W without R rejected");
    CHECK(rejects(m_entry, "entry point"), "entry outside X rejected");
    CHECK(rejects(m_memsz, "outside the file"), "filesz > memsz rejected");
}

static void test_ssa_size(void)
{
    uint32_t pages = 0, bytes = 0, native = 0;
    const char *why = NULL;

    CHECK(sgx_ssa_frame_pages(0x3, 0, &pages, NULL) == 0 && pages == 1, "x87|SSE -> 1 page");
    CHECK(sgx_xsave_size(0x7, &bytes, NULL) == 0 && bytes == 832, "AVX XSAVE area 832 bytes");
    CHECK(sgx_xsave_size(0xe7, &bytes, NULL) == 0 && bytes == 2688, "AVX-512 XSAVE area 2688 bytes");
    CHECK(sgx_ssa_frame_pages(0x600e7, 1, &pages, NULL) == 0 && pages == 3, "AMX + EXINFO -> 3 pages");
    CHECK(sgx_ssa_frame_pages(0x1, 0, &pages, NULL) == -EINVAL, "XFRM without SSE rejected");
    CHECK(sgx_ssa_frame_pages(0x27, 0, &pages, NULL) == -EINVAL, "partial AVX-512 rejected");
    CHECK(sgx_ssa_frame_pages(0x3, 2, &pages, NULL) == -EINVAL, "unknown MISCSELECT rejected");
    if (xsave_size_for_xfrm(0x7, &native, &why) == 0)
        CHECK(native == 832, "table agrees with this CPU's CPUID leaf 0xD for AVX (%u)", native);
    else
        SKIP("this CPU has no AVX XSAVE state (%s)", why);
}

static struct sgx_layout_desc desc(struct sgx_layout_elf *elfs, uint64_t attrs)
{
    static const uint8_t blob[] = "canonical manifest";

    elfs[0] = (struct sgx_layout_elf){.path = elf_path};
    elfs[1] = (struct sgx_layout_elf){.path = elf_path, .offset = 0x200000, .has_offset = true};
    return (struct sgx_layout_desc){.elfs = elfs, .n_elfs = 2, .blob = blob, .blob_size = sizeof(blob),
                                    .threads = 2, .stack_size = 16384, .nssa = 2, .attributes = attrs,
                                    .xfrm = 0x3, .miscselect = 1, .heap_size = 65536};
}

static void test_layout(void)
{
    struct sgx_layout_elf elfs[2];
    struct sgx_layout_desc d = desc(elfs, SGX_ATTR_MODE64BIT | SGX_ATTR_AEXNOTIFY);
    struct sgx_layout a, b;
    struct sgx_err e = {{0}};
    uint8_t mra[32], mrb[32];
    const struct sgx_tcs *tcs;
    int sorted = 1;

    CHECK(sgx_layout_build(&d, &a, &e) == 0, "layout builds (%s)", e.msg);
    CHECK(sgx_layout_build(&d, &b, &e) == 0, "layout builds again");
    CHECK(!sgx_layout_measure(&a, mra) && !sgx_layout_measure(&b, mrb) && !memcmp(mra, mrb, 32), "deterministic");
    for (size_t i = 1; i < a.n_pages; i++)
        sorted &= a.pages[i].offset > a.pages[i - 1].offset;
    CHECK(sorted && a.size == (a.size & -a.size) && a.pages[a.n_pages - 1].offset < a.size, "sorted, within SIZE");
    tcs = (const struct sgx_tcs *)a.pages[1].data;
    CHECK(a.pages[1].secinfo_flags == SGX_SECINFO_TCS && tcs->nssa == 2 && tcs->oentry == a.entry_offset &&
              tcs->flags == SGX_TCS_AEXNOTIFY && tcs->ossa == 2 * 4096 + 2 * 4096,
          "second TCS: NSSA, OENTRY, AEXNOTIFY flag, OSSA");
    const struct sgx_layout_tls *tls = NULL;
    for (size_t i = 0; i < a.n_pages && !tls; i++)
        if (!strcmp(a.pages[i].region, "tls"))
            tls = (const struct sgx_layout_tls *)a.pages[i].data;
    CHECK(tls && tls->nssa == tcs->nssa && tls->ssa_frame_pages == a.ssa_frame_size,
          "TLS page carries NSSA and the SSA frame size for the trusted PAL");
    sgx_layout_free(&b);
    /* An ELF placed one page into a stack (a run entry) overlaps it. */
    for (size_t i = 0; i < a.n_pages; i++)
        if (!strcmp(a.pages[i].region, "stack") && a.pages[i].more) {
            elfs[1].offset = a.pages[i].offset + 4096;
            break;
        }
    CHECK(sgx_layout_build(&d, &b, &e) == -EINVAL && strstr(e.msg, "regions stack and elf1 overlap"),
          "a page inside a run is an overlap: %s", e.msg);
    elfs[1].offset = 0x200000;
    d.enclave_size = 0x1000 * 3;
    CHECK(sgx_layout_build(&d, &b, &e) == -EINVAL && strstr(e.msg, "power of two"), "bad size: %s", e.msg);
    d.enclave_size = 0x10000;
    CHECK(sgx_layout_build(&d, &b, &e) == -EINVAL && strstr(e.msg, "too small"), "too small: %s", e.msg);
    sgx_layout_free(&a);
}

/* Feeds the layout to the sim page by page and initializes with a SIGSTRUCT
 * over the builder's MRENCLAVE. */
/* runs: 0 page by page, 1 through sgx_layout_add_pages (runs; zero pages
 * with add_zero_pages), 2 the same with a driver that has none (zero runs
 * through a staging source of 256 pages per call). */
static int sim_round_trip_as(const struct sgx_layout *l, const uint8_t mr[32], sgx_sign_key *key, int runs)
{
    static const uint8_t zero[4096] __attribute__((aligned(4096)));
    static struct sgx_secs secs;
    struct sgx_sim_cpu cpu;
    struct sgx_driver drv;
    struct sgx_driver_encl *encl = NULL;
    struct sgx_sign_params p = {.miscselect = 1, .miscmask = ~0U, .attributes = {SGX_ATTR_MODE64BIT, 3},
                                .attribute_mask = {~0ULL, ~0ULL}, .date_bcd = 0x20260101};
    struct sgx_sigstruct sig;
    int ret;

    sgx_sim_cpu_default(&cpu, false);
    sgx_sim_driver_init(&drv, &cpu);
    memset(&secs, 0, sizeof(secs));
    secs.size = l->size;
    secs.ssa_frame_size = l->ssa_frame_size;
    secs.miscselect = 1;
    secs.attributes = (struct sgx_attributes){SGX_ATTR_MODE64BIT, 3};
    memcpy(p.enclave_hash, mr, 32);
    ret = drv.open(&drv, &encl) || sgx_reserve_range(l->size, &secs.base) ||
          drv.create(encl, &(struct sgx_enclave_create){(uintptr_t)&secs});
    if (runs == 2)
        drv.add_zero_pages = NULL;
    if (!ret && runs) {
        struct sgx_err e = {{0}};

        ret = sgx_layout_add_pages(&drv, encl, l, &e);
    }
    /* Page by page, an entry's run of zero pages too. */
    for (size_t i = 0; !ret && !runs && i < l->n_pages; i++)
        for (uint64_t k = 0; !ret && k < sgx_layout_entry_pages(&l->pages[i]); k++) {
            /* SECINFO must be 64-byte aligned; src page aligned. */
            struct sgx_secinfo si = {.flags = l->pages[i].secinfo_flags};
            static uint8_t page[4096] __attribute__((aligned(4096)));
            struct sgx_enclave_add_pages a = {(uintptr_t)page, l->pages[i].offset + k * 4096, 4096, (uintptr_t)&si,
                                              l->pages[i].measured ? SGX_PAGE_MEASURE : 0, 0};

            memcpy(page, l->pages[i].data ? l->pages[i].data : zero, 4096);
            ret = drv.add_pages(encl, &a);
        }
    if (!ret)
        ret = sgx_sigstruct_sign(&p, key, &sig, NULL) ? -1
                                                      : drv.init(encl, &(struct sgx_enclave_init){(uintptr_t)&sig});
    drv.close(encl);
    return ret;
}

static int sim_round_trip(const struct sgx_layout *l, const uint8_t mr[32], sgx_sign_key *key)
{
    return sim_round_trip_as(l, mr, key, 0);
}

/* The builder's layout through the sim: EINIT accepts its MRENCLAVE,
 * whether the pages go one by one or in runs (with or without the sim's
 * add_zero_pages); the heap and each stack are one entry of the page list
 * (a run of zero pages) whose pages count as before. */
static void test_sim_round_trip(void)
{
    struct sgx_layout_elf elfs[2];
    struct sgx_layout_desc d = desc(elfs, SGX_ATTR_MODE64BIT);
    struct sgx_layout l;
    struct sgx_err e = {{0}};
    uint8_t mr[32];
    sgx_sign_key *key = sgx_key_generate(&e);
    size_t heap_entries = 0, stack_entries = 0;
    uint64_t heap_pages = 0, all = 0;
    int ret;

    d.heap_size = 4 << 20; /* 1,024 pages: several staging runs */
    if (!CHECK(key && sgx_layout_build(&d, &l, &e) == 0 && sgx_layout_measure(&l, mr) == 0, "layout for sim"))
        return;
    for (size_t i = 0; i < l.n_pages; i++) {
        const struct sgx_layout_page *pg = &l.pages[i];

        heap_entries += !strcmp(pg->region, "heap");
        stack_entries += !strcmp(pg->region, "stack");
        heap_pages += strcmp(pg->region, "heap") ? 0 : sgx_layout_entry_pages(pg);
        all += sgx_layout_entry_pages(pg);
        if (pg->more && (pg->data || pg->measured))
            CHECK(0, "entry %zu: a run with data or measured", i);
    }
    CHECK(heap_entries == 1 && heap_pages == d.heap_size / 4096 && stack_entries == d.threads,
          "one entry for the heap (%llu pages), one per stack", (unsigned long long)heap_pages);
    CHECK(all == sgx_layout_page_count(&l) && all > heap_pages + d.threads * d.stack_size / 4096,
          "the page count counts every run's pages (%llu)", (unsigned long long)all);
    ret = sim_round_trip(&l, mr, key);
    CHECK(ret == 0, "sim EINIT accepts the builder's layout and MRENCLAVE (ret %d)", ret);
    ret = sim_round_trip_as(&l, mr, key, 1);
    CHECK(ret == 0, "EADD in runs, zero pages without a source: sim EINIT accepts (ret %d)", ret);
    ret = sim_round_trip_as(&l, mr, key, 2);
    CHECK(ret == 0, "EADD in runs through 256-page zero sources: sim EINIT accepts (ret %d)", ret);
    mr[5] ^= 1;
    ret = sim_round_trip(&l, mr, key);
    CHECK(ret == SGX_INVALID_MEASUREMENT, "and rejects a different MRENCLAVE (ret %d)", ret);
    sgx_layout_free(&l);
    sgx_key_free(key);
}

int main(void)
{
    char cmd[128];

    test_ssa_size();
    if (!mkdtemp(dir) || compile_tiny()) {
        SKIP("cannot compile a static-pie test ELF with gcc");
        return TAP_DONE();
    }
    test_elf();
    test_layout();
    test_sim_round_trip();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd))
        printf("# could not remove %s\n", dir);
    free(elf);
    return TAP_DONE();
}
