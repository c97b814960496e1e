/* libOS unit tier: core/rewrite.c, which syscall sites become jumps to a
 * trampoline. Code pages live in the fake PAL's arena (really mapped, so a
 * rewritten site is also run: before, `mov $39,%eax; syscall; ret` is a host
 * getpid; after, the trampoline calls the fake libos_syscall_entry, which
 * returns 1000 + the number). Checked: the bytes of the jump and of the
 * trampoline, sites in and out of registered regions (and straddling their
 * ends), instruction patterns around the `syscall`, the numbers never
 * rewritten, pages that are not executable or writable too (their
 * protection stays the program's), every alignment of the 5-byte store with
 * one thread and with several, failures of the PAL, full trampoline space,
 * rewrite_add_mapping's reach, and threads rewriting at once. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/vma.h"
#include "elf/elf.h"
#include "fake_pal.h"

extern char libos_syscall_entry[];

/* The rewriter after a trap at rip: a read's number (the narrow shape
 * reads its own from the site). */
static void trap_at(uint64_t rip)
{
    rewrite_site(rip, 0);
}

/* core/vma.c's references to files: this test maps none. */
void file_put(struct file *f)
{
    (void)f;
    printf("not ok - file_put called\n");
    fake_failures++;
}

#define RX (PAL_PROT_READ | PAL_PROT_EXEC)
#define RW (PAL_PROT_READ | PAL_PROT_WRITE)
#define RWX (RX | PAL_PROT_WRITE)
#define TRAMP_LEN 32

static uint8_t *code;  /* CODE_PAGES pages of "program text" */
static uint8_t *tramp; /* its trampoline space (reserved, not committed) */
#define CODE_PAGES 8

static int32_t rd32(const uint8_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Writes bytes at code + off (the pages stay as the program had them). */
static void poke(size_t off, const void *bytes, size_t n)
{
    uint64_t a = (uint64_t)code + off;
    uint64_t lo = ALIGN_DOWN(a, PAGE_SIZE), hi = ALIGN_UP(a + n, PAGE_SIZE);
    int p1 = fake_page_prot(lo), p2 = fake_page_prot(hi - PAGE_SIZE);
    fake_map((void *)lo, hi - lo, RWX);
    memcpy((void *)a, bytes, n);
    fake_map((void *)lo, PAGE_SIZE, p1);
    if (hi - lo > PAGE_SIZE)
        fake_map((void *)(hi - PAGE_SIZE), PAGE_SIZE, p2);
}

/* `mov $nr,%eax; syscall; ret` at off. */
static void put_site(size_t off, uint32_t nr)
{
    uint8_t s[8] = {0xb8, 0, 0, 0, 0, 0x0f, 0x05, 0xc3};
    memcpy(s + 1, &nr, 4);
    poke(off, s, sizeof(s));
}

/* Fresh text: CODE_PAGES RX pages of int3, one region over them, known to
 * the mapping table; trampoline space reserved right after. */
static void setup(void)
{
    rewrite_reset();
    vma_remove(0, 1ULL << 47, false);
    fake_pal_init();
    void *c = NULL;
    if (pal->mem_reserve(&c, (CODE_PAGES + 16) * PAGE_SIZE, 0) < 0 ||
        pal->mem_commit(c, CODE_PAGES * PAGE_SIZE, RW) < 0)
        abort();
    code = c;
    memset(code, 0xcc, CODE_PAGES * PAGE_SIZE);
    pal->mem_protect(code, CODE_PAGES * PAGE_SIZE, RX);
    tramp = code + CODE_PAGES * PAGE_SIZE;
    struct vma v = {.start = (uint64_t)code, .end = (uint64_t)tramp, .prot = RX, .name = "prog"};
    vma_add(&v);
    rewrite_add_region((uint64_t)code, (uint64_t)tramp, (uint64_t)tramp, 0);
    fake_ncalls = 0;
    libos_thread_count = 1;
}

static bool rewritten(size_t off)
{
    return code[off] == 0xe9;
}

/* The jump at off and the trampoline it reaches are exactly what
 * rewrite.c documents; returns the trampoline's address. */
static bool check_shape(size_t off, uint32_t nr, const char *what)
{
    const uint8_t *s = code + off;
    const uint8_t *t = s + 5 + rd32(s + 1);
    static const uint8_t lea_down[] = {0x48, 0x8d, 0x64, 0x24, 0x80};
    static const uint8_t lea_up[] = {0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00};
    bool ok = s[0] == 0xe9 && s[5] == 0x0f && s[6] == 0x05;
    ok = ok && t >= tramp + TRAMP_LEN && t + TRAMP_LEN <= tramp + TRAMP_SPACE &&
         (t - tramp) % TRAMP_LEN == 0;
    if (!ok) {
        EXPECT(0, "%s: the site or its jump target is wrong", what);
        return false;
    }
    const uint8_t *slot = t + 16 + rd32(t + 12);
    uint64_t entry;
    memcpy(&entry, slot, 8);
    ok = !memcmp(t, lea_down, 5) && t[5] == 0xb8 && (uint32_t)rd32(t + 6) == nr && t[10] == 0xff &&
         t[11] == 0x15 && slot == tramp && entry == (uint64_t)libos_syscall_entry &&
         !memcmp(t + 16, lea_up, 8) && t[24] == 0xe9 && t + 29 + rd32(t + 25) == s + 7;
    EXPECT(ok,
           "%s: the trampoline is not lea -128(%%rsp); mov $nr; call *slot; lea 128; jmp "
           "site+7",
           what);
    return ok;
}

static long run(size_t off)
{
    return ((long (*)(void))(code + off))();
}

static void basic(void)
{
    setup();
    put_site(100, 39 /* getpid */);
    CHECK(run(100) == getpid(), "before: the site is a host getpid");
    uint64_t before = libos_rewrite_count;
    trap_at((uint64_t)code + 107);
    CHECK(rewritten(100) && check_shape(100, 39, "getpid") && libos_rewrite_count == before + 1,
          "mov $39,%%eax; syscall: rewritten to a jump to its trampoline");
    CHECK(run(100) == 1039, "after: the site runs the trampoline into libos_syscall_entry and back "
                            "after the syscall");
    CHECK(fake_page_prot((uint64_t)code + 100) == RX && fake_page_prot((uint64_t)tramp) == RWX &&
              fake_page_state((uint64_t)tramp + TRAMP_SPACE) != FAKE_COMMITTED,
          "the text page is RX again, the trampoline space committed (its TRAMP_SPACE only)");
    int commits = 0;
    for (int i = 0; i < fake_ncalls; i++)
        commits += fake_calls[i].op == OP_COMMIT;
    trap_at((uint64_t)code + 107);
    put_site(300, 0 /* read */);
    trap_at((uint64_t)code + 307);
    int commits2 = 0;
    for (int i = 0; i < fake_ncalls; i++)
        commits2 += fake_calls[i].op == OP_COMMIT;
    CHECK(libos_rewrite_count == before + 2 && commits == 1 && commits2 == 1 &&
              check_shape(300, 0, "read"),
          "a second trap at a rewritten site changes nothing; the space is committed once");
}

/* What is not `mov $imm32,%eax; syscall` stays as it is. */
static void patterns(void)
{
    static const struct {
        const char *what;
        uint8_t bytes[10];
        size_t len, rip; /* rip: offset after the syscall */
        bool rewrite;
    } cases[] = {
        {"mov $imm32,%eax; syscall", {0xb8, 1, 0, 0, 0, 0x0f, 0x05}, 7, 7, true},
        {"mov $imm32,%rax (48 c7 c0); syscall",
         {0x48, 0xc7, 0xc0, 1, 0, 0, 0, 0x0f, 0x05},
         9,
         9,
         false},
        {"mov %edi,%eax; syscall", {0x89, 0xf8, 0x0f, 0x05}, 4, 4, false},
        {"mov $imm32,%ecx; syscall", {0xb9, 1, 0, 0, 0, 0x0f, 0x05}, 7, 7, false},
        {"mov $imm32,%eax; nop; syscall", {0xb8, 1, 0, 0, 0, 0x90, 0x0f, 0x05}, 8, 8, false},
        {"mov $imm32,%eax; sysenter", {0xb8, 1, 0, 0, 0, 0x0f, 0x34}, 7, 7, false},
        {"a rip that is not after the syscall", {0xb8, 1, 0, 0, 0, 0x0f, 0x05, 0x90}, 8, 8, false},
    };
    int bad = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        setup();
        uint8_t pad[16];
        memset(pad, 0x90, sizeof(pad));
        poke(200, pad, sizeof(pad));
        poke(200, cases[i].bytes, cases[i].len);
        uint8_t was[16];
        memcpy(was, code + 200, 16);
        trap_at((uint64_t)code + 200 + cases[i].rip);
        bool changed = memcmp(was, code + 200, 16) != 0;
        EXPECT(changed == cases[i].rewrite, "%s: %s", cases[i].what,
               changed ? "rewritten" : "not rewritten");
        bad += changed != cases[i].rewrite;
    }
    CHECK(!bad, "only `mov $imm32,%%eax; syscall` right before rip is rewritten (%zu patterns)",
          ARRAY_LEN(cases));

    /* sigreturn, clone, fork, vfork, execve, clone3 and (rt_)sigreturn's
     * neighbours: only the context-sensitive ones stay. */
    static const uint32_t never[] = {15, 56, 57, 58, 59, 322, 435};
    static const uint32_t fine[] = {0, 1, 14, 16, 55, 60, 231, 321, 323, 434, 436};
    setup();
    bad = 0;
    for (size_t i = 0; i < ARRAY_LEN(never) + ARRAY_LEN(fine); i++) {
        bool ctx = i < ARRAY_LEN(never);
        uint32_t nr = ctx ? never[i] : fine[i - ARRAY_LEN(never)];
        put_site(16 * i, nr);
        trap_at((uint64_t)code + 16 * i + 7);
        bool ok = rewritten(16 * i) == !ctx;
        EXPECT(ok, "syscall %u: %s", nr, rewritten(16 * i) ? "rewritten" : "not rewritten");
        bad += !ok;
    }
    CHECK(!bad, "rt_sigreturn, clone, fork, vfork, execve, execveat, clone3 are never rewritten; "
                "their neighbours are");
}

static void regions(void)
{
    setup();
    size_t end = CODE_PAGES * PAGE_SIZE;
    put_site(end - 7, 1);  /* the last 7 bytes of the region */
    put_site(end - 16, 2); /* well inside */
    trap_at((uint64_t)code + end);
    trap_at((uint64_t)code + end - 9);
    CHECK(rewritten(end - 7) && rewritten(end - 16), "sites ending at the region's end are in it");

    /* A region over part of the text only. */
    setup();
    rewrite_reset();
    rewrite_add_region((uint64_t)code + PAGE_SIZE, (uint64_t)code + 2 * PAGE_SIZE, (uint64_t)tramp, 0);
    put_site(PAGE_SIZE - 3, 1);     /* starts before the region */
    put_site(2 * PAGE_SIZE - 5, 2); /* ends after it */
    put_site(PAGE_SIZE + 64, 3);
    put_site(3 * PAGE_SIZE, 4); /* outside */
    trap_at((uint64_t)code + PAGE_SIZE + 4);
    trap_at((uint64_t)code + 2 * PAGE_SIZE + 2);
    trap_at((uint64_t)code + PAGE_SIZE + 71);
    trap_at((uint64_t)code + 3 * PAGE_SIZE + 7);
    CHECK(!rewritten(PAGE_SIZE - 3) && !rewritten(2 * PAGE_SIZE - 5) && rewritten(PAGE_SIZE + 64) &&
              !rewritten(3 * PAGE_SIZE),
          "only sites wholly inside a registered region are rewritten");

    rewrite_reset();
    put_site(PAGE_SIZE + 128, 5);
    trap_at((uint64_t)code + PAGE_SIZE + 135);
    CHECK(!rewritten(PAGE_SIZE + 128), "after rewrite_reset (execve) no site is rewritten");

    /* Trampolines out of a rel32's reach. */
    rewrite_add_region((uint64_t)code, (uint64_t)tramp, (uint64_t)code + (3ull << 30), 0);
    fake_ncalls = 0;
    trap_at((uint64_t)code + PAGE_SIZE + 135);
    CHECK(!rewritten(PAGE_SIZE + 128) && fake_ncalls == 0,
          "a region whose trampoline space is 3 GiB away: nothing rewritten, nothing committed");
}

/* Pages the program cannot execute, or can also write. */
static void protections(void)
{
    setup();
    put_site(PAGE_SIZE + 100, 1);
    put_site(2 * PAGE_SIZE + 100, 1);
    put_site(3 * PAGE_SIZE + 100, 1);
    put_site(5 * PAGE_SIZE - 3, 1); /* straddles pages 4 and 5 */
    put_site(7 * PAGE_SIZE - 3, 1); /* straddles pages 6 and 7 */
    /* Page 1 RW (the program made its text writable, not executable),
     * page 2 RWX, page 3 not in the mapping table, page 4 RX and 5 RWX,
     * page 6 RX and 7 R. */
    struct vma v = {
        .start = (uint64_t)code + PAGE_SIZE, .end = (uint64_t)code + 2 * PAGE_SIZE, .prot = RW};
    vma_add(&v);
    pal->mem_protect(code + PAGE_SIZE, PAGE_SIZE, RW);
    vma_protect((uint64_t)code + 2 * PAGE_SIZE, PAGE_SIZE, RWX);
    pal->mem_protect(code + 2 * PAGE_SIZE, PAGE_SIZE, RWX);
    vma_remove((uint64_t)code + 3 * PAGE_SIZE, PAGE_SIZE, false);
    vma_protect((uint64_t)code + 5 * PAGE_SIZE, PAGE_SIZE, RWX);
    pal->mem_protect(code + 5 * PAGE_SIZE, PAGE_SIZE, RWX);
    vma_protect((uint64_t)code + 7 * PAGE_SIZE, PAGE_SIZE, PAL_PROT_READ);
    pal->mem_protect(code + 7 * PAGE_SIZE, PAGE_SIZE, PAL_PROT_READ);
    for (int p = 1; p <= 6; p += (p == 4 ? 2 : 1))
        trap_at((uint64_t)code +
                     (p == 4 || p == 6 ? (p + 1) * PAGE_SIZE - 3 : p * PAGE_SIZE + 100) + 7);
    CHECK(!rewritten(PAGE_SIZE + 100) && fake_page_prot((uint64_t)code + PAGE_SIZE) == RW,
          "a page that is not executable: not rewritten, still RW (prot %d)",
          fake_page_prot((uint64_t)code + PAGE_SIZE));
    CHECK(rewritten(2 * PAGE_SIZE + 100) && fake_page_prot((uint64_t)code + 2 * PAGE_SIZE) == RWX,
          "a RWX page: rewritten, and still writable (prot %d)",
          fake_page_prot((uint64_t)code + 2 * PAGE_SIZE));
    CHECK(!rewritten(3 * PAGE_SIZE + 100) && fake_page_prot((uint64_t)code + 3 * PAGE_SIZE) == RX,
          "a page the mapping table does not have: not rewritten");
    CHECK(rewritten(5 * PAGE_SIZE - 3) && fake_page_prot((uint64_t)code + 4 * PAGE_SIZE) == RX &&
              fake_page_prot((uint64_t)code + 5 * PAGE_SIZE) == RWX,
          "a site across an RX and a RWX page: rewritten, each page keeps its protection");
    CHECK(!rewritten(7 * PAGE_SIZE - 3) && fake_page_prot((uint64_t)code + 6 * PAGE_SIZE) == RX &&
              fake_page_prot((uint64_t)code + 7 * PAGE_SIZE) == PAL_PROT_READ,
          "a site whose syscall lies on a page no longer executable: not rewritten");
}

/* Every alignment of the 5 bytes: one atomic store where one can do it;
 * straddling a 16-byte boundary, only while the process has one thread. */
static void alignments(void)
{
    int bad = 0;
    for (int threads = 1; threads <= 2; threads++) {
        setup();
        libos_thread_count = threads;
        for (size_t a = 0; a < 16; a++) {
            size_t off = 512 + 32 * a + a;
            put_site(off, 1);
            trap_at((uint64_t)code + off + 7);
            bool want = threads == 1 || (off & 15) <= 11;
            bool ok = rewritten(off) == want && (!want || check_shape(off, 1, "aligned"));
            EXPECT(ok, "site at %zu mod 16 with %d thread(s): %s", off & 15, threads,
                   rewritten(off) ? "rewritten" : "not rewritten");
            bad += !ok;
        }
    }
    libos_thread_count = 1;
    CHECK(!bad, "all 16 alignments: one store (cmpxchg 8/16) or, straddling 16 bytes, only with "
                "one thread");
}

static void failures(void)
{
    setup();
    libos_log_level = LOG_WARNING;
    put_site(64, 1);
    fake_fail_next[OP_COMMIT] = -PAL_ENOMEM;
    trap_at((uint64_t)code + 71);
    CHECK(!rewritten(64) && strstr(fake_log, "cannot commit trampoline space"),
          "trampoline space that cannot be committed: not rewritten, a warning");
    trap_at((uint64_t)code + 71);
    CHECK(rewritten(64) && check_shape(64, 1, "retry"), "the next trap tries again");
    put_site(128, 2);
    fake_fail_next[OP_PROTECT] = -PAL_ENOMEM;
    trap_at((uint64_t)code + 135);
    CHECK(!rewritten(128) && fake_page_prot((uint64_t)code) == RX,
          "the page cannot be made writable: not rewritten");
    libos_log_level = LOG_ERROR;

    /* The space holds TRAMP_SPACE / 32 - 1 trampolines (the slot first). */
    setup();
    int cap = TRAMP_SPACE / TRAMP_LEN - 1, n = 0;
    for (int i = 0; i < cap + 1; i++) {
        put_site(16 * (size_t)i, 1);
        trap_at((uint64_t)code + 16 * (size_t)i + 7);
        n += rewritten(16 * (size_t)i);
    }
    CHECK(n == cap && !rewritten(16 * (size_t)cap), "a full trampoline space: %d sites, then none",
          n);
}

static void mappings(void)
{
    setup();
    rewrite_reset();
    libos_cfg.syscall_rewrite = false;
    fake_ncalls = 0;
    rewrite_add_mapping((uint64_t)code, CODE_PAGES * PAGE_SIZE);
    put_site(40, 1);
    trap_at((uint64_t)code + 47);
    CHECK(fake_ncalls == 0 && !rewritten(40), "syscall_rewrite off: a mapping gets no space");

    libos_cfg.syscall_rewrite = true;
    fake_fail_next[OP_RESERVE] = -PAL_ENOMEM;
    rewrite_add_mapping((uint64_t)code, CODE_PAGES * PAGE_SIZE);
    trap_at((uint64_t)code + 47);
    CHECK(!rewritten(40), "no space could be reserved: the mapping's sites stay");

    rewrite_add_mapping((uint64_t)code, CODE_PAGES * PAGE_SIZE);
    trap_at((uint64_t)code + 47);
    uint64_t t = (uint64_t)code + 45 + rd32(code + 41);
    CHECK(rewritten(40) && run(40) == 1001 && fake_page_state(t) == FAKE_COMMITTED &&
              (t < (uint64_t)code || t >= (uint64_t)tramp),
          "a mapping: space reserved where the PAL puts it, its sites rewritten and run");

    /* Space out of reach of the mapping is given back. */
    fake_ncalls = 0;
    uint64_t far = (uint64_t)fake_arena + (4ull << 30);
    rewrite_add_mapping(far, PAGE_SIZE);
    CHECK(fake_ncalls == 2 && fake_calls[0].op == OP_RESERVE && fake_calls[1].op == OP_FREE &&
              fake_calls[1].addr == fake_calls[0].addr,
          "space out of a rel32's reach of the mapping is freed at once");
    libos_cfg.syscall_rewrite = false;
}

/* Threads trap at once: every site rewritten once, trampolines disjoint. */
#define NTHREADS 4
#define SITES 200
static void *hammer(void *arg)
{
    int k = (int)(long)arg;
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < SITES; i++) {
            int s = (i * 7 + k * 13 + round) % SITES;
            trap_at((uint64_t)code + 24 * (size_t)s + 7);
        }
    return NULL;
}

static void concurrent(void)
{
    setup();
    for (int s = 0; s < SITES; s++)
        put_site(24 * (size_t)s, 1000 + (uint32_t)s);
    libos_thread_count = NTHREADS;
    uint64_t before = libos_rewrite_count;
    pthread_t th[NTHREADS];
    for (long k = 0; k < NTHREADS; k++)
        pthread_create(&th[k], NULL, hammer, (void *)k);
    for (int k = 0; k < NTHREADS; k++)
        pthread_join(th[k], NULL);
    libos_thread_count = 1;
    int good = 0, distinct = 1;
    static uint8_t used[TRAMP_SPACE / TRAMP_LEN];
    memset(used, 0, sizeof(used));
    for (int s = 0; s < SITES; s++) {
        size_t off = 24 * (size_t)s;
        bool expect = (off & 15) <= 11; /* more than one thread */
        if (!expect) {
            good += !rewritten(off);
            continue;
        }
        if (rewritten(off) && check_shape(off, 1000 + (uint32_t)s, "concurrent")) {
            good++;
            const uint8_t *t = code + off + 5 + rd32(code + off + 1);
            distinct &= !used[(t - tramp) / TRAMP_LEN]++;
        }
    }
    int want = 0;
    for (int s = 0; s < SITES; s++)
        want += ((24 * s) & 15) <= 11;
    CHECK(good == SITES && distinct && libos_rewrite_count - before == (uint64_t)want,
          "%d threads trapping at %d sites at once: each rewritten once (%lu), trampolines "
          "disjoint",
          NTHREADS, SITES, (unsigned long)(libos_rewrite_count - before));
    long sum = 0;
    for (int s = 0; s < SITES; s++)
        if (rewritten(24 * (size_t)s))
            sum += run(24 * (size_t)s) - 1000 - (1000 + s);
    CHECK(sum == 0, "every rewritten site runs with its own number");
}


/* --- The wide shape: any `syscall` with padding between functions (per
 * the unwind tables) within a rel8 jump of it. --- */

#define TABLES (7 * PAGE_SIZE) /* .eh_frame_hdr here, .eh_frame at +0x800 */

static size_t put_u32(uint8_t *b, size_t at, uint32_t v)
{
    memcpy(b + at, &v, 4);
    return at + 4;
}

/* .eh_frame_hdr and .eh_frame for functions fns[i] = {lo, hi} (offsets in
 * code, ascending): CIE "zR" (FDE pointers pcrel|sdata4) for all but fns[1],
 * which has a "zPLR" CIE (an indirect personality pointer, as C++ code
 * has). table_enc: the search table's encoding (0x3b as linkers write). */
static uint64_t put_tables(const uint32_t (*fns)[2], int n, uint8_t table_enc)
{
    static uint8_t hdr[0x800], frame[0x800];
    memset(hdr, 0, sizeof(hdr));
    memset(frame, 0, sizeof(frame));
    uint64_t hdr_at = (uint64_t)code + TABLES, frame_at = hdr_at + 0x800;
    /* CIE 1 at 0: zR. */
    static const uint8_t cie1[] = {16, 0, 0, 0, 0, 0, 0, 0, 1, 'z', 'R', 0, 1, 0x78, 16, 1, 0x1b, 0, 0, 0};
    /* CIE 2 at 20: zPLR, personality 0x9b (indirect pcrel sdata4). */
    static const uint8_t cie2[] = {24, 0, 0, 0, 0, 0, 0, 0, 1, 'z', 'P', 'L', 'R', 0, 1, 0x78, 16,
                                   7, 0x9b, 0, 0, 0, 0, 0x1b, 0x1b, 0, 0, 0};
    memcpy(frame, cie1, sizeof(cie1));
    memcpy(frame + 20, cie2, sizeof(cie2));
    size_t at = 48;
    hdr[0] = 1, hdr[1] = 0x1b, hdr[2] = 0x03, hdr[3] = table_enc;
    put_u32(hdr, 4, (uint32_t)(frame_at - (hdr_at + 4)));
    put_u32(hdr, 8, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        uint64_t fde = frame_at + at, cie = frame_at + (i == 1 ? 20 : 0);
        uint64_t lo = (uint64_t)code + fns[i][0];
        at = put_u32(frame, at, 16);
        at = put_u32(frame, at, (uint32_t)(fde + 4 - cie));
        at = put_u32(frame, at, (uint32_t)(lo - (frame_at + at)));
        at = put_u32(frame, at, fns[i][1] - fns[i][0]);
        at += 4; /* augmentation length 0, padding */
        put_u32(hdr, 12 + 8 * (size_t)i, (uint32_t)(lo - hdr_at));
        put_u32(hdr, 16 + 8 * (size_t)i, (uint32_t)(fde - hdr_at));
    }
    poke(TABLES, hdr, sizeof(hdr));
    poke(TABLES + 0x800, frame, sizeof(frame));
    return hdr_at;
}

static const uint8_t nop10[] = {0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0};
static const uint8_t nop16[] = {0x0f, 0x1f, 0x44, 0, 0, 0x0f, 0x1f, 0x80, 0, 0, 0, 0, 0x0f, 0x1f, 0x40, 0};

/* `mov %edi,%eax; syscall; ret` at off: a call with a run-time number. */
static void put_wide_site(size_t off)
{
    static const uint8_t s[] = {0x89, 0xf8, 0x0f, 0x05, 0xc3};
    poke(off, s, sizeof(s));
}

static long run_nr(size_t off, long nr)
{
    return ((long (*)(long))(code + off))(nr);
}

/* The syscall at sc became `jmp rel8` to a hop `jmp rel32` at hop, to a
 * wide trampoline that calls the entry and jumps back after the syscall. */
static bool check_wide(size_t sc, size_t hop, const char *what)
{
    const uint8_t *s = code + sc, *h = code + hop;
    bool ok = s[0] == 0xeb && s + 2 + (int8_t)s[1] == h && h[0] == 0xe9;
    const uint8_t *t = ok ? h + 5 + rd32(h + 1) : NULL;
    ok = ok && t >= tramp + TRAMP_LEN && t + TRAMP_LEN <= tramp + TRAMP_SPACE && (t - tramp) % TRAMP_LEN == 0;
    if (!ok) {
        EXPECT(0, "%s: the syscall is not a jmp rel8 to a hop into the trampolines", what);
        return false;
    }
    static const uint8_t lea_down[] = {0x48, 0x8d, 0x64, 0x24, 0x80};
    static const uint8_t lea_up[] = {0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00};
    ok = !memcmp(t, lea_down, 5) && t[5] == 0xff && t[6] == 0x15 && t + 11 + rd32(t + 7) == tramp &&
         !memcmp(t + 11, lea_up, 8) && t[19] == 0xe9 && t + 24 + rd32(t + 20) == s + 2 && t[24] == 0x0f &&
         t[25] == 0x05 && t[26] == 0xe9 && t + 31 + rd32(t + 27) == s + 2 && t[31] == 0xcc;
    EXPECT(ok, "%s: the trampoline is not lea; call *slot; lea; jmp site+2; syscall; jmp site+2", what);
    EXPECT(!ok || rewrite_trap_insn((uint64_t)t + 11, (uint64_t)s + 2) == (uint64_t)t + 24,
           "%s: rewrite_trap_insn does not name the trampoline's own syscall", what);
    return ok;
}

/* Fresh text with a 10-byte NOP at pad, functions fns (n), their tables
 * in table_enc, one region over the text with them: returns the tables. */
static uint64_t wide_text(const uint32_t (*fns)[2], int n, size_t pad, uint8_t table_enc)
{
    setup();
    poke(pad, nop10, sizeof(nop10));
    uint64_t hdr = put_tables(fns, n, table_enc);
    rewrite_reset();
    rewrite_add_region((uint64_t)code, (uint64_t)tramp, (uint64_t)tramp, hdr);
    return hdr;
}

static void wide(void)
{
    /* f0 [0, 0xf6), 10 bytes of padding, f1 [0x100, 0x140), 16 bytes of
     * padding, f2 [0x150, 0x200), f3 [0x200, 0x600) (too long for any
     * padding to be near its middle), f4 [0x600, 0x640), a gap holding a
     * ret (not padding), f5 [0x650, 0x680); 0x700 is in no function. */
    static const uint32_t fns[][2] = {{0, 0xf6},       {0x100, 0x140}, {0x150, 0x200},
                                      {0x200, 0x600}, {0x600, 0x640}, {0x650, 0x680}};
    uint64_t hdr = wide_text(fns, ARRAY_LEN(fns), 0xf6, 0x3b);
    poke(0x140, nop16, sizeof(nop16));
    static const uint8_t not_padding[] = {0x90, 0x90, 0xc3, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90};
    poke(0x640, not_padding, sizeof(not_padding));
    for (size_t off = 0x110; off <= 0x130; off += 0x10)
        put_wide_site(off);
    put_wide_site(0x400);
    put_wide_site(0x610);
    put_wide_site(0x700);

    CHECK(run_nr(0x110, 39) == getpid(), "before: `mov %%edi,%%eax; syscall` is a host getpid");
    uint64_t before = libos_rewrite_count;
    trap_at((uint64_t)code + 0x114);
    CHECK(check_wide(0x112, 0xf6, "first") && libos_rewrite_count == before + 1 && code[0x110] == 0x89 &&
              code[0x114] == 0xc3 && code[0xfb] == 0x90 && code[0xff] == 0x90 && code[0x100] == 0xcc,
          "a syscall whose number is set by mov %%edi,%%eax: 2 bytes become jmp rel8 to a hop in "
          "the padding before its function; the rest of that NOP became 1-byte NOPs");
    CHECK(run_nr(0x110, 39) == 1039 && run_nr(0x110, 0) == 1000,
          "after: the site calls the entry with its run-time number and returns after the syscall");
    CHECK(fake_page_prot((uint64_t)code) == RX, "the text page is RX again");
    trap_at((uint64_t)code + 0x124);
    trap_at((uint64_t)code + 0x134);
    CHECK(check_wide(0x122, 0xfb, "second") && check_wide(0x132, 0x140, "third") &&
              run_nr(0x120, 1) == 1001 && run_nr(0x130, 2) == 1002 && run_nr(0x110, 3) == 1003,
          "further sites take the next free padding: the rest of the same gap, then the next one");
    trap_at((uint64_t)code + 0x114);
    CHECK(libos_rewrite_count == before + 3, "a trap at a rewritten site (a thread that was past "
                                             "the jump) changes nothing");

    put_wide_site(0x1a0);
    rewrite_site((uint64_t)code + 0x1a4, 15);
    bool left = code[0x1a2] == 0x0f;
    rewrite_site((uint64_t)code + 0x1a4, 39);
    CHECK(left && check_wide(0x1a2, 0x145, "after a sigreturn"),
          "a site first met with rt_sigreturn is left to trap; met with another call, rewritten");

    uint8_t was[3][5];
    memcpy(was[0], code + 0x400, 5), memcpy(was[1], code + 0x610, 5), memcpy(was[2], code + 0x700, 5);
    trap_at((uint64_t)code + 0x404);
    trap_at((uint64_t)code + 0x614);
    trap_at((uint64_t)code + 0x704);
    CHECK(!memcmp(was[0], code + 0x400, 5) && !memcmp(was[1], code + 0x610, 5) &&
              !memcmp(was[2], code + 0x700, 5) && code[0x642] == 0xc3,
          "no rewrite without padding in reach, next to bytes that are not padding, or outside "
          "every function");

    /* A site found without padding in reach is not looked at again (each
     * look reads the tables) until the next image. */
    poke(0x640, nop10, sizeof(nop10)); /* f4's gap is padding now */
    trap_at((uint64_t)code + 0x614);
    bool remembered = code[0x612] == 0x0f;
    rewrite_reset();
    rewrite_add_region((uint64_t)code, (uint64_t)tramp, (uint64_t)tramp, hdr);
    trap_at((uint64_t)code + 0x614);
    CHECK(remembered && check_wide(0x612, 0x640, "after a reset"),
          "a site without padding in reach is not looked at again until the next image");

    /* Tables it cannot use: another search-table encoding, or unmapped. */
    wide_text(fns, ARRAY_LEN(fns), 0xf6, 0x1b);
    put_wide_site(0x110);
    trap_at((uint64_t)code + 0x114);
    bool stays1 = code[0x112] == 0x0f;
    put_tables(fns, ARRAY_LEN(fns), 0x3b); /* the region still names this address */
    vma_remove((uint64_t)code + TABLES, PAGE_SIZE, false);
    trap_at((uint64_t)code + 0x114);
    bool stays2 = code[0x112] == 0x0f;
    struct vma v = {.start = (uint64_t)code + TABLES, .end = (uint64_t)tramp, .prot = RX};
    vma_add(&v);
    trap_at((uint64_t)code + 0x114);
    CHECK(stays1 && stays2 && check_wide(0x112, 0xf6, "tables mapped again"),
          "a search table in another encoding, or one not mapped: the site stays (and is "
          "rewritten once the table can be read)");

    /* The 2-byte store straddling 16 bytes waits for a single thread. */
    wide_text(fns, ARRAY_LEN(fns), 0xf6, 0x3b);
    put_wide_site(0x11d); /* syscall at 0x11f */
    libos_thread_count = 2;
    trap_at((uint64_t)code + 0x121);
    bool waited = code[0x11f] == 0x0f && run_nr(0x11d, 39) == getpid();
    libos_thread_count = 1;
    trap_at((uint64_t)code + 0x121);
    CHECK(waited && code[0x11f] == 0xeb && run_nr(0x11d, 5) == 1005,
          "a syscall at 15 mod 16: not rewritten while threads run, rewritten with one");

    /* A narrow site that cannot take its 5-byte store while threads run
     * (straddling 16 bytes) becomes a wide one. */
    wide_text(fns, ARRAY_LEN(fns), 0xf6, 0x3b);
    put_site(0x10d, 39); /* mov at 0x10d..0x111, syscall at 0x112 */
    libos_thread_count = 2;
    trap_at((uint64_t)code + 0x114);
    libos_thread_count = 1;
    CHECK(code[0x10d] == 0xb8 && check_wide(0x112, 0xf6, "narrow straddling") &&
              run((size_t)0x10d) == 1039,
          "`mov $39,%%eax; syscall` straddling 16 bytes with threads running: the syscall is "
          "rewritten the wide way, the mov stays");

    /* Padding on a page that is not mapped (an image's span has holes):
     * never read. */
    static const uint32_t split[][2] = {{0x1000, 0x1ff6}, {0x2000, 0x2080}};
    wide_text(split, ARRAY_LEN(split), 0x1ff6, 0x3b);
    put_wide_site(0x2010);
    vma_remove((uint64_t)code + PAGE_SIZE, PAGE_SIZE, false);
    pal->mem_protect(code + PAGE_SIZE, PAGE_SIZE, PAL_PROT_NONE);
    rewrite_site((uint64_t)code + 0x2014, 39);
    bool hole = code[0x2012] == 0x0f;
    vma_add(&(struct vma){.start = (uint64_t)code + PAGE_SIZE, .end = (uint64_t)code + 2 * PAGE_SIZE, .prot = RX});
    pal->mem_protect(code + PAGE_SIZE, PAGE_SIZE, RX);
    rewrite_site((uint64_t)code + 0x2014, 39);
    CHECK(hole && check_wide(0x2012, 0x1ff6, "padding mapped again"),
          "padding on an unmapped page is not read (the site stays); mapped, it is used");

    /* rewrite_trap_insn on a narrow trampoline: the site's own syscall. */
    setup();
    put_site(100, 39);
    trap_at((uint64_t)code + 107);
    const uint8_t *t = code + 105 + rd32(code + 101);
    CHECK(rewritten(100) && rewrite_trap_insn((uint64_t)t + 16, (uint64_t)code + 107) == (uint64_t)code + 105 &&
              t[29] == 0xcc && t[30] == 0xcc && t[31] == 0xcc,
          "narrow: rewrite_trap_insn names the site's syscall; the trampoline's tail is int3");
}

int main(void)
{
    libos_cfg.syscall_rewrite = true;
    basic();
    patterns();
    regions();
    protections();
    alignments();
    failures();
    mappings();
    concurrent();
    wide();
    return fake_done();
}
