/* The protected-files format (libos/pf): round trips across sizes that
 * need several tree nodes, and each kind of tampering detected. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pf_host.h"
#include "tap.h"

#define NODE PF_NODE_SIZE
static const uint8_t key[16] = "0123456789abcde";
static const uint8_t key2[16] = "0123456789abcdX";

/* Node numbers as pf.c lays them out (metadata 0, tree node m at 1 + 97 m). */
static uint64_t data_node(uint64_t d)
{
    return 2 + 97 * (d / 96) + d % 96;
}
static uint64_t mht_node(uint64_t m)
{
    return 1 + 97 * m;
}

static uint8_t *pattern(size_t n, unsigned seed)
{
    uint8_t *p = malloc(n);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)((i * 131 + seed) ^ (i >> 9));
    return p;
}

static off_t fsize(int fd)
{
    return lseek(fd, 0, SEEK_END);
}

/* Opens fd's file as path under k: the pf_open result. */
static int open_as(struct pf_file *pf, int *fd, const uint8_t *k, const char *path)
{
    struct pf_ops ops;
    pf_host_ops(&ops, fd);
    return pf_open(pf, &ops, k, path, (uint64_t)fsize(*fd));
}

/* Writes plain (len bytes) in uneven chunks into a new file at fd. */
static int write_file(int *fd, const uint8_t *plain, size_t len, const char *path)
{
    struct pf_file pf;
    ftruncate(*fd, 0);
    int r = open_as(&pf, fd, key, path);
    for (size_t off = 0, step = 1; r == 0 && off < len; off += step, step = step * 7 % 9001 + 1) {
        size_t n = step < len - off ? step : len - off;
        r = pf_write(&pf, plain + off, n, off) == (long)n ? 0 : -1;
    }
    if (r == 0)
        r = pf_flush(&pf);
    pf_close(&pf);
    return r;
}

/* Reads the whole file: 0 and equal to plain, else the error. */
static long read_back(int *fd, const uint8_t *plain, size_t len, const char *path)
{
    struct pf_file pf;
    long r = open_as(&pf, fd, key, path);
    uint8_t *buf = malloc(len + 1);
    if (r == 0 && pf.size != len)
        r = -1000;
    for (size_t off = 0; r == 0 && off < len;) {
        long n = pf_read(&pf, buf + off, 5000, off);
        if (n <= 0)
            r = n < 0 ? n : -1001;
        else
            off += (size_t)n;
    }
    if (r == 0 && memcmp(buf, plain, len))
        r = -1002;
    free(buf);
    pf_close(&pf);
    return r;
}

static void copy_node(int fd, uint64_t from, uint64_t to)
{
    uint8_t b[NODE];
    pread(fd, b, NODE, (off_t)(from * NODE));
    pwrite(fd, b, NODE, (off_t)(to * NODE));
}

static void flip(int fd, off_t at)
{
    uint8_t c;
    pread(fd, &c, 1, at);
    c ^= 0x40;
    pwrite(fd, &c, 1, at);
}

/* A host that stops writing after `budget` node writes (a crash, a full
 * disk, a host dropping writes in the middle of a flush). */
static long budget;
static long (*real_write)(void *, const void *, size_t, uint64_t);
static long cut_write(void *arg, const void *buf, size_t len, uint64_t off)
{
    return budget-- > 0 ? real_write(arg, buf, len, off) : -28 /* ENOSPC */;
}

/* Version 2 of a file whose flush is cut after n node writes: the file
 * then reads as version 1 or version 2 in full, or fails its checks;
 * never a mix. */
static void check_cut_flushes(int *fd)
{
    size_t len = 130 * NODE;
    uint8_t *v1 = pattern(len, 1), *v2 = pattern(len, 1);
    for (size_t d = 0; d < 130; d += 7)
        v2[d * NODE + 5] ^= 0x5a;
    int mixed = 0, errors = 0, olds = 0, news = 0;
    for (long n = 0; n <= 25; n++) {
        write_file(fd, v1, len, "/enc/f");
        struct pf_file pf;
        open_as(&pf, fd, key, "/enc/f");
        real_write = pf.ops.write;
        pf.ops.write = cut_write;
        budget = n;
        for (size_t d = 0; d < 130; d += 7) /* 19 data nodes, 2 tree nodes, the metadata */
            pf_write(&pf, v2 + d * NODE + 5, 1, d * NODE + 5);
        pf_flush(&pf);
        pf_close(&pf);
        long r1 = read_back(fd, v1, len, "/enc/f"), r2 = read_back(fd, v2, len, "/enc/f");
        if (r1 == 0)
            olds++;
        else if (r2 == 0)
            news++;
        else if (r1 == -PF_EIO || r1 == -PF_EACCES)
            errors++;
        else
            mixed++;
    }
    CHECK(mixed == 0 && olds > 0 && news > 0 && errors > 0,
          "a flush cut after 0..25 node writes: old %d, new %d, detected %d, mixed %d", olds, news,
          errors, mixed);
    free(v1);
    free(v2);
}

int main(void)
{
    int fd = memfd_create("pf", 0);
    size_t sizes[] = {0, 1, 4095, 4096, 4097, 96 * NODE, 96 * NODE + 1, 1 << 20, 3 << 20};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint8_t *p = pattern(sizes[i], (unsigned)i);
        int w = write_file(&fd, p, sizes[i], "/enc/f");
        long r = read_back(&fd, p, sizes[i], "/enc/f");
        CHECK(w == 0 && r == 0 && (uint64_t)fsize(fd) == pf_host_size(sizes[i]),
              "round trip of %zu bytes (write %d, read %ld)", sizes[i], w, r);
        free(p);
    }

    size_t len = 200 * NODE + 123; /* three tree nodes */
    uint8_t *p = pattern(len, 7);
    const uint8_t orig = p[150 * NODE + 3];
    write_file(&fd, p, len, "/enc/f");
    uint8_t *host = malloc((size_t)fsize(fd));
    pread(fd, host, (size_t)fsize(fd), 0);
    CHECK(!memmem(host, (size_t)fsize(fd), p + 5000, 64), "the host file holds no plaintext");

    struct pf_file pf;
    CHECK(open_as(&pf, &fd, key2, "/enc/f") == -PF_EACCES, "wrong key: EACCES");
    pf_close(&pf);
    CHECK(open_as(&pf, &fd, key, "/enc/g") == -PF_EACCES && strstr(pf.why, "path"),
          "another path (renamed host file): EACCES, cause named");
    pf_close(&pf);

    /* Each case on a fresh copy of the file. */
    struct {
        const char *name;
        long want;
    } cases[] = {
        {"a flipped byte in a data node", -PF_EIO},
        {"a flipped byte in the metadata's sealed part", -PF_EACCES},
        {"a flipped byte in a tree node", -PF_EIO},
        {"the host file truncated by a node", -PF_EIO},
        {"two data nodes swapped", -PF_EIO},
        {"a data node from an older version of the file", -PF_EIO},
        {"the whole tree node from an older version", -PF_EIO},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        write_file(&fd, p, len, "/enc/f");
        uint8_t old[NODE], oldm[NODE];
        pread(fd, old, NODE, (off_t)(data_node(150) * NODE));
        pread(fd, oldm, NODE, (off_t)(mht_node(1) * NODE));
        if (c >= 5) { /* a new version: one byte changed in node 150 */
            struct pf_file w;
            open_as(&w, &fd, key, "/enc/f");
            pf_write(&w, "X", 1, 150 * NODE + 3);
            pf_flush(&w);
            pf_close(&w);
            p[150 * NODE + 3] = 'X';
        }
        switch (c) {
        case 0:
            flip(fd, (off_t)(data_node(100) * NODE + 77));
            break;
        case 1:
            flip(fd, 200);
            break;
        case 2:
            flip(fd, (off_t)(mht_node(1) * NODE + 9));
            break;
        case 3:
            ftruncate(fd, fsize(fd) - NODE);
            break;
        case 4:
            copy_node(fd, data_node(3), 0x7fff); /* spare slot past the end */
            copy_node(fd, data_node(4), data_node(3));
            copy_node(fd, 0x7fff, data_node(4));
            ftruncate(fd, (off_t)pf_host_size(len));
            break;
        case 5:
            pwrite(fd, old, NODE, (off_t)(data_node(150) * NODE));
            break;
        case 6:
            pwrite(fd, oldm, NODE, (off_t)(mht_node(1) * NODE));
            break;
        }
        long r = read_back(&fd, p, len, "/enc/f");
        CHECK(r == cases[c].want, "%s: %ld", cases[c].name, r);
        if (c >= 5)
            p[150 * NODE + 3] = orig;
    }

    /* Sizes: shrink, grow with a gap, O_TRUNC-like reset. */
    write_file(&fd, p, len, "/enc/f");
    open_as(&pf, &fd, key, "/enc/f");
    int ok = pf_set_size(&pf, 5000) == 0 && pf_set_size(&pf, 9000) == 0 &&
             pf_write(&pf, "end", 3, 20000) == 3 && pf_flush(&pf) == 0;
    pf_close(&pf);
    uint8_t *want = calloc(1, 20003);
    memcpy(want, p, 5000);
    memcpy(want + 20000, "end", 3);
    CHECK(ok && read_back(&fd, want, 20003, "/enc/f") == 0,
          "shrink then grow reads zeros past the cut, a gap reads zeros");
    open_as(&pf, &fd, key, "/enc/f");
    ok = pf_set_path(&pf, "/enc/renamed") == 0 && pf_flush(&pf) == 0;
    pf_close(&pf);
    CHECK(ok && read_back(&fd, want, 20003, "/enc/renamed") == 0 &&
              read_back(&fd, want, 20003, "/enc/f") == -PF_EACCES,
          "a re-bound file opens under its new path only");
    free(want);
    free(host);
    free(p);
    check_cut_flushes(&fd);
    return TAP_DONE();
}
