/* RA-TLS verifier client (runs on the host): connects to the server, takes
 * its certificate from the handshake, and has `geode quote verify --cert`
 * check it (the sim QE's signature, the MRENCLAVE expected, and that the
 * quote's report data is SHA256 of the certificate's public key) before it
 * sends anything over the connection.
 *
 *   client PORT GEODE MRENCLAVE QE_KEY.pem */
#include <arpa/inet.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int verify_cert(X509 *cert, char *geode, char *mrenclave, char *key)
{
    char path[] = "/tmp/ra-tls-peer.XXXXXX";
    int fd = mkstemp(path), status = -1;
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    pid_t pid;

    if (!f || !PEM_write_X509(f, cert) || fclose(f))
        return -1;
    char *args[] = {geode,         "quote",   "verify", "--cert", path,
                    "--mrenclave", mrenclave, "--key",  key,      NULL};
    if (posix_spawn(&pid, geode, NULL, NULL, args, environ) == 0)
        waitpid(pid, &status, 0);
    unlink(path);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 5)
        return fprintf(stderr, "usage: client PORT GEODE MRENCLAVE QE_KEY.pem\n"), 2;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
        return perror("client: connect"), 1;
    /* The certificate is self-signed: trust comes from the quote in it,
     * checked below before any data is sent. */
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *s = SSL_new(ctx);
    SSL_set_fd(s, fd);
    if (SSL_connect(s) != 1)
        return fprintf(stderr, "client: TLS handshake failed\n"), 1;
    X509 *cert = SSL_get1_peer_certificate(s);
    if (!cert || verify_cert(cert, argv[2], argv[3], argv[4]))
        return fprintf(stderr, "client: the server's quote does not verify: not talking to it\n"),
               1;
    char buf[256] = {0};
    SSL_write(s, "hello?\n", 7);
    int n = SSL_read(s, buf, sizeof(buf) - 1);
    printf("client: attested server says: %s", n > 0 ? buf : "(nothing)\n");
    X509_free(cert);
    SSL_free(s);
    SSL_CTX_free(ctx);
    return n > 0 ? 0 : 1;
}
