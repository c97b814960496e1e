/* geode measure: MRENCLAVE of an enclave image built by the generic image
 * builder (pal/sgx/image/layout.c), either from a manifest (the enclave the
 * loader will build: pal/sgx/image/enclave_image.h) or, in the low-level form,
 * from ELF files and a blob given explicitly. Exit status: 0 success,
 * 1 failure, 2 misuse. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "enclave_manifest.h"
#include "hexfmt.h"
#include "layout.h"
#include "layout_dump.h"
#include "paths.h"

#define MAX_BLOB (64ULL << 20)

static const char measure_help[] =
    "usage: geode measure MANIFEST [--layout-json FILE] [--pages FILE]\n"
    "       geode measure --elf PATH[@OFFSET]... [options]\n"
    "Builds the enclave page list (see pal/sgx/image/layout.h) and prints MRENCLAVE\n"
    "as 64 hex digits. With MANIFEST: the enclave the loader builds for it (trusted\n"
    "files hashed first, as 'geode manifest expand' does; pal-enclave.elf from the\n"
    "runtime directory; mapping in pal/sgx/image/enclave_image.h).\n"
    "Low-level form:\n"
    "  --elf PATH[@OFFSET]  ELF (ET_DYN) to load, at OFFSET if given; repeatable, up\n"
    "                       to 8; the first one provides the entry point\n"
    "  --blob PATH          data to place read-only (e.g. the canonical manifest)\n"
    "  --threads N          TCS count (default 1)\n"
    "  --stack-size N       bytes per thread (default 262144)\n"
    "  --nssa N             SSA frames per thread (default 2)\n"
    "  --heap-size N        bytes (default 1048576)\n"
    "  --xfrm N             XFRM (default 0x3)   --miscselect N (default 0x1 = EXINFO)\n"
    "  --attributes N       ATTRIBUTES flags (default 0x4 = MODE64BIT)\n"
    "  --debug, --aex-notify  add these attributes\n"
    "  --enclave-size N     SECS.SIZE, a power of two (default: smallest that fits)\n"
    "  --layout-json FILE   write ECREATE parameters and the EADD-ordered page list\n"
    "  --pages FILE         write each listed page's 4096 bytes, in list order\n";

enum { O_ELF = 256, O_BLOB, O_THREADS, O_STACK, O_NSSA, O_HEAP, O_XFRM, O_MISC, O_ATTR, O_DEBUG,
       O_AEX, O_SIZE, O_JSON, O_PAGES };

static const struct option opts[] = {
    {"elf", required_argument, NULL, O_ELF},           {"blob", required_argument, NULL, O_BLOB},
    {"threads", required_argument, NULL, O_THREADS},   {"stack-size", required_argument, NULL, O_STACK},
    {"nssa", required_argument, NULL, O_NSSA},         {"heap-size", required_argument, NULL, O_HEAP},
    {"xfrm", required_argument, NULL, O_XFRM},         {"miscselect", required_argument, NULL, O_MISC},
    {"attributes", required_argument, NULL, O_ATTR},   {"debug", no_argument, NULL, O_DEBUG},
    {"aex-notify", no_argument, NULL, O_AEX},          {"enclave-size", required_argument, NULL, O_SIZE},
    {"layout-json", required_argument, NULL, O_JSON},  {"pages", required_argument, NULL, O_PAGES},
    {0}};

struct measure_args {
    struct sgx_layout_desc desc;
    struct sgx_layout_elf elfs[SGX_LAYOUT_MAX_ELFS];
    const char *blob_path, *json_path, *pages_path;
    const char *manifest;
    bool low_level; /* an option of the low-level form was given */
};

/* PATH[@OFFSET]: the last '@' followed by a number splits off the offset. */
static const char *parse_elf(char *arg, struct measure_args *a)
{
    struct sgx_layout_elf *elf;
    char *at = strrchr(arg, '@');
    uint64_t off;

    if (a->desc.n_elfs == SGX_LAYOUT_MAX_ELFS)
        return "too many --elf (at most 8)";
    elf = &a->elfs[a->desc.n_elfs++];
    elf->path = arg;
    if (at && parse_u64(at + 1, UINT64_MAX, &off) == 0) {
        *at = '\0';
        elf->offset = off;
        elf->has_offset = true;
    }
    return NULL;
}

static const char *parse_number(int c, struct measure_args *a)
{
    static char msg[96];
    struct sgx_layout_desc *d = &a->desc;
    uint64_t v;

    if (parse_u64(optarg, c == O_THREADS || c == O_NSSA || c == O_MISC ? UINT32_MAX : UINT64_MAX, &v)) {
        snprintf(msg, sizeof(msg), "'%.40s' is not a valid number", optarg);
        return msg;
    }
    switch (c) {
    case O_THREADS: d->threads = (uint32_t)v; break;
    case O_STACK: d->stack_size = v; break;
    case O_NSSA: d->nssa = (uint32_t)v; break;
    case O_HEAP: d->heap_size = v; break;
    case O_XFRM: d->xfrm = v; break;
    case O_MISC: d->miscselect = (uint32_t)v; break;
    case O_ATTR: d->attributes = v; break;
    default: d->enclave_size = v; break;
    }
    return NULL;
}

static const char *parse_one(int c, struct measure_args *a)
{
    a->low_level |= c != O_JSON && c != O_PAGES;
    switch (c) {
    case O_ELF: return parse_elf(optarg, a);
    case O_BLOB: a->blob_path = optarg; return NULL;
    case O_JSON: a->json_path = optarg; return NULL;
    case O_PAGES: a->pages_path = optarg; return NULL;
    case O_DEBUG: a->desc.attributes |= SGX_ATTR_DEBUG; return NULL;
    case O_AEX: a->desc.attributes |= SGX_ATTR_AEXNOTIFY; return NULL;
    case O_THREADS: case O_STACK: case O_NSSA: case O_HEAP: case O_XFRM: case O_MISC:
    case O_ATTR: case O_SIZE: return parse_number(c, a);
    default: return "unknown option or missing argument";
    }
}

static const char *parse_args(int argc, char **argv, struct measure_args *a)
{
    int c;

    a->desc = (struct sgx_layout_desc){.threads = 1, .stack_size = 256 << 10, .nssa = 2,
                                       .attributes = SGX_ATTR_MODE64BIT, .xfrm = SGX_XFRM_LEGACY,
                                       .miscselect = SGX_MISC_EXINFO, .heap_size = 1 << 20};
    a->desc.elfs = a->elfs;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        const char *err = parse_one(c, a);

        if (err)
            return err;
    }
    if (argc - optind > 1)
        return "expected at most one MANIFEST argument";
    a->manifest = optind < argc ? argv[optind] : NULL;
    if (a->manifest && a->low_level)
        return "with a MANIFEST only --layout-json and --pages may be given";
    return a->manifest || a->desc.n_elfs ? NULL : "a MANIFEST or at least one --elf is required";
}

static int read_blob(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = malloc(cap);

    if (!f || !b) {
        fprintf(stderr, "geode measure: cannot read blob %s: %s\n", path, strerror(errno));
        goto fail;
    }
    while ((n += fread(b + n, 1, cap - n, f)) == cap) {
        uint8_t *bigger = cap < MAX_BLOB ? realloc(b, cap * 2) : NULL;

        if (!bigger) {
            fprintf(stderr, "geode measure: blob %s is larger than 64 MiB\n", path);
            goto fail;
        }
        b = bigger;
        cap *= 2;
    }
    if (ferror(f)) {
        fprintf(stderr, "geode measure: error reading blob %s\n", path);
        goto fail;
    }
    fclose(f);
    *buf = b;
    *len = n;
    return 0;
fail:
    if (f)
        fclose(f);
    free(b);
    return -1;
}

static int write_outputs(const struct measure_args *a, const struct sgx_layout *l, const uint8_t mr[32])
{
    const char *paths[2] = {a->json_path, a->pages_path};

    for (int i = 0; i < 2; i++) {
        FILE *f;
        int ret;

        if (!paths[i])
            continue;
        f = fopen(paths[i], "wb");
        if (!f) {
            fprintf(stderr, "geode measure: cannot write %s: %s\n", paths[i], strerror(errno));
            return -1;
        }
        ret = i == 0 ? sgx_layout_write_json(f, l, mr) : sgx_layout_write_pages(f, l);
        if (fclose(f) || ret) {
            fprintf(stderr, "geode measure: error writing %s\n", paths[i]);
            return -1;
        }
    }
    return 0;
}

/* The low-level form: the layout from the command line's pieces. */
static int layout_from_args(struct measure_args *a, struct sgx_layout *layout, uint8_t mr[32])
{
    struct sgx_err e = {{0}};
    uint8_t *blob = NULL;
    int ret;

    if (a->blob_path && read_blob(a->blob_path, &blob, &a->desc.blob_size))
        return -1;
    a->desc.blob = blob;
    ret = sgx_layout_build(&a->desc, layout, &e);
    free(blob); /* the layout keeps its own copy */
    if (ret) {
        fprintf(stderr, "geode measure: %s\n", e.msg);
        return -1;
    }
    ret = sgx_layout_measure(layout, mr);
    if (ret) {
        fprintf(stderr, "geode measure: hashing failed (%s)\n", strerror(-ret));
        sgx_layout_free(layout);
        return -1;
    }
    return 0;
}

static int layout_from_manifest(const char *path, struct sgx_layout *layout, uint8_t mr[32])
{
    struct enclave_image img;
    struct sgx_err e = {{0}};
    char dir[4096];

    /* On failure dir still holds the build-tree candidate, which is where the
     * error about a missing pal-enclave.elf should point. */
    geode_runtime_dir(dir, sizeof(dir));
    if (enclave_image_from_manifest(path, dir, stderr, &img, layout, mr, &e)) {
        if (e.msg[0])
            fprintf(stderr, "geode measure: %s: %s\n", path, e.msg);
        return -1;
    }
    enclave_image_free(&img);
    return 0;
}

int cmd_measure(int argc, char **argv)
{
    struct measure_args a = {0};
    struct sgx_layout layout;
    uint8_t mr[32];
    char hex[65];
    const char *err;
    int ret;

    if (cli_wants_help(argc, argv))
        return fputs(measure_help, stdout), 0;
    err = parse_args(argc, argv, &a);
    if (err) {
        fprintf(stderr, "geode measure: %s (try 'geode measure --help')\n", err);
        return 2;
    }
    ret = a.manifest ? layout_from_manifest(a.manifest, &layout, mr) : layout_from_args(&a, &layout, mr);
    if (ret)
        return 1;
    ret = write_outputs(&a, &layout, mr);
    sgx_layout_free(&layout);
    if (ret)
        return 1;
    hex_encode(mr, 32, hex);
    printf("%s\n", hex);
    return 0;
}
