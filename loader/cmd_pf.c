/* geode pf: encrypts a host file into the protected-files format of
 * encrypted mounts, or decrypts one, outside any enclave (as Gramine's
 * gramine-sgx-pf-crypt): to provision files, and to check them. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hexfmt.h"
#include "pf_host.h"

static const char pf_help[] =
    "usage: geode pf encrypt|decrypt (--key HEX | --key-file FILE) --path INSIDE IN OUT\n"
    "Converts between a plain host file and an encrypted mount's file format\n"
    "(docs/encrypted-files.md). The key is 128 bits: 32 hex digits, or a file holding\n"
    "16 raw bytes or 32 hex digits. INSIDE is the file's path as the program opens it\n"
    "(\"/enc/db.sqlite\"): it is bound into the metadata, so the file opens only there.\n";

static int usage_error(const char *what)
{
    fprintf(stderr, "geode pf: %s (try 'geode pf --help')\n", what);
    return 2;
}

static int read_key(const char *hex, const char *file, uint8_t key[PF_KEY_SIZE])
{
    char buf[80];
    size_t n = 0;
    if (file) {
        FILE *f = fopen(file, "rb");
        if (!f) {
            fprintf(stderr, "geode pf: %s: %s\n", file, strerror(errno));
            return -1;
        }
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        if (n == PF_KEY_SIZE) {
            memcpy(key, buf, PF_KEY_SIZE);
            return 0;
        }
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            n--;
        buf[n] = 0;
        hex = buf;
    }
    if (strlen(hex) != 2 * PF_KEY_SIZE || hex_decode(hex, key, PF_KEY_SIZE) < 0) {
        fprintf(stderr, "geode pf: the key must be 32 hex digits (128 bits)\n");
        return -1;
    }
    return 0;
}

static void report(const char *what, const char *path, const struct pf_file *pf, int r)
{
    fprintf(stderr, "geode pf: %s %s: %s", what, path, pf->why ? pf->why : strerror(-r));
    if (pf->why && pf->why_node >= 0)
        fprintf(stderr, " (node %lld)", (long long)pf->why_node);
    fputc('\n', stderr);
}

static int encrypt(int in, int out, const uint8_t *key, const char *inside, const char *name)
{
    struct pf_ops ops;
    struct pf_file pf;
    char buf[65536];
    uint64_t off = 0;
    pf_host_ops(&ops, &out);
    int r = pf_open(&pf, &ops, key, inside, 0);
    for (ssize_t n; r == 0 && (n = read(in, buf, sizeof(buf))) != 0; off += (uint64_t)n) {
        if (n < 0 || pf_write(&pf, buf, (size_t)n, off) != n)
            r = n < 0 ? -errno : -PF_EIO;
    }
    if (r == 0)
        r = pf_flush(&pf);
    if (r < 0)
        report("encrypt", name, &pf, r);
    pf_close(&pf);
    return r;
}

static int decrypt(int in, int out, const uint8_t *key, const char *inside, const char *name)
{
    struct pf_ops ops;
    struct pf_file pf;
    char buf[65536];
    off_t size = lseek(in, 0, SEEK_END);
    pf_host_ops(&ops, &in);
    int r = size <= 0 ? -PF_EIO : pf_open(&pf, &ops, key, inside, (uint64_t)size);
    if (size <= 0) {
        fprintf(stderr, "geode pf: decrypt %s: empty, not a protected file\n", name);
        return r;
    }
    for (uint64_t off = 0; r == 0 && off < pf.size;) {
        long n = pf_read(&pf, buf, sizeof(buf), off);
        if (n <= 0)
            r = n < 0 ? (int)n : -PF_EIO;
        else if (write(out, buf, (size_t)n) != n)
            r = -errno;
        else
            off += (uint64_t)n;
    }
    if (r < 0)
        report("decrypt", name, &pf, r);
    pf_close(&pf);
    return r;
}

int cmd_pf(int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
                                         {"key-file", required_argument, NULL, 'f'},
                                         {"path", required_argument, NULL, 'p'},
                                         {0}};
    const char *hex = NULL, *keyfile = NULL, *inside = NULL;
    uint8_t key[PF_KEY_SIZE];
    int c;

    if (cli_wants_help(argc, argv))
        return fputs(pf_help, stdout), 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'k')
            hex = optarg;
        else if (c == 'f')
            keyfile = optarg;
        else if (c == 'p')
            inside = optarg;
        else
            return usage_error("unknown option or missing argument");
    }
    if (argc - optind != 3 || (strcmp(argv[optind], "encrypt") && strcmp(argv[optind], "decrypt")))
        return usage_error("expected encrypt|decrypt IN OUT");
    if (!hex == !keyfile)
        return usage_error("give one of --key HEX or --key-file FILE");
    if (!inside || inside[0] != '/')
        return usage_error("--path: the absolute path inside the enclave");
    if (read_key(hex, keyfile, key))
        return 1;
    bool enc = !strcmp(argv[optind], "encrypt");
    const char *inpath = argv[optind + 1], *outpath = argv[optind + 2];
    int in = open(inpath, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        fprintf(stderr, "geode pf: %s: %s\n", inpath, strerror(errno));
        return 1;
    }
    int out = open(outpath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
        fprintf(stderr, "geode pf: %s: %s\n", outpath, strerror(errno));
        close(in);
        return 1;
    }
    int r = enc ? encrypt(in, out, key, inside, outpath) : decrypt(in, out, key, inside, inpath);
    memset(key, 0, sizeof(key));
    close(in);
    if (close(out) && r == 0)
        r = -errno;
    if (r < 0)
        unlink(outpath);
    return r < 0 ? 1 : 0;
}
