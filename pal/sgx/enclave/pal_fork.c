/* Trusted PAL: fork into a new enclave (docs/sgx-pal.md, "Fork").
 *
 * The parent asks the host for a child (OCALL_FORK): the host forks its
 * own process, and the host child builds a new enclave from the same pages
 * and SIGSTRUCT (so the same MRENCLAVE, at the same addresses) and enters
 * it with ECALL_FORK on the TCS of the forking thread. The two enclaves
 * then talk over a host socket that the host can read, drop, reorder,
 * replay or change:
 *
 *   child -> parent   hello: magic, version, a fresh 32-byte nonce N
 *   parent -> child   a fresh 32-byte key id I
 *   both              K = EGETKEY(SEAL, policy MRENCLAVE, KEYID = I): only an
 *                     enclave with this MRENCLAVE (and debug attribute) on
 *                     this CPU can derive it, so each side knows the other
 *                     is this same enclave (the local attestation of two
 *                     enclaves that share MRENCLAVE), and I makes K new for
 *                     every fork
 *   parent -> child   records sealed with AES-128-GCM under K: the context,
 *                     the PAL's state, every page of memory in use, the end
 *   child -> parent   one sealed acknowledgement
 *
 * Every record is a header (type, length, sequence number) in the clear,
 * then its sealed payload and tag (a memory record's own head, address
 * and pages, in the clear before its sealed data). The headers and N are
 * the additional data and the IV is the direction and the sequence
 * number, so a changed byte, a dropped, repeated or reordered record, or a
 * record of another fork (another N) fails the tag or the sequence check. The child refuses
 * to run on any failure (it ends with a log line before it ever runs
 * program code); the parent sees no acknowledgement, has the host end and
 * reap the child (OCALL_FORK_ABORT) and fails fork with EAGAIN.
 *
 * What goes over: the forking thread's registers (callee-saved, stack
 * pointer, return address: enclave_fork_save), its FS/GS bases and
 * extended state, its PAL stack from that stack pointer up, the libOS
 * image's writable pages, the heap's page maps and every committed heap
 * page (the libOS, its heap, the program: all of it lives in the heap;
 * all-zero runs go as a count), and the PAL state the libOS relies on
 * (its boot block, the heap bookkeeping, wait-set registrations, the
 * upcalls, the thread slot). Host descriptors need no transfer: the host
 * child is a host fork and holds the same ones. The child starts with only
 * the forking thread, as on Linux. */
#include "crypto.h"
#include "pal_enclave.h"

#define PAGE 4096ULL
#define FORK_MAGIC 0x6b726f6665646f67ULL /* "godefork" */
#define FORK_VERSION 2                   /* 2: memory records' heads in the clear */
#define REC_PAGES 14                      /* data pages per memory record */
#define CHILD_STACK_NEED (96 * 1024ULL)   /* below the parent's frames */
#define RED_ZONE_BYTES 128

enum rec_type { REC_CTX = 1, REC_STATE = 2, REC_MEM = 3, REC_ZERO = 4, REC_STACK = 5, REC_END = 6, REC_ACK = 7 };
enum { DIR_TO_CHILD = 0, DIR_TO_PARENT = 1 };

struct rec_hdr {
    uint32_t type, len; /* len: payload bytes (the tag follows) */
    uint64_t seq;
};

#define REC_MAX_PAYLOAD (OCALL_MAX_IO - sizeof(struct rec_hdr) - ENCLAVE_AEAD_TAG)

struct hello {
    uint64_t magic, version;
    uint8_t nonce[32];
};

struct key_offer {
    uint64_t magic;
    uint8_t key_id[32];
};

/* REC_CTX */
struct fork_ctx {
    uint64_t magic, version;
    uint64_t thread_index;
    struct fork_jb jb;
    uint64_t fs_base, libos_gs;
    uint64_t stack_lo, stack_hi; /* the copied part of the PAL stack */
    uint8_t xsave[XSAVE_AREA] __attribute__((aligned(64)));
};

/* REC_STATE: bytes [offset, offset + n) of PAL state object `id`. */
struct state_part {
    uint32_t id, pad;
    uint64_t offset;
};

/* REC_MEM / REC_ZERO: pages at addr, REC_MEM's data following;
 * REC_STACK: `pages` is a byte count of stack data following. */
struct mem_part {
    uint64_t addr, pages;
};

/* REC_END / REC_ACK */
struct fork_end {
    uint64_t records, pages;
};

struct chan {
    int64_t h;
    struct enclave_aead aead;
    uint8_t nonce[32];
    uint64_t seq_out, seq_in;
    uint32_t dir_out;
    uint64_t records, pages;
    uint8_t buf[OCALL_MAX_IO] __attribute__((aligned(64)));
    uint8_t rbuf[OCALL_MAX_IO]; /* read_all's: bytes [rpos, rlen) not taken yet */
    uint64_t rpos, rlen;
    /* Bulk (bulk_open): host memory of OCALL_SHM_MAP holding sealed bytes,
     * [upos, ulen) not taken yet when receiving, [0, upos) not sent yet
     * when sending; 0: one OCALL per record */
    uint64_t ubuf, upos, ulen;
};

#define BULK_BYTES (1ULL << 20) /* <= OCALL_FORK_BULK_MAX */

/* One fork at a time per enclave: the channel is big. */
static struct chan chan;
static uint32_t fork_lock;
/* The child's context, kept outside its stack (which the copy overwrites). */
static struct fork_ctx child_ctx;
/* What this enclave received as a forked child (ECALL_STATS). */
static uint64_t got_pages, got_data_pages;

void enclave_fork_stats(uint64_t *pages, uint64_t *data_pages)
{
    *pages = got_pages;
    *data_pages = got_data_pages;
}

/* --- the host socket ---------------------------------------------------- */

/* --- the stream in bulk ------------------------------------------------ */

static int64_t bulk_ocall(uint64_t nr, int64_t a0, int64_t a1, int64_t a2, int64_t a3)
{
    struct ocall_args a = {{a0, a1, a2, a3}};
    struct ocall_iov iov = {&a, sizeof(a)};

    return enclave_ocallv(nr, &iov, 1, NULL, 0, NULL);
}

/* A staging area in host memory (no error: without one the stream goes one
 * record per OCALL). Only sealed bytes go there, copied with the
 * copy-and-check helpers. */
static void bulk_open(void)
{
    int64_t r =
        bulk_ocall(OCALL_SHM_MAP, -1, (int64_t)BULK_BYTES, 0, PAL_PROT_READ | PAL_PROT_WRITE);

    chan.ubuf = 0;
    if (r > 0 && (uint64_t)r % PAGE == 0 &&
        host_range_ok(g_encl.base, g_encl.size, (uint64_t)r, BULK_BYTES))
        chan.ubuf = (uint64_t)r;
    chan.upos = chan.ulen = 0;
}

static void bulk_close(void)
{
    if (chan.ubuf)
        bulk_ocall(OCALL_SHM_UNMAP, (int64_t)chan.ubuf, (int64_t)BULK_BYTES, 0, 0);
    chan.ubuf = 0;
}

static long bulk_flush(void)
{
    int64_t r = 0;

    if (chan.ubuf && chan.upos) {
        do
            r = bulk_ocall(OCALL_PROCS_FORK_SEND, chan.h, (int64_t)chan.ubuf, (int64_t)chan.upos,
                           0);
        while (r == -PAL_EINTR);
        chan.upos = 0;
    }
    return r < 0 ? r : r ? -PAL_EIO : 0;
}

/* Appends n sealed bytes, sending what is staged when they do not fit. */
static long bulk_put(const void *p, uint64_t n)
{
    long r = chan.upos + n > BULK_BYTES ? bulk_flush() : 0;

    if (r)
        return r;
    if (copy_to_host(chan.ubuf + chan.upos, p, n))
        return -PAL_EIO;
    chan.upos += n;
    return 0;
}

/* Takes len bytes, refilling from the socket as needed. */
static long bulk_get(void *buf, uint64_t len)
{
    uint8_t *p = buf;

    while (len) {
        if (chan.upos == chan.ulen) {
            int64_t r = bulk_ocall(OCALL_PROCS_FORK_RECV, chan.h, (int64_t)chan.ubuf,
                                   (int64_t)BULK_BYTES, 0);

            if (r == -PAL_EINTR)
                continue;
            if (r < 0)
                return r;
            if (r == 0)
                return -PAL_EPIPE;
            if ((uint64_t)r > BULK_BYTES)
                return -PAL_EIO;
            chan.upos = 0;
            chan.ulen = (uint64_t)r;
        }
        uint64_t n = chan.ulen - chan.upos < len ? chan.ulen - chan.upos : len;

        if (copy_from_host(p, chan.ubuf + chan.upos, n))
            return -PAL_EIO;
        chan.upos += n;
        p += n;
        len -= n;
    }
    return 0;
}

static long write_all(int64_t h, const void *buf, uint64_t len)
{
    const uint8_t *p = buf;

    while (len) {
        struct ocall_args a = {{h, (int64_t)len}};
        struct ocall_iov iov[2] = {{&a, sizeof(a)}, {p, len}};
        int64_t r = enclave_ocallv(OCALL_WRITE, iov, 2, NULL, 0, NULL);

        if (r == -PAL_EINTR)
            continue;
        if (r <= 0 || (uint64_t)r > len)
            return r < 0 ? r : -PAL_EIO;
        p += r;
        len -= (uint64_t)r;
    }
    return 0;
}

/* Through a buffer: one OCALL brings whatever the socket holds (up to
 * OCALL_MAX_IO), so a record's header and body seldom cost two exits. */
static long read_all(int64_t h, void *buf, uint64_t len)
{
    uint8_t *p = buf;

    while (len) {
        if (chan.rpos == chan.rlen && chan.ubuf)
            return bulk_get(p, len); /* what rbuf held is taken */
        if (chan.rpos == chan.rlen) {
            uint64_t got = 0;
            struct ocall_args a = {{h, (int64_t)sizeof(chan.rbuf)}};
            struct ocall_iov iov = {&a, sizeof(a)};
            int64_t r = enclave_ocallv(OCALL_READ, &iov, 1, chan.rbuf, sizeof(chan.rbuf), &got);

            if (r == -PAL_EINTR)
                continue;
            if (r < 0)
                return r;
            if (r == 0)
                return -PAL_EPIPE; /* the other side is gone */
            if ((uint64_t)r != got || got > sizeof(chan.rbuf))
                return -PAL_EIO;
            chan.rpos = 0;
            chan.rlen = got;
        }
        uint64_t n = chan.rlen - chan.rpos < len ? chan.rlen - chan.rpos : len;

        memcpy(p, chan.rbuf + chan.rpos, n);
        chan.rpos += n;
        p += n;
        len -= n;
    }
    return 0;
}

/* --- sealed records ----------------------------------------------------- */

static void make_iv(uint8_t iv[ENCLAVE_AEAD_IV], uint32_t dir, uint64_t seq)
{
    memcpy(iv, &dir, 4);
    memcpy(iv + 4, &seq, 8);
}

/* Memory records (REC_MEM, REC_ZERO, REC_STACK): their head, a struct
 * mem_part, goes in the clear as additional data, and only the data is
 * sealed: from the pages themselves into the record, and opened from the
 * record straight into its place (no copy on either side). */
static int head_clear(uint32_t type)
{
    return type == REC_MEM || type == REC_ZERO || type == REC_STACK;
}

#define AAD_MAX (sizeof(struct rec_hdr) + 32 + sizeof(struct mem_part))

/* AAD: the header, the child's nonce, and a memory record's head; its
 * length. */
static uint64_t make_aad(uint8_t aad[AAD_MAX], const struct rec_hdr *hd, const uint8_t *nonce,
                         const uint8_t *payload)
{
    memcpy(aad, hd, sizeof(*hd));
    memcpy(aad + sizeof(*hd), nonce, 32);
    if (!head_clear(hd->type))
        return sizeof(*hd) + 32;
    memcpy(aad + sizeof(*hd) + 32, payload, sizeof(struct mem_part));
    return AAD_MAX;
}

/* Seals head (hn bytes) + body (bn bytes) as one record. */
static long rec_send(uint32_t type, const void *head, uint64_t hn, const void *body, uint64_t bn)
{
    struct rec_hdr hd = {type, (uint32_t)(hn + bn), chan.seq_out};
    uint8_t iv[ENCLAVE_AEAD_IV], aad[AAD_MAX];
    uint8_t *p = chan.buf + sizeof(hd);
    uint64_t an;
    int r;

    if (hn + bn > REC_MAX_PAYLOAD || (head_clear(type) && hn != sizeof(struct mem_part)))
        return -PAL_EINVAL;
    memcpy(chan.buf, &hd, sizeof(hd));
    memcpy(p, head, hn);
    make_iv(iv, chan.dir_out, chan.seq_out);
    an = make_aad(aad, &hd, chan.nonce, p);
    if (head_clear(type)) {
        r = enclave_aead_seal(&chan.aead, iv, aad, an, body, p + hn, bn, p + hd.len);
    } else {
        if (bn)
            memcpy(p + hn, body, bn);
        r = enclave_aead_seal(&chan.aead, iv, aad, an, p, p, hd.len, p + hd.len);
    }
    if (r)
        return -PAL_EIO;
    chan.seq_out++;
    chan.records++;
    if (chan.ubuf)
        return bulk_put(chan.buf, sizeof(hd) + hd.len + ENCLAVE_AEAD_TAG);
    return write_all(chan.h, chan.buf, sizeof(hd) + hd.len + ENCLAVE_AEAD_TAG);
}

/* Opens the current record's sealed part (after a memory record's head)
 * into out (its payload's place in chan.buf, or a memory record's target:
 * zeroed if it fails). */
static long rec_open(const struct rec_hdr *hd, void *out)
{
    uint8_t iv[ENCLAVE_AEAD_IV], aad[AAD_MAX];
    uint8_t *p = chan.buf + sizeof(*hd);
    uint64_t hn = head_clear(hd->type) ? sizeof(struct mem_part) : 0;
    uint64_t an = make_aad(aad, hd, chan.nonce, p);

    make_iv(iv, chan.dir_out ^ 1, chan.seq_in);
    if (enclave_aead_open(&chan.aead, iv, aad, an, p + hn, out, hd->len - hn, p + hd->len))
        return -PAL_EBADMSG;
    chan.seq_in++;
    return 0;
}

/* The next record; its payload at chan.buf + sizeof(struct rec_hdr),
 * opened in place, but a memory record's, which rec_open opens into its
 * target once the caller has checked its head (in the clear, not yet
 * authenticated). */
static long rec_recv(struct rec_hdr *hd)
{
    uint8_t *p = chan.buf + sizeof(*hd);
    long r = read_all(chan.h, hd, sizeof(*hd));

    if (r)
        return r;
    if (hd->len > REC_MAX_PAYLOAD || hd->seq != chan.seq_in || hd->type < REC_CTX ||
        hd->type > REC_ACK || (head_clear(hd->type) && hd->len < sizeof(struct mem_part)))
        return -PAL_EPROTO;
    r = read_all(chan.h, p, hd->len + ENCLAVE_AEAD_TAG);
    if (r)
        return r;
    return head_clear(hd->type) ? 0 : rec_open(hd, p);
}

static int random_bytes(uint8_t *out, uint64_t n)
{
    for (uint64_t i = 0; i < n; i += 8) {
        uint64_t v;
        unsigned char ok = 0;

        for (int tries = 0; tries < 32 && !ok; tries++)
            __asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
        if (!ok)
            return -1;
        memcpy(out + i, &v, n - i < 8 ? n - i : 8);
    }
    return 0;
}

static long chan_key(const uint8_t key_id[32])
{
    uint8_t key[ENCLAVE_AEAD_KEY];
    int r = enclave_seal_key(key_id, key) || enclave_aead_init(&chan.aead, key);

    memset(key, 0, sizeof(key));
    return r ? -PAL_EIO : 0;
}

static void chan_close(void)
{
    struct ocall_args a = {{chan.h}};
    struct ocall_iov iov = {&a, sizeof(a)};

    enclave_aead_wipe(&chan.aead);
    bulk_close();
    enclave_ocallv(OCALL_CLOSE, &iov, 1, NULL, 0, NULL);
    chan.h = -1;
}

/* --- what is copied ----------------------------------------------------- */

/* The PAL state objects, by id (the same table on both sides). */
static int state_object(uint32_t id, struct enclave_fork_state *out)
{
    switch (id) {
    case 0:
        *out = enclave_boot_fork_state();
        return 0;
    case 1:
        *out = enclave_heap_fork_state();
        return 0;
    case 2:
        *out = enclave_net_fork_state();
        return 0;
    case 3:
        *out = (struct enclave_fork_state){&enclave_upcalls, sizeof(enclave_upcalls)};
        return 0;
    case 4:
        *out = enclave_thread_fork_state();
        return 0;
    }
    return -1;
}
#define STATE_OBJECTS 5

static long send_states(void)
{
    for (uint32_t id = 0; id < STATE_OBJECTS; id++) {
        struct enclave_fork_state s;

        state_object(id, &s);
        for (uint64_t off = 0; off < s.size;) {
            struct state_part part = {id, 0, off};
            uint64_t n = s.size - off;
            long r;

            if (n > REC_MAX_PAYLOAD - sizeof(part))
                n = REC_MAX_PAYLOAD - sizeof(part);
            r = rec_send(REC_STATE, &part, sizeof(part), (const uint8_t *)s.ptr + off, n);
            if (r)
                return r;
            off += n;
        }
    }
    return 0;
}

/* Eight words per test: most pages scanned whole are all-zero ones. */
static int page_zero(const uint8_t *p)
{
    const uint64_t *w = (const uint64_t *)p;

    for (uint64_t i = 0; i < PAGE / 8; i += 8)
        if (w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] | w[i + 6] | w[i + 7])
            return 0;
    return 1;
}

/* Pages [addr, addr + pages * PAGE), readable by the PAL now: zero runs
 * as counts, the rest as data. */
static long send_pages(uint64_t addr, uint64_t pages)
{
    while (pages) {
        uint64_t n = 1;
        int zero = page_zero((const uint8_t *)addr);
        long r;

        while (n < pages && page_zero((const uint8_t *)(addr + n * PAGE)) == zero && (zero || n < REC_PAGES))
            n++;
        struct mem_part part = {addr, n};
        r = zero ? rec_send(REC_ZERO, &part, sizeof(part), NULL, 0)
                 : rec_send(REC_MEM, &part, sizeof(part), (const void *)addr, n * PAGE);
        if (r)
            return r;
        chan.pages += n;
        addr += n * PAGE;
        pages -= n;
    }
    return 0;
}

/* process_fork_exec's pages the child does not get (ascending, disjoint),
 * for the fork under fork_lock; none for a plain fork. */
static const struct pal_mem_range *skip;
static size_t n_skip;

/* The first piece [*a, *b) of [a, end) outside the skipped ranges; 0 when
 * there is none. */
static int next_piece(uint64_t *a, uint64_t end, uint64_t *b)
{
    for (size_t i = 0; i < n_skip && *a < end; i++) {
        uint64_t lo = skip[i].addr, hi = lo + skip[i].len;

        if (hi <= *a)
            continue;
        if (lo > *a) {
            *b = lo < end ? lo : end;
            return 1;
        }
        *a = hi;
    }
    *b = end;
    return *a < end;
}

/* Every committed heap page but the skipped ones, runs of one protection
 * at a time; pages the host keeps unreadable are opened for the copy and
 * closed again. */
static long send_heap(void)
{
    struct enclave_heap_run run;
    uint64_t next = 0, a, b;
    long r = 0;

    while (!r && enclave_heap_next_run(&next, &run)) {
        uint64_t end = run.addr + run.pages * PAGE;

        for (a = run.addr; !r && next_piece(&a, end, &b); a = b) {
            int open = !(run.prot & PAL_PROT_READ);

            if (open && enclave_heap_host_protect(a, b - a, PAL_PROT_READ))
                return -PAL_EIO;
            r = send_pages(a, (b - a) / PAGE);
            if (open && enclave_heap_host_protect(a, b - a, run.prot))
                r = r ? r : -PAL_EIO;
        }
    }
    return r;
}

/* The bytes [*lo, *hi) of map page pg that are skipped range i's page-map
 * bytes; empty when *lo >= *hi. */
static void skipped_map_bytes(uint64_t pg, size_t i, uint64_t *lo, uint64_t *hi)
{
    enclave_heap_pmap_span(skip[i].addr, skip[i].addr + skip[i].len, lo, hi);
    *lo = *lo > pg ? *lo : pg;
    *hi = *hi < pg + PAGE ? *hi : pg + PAGE;
}

static int map_page_skips(uint64_t pg)
{
    uint64_t lo, hi;

    for (size_t i = 0; i < n_skip; i++) {
        skipped_map_bytes(pg, i, &lo, &hi);
        if (lo < hi)
            return 1;
    }
    return 0;
}

/* The heap's page maps [lo, hi), where a skipped page's map byte reads 0
 * (reserved, not committed): the pages holding such bytes go patched
 * from a copy, the others as they are. */
static long send_maps(uint64_t lo, uint64_t hi)
{
    static uint8_t copy[PAGE] __attribute__((aligned(64)));
    uint64_t a = lo, plo, phi;
    long r = 0;

    for (uint64_t pg = lo; !r && pg < hi; pg += PAGE) {
        if (!map_page_skips(pg))
            continue;
        if (pg > a)
            r = send_pages(a, (pg - a) / PAGE);
        memcpy(copy, (const void *)pg, PAGE);
        for (size_t i = 0; i < n_skip; i++) {
            skipped_map_bytes(pg, i, &plo, &phi);
            if (plo < phi)
                memset(copy + (plo - pg), 0, phi - plo);
        }
        struct mem_part part = {pg, 1};
        if (!r)
            r = page_zero(copy) ? rec_send(REC_ZERO, &part, sizeof(part), NULL, 0)
                                : rec_send(REC_MEM, &part, sizeof(part), copy, PAGE);
        chan.pages += !r;
        a = pg + PAGE;
    }
    return r || a >= hi ? r : send_pages(a, (hi - a) / PAGE);
}

static long send_memory(const struct fork_ctx *ctx)
{
    uint64_t lo, hi;
    long r;

    enclave_heap_meta(&lo, &hi);
    r = send_maps(lo, hi);
    if (!r && !enclave_libos_writable(&lo, &hi))
        r = send_pages(lo, (hi - lo) / PAGE);
    if (!r)
        r = send_heap();
    /* The stack last: its bytes as they are now, below which only this
     * sender's frames lie. */
    for (uint64_t a = ctx->stack_lo; !r && a < ctx->stack_hi;) {
        uint64_t n = ctx->stack_hi - a;

        if (n > REC_PAGES * PAGE)
            n = REC_PAGES * PAGE;
        r = rec_send(REC_STACK, &(struct mem_part){a, n}, sizeof(struct mem_part), (const void *)a, n);
        a += n;
    }
    return r;
}

/* --- the parent --------------------------------------------------------- */

static uint64_t stack_top(void)
{
    return g_encl.base + tls_self()->stack_top_offset;
}

static uint64_t stack_bottom(void)
{
    return stack_top() - tls_self()->stack_size;
}

/* The host ends and reaps a child that never acknowledged. */
static void abort_child(int64_t id)
{
    struct ocall_args a = {{id}};
    struct ocall_iov iov = {&a, sizeof(a)};

    enclave_ocallv(OCALL_FORK_ABORT, &iov, 1, NULL, 0, NULL);
}

static long parent_handshake(void)
{
    struct hello hi;
    struct key_offer offer = {FORK_MAGIC, {0}};
    long r = read_all(chan.h, &hi, sizeof(hi));

    if (r)
        return r;
    if (hi.magic != FORK_MAGIC || hi.version != FORK_VERSION)
        return -PAL_EPROTO;
    memcpy(chan.nonce, hi.nonce, sizeof(chan.nonce));
    if (random_bytes(offer.key_id, sizeof(offer.key_id)))
        return -PAL_EIO;
    r = chan_key(offer.key_id);
    return r ? r : write_all(chan.h, &offer, sizeof(offer));
}

static long parent_send(struct fork_ctx *ctx)
{
    struct rec_hdr hd;
    struct fork_end end, ack;
    long r = parent_handshake();

    if (!r)
        bulk_open();
    if (!r)
        r = rec_send(REC_CTX, ctx, sizeof(*ctx), NULL, 0);
    if (!r) {
        /* Other threads run on; their memory operations wait, so that the
         * maps and the committed pages sent are one state. */
        enclave_heap_freeze();
        r = send_states();
        if (!r)
            r = send_memory(ctx);
        enclave_heap_thaw();
    }
    end = (struct fork_end){chan.records + 1, chan.pages};
    if (!r)
        r = rec_send(REC_END, &end, sizeof(end), NULL, 0);
    if (!r)
        r = bulk_flush();
    /* The acknowledgement is one small record: a plain read, which returns
     * as soon as it arrives (FORK_RECV would go on polling for more), and
     * the staging area goes while the child takes the stream. */
    bulk_close();
    if (!r)
        r = rec_recv(&hd);
    if (!r) {
        memcpy(&ack, chan.buf + sizeof(hd), sizeof(ack));
        if (hd.type != REC_ACK || hd.len != sizeof(ack) || ack.records != end.records || ack.pages != end.pages)
            r = -PAL_EPROTO;
    }
    return r;
}

/* After enclave_fork_save returned 1: this is the child. */
static long child_return(void)
{
    enclave_xrstor(child_ctx.xsave);
    return 0;
}

static long fork_skipping(const struct pal_mem_range *skip_list, size_t n)
{
    static struct fork_ctx ctx;
    struct enclave_thread *t = thread_self();
    int64_t out[2] = {0, 0};
    uint64_t got = 0;
    struct ocall_args a = {{0}};
    struct ocall_iov iov = {&a, sizeof(a)};
    long r;

    while (__atomic_exchange_n(&fork_lock, 1, __ATOMIC_ACQUIRE))
        enclave_yield();
    skip = skip_list;
    n_skip = n;
    memset(&ctx, 0, sizeof(ctx));
    enclave_xsave(ctx.xsave);
    if (enclave_fork_save(&ctx.jb))
        return child_return();
    ctx.magic = FORK_MAGIC;
    ctx.version = FORK_VERSION;
    ctx.thread_index = tls_self()->thread_index;
    ctx.fs_base = t->fs_base;
    ctx.libos_gs = t->libos_gs;
    ctx.stack_lo = (ctx.jb.rsp - RED_ZONE_BYTES - 64) & ~63ULL;
    ctx.stack_hi = stack_top();
    if (ctx.stack_lo < stack_bottom() + CHILD_STACK_NEED) {
        r = -PAL_ENOMEM; /* no room for the child's receiver below */
        goto out;
    }
    r = enclave_ocallv(OCALL_FORK, &iov, 1, out, sizeof(out), &got);
    if (r >= 0 && (got != sizeof(out) || out[0] <= 0 || out[0] >= (1L << 30) || out[1] < 0 ||
                   out[1] >= OCALL_MAX_HANDLE))
        r = -PAL_EIO; /* a child may exist: its id is not trustworthy */
    if (r < 0)
        goto out;
    chan = (struct chan){.h = out[1], .dir_out = DIR_TO_CHILD};
    r = parent_send(&ctx);
    chan_close();
    if (r) {
        const char msg[] = "geode: fork: the child did not take the parent's state; fork fails\n";
        struct ocall_args la = {{0}};
        struct ocall_iov liov[2] = {{&la, sizeof(la)}, {msg, sizeof(msg) - 1}};

        enclave_ocallv(OCALL_LOG, liov, 2, NULL, 0, NULL);
        abort_child(out[0]);
        r = -PAL_EAGAIN;
    } else {
        r = out[0];
    }
out:
    enclave_xrstor(ctx.xsave); /* the program's, whatever the copy used */
    memset(&ctx, 0, sizeof(ctx));
    skip = NULL;
    n_skip = 0;
    __atomic_store_n(&fork_lock, 0, __ATOMIC_RELEASE);
    return r;
}

static long pal_process_fork(void)
{
    return fork_skipping(NULL, 0);
}

/* The list must be in enclave memory (it is read during the copy),
 * ascending, page aligned and disjoint. */
static long pal_process_fork_exec(const struct pal_mem_range *list, size_t n)
{
    if (n > (1ULL << 20) || (n && !crypto_platform_private(list, n * sizeof(*list))))
        return -PAL_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (list[i].addr % PAGE || list[i].len % PAGE || !list[i].len ||
            list[i].addr + list[i].len < list[i].addr ||
            (i && list[i].addr < list[i - 1].addr + list[i - 1].len))
            return -PAL_EINVAL;
    return fork_skipping(list, n);
}

/* --- a pool member's preparation (ECALL_FORK_PREPARE) ------------------- */

/* Heap pages this enclave zeroed itself before any ECALL_RUN or
 * ECALL_FORK started (the heap is not measured: its contents were the
 * host's until then), ascending: a zero run of the fork stream that lies
 * there needs no zeroing. Only the child's receive uses them, and only
 * until it has taken the stream. */
static struct {
    uint64_t lo, hi;
} zeroed[ENCLAVE_FORK_PREPARE_RUNS];
static uint32_t n_zeroed;

struct ecall_result enclave_fork_prepare(uint64_t arg)
{
    struct enclave_fork_prepare p; /* (on this thread's stack: two may come at once) */
    uint64_t lo = enclave_heap_start(), end = enclave_heap_end(), prev = 0, done = 0;

    if (copy_from_host(&p, arg, sizeof(p)) || p.count > ENCLAVE_FORK_PREPARE_RUNS)
        return ecall_fail(PAL_EINVAL);
    if (enclave_boot_hold())
        return ecall_fail(PAL_EBUSY);
    if (enclave_edmm_from() < end)
        end = enclave_edmm_from() > lo ? enclave_edmm_from() : lo;
    n_zeroed = 0;
    for (uint64_t i = 0; i < p.count; i++) {
        uint64_t a = p.run[i].addr, n = p.run[i].pages, b;

        if (a % PAGE || a < prev || n > (~0ULL - a) / PAGE) {
            n_zeroed = 0;
            enclave_boot_release();
            return ecall_fail(PAL_EINVAL);
        }
        b = a + n * PAGE;
        prev = b;
        a = a > lo ? a : lo; /* only heap pages that are in the enclave */
        b = b < end ? b : end;
        if (a >= b)
            continue;
        memset((void *)a, 0, b - a);
        zeroed[n_zeroed].lo = a;
        zeroed[n_zeroed++].hi = b;
        done += (b - a) / PAGE;
    }
    enclave_boot_release();
    return ecall_ok(done);
}

/* Zeroes [addr, addr + pages * PAGE) but what the preparation zeroed. */
static void zero_pages(uint64_t addr, uint64_t pages)
{
    uint64_t end = addr + pages * PAGE;

    for (uint32_t i = 0; i < n_zeroed && addr < end; i++) {
        if (zeroed[i].hi <= addr)
            continue;
        if (zeroed[i].lo >= end)
            break;
        if (zeroed[i].lo > addr)
            memset((void *)addr, 0, zeroed[i].lo - addr);
        addr = zeroed[i].hi < end ? zeroed[i].hi : end;
    }
    if (addr < end)
        memset((void *)addr, 0, end - addr);
}

/* --- the child ---------------------------------------------------------- */

/* What went wrong with the stream, for the log line. */
static const char *stream_error(long err)
{
    switch (err) {
    case -PAL_EBADMSG:
        return ": a record failed its authentication (changed, replayed, or of another fork)";
    case -PAL_EPROTO:
        return ": a record is out of sequence or malformed (dropped, reordered or injected)";
    case -PAL_EPIPE:
        return ": the stream ended early";
    case 0:
        return "";
    }
    return ": the host failed the channel";
}

__attribute__((noreturn)) static void child_fail(const char *why, long err)
{
    char msg[256];
    uint64_t n = 0;
    const char *parts[4] = {"geode: forked child refuses to start: ", why, stream_error(err), "\n"};

    for (int i = 0; i < 4; i++)
        for (const char *s = parts[i]; *s && n < sizeof(msg); s++)
            msg[n++] = *s;
    struct ocall_args la = {{0}};
    struct ocall_iov liov[2] = {{&la, sizeof(la)}, {msg, n}};

    enclave_ocallv(OCALL_LOG, liov, 2, NULL, 0, NULL);
    if (chan.h >= 0)
        chan_close();
    enclave_exit_process(1);
}

/* Where the parent's pages may go, from this enclave's measured layout
 * (set once, before the first memory record): the heap with its maps, and
 * the libOS image's writable pages (lo = hi = 0 when it has none). */
static struct {
    uint64_t heap_lo, heap_hi, libos_lo, libos_hi;
    uint64_t meta_lo, meta_hi, meta_got; /* the heap's page maps (its last pages), pages received */
    int heap_ready;             /* enclave_heap_fork_prepare_all done */
} targets;

static void targets_init(void)
{
    enclave_heap_meta(&targets.meta_lo, &targets.meta_hi);
    targets.heap_lo = enclave_heap_start();
    targets.meta_got = 0;
    targets.heap_ready = 0;
    targets.heap_hi = enclave_heap_end();
    if (enclave_libos_writable(&targets.libos_lo, &targets.libos_hi))
        targets.libos_lo = targets.libos_hi = 0;
}

static int target_ok(uint64_t addr, uint64_t len)
{
    if (addr + len < addr)
        return 0;
    return (addr >= targets.heap_lo && addr + len <= targets.heap_hi) ||
           (addr >= targets.libos_lo && addr + len <= targets.libos_hi && targets.libos_lo < targets.libos_hi);
}

static void take_state(const uint8_t *p, uint64_t n)
{
    struct state_part part;
    struct enclave_fork_state s;

    if (n < sizeof(part))
        child_fail("short state record", 0);
    memcpy(&part, p, sizeof(part));
    n -= sizeof(part);
    if (state_object(part.id, &s) || part.offset > s.size || n > s.size - part.offset)
        child_fail("state record out of range", 0);
    memcpy((uint8_t *)s.ptr + part.offset, p + sizeof(part), n);
}

/* The parent sends the heap's page maps first (send_memory): at the first
 * memory record past them, all of them must be in; then the EDMM pages they
 * say are committed are added in a few large batches
 * (enclave_heap_fork_prepare_all) instead of record by record. */
static void heap_ready(uint64_t addr, uint64_t pages)
{
    if (addr >= targets.meta_lo && addr < targets.meta_hi) {
        if (targets.heap_ready || pages > (targets.meta_hi - addr) / PAGE)
            child_fail("heap map record out of order", -PAL_EPROTO);
        targets.meta_got += pages;
        return;
    }
    if (targets.heap_ready)
        return;
    if (targets.meta_got != (targets.meta_hi - targets.meta_lo) / PAGE)
        child_fail("the heap's page maps are incomplete", -PAL_EPROTO);
    if (enclave_heap_fork_prepare_all())
        child_fail("cannot add heap pages (EDMM)", 0);
    targets.heap_ready = 1;
}

/* A memory record: its head (in the clear) is checked, then its data is
 * opened straight into place, which authenticates the head too; a zero
 * run is zeroed only once authenticated. */
static void take_memory(const struct rec_hdr *hd, const uint8_t *p, uint64_t n)
{
    uint32_t type = hd->type;
    struct mem_part part;
    long r;

    if (n < sizeof(part))
        child_fail("short memory record", 0);
    memcpy(&part, p, sizeof(part));
    n -= sizeof(part);
    if (type == REC_ZERO) {
        if (n || part.pages > (1ULL << 40) || part.addr % PAGE || !target_ok(part.addr, part.pages * PAGE))
            child_fail("memory record out of range", 0);
        r = rec_open(hd, NULL);
        if (r)
            child_fail("the parent's stream broke off or failed its check", r);
        heap_ready(part.addr, part.pages);
        if (enclave_heap_fork_prepare(part.addr, part.pages))
            child_fail("cannot add heap pages (EDMM)", 0);
        zero_pages(part.addr, part.pages);
        chan.pages += part.pages;
        got_pages += part.pages;
        return;
    }
    if (type == REC_STACK) {
        if (n != part.pages || part.addr < child_ctx.stack_lo || part.addr > child_ctx.stack_hi ||
            n > child_ctx.stack_hi - part.addr)
            child_fail("stack record out of range", 0);
    } else if (part.addr % PAGE || n != part.pages * PAGE || !target_ok(part.addr, n)) {
        child_fail("memory record out of range", 0);
    } else {
        chan.pages += part.pages;
        got_pages += part.pages;
        got_data_pages += part.pages;
        heap_ready(part.addr, part.pages);
        if (enclave_heap_fork_prepare(part.addr, part.pages))
            child_fail("cannot add heap pages (EDMM)", 0);
    }
    r = rec_open(hd, (void *)part.addr);
    if (r)
        child_fail("the parent's stream broke off or failed its check", r);
}

/* Runs below the parent's frames on this thread's PAL stack (which the
 * stack record overwrites from stack_lo up). */
__attribute__((noreturn)) static void child_receive(void *unused)
{
    struct rec_hdr hd;
    struct fork_end end;
    long r;

    (void)unused;
    for (;;) {
        r = rec_recv(&hd);
        if (r)
            child_fail("the parent's stream broke off or failed its check", r);
        const uint8_t *p = chan.buf + sizeof(hd);

        chan.records++;
        if (hd.type == REC_STATE)
            take_state(p, hd.len);
        else if (head_clear(hd.type))
            take_memory(&hd, p, hd.len);
        else if (hd.type == REC_END)
            break;
        else
            child_fail("unexpected record", -PAL_EPROTO);
    }
    memcpy(&end, chan.buf + sizeof(hd), sizeof(end));
    if (hd.len != sizeof(end) || end.records != chan.records || end.pages != chan.pages)
        child_fail("the parent's stream is incomplete", 0);
    heap_ready(0, 0); /* a parent with no memory past its maps */
    n_zeroed = 0;     /* the memory is the program's from now on */
    if (enclave_heap_adopt() || enclave_boot_adopt() || enclave_thread_adopt(child_ctx.fs_base, child_ctx.libos_gs))
        child_fail("the parent's state does not fit this enclave", 0);
    enclave_net_adopt();
    chan.dir_out = DIR_TO_PARENT;
    /* The acknowledgement goes as one record, before the staging area is
     * unmapped (the parent waits for it). */
    uint64_t ubuf = chan.ubuf;

    chan.ubuf = 0;
    r = rec_send(REC_ACK, &end, sizeof(end), NULL, 0);
    chan.ubuf = ubuf;
    chan_close();
    if (r)
        child_fail("cannot acknowledge to the parent", r);
    enclave_fork_resume(&child_ctx.jb);
}

struct ecall_result enclave_fork_child(int64_t channel)
{
    struct hello hi = {FORK_MAGIC, FORK_VERSION, {0}};
    struct key_offer offer;
    struct rec_hdr hd;
    long r;

    if (channel < 0 || channel >= OCALL_MAX_HANDLE)
        return (struct ecall_result){(uint64_t)-PAL_EINVAL, 0};
    chan = (struct chan){.h = channel, .dir_out = DIR_TO_PARENT};
    if (random_bytes(hi.nonce, sizeof(hi.nonce)))
        child_fail("no random numbers", 0);
    memcpy(chan.nonce, hi.nonce, sizeof(chan.nonce));
    r = write_all(chan.h, &hi, sizeof(hi));
    if (!r)
        r = read_all(chan.h, &offer, sizeof(offer));
    if (r || offer.magic != FORK_MAGIC)
        child_fail("no key offer from the parent", r);
    if (chan_key(offer.key_id))
        child_fail("cannot derive the channel key", 0);
    chan.dir_out = DIR_TO_PARENT; /* sends go to the parent, receives come from it */
    bulk_open();
    r = rec_recv(&hd);
    if (r || hd.type != REC_CTX || hd.len != sizeof(child_ctx))
        child_fail("the parent's context is missing or failed its check", r);
    memcpy(&child_ctx, chan.buf + sizeof(hd), sizeof(child_ctx));
    chan.records = 1;
    if (child_ctx.magic != FORK_MAGIC || child_ctx.version != FORK_VERSION ||
        child_ctx.thread_index != tls_self()->thread_index || child_ctx.stack_hi != stack_top() ||
        child_ctx.stack_lo % 64 || child_ctx.stack_lo < stack_bottom() + CHILD_STACK_NEED ||
        child_ctx.stack_lo > child_ctx.stack_hi || child_ctx.jb.rsp < child_ctx.stack_lo ||
        child_ctx.jb.rsp > child_ctx.stack_hi)
        child_fail("the parent's context does not fit this thread", 0);
    targets_init();
    enclave_run_on_stack(child_receive, NULL, child_ctx.stack_lo - 64);
}

void enclave_fill_fork(struct pal_api *api)
{
    api->process_fork = pal_process_fork;
    api->process_fork_exec = pal_process_fork_exec;
}
