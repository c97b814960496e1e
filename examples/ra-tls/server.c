/* RA-TLS server, run unmodified inside an enclave (Gramine's RA-TLS scheme):
 * a fresh P-256 key pair, SHA256 of its public key (DER) into
 * /dev/attestation/user_report_data, the quote from /dev/attestation/quote
 * into a self-signed certificate's extension 1.2.840.113741.1.13.1.0, and
 * TLS on 127.0.0.1:PORT for COUNT connections, each answered with one line.
 *
 *   server PORT [COUNT]   (prints "listening" once ready) */
#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RA_TLS_OID "1.2.840.113741.1.13.1.0"

static int die(const char *what)
{
    fprintf(stderr, "server: %s\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

static long slurp(const char *path, unsigned char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    long n = 0, r;
    while (fd >= 0 && (r = read(fd, buf + n, cap - (size_t)n)) > 0)
        n += r;
    if (fd >= 0)
        close(fd);
    return fd < 0 ? -1 : n;
}

/* The quote over SHA256(public key DER) || 32 zero bytes. */
static long quote_for(EVP_PKEY *key, unsigned char *quote, size_t cap)
{
    unsigned char rd[64] = {0}, *der = NULL;
    int n = i2d_PUBKEY(key, &der);
    if (n <= 0 || !EVP_Digest(der, (size_t)n, rd, NULL, EVP_sha256(), NULL))
        die("hashing the public key");
    OPENSSL_free(der);
    int fd = open("/dev/attestation/user_report_data", O_WRONLY);
    if (fd < 0 || write(fd, rd, sizeof(rd)) != sizeof(rd))
        die("writing /dev/attestation/user_report_data");
    close(fd);
    long q = slurp("/dev/attestation/quote", quote, cap);
    if (q <= 0)
        die("reading /dev/attestation/quote (sgx.remote_attestation = \"dcap\"?)");
    return q;
}

static X509 *ra_tls_cert(EVP_PKEY *key)
{
    static unsigned char quote[8192];
    long qlen = quote_for(key, quote, sizeof(quote));
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
    ASN1_OBJECT *oid = OBJ_txt2obj(RA_TLS_OID, 1);
    X509_EXTENSION *ext = NULL;

    if (!x || !name || !v || !oid || !ASN1_OCTET_STRING_set(v, quote, (int)qlen) ||
        !(ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, v)))
        die("building the certificate");
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"geode RA-TLS", -1,
                               -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, name);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
    X509_set_pubkey(x, key);
    if (!X509_add_ext(x, ext, -1) || !X509_sign(x, key, EVP_sha256()))
        die("signing the certificate");
    X509_EXTENSION_free(ext);
    ASN1_OBJECT_free(oid);
    ASN1_OCTET_STRING_free(v);
    X509_NAME_free(name);
    return x;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return fprintf(stderr, "usage: server PORT [COUNT]\n"), 2;
    int count = argc > 2 ? atoi(argv[2]) : 1;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    if (!key)
        die("generating the key");
    X509 *cert = ra_tls_cert(key);
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || !SSL_CTX_use_certificate(ctx, cert) || !SSL_CTX_use_PrivateKey(ctx, key))
        die("TLS context");

    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1, ls = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 4))
        die("listening");
    printf("listening\n");
    fflush(stdout);
    for (int i = 0; i < count; i++) {
        int c = accept(ls, NULL, NULL);
        SSL *s = SSL_new(ctx);
        char req[128] = {0};
        SSL_set_fd(s, c);
        if (SSL_accept(s) == 1 && SSL_read(s, req, sizeof(req) - 1) > 0) {
            const char msg[] = "hello from inside the enclave\n";
            SSL_write(s, msg, sizeof(msg) - 1);
        } else {
            ERR_print_errors_fp(stderr);
        }
        SSL_shutdown(s);
        SSL_free(s);
        close(c);
    }
    return 0;
}
