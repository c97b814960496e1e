/* The development flow's kept signatures (loader/sig_cache.c): the entry's
 * name changes with every input of the measurement and of the signature
 * but the date (and with the key file), not with what the measurement does
 * not cover (an unmeasured page's bytes); an entry is found only whole,
 * verifying and with the asked fields; off means off. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sig_cache.h"
#include "tap.h"

#define PAGE 4096
/* A check that prints only when it fails. */
#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            CHECK(0, __VA_ARGS__);                                                                 \
    } while (0)

static char dir[] = "/tmp/geode-sc-XXXXXX";
static uint8_t data[3][PAGE];
static struct sgx_layout_page pages[2 + 64];

/* Two measured pages, then a heap of 64 unmeasured ones. */
static struct sgx_layout layout(void)
{
    for (int i = 0; i < 2; i++)
        pages[i] = (struct sgx_layout_page){.offset = (uint64_t)i * PAGE, .secinfo_flags = 0x201, .measured = true,
                                            .data = data[i], .region = "elf0"};
    for (int i = 0; i < 64; i++)
        pages[2 + i] = (struct sgx_layout_page){.offset = (uint64_t)(16 + i) * PAGE, .secinfo_flags = 0x207,
                                                .data = i == 5 ? data[2] : NULL, .region = "heap"};
    return (struct sgx_layout){.size = 1 << 20, .ssa_frame_size = 1, .pages = pages, .n_pages = 66};
}

static struct sgx_sign_params params(void)
{
    return (struct sgx_sign_params){.date_bcd = 0x20261207, .miscselect = 0, .miscmask = ~0U,
                                    .attributes = {0x4, 0x3}, .attribute_mask = {~0ULL, ~0ULL},
                                    .isv_prod_id = 7, .isv_svn = 2};
}

static int key_of(const struct sgx_layout *l, const struct sgx_sign_params *p, const char *kf, uint8_t out[32])
{
    return sig_cache_key(l, p, kf, out);
}

int main(void)
{
    struct sgx_err err = {{0}};
    char kf[128], kf2[128];
    uint8_t base[32], k[32];

    if (!mkdtemp(dir))
        return 1;
    snprintf(kf, sizeof(kf), "%s/key.pem", dir);
    snprintf(kf2, sizeof(kf2), "%s/key2.pem", dir);
    sgx_sign_key *key = sgx_key_generate(&err), *key2 = sgx_key_generate(&err);
    if (!CHECK(key && key2 && !sgx_key_write_pem(key, kf, &err) && !sgx_key_write_pem(key2, kf2, &err),
               "two signing keys in files"))
        return TAP_DONE();
    memset(data, 0x5a, sizeof(data));
    struct sgx_layout l = layout();
    struct sgx_sign_params p = params();

    CHECK(key_of(&l, &p, kf, base) == 0, "an entry's name for a layout, parameters and key file");
    CHECK(key_of(&l, &p, NULL, k) == -1 && key_of(&l, &p, "/nonexistent/key.pem", k) == -1,
          "no key file (a fresh key each run): no name, nothing kept");

    /* What changes the name, and what does not. */
    struct {
        const char *what;
        bool changes;
    } cases[] = {
        {"a measured page's byte", true},       {"an unmeasured page's bytes", false},
        {"a page's SECINFO flags", true},       {"one heap page fewer", true},
        {"a page's offset", true},              {"a page becoming measured", true},
        {"the enclave size", true},             {"the SSA frame size", true},
        {"ISVSVN", true},                       {"ATTRIBUTES.XFRM", true},
        {"the mask of ATTRIBUTES", true},       {"MISCSELECT", true},
        {"the date", false},                    {"MRENCLAVE asked (it is computed)", false},
        {"the key file", true},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sgx_layout m = layout();
        struct sgx_sign_params q = params();
        const char *f = kf;
        memset(data, 0x5a, sizeof(data));
        switch (i) {
        case 0: data[1][100] ^= 1; break;
        case 1: data[2][7] ^= 1; break;
        case 2: pages[3].secinfo_flags = 0x203; break;
        case 3: m.n_pages--; break;
        case 4: pages[40].offset += PAGE; break;
        case 5: pages[7].measured = true; break;
        case 6: m.size <<= 1; break;
        case 7: m.ssa_frame_size++; break;
        case 8: q.isv_svn++; break;
        case 9: q.attributes.xfrm |= 4; break;
        case 10: q.attribute_mask.xfrm = 3; break;
        case 11: q.miscselect = 1; break;
        case 12: q.date_bcd = 0x20270101; break;
        case 13: memset(q.enclave_hash, 0xee, 32); break;
        case 14: f = kf2; break;
        }
        bool changed = key_of(&m, &q, f, k) == 0 && memcmp(k, base, 32);
        EXPECT(changed == cases[i].changes, "%s: the name %s", cases[i].what, changed ? "changed" : "stayed");
        bad += changed != cases[i].changes;
    }
    memset(data, 0x5a, sizeof(data));
    l = layout();
    CHECK(!bad, "the name covers every input of MRENCLAVE and the signature but the date (%zu cases)",
          sizeof(cases) / sizeof(cases[0]));

    /* Store, load, refuse. */
    setenv("GEODE_SIG_CACHE", dir, 1);
    struct sgx_sigstruct sig, got;
    memset(p.enclave_hash, 0x42, 32);
    if (!CHECK(sgx_sigstruct_sign(&p, key, &sig, &err) == 0, "a SIGSTRUCT"))
        return TAP_DONE();
    CHECK(sig_cache_load(base, &p, &got) == -1, "nothing kept yet: a miss");
    sig_cache_store(base, &sig);
    CHECK(sig_cache_load(base, &p, &got) == 0 && !memcmp(&got, &sig, sizeof(sig)), "kept, then found whole");
    struct sgx_sign_params other = p;
    other.isv_prod_id++;
    CHECK(sig_cache_load(base, &other, &got) == -1, "an entry whose fields are not the ones asked: a miss");
    other = p;
    other.date_bcd = 0x20300101;
    memset(other.enclave_hash, 0, 32);
    CHECK(sig_cache_load(base, &other, &got) == 0, "another date or MRENCLAVE asked: found (EINIT checks)");

    char path[512];
    int n = snprintf(path, sizeof(path), "%s/", dir);
    for (int i = 0; i < 32; i++)
        n += snprintf(path + n, sizeof(path) - (size_t)n, "%02x", base[i]);
    snprintf(path + n, sizeof(path) - (size_t)n, ".sig");
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == (off_t)sizeof(sig),
          "one private file of one SIGSTRUCT, named by the key");
    struct sgx_sigstruct flipped = sig;
    flipped.signature[10] ^= 1;
    sig_cache_store(base, &flipped);
    CHECK(sig_cache_load(base, &p, &got) == -1, "a signature that does not verify: a miss");
    FILE *fp = fopen(path, "wb");
    fwrite(&sig, 1, sizeof(sig) - 1, fp);
    fclose(fp);
    CHECK(sig_cache_load(base, &p, &got) == -1, "a short file: a miss");
    fp = fopen(path, "wb");
    fwrite(&sig, 1, sizeof(sig), fp);
    fputc(0, fp);
    fclose(fp);
    CHECK(sig_cache_load(base, &p, &got) == -1, "a long file: a miss");
    sig_cache_store(base, &sig);
    sig_cache_drop(base);
    CHECK(sig_cache_load(base, &p, &got) == -1 && access(path, F_OK) != 0, "dropped: gone");

    setenv("GEODE_SIG_CACHE", "off", 1);
    sig_cache_store(base, &sig);
    CHECK(sig_cache_load(base, &p, &got) == -1 && access(path, F_OK) != 0,
          "GEODE_SIG_CACHE=off: nothing kept, nothing found");
    char sub[256];
    snprintf(sub, sizeof(sub), "%s/a/b", dir);
    setenv("GEODE_SIG_CACHE", sub, 1);
    sig_cache_store(base, &sig);
    CHECK(sig_cache_load(base, &p, &got) == 0, "a cache directory that did not exist is made");

    /* Bounded: 600 entries stored leave at most 512, the newest kept. */
    uint8_t name[32];
    for (int i = 0; i < 600; i++) {
        memset(name, 0, sizeof(name));
        memcpy(name, &i, sizeof(i));
        sig_cache_store(name, &sig);
    }
    int count = 0;
    for (int i = 0; i < 600; i++) {
        memset(name, 0, sizeof(name));
        memcpy(name, &i, sizeof(i));
        count += sig_cache_load(name, &p, &got) == 0;
    }
    memset(name, 0, sizeof(name));
    int last = 599;
    memcpy(name, &last, sizeof(last));
    CHECK(count <= 512 && count >= 256 && sig_cache_load(name, &p, &got) == 0,
          "600 entries stored: %d kept (at most 512), the last one among them", count);

    sgx_key_free(key);
    sgx_key_free(key2);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd))
        return 1;
    return TAP_DONE();
}
