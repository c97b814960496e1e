/* The trusted PAL's net family (pal/sgx/enclave/pal_net.c) end to end through
 * the real host handlers (pal/sgx/urts/urts_ocall_net.c) on real pipes and
 * sockets (TCP and UDP on 127.0.0.1); a hostile host through
 * loopback_tamper; and the host side's input validation called directly. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#include "ocall_loopback.h"

#include "../../pal/sgx/enclave/pal_net.c"

static struct pal_api api;

/* --- a hostile host: one rewrite of the reply, chosen per check --- */
enum tamper {
    T_RESULT_PLUS_ONE, /* result + 1 (out_size unchanged) */
    T_COUNT_PLUS_ONE,  /* recv: result and data both one byte more than asked */
    T_SIZE,            /* out_size = tamper_arg */
    T_HANDLE0,         /* first handle of a pair = tamper_arg */
    T_HANDLE1,         /* second handle of a pair = tamper_arg */
    T_SAME_HANDLES,    /* both handles of a pair equal */
    T_RESULT,          /* result = tamper_arg */
    T_RECV_ALEN,       /* recv's reported address length = tamper_arg */
    T_REVENTS,         /* first revents = tamper_arg, the count kept consistent */
    T_WAIT_KEY,        /* first wait event's key = tamper_arg */
    T_WAIT_EVENTS,     /* first wait event's events = tamper_arg */
};
static enum tamper tamper_kind;
static int64_t tamper_arg;
static uint64_t tamper_number, tamper_seen;

static void tamper(uint64_t number, int64_t *result, uint8_t *out, uint64_t *size)
{
    int64_t v = tamper_arg;

    if (number != tamper_number)
        return;
    tamper_seen++;
    switch (tamper_kind) {
    case T_RESULT_PLUS_ONE:
        *result += 1;
        break;
    case T_COUNT_PLUS_ONE:
        *result += 1;
        *size += 1;
        break;
    case T_SIZE:
        *size = (uint64_t)v;
        break;
    case T_HANDLE0:
    case T_HANDLE1:
        memcpy(out + (tamper_kind == T_HANDLE1 ? 8 : 0), &v, 8);
        break;
    case T_SAME_HANDLES:
        memcpy(out + 8, out, 8);
        break;
    case T_RESULT:
        *result = v;
        break;
    case T_RECV_ALEN:
        memcpy(out, &v, 8);
        break;
    case T_WAIT_KEY:
        memcpy(out + 8, &v, 8);
        break;
    case T_WAIT_EVENTS:
        memcpy(out, &(uint32_t){(uint32_t)v}, 4);
        break;
    case T_REVENTS: {
        int16_t old;

        memcpy(&old, out, 2);
        memcpy(out, &(int16_t){(int16_t)v}, 2);
        *result += (old == 0) - (v == 0); /* the count stays consistent */
        break;
    }
    }
}

static void hostile(uint64_t number, enum tamper kind, int64_t arg)
{
    tamper_number = number;
    tamper_kind = kind;
    tamper_arg = arg;
    tamper_seen = 0;
    loopback_tamper = tamper;
}

static int honest(void)
{
    int seen = tamper_seen > 0;

    loopback_tamper = NULL;
    return seen;
}

static int cloexec(pal_handle h)
{
    return (fcntl((int)h, F_GETFD) & FD_CLOEXEC) != 0;
}

static int nonblocking(pal_handle h)
{
    return (fcntl((int)h, F_GETFL) & O_NONBLOCK) != 0;
}

static struct sockaddr_in loopback_addr(uint16_t port)
{
    return (struct sockaddr_in){
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
}

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* --- honest host --- */

static void test_pipe(void)
{
    pal_handle p[2] = {-1, -1};
    char buf[8] = {0};

    CHECK(api.pipe(p, O_CLOEXEC) == 0 && p[0] >= 0 && p[1] >= 0 && p[0] != p[1],
          "pipe: two handles");
    CHECK(cloexec(p[0]) && cloexec(p[1]) && !nonblocking(p[0]), "pipe: O_CLOEXEC on both ends");
    CHECK(write((int)p[1], "hello", 5) == 5 && read((int)p[0], buf, sizeof(buf)) == 5 &&
              !memcmp(buf, "hello", 5),
          "pipe: write end to read end");
    close((int)p[0]), close((int)p[1]);
    CHECK(api.pipe(p, O_NONBLOCK) == 0 && nonblocking(p[0]) && !cloexec(p[0]), "pipe: O_NONBLOCK");
    CHECK(read((int)p[0], buf, 1) < 0 && errno == EAGAIN, "pipe: nonblocking read end is empty");
    close((int)p[0]), close((int)p[1]);
    CHECK(api.pipe(p, 0x7fff0000) == -PAL_EINVAL, "pipe: bad flags -> -EINVAL from the host");
}

static void test_sock_pair(void)
{
    pal_handle s[2];
    char buf[16] = {0};

    CHECK(api.sock_pair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, s) == 0,
          "socketpair");
    CHECK(cloexec(s[0]) && cloexec(s[1]) && nonblocking(s[0]) && nonblocking(s[1]),
          "socketpair: SOCK_CLOEXEC and SOCK_NONBLOCK in the type");
    CHECK(api.sock_send(s[0], "ping", 4, 0, NULL, 0) == 4 &&
              api.sock_recv(s[1], buf, sizeof(buf), 0, NULL, NULL) == 4 && !memcmp(buf, "ping", 4),
          "socketpair: 0 -> 1");
    CHECK(api.sock_send(s[1], "pong!", 5, 0, NULL, 0) == 5 &&
              api.sock_recv(s[0], buf, sizeof(buf), 0, NULL, NULL) == 5 && !memcmp(buf, "pong!", 5),
          "socketpair: 1 -> 0");
    CHECK(api.sock_recv(s[0], buf, sizeof(buf), 0, NULL, NULL) == -PAL_EAGAIN,
          "socketpair: nonblocking recv on empty -> -EAGAIN");
    close((int)s[0]), close((int)s[1]);
    CHECK(api.sock_pair(AF_INET, SOCK_STREAM, 0, s) == -PAL_EOPNOTSUPP,
          "socketpair: AF_INET refused");
}

/* More than OCALL_MAX_SOCK_IO on a stream is sent whole, an OCALL per
 * OCALL_MAX_SOCK_IO (a blocking stream send queues all of it, as Linux's);
 * a receive brings at most OCALL_MAX_SOCK_IO; a datagram up to that size
 * (a UDP datagram's 65,507 bytes fit) goes whole, a larger one is refused
 * (EMSGSIZE), never cut in two. */
static void test_big_transfer(void)
{
    static char big[OCALL_MAX_SOCK_IO + 5000], in[OCALL_MAX_SOCK_IO + 5000];
    int sz = 1 << 20;
    pal_handle s[2];
    long w, r, got = 0;

    memset(big, 'x', sizeof(big));
    big[sizeof(big) - 1] = 'y';
    if (api.sock_pair(AF_UNIX, SOCK_STREAM, 0, s) != 0) {
        CHECK(0, "big: socketpair");
        return;
    }
    setsockopt((int)s[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
    setsockopt((int)s[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
    w = api.sock_send(s[0], big, sizeof(big), 0, NULL, 0);
    CHECK(w == (long)sizeof(big), "big stream send: all %ld bytes (of %zu)", w, sizeof(big));
    while (got < w &&
           (r = api.sock_recv(s[1], in + got, sizeof(in) - (size_t)got, 0, NULL, NULL)) > 0) {
        CHECK(r <= OCALL_MAX_SOCK_IO, "big recv: %ld <= OCALL_MAX_SOCK_IO", r);
        got += r;
    }
    CHECK(got == w && !memcmp(in, big, (size_t)w), "big: every byte sent arrived, in order");
    close((int)s[0]), close((int)s[1]);
    if (api.sock_pair(AF_UNIX, SOCK_DGRAM, 0, s) != 0) {
        CHECK(0, "big: datagram socketpair");
        return;
    }
    setsockopt((int)s[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
    setsockopt((int)s[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
    w = api.sock_send(s[0], big, sizeof(big), 0, NULL, 0);
    CHECK(w == -PAL_EMSGSIZE, "big datagram send: EMSGSIZE, not cut (%ld)", w);
    w = api.sock_send(s[0], big, OCALL_MAX_SOCK_IO, 0, NULL, 0);
    r = api.sock_recv(s[1], in, sizeof(in), 0, NULL, NULL);
    CHECK(w == OCALL_MAX_SOCK_IO && r == OCALL_MAX_SOCK_IO && !memcmp(in, big, (size_t)r),
          "datagram of OCALL_MAX_SOCK_IO: sent and received whole (%ld, %ld)", w, r);
    big[65506] = 'z';
    w = api.sock_send(s[0], big, 65507, 0, NULL, 0);
    r = api.sock_recv(s[1], in, sizeof(in), 0, NULL, NULL);
    CHECK(w == 65507 && r == 65507 && in[65506] == 'z', "a UDP-sized datagram (65,507 bytes) whole (%ld, %ld)",
          w, r);
    close((int)s[0]), close((int)s[1]);
}

static pal_handle tcp_listener(int type_flags, uint16_t *port)
{
    struct sockaddr_in a = loopback_addr(0), got;
    uint32_t len = sizeof(got);
    pal_handle l = -1;
    int one = 1, v = 0;
    uint32_t vlen = sizeof(v);

    CHECK(api.sock_create(AF_INET, SOCK_STREAM | type_flags, 0, &l) == 0 && l >= 0, "tcp: socket");
    CHECK(api.sock_setopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0,
          "setopt SO_REUSEADDR");
    CHECK(api.sock_getopt(l, SOL_SOCKET, SO_REUSEADDR, &v, &vlen) == 0 && v == 1 &&
              vlen == sizeof(v),
          "getopt SO_REUSEADDR: 1, length 4");
    CHECK(api.sock_bind(l, &a, sizeof(a)) == 0, "bind 127.0.0.1:0");
    CHECK(api.sock_listen(l, 8) == 0, "listen");
    CHECK(api.sock_name(l, 0, &got, &len) == 0 && len == sizeof(got) && got.sin_family == AF_INET &&
              got.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && got.sin_port != 0,
          "sock_name: the port the kernel chose");
    *port = ntohs(got.sin_port);
    return l;
}

static void test_tcp(void)
{
    uint16_t port;
    pal_handle l = tcp_listener(0, &port), c, s;
    struct sockaddr_in to = loopback_addr(port), peer, mine, small;
    uint32_t plen = sizeof(peer), mlen = sizeof(mine), slen = 4;
    struct pal_pollfd pf = {.handle = l, .events = POLLIN};
    char buf[32] = {0};

    CHECK(api.sock_create(AF_INET, SOCK_STREAM, 0, &c) == 0, "tcp: client socket");
    CHECK(api.sock_connect(c, &to, sizeof(to)) == 0, "connect");
    CHECK(api.poll(&pf, 1, 1000000000LL) == 1 && pf.revents == POLLIN, "poll: listener readable");
    CHECK(api.sock_accept(l, &peer, &plen, SOCK_CLOEXEC, &s) == 0 && s >= 0 && cloexec(s),
          "accept4 with SOCK_CLOEXEC");
    CHECK(api.sock_name(c, 0, &mine, &mlen) == 0 && plen == sizeof(peer) &&
              peer.sin_family == AF_INET && peer.sin_port == mine.sin_port &&
              peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
          "accept: the peer address is the client's");
    mlen = sizeof(mine);
    CHECK(api.sock_name(c, 1, &mine, &mlen) == 0 && mine.sin_port == htons(port), "sock_name peer");
    memset(&small, 0xab, sizeof(small));
    CHECK(api.sock_name(c, 1, &small, &slen) == 0 && slen == sizeof(small) &&
              small.sin_family == AF_INET && ((uint8_t *)&small)[4] == 0xab,
          "sock_name: 4 bytes of room -> truncated copy, full length 16");
    CHECK(api.sock_send(c, "request", 7, 0, NULL, 0) == 7 &&
              api.sock_recv(s, buf, sizeof(buf), 0, NULL, NULL) == 7 && !memcmp(buf, "request", 7),
          "send/recv client -> server");
    CHECK(api.sock_send(s, "reply", 5, 0, NULL, 0) == 5 &&
              api.sock_recv(c, buf, sizeof(buf), 0, NULL, NULL) == 5 && !memcmp(buf, "reply", 5),
          "send/recv server -> client");
    CHECK(api.sock_shutdown(c, SHUT_WR) == 0 &&
              api.sock_recv(s, buf, sizeof(buf), 0, NULL, NULL) == 0,
          "shutdown(SHUT_WR): the server reads end of stream");
    CHECK(api.sock_shutdown(c, 7) == -PAL_EINVAL, "shutdown: bad how");
    close((int)s), close((int)c), close((int)l);
}

static void test_accept_nonblocking(void)
{
    uint16_t port;
    pal_handle l = tcp_listener(SOCK_NONBLOCK, &port), s = -7, c;
    struct sockaddr_in to = loopback_addr(port), peer;
    uint32_t plen = 4;

    CHECK(api.sock_accept(l, NULL, NULL, 0, &s) == -PAL_EAGAIN && s == -7,
          "nonblocking accept: -EAGAIN");
    CHECK(api.sock_create(AF_INET, SOCK_STREAM, 0, &c) == 0 &&
              api.sock_connect(c, &to, sizeof(to)) == 0,
          "connect");
    memset(&peer, 0xab, sizeof(peer));
    for (int i = 0; i < 100 && api.sock_accept(l, &peer, &plen, SOCK_NONBLOCK, &s) == -PAL_EAGAIN;
         i++)
        usleep(10000);
    CHECK(s >= 0 && nonblocking(s) && plen == sizeof(peer) && peer.sin_family == AF_INET &&
              ((uint8_t *)&peer)[4] == 0xab,
          "accept: 4 bytes of room -> truncated copy, full length 16; SOCK_NONBLOCK");
    close((int)s), close((int)c), close((int)l);
}

static void test_udp(void)
{
    struct sockaddr_in a = loopback_addr(0), b = loopback_addr(0), from;
    uint32_t alen = sizeof(a), blen = sizeof(b), flen = sizeof(from);
    pal_handle u, v;
    char buf[16] = {0};

    CHECK(api.sock_create(AF_INET, SOCK_DGRAM, 0, &u) == 0 &&
              api.sock_create(AF_INET, SOCK_DGRAM, 0, &v) == 0,
          "udp: two sockets");
    CHECK(api.sock_bind(u, &a, sizeof(a)) == 0 && api.sock_bind(v, &b, sizeof(b)) == 0 &&
              api.sock_name(u, 0, &a, &alen) == 0 && api.sock_name(v, 0, &b, &blen) == 0,
          "udp: bound to 127.0.0.1:0");
    CHECK(api.sock_send(u, "dgram", 5, 0, &b, sizeof(b)) == 5, "sendto with an address");
    CHECK(api.sock_recv(v, buf, sizeof(buf), 0, &from, &flen) == 5 && !memcmp(buf, "dgram", 5) &&
              flen == sizeof(from) && from.sin_port == a.sin_port &&
              from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
          "recvfrom: data and the sender's address");
    CHECK(api.sock_send(v, "back", 4, 0, &a, sizeof(a)) == 4 &&
              api.sock_recv(u, buf, sizeof(buf), 0, NULL, NULL) == 4 && !memcmp(buf, "back", 4),
          "recvfrom without an address");
    CHECK(api.sock_send(u, "0123456789", 10, 0, &b, sizeof(b)) == 10 &&
              api.sock_recv(v, buf, 4, MSG_TRUNC, NULL, NULL) == 10 && !memcmp(buf, "0123", 4),
          "MSG_TRUNC: the datagram's real length, the buffer's worth of data");
    CHECK(api.sock_send(u, "x", 1, 0, &b, 200) == -PAL_EINVAL, "sendto: address length > 128");
    CHECK(api.sock_bind(u, &b, 129) == -PAL_EINVAL, "bind: address length > 128");
    close((int)u), close((int)v);
}

static void test_poll(void)
{
    pal_handle p[2];
    struct pal_pollfd f[3] = {{.revents = 99}, {.revents = 99}, {.handle = 12345, .revents = 77}};
    int64_t t0;
    long r;

    if (api.pipe(p, 0) != 0) {
        CHECK(0, "poll: pipe");
        return;
    }
    f[0] = (struct pal_pollfd){.handle = p[0], .events = POLLIN, .revents = 99};
    f[1] = (struct pal_pollfd){.handle = p[1], .events = POLLOUT, .revents = 99};
    CHECK(api.poll(f, 1, 0) == 0 && f[0].revents == 0 && f[1].revents == 99,
          "poll: nothing to read, timeout 0");
    t0 = now_ns();
    r = api.poll(f, 1, 50000000);
    CHECK(r == 0 && now_ns() - t0 >= 45000000, "poll: 50 ms timeout (%ld)", r);
    CHECK(api.poll(f, 2, -1) == 1 && f[0].revents == 0 && f[1].revents == POLLOUT &&
              f[2].revents == 77,
          "poll: write end ready, only the n entries written");
    CHECK(write((int)p[1], "z", 1) == 1 && api.poll(f, 2, -1) == 2 && f[0].revents == POLLIN,
          "poll: both ready after a write");
    f[2] = (struct pal_pollfd){.handle = 1000000, .events = POLLIN};
    CHECK(api.poll(f, 3, 0) == 3 && f[2].revents == POLLNVAL, "poll: a closed handle -> POLLNVAL");
    close((int)p[1]);
    CHECK(api.poll(f, 1, 0) == 1 && (f[0].revents & POLLIN), "poll: data then hangup");
    close((int)p[0]);
    CHECK(api.poll(NULL, 0, 1000000) == 0, "poll: no handles, a short sleep");
    uint64_t calls = loopback_calls;
    CHECK(api.poll(f, 1025, 0) == -PAL_EINVAL && loopback_calls == calls,
          "poll: 1025 handles -> -EINVAL, no OCALL");
}

/* --- hostile host --- */

static void test_hostile_pairs(void)
{
    static const struct {
        uint64_t number;
        enum tamper kind;
        int64_t arg;
        const char *what;
    } cases[] = {
        {OCALL_PIPE, T_SIZE, 8, "pipe: out_size 8"},
        {OCALL_PIPE, T_SIZE, 0, "pipe: out_size 0"},
        {OCALL_PIPE, T_HANDLE0, OCALL_MAX_HANDLE, "pipe: first handle too big"},
        {OCALL_PIPE, T_HANDLE1, -1, "pipe: second handle negative"},
        {OCALL_PIPE, T_SAME_HANDLES, 0, "pipe: the same handle twice"},
        {OCALL_PIPE, T_RESULT, 3, "pipe: result 3"},
        {OCALL_SOCK_PAIR, T_SIZE, 12, "socketpair: out_size 12"},
        {OCALL_SOCK_PAIR, T_HANDLE1, OCALL_MAX_HANDLE, "socketpair: second handle too big"},
        {OCALL_SOCK_PAIR, T_HANDLE0, -5, "socketpair: first handle negative"},
        {OCALL_SOCK_PAIR, T_SAME_HANDLES, 0, "socketpair: the same handle twice"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pal_handle out[2] = {-7, -7};
        long r;

        hostile(cases[i].number, cases[i].kind, cases[i].arg);
        r = cases[i].number == OCALL_PIPE ? api.pipe(out, 0)
                                          : api.sock_pair(AF_UNIX, SOCK_STREAM, 0, out);
        CHECK(honest() && r == -PAL_EIO && out[0] == -7 && out[1] == -7,
              "%s -> -EIO, no handle (%ld)", cases[i].what, r);
    }
}

static void test_hostile_handles(void)
{
    uint16_t port;
    pal_handle l = tcp_listener(0, &port), c, h = -7;
    struct sockaddr_in to = loopback_addr(port), peer;
    uint32_t plen = sizeof(peer);

    hostile(OCALL_SOCK_CREATE, T_RESULT, OCALL_MAX_HANDLE);
    CHECK(api.sock_create(AF_INET, SOCK_STREAM, 0, &h) == -PAL_EIO && honest() && h == -7,
          "socket: handle too big -> -EIO");
    hostile(OCALL_SOCK_CREATE, T_RESULT, -1000);
    CHECK(api.sock_create(AF_INET, SOCK_STREAM, 0, &h) == -PAL_EIO && honest() && h == -7,
          "socket: errno outside Linux's -> -EIO");
    if (api.sock_create(AF_INET, SOCK_STREAM, 0, &c) != 0 ||
        api.sock_connect(c, &to, sizeof(to)) != 0) {
        CHECK(0, "hostile accept: connect");
        return;
    }
    hostile(OCALL_SOCK_ACCEPT, T_SIZE, 129);
    CHECK(api.sock_accept(l, &peer, &plen, 0, &h) == -PAL_EIO && honest() && h == -7 &&
              plen == sizeof(peer),
          "accept: address length 129 -> -EIO");
    close((int)c);
    if (api.sock_create(AF_INET, SOCK_STREAM, 0, &c) == 0 &&
        api.sock_connect(c, &to, sizeof(to)) == 0) {
        hostile(OCALL_SOCK_ACCEPT, T_RESULT, OCALL_MAX_HANDLE + 3);
        CHECK(api.sock_accept(l, &peer, &plen, 0, &h) == -PAL_EIO && honest() && h == -7,
              "accept: handle too big -> -EIO");
    }
    hostile(OCALL_SOCK_NAME, T_SIZE, 129);
    CHECK(api.sock_name(l, 0, &peer, &plen) == -PAL_EIO && honest() && plen == sizeof(peer),
          "sock_name: address length 129 -> -EIO");
    hostile(OCALL_SOCK_LISTEN, T_RESULT, 1);
    CHECK(api.sock_listen(l, 4) == -PAL_EIO && honest(), "listen: result 1 -> -EIO");
    close((int)c), close((int)l);
}

static void test_hostile_opts(void)
{
    pal_handle s;
    int v = 0;
    uint32_t len = sizeof(v);

    if (api.sock_create(AF_INET, SOCK_STREAM, 0, &s) != 0) {
        CHECK(0, "hostile getopt: socket");
        return;
    }
    hostile(OCALL_SOCK_GETOPT, T_SIZE, 5);
    CHECK(api.sock_getopt(s, SOL_SOCKET, SO_REUSEADDR, &v, &len) == -PAL_EIO && honest() &&
              len == 4,
          "getopt: length 5 > capacity 4 -> -EIO");
    hostile(OCALL_SOCK_GETOPT, T_RESULT, 4);
    CHECK(api.sock_getopt(s, SOL_SOCKET, SO_REUSEADDR, &v, &len) == -PAL_EIO && honest() &&
              len == 4,
          "getopt: result 4 -> -EIO");
    hostile(OCALL_SOCK_SETOPT, T_RESULT, 2);
    CHECK(api.sock_setopt(s, SOL_SOCKET, SO_REUSEADDR, &v, len) == -PAL_EIO && honest(),
          "setopt: result 2 -> -EIO");
    close((int)s);
}

static void test_hostile_transfers(void)
{
    pal_handle s[2];
    char buf[16];
    struct sockaddr_in from;
    uint32_t flen = sizeof(from);

    if (api.sock_pair(AF_UNIX, SOCK_DGRAM, 0, s) != 0) {
        CHECK(0, "hostile transfers: socketpair");
        return;
    }
    hostile(OCALL_SOCK_SEND, T_RESULT_PLUS_ONE, 0);
    CHECK(api.sock_send(s[0], "abcd", 4, 0, NULL, 0) == -PAL_EIO && honest(),
          "send: count 5 > 4 -> -EIO");
    api.sock_send(s[0], "abcd", 4, 0, NULL, 0);
    hostile(OCALL_SOCK_RECV, T_COUNT_PLUS_ONE, 0);
    CHECK(api.sock_recv(s[1], buf, 4, 0, NULL, NULL) == -PAL_EIO && honest(),
          "recv: count 5 > 4 -> -EIO");
    api.sock_send(s[0], "abcd", 4, 0, NULL, 0);
    hostile(OCALL_SOCK_RECV, T_RESULT_PLUS_ONE, 0);
    CHECK(api.sock_recv(s[1], buf, 4, 0, NULL, NULL) == -PAL_EIO && honest(),
          "recv: count 5 > 4 with 4 bytes of data -> -EIO");
    api.sock_send(s[0], "abcd", 4, 0, NULL, 0);
    hostile(OCALL_SOCK_RECV, T_RESULT_PLUS_ONE, 0);
    CHECK(api.sock_recv(s[1], buf, sizeof(buf), 0, NULL, NULL) == -PAL_EIO && honest(),
          "recv: count disagrees with the data sent back -> -EIO");
    api.sock_send(s[0], "abcd", 4, 0, NULL, 0);
    hostile(OCALL_SOCK_RECV, T_RECV_ALEN, 129);
    CHECK(api.sock_recv(s[1], buf, sizeof(buf), 0, &from, &flen) == -PAL_EIO && honest() &&
              flen == sizeof(from),
          "recv: address length 129 -> -EIO");
    api.sock_send(s[0], "abcd", 4, 0, NULL, 0);
    hostile(OCALL_SOCK_RECV, T_SIZE, 100);
    CHECK(api.sock_recv(s[1], buf, sizeof(buf), 0, NULL, NULL) == -PAL_EIO && honest(),
          "recv: reply shorter than its header -> -EIO");
    api.sock_send(s[0], "abcd", 4, 0, NULL, 0);
    hostile(OCALL_SOCK_RECV, T_RESULT, 1LL << 40);
    CHECK(api.sock_recv(s[1], buf, 4, MSG_TRUNC, NULL, NULL) == -PAL_EIO && honest(),
          "recv MSG_TRUNC: count past any datagram -> -EIO");
    close((int)s[0]), close((int)s[1]);
}

static void test_hostile_poll(void)
{
    pal_handle p[2];
    struct pal_pollfd f[2];

    if (api.pipe(p, 0) != 0) {
        CHECK(0, "hostile poll: pipe");
        return;
    }
    f[0] = (struct pal_pollfd){.handle = p[0], .events = POLLIN, .revents = 55};
    f[1] = (struct pal_pollfd){.handle = p[1], .events = POLLOUT, .revents = 66};
    hostile(OCALL_POLL, T_RESULT, 2);
    CHECK(api.poll(f, 1, 0) == -PAL_EIO && honest() && f[0].revents == 55,
          "poll: result 2 > n 1 -> -EIO");
    hostile(OCALL_POLL, T_RESULT, 0);
    CHECK(api.poll(f, 2, 0) == -PAL_EIO && honest() && f[1].revents == 66,
          "poll: result 0 with a ready entry -> -EIO");
    hostile(OCALL_POLL, T_REVENTS, POLLOUT);
    CHECK(api.poll(f, 2, 0) == -PAL_EIO && honest() && f[0].revents == 55 && f[1].revents == 66,
          "poll: POLLOUT on an entry that asked for POLLIN -> -EIO");
    hostile(OCALL_POLL, T_REVENTS, (int16_t)0x8000);
    CHECK(api.poll(f, 2, 0) == -PAL_EIO && honest(), "poll: revents sign bit -> -EIO");
    hostile(OCALL_POLL, T_SIZE, 2);
    CHECK(api.poll(f, 2, 0) == -PAL_EIO && honest(),
          "poll: 2 bytes of revents for 2 entries -> -EIO");
    hostile(OCALL_POLL, T_REVENTS, POLLHUP | POLLERR | POLLNVAL);
    CHECK(api.poll(f, 2, 0) == 2 && honest() && f[0].revents == (POLLHUP | POLLERR | POLLNVAL) &&
              f[1].revents == POLLOUT,
          "poll: POLLERR | POLLHUP | POLLNVAL always allowed");
    close((int)p[0]), close((int)p[1]);
}

/* Wait sets end to end, and a host that names registrations it was not
 * given: the libOS only ever sees its own keys. */
static void test_waitset(void)
{
    pal_handle ws, p[2];
    struct pal_wait_event ev[4];
    const uint64_t key = 0xdeadbeefcafeULL;

    if (api.waitset_create(&ws) != 0 || api.pipe(p, 0) != 0) {
        CHECK(0, "waitset: create and pipe");
        return;
    }
    CHECK(cloexec(ws), "waitset: the host's epoll fd is CLOEXEC");
    CHECK(api.waitset_ctl(ws, L_EPOLL_CTL_ADD, p[0], POLLIN, key) == 0, "waitset: add");
    CHECK(api.waitset_ctl(ws, L_EPOLL_CTL_ADD, p[0], POLLIN, key) == -PAL_EEXIST,
          "waitset: add again -> -EEXIST");
    CHECK(api.waitset_ctl(ws, L_EPOLL_CTL_MOD, p[1], POLLOUT, 1) == -PAL_ENOENT,
          "waitset: mod of an unregistered handle -> -ENOENT");
    CHECK(api.waitset_wait(ws, ev, 4, 0) == 0, "waitset: nothing ready -> 0");
    write((int)p[1], "x", 1);
    CHECK(api.waitset_wait(ws, ev, 4, 0) == 1 && ev[0].key == key && ev[0].events == POLLIN,
          "waitset: the ready pipe comes back with its key");
    hostile(OCALL_WAITSET_WAIT, T_WAIT_KEY, 4095);
    CHECK(api.waitset_wait(ws, ev, 4, 0) == 0 && honest(), "waitset: a free slot's index is dropped");
    hostile(OCALL_WAITSET_WAIT, T_WAIT_KEY, 1LL << 40);
    CHECK(api.waitset_wait(ws, ev, 4, 0) == 0 && honest(), "waitset: an index past the table is dropped");
    hostile(OCALL_WAITSET_WAIT, T_WAIT_EVENTS, POLLOUT);
    CHECK(api.waitset_wait(ws, ev, 4, 0) == 0 && honest(),
          "waitset: events the registration did not ask for are dropped");
    hostile(OCALL_WAITSET_WAIT, T_RESULT, 2);
    CHECK(api.waitset_wait(ws, ev, 1, 0) == -PAL_EIO && honest(), "waitset: count 2 > n 1 -> -EIO");
    hostile(OCALL_WAITSET_WAIT, T_SIZE, 8);
    CHECK(api.waitset_wait(ws, ev, 4, 0) == -PAL_EIO && honest(),
          "waitset: 8 bytes for one event -> -EIO");
    CHECK(api.waitset_ctl(ws, L_EPOLL_CTL_DEL, p[0], 0, 0) == 0 &&
              api.waitset_wait(ws, ev, 4, 0) == 0,
          "waitset: deleted, nothing reported");
    CHECK(api.waitset_ctl(ws, L_EPOLL_CTL_DEL, p[0], 0, 0) == -PAL_ENOENT,
          "waitset: delete again -> -ENOENT");
    pal_handle d = -1;
    CHECK(api.handle_dup(p[0], &d) == 0 && d != p[0] && cloexec(d),
          "handle_dup: a new CLOEXEC handle");
    CHECK(api.waitset_ctl(ws, L_EPOLL_CTL_ADD, p[0], POLLIN, 1) == 0 &&
              api.waitset_ctl(ws, L_EPOLL_CTL_ADD, d, POLLIN, 2) == 0 &&
              api.waitset_wait(ws, ev, 4, 0) == 2 && ev[0].key + ev[1].key == 3,
          "handle_dup: both handles of one pipe end registered, each with its key");
    CHECK(api.handle_dup(-1, &d) == -PAL_EBADF, "handle_dup: a bad handle -> -EBADF");
    hostile(OCALL_HANDLE_DUP, T_RESULT, 1LL << 40);
    CHECK(api.handle_dup(p[0], &d) == -PAL_EIO && honest(),
          "handle_dup: a handle past OCALL_MAX_HANDLE -> -EIO");
    close((int)d), close((int)p[0]), close((int)p[1]), close((int)ws);

    /* sys.insecure__allow_eventfd: the host's eventfd through OCALL_EVENTFD */
    pal_handle e = -1;
    uint64_t v = 0;
    CHECK(api.eventfd_untrusted(3, O_NONBLOCK, &e) == 0 && cloexec(e) && nonblocking(e) &&
              read((int)e, &v, 8) == 8 && v == 3,
          "eventfd_untrusted: a CLOEXEC, non-blocking host eventfd holding its initial value");
    close((int)e);
    CHECK(api.eventfd_untrusted(0, 1 /* EFD_SEMAPHORE */, &e) == 0 && !nonblocking(e),
          "eventfd_untrusted: EFD_SEMAPHORE, blocking");
    close((int)e);
    hostile(OCALL_EVENTFD, T_RESULT, 1LL << 40);
    CHECK(api.eventfd_untrusted(0, 0, &e) == -PAL_EIO && honest(),
          "eventfd_untrusted: a handle past OCALL_MAX_HANDLE -> -EIO");
}

/* --- host side: input validation --- */

static int64_t host_call(uint64_t number, const void *in, uint64_t in_size, uint64_t out_cap)
{
    static uint8_t out[OCALL_MAX_DATA];
    uint64_t size = 99;
    int64_t r = urts_ocall_net(NULL, 0, number, in, in_size, out, out_cap, &size);

    return r < 0 && size != 0 ? -999 : r; /* a failure reports no output */
}

struct in_buf {
    struct ocall_args a;
    uint8_t bytes[512];
};

static void test_host_validation(void)
{
    struct in_buf b = {0};
    int ok = 1;

    for (uint64_t n = OCALL_PIPE; n <= OCALL_WAITSET_WAIT; n++)
        ok &= host_call(n, &b, sizeof(b.a) - 1, 64) == -EINVAL;
    CHECK(ok, "every call: arguments short by one byte -> -EINVAL");
    CHECK(host_call(OCALL_NET_LAST, &b, sizeof(b.a), 0) == -ENOSYS,
          "an unassigned number -> -ENOSYS");
    CHECK(host_call(OCALL_PIPE, &b, sizeof(b.a) + 1, 16) == -EINVAL,
          "pipe: trailing byte -> -EINVAL");
    CHECK(host_call(OCALL_PIPE, &b, sizeof(b.a), 15) == -EINVAL,
          "pipe: 15 bytes of room -> -EINVAL");
    b.a = (struct ocall_args){{1LL << 32}};
    CHECK(host_call(OCALL_PIPE, &b, sizeof(b.a), 16) == -EINVAL,
          "pipe: flags past an int -> -EINVAL");
    b.a = (struct ocall_args){{1LL << 40, 16}};
    CHECK(host_call(OCALL_SOCK_BIND, &b, sizeof(b.a) + 16, 0) == -EBADF,
          "bind: handle 2^40 -> -EBADF");
    b.a = (struct ocall_args){{0, 16}};
    CHECK(host_call(OCALL_SOCK_BIND, &b, sizeof(b.a) + 15, 0) == -EINVAL,
          "bind: address past the input -> -EINVAL");
    CHECK(host_call(OCALL_SOCK_CONNECT, &b, sizeof(b.a) + 17, 0) == -EINVAL,
          "connect: trailing byte -> -EINVAL");
    b.a = (struct ocall_args){{0, 129}};
    CHECK(host_call(OCALL_SOCK_CONNECT, &b, sizeof(b.a) + 129, 0) == -EINVAL,
          "connect: address length 129 -> -EINVAL");
    b.a = (struct ocall_args){{0, -1}};
    CHECK(host_call(OCALL_SOCK_BIND, &b, sizeof(b.a), 0) == -EINVAL,
          "bind: address length -1 -> -EINVAL");
    b.a = (struct ocall_args){{0, 10, 0, 16}};
    CHECK(host_call(OCALL_SOCK_SEND, &b, sizeof(b.a) + 25, 0) == -EINVAL,
          "send: data past the input -> -EINVAL");
    CHECK(host_call(OCALL_SOCK_SEND, &b, sizeof(b.a) + 27, 0) == -EINVAL,
          "send: trailing byte -> -EINVAL");
    b.a = (struct ocall_args){{0, OCALL_MAX_IO + 1}};
    CHECK(host_call(OCALL_SOCK_SEND, &b, sizeof(b.a), 0) == -EINVAL,
          "send: len > OCALL_MAX_IO -> -EINVAL");
    b.a = (struct ocall_args){{0, 100, 0, 128}};
    CHECK(host_call(OCALL_SOCK_RECV, &b, sizeof(b.a), 235) == -EINVAL,
          "recv: out_cap < 136 + len -> -EINVAL");
    b.a = (struct ocall_args){{0, 100, 0, 129}};
    CHECK(host_call(OCALL_SOCK_RECV, &b, sizeof(b.a), 4096) == -EINVAL,
          "recv: address room 129 -> -EINVAL");
    b.a = (struct ocall_args){{0, 0, 128}};
    CHECK(host_call(OCALL_SOCK_ACCEPT, &b, sizeof(b.a), 127) == -EINVAL,
          "accept: out_cap < address room -> -EINVAL");
    b.a = (struct ocall_args){{0, SOL_SOCKET, SO_REUSEADDR, 257}};
    CHECK(host_call(OCALL_SOCK_SETOPT, &b, sizeof(b.a) + 257, 0) == -EINVAL,
          "setopt: length 257 -> -EINVAL");
    b.a = (struct ocall_args){{0, SOL_SOCKET, SO_REUSEADDR, 8}};
    CHECK(host_call(OCALL_SOCK_GETOPT, &b, sizeof(b.a), 4) == -EINVAL,
          "getopt: out_cap < capacity -> -EINVAL");
    b.a = (struct ocall_args){{0, 0, 129}};
    CHECK(host_call(OCALL_SOCK_NAME, &b, sizeof(b.a), 256) == -EINVAL,
          "sock_name: capacity 129 -> -EINVAL");
    b.a = (struct ocall_args){{1025, 0}};
    CHECK(host_call(OCALL_POLL, &b, sizeof(b.a), 4096) == -EINVAL, "poll: n 1025 -> -EINVAL");
    b.a = (struct ocall_args){{2, 0}};
    CHECK(host_call(OCALL_POLL, &b, sizeof(b.a) + 16, 4) == -EINVAL,
          "poll: entries past the input -> -EINVAL");
    CHECK(host_call(OCALL_POLL, &b, sizeof(b.a) + 32, 3) == -EINVAL,
          "poll: 3 bytes for 2 revents -> -EINVAL");
    b.a = (struct ocall_args){{1, 0}};
    memcpy(b.bytes, &(int64_t){1LL << 33}, 8);
    CHECK(host_call(OCALL_POLL, &b, sizeof(b.a) + 16, 2) == -EINVAL,
          "poll: handle past an int -> -EINVAL");
    b.a = (struct ocall_args){{3, 0, 0}};
    CHECK(host_call(OCALL_WAITSET_WAIT, &b, sizeof(b.a), 4096) == -EINVAL,
          "waitset wait: n 0 -> -EINVAL");
    b.a = (struct ocall_args){{3, 257, 0}};
    CHECK(host_call(OCALL_WAITSET_WAIT, &b, sizeof(b.a), 8192) == -EINVAL,
          "waitset wait: n 257 -> -EINVAL");
    b.a = (struct ocall_args){{3, 2, 0}};
    CHECK(host_call(OCALL_WAITSET_WAIT, &b, sizeof(b.a), 31) == -EINVAL,
          "waitset wait: 31 bytes of room for 2 events -> -EINVAL");
    b.a = (struct ocall_args){{3, 1, 1, 1LL << 32, 0}};
    CHECK(host_call(OCALL_WAITSET_CTL, &b, sizeof(b.a), 0) == -EINVAL,
          "waitset ctl: events past 32 bits -> -EINVAL");
    b.a = (struct ocall_args){{3, 1LL << 32, 1, 1, 0}};
    CHECK(host_call(OCALL_WAITSET_CTL, &b, sizeof(b.a), 0) == -EINVAL,
          "waitset ctl: op past an int -> -EINVAL");
}

/* One control message of level, type and n data bytes at c (ocall_abi.h). */
static uint64_t cmsg_at(uint8_t *c, uint64_t clen, int32_t level, int32_t type, int32_t word)
{
    memcpy(c, &clen, 8);
    memcpy(c + 8, &level, 4);
    memcpy(c + 12, &type, 4);
    memcpy(c + 16, &word, 4);
    return (clen + 7) & ~7ULL;
}

static void test_control_kinds(void)
{
    uint8_t c[64];
    uint64_t n = cmsg_at(c, 20, 1, 1, 3);
    CHECK(ocall_control_ok(c, n), "control: SCM_RIGHTS with handle 3 travels");
    cmsg_at(c, 20, 1, 1, -1);
    CHECK(!ocall_control_ok(c, n), "control: SCM_RIGHTS with handle -1 refused");
    n = cmsg_at(c, 20, 41, 52, 64);
    n += cmsg_at(c + n, 20, 0, 1, 5);
    CHECK(ocall_control_ok(c, n), "control: IPV6_HOPLIMIT and IP_TOS travel (plain data)");
    cmsg_at(c, 20, 17, 103, 1400);
    CHECK(ocall_control_ok(c, 24), "control: UDP_SEGMENT travels");
    cmsg_at(c, 20, 1, 99, 0);
    CHECK(!ocall_control_ok(c, 24), "control: an unknown SOL_SOCKET type refused");
    cmsg_at(c, 20, 6, 1, 0);
    CHECK(!ocall_control_ok(c, 24), "control: a TCP-level message refused");
    cmsg_at(c, 12, 0, 1, 0);
    CHECK(!ocall_control_ok(c, 24), "control: a length below the header refused");
    cmsg_at(c, 40, 0, 1, 0);
    CHECK(!ocall_control_ok(c, 24), "control: a length past the buffer refused");
}

int main(void)
{
    enclave_fill_net(&api);
    test_control_kinds();
    test_pipe();
    test_sock_pair();
    test_big_transfer();
    test_tcp();
    test_accept_nonblocking();
    test_udp();
    test_poll();
    test_hostile_pairs();
    test_hostile_handles();
    test_hostile_opts();
    test_hostile_transfers();
    test_hostile_poll();
    test_waitset();
    test_host_validation();
    return TAP_DONE();
}
