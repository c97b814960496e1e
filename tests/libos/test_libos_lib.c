/* libOS unit tier: the pure helpers of libos/lib. lib/format.c's
 * snprintf subset (%s %c %d %i %u %x %p %% with l/ll/z) against glibc's on
 * random formats, values at the edges and every buffer size (the return
 * value is the length the whole text needs, the text is cut and
 * terminated as C says); lib/errname.c's names against the kernel's
 * asm-generic/errno*.h. (The build renames the libOS's snprintf to
 * libos_snprintf so that both can be linked.) */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fake_pal.h"
#include "lib/lib.h"

int libos_snprintf(char *buf, size_t size, const char *fmt, ...);
int libos_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

static uint64_t rng = 0xb7e151628aed2a6bull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t edgy(void)
{
    static const uint64_t e[] = {0,
                                 1,
                                 9,
                                 10,
                                 0x7f,
                                 0x80,
                                 0xff,
                                 0x7fffffff,
                                 0x80000000,
                                 0xffffffff,
                                 1ull << 32,
                                 INT64_MAX,
                                 (uint64_t)INT64_MIN,
                                 UINT64_MAX,
                                 UINT64_MAX - 1};
    switch (rnd() % 4) {
    case 0:
        return e[rnd() % ARRAY_LEN(e)];
    case 1:
        return rnd() % 1000;
    case 2:
        return (uint64_t) - (int64_t)(rnd() % 1000);
    default:
        return rnd();
    }
}

/* One conversion, called through both printfs with the same argument. */
struct piece {
    char fmt[8];
    int kind; /* 0 int, 1 unsigned, 2 int64, 3 uint64, 4 string, 5 char, 6 pointer, 7 none */
    uint64_t v;
    const char *s;
};

static const char *const strings[] = {"", "a", "hello world", "%d not a format", "tab\tnl\n", NULL};

static void random_piece(struct piece *p)
{
    static const char *const f[] = {"%d",  "%i",   "%u",   "%x",   "%ld", "%li", "%lu",
                                    "%lx", "%lld", "%llu", "%llx", "%zu", "%zx", "%s",
                                    "%c",  "%p",   "%%",   "abc",  " ",   "-"};
    static const int kind[] = {0, 0, 1, 1, 2, 2, 3, 3, 2, 3, 3, 3, 3, 4, 5, 6, 7, 7, 7, 7};
    int i = (int)(rnd() % ARRAY_LEN(f));
    snprintf(p->fmt, sizeof(p->fmt), "%s", f[i]);
    p->kind = kind[i];
    p->v = edgy();
    p->s = strings[rnd() % ARRAY_LEN(strings)];
    if (p->kind == 5)
        p->v = 1 + rnd() % 255; /* a NUL would end the comparison early */
    if (p->kind == 6 && !p->v)
        p->v = 1; /* glibc prints a NULL pointer as "(nil)", the libOS as 0x0 */
}

/* Calls printf-like fn with up to 4 pieces' arguments. */
#define ARG(p)                                                                                     \
    ((p).kind == 0   ? (uint64_t)(int)(p).v                                                        \
     : (p).kind == 1 ? (uint64_t)(unsigned)(p).v                                                   \
     : (p).kind == 4 ? (uint64_t)(p).s                                                             \
     : (p).kind == 5 ? (uint64_t)(int)(p).v                                                        \
                     : (p).v)

static int call(int (*fn)(char *, size_t, const char *, ...), char *buf, size_t size,
                const char *fmt, const struct piece *p, int n)
{
    /* Every argument is passed as 64 bits: int-sized ones are read as int
     * from the low half, as the x86-64 ABI passes them in registers. */
    uint64_t a[4] = {0};
    for (int i = 0, k = 0; i < n; i++)
        if (p[i].kind != 7)
            a[k++] = ARG(p[i]);
    return fn(buf, size, fmt, a[0], a[1], a[2], a[3]);
}

static void printf_differential(void)
{
    int bad = 0, runs = 0;
    for (int iter = 0; iter < 20000 && bad < 10; iter++) {
        struct piece p[4];
        char fmt[64] = "";
        int n = 1 + (int)(rnd() % 4), args = 0;
        for (int i = 0; i < n; i++) {
            random_piece(&p[i]);
            if (p[i].kind == 4 && !p[i].s && args >= 4)
                p[i].kind = 7;
            strcat(fmt, p[i].fmt);
            args += p[i].kind != 7;
        }
        char want[512], got[512];
        memset(got, 0x55, sizeof(got));
        int wn = call(snprintf, want, sizeof(want), fmt, p, n);
        size_t size = rnd() % 3 == 0 ? (size_t)(rnd() % 8)
                      : rnd() % 2    ? sizeof(got)
                                     : (size_t)(rnd() % 64);
        int gn = call(libos_snprintf, got, size, fmt, p, n);
        bool ok = gn == wn;
        if (ok && size) {
            size_t keep = (size_t)wn < size ? (size_t)wn : size - 1;
            ok = !memcmp(got, want, keep) && got[keep] == 0;
        }
        for (size_t k = size; ok && k < sizeof(got); k++)
            ok = (uint8_t)got[k] == 0x55; /* nothing past the size */
        EXPECT(ok, "snprintf(size %zu, \"%s\"): libOS %d \"%.*s\", glibc %d \"%s\"", size, fmt, gn,
               size ? (int)strnlen(got, size) : 0, got, wn, want);
        bad += !ok;
        runs++;
    }
    CHECK(!bad,
          "snprintf: %d random formats of %%s %%c %%d %%i %%u %%x %%p %%%% with l/ll/z "
          "give glibc's text and length at every buffer size",
          runs);
    char buf[8] = "xxxxxxx";
    CHECK(libos_snprintf(buf, 0, "%s", "abc") == 3 && buf[0] == 'x',
          "size 0: nothing written, the length returned");
}

/* The kernel's errno names: every "#define Ename number" of the two
 * headers must be errno_name's. */
static void errno_names(void)
{
    static const char *const headers[] = {"/usr/include/asm-generic/errno-base.h",
                                          "/usr/include/asm-generic/errno.h"};
    int names = 0, bad = 0;
    for (size_t h = 0; h < ARRAY_LEN(headers); h++) {
        FILE *fp = fopen(headers[h], "r");
        char line[256];
        while (fp && fgets(line, sizeof(line), fp)) {
            char name[64];
            int v;
            if (sscanf(line, "#define %63s %d", name, &v) != 2 || name[0] != 'E')
                continue;
            char want[80];
            snprintf(want, sizeof(want), "%s: ", name);
            const char *got = errno_name(-v);
            bool ok = !strncmp(got, want, strlen(want)) && got == errno_name(v) &&
                      strlen(got) > strlen(want);
            EXPECT(ok, "errno %d: \"%s\", the kernel calls it %s", v, got, name);
            bad += !ok;
            names++;
        }
        if (fp)
            fclose(fp);
    }
    CHECK(names > 120 && !bad, "errno_name: the kernel's %d names, either sign", names);
    CHECK(!strcmp(errno_name(0), "unknown error") && !strcmp(errno_name(134), "unknown error") &&
              !strcmp(errno_name(-4096), "unknown error") &&
              !strcmp(errno_name(LONG_MIN + 1), "unknown error"),
          "0 and numbers past EHWPOISON are unknown");
}

int main(void)
{
    fake_pal_init();
    printf_differential();
    errno_names();
    return fake_done();
}
