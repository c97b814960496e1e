/* geode keygen / sign / sigstruct: the enclave signing key and SIGSTRUCT files.
 * The cryptography lives in pal/sgx/identity/sigstruct.c; this file only parses
 * arguments, reads and writes files, and reports. Exit status: 0 success,
 * 1 failure, 2 misuse. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundle.h"
#include "cli.h"
#include "enclave_manifest.h"
#include "hexfmt.h"
#include "sigstruct.h"
#include "sigstruct_show.h"
#include "paths.h"

#define DEFAULT_KEY_DIR ".config/geode"
#define DEFAULT_KEY_NAME "enclave-key.pem"

static int usage_error(const char *cmd, const char *what)
{
    fprintf(stderr, "geode %s: %s (try 'geode %s --help')\n", cmd, what, cmd);
    return 2;
}

/* ~/.config/geode/enclave-key.pem; creates the directory (0700) when asked. */
static int default_key_path(char *buf, size_t size, int create_dir)
{
    const char *home = getenv("HOME");
    int n;

    if (!home || !*home) {
        fprintf(stderr, "geode: HOME is not set; pass the key path explicitly\n");
        return -1;
    }
    n = snprintf(buf, size, "%s/.config", home);
    if (create_dir && n > 0 && (size_t)n < size)
        mkdir(buf, 0700);
    n = snprintf(buf, size, "%s/%s", home, DEFAULT_KEY_DIR);
    if (create_dir && n > 0 && (size_t)n < size && mkdir(buf, 0700) && errno != EEXIST) {
        fprintf(stderr, "geode: cannot create %s: %s\n", buf, strerror(errno));
        return -1;
    }
    n = snprintf(buf, size, "%s/%s/%s", home, DEFAULT_KEY_DIR, DEFAULT_KEY_NAME);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

/* ---- keygen ----------------------------------------------------------------- */

static const char keygen_help[] =
    "usage: geode keygen [--out FILE]\n"
    "Creates an RSA-3072 private key with public exponent 3 (what SIGSTRUCT needs)\n"
    "as PEM, mode 0600. Refuses to overwrite an existing file.\n"
    "  --out FILE   where to write it (default ~/.config/geode/enclave-key.pem)\n";

int cmd_keygen(int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'}, {0}};
    const char *out = NULL;
    char defpath[4096];
    struct sgx_err e = {{0}};
    sgx_sign_key *key;
    int c, ret;

    if (cli_wants_help(argc, argv))
        return fputs(keygen_help, stdout), 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'o')
            return usage_error("keygen", "unknown option or missing argument");
        out = optarg;
    }
    if (optind != argc)
        return usage_error("keygen", "unexpected argument");
    if (!out && default_key_path(defpath, sizeof(defpath), 1))
        return 1;
    out = out ? out : defpath;
    key = sgx_key_generate(&e);
    ret = key ? sgx_key_write_pem(key, out, &e) : -1;
    sgx_key_free(key);
    if (ret) {
        fprintf(stderr, "geode keygen: %s\n", e.msg);
        return 1;
    }
    printf("wrote %s\n", out);
    return 0;
}

/* ---- sign ------------------------------------------------------------------- */

static const char sign_help[] =
    "usage: geode sign MANIFEST --bundle DIR [--key KEY] [--date YYYYMMDD] [--vendor N]\n"
    "       geode sign MANIFEST --out FILE.sig [--key KEY] [--date YYYYMMDD] [--vendor N]\n"
    "       geode sign --mrenclave HEX --out FILE [--key KEY] [options]\n"
    "Writes a 1808-byte SIGSTRUCT signed with KEY (default\n"
    "~/.config/geode/enclave-key.pem; see docs/signing.md). With --bundle: a signed\n"
    "bundle in DIR (the expanded manifest, its blob, the SIGSTRUCT, the PAL and libOS\n"
    "images, SHA256SUMS) that 'geode run DIR' runs unchanged. With MANIFEST: for the\n"
    "enclave 'geode measure MANIFEST' measures, with the attributes, XFRM and\n"
    "MISCSELECT the loader requests (all mask bits set) and ISVPRODID/ISVSVN from\n"
    "sgx.isvprodid/sgx.isvsvn. Otherwise for MRENCLAVE HEX, with these options:\n"
    "  --attributes N      SECS.ATTRIBUTES flags (default 0x4 = MODE64BIT)\n"
    "  --xfrm N            XFRM (default 0x3 = x87|SSE)\n"
    "  --debug             add the DEBUG attribute\n"
    "  --aex-notify        add the AEXNOTIFY attribute (bit 10)\n"
    "  --attribute-mask N  mask over the flags checked by EINIT (default all bits)\n"
    "  --xfrm-mask N       mask over XFRM (default all bits)\n"
    "  --miscselect N      MISCSELECT (default 0)   --misc-mask N (default 0xffffffff)\n"
    "  --isvprodid N       ISVPRODID (0-65535, default 0)\n"
    "  --isvsvn N          ISVSVN (0-65535, default 0)\n"
    "  --vendor N          0 or 0x8086 (default 0)\n"
    "  --date YYYYMMDD     DATE (default today, UTC); fix it for reproducible output\n";

struct sign_args {
    const char *out, *key, *mrenclave, *manifest, *bundle;
    bool enclave_opts; /* an option describing the enclave (not valid with MANIFEST) */
    struct sgx_sign_params p;
};

/* Numeric options are O_ATTR..O_VENDOR, contiguous (see num_opts). */
enum { O_MR = 256, O_OUT, O_BUNDLE, O_KEY, O_DEBUG, O_AEX, O_DATE, O_ATTR, O_XFRM, O_AMASK, O_XMASK, O_MISC,
       O_MMASK, O_PROD, O_SVN, O_VENDOR };

static const struct option sign_opts[] = {
    {"mrenclave", required_argument, NULL, O_MR},   {"out", required_argument, NULL, O_OUT},
    {"key", required_argument, NULL, O_KEY},        {"attributes", required_argument, NULL, O_ATTR},
    {"xfrm", required_argument, NULL, O_XFRM},      {"debug", no_argument, NULL, O_DEBUG},
    {"aex-notify", no_argument, NULL, O_AEX},       {"attribute-mask", required_argument, NULL, O_AMASK},
    {"xfrm-mask", required_argument, NULL, O_XMASK}, {"miscselect", required_argument, NULL, O_MISC},
    {"misc-mask", required_argument, NULL, O_MMASK}, {"isvprodid", required_argument, NULL, O_PROD},
    {"isvsvn", required_argument, NULL, O_SVN},     {"vendor", required_argument, NULL, O_VENDOR},
    {"date", required_argument, NULL, O_DATE},      {"bundle", required_argument, NULL, O_BUNDLE},
    {0}};

/* Numeric options: name and upper bound, indexed by option code - O_ATTR. */
static const struct {
    const char *name;
    uint64_t max;
} num_opts[] = {
    [O_ATTR - O_ATTR] = {"attributes", UINT64_MAX},   [O_XFRM - O_ATTR] = {"xfrm", UINT64_MAX},
    [O_AMASK - O_ATTR] = {"attribute-mask", UINT64_MAX}, [O_XMASK - O_ATTR] = {"xfrm-mask", UINT64_MAX},
    [O_MISC - O_ATTR] = {"miscselect", UINT32_MAX},   [O_MMASK - O_ATTR] = {"misc-mask", UINT32_MAX},
    [O_PROD - O_ATTR] = {"isvprodid", UINT16_MAX},    [O_SVN - O_ATTR] = {"isvsvn", UINT16_MAX},
    [O_VENDOR - O_ATTR] = {"vendor", UINT16_MAX},
};

static void store_numeric(int c, uint64_t v, struct sgx_sign_params *p)
{
    switch (c) {
    case O_ATTR: p->attributes.flags = v; break;
    case O_XFRM: p->attributes.xfrm = v; break;
    case O_AMASK: p->attribute_mask.flags = v; break;
    case O_XMASK: p->attribute_mask.xfrm = v; break;
    case O_MISC: p->miscselect = (uint32_t)v; break;
    case O_MMASK: p->miscmask = (uint32_t)v; break;
    case O_PROD: p->isv_prod_id = (uint16_t)v; break;
    case O_SVN: p->isv_svn = (uint16_t)v; break;
    default: p->vendor = (uint32_t)v; break;
    }
}

static const char *sign_numeric(int c, struct sgx_sign_params *p)
{
    static char msg[128];
    uint64_t v;

    if (parse_u64(optarg, num_opts[c - O_ATTR].max, &v)) {
        snprintf(msg, sizeof(msg), "--%s: '%.40s' is not a number <= %llu", num_opts[c - O_ATTR].name,
                 optarg, (unsigned long long)num_opts[c - O_ATTR].max);
        return msg;
    }
    if (c == O_VENDOR && v != 0 && v != SGX_SIGSTRUCT_VENDOR_INTEL)
        return "--vendor must be 0 or 0x8086";
    store_numeric(c, v, p);
    return NULL;
}

static const char *sign_date(const char *s, uint32_t *bcd)
{
    uint32_t v = 0;

    if (strlen(s) != 8 || strspn(s, "0123456789") != 8)
        return "--date must be a valid YYYYMMDD";
    /* Each decimal digit becomes one BCD nibble. */
    for (int i = 0; i < 8; i++)
        v = v << 4 | (uint32_t)(s[i] - '0');
    if (!sgx_date_bcd_valid(v))
        return "--date must be a valid YYYYMMDD";
    *bcd = v;
    return NULL;
}

static const char *sign_parse(int argc, char **argv, struct sign_args *a)
{
    int c;

    a->p = (struct sgx_sign_params){
        .date_bcd = sgx_date_bcd_today(),
        .miscmask = UINT32_MAX,
        .attributes = {.flags = SGX_ATTR_MODE64BIT, .xfrm = SGX_XFRM_LEGACY},
        .attribute_mask = {.flags = UINT64_MAX, .xfrm = UINT64_MAX},
    };
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", sign_opts, NULL)) != -1) {
        const char *err = NULL;

        a->enclave_opts |= c != O_OUT && c != O_BUNDLE && c != O_KEY && c != O_DATE && c != O_VENDOR;
        if (c == O_BUNDLE)
            a->bundle = optarg;
        else if (c == O_MR)
            a->mrenclave = optarg;
        else if (c == O_OUT)
            a->out = optarg;
        else if (c == O_KEY)
            a->key = optarg;
        else if (c == O_DEBUG || c == O_AEX)
            a->p.attributes.flags |= c == O_DEBUG ? SGX_ATTR_DEBUG : SGX_ATTR_AEXNOTIFY;
        else if (c == O_DATE)
            err = sign_date(optarg, &a->p.date_bcd);
        else if (c >= O_ATTR && c <= O_VENDOR)
            err = sign_numeric(c, &a->p);
        else
            err = "unknown option or missing argument";
        if (err)
            return err;
    }
    if (argc - optind > 1)
        return "expected at most one MANIFEST argument";
    a->manifest = optind < argc ? argv[optind] : NULL;
    if (a->manifest)
        return a->enclave_opts ? "with a MANIFEST only --out or --bundle, --key, --date and --vendor "
                                 "may be given"
               : a->out && a->bundle ? "give --out or --bundle, not both"
               : a->out || a->bundle ? NULL
                                     : "--out FILE.sig or --bundle DIR is required";
    if (a->bundle)
        return "--bundle needs a MANIFEST";
    if (!a->mrenclave || !a->out)
        return "--mrenclave and --out are required (or give a MANIFEST)";
    if (hex_decode(a->mrenclave, a->p.enclave_hash, 32))
        return "--mrenclave must be 64 hex digits";
    return NULL;
}

static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
        fprintf(stderr, "geode: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* MANIFEST mode: everything but the key, date and vendor comes from the
 * enclave the loader will build for the manifest. */
static int manifest_params(const char *path, struct sgx_sign_params *p)
{
    struct enclave_image img;
    struct sgx_layout layout;
    struct sgx_err e = {{0}};
    uint32_t date = p->date_bcd, vendor = p->vendor;
    uint8_t mr[32];
    char dir[4096];

    geode_runtime_dir(dir, sizeof(dir)); /* on failure: the build-tree candidate */
    if (enclave_image_from_manifest(path, dir, stderr, &img, &layout, mr, &e)) {
        if (e.msg[0])
            fprintf(stderr, "geode sign: %s: %s\n", path, e.msg);
        return -1;
    }
    enclave_image_sign_params(&img, mr, p);
    p->date_bcd = date;
    p->vendor = vendor;
    sgx_layout_free(&layout);
    enclave_image_free(&img);
    return 0;
}

int cmd_sign(int argc, char **argv)
{
    struct sign_args a = {0};
    struct sgx_sigstruct sig;
    struct sgx_err e = {{0}};
    char defkey[4096];
    sgx_sign_key *key;
    const char *err;
    int ret;

    if (cli_wants_help(argc, argv))
        return fputs(sign_help, stdout), 0;
    err = sign_parse(argc, argv, &a);
    if (err)
        return usage_error("sign", err);
    if (!a.key && default_key_path(defkey, sizeof(defkey), 0))
        return 1;
    if (a.bundle) {
        char dir[4096];
        geode_runtime_dir(dir, sizeof(dir)); /* on failure: the build-tree candidate */
        return bundle_write(a.manifest, a.bundle, dir, a.key ? a.key : defkey, a.p.date_bcd,
                            a.p.vendor);
    }
    if (a.manifest && manifest_params(a.manifest, &a.p))
        return 1;
    key = sgx_key_load_pem(a.key ? a.key : defkey, &e);
    ret = key ? sgx_sigstruct_sign(&a.p, key, &sig, &e) : -1;
    sgx_key_free(key);
    if (ret) {
        fprintf(stderr, "geode sign: %s\n", e.msg);
        return 1;
    }
    if (write_file(a.out, &sig, sizeof(sig)))
        return 1;
    printf("wrote %s\n", a.out);
    return 0;
}

/* ---- sigstruct show --------------------------------------------------------- */

static const char sigstruct_help[] =
    "usage: geode sigstruct show FILE\n"
    "Prints every field of a SIGSTRUCT, its MRSIGNER, and whether the signature\n"
    "(exponent 3, embedded modulus, Q1/Q2) verifies. Exit status 1 if it does not.\n";

static int read_sigstruct(const char *path, struct sgx_sigstruct *sig)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    int extra;

    if (!f) {
        fprintf(stderr, "geode sigstruct: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    n = fread(sig, 1, sizeof(*sig), f);
    extra = fgetc(f);
    fclose(f);
    if (n != sizeof(*sig) || extra != EOF) {
        fprintf(stderr, "geode sigstruct: %s is not a SIGSTRUCT (must be exactly %zu bytes)\n",
                path, sizeof(*sig));
        return -1;
    }
    return 0;
}

int cmd_sigstruct(int argc, char **argv)
{
    struct sgx_sigstruct sig;

    if (cli_wants_help(argc, argv))
        return fputs(sigstruct_help, stdout), 0;
    if (argc < 2 || strcmp(argv[1], "show"))
        return usage_error("sigstruct", "expected 'show FILE'");
    if (argc != 3)
        return usage_error("sigstruct", "'show' takes exactly one FILE");
    if (read_sigstruct(argv[2], &sig))
        return 1;
    return sgx_sigstruct_print(stdout, &sig) == 0 ? 0 : 1;
}
