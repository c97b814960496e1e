/* Lazy syscall-site rewriting.
 *
 * After a trapped `syscall`, its site becomes a jump to a per-site
 * trampoline (TRAMP_LEN bytes) in the space reserved next to the image,
 * which calls the libOS like the syscall would. Two shapes, both changing
 * only bytes that are one whole instruction before and after, in one
 * atomic store, so a thread anywhere in the code runs either the old or
 * the new instruction and every instruction boundary a thread may stand on
 * stays one:
 *
 * Narrow: a site reading `mov $imm32,%eax; syscall` (b8 xx xx xx xx 0f 05,
 * as glibc and musl mostly emit it). The 5-byte mov becomes `jmp rel32`;
 * the trailing `0f 05` stays, so a thread already past the mov still makes
 * a correct (trapped) syscall. Its trampoline:
 *
 *   +0   lea -128(%rsp),%rsp      skip the red zone: the call below pushes
 *   +5   mov $imm32,%eax
 *   +10  call *slot(%rip)         slot = &libos_syscall_entry (arch/entry.S)
 *   +16  lea 128(%rsp),%rsp
 *   +24  jmp site+7
 *   +29  int3 x 3
 *
 * Syscalls that need the exact trapped context (sigreturn, clone, fork,
 * vfork, execve, execveat, clone3) are never rewritten this way.
 *
 * Wide: any other `syscall` (the number set earlier or at run time, as in
 * glibc's `xor %eax,%eax; syscall` read or its syscall(2)), where the
 * image's unwind tables show dead bytes within 128 of it: the padding
 * between two functions (core/eh_frame.h). Five of them become a hop,
 * `jmp rel32` to the trampoline, and the syscall itself becomes
 * `jmp rel8` to the hop (2 bytes for 2 bytes: the instruction after the
 * syscall is untouched, so a thread returning there from a trap that began
 * before the store goes on as before). The trampoline:
 *
 *   +0   lea -128(%rsp),%rsp
 *   +5   call *slot(%rip)
 *   +11  lea 128(%rsp),%rsp
 *   +19  jmp site+2
 *   +24  syscall                  the call again on the trap path
 *   +26  jmp site+2
 *   +31  int3
 *
 * Its number is only known at run time: the libOS sends a context-
 * sensitive one to +24 (rewrite_trap_insn), where it traps with an exact
 * context. Both shapes end alike after the call's return address (ra):
 * `lea` (8 bytes) then `jmp rel32` back, which the fast path reads to
 * recover the program's rsp and rip (entry/upcall.c). */
#include "core/rewrite.h"
#include "core/eh_frame.h"
#include "core/vma.h"
#include "libos.h"

#define MAX_REGIONS 256
#define TRAMP_LEN 32

struct region {
    uint64_t lo, hi;    /* image text range whose sites may be patched */
    uint64_t tramp;     /* TRAMP_SPACE bytes, committed on first use */
    uint64_t used;      /* bytes of trampolines written (0 = not committed) */
    uint64_t eh_hdr;    /* the image's .eh_frame_hdr, 0 if unknown: no wide sites */
};

static struct region regions[MAX_REGIONS];
static int n_regions;
/* Wide sites found without padding in reach: not looked at again (each
 * look reads the unwind tables), until the next image (rewrite_reset).
 * Direct-mapped: a collision only means another look. */
#define NO_HOP_SLOTS 64
static uint64_t no_hop[NO_HOP_SLOTS];
static spinlock_t rewrite_lock;
volatile uint64_t libos_rewrite_count;

extern char libos_syscall_entry[];

/* execve: the old image and its trampoline space are gone. */
void rewrite_reset(void)
{
    spin_lock(&rewrite_lock);
    n_regions = 0;
    memset(no_hop, 0, sizeof(no_hop));
    spin_unlock(&rewrite_lock);
}

void rewrite_add_region(uint64_t lo, uint64_t hi, uint64_t tramp, uint64_t eh_hdr)
{
    spin_lock(&rewrite_lock);
    if (n_regions < MAX_REGIONS)
        regions[n_regions++] = (struct region){lo, hi, tramp, 0, eh_hdr};
    spin_unlock(&rewrite_lock);
}

/* Executable memory mapped by the program (shared libraries loaded by
 * ld.so): trampoline space is reserved wherever the PAL puts it and used
 * only if it is within reach of the mapping. */
void rewrite_add_mapping(uint64_t lo, uint64_t len)
{
    void *t = NULL;
    if (!libos_cfg.syscall_rewrite || pal->mem_reserve(&t, TRAMP_SPACE, 0) < 0)
        return;
    int64_t d1 = (int64_t)((uint64_t)t - lo), d2 = (int64_t)((uint64_t)t + TRAMP_SPACE - (lo + len));
    const int64_t reach = (1LL << 31) - (1LL << 20);
    if (d1 > reach || d1 < -reach || d2 > reach || d2 < -reach) {
        pal->mem_free(t, TRAMP_SPACE);
        return;
    }
    rewrite_add_region(lo, lo + len, (uint64_t)t, eh_frame_hdr_of_mapping(lo));
}

/* The region whose text holds [site, site + len). */
static struct region *find_region(uint64_t site, uint64_t len)
{
    for (int i = 0; i < n_regions; i++)
        if (site >= regions[i].lo && site + len <= regions[i].hi)
            return &regions[i];
    return NULL;
}

/* The first 8 bytes of a region's trampoline space hold the entry address
 * that every trampoline calls through. */
static int region_open(struct region *r)
{
    if (r->used)
        return 0;
    long e = pal->mem_commit((void *)r->tramp, TRAMP_SPACE,
                             PAL_PROT_READ | PAL_PROT_WRITE | PAL_PROT_EXEC);
    if (e < 0) {
        log_warn("syscall rewriting: cannot commit trampoline space: %s", errno_name(e));
        return (int)e;
    }
    *(uint64_t *)r->tramp = (uint64_t)libos_syscall_entry;
    r->used = TRAMP_LEN;
    return 0;
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* Both shapes' `lea -128(%rsp),%rsp` and `lea 128(%rsp),%rsp`. */
static const uint8_t lea_down[] = {0x48, 0x8d, 0x64, 0x24, 0x80};
static const uint8_t lea_up[] = {0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00};

static uint64_t write_trampoline(struct region *r, uint64_t site, uint32_t nr)
{
    uint8_t *t = (uint8_t *)(r->tramp + r->used);
    memcpy(t, lea_down, 5);
    t[5] = 0xb8, put32(t + 6, nr);
    t[10] = 0xff, t[11] = 0x15;
    put32(t + 12, (uint32_t)(r->tramp - (uint64_t)(t + 16)));
    memcpy(t + 16, lea_up, 8);
    t[24] = 0xe9, put32(t + 25, (uint32_t)(site + 7 - (uint64_t)(t + 29)));
    memset(t + 29, 0xcc, TRAMP_LEN - 29);
    r->used += TRAMP_LEN;
    return (uint64_t)t;
}

static uint64_t write_wide_trampoline(struct region *r, uint64_t sc)
{
    uint8_t *t = (uint8_t *)(r->tramp + r->used);
    memcpy(t, lea_down, 5);
    t[5] = 0xff, t[6] = 0x15;
    put32(t + 7, (uint32_t)(r->tramp - (uint64_t)(t + 11)));
    memcpy(t + 11, lea_up, 8);
    t[19] = 0xe9, put32(t + 20, (uint32_t)(sc + 2 - (uint64_t)(t + 24)));
    t[24] = 0x0f, t[25] = 0x05;
    t[26] = 0xe9, put32(t + 27, (uint32_t)(sc + 2 - (uint64_t)(t + 31)));
    memset(t + 31, 0xcc, TRAMP_LEN - 31);
    r->used += TRAMP_LEN;
    return (uint64_t)t;
}

uint64_t rewrite_trap_insn(uint64_t ra, uint64_t rip)
{
    const uint8_t *w = (const uint8_t *)(ra + 13);
    return w[0] == 0x0f && w[1] == 0x05 ? ra + 13 : rip - 2;
}

static bool cas8(uint64_t site, const uint8_t *jmp, size_t n)
{
    uint64_t *q = (uint64_t *)ALIGN_DOWN(site, 8);
    uint64_t old = *q, nw = old;
    memcpy((uint8_t *)&nw + (site & 7), jmp, n);
    return __atomic_compare_exchange_n(q, &old, nw, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static bool cas16(uint64_t site, const uint8_t *jmp, size_t n)
{
    uint64_t *q = (uint64_t *)ALIGN_DOWN(site, 16);
    uint64_t lo = q[0], hi = q[1], nw[2] = {lo, hi};
    memcpy((uint8_t *)nw + (site & 15), jmp, n);
    bool ok;
    __asm__ volatile("lock cmpxchg16b %1"
                     : "=@ccz"(ok), "+m"(*(volatile uint64_t(*)[2])q), "+a"(lo), "+d"(hi)
                     : "b"(nw[0]), "c"(nw[1])
                     : "memory");
    return ok;
}

/* Replaces the n-byte instruction at site with the jmp in one atomic
 * store, so a thread fetching the site sees either the old or the new
 * instruction. When the n bytes straddle a 16-byte boundary that is only
 * safe single-threaded. */
static bool store_jmp(uint64_t site, const uint8_t *jmp, size_t n)
{
    if ((site & 7) + n <= 8)
        return cas8(site, jmp, n);
    if ((site & 15) + n <= 16)
        return cas16(site, jmp, n);
    if (__atomic_load_n(&libos_thread_count, __ATOMIC_SEQ_CST) > 1)
        return false;
    memcpy((void *)site, jmp, n);
    return true;
}

/* The program's protection of the page holding a; -1 when not mapped. */
static int prot_at(uint64_t a)
{
    struct vma v;
    return vma_find(a, &v) ? v.prot : -1;
}

static bool exec_at(uint64_t a)
{
    int p = prot_at(a);
    return p >= 0 && (p & PAL_PROT_EXEC);
}

/* Only code the program can still execute is patched, and the protection
 * it gave the page(s) of [lo, hi) (at most two) is put back afterwards
 * (text_close; a RWX page stays writable). */
struct text_pages {
    uint64_t first, last;
    int p1, p2;
};

static bool text_open(uint64_t lo, uint64_t hi, struct text_pages *tp)
{
    tp->first = ALIGN_DOWN(lo, PAGE_SIZE), tp->last = ALIGN_DOWN(hi - 1, PAGE_SIZE);
    tp->p1 = prot_at(tp->first), tp->p2 = prot_at(tp->last);
    if (tp->last - tp->first > PAGE_SIZE || tp->p1 < 0 || tp->p2 < 0 || !(tp->p1 & PAL_PROT_EXEC) ||
        !(tp->p2 & PAL_PROT_EXEC))
        return false;
    const int rwx = PAL_PROT_READ | PAL_PROT_WRITE | PAL_PROT_EXEC;
    return pal->mem_protect((void *)tp->first, tp->last + PAGE_SIZE - tp->first, rwx) >= 0;
}

static void text_close(const struct text_pages *tp)
{
    pal->mem_protect((void *)tp->first, PAGE_SIZE, tp->p1);
    if (tp->last != tp->first)
        pal->mem_protect((void *)tp->last, PAGE_SIZE, tp->p2);
}

static bool patch_site(uint64_t site, uint64_t target)
{
    uint8_t jmp[5] = {0xe9};
    put32(jmp + 1, (uint32_t)(target - (site + 5)));
    struct text_pages tp;
    if (!text_open(site, site + 5, &tp))
        return false;
    bool ok = store_jmp(site, jmp, 5);
    text_close(&tp);
    return ok;
}

static bool in_reach(uint64_t a, uint64_t b)
{
    int64_t d = (int64_t)(a - b);
    return d > -(1LL << 31) + 4096 && d < (1LL << 31) - 4096;
}

/* The narrow shape, for a site reading `mov $imm32,%eax; syscall` before
 * rip. False when it does not read so or cannot be patched (its 5 bytes
 * straddle a 16-byte boundary while threads run, say): the wide shape may
 * then apply; true when done or when the site is never to be rewritten. */
static bool rewrite_narrow(uint64_t rip)
{
    uint64_t site = rip - 7;
    struct region *r = find_region(site, 7);
    const uint8_t *s = (const uint8_t *)site;
    if (!r || s[0] != 0xb8 || s[5] != 0x0f || s[6] != 0x05)
        return false;
    uint32_t nr;
    memcpy(&nr, s + 1, 4);
    if (rewrite_context_sensitive(nr))
        return true;
    if (r->used + TRAMP_LEN > TRAMP_SPACE || !in_reach(site, r->tramp) || region_open(r) < 0)
        return false;
    if (!patch_site(site, write_trampoline(r, site, nr)))
        return false;
    libos_rewrite_count++;
    return true;
}

/* The length of the NOP instruction at p (at most avail bytes), as
 * assemblers pad with: 90, 66 90, 0f 1f /0 with any ModRM/SIB/displacement
 * and 66/2e prefixes; 0 for anything else. */
static size_t nop_len(const uint8_t *p, size_t avail)
{
    size_t i = 0;
    while (i < avail && i < 14 && (p[i] == 0x66 || p[i] == 0x2e))
        i++;
    if (i < avail && p[i] == 0x90)
        return i == 0 || p[i - 1] == 0x66 ? i + 1 : 0;
    if (i + 3 > avail || p[i] != 0x0f || p[i + 1] != 0x1f || ((p[i + 2] >> 3) & 7))
        return 0;
    uint8_t mod = p[i + 2] >> 6, rm = p[i + 2] & 7;
    size_t n = i + 3;
    if (mod != 3 && rm == 4)
        n++; /* SIB */
    if (mod == 1)
        n += 1;
    else if (mod == 2 || (mod == 0 && rm == 5))
        n += 4;
    return n <= avail ? n : 0;
}

/* A hop already written into a gap: `jmp rel32` into r's trampolines. */
static bool is_hop(const struct region *r, const uint8_t *p, size_t avail)
{
    int32_t rel;
    if (avail < 5 || p[0] != 0xe9)
        return false;
    memcpy(&rel, p + 1, 4);
    uint64_t to = (uint64_t)p + 5 + (uint64_t)(int64_t)rel;
    return to >= r->tramp + TRAMP_LEN && to < r->tramp + r->used;
}

#define HOP_LEN 5

/* Whether [g, gend) is free of every function in fn[0..n). */
static bool outside_functions(const struct eh_range *fn, int n, uint64_t g, uint64_t gend)
{
    for (int j = 0; j < n; j++)
        if (fn[j].lo < gend && g < fn[j].hi)
            return false;
    return true;
}

/* Five free bytes for the hop of the syscall at sc, where its `jmp rel8`
 * (ending at sc + 2) reaches: in a gap between two functions of the
 * unwind table, inside r, made only of assembler padding (NOPs or int3)
 * and earlier hops, starting at an instruction boundary of that padding.
 * *end: the end of the padding instruction holding the hop's last byte
 * (the bytes after the hop up to there become 1-byte NOPs). HOP_NONE when
 * there is none; HOP_UNREAD when tables or padding could not be read (a
 * later trap looks again). */
enum hop_search { HOP_FOUND, HOP_NONE, HOP_UNREAD };

static enum hop_search find_hop(const struct region *r, uint64_t sc, uint64_t *hop, uint64_t *end)
{
    struct eh_range fn[17];
    enum hop_search none = HOP_NONE;
    int at, n = eh_frame_ranges(r->eh_hdr, sc, fn, 17, &at);
    if (n < 0)
        return HOP_UNREAD; /* (or in no function: looked at again, cheaply) */
    if (sc + 2 > fn[at].hi)
        return HOP_NONE;
    const uint64_t lo = sc + 2 - 128, hi = sc + 2 + 127; /* where the hop may start */
    for (int k = 0; k + 1 < n; k++) {
        uint64_t g = fn[k].hi, gend = fn[k + 1].lo;
        /* Read: from g to at most a NOP's length past the last start. */
        uint64_t scan_end = gend < hi + HOP_LEN ? gend : hi + HOP_LEN;
        uint64_t read_end = gend < scan_end + 16 ? gend : scan_end + 16;
        if (g > gend || gend - g < HOP_LEN || gend <= lo || g > hi || g < r->lo || gend > r->hi ||
            !outside_functions(fn, n, g, gend))
            continue;
        if (!exec_at(g) || !exec_at(read_end - 1)) { /* an image's span may have holes */
            none = HOP_UNREAD;
            continue;
        }
        uint64_t run = 0; /* start of the current run of free padding, 0: none */
        for (uint64_t a = g; a < scan_end;) {
            const uint8_t *p = (const uint8_t *)a;
            size_t len = *p == 0xcc ? 1 : nop_len(p, read_end - a);
            if (len) {
                if (!run && a >= lo)
                    run = a;
                a += len;
                if (run && run <= hi && a >= run + HOP_LEN) {
                    *hop = run, *end = a;
                    return HOP_FOUND;
                }
            } else if (is_hop(r, p, read_end - a)) {
                run = 0;
                a += HOP_LEN;
            } else {
                break; /* not padding: this gap is not used */
            }
        }
    }
    return none;
}

/* The wide shape for the syscall instruction ending at rip. */
static void rewrite_wide(uint64_t rip)
{
    uint64_t sc = rip - 2, hop, end;
    struct region *r = find_region(sc, 2);
    const uint8_t *s = (const uint8_t *)sc;
    uint64_t *seen = &no_hop[(sc >> 1) % NO_HOP_SLOTS];
    if (!r || !r->eh_hdr || s[0] != 0x0f || s[1] != 0x05 || r->used + TRAMP_LEN > TRAMP_SPACE ||
        !in_reach(sc, r->tramp) || *seen == sc)
        return;
    enum hop_search found = find_hop(r, sc, &hop, &end);
    if (found != HOP_FOUND) {
        if (found == HOP_NONE)
            *seen = sc;
        return;
    }
    uint64_t lo = hop < sc ? hop : sc, hi = end > sc + 2 ? end : sc + 2;
    struct text_pages tp;
    if (region_open(r) < 0 || !text_open(lo, hi, &tp))
        return;
    /* The hop first (dead bytes: no thread runs them), then the syscall's
     * 2 bytes in one store. */
    uint64_t t = write_wide_trampoline(r, sc);
    uint8_t *h = (uint8_t *)hop;
    h[0] = 0xe9, put32(h + 1, (uint32_t)(t - (hop + HOP_LEN)));
    memset(h + HOP_LEN, 0x90, end - hop - HOP_LEN);
    uint8_t jmp8[2] = {0xeb, (uint8_t)(int8_t)(int64_t)(hop - (sc + 2))};
    if (store_jmp(sc, jmp8, 2))
        libos_rewrite_count++;
    text_close(&tp);
}

void rewrite_site(uint64_t rip, uint64_t nr)
{
    spin_lock(&rewrite_lock);
    /* A wide site first met with a context-sensitive call (a signal
     * restorer, a clone wrapper) would only go through the trampoline
     * back to the trap path: it is left as it is. */
    if (!rewrite_narrow(rip) && !rewrite_context_sensitive(nr))
        rewrite_wide(rip);
    spin_unlock(&rewrite_lock);
}
