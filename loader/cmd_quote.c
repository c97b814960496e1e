/* geode quote: the sim's quoting enclave seen from outside.
 *
 *   geode quote key                 the sim QE's attestation public key (PEM)
 *   geode quote verify QUOTE [...]  checks a sim quote and prints what it says
 *
 * The key is derived from this machine's sim root secret (docs/sim.md,
 * "Keys"): a verifier elsewhere is given the PEM (--key). Exit status: 0
 * verified, 1 a check failed (one line naming it), 2 misuse. */
#include <errno.h>
#include <getopt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hexfmt.h"
#include "quote_verify.h"
#include "sim_qe.h"

#define QUOTE_FILE_MAX (1 << 20)
/* RA-TLS: the quote in an X.509 extension, and SHA256 of the certificate's
 * public key (DER) in report_data[0..32). The extension's OID is this one
 * (examples/ra-tls), or Gramine's legacy non-standard one, whose DER bytes
 * 06 09 2A 86 48 86 F8 4D 8A 39 06 read as this dotted form. */
#define RA_TLS_OID "1.2.840.113741.1.13.1.0"
#define RA_TLS_OID_GRAMINE_LEGACY "0.6.9.42.840.113741.1337.6"

static const char quote_help[] =
    "usage: geode quote key\n"
    "       geode quote verify QUOTE [--key PEM] [--mrenclave HEX] [--mrsigner HEX]\n"
    "                                [--report-data HEX]\n"
    "       geode quote verify --cert CERT [same options]\n"
    "key:    prints the sim quoting enclave's attestation public key (PEM), derived from\n"
    "        this machine's sim root secret.\n"
    "verify: checks a quote of the sim quoting enclave (Quote v3, ECDSA P-256): its\n"
    "        signature, the QE report's signature and its binding of the attestation key\n"
    "        (SHA256(key || auth data)), the QE's identity, and that the key is the\n"
    "        trusted one (--key, else this machine's); then each value given. Prints\n"
    "        MRENCLAVE, MRSIGNER, ISVPRODID, ISVSVN, ATTRIBUTES and REPORTDATA.\n"
    "  --cert CERT  an RA-TLS certificate (PEM or DER): the quote is taken from its\n"
    "               extension " RA_TLS_OID " (or Gramine's legacy\n"
    "               " RA_TLS_OID_GRAMINE_LEGACY "), and REPORTDATA must be SHA256 of\n"
    "               its public key followed by 32 zero bytes\n"
    "  --report-data HEX  up to 64 bytes; the rest of REPORTDATA must be zero\n"
    "Exit status: 0 verified, 1 a check failed, 2 misuse.\n";

static int key_cmd(void)
{
    EVP_PKEY *k = sgx_sim_qe_key();
    int ok = k && PEM_write_PUBKEY(stdout, k);

    EVP_PKEY_free(k);
    if (!ok)
        fprintf(stderr, "geode quote key: cannot derive the sim quoting enclave's key\n");
    return ok ? 0 : 1;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc(QUOTE_FILE_MAX + 1);
    size_t n = f && buf ? fread(buf, 1, QUOTE_FILE_MAX + 1, f) : 0;

    if (f)
        fclose(f);
    if (!f || !buf || n > QUOTE_FILE_MAX) {
        fprintf(stderr, "geode quote verify: %s: %s\n", path,
                !f ? strerror(errno) : "larger than 1 MiB");
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static int trusted_key(const char *pem, uint8_t pub[64])
{
    EVP_PKEY *k = NULL;

    if (pem) {
        FILE *f = fopen(pem, "r");
        k = f ? PEM_read_PUBKEY(f, NULL, NULL, NULL) : NULL;
        if (f)
            fclose(f);
    } else {
        k = sgx_sim_qe_key();
    }
    int r = k ? quote_ecdsa_pub(k, pub) : -1;
    EVP_PKEY_free(k);
    if (r)
        fprintf(stderr, "geode quote verify: %s: not a P-256 public key\n",
                pem ? pem : "the sim quoting enclave's key");
    return r;
}

/* The quote inside an RA-TLS certificate, and SHA256 of its public key. */
static uint8_t *cert_quote(const char *path, size_t *len, uint8_t pk_hash[32])
{
    FILE *f = fopen(path, "rb");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    uint8_t *out = NULL, *der = NULL;
    ASN1_OBJECT *oid = OBJ_txt2obj(RA_TLS_OID, 1),
                *legacy = OBJ_txt2obj(RA_TLS_OID_GRAMINE_LEGACY, 1);
    int at, n;

    if (f && !x) {
        rewind(f);
        x = d2i_X509_fp(f, NULL);
    }
    if (f)
        fclose(f);
    at = x && oid ? X509_get_ext_by_OBJ(x, oid, -1) : -1;
    if (at < 0 && x && legacy)
        at = X509_get_ext_by_OBJ(x, legacy, -1);
    if (at >= 0) {
        ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(X509_get_ext(x, at));
        n = i2d_PUBKEY(X509_get0_pubkey(x), &der);
        if (v && n > 0 && EVP_Digest(der, (size_t)n, pk_hash, NULL, EVP_sha256(), NULL) &&
            (out = malloc((size_t)ASN1_STRING_length(v) + 1))) {
            *len = (size_t)ASN1_STRING_length(v);
            memcpy(out, ASN1_STRING_get0_data(v), *len);
        }
    }
    if (!out)
        fprintf(stderr, "geode quote verify: %s: %s\n", path,
                !x ? "not an X.509 certificate" : "no RA-TLS quote extension (" RA_TLS_OID ")");
    OPENSSL_free(der);
    ASN1_OBJECT_free(oid);
    ASN1_OBJECT_free(legacy);
    X509_free(x);
    return out;
}

struct expect {
    const char *name, *hex;
    const uint8_t *have;
    size_t len;
    bool prefix; /* --report-data: a prefix, the rest zero */
};

static int check_expect(const struct expect *e)
{
    uint8_t want[64] = {0};
    size_t n = e->hex ? strlen(e->hex) / 2 : 0;

    if (!e->hex)
        return 0;
    if (strlen(e->hex) % 2 || n > e->len || (!e->prefix && n != e->len) ||
        hex_decode(e->hex, want, n)) {
        fprintf(stderr, "geode quote verify: --%s: expected %s%zu bytes in hex\n", e->name,
                e->prefix ? "up to " : "", e->len);
        return 2;
    }
    if (memcmp(want, e->have, e->len)) {
        fprintf(stderr, "geode quote verify: %s: the quote's differs from the one given\n",
                e->name);
        return 1;
    }
    return 0;
}

static void print_hex(const char *label, const uint8_t *p, size_t n)
{
    char hex[129];

    hex_encode(p, n, hex);
    printf("%-12s %s\n", label, hex);
}

static void print_quote(const struct quote_v3 *q)
{
    const struct sgx_report_body *b = q->body;

    print_hex("MRENCLAVE", b->mrenclave, 32);
    print_hex("MRSIGNER", b->mrsigner, 32);
    printf("%-12s %u\n%-12s %u\n", "ISVPRODID", b->isv_prod_id, "ISVSVN", b->isv_svn);
    printf("%-12s flags 0x%016llx xfrm 0x%016llx%s\n", "ATTRIBUTES",
           (unsigned long long)b->attributes.flags, (unsigned long long)b->attributes.xfrm,
           b->attributes.flags & SGX_ATTR_DEBUG ? " (DEBUG)" : "");
    print_hex("REPORTDATA", b->report_data, 64);
}

static int verify_cmd(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},      {"mrenclave", required_argument, NULL, 'e'},
        {"mrsigner", required_argument, NULL, 's'}, {"report-data", required_argument, NULL, 'r'},
        {"cert", required_argument, NULL, 'c'},     {0}};
    const char *key = NULL, *mre = NULL, *mrs = NULL, *rd = NULL, *cert = NULL;
    uint8_t pub[64], pk_hash[32], *buf;
    char why[256];
    struct quote_v3 q;
    size_t len = 0;
    int c, ret;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            key = optarg;
            break;
        case 'e':
            mre = optarg;
            break;
        case 's':
            mrs = optarg;
            break;
        case 'r':
            rd = optarg;
            break;
        case 'c':
            cert = optarg;
            break;
        default:
            fputs(quote_help, stderr);
            return 2;
        }
    }
    if ((cert ? 0 : 1) != argc - optind) {
        fputs(quote_help, stderr);
        return 2;
    }
    buf = cert ? cert_quote(cert, &len, pk_hash) : read_file(argv[optind], &len);
    if (!buf)
        return 1;
    ret = trusted_key(key, pub) ? 1 : 0;
    if (!ret && (quote_parse(buf, len, &q, why, sizeof(why)) ||
                 quote_verify_sim(&q, pub, why, sizeof(why)))) {
        fprintf(stderr, "geode quote verify: %s\n", why);
        ret = 1;
    }
    if (!ret && cert &&
        (memcmp(q.body->report_data, pk_hash, 32) ||
         memcmp(q.body->report_data + 32, (uint8_t[32]){0}, 32))) {
        fprintf(stderr,
                "geode quote verify: REPORTDATA: not SHA256 of the certificate's public key\n");
        ret = 1;
    }
    struct expect ex[] = {{"mrenclave", mre, ret ? NULL : q.body->mrenclave, 32, false},
                          {"mrsigner", mrs, ret ? NULL : q.body->mrsigner, 32, false},
                          {"report-data", rd, ret ? NULL : q.body->report_data, 64, true}};
    for (size_t i = 0; !ret && i < 3; i++)
        ret = check_expect(&ex[i]);
    if (!ret)
        print_quote(&q);
    free(buf);
    return ret;
}

int cmd_quote(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(quote_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "key") && argc == 2)
        return key_cmd();
    if (!strcmp(argv[1], "verify"))
        return verify_cmd(argc - 1, argv + 1);
    fputs(quote_help, stderr);
    return 2;
}
