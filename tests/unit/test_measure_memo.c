/* The measurement memo (pal/sgx/identity/measure.h, loader/measure_memo.c):
 * a long run of EADD records gives the MRENCLAVE of the hand-built record
 * stream whether the memo misses (and is filled) or hits; the memo is
 * really what a hit uses (a wrong state in it changes the result); short
 * runs never ask it; the key names the state before the run and the run
 * itself; the loader's per-user store keeps entries across processes and
 * ignores a damaged one. */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_Init and friends */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "measure.h"
#include "measure_memo.h"
#include "tap.h"

#define PAGE 4096ULL

/* --- an in-memory memo ---------------------------------------------- */

static struct {
    uint8_t key[32], state[32];
} table[16];
static int n_table, gets, hits, n_puts, corrupt;

static int mem_get(const uint8_t key[32], uint8_t state[32])
{
    gets++;
    for (int i = 0; i < n_table; i++)
        if (!memcmp(table[i].key, key, 32)) {
            memcpy(state, table[i].state, 32);
            state[0] ^= (uint8_t)corrupt;
            hits++;
            return 0;
        }
    return -1;
}

static void mem_put(const uint8_t key[32], const uint8_t state[32])
{
    n_puts++;
    if (n_table < 16) {
        memcpy(table[n_table].key, key, 32);
        memcpy(table[n_table++].state, state, 32);
    }
}

static const struct sgx_measure_memo mem = {mem_get, mem_put};

/* --- the enclave: ECREATE, a run of `heap` unmeasured pages at 0, then
 * one measured page and a short run of 3 ------------------------------- */

static uint8_t page[PAGE];

static int engine(uint64_t heap, uint64_t heap_flags, uint8_t out[32])
{
    struct sgx_secinfo h = {.flags = heap_flags}, rx = {.flags = 0x205}, rw = {.flags = 0x203};
    struct sgx_measure m;
    uint64_t off = 0;
    int ret = sgx_measure_init(&m, 1, 1ULL << 30);

    for (uint64_t i = 0; !ret && i < heap; i++, off += PAGE)
        ret = sgx_measure_add_page(&m, off, &h, NULL, false);
    ret = ret ? ret : sgx_measure_add_page(&m, off, &rx, page, true);
    off += PAGE;
    for (int i = 0; !ret && i < 3; i++, off += PAGE)
        ret = sgx_measure_add_page(&m, off, &rw, NULL, false);
    ret = ret ? ret : sgx_measure_final(&m, out);
    sgx_measure_free(&m);
    return ret;
}

static void rec(SHA256_CTX *c, const char *tag, uint64_t a, uint64_t b)
{
    uint8_t r[64] = {0};

    memcpy(r, tag, strlen(tag));
    memcpy(r + 8, &a, 8);
    memcpy(r + 16, &b, 8);
    SHA256_Update(c, r, 64);
}

/* The same stream written record by record. */
static void expected(uint64_t heap, uint64_t heap_flags, uint8_t out[32])
{
    SHA256_CTX c;
    uint8_t r[64] = "ECREATE";
    uint32_t ssa = 1;
    uint64_t size = 1ULL << 30, off = 0;

    SHA256_Init(&c);
    memcpy(r + 8, &ssa, 4);
    memcpy(r + 12, &size, 8);
    SHA256_Update(&c, r, 64);
    for (uint64_t i = 0; i < heap; i++, off += PAGE)
        rec(&c, "EADD", off, heap_flags);
    rec(&c, "EADD", off, 0x205);
    for (uint64_t k = 0; k < PAGE; k += 256) {
        uint8_t e[64] = "EEXTEND";
        uint64_t at = off + k;

        memcpy(e + 8, &at, 8);
        SHA256_Update(&c, e, 64);
        SHA256_Update(&c, page + k, 256);
    }
    off += PAGE;
    for (int i = 0; i < 3; i++, off += PAGE)
        rec(&c, "EADD", off, 0x203);
    SHA256_Final(out, &c);
}

static void engine_with_memo(void)
{
    uint8_t want[32], got[32];

    expected(5000, 0x207, want);
    sgx_measure_set_memo(&mem);
    CHECK(engine(5000, 0x207, got) == 0 && !memcmp(got, want, 32) && n_puts == 1 && hits == 0,
          "a memo miss: the hand-built MRENCLAVE, and the run's state kept once");
    CHECK(engine(5000, 0x207, got) == 0 && !memcmp(got, want, 32) && hits == 1 && n_puts == 1,
          "a memo hit: the same MRENCLAVE, nothing kept again");
    corrupt = 1;
    CHECK(engine(5000, 0x207, got) == 0 && memcmp(got, want, 32), "a hit really uses the memo's state");
    corrupt = 0;
    expected(5001, 0x207, want);
    CHECK(engine(5001, 0x207, got) == 0 && !memcmp(got, want, 32) && n_table == 2,
          "a longer run is another entry");
    expected(5000, 0x203, want);
    CHECK(engine(5000, 0x203, got) == 0 && !memcmp(got, want, 32) && n_table == 3,
          "another SECINFO is another entry");
    gets = 0;
    expected(1000, 0x207, want);
    CHECK(engine(1000, 0x207, got) == 0 && !memcmp(got, want, 32) && gets == 0,
          "a run shorter than the memo's minimum never asks it");
    sgx_measure_set_memo(NULL);
    expected(5000, 0x207, want);
    CHECK(engine(5000, 0x207, got) == 0 && !memcmp(got, want, 32), "without a memo: the same MRENCLAVE");
}

/* --- the loader's store --------------------------------------------- */

static void loader_store(void)
{
    char dir[] = "/tmp/geode-mm-XXXXXX", cmd[256];
    uint8_t want[32], got[32];
    FILE *f;

    if (!mkdtemp(dir))
        return;
    setenv("GEODE_MEASURE_MEMO", dir, 1);
    measure_memo_install();
    expected(4096, 0x207, want);
    CHECK(engine(4096, 0x207, got) == 0 && !memcmp(got, want, 32), "the store: the first measurement");
    snprintf(cmd, sizeof(cmd), "ls %s | grep -c '^[0-9a-f]\\{64\\}\\.run$'", dir);
    f = popen(cmd, "r");
    int n = 0;
    CHECK(f && fscanf(f, "%d", &n) == 1 && n == 1, "one entry is kept in the store's directory");
    if (f)
        pclose(f);
    CHECK(engine(4096, 0x207, got) == 0 && !memcmp(got, want, 32), "a second measurement from the kept entry");
    /* Flip a byte of the kept state: the check refuses the entry, the run
     * is hashed again, and the result is still right. */
    snprintf(cmd, sizeof(cmd), "for e in %s/*.run; do printf '\\377' | dd of=$e bs=1 seek=3 conv=notrunc 2>/dev/null; done", dir);
    CHECK(system(cmd) == 0, "an entry damaged on disk");
    CHECK(engine(4096, 0x207, got) == 0 && !memcmp(got, want, 32), "a damaged entry is not used");
    snprintf(cmd, sizeof(cmd), "for e in %s/*.run; do truncate -s 10 $e; done", dir);
    CHECK(system(cmd) == 0 && engine(4096, 0x207, got) == 0 && !memcmp(got, want, 32),
          "a short entry is not used");
    setenv("GEODE_MEASURE_MEMO", "off", 1);
    CHECK(engine(4096, 0x207, got) == 0 && !memcmp(got, want, 32), "off: measured all the same");
    sgx_measure_set_memo(NULL);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd))
        return;
}

int main(void)
{
    for (uint64_t i = 0; i < PAGE; i++)
        page[i] = (uint8_t)(i * 13 + 1);
    engine_with_memo();
    loader_store();
    return TAP_DONE();
}
