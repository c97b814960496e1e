/* Trusted PAL: host signals for the libOS (sim and sgx).
 *
 * The host's handlers (urts/urts_signal.c) OR each signal into one 64-bit
 * word of untrusted memory whose address ECALL_RUN passed; we checked once
 * that it is 8-aligned and outside the enclave. The PAL takes the word with
 * an atomic exchange (no OCALL) at three points:
 *   - after every OCALL (-EINTR or not): host_signal(NULL, signo);
 *   - stage 2 of an AEX-Notify notification (EXITINFO valid = 0): with the
 *     program's context when program code was interrupted, NULL when it was
 *     the libOS or the PAL (the libOS delivers on its way out);
 *   - before a trapped program context resumes (pal_upcall.c).
 * The host decides neither which signals exist nor how often: only the
 * signals geode forwards are accepted, and a repeated one only raises the
 * libOS's pending bit again. */
#include "pal_enclave.h"
#include "pal_signal.h"

#define SIGBIT(s) (1ULL << ((s)-1))
/* SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGCHLD, SIGWINCH,
 * SIGIO (to an O_ASYNC owner), SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU:
 * what urts_signal.c forwards (the direct PAL's set). */
#define HOST_SIGNALS                                                                               \
    (SIGBIT(1) | SIGBIT(2) | SIGBIT(3) | SIGBIT(10) | SIGBIT(12) | SIGBIT(14) | SIGBIT(15) |       \
     SIGBIT(17) | SIGBIT(28) | SIGBIT(29) | SIGBIT(18) | SIGBIT(20) | SIGBIT(21) | SIGBIT(22))

/* The same signals sent by another process of the program's tree
 * (urts_signal.h: URTS_SIGNAL_INSIDE_SHIFT): PAL_SIGNAL_FROM_INSIDE. The
 * host may claim either origin; the worst a lie does is that process 1
 * ignores a signal it has no handler for, which the host could drop
 * anyway. */
#define INSIDE_SHIFT 32
/* A SIGCHLD for a child's stop or continue (urts_signal.h:
 * URTS_SIGNAL_CHILD_STATE, SIGSTOP's bit): PAL_SIGNAL_CHILD_STATE. */
#define CHILD_STATE SIGBIT(19)
/* Another process of the tree may send any standard signal but SIGKILL and
 * SIGSTOP (which the host acts on): those the host does not forward as
 * themselves travel to it under a carrier (pal/direct/host_cp.h). */
#define INSIDE_SIGNALS (((1ULL << 31) - 1) & ~SIGBIT(9) & ~SIGBIT(19))
#define ACCEPTED (HOST_SIGNALS | (INSIDE_SIGNALS << INSIDE_SHIFT) | CHILD_STATE)

static uint64_t signal_word; /* host address, 0: none */

int enclave_signal_set_word(uint64_t word)
{
    uint64_t none = 0;

    if (!word)
        return 0;
    if (word % 8 || !host_range_ok(g_encl.base, g_encl.size, word, 16))
        return -PAL_EFAULT;
    /* Set once: a later ECALL_RUN (refused anyway) cannot move it. */
    if (!__atomic_compare_exchange_n(&signal_word, &none, word, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return none == word ? 0 : -PAL_EBUSY;
    return 0;
}

/* The second word: the realtime signals 34..63 (bit signo - 34), from
 * inside the tree at bit + INSIDE_SHIFT (urts_signal.h). */
#define RT_FIRST 34
#define RT_LAST 63
#define RT_BITS ((1ULL << (RT_LAST - RT_FIRST + 1)) - 1)
#define RT_ACCEPTED (RT_BITS | (RT_BITS << INSIDE_SHIFT))

/* Whether the host has posted anything (a hint: take_pending decides). */
static int posted(void)
{
    uint64_t w = __atomic_load_n(&signal_word, __ATOMIC_ACQUIRE), v = 0, rt = 0;

    return w && ((host_load64(w, &v) == 0 && v) || (host_load64(w + 8, &rt) == 0 && rt));
}

/* The accepted signals the host has posted since the last call: signals
 * 1..32 as the return value, the realtime ones in *rt. */
static uint64_t take_pending(uint64_t *rt)
{
    uint64_t old = 0, w = __atomic_load_n(&signal_word, __ATOMIC_ACQUIRE);

    *rt = 0;
    if (!posted())
        return 0;
    if (host_load64(w + 8, rt) == 0 && *rt && host_xchg64(w + 8, 0, rt))
        *rt = 0;
    *rt &= RT_ACCEPTED;
    if (host_xchg64(w, 0, &old))
        return 0;
    return old & ACCEPTED;
}

/* The libOS can take signals on this thread (it registered its upcalls and
 * runs here); until then they stay in the host word. */
static int libos_ready(void)
{
    return enclave_upcalls && thread_self()->libos_gs;
}

/* Code of the PAL or the libOS (its own image), not the program's. */
static int geode_code(uint64_t rip)
{
    const struct sgx_layout_tls *tls = tls_self();

    for (int i = 0; i < 2; i++) {
        uint64_t lo = g_encl.base + tls->elf_offset[i];

        if (rip >= lo && rip - lo < tls->elf_span[i])
            return 1;
    }
    return 0;
}

/* Who sent a signal from inside the tree (kill, tkill, sigqueue): the host
 * records each (urts_signal.c) and OCALL_PROCS_SIGNAL_SENDER takes the
 * oldest. What it says is the host's word, as the signal itself is: it is
 * checked to be a sender's kind of si_code and an id of the namespace, and
 * only ever reaches the program as siginfo. The one being handed to the
 * libOS on each thread is what signal_sender returns. */
#define SENDERS_QUEUED_MAX 32 /* urts_signal.c's SENDER_QUEUE */
static struct {
    int signo; /* 0: none */
    struct pal_sender who;
} current[PAL_MAX_THREADS];

/* 1: a sender in *who (*more still queued), 0: none (*lost not queued),
 * < 0: no usable answer. Quiet: the interrupted code may hold any lock. */
static long take_sender(int signo, struct pal_sender *who, uint32_t *more, uint32_t *lost)
{
    struct ocall_args a = {{signo}};
    struct ocall_signal_sender s;
    uint64_t got = 0;
    long r;

    thread_self()->quiet_ocalls++;
    r = enclave_ocall(OCALL_PROCS_SIGNAL_SENDER, &a, sizeof(a), &s, sizeof(s), &got);
    thread_self()->quiet_ocalls--;
    if (r < 0 || r > 1 || got != sizeof(s))
        return -1;
    *more = s.more > SENDERS_QUEUED_MAX ? SENDERS_QUEUED_MAX : s.more;
    *lost = s.lost > SENDERS_QUEUED_MAX ? SENDERS_QUEUED_MAX : s.lost;
    if (r == 0)
        return 0;
    if ((s.code != 0 && s.code != -1 && s.code != -6) || s.pid < 1 ||
        s.pid >= OCALL_PROCS_ID_MAX)
        return -1;
    *who = (struct pal_sender){.code = s.code, .pid = s.pid, .uid = s.uid, .value = s.value};
    return 1;
}

long enclave_signal_sender(int signo, struct pal_sender *out)
{
    uint64_t i = tls_self()->thread_index;

    if (i >= PAL_MAX_THREADS || !current[i].signo || current[i].signo != signo)
        return -PAL_ENOENT;
    *out = current[i].who;
    return 0;
}

#define MAX_ITEMS 64
struct item {
    int signo; /* with PAL_SIGNAL_* bits */
    int has_sender;
    struct pal_sender who;
};

/* Signal s from inside the tree: a realtime one once per sender queued
 * (as Linux queues them) and once per instance the host could not queue;
 * a standard one once with its sender (the host keeps one until it is
 * taken here: a second sent meanwhile merges with it, as a pending one
 * does on Linux). None when the host has no sender for it: the bit
 * outlived a sender taken meanwhile, or merged. Once without a sender
 * when the host gives no usable answer. */
static int inside_items(int s, struct item *it, int room)
{
    struct pal_sender who;
    uint32_t more = 0, lost = 0;
    int n = 0, rt = s >= RT_FIRST;
    long r = 0;

    while (n < room && (r = take_sender(s, &who, &more, &lost)) == 1) {
        it[n++] = (struct item){s | PAL_SIGNAL_FROM_INSIDE, 1, who};
        if (!rt || !more)
            return n;
    }
    if (rt && r == 0)
        for (uint32_t k = 0; k < lost && n < room; k++)
            it[n++] = (struct item){s | PAL_SIGNAL_FROM_INSIDE, 0, {0}};
    if (n == 0 && r < 0)
        it[n++] = (struct item){s | PAL_SIGNAL_FROM_INSIDE, 0, {0}};
    return n;
}

/* Hands `set` and `rt` to the libOS; GS must be its thread block. With a
 * program context, the last signal carries it (the libOS then delivers
 * them all). A standard signal posted from outside the tree too goes once,
 * as from outside (its inside sender, if any, is taken and dropped). */
static void hand_over(uint64_t set, uint64_t rt, struct pal_context *ctx)
{
    struct item it[MAX_ITEMS];
    uint64_t self = tls_self()->thread_index;
    int n = 0;

    /* The realtime ones first. */
    for (int s = RT_FIRST; s <= RT_LAST; s++) {
        uint64_t bit = 1ULL << (s - RT_FIRST), in = bit << INSIDE_SHIFT;

        if ((rt & bit) && n < MAX_ITEMS)
            it[n++] = (struct item){s, 0, {0}};
        if (rt & in)
            n += inside_items(s, it + n, MAX_ITEMS - n);
    }
    if ((set & CHILD_STATE) && n < MAX_ITEMS)
        it[n++] = (struct item){17 | PAL_SIGNAL_CHILD_STATE, 0, {0}};
    set &= ~CHILD_STATE; /* SIGSTOP's bit: never a signal of its own */
    for (int s = 1; s <= INSIDE_SHIFT; s++) {
        uint64_t bit = SIGBIT(s), in = bit << INSIDE_SHIFT;
        struct item dropped[1];

        if ((set & bit) && n < MAX_ITEMS) {
            it[n++] = (struct item){s, 0, {0}};
            if (set & in)
                inside_items(s, dropped, 1);
        } else if (set & in) {
            n += inside_items(s, it + n, MAX_ITEMS - n);
        }
    }
    for (int i = 0; i < n; i++) {
        if (self < PAL_MAX_THREADS) {
            current[self].who = it[i].who;
            current[self].signo = it[i].has_sender ? it[i].signo & 0xff : 0;
        }
        enclave_upcalls->host_signal(i == n - 1 ? ctx : NULL, it[i].signo);
    }
    if (self < PAL_MAX_THREADS)
        current[self].signo = 0; /* take_all never nests hand-overs on a thread */
}

/* Takes what the host posted and hands it over (with ctx, or NULL), again
 * until nothing is posted. The libOS may make OCALLs while it takes a
 * signal; what arrives meanwhile is taken by this loop, not by a hand-over
 * nested in such an OCALL, so signals reach the libOS in the order the
 * host took them (three sigqueues of one realtime signal stay in order). */
static void take_all(struct pal_context *ctx)
{
    struct enclave_thread *t = thread_self();
    uint64_t set, rt;

    if (t->handing_over)
        return; /* the loop below, further out on this thread, takes it */
    if (enclave_heap_ops_mine())
        return; /* at the memory operation's end (pal_mem.c: ops_unlock) */
    do {
        t->handing_over = 1;
        while ((set = take_pending(&rt)) || rt) {
            hand_over(set, rt, ctx);
            ctx = NULL; /* the context carried the first round's signals */
        }
        t->handing_over = 0;
    } while (posted()); /* posted after the last take, before the flag fell */
}

/* take_all with NULL, on the libOS's GS whatever the caller's. */
static void hand_over_pending(void)
{
    uint64_t gs;

    if (!libos_ready() || !posted() || thread_self()->handing_over)
        return;
    gs = enclave_rdgsbase();
    enclave_set_gs(thread_self()->libos_gs);
    take_all(NULL);
    enclave_set_gs(gs);
}

void enclave_signal_after_ocall(void)
{
    hand_over_pending();
}

void enclave_signal_check(struct pal_context *ctx)
{
    if (!libos_ready() || !posted())
        return;
    take_all(ctx && !geode_code(ctx->rip) ? ctx : NULL);
}

void enclave_signal_notified_program(struct pal_context *ctx)
{
    if (!libos_ready())
        return;
    if (posted())
        take_all(ctx);
    else
        enclave_upcalls->host_signal(ctx, 0);
}

void enclave_signal_notified(struct exc_ctx *ctx)
{
    if (!libos_ready())
        return;
    if (!geode_code(ctx->gpr.rip)) {
        /* Resumes the (maybe redirected) program: what the host posted,
         * or, with nothing posted, a wake (thread_wake) or any other
         * interruption, where the libOS delivers what another thread
         * raised for this one. */
        enclave_upcall_signal(ctx);
        return;
    }
    hand_over_pending(); /* the context resumes with its own GS */
}
