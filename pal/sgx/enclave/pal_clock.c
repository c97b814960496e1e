/* Trusted PAL: the host's clocks, read between host readings from the TSC.
 *
 * SGX has no trusted clock: every time comes from the host's reply to
 * OCALL_CLOCK_GET. One OCALL per clock_gettime cost a server two enclave
 * exits per request (redis reads the clock twice a request), so where the
 * TSC can be read inside the enclave (SGX2 parts) a clock is its last host
 * reading (its anchor) plus the ticks since, at a rate measured between
 * host readings of one clock at least CAL_MIN_NS apart (the baseline grows
 * to CAL_MAX_NS, so the rate gets more exact the longer the enclave runs).
 * The host is asked again once an anchor is RESYNC_NS old, so the clock
 * follows the host's (its NTP slewing, its steps) within that interval.
 *
 * Where RDTSC is illegal in an enclave (SGX1 parts: #UD) or the host makes
 * it fault (CR4.TSD: #GP; the sim's cpu.rdtsc_ud), the fault at
 * enclave_rdtsc_site turns the TSC off for good (exception.c) and every
 * reading is an OCALL, as before. The TSC gives no trust: a host can offset
 * or scale it, as it can answer any time it likes; what it gets is the
 * same as with the OCALL alone.
 *
 * Only REALTIME, MONOTONIC, MONOTONIC_RAW, BOOTTIME and TAI go this way.
 * The COARSE clocks stay host readings: programs compare them with file
 * times, which the kernel takes from the same coarse clock. The monotonic
 * clocks never go back (each clock on its own: BOOTTIME is ahead of
 * MONOTONIC by the suspended time); the wall clocks never go back by the
 * little an extrapolation ran ahead (under CLAMP_NS), while a real step of
 * the host's clock passes. */
#include "pal_enclave.h"

#define NCLOCKS 12
#define TSC_CLOCKS ((1u << 0) | (1u << 1) | (1u << 4) | (1u << 7) | (1u << 11))
#define MONO_CLOCKS ((1u << 1) | (1u << 4) | (1u << 6) | (1u << 7))
#define SETTLED_CLOCKS (TSC_CLOCKS | MONO_CLOCKS | (1u << 5)) /* not the CPU-time clocks */
#define RESYNC_NS 50000000LL                                  /* an anchor serves 50 ms */
#define CAL_MIN_NS 20000000LL     /* a rate from readings 20 ms apart or more */
#define CAL_MAX_NS 100000000000LL /* the baseline starts again after 100 s */
#define CLAMP_NS 2000000LL        /* a wall clock's backward step hidden */
#define MULT_MIN (1ULL << 28)     /* 1/16 ns per tick: a 16 GHz TSC */
#define MULT_MAX (1ULL << 38)     /* 64 ns per tick: a 16 MHz TSC */

/* RDTSC as one 64-bit value; 0 when it faulted (the handler resumes at
 * enclave_rdtsc_cont). */
uint64_t enclave_rdtsc(void);
__asm__(".text\n"
        ".globl enclave_rdtsc\n"
        ".hidden enclave_rdtsc\n"
        ".type enclave_rdtsc, @function\n"
        "enclave_rdtsc:\n"
        ".globl enclave_rdtsc_site\n"
        ".hidden enclave_rdtsc_site\n"
        "enclave_rdtsc_site:\n"
        "    rdtsc\n"
        "    shl $32, %rdx\n"
        "    or %rdx, %rax\n"
        "    ret\n"
        ".globl enclave_rdtsc_cont\n"
        ".hidden enclave_rdtsc_cont\n"
        "enclave_rdtsc_cont:\n"
        "    xor %eax, %eax\n"
        "    ret\n"
        ".size enclave_rdtsc, .-enclave_rdtsc\n");

struct anchor {
    uint64_t tsc; /* 0: none */
    int64_t ns;
};

/* Written under `lock` between two increments of `seq` (odd while
 * written); read without it, again if seq moved. */
static struct {
    uint32_t seq, lock;
    uint64_t mult;              /* ns per tick << 32; 0 until calibrated */
    uint64_t resync_ticks;      /* RESYNC_NS in ticks */
    uint64_t rt_min;            /* the shortest host reading seen (ticks), growing on rejections */
    struct anchor cal[NCLOCKS]; /* each clock's baseline: its first reading */
    struct anchor at[NCLOCKS];  /* each clock's latest reading */
} tc;
uint8_t enclave_tsc_off;
static int64_t last[NCLOCKS];

int64_t enclave_never_back(int64_t *last_v, int64_t v)
{
    int64_t prev = __atomic_load_n(last_v, __ATOMIC_RELAXED);

    while (v > prev && !__atomic_compare_exchange_n(last_v, &prev, v, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
    return v < prev ? prev : v;
}

static int64_t ticks_ns(uint64_t ticks, uint64_t mult)
{
    return (int64_t)(((unsigned __int128)ticks * mult) >> 32);
}

/* The clock from its anchor, or 0 when the host must be asked. */
static int tsc_read(int clock, int64_t *ns)
{
    struct anchor a;
    uint64_t mult, resync, now;
    uint32_t seq;

    if (__atomic_load_n(&enclave_tsc_off, __ATOMIC_RELAXED))
        return 0;
    seq = __atomic_load_n(&tc.seq, __ATOMIC_ACQUIRE);
    if (seq & 1)
        return 0;
    mult = __atomic_load_n(&tc.mult, __ATOMIC_RELAXED);
    resync = __atomic_load_n(&tc.resync_ticks, __ATOMIC_RELAXED);
    a.tsc = __atomic_load_n(&tc.at[clock].tsc, __ATOMIC_RELAXED);
    a.ns = __atomic_load_n(&tc.at[clock].ns, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&tc.seq, __ATOMIC_RELAXED) != seq || !mult || !a.tsc)
        return 0;
    now = enclave_rdtsc();
    if (!now || now < a.tsc || now - a.tsc >= resync)
        return 0;
    *ns = a.ns + ticks_ns(now - a.tsc, mult);
    return 1;
}

/* The rate from baseline c to r (a reading of its clock), or 0 where it
 * makes no sense (a clock stepped, a TSC that stopped or jumped). */
static uint64_t rate(const struct anchor *c, const struct anchor *r)
{
    int64_t dns = r->ns - c->ns;
    uint64_t dt = r->tsc - c->tsc, mult;

    if (r->tsc <= c->tsc || dns <= 0)
        return 0;
    while (dns >= (1LL << 31)) /* (dns << 32) within 64 bits */
        dns >>= 1, dt >>= 1;
    if (!dt)
        return 0;
    mult = ((uint64_t)dns << 32) / dt;
    return mult >= MULT_MIN && mult <= MULT_MAX ? mult : 0;
}

/* A host reading v of clock taken between TSC values t0 and t1. */
static void tsc_note(int clock, int64_t v, uint64_t t0, uint64_t t1)
{
    struct anchor r = {t0 + (t1 - t0) / 2, v}, *c;
    uint64_t mult;

    /* (a time past 2^62 ns, the year 2116, is answered but never
     * extrapolated: the sum could overflow) */
    if (!t0 || t1 < t0 || v >= (1LL << 62) || __atomic_exchange_n(&tc.lock, 1, __ATOMIC_ACQUIRE))
        return; /* another thread is writing: this reading only answers */
    __atomic_store_n(&tc.seq, tc.seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    mult = tc.mult;
    /* A reading places its anchor up to half its duration off. One that
     * took over 50 us and over twice the shortest seen (a preempted OCALL)
     * is not used: the old anchor stays. Where every crossing is that slow
     * (a sim on a host whose signals and base moves trap to a hypervisor)
     * the shortest reading is the measure; it grows by an eighth at each
     * rejection, so a host that became slower is followed. */
    if (!tc.rt_min || t1 - t0 < tc.rt_min)
        tc.rt_min = t1 - t0 ? t1 - t0 : 1;
    if (!mult || t1 - t0 <= tc.resync_ticks / 1000 || t1 - t0 <= 2 * tc.rt_min)
        tc.at[clock] = r;
    else
        tc.rt_min += tc.rt_min / 8 + 1;
    c = &tc.cal[clock];
    if (!c->tsc || r.tsc <= c->tsc || ticks_ns(r.tsc - c->tsc, mult) > CAL_MAX_NS) {
        *c = r;
    } else if (r.ns - c->ns >= CAL_MIN_NS && (t1 - t0) * 2000 < r.tsc - c->tsc) {
        /* (that reading's own uncertainty under 1/4000 of the baseline) */
        uint64_t m = rate(c, &r);

        if (!m || (mult && (m > mult + mult / 100 || m < mult - mult / 100))) {
            /* Off by more than 1%: this clock was stepped, or the TSC
             * changed rate (a migrated VM). Calibrate again from here. */
            mult = 0;
            *c = r;
        } else {
            mult = m;
        }
        __atomic_store_n(&tc.mult, mult, __ATOMIC_RELAXED);
        if (mult)
            __atomic_store_n(&tc.resync_ticks, ((uint64_t)RESYNC_NS << 32) / mult,
                             __ATOMIC_RELAXED);
    }
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&tc.seq, tc.seq + 1, __ATOMIC_RELEASE);
    __atomic_store_n(&tc.lock, 0, __ATOMIC_RELEASE);
}

static long host_read(int clock, int64_t *ns)
{
    int tsc = clock >= 0 && clock < NCLOCKS && (TSC_CLOCKS >> clock & 1) &&
              !__atomic_load_n(&enclave_tsc_off, __ATOMIC_RELAXED);
    uint64_t t0 = tsc ? enclave_rdtsc() : 0, t1;
    int64_t v;
    int64_t r = enclave_ocall_out(OCALL_CLOCK_GET, clock, 0, &v, sizeof(v));

    if (r < 0)
        return r;
    if (v < 0)
        return -PAL_EIO;
    t1 = t0 ? enclave_rdtsc() : 0;
    if (t1)
        tsc_note(clock, v, t0, t1);
    *ns = v;
    return 0;
}

/* The clock a reading of `clock` is never behind when read after it, as
 * on Linux: a COARSE clock is its fine one at the last tick, BOOTTIME is
 * MONOTONIC plus the time suspended. -1: none. (Extrapolated from their
 * own anchors, a clock and its floor could cross by microseconds.) */
static int floor_of(int clock)
{
    switch (clock) {
    case 0: /* REALTIME */
        return 5; /* REALTIME_COARSE */
    case 1: /* MONOTONIC */
        return 6; /* MONOTONIC_COARSE */
    case 7: /* BOOTTIME */
        return 1;
    default:
        return -1;
    }
}

/* Never back for a monotonic clock, nor behind its floor; for a wall clock
 * not by the little an extrapolation can run ahead of the host's next
 * reading (a real step of the host's clock passes). */
static int64_t settle(int clock, int64_t v)
{
    int64_t prev;
    int mono = MONO_CLOCKS >> clock & 1, f = floor_of(clock);

    if (f >= 0) {
        int64_t m = __atomic_load_n(&last[f], __ATOMIC_RELAXED);

        if (v < m && (mono || m - v < CLAMP_NS))
            v = m;
    }
    if (mono)
        return enclave_never_back(&last[clock], v);
    prev = __atomic_load_n(&last[clock], __ATOMIC_RELAXED);
    for (;;) {
        if (v < prev && prev - v < CLAMP_NS)
            return prev;
        if (v == prev || __atomic_compare_exchange_n(&last[clock], &prev, v, 1, __ATOMIC_RELAXED,
                                                     __ATOMIC_RELAXED))
            return v;
    }
}

long enclave_clock_get(int clock, int64_t *ns)
{
    int64_t v;
    long r;

    if (clock < 0 || clock >= NCLOCKS)
        return host_read(clock, ns);
    if (!((TSC_CLOCKS >> clock) & 1) || !tsc_read(clock, &v)) {
        r = host_read(clock, &v);
        if (r < 0)
            return r;
    }
    *ns = (SETTLED_CLOCKS >> clock) & 1 ? settle(clock, v) : v;
    return 0;
}
