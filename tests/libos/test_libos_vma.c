/* libOS unit tier: core/vma.c, the program's mapping table, against a
 * per-page model. Random vma_add / vma_remove / vma_protect sequences over
 * two windows (one below 4 GiB, where /proc/self/maps pads addresses, one
 * where a PIE lives); after each step every query of the table must agree
 * with the model: vma_find, vma_covered, vma_totals, vma_untrusted_ranges,
 * vma_write_denied, the /proc/self/maps text (each line as Linux formats it,
 * checked first against the host's own /proc/self/maps), write-back of shared
 * file pages, and the file references the table holds (each taken and
 * dropped exactly once). Then the table full (4096 entries): a change that
 * needs a split fails with ENOMEM and changes nothing. */
#include <stdlib.h>
#include <string.h>

#include "core/vma.h"
#include "fake_pal.h"

#define WIN_PAGES 48
static const uint64_t windows[2] = {0x400000, 0x7f1234560000};
#define NFILES 4

struct page {
    bool mapped, shared, host_shared, untrusted;
    int prot;
    int file; /* index into files, or -1 */
    int64_t off;
    const char *name;
};
static struct page model[2][WIN_PAGES];

static struct file files[NFILES];
static int64_t file_size[NFILES];
static int puts_done[NFILES];
static char paths[NFILES][64];

/* fs/open.c's file_put, for the table's references. */
void file_put(struct file *f)
{
    int i = (int)(f - files);
    if (i < 0 || i >= NFILES) {
        printf("not ok - file_put of a file the test never made\n");
        fake_failures++;
        return;
    }
    puts_done[i]++;
    if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) <= 0) {
        printf("not ok - file_put dropped the test's own reference of file %d\n", i);
        fake_failures++;
    }
}

/* Write-back: every pwrite the table makes is recorded. */
struct pwrite_call {
    int file;
    uint64_t buf, n;
    int64_t off;
};
static struct pwrite_call pwrites[4096];
static int npwrites;

static long f_pwrite(struct file *f, const void *buf, size_t len, int64_t off)
{
    if (npwrites < (int)ARRAY_LEN(pwrites))
        pwrites[npwrites++] = (struct pwrite_call){(int)(f - files), (uint64_t)buf, len, off};
    return (long)len;
}

static long f_fstat(struct file *f, struct pal_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->size = file_size[f - files];
    return 0;
}

static const struct file_ops test_ops = {.pwrite = f_pwrite, .fstat = f_fstat};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static unsigned below(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static uint64_t page_addr(int w, int p)
{
    return windows[w] + (uint64_t)p * PAGE_SIZE;
}

/* /proc/<pid>/maps as Linux's show_map_vma() writes a line: the reference
 * the libOS's text is compared with. */
static int linux_maps_line(char *out, size_t size, uint64_t start, uint64_t end, const char *perms,
                           uint64_t off, unsigned major, unsigned minor, unsigned long ino,
                           const char *name)
{
    int n = snprintf(out, size, "%08lx-%08lx %s %08lx %02x:%02x %lu ", (unsigned long)start,
                     (unsigned long)end, perms, (unsigned long)off, major, minor, ino);
    if (name && name[0])
        n += snprintf(out + n, size - (size_t)n, "%*s%s", n < 72 ? 72 - n + 1 : 1, "", name);
    n += snprintf(out + n, size - (size_t)n, "\n");
    return n;
}

/* The reference formatter reproduces the host kernel's own text. */
static void check_reference_formatter(void)
{
    FILE *fp = fopen("/proc/self/maps", "r");
    char line[1024], mine[1200];
    int lines = 0, same = 0, named = 0, anon = 0;
    while (fp && fgets(line, sizeof(line), fp)) {
        unsigned long s, e, off, ino;
        unsigned maj, min;
        char perms[8];
        int pos = 0;
        if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &s, &e, perms, &off, &maj, &min, &ino,
                   &pos) != 7)
            continue;
        char name[900];
        size_t nl = strlen(line + pos);
        memcpy(name, line + pos, nl + 1);
        if (nl && name[nl - 1] == '\n')
            name[--nl] = 0;
        linux_maps_line(mine, sizeof(mine), s, e, perms, off, maj, min, ino, name);
        lines++;
        same += !strcmp(mine, line);
        named += name[0] != 0;
        anon += name[0] == 0;
    }
    if (fp)
        fclose(fp);
    CHECK(lines > 5 && same == lines && named && anon,
          "the reference formatter gives the host's /proc/self/maps byte for byte (%d of %d "
          "lines, %d named, %d anonymous)",
          same, lines, named, anon);
    /* Low addresses: the kernel pads to 8 digits. */
    linux_maps_line(mine, sizeof(mine), 0x400000, 0x401000, "r-xp", 0, 0, 0, 1, "/bin/x");
    CHECK(!strcmp(mine, "00400000-00401000 r-xp 00000000 00:00 1                          "
                        "        /bin/x\n"),
          "the reference pads low addresses and names the file at column 73");
}

/* The model's page as the table should describe it, from a vma. */
static bool page_matches(const struct page *m, const struct vma *v, uint64_t addr)
{
    int fi = v->file ? (int)(v->file - files) : -1;
    int64_t off = v->off + (int64_t)(addr - v->start);
    return m->mapped && m->prot == v->prot && m->shared == v->shared &&
           m->host_shared == v->host_shared && m->untrusted == v->untrusted && m->file == fi &&
           (fi < 0 || m->off == off) && m->name == v->name;
}

static const char *perms_of(const struct page *m, char *buf)
{
    buf[0] = m->prot & PAL_PROT_READ ? 'r' : '-';
    buf[1] = m->prot & PAL_PROT_WRITE ? 'w' : '-';
    buf[2] = m->prot & PAL_PROT_EXEC ? 'x' : '-';
    buf[3] = m->shared ? 's' : 'p';
    buf[4] = 0;
    return buf;
}

static const struct page *model_at(uint64_t addr)
{
    for (int w = 0; w < 2; w++)
        if (addr >= windows[w] && addr < windows[w] + WIN_PAGES * PAGE_SIZE)
            return &model[w][(addr - windows[w]) / PAGE_SIZE];
    return NULL;
}

static char maps[1 << 20];

/* Every line of vma_format: Linux's text for a run of model pages that all
 * match it; together they cover exactly the mapped pages, in order. Returns
 * how many lines name each file. */
static void check_maps(const char *step, int refs_seen[NFILES])
{
    size_t len = vma_format(maps, sizeof(maps));
    maps[len] = 0;
    int covered[2] = {0, 0};
    uint64_t prev_end = 0;
    memset(refs_seen, 0, NFILES * sizeof(int));
    for (char *line = maps, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl) {
            EXPECT(0, "%s: maps text ends without a newline", step);
            return;
        }
        unsigned long s, e;
        if (sscanf(line, "%lx-%lx", &s, &e) != 2 || s % PAGE_SIZE || e % PAGE_SIZE || s >= e ||
            s < prev_end) {
            EXPECT(0, "%s: bad or unordered maps line %.*s", step, (int)(nl - line), line);
            return;
        }
        prev_end = e;
        const struct page *m = model_at(s);
        struct vma v;
        if (!m || !vma_find(s, &v) || v.start != s || v.end != e) {
            EXPECT(0, "%s: maps line %.*s is no vma of the table", step, (int)(nl - line), line);
            return;
        }
        for (uint64_t a = s; a < e; a += PAGE_SIZE) {
            const struct page *pm = model_at(a);
            if (!pm || !page_matches(pm, &v, a)) {
                EXPECT(0, "%s: page %lx of line %.*s differs from the model", step,
                       (unsigned long)a, (int)(nl - line), line);
                return;
            }
            covered[a >= windows[1]]++;
        }
        char want[1200], perms[8];
        int fi = v.file ? (int)(v.file - files) : -1;
        const char *name = v.name ? v.name : fi >= 0 ? paths[fi] : "";
        int n = linux_maps_line(want, sizeof(want), s, e, perms_of(m, perms),
                                fi >= 0 ? (uint64_t)v.off : 0, 0, 0, fi >= 0 ? 1 : 0, name);
        if ((size_t)n != (size_t)(nl + 1 - line) || memcmp(want, line, (size_t)n)) {
            EXPECT(0, "%s: maps line\n#   %.*s\n# is not Linux's\n#   %s", step, (int)(nl - line),
                   line, want);
            return;
        }
        if (fi >= 0)
            refs_seen[fi]++;
    }
    for (int w = 0; w < 2; w++) {
        int mapped = 0;
        for (int p = 0; p < WIN_PAGES; p++)
            mapped += model[w][p].mapped;
        EXPECT(mapped == covered[w], "%s: maps shows %d pages of window %d, the model %d", step,
               covered[w], w, mapped);
    }
}

static void check_queries(const char *step)
{
    uint64_t vsize = 0, acc = 0, want_vsize = 0, want_acc = 0;
    for (int w = 0; w < 2; w++)
        for (int p = 0; p < WIN_PAGES; p++) {
            const struct page *m = &model[w][p];
            uint64_t a = page_addr(w, p) + below(PAGE_SIZE);
            struct vma v;
            bool found = vma_find(a, &v);
            EXPECT(found == m->mapped, "%s: vma_find(%lx) %s", step, (unsigned long)a,
                   found ? "found an unmapped page" : "missed a mapped page");
            if (found && m->mapped)
                EXPECT(v.start <= a && a < v.end && page_matches(m, &v, ALIGN_DOWN(a, PAGE_SIZE)),
                       "%s: vma_find(%lx) gives what the model does not have", step,
                       (unsigned long)a);
            if (m->mapped) {
                want_vsize += PAGE_SIZE;
                want_acc += m->prot != PAL_PROT_NONE ? PAGE_SIZE : 0;
            }
        }
    vma_totals(&vsize, &acc);
    EXPECT(vsize == want_vsize && acc == want_acc, "%s: vma_totals %lu/%lu, model %lu/%lu", step,
           (unsigned long)vsize, (unsigned long)acc, (unsigned long)want_vsize,
           (unsigned long)want_acc);

    for (int k = 0; k < 8; k++) {
        /* Non-empty ranges: the callers (sys/mem.c) never ask about none. */
        int w = (int)below(2), a = (int)below(WIN_PAGES), b = a + 1 + (int)below(WIN_PAGES - a);
        bool all = true, denied = false;
        for (int p = a; p < b; p++) {
            const struct page *m = &model[w][p];
            all &= m->mapped;
            denied |= m->mapped && m->shared && m->file >= 0 && (files[m->file].flags & 3) != 2;
        }
        uint64_t s = page_addr(w, a), e = page_addr(w, b);
        EXPECT(vma_covered(s, e) == all, "%s: vma_covered(%lx, %lx) should be %d", step,
               (unsigned long)s, (unsigned long)e, all);
        EXPECT(vma_write_denied(s, e) == denied, "%s: vma_write_denied(%lx, %lx) should be %d",
               step, (unsigned long)s, (unsigned long)e, denied);

        /* Untrusted ranges: in order, disjoint, inside [s, e), covering
         * exactly the untrusted pages; max only limits what is stored. */
        struct vma_range r[WIN_PAGES + 1], one;
        int n = vma_untrusted_ranges(s, e, r, (int)ARRAY_LEN(r));
        int n1 = vma_untrusted_ranges(s, e, &one, 1);
        EXPECT(n == n1 && (n == 0 || (one.start == r[0].start && one.end == r[0].end)),
               "%s: vma_untrusted_ranges with max 1 gives %d ranges, with room %d", step, n1, n);
        int pages = 0, want = 0;
        uint64_t last = s;
        for (int i = 0; i < n && i < (int)ARRAY_LEN(r); i++) {
            EXPECT(r[i].start >= last && r[i].start < r[i].end && r[i].end <= e,
                   "%s: untrusted range %d [%lx, %lx) out of order or outside [%lx, %lx)", step, i,
                   (unsigned long)r[i].start, (unsigned long)r[i].end, (unsigned long)s,
                   (unsigned long)e);
            last = r[i].end;
            for (uint64_t x = r[i].start; x < r[i].end; x += PAGE_SIZE) {
                const struct page *m = model_at(x);
                EXPECT(m && m->mapped && m->untrusted, "%s: %lx reported untrusted", step,
                       (unsigned long)x);
                pages++;
            }
        }
        for (int p = a; p < b; p++)
            want += model[w][p].mapped && model[w][p].untrusted;
        EXPECT(pages == want, "%s: untrusted ranges cover %d pages of [%lx, %lx), the model %d",
               step, pages, (unsigned long)s, (unsigned long)e, want);
    }
    int seen[NFILES];
    check_maps(step, seen);
    for (int i = 0; i < NFILES; i++)
        EXPECT(files[i].refs == 1 + seen[i],
               "%s: file %d has %d references, the table has %d vmas of it (+1 the test's)", step,
               i, files[i].refs, seen[i]);
}

/* Pages of [a, b) that a write-back must reach: writable shared copies of
 * a file, within the file's size. */
static uint64_t writeback_bytes(int w, int a, int b)
{
    uint64_t bytes = 0;
    for (int p = a; p < b; p++) {
        const struct page *m = &model[w][p];
        if (!m->mapped || !m->shared || m->file < 0 || m->host_shared || m->untrusted ||
            !(m->prot & PAL_PROT_WRITE) || m->off >= file_size[m->file])
            continue;
        int64_t left = file_size[m->file] - m->off;
        bytes += left < (int64_t)PAGE_SIZE ? (uint64_t)left : PAGE_SIZE;
    }
    return bytes;
}

static void check_pwrites(const char *step, uint64_t want)
{
    uint64_t got = 0;
    for (int i = 0; i < npwrites; i++) {
        const struct pwrite_call *c = &pwrites[i];
        got += c->n;
        for (uint64_t x = 0; x < c->n; x += PAGE_SIZE) {
            const struct page *m = model_at(c->buf + x);
            EXPECT(m && m->file == c->file && m->off == c->off + (int64_t)x,
                   "%s: write-back of %lx to file %d offset %ld: not that file page", step,
                   (unsigned long)(c->buf + x), c->file, (long)(c->off + (int64_t)x));
        }
    }
    EXPECT(got == want, "%s: write-back wrote %lu bytes, the model wants %lu", step,
           (unsigned long)got, (unsigned long)want);
    npwrites = 0;
}

static const char *const names[] = {NULL, "[heap]", "[stack]", "[anon:x]"};

static void random_step(int step_no)
{
    char step[64];
    int w = (int)below(2), a = (int)below(WIN_PAGES), len = 1 + (int)below(16);
    int b = a + len > WIN_PAGES ? WIN_PAGES : a + len;
    uint64_t s = page_addr(w, a), e = page_addr(w, b);
    unsigned op = below(10);
    if (op < 5) {
        struct vma v = {.start = s, .end = e, .prot = (int)below(8), .shared = below(2)};
        int fi = below(3) ? (int)below(NFILES) : -1;
        if (fi >= 0) {
            v.file = &files[fi];
            v.off = (int64_t)below(8) * (int64_t)PAGE_SIZE;
            v.host_shared = v.shared && below(3) == 0;
        } else {
            v.name = names[below(ARRAY_LEN(names))];
        }
        v.untrusted = v.shared && !v.host_shared && below(4) == 0;
        snprintf(step, sizeof(step), "step %d add %lx-%lx", step_no, (unsigned long)s,
                 (unsigned long)e);
        int r = vma_add(&v);
        EXPECT(r == 0, "%s: vma_add %d", step, r);
        for (int p = a; p < b; p++)
            model[w][p] = (struct page){true,
                                        v.shared,
                                        v.host_shared,
                                        v.untrusted,
                                        v.prot,
                                        fi,
                                        fi >= 0 ? v.off + (int64_t)(p - a) * (int64_t)PAGE_SIZE : 0,
                                        v.name};
    } else if (op < 8) {
        bool wb = below(2);
        snprintf(step, sizeof(step), "step %d remove%s %lx-%lx", step_no, wb ? "+writeback" : "",
                 (unsigned long)s, (unsigned long)e);
        uint64_t want = wb ? writeback_bytes(w, a, b) : 0;
        npwrites = 0;
        int r = vma_remove(s, e - s, wb);
        EXPECT(r == 0, "%s: vma_remove %d", step, r);
        check_pwrites(step, want); /* pages still in the model: checked before they go */
        for (int p = a; p < b; p++)
            model[w][p] = (struct page){.file = -1};
    } else {
        int prot = (int)below(8);
        snprintf(step, sizeof(step), "step %d protect %lx-%lx %d", step_no, (unsigned long)s,
                 (unsigned long)e, prot);
        int r = vma_protect(s, e - s, prot);
        EXPECT(r == 0, "%s: vma_protect %d", step, r);
        for (int p = a; p < b; p++)
            if (model[w][p].mapped)
                model[w][p].prot = prot;
    }
    check_queries(step);
}

static void random_sequences(void)
{
    int before = fake_failures;
    for (int i = 0; i < 3000 && fake_failures - before < 20; i++)
        random_step(i);
    CHECK(fake_failures == before, "3000 random add/remove/protect steps agree with the model");

    /* Everything goes; every reference the table took is dropped. */
    for (int w = 0; w < 2; w++) {
        vma_remove(windows[w], WIN_PAGES * PAGE_SIZE, false);
        for (int p = 0; p < WIN_PAGES; p++)
            model[w][p] = (struct page){.file = -1};
    }
    int refs = 0, puts = 0;
    for (int i = 0; i < NFILES; i++) {
        refs += files[i].refs - 1;
        puts += puts_done[i];
    }
    uint64_t vsize, acc;
    vma_totals(&vsize, &acc);
    CHECK(refs == 0 && vsize == 0 && vma_format(maps, sizeof(maps)) == 0,
          "an empty table holds no file reference (%d left after %d file_put calls)", refs, puts);
}

/* With 4096 entries, a change that must split one fails with ENOMEM and
 * leaves the table as it was; one that needs no split still works. */
static void full_table(void)
{
    const uint64_t base = 0x10000000;
    int r = 0, n = 0;
    for (; n < 4096 && r == 0; n++) {
        struct vma v = {.start = base + (uint64_t)n * 2 * PAGE_SIZE,
                        .prot = PAL_PROT_READ,
                        .file = n == 100 ? &files[0] : NULL,
                        .off = 0x5000};
        v.end = v.start + 2 * PAGE_SIZE;
        r = vma_add(&v);
    }
    struct vma extra = {.start = base - 2 * PAGE_SIZE, .end = base, .prot = PAL_PROT_READ};
    CHECK(r == 0 && vma_add(&extra) == -PAL_ENOMEM, "the 4097th vma is ENOMEM");
    uint64_t mid = base + 100 * 2 * PAGE_SIZE;
    int refs = files[0].refs;
    CHECK(vma_protect(mid + PAGE_SIZE, PAGE_SIZE, PAL_PROT_NONE) == -PAL_ENOMEM,
          "a full table: mprotect of half a vma is ENOMEM");
    CHECK(vma_remove(mid, PAGE_SIZE, false) == -PAL_ENOMEM,
          "a full table: removing half a vma is ENOMEM");
    struct vma v;
    CHECK(vma_find(mid + PAGE_SIZE, &v) && v.start == mid && v.end == mid + 2 * PAGE_SIZE &&
              v.prot == PAL_PROT_READ && v.file == &files[0] && files[0].refs == refs,
          "... and the vma is as it was, its file reference too");
    CHECK(vma_protect(mid, 2 * PAGE_SIZE, PAL_PROT_EXEC) == 0 && vma_find(mid, &v) &&
              v.prot == PAL_PROT_EXEC,
          "a full table: mprotect of a whole vma works");
    CHECK(vma_remove(mid, 2 * PAGE_SIZE, false) == 0 && files[0].refs == refs - 1 &&
              vma_add(&extra) == 0,
          "removing a whole vma drops its reference and makes room");
    vma_remove(0, 1ULL << 47, false);
    uint64_t vsize, acc;
    vma_totals(&vsize, &acc);
    CHECK(vsize == 0 && files[0].refs == 1, "the table empties");
}

int main(void)
{
    fake_pal_init();
    for (int i = 0; i < NFILES; i++) {
        snprintf(paths[i], sizeof(paths[i]), "/lib/file%d.so", i);
        files[i] = (struct file){.refs = 1, .ops = &test_ops, .flags = i % 3, .path = paths[i]};
        file_size[i] = (int64_t)(i + 1) * 3 * (int64_t)PAGE_SIZE + 100 * i;
    }
    for (int w = 0; w < 2; w++)
        for (int p = 0; p < WIN_PAGES; p++)
            model[w][p].file = -1;
    check_reference_formatter();
    random_sequences();
    full_table();
    return fake_done();
}
