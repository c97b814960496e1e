/* Test hook (docs/sgx-pal.md, "Fork"): GEODE_TEST_FORK_TAMPER plays a
 * hostile host on the fork channel, in a relay process the host child
 * forks, between the parent enclave and the child enclave:
 *   flip:K     flips a byte of the K-th sealed record (0 = the context)
 *   head:K     moves the K-th memory record (REC_MEM, REC_ZERO or REC_STACK)
 *              16 KiB: flips a bit of the address in its clear head
 *   drop:K     drops the K-th sealed record
 *   record:P   passes everything, and writes what the parent sent to file P
 *   replay:P   sends the child what file P holds (an earlier fork's stream)
 *              instead of what the parent sends now
 * The parent's bytes are parsed by their clear headers (enclave_abi:
 * pal_fork.c's record layout); the child's go to the parent untouched. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "urts_fork.h"

#define OFFER_BYTES 40 /* magic + key id */
#define HDR_BYTES 16
#define TAG_BYTES 16
#define MAX_RECORD (1 << 17)

struct relay {
    int parent, child; /* the channel to the parent; the child enclave's end */
    char mode[8];
    long k;
    int file; /* record/replay */
};

static int read_full(int fd, void *buf, size_t n)
{
    for (size_t got = 0; got < n;) {
        ssize_t r = read(fd, (char *)buf + got, n - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
    for (size_t done = 0; done < n;) {
        ssize_t r = write(fd, (const char *)buf + done, n - done);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        done += (size_t)r;
    }
    return 0;
}

/* Child enclave -> parent enclave, untouched. */
static void *to_parent(void *p)
{
    struct relay *r = p;
    char buf[65536];
    ssize_t n;

    while ((n = read(r->child, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
        if (n > 0 && write_full(r->parent, buf, (size_t)n))
            break;
    shutdown(r->parent, SHUT_WR);
    return NULL;
}

/* Parent enclave -> child enclave, record by record. */
static void *to_child(void *p)
{
    struct relay *r = p;
    uint8_t *buf = malloc(MAX_RECORD);
    uint32_t len, type;
    long mem = 0; /* memory records seen */

    if (!buf || read_full(r->parent, buf, OFFER_BYTES))
        goto out;
    if (!strcmp(r->mode, "record"))
        write_full(r->file, buf, OFFER_BYTES);
    if (!strcmp(r->mode, "replay")) {
        ssize_t n;

        while ((n = read(r->file, buf, MAX_RECORD)) > 0)
            write_full(r->child, buf, (size_t)n);
        goto out; /* the live stream is never passed on */
    }
    write_full(r->child, buf, OFFER_BYTES);
    for (long i = 0;; i++) {
        if (read_full(r->parent, buf, HDR_BYTES))
            break;
        memcpy(&len, buf + 4, sizeof(len));
        if (len > MAX_RECORD - HDR_BYTES - TAG_BYTES || read_full(r->parent, buf + HDR_BYTES, len + TAG_BYTES))
            break;
        size_t n = HDR_BYTES + len + TAG_BYTES;

        if (!strcmp(r->mode, "record"))
            write_full(r->file, buf, n);
        if (i == r->k && !strcmp(r->mode, "drop"))
            continue;
        if (i == r->k && !strcmp(r->mode, "flip"))
            buf[HDR_BYTES + len / 2] ^= 0x40;
        memcpy(&type, buf, sizeof(type));
        if (type >= 3 && type <= 5 && len >= 8 && mem++ == r->k && !strcmp(r->mode, "head"))
            buf[HDR_BYTES + 1] ^= 0x40; /* address bit 14 */
        if (write_full(r->child, buf, n))
            break;
    }
out:
    free(buf);
    shutdown(r->child, SHUT_WR);
    return NULL;
}

int urts_fork_tamper(int chan)
{
    const char *spec = getenv("GEODE_TEST_FORK_TAMPER");
    static struct relay r;
    const char *colon;
    pthread_t t1;
    int sv[2];

    if (!spec || !*spec)
        return chan;
    colon = strchr(spec, ':');
    if (!colon || (size_t)(colon - spec) >= sizeof(r.mode)) {
        fprintf(stderr,
                "geode: GEODE_TEST_FORK_TAMPER=\"%s\": expected flip:K, head:K, drop:K, "
                "record:PATH or replay:PATH\n",
                spec);
        return -1;
    }
    memset(&r, 0, sizeof(r));
    memcpy(r.mode, spec, (size_t)(colon - spec));
    r.file = -1;
    if (!strcmp(r.mode, "flip") || !strcmp(r.mode, "drop") || !strcmp(r.mode, "head"))
        r.k = strtol(colon + 1, NULL, 10);
    else if (!strcmp(r.mode, "record"))
        r.file = open(colon + 1, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    else if (!strcmp(r.mode, "replay"))
        r.file = open(colon + 1, O_RDONLY | O_CLOEXEC);
    else
        return fprintf(stderr, "geode: GEODE_TEST_FORK_TAMPER: unknown mode '%s'\n", r.mode), -1;
    if ((!strcmp(r.mode, "record") || !strcmp(r.mode, "replay")) && r.file < 0)
        return perror("geode: GEODE_TEST_FORK_TAMPER"), -1;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
        return -1;
    /* The relay is a process of its own: the child's program may end as
     * soon as it acknowledged, and the acknowledgement must still reach
     * the parent (a host that delivers it, as this one plays). */
    fflush(NULL);
    pid_t pid = fork();

    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(sv[1]);
        r.parent = chan;
        r.child = sv[0];
        if (pthread_create(&t1, NULL, to_child, &r))
            _exit(1);
        to_parent(&r);
        pthread_join(t1, NULL);
        _exit(0);
    }
    close(chan);
    close(sv[0]);
    if (r.file >= 0)
        close(r.file);
    return sv[1];
}
