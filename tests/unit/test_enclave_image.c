/* Tests for pal/sgx/image/enclave_image.c: the manifest -> layout mapping
 * (threads, NSSA, size, stack, heap = the rest, attributes, XFRM, MISCSELECT,
 * ISV ids), the missing trusted PAL error, and the acceptance round trip in
 * the sim: measure, sign, EINIT accepts; one flipped byte in a measured page
 * makes EINIT fail with SGX_INVALID_MEASUREMENT. Stand-in static-pie ELFs play
 * pal-enclave.elf and libos.elf: the mapping does not depend on their code. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enclave_manifest.h"
#include "sim_build.h"
#include "tap.h"

static char dir[] = "/tmp/geode-test-image-XXXXXX";
static char empty_dir[300];

static int compile(const char *name, const char *code)
{
    char src[300], cmd[1024];
    FILE *f;

    snprintf(src, sizeof(src), "%s/%s.c", dir, name);
    f = fopen(src, "w");
    if (!f)
        return -1;
    fputs(code, f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "gcc -nostdlib -static-pie -fPIE -O2 -o %s/%s %s 2>/dev/null", dir,
             name, src);
    return system(cmd) ? -1 : 0;
}

static geode_manifest *parse(const char *text)
{
    int nerr = -1;
    geode_manifest *m = manifest_parse("t.toml", text, strlen(text), stderr, &nerr);

    return nerr == 0 ? m : NULL;
}

static const char *base_manifest =
    "libos.entrypoint = \"/bin/true\"\n"
    "sys.stack.size = \"64K\"\n"
    "sgx.enclave_size = \"4M\"\n"
    "sgx.max_threads = 2\n"
    "sgx.debug = true\n"
    "sgx.isvprodid = 7\n"
    "sgx.isvsvn = 3\n"
    "geode.nssa = 3\n"
    "geode.aex_notify = false\n";

static uint64_t region_bytes(const struct sgx_layout *l, const char *region)
{
    uint64_t n = 0;

    for (size_t i = 0; i < l->n_pages; i++)
        n += strcmp(l->pages[i].region, region) ? 0 : 4096 * sgx_layout_entry_pages(&l->pages[i]);
    return n;
}

static void test_mapping(void)
{
    geode_manifest *m = parse(base_manifest);
    struct enclave_image img;
    struct sgx_layout l;
    struct sgx_err e = {{0}};
    struct sgx_secs secs;
    struct sgx_sign_params p;
    uint8_t mr[32] = {1, 2, 3};
    int ret;

    if (!CHECK(m != NULL, "test manifest parses"))
        return;
    ret = enclave_image_describe_manifest(m, dir, &img, &e);
    if (!CHECK(ret == 0, "describe (%s)", e.msg))
        goto out;
    CHECK(img.desc.n_elfs == 2 && strstr(img.elfs[0].path, "/pal-enclave.elf") &&
              strstr(img.elfs[1].path, "/libos.elf"),
          "ELF 0 is pal-enclave.elf, ELF 1 libos.elf from the runtime dir");
    CHECK(img.desc.threads == 2 && img.desc.nssa == 3 && img.desc.stack_size == ENCLAVE_IMAGE_PAL_STACK &&
              img.desc.enclave_size == 4 << 20,
          "threads, NSSA and size from the manifest, the PAL's own stack size");
    CHECK(img.desc.attributes == (SGX_ATTR_MODE64BIT | SGX_ATTR_DEBUG) && img.desc.xfrm == 7 &&
              img.desc.miscselect == SGX_MISC_EXINFO,
          "ATTRIBUTES MODE64BIT|DEBUG (aex_notify off), XFRM x87|SSE|AVX, MISCSELECT EXINFO");
    CHECK(img.blob_size > 0, "the canonical manifest is the blob (%zu bytes)", img.blob_size);
    ret = enclave_image_layout(&img, &l, &e);
    if (!CHECK(ret == 0, "layout (%s)", e.msg))
        goto out;
    CHECK(l.size == 4 << 20 && region_bytes(&l, "tcs") == 2 * 4096 &&
              region_bytes(&l, "stack") == 2 * ENCLAVE_IMAGE_PAL_STACK,
          "SIZE 4 MiB, 2 TCS, 2 PAL stacks");
    CHECK(l.pages[0].offset == SGX_LOW_BASE_GAP && !strcmp(l.pages[0].region, "heap") &&
              strcmp(l.pages[l.n_pages - 1].region, "heap") && l.pages[l.n_pages - 1].offset < l.size &&
              region_bytes(&l, "heap") > (1 << 20),
          "heap-low layout: the heap starts at 0x%llx and fills up to the other regions at the top "
          "(%llu bytes)", (unsigned long long)SGX_LOW_BASE_GAP, (unsigned long long)region_bytes(&l, "heap"));
    enclave_image_secs(&img, &l, &secs);
    enclave_image_sign_params(&img, mr, &p);
    CHECK(secs.size == l.size && secs.ssa_frame_size == l.ssa_frame_size && secs.base == 0 &&
              secs.attributes.flags == p.attributes.flags && secs.attributes.xfrm == p.attributes.xfrm &&
              secs.miscselect == p.miscselect,
          "SECS and SIGSTRUCT agree on attributes, XFRM, MISCSELECT");
    CHECK(p.attribute_mask.flags == UINT64_MAX && p.attribute_mask.xfrm == ~SGX_XFRM_AVX512 &&
              !(p.attributes.xfrm & SGX_XFRM_AVX512) && p.miscmask == UINT32_MAX &&
              p.isv_prod_id == 7 && p.isv_svn == 3 && p.enclave_hash[2] == 3,
          "SIGSTRUCT: full masks but XFRM's AVX-512 (a run takes it where the host has it), "
          "ISVPRODID/ISVSVN from the manifest, ENCLAVEHASH");
    sgx_layout_free(&l);
out:
    enclave_image_free(&img);
    manifest_free(m);
}

static void test_errors(void)
{
    geode_manifest *m = parse(base_manifest);
    struct enclave_image img;
    struct sgx_layout l;
    struct sgx_err e = {{0}};
    int ret;

    if (!m)
        return;
    ret = enclave_image_describe_manifest(m, empty_dir, &img, &e);
    CHECK(ret == -ENOENT && strstr(e.msg, "pal-enclave.elf") && strstr(e.msg, empty_dir),
          "missing trusted PAL: error names the file (%s)", e.msg);
    enclave_image_free(&img);
    m->sgx->enclave_size = 128 << 10;
    ret = enclave_image_describe_manifest(m, dir, &img, &e);
    ret = ret ? ret : enclave_image_layout(&img, &l, &e);
    CHECK(ret == -EINVAL && strstr(e.msg, "enclave"), "enclave too small for the image: %s", e.msg);
    enclave_image_free(&img);
    manifest_free(m);
}

/* Measure + sign the manifest's enclave, then build it in the sim. When
 * flip_page >= 0, that page's content is changed after measuring. */
static int sim_build(const char *text, bool aex, long flip_page, uint8_t mr_out[32], sgx_sign_key *key,
                     struct sgx_err *e)
{
    geode_manifest *m = parse(text);
    struct enclave_image img;
    struct sgx_layout l = {0};
    struct sgx_sim_cpu cpu;
    struct sgx_driver drv;
    struct sgx_driver_encl *encl = NULL;
    struct sgx_secs secs;
    struct sgx_sign_params p;
    static struct sgx_sigstruct sig;
    static uint8_t flipped[4096];
    int ret = m ? enclave_image_describe_manifest(m, dir, &img, e) : -EINVAL;

    ret = ret ? ret : enclave_image_layout(&img, &l, e);
    ret = ret ? ret : sgx_layout_measure(&l, mr_out);
    if (!ret) {
        enclave_image_secs(&img, &l, &secs);
        enclave_image_sign_params(&img, mr_out, &p);
        ret = sgx_sigstruct_sign(&p, key, &sig, e);
    }
    if (!ret && flip_page >= 0) {
        memcpy(flipped, l.pages[flip_page].data, 4096);
        flipped[100] ^= 1;
        l.pages[flip_page].data = flipped;
    }
    sgx_sim_cpu_default(&cpu, aex);
    sgx_sim_driver_init(&drv, &cpu);
    ret = ret ? ret : enclave_image_load(&drv, &l, &secs, &sig, &encl, e);
    if (encl)
        drv.close(encl);
    sgx_layout_free(&l);
    enclave_image_free(&img);
    manifest_free(m);
    return ret;
}

static long first_measured_elf_page(const char *text)
{
    geode_manifest *m = parse(text);
    struct enclave_image img;
    struct sgx_layout l = {0};
    struct sgx_err e;
    long found = -1;

    if (m && !enclave_image_describe_manifest(m, dir, &img, &e) && !enclave_image_layout(&img, &l, &e))
        for (size_t i = 0; i < l.n_pages && found < 0; i++)
            if (!strcmp(l.pages[i].region, "elf1") && l.pages[i].measured && l.pages[i].data)
                found = (long)i;
    sgx_layout_free(&l);
    enclave_image_free(&img);
    manifest_free(m);
    return found;
}

static void test_sim_einit(void)
{
    struct sgx_err e = {{0}};
    sgx_sign_key *key = sgx_key_generate(&e);
    static const char aex_manifest[] = "libos.entrypoint = \"/bin/true\"\nsgx.enclave_size = \"16M\"\n"
                                       "sys.stack.size = \"256K\"\ngeode.aex_notify = true\n";
    uint8_t mr1[32], mr2[32];
    long page = first_measured_elf_page(base_manifest);
    int ret;

    if (!CHECK(key != NULL && page >= 0, "key and a measured libOS page (%s)", e.msg))
        return;
    ret = sim_build(base_manifest, false, -1, mr1, key, &e);
    CHECK(ret == 0, "sim EINIT accepts the signed manifest enclave (%d %s)", ret, e.msg);
    ret = sim_build(aex_manifest, true, -1, mr2, key, &e);
    CHECK(ret == 0 && memcmp(mr1, mr2, 32), "and one with AEXNOTIFY, a different MRENCLAVE (%d %s)", ret,
          e.msg);
    ret = sim_build(base_manifest, false, page, mr2, key, &e);
    CHECK(ret == SGX_INVALID_MEASUREMENT && strstr(e.msg, "invalid measurement"),
          "one flipped byte in a measured page: EINIT fails, invalid measurement (%d: %s)", ret, e.msg);
    sgx_key_free(key);
}

int main(void)
{
    char cmd[400];

    if (!mkdtemp(dir) || compile("pal-enclave.elf", "void _start(void) { for (;;) __asm__ volatile(\"hlt\"); }\n") ||
        compile("libos.elf", "static volatile int c = 1; int t[3000] = {1};\n"
                             "void libos_entry(void) { c++; }\n")) {
        SKIP("cannot compile static-pie stand-in ELFs with gcc");
        return TAP_DONE();
    }
    snprintf(empty_dir, sizeof(empty_dir), "%s/empty", dir);
    if (!CHECK(snprintf(cmd, sizeof(cmd), "mkdir %s", empty_dir) > 0 && system(cmd) == 0, "mkdir"))
        return TAP_DONE();
    test_mapping();
    test_errors();
    test_sim_einit();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd))
        printf("# could not remove %s\n", dir);
    return TAP_DONE();
}
