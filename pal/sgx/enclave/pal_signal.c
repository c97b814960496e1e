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
 * SIGIO (to an O_ASYNC owner):
 * what urts_signal.c forwards (the direct PAL's set). */
#define HOST_SIGNALS                                                                               \
    (SIGBIT(1) | SIGBIT(2) | SIGBIT(3) | SIGBIT(10) | SIGBIT(12) | SIGBIT(14) | SIGBIT(15) |       \
     SIGBIT(17) | SIGBIT(28) | SIGBIT(29))

/* The same signals sent by another process of the program's tree
 * (urts_signal.h: URTS_SIGNAL_INSIDE_SHIFT): PAL_SIGNAL_FROM_INSIDE. The
 * host may claim either origin; the worst a lie does is that process 1
 * ignores a signal it has no handler for, which the host could drop
 * anyway. */
#define INSIDE_SHIFT 32
/* A SIGCHLD for a child's stop or continue (urts_signal.h:
 * URTS_SIGNAL_CHILD_STATE, SIGSTOP's bit): PAL_SIGNAL_CHILD_STATE. */
#define CHILD_STATE SIGBIT(19)
#define ACCEPTED (HOST_SIGNALS | (HOST_SIGNALS << INSIDE_SHIFT) | CHILD_STATE)

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

/* Hands `set` to the libOS; GS must be its thread block. With a program
 * context, the last signal carries it (the libOS then delivers them all).
 * A signal posted from outside the tree too goes as from outside. */
static void hand_over(uint64_t set, uint64_t rt, struct pal_context *ctx)
{
    /* The realtime ones first: the last signal handed over carries ctx. */
    for (int s = RT_FIRST; s <= RT_LAST; s++) {
        uint64_t bit = 1ULL << (s - RT_FIRST), in = bit << INSIDE_SHIFT;
        int signo = rt & bit ? s : s | PAL_SIGNAL_FROM_INSIDE;

        if (!(rt & (bit | in)))
            continue;
        rt &= ~(bit | in);
        enclave_upcalls->host_signal(set || rt ? NULL : ctx, signo);
    }
    if (set & CHILD_STATE) {
        set &= ~CHILD_STATE;
        enclave_upcalls->host_signal(set ? NULL : ctx, 17 | PAL_SIGNAL_CHILD_STATE);
    }
    for (int s = 1; s <= INSIDE_SHIFT; s++) {
        uint64_t bit = SIGBIT(s), in = bit << INSIDE_SHIFT;
        int signo = set & bit ? s : s | PAL_SIGNAL_FROM_INSIDE;

        if (!(set & (bit | in)))
            continue;
        set &= ~(bit | in);
        enclave_upcalls->host_signal(set ? NULL : ctx, signo);
    }
}

/* hand_over with NULL, on the libOS's GS whatever the caller's. */
static void hand_over_pending(void)
{
    uint64_t gs, set, rt;

    if (!libos_ready() || (!(set = take_pending(&rt)) && !rt))
        return;
    gs = enclave_rdgsbase();
    enclave_set_gs(thread_self()->libos_gs);
    hand_over(set, rt, NULL);
    enclave_set_gs(gs);
}

void enclave_signal_after_ocall(void)
{
    hand_over_pending();
}

void enclave_signal_check(struct pal_context *ctx)
{
    uint64_t set, rt;

    if (!libos_ready() || (!(set = take_pending(&rt)) && !rt))
        return;
    hand_over(set, rt, ctx && !geode_code(ctx->rip) ? ctx : NULL);
}

void enclave_signal_notified(struct exc_ctx *ctx)
{
    if (!libos_ready())
        return;
    if (!geode_code(ctx->gpr.rip)) {
        if (posted())
            enclave_upcall_signal(ctx); /* resumes the (maybe redirected) program */
        return;
    }
    hand_over_pending(); /* the context resumes with its own GS */
}
