/* The AESM client (pal/sgx/urts/urts_aesm.c) against a fake aesmd: a
 * thread serving a UNIX socket with the same framing (4-byte little-endian
 * length, then the protobuf of aesm.proto), which checks each request the
 * way aesmd would need it and answers with a canned target info and quote,
 * or with one of the hostile answers below. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "aesm.pb-c.h"
#include "sgx_quote.h"
#include "urts_aesm.h"
#include "tap.h"

#define QSIZE 1000 /* the canned quote: 436 + 564 bytes of signature data */

enum mode { GOOD, WRONG_REPLY, ERROR_CODE, SHORT_TI, LYING_QUOTE, HUGE_LENGTH, HANG_UP, BIG_QUOTE };

static enum mode mode;
static char sock_path[108];
static int listen_fd;
static char last_error[128]; /* what the server found wrong in a request */

static int io(int fd, void *b, size_t n, int wr)
{
    for (uint8_t *p = b; n;) {
        ssize_t r = wr ? write(fd, p, n) : read(fd, p, n);
        if (r <= 0)
            return -1;
        p += r, n -= (size_t)r;
    }
    return 0;
}

static void canned_quote(uint8_t *q, size_t len)
{
    memset(q, 0, len);
    for (size_t i = 0; i < QSIZE; i++)
        q[i] = (uint8_t)(i * 7);
    q[0] = 3, q[1] = 0;
    uint32_t sig = QSIZE - SGX_QUOTE_MIN_SIZE;
    if (mode == LYING_QUOTE)
        sig = (uint32_t)len; /* says it is longer than what is sent */
    if (mode == BIG_QUOTE)
        sig = AESM_QUOTE_MAX;
    memcpy(q + SGX_QUOTE_SIGLEN_OFFSET, &sig, 4);
}

static int key_id_ok(ProtobufCBinaryData id)
{
    /* sgx_att_key_id_ext_t: MRSIGNER length 32, Intel's QE MRSIGNER, ECDSA P-256 */
    return id.len == 256 && id.data[4] == 32 && id.data[6] == 0x8c && id.data[37] == 0xff &&
           id.data[54] == 1 && id.data[154] == 2;
}

static void answer(int fd)
{
    uint8_t hdr[4], ti[512], quote[AESM_QUOTE_MAX + 64];
    uint32_t n;
    if (io(fd, hdr, 4, 0))
        return;
    memcpy(&n, hdr, 4);
    uint8_t *buf = malloc(n);
    if (!buf || io(fd, buf, n, 0))
        return free(buf);
    Aesm__Request *req = aesm__request__unpack(NULL, n, buf);
    free(buf);
    Aesm__Response res = AESM__RESPONSE__INIT;
    Aesm__Response__InitQuoteResponse iq = AESM__RESPONSE__INIT_QUOTE_RESPONSE__INIT;
    Aesm__Response__InitQuoteExResponse iqx = AESM__RESPONSE__INIT_QUOTE_EX_RESPONSE__INIT;
    Aesm__Response__GetQuoteSizeExResponse qs = AESM__RESPONSE__GET_QUOTE_SIZE_EX_RESPONSE__INIT;
    Aesm__Response__GetQuoteExResponse gqx = AESM__RESPONSE__GET_QUOTE_EX_RESPONSE__INIT;
    Aesm__Response__GetQuoteResponse gq = AESM__RESPONSE__GET_QUOTE_RESPONSE__INIT;
    memset(ti, 0x5a, sizeof(ti));
    ProtobufCBinaryData tib = {mode == SHORT_TI ? 511 : 512, ti};
    iq.errorcode = iqx.errorcode = qs.errorcode = gqx.errorcode = gq.errorcode =
        mode == ERROR_CODE ? 42 : 0;
    if (!req) {
        snprintf(last_error, sizeof(last_error), "malformed request");
    } else if (req->initquotereq) {
        iq.has_targetinfo = 1, iq.targetinfo = tib;
        res.initquoteres = &iq;
    } else if (req->initquoteexreq) {
        if (!req->initquoteexreq->has_att_key_id || !key_id_ok(req->initquoteexreq->att_key_id) ||
            !req->initquoteexreq->b_pub_key_id || req->initquoteexreq->buf_size != 32)
            snprintf(last_error, sizeof(last_error), "InitQuoteEx: bad att_key_id");
        iqx.has_target_info = 1, iqx.target_info = tib;
        res.initquoteexres = &iqx;
    } else if (req->getquotesizeexreq) {
        if (!key_id_ok(req->getquotesizeexreq->att_key_id))
            snprintf(last_error, sizeof(last_error), "GetQuoteSizeEx: bad att_key_id");
        qs.has_quote_size = 1, qs.quote_size = QSIZE + 64; /* aesmd answers a bound */
        res.getquotesizeexres = &qs;
    } else if (req->getquoteexreq) {
        Aesm__Request__GetQuoteExRequest *g = req->getquoteexreq;
        if (g->report.len != 432 || g->report.data[0] != 0x77 || g->buf_size != QSIZE + 64 ||
            !key_id_ok(g->att_key_id))
            snprintf(last_error, sizeof(last_error), "GetQuoteEx: bad report, size or key id");
        canned_quote(quote, g->buf_size);
        gqx.has_quote = 1, gqx.quote = (ProtobufCBinaryData){g->buf_size, quote};
        res.getquoteexres = &gqx;
    } else if (req->getquotereq) {
        Aesm__Request__GetQuoteRequest *g = req->getquotereq;
        if (g->report.len != 432 || g->spid.len != 16 || g->buf_size < QSIZE)
            snprintf(last_error, sizeof(last_error), "GetQuote: bad report, SPID or size");
        canned_quote(quote, g->buf_size);
        gq.has_quote = 1, gq.quote = (ProtobufCBinaryData){g->buf_size, quote};
        res.getquoteres = &gq;
    }
    if (mode == WRONG_REPLY) { /* the answer to another question */
        Aesm__Response other = AESM__RESPONSE__INIT;
        other.getquotesizeexres = &qs;
        qs.has_quote_size = 1, qs.quote_size = 5;
        res = other;
    }
    aesm__request__free_unpacked(req, NULL);
    size_t len = aesm__response__get_packed_size(&res);
    uint8_t *out = malloc(len + 4);
    uint32_t l = mode == HUGE_LENGTH ? 0x7fffffff : (uint32_t)len;
    memcpy(out, &l, 4);
    aesm__response__pack(&res, out + 4);
    if (mode == HANG_UP)
        len /= 2;
    io(fd, out, len + 4, 1);
    free(out);
}

static void *server(void *arg)
{
    (void)arg;
    for (;;) {
        int fd = accept(listen_fd, NULL, NULL);
        if (fd < 0)
            return NULL;
        answer(fd);
        close(fd);
    }
}

int main(void)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    char dir[] = "/tmp/geode-aesm.XXXXXX";
    struct sgx_targetinfo ti;
    struct sgx_report rep;
    uint8_t q[AESM_QUOTE_MAX];
    pthread_t t;

    if (!mkdtemp(dir))
        return 1;
    snprintf(sock_path, sizeof(sock_path), "%s/aesm.socket", dir);
    strcpy(a.sun_path, sock_path);
    listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (bind(listen_fd, (struct sockaddr *)&a, sizeof(a)) || listen(listen_fd, 8))
        return 1;
    pthread_create(&t, NULL, server, NULL);
    memset(&rep, 0, sizeof(rep));
    ((uint8_t *)&rep)[0] = 0x77;

    mode = GOOD;
    int r = aesm_qe_target_info(sock_path, false, &ti);
    CHECK(r == 0 && ((uint8_t *)&ti)[0] == 0x5a && ((uint8_t *)&ti)[511] == 0x5a && !last_error[0],
          "DCAP: InitQuoteEx with Intel's ECDSA key id gives the QE's 512-byte TARGETINFO (%d %s)",
          r, last_error);
    long n = aesm_quote(sock_path, false, &rep, q, sizeof(q));
    CHECK(
        n == QSIZE && q[0] == 3 && q[QSIZE - 1] == (uint8_t)((QSIZE - 1) * 7) && !last_error[0],
        "DCAP: GetQuoteSizeEx then GetQuoteEx; the quote trimmed to the size it declares (%ld %s)",
        n, last_error);
    r = aesm_qe_target_info(sock_path, true, &ti);
    n = aesm_quote(sock_path, true, &rep, q, sizeof(q));
    CHECK(r == 0 && n == QSIZE && !last_error[0], "EPID: InitQuote and GetQuote (%d %ld %s)", r, n,
          last_error);

    mode = WRONG_REPLY;
    CHECK(aesm_qe_target_info(sock_path, false, &ti) == -EPROTO &&
              aesm_quote(sock_path, true, &rep, q, sizeof(q)) == -EPROTO,
          "an answer to another request is refused (EPROTO)");
    mode = ERROR_CODE;
    CHECK(aesm_qe_target_info(sock_path, false, &ti) == -EPERM &&
              aesm_quote(sock_path, false, &rep, q, sizeof(q)) == -EPERM,
          "a nonzero AESM error code is EPERM");
    mode = SHORT_TI;
    CHECK(aesm_qe_target_info(sock_path, true, &ti) == -EPROTO, "a 511-byte TARGETINFO is refused");
    mode = LYING_QUOTE;
    CHECK(aesm_quote(sock_path, false, &rep, q, sizeof(q)) == -EPROTO,
          "a quote declaring more signature data than it has is refused");
    mode = BIG_QUOTE;
    CHECK(aesm_quote(sock_path, true, &rep, q, sizeof(q)) == -EPROTO,
          "a quote larger than a quote can be is refused");
    mode = HUGE_LENGTH;
    CHECK(aesm_qe_target_info(sock_path, false, &ti) == -EPROTO,
          "a 2 GiB length prefix is refused without reading it");
    mode = HANG_UP;
    CHECK(aesm_qe_target_info(sock_path, false, &ti) < 0, "a reply cut short is an error");
    CHECK(aesm_qe_target_info("/nonexistent/aesm.socket", false, &ti) == -ENOENT,
          "no aesmd: ENOENT, said on stderr");

    uint8_t junk[3] = {0xff, 0xff, 0xff};
    CHECK(aesm_reply_parse(AESM_GET_QUOTE_EX, junk, sizeof(junk), q, sizeof(q)) == -EPROTO,
          "a malformed protobuf reply is refused");
    shutdown(listen_fd, SHUT_RDWR);
    close(listen_fd);
    unlink(sock_path);
    rmdir(dir);
    return TAP_DONE();
}
