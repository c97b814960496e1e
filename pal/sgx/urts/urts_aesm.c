/* The AESM client (urts_aesm.h). */
#include "urts_aesm.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "aesm.pb-c.h"
#include "sgx_quote.h"

#define AESM_TIMEOUT_US 30000000U /* aesmd may ask Intel's servers */
#define REPLY_MAX (1U << 20)

/* Intel's quoting enclave for ECDSA P-256 (sgx_ql_att_key_id_t in a
 * 256-byte sgx_att_key_id_ext_t): id 0, version 0, MRSIGNER length 32, the
 * QE's MRSIGNER, product id 1, algorithm 2 (ECDSA P-256). */
static void ecdsa_key_id(uint8_t id[256])
{
    static const uint8_t mrsigner[32] = {0x8c, 0x4f, 0x57, 0x75, 0xd7, 0x96, 0x50, 0x3e,
                                         0x96, 0x13, 0x7f, 0x77, 0xc6, 0x8a, 0x82, 0x9a,
                                         0x00, 0x56, 0xac, 0x8d, 0xed, 0x70, 0x14, 0x0b,
                                         0x08, 0x1b, 0x09, 0x44, 0x90, 0xc5, 0x7b, 0xff};

    memset(id, 0, 256);
    id[4] = 32;                   /* mrsigner_length (offset 4) */
    memcpy(id + 6, mrsigner, 32); /* mrsigner[48] at 6 */
    id[54] = 1;                   /* prod_id at 54 */
    id[154] = 2;                  /* algorithm_id at 154: 6+48+4+16+64+16 */
}

static int io_all(int fd, void *buf, size_t len, bool wr)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = wr ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EPIPE;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* aesmd's older releases listen on an abstract socket instead. */
#define AESM_SOCKET_LEGACY "sgx_aesm_socket_base"

static int try_connect(int fd, const char *path, bool abstract)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    size_t n = strlen(path);

    if (n + abstract >= sizeof(a.sun_path))
        return -ENAMETOOLONG;
    memcpy(a.sun_path + abstract, path, n);
    return connect(fd, (struct sockaddr *)&a,
                   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + abstract + n + !abstract)) <
                   0
               ? -errno
               : 0;
}

static int connect_aesm(const char *path)
{
    struct timeval tv = {AESM_TIMEOUT_US / 1000000, 0};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), e;

    if (fd < 0)
        return -errno;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    e = try_connect(fd, path, false);
    if (e && !strcmp(path, AESM_SOCKET_PATH) && !try_connect(fd, AESM_SOCKET_LEGACY, true))
        e = 0;
    if (e) {
        close(fd);
        fprintf(stderr, "geode: cannot reach the AESM service at %s (%s): is aesmd running?\n",
                path, strerror(-e));
        return e;
    }
    return fd;
}

/* One request, one reply (its bytes in *reply, malloc'ed). */
static int transact(const char *path, const Aesm__Request *req, uint8_t **reply, size_t *len)
{
    size_t n = aesm__request__get_packed_size(req);
    uint8_t *buf = malloc(n + 4);
    uint8_t hdr[4];
    uint32_t rlen;
    int fd, r;

    *reply = NULL;
    if (!buf)
        return -ENOMEM;
    aesm__request__pack(req, buf + 4);
    for (int i = 0; i < 4; i++)
        buf[i] = (uint8_t)(n >> (8 * i));
    fd = connect_aesm(path);
    r = fd < 0 ? fd : io_all(fd, buf, n + 4, true);
    if (!r)
        r = io_all(fd, hdr, 4, false);
    rlen =
        (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 | (uint32_t)hdr[3] << 24;
    if (!r && (rlen == 0 || rlen > REPLY_MAX))
        r = -EPROTO;
    if (!r && !(*reply = malloc(rlen)))
        r = -ENOMEM;
    if (!r)
        r = io_all(fd, *reply, rlen, false);
    if (fd >= 0)
        close(fd);
    free(buf);
    if (r) {
        free(*reply);
        *reply = NULL;
        if (fd >= 0)
            fprintf(stderr, "geode: AESM service at %s: %s\n", path, strerror(-r));
        return r;
    }
    *len = rlen;
    return 0;
}

static long bad(const char *what)
{
    fprintf(stderr, "geode: AESM service: %s\n", what);
    return -EPROTO;
}

static long refused(uint32_t code)
{
    fprintf(stderr,
            "geode: AESM service: error %u (is the quoting infrastructure for the "
            "sgx.remote_attestation kind installed?)\n",
            code);
    return -EPERM;
}

static long take_quote(ProtobufCBinaryData q, uint8_t *out, size_t cap)
{
    uint64_t size = sgx_quote_size(q.data, q.len);

    if (!size || size > q.len)
        return bad("the quote is shorter than it says");
    if (size > cap)
        return bad("the quote is larger than a quote can be");
    memcpy(out, q.data, size);
    return (long)size;
}

long aesm_reply_parse(enum aesm_reply kind, const uint8_t *buf, size_t len, uint8_t *out,
                      size_t cap)
{
    Aesm__Response *res = aesm__response__unpack(NULL, len, buf);
    long r;

    if (!res)
        return bad("malformed reply");
    switch (kind) {
    case AESM_INIT_QUOTE:
        r = !res->initquoteres             ? bad("wrong reply")
            : res->initquoteres->errorcode ? refused(res->initquoteres->errorcode)
            : !res->initquoteres->has_targetinfo || res->initquoteres->targetinfo.len != 512 ||
                    cap < 512
                ? bad("the target info is not 512 bytes")
                : (memcpy(out, res->initquoteres->targetinfo.data, 512), 0);
        break;
    case AESM_INIT_QUOTE_EX:
        r = !res->initquoteexres             ? bad("wrong reply")
            : res->initquoteexres->errorcode ? refused(res->initquoteexres->errorcode)
            : !res->initquoteexres->has_target_info ||
                    res->initquoteexres->target_info.len != 512 || cap < 512
                ? bad("the target info is not 512 bytes")
                : (memcpy(out, res->initquoteexres->target_info.data, 512), 0);
        break;
    case AESM_QUOTE_SIZE_EX:
        r = !res->getquotesizeexres             ? bad("wrong reply")
            : res->getquotesizeexres->errorcode ? refused(res->getquotesizeexres->errorcode)
            : !res->getquotesizeexres->has_quote_size ||
                    res->getquotesizeexres->quote_size < SGX_QUOTE_MIN_SIZE ||
                    res->getquotesizeexres->quote_size > AESM_QUOTE_MAX
                ? bad("the quote size is out of range")
                : (long)res->getquotesizeexres->quote_size;
        break;
    case AESM_GET_QUOTE:
        r = !res->getquoteres              ? bad("wrong reply")
            : res->getquoteres->errorcode  ? refused(res->getquoteres->errorcode)
            : !res->getquoteres->has_quote ? bad("no quote")
                                           : take_quote(res->getquoteres->quote, out, cap);
        break;
    case AESM_GET_QUOTE_EX:
        r = !res->getquoteexres              ? bad("wrong reply")
            : res->getquoteexres->errorcode  ? refused(res->getquoteexres->errorcode)
            : !res->getquoteexres->has_quote ? bad("no quote")
                                             : take_quote(res->getquoteexres->quote, out, cap);
        break;
    default:
        r = -EINVAL;
    }
    aesm__response__free_unpacked(res, NULL);
    return r;
}

static long ask(const char *path, const Aesm__Request *req, enum aesm_reply kind, uint8_t *out,
                size_t cap)
{
    uint8_t *reply;
    size_t len;
    int r = transact(path, req, &reply, &len);

    if (r)
        return r;
    long v = aesm_reply_parse(kind, reply, len, out, cap);
    free(reply);
    return v;
}

int aesm_qe_target_info(const char *path, bool epid, struct sgx_targetinfo *out)
{
    Aesm__Request req = AESM__REQUEST__INIT;
    Aesm__Request__InitQuoteRequest init = AESM__REQUEST__INIT_QUOTE_REQUEST__INIT;
    Aesm__Request__InitQuoteExRequest initex = AESM__REQUEST__INIT_QUOTE_EX_REQUEST__INIT;
    uint8_t id[256];

    init.has_timeout = initex.has_timeout = true;
    init.timeout = initex.timeout = AESM_TIMEOUT_US;
    if (epid) {
        req.initquotereq = &init;
        return (int)ask(path, &req, AESM_INIT_QUOTE, (uint8_t *)out, 512);
    }
    ecdsa_key_id(id);
    initex.has_att_key_id = true;
    initex.att_key_id = (ProtobufCBinaryData){sizeof(id), id};
    /* As Gramine asks: with the key id's buffer (32 bytes, a SHA-256), aesmd
     * also makes sure the attestation key exists. */
    initex.b_pub_key_id = true;
    initex.has_buf_size = true;
    initex.buf_size = 32;
    req.initquoteexreq = &initex;
    return (int)ask(path, &req, AESM_INIT_QUOTE_EX, (uint8_t *)out, 512);
}

long aesm_quote(const char *path, bool epid, const struct sgx_report *report, uint8_t *out,
                size_t cap)
{
    Aesm__Request req = AESM__REQUEST__INIT;
    ProtobufCBinaryData rep = {SGX_REPORT_SIZE, (uint8_t *)report};
    uint8_t id[256], spid[16] = {0};
    long size;

    if (epid) {
        Aesm__Request__GetQuoteRequest g = AESM__REQUEST__GET_QUOTE_REQUEST__INIT;
        g.report = rep;
        g.quote_type = 0; /* unlinkable */
        g.spid = (ProtobufCBinaryData){sizeof(spid), spid};
        g.buf_size = AESM_QUOTE_MAX;
        g.has_timeout = true;
        g.timeout = AESM_TIMEOUT_US;
        req.getquotereq = &g;
        return ask(path, &req, AESM_GET_QUOTE, out, cap);
    }
    Aesm__Request__GetQuoteSizeExRequest s = AESM__REQUEST__GET_QUOTE_SIZE_EX_REQUEST__INIT;
    Aesm__Request__GetQuoteExRequest g = AESM__REQUEST__GET_QUOTE_EX_REQUEST__INIT;

    ecdsa_key_id(id);
    s.has_att_key_id = g.has_att_key_id = true;
    s.att_key_id = g.att_key_id = (ProtobufCBinaryData){sizeof(id), id};
    s.has_timeout = g.has_timeout = true;
    s.timeout = g.timeout = AESM_TIMEOUT_US;
    req.getquotesizeexreq = &s;
    size = ask(path, &req, AESM_QUOTE_SIZE_EX, NULL, 0);
    if (size < 0)
        return size;
    if ((size_t)size > cap)
        return -ENOSPC;
    req.getquotesizeexreq = NULL;
    g.report = rep;
    g.buf_size = (uint32_t)size;
    req.getquoteexreq = &g;
    return ask(path, &req, AESM_GET_QUOTE_EX, out, cap);
}
