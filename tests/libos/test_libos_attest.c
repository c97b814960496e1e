/* libOS unit tier: /dev/attestation (fs/dev_attestation.c) with the key
 * table (fs/keys.c), over a fake PAL whose attest_* calls record what they
 * were given. Covers what the sim cannot reach yet: keys/ for a key an
 * encrypted mount names (unset, then provisioned: raw 16 bytes only, no
 * hex, as Gramine), a key set by other means, the platform keys' files;
 * EACCES for a failing PAL and ENOSYS for a PAL without attestation. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/keys.h"
#include "fs/vfs.h"
#include "tap.h"

const struct pal_api *pal;
const struct pal_boot *pal_boot_info;
struct libos_config libos_cfg;
int libos_log_level;

void log_at(int level, const char *fmt, ...)
{
    (void)level, (void)fmt;
}
const char *errno_name(long err)
{
    (void)err;
    return "E";
}
void spin_lock(spinlock_t *l)
{
    l->v = 1;
}
void spin_unlock(spinlock_t *l)
{
    l->v = 0;
}
struct file *file_new(const struct file_ops *ops, pal_handle h, int flags)
{
    struct file *f = calloc(1, sizeof(*f));
    f->refs = 1, f->ops = ops, f->h = h, f->flags = flags;
    return f;
}

static uint8_t seen_rd[64], seen_ti[512];
static long fail_with;

static long fake_report(const void *ti, const void *rd, void *out)
{
    memcpy(seen_ti, ti, 512), memcpy(seen_rd, rd, 64);
    memset(out, 0x77, 432);
    return fail_with;
}
static long fake_target(void *ti)
{
    memset(ti, 0x66, 512);
    return fail_with;
}
static long fake_quote(const void *rd, void *buf, size_t len)
{
    memcpy(seen_rd, rd, 64);
    if (fail_with)
        return fail_with;
    memset(buf, 0x55, 1000 < len ? 1000 : len);
    return 1000;
}

static int open_(const char *path, int flags, struct file **f)
{
    return dev_attestation_open(path, flags, f);
}
static void put(struct file *f)
{
    f->ops->release(f);
    free(f);
}
/* open, write, close: the write's result (or the open's error) */
static long wr(const char *path, const void *buf, size_t n)
{
    struct file *f;
    int r = open_(path, O_WRONLY, &f);
    if (r < 0)
        return r;
    long w = f->ops->write(f, buf, n);
    put(f);
    return w;
}
static long rd(const char *path, void *buf, size_t n)
{
    struct file *f;
    int r = open_(path, O_RDONLY, &f);
    if (r < 0)
        return r;
    long g = f->ops->read(f, buf, n);
    put(f);
    return g;
}
static int listing(const char *path, char *names, size_t cap)
{
    struct file *f;
    char buf[4096];
    if (open_(path, O_RDONLY | O_DIRECTORY, &f) < 0)
        return -1;
    long n = f->ops->readdir(f, buf, sizeof(buf));
    names[0] = 0;
    for (long at = 0; at < n;) {
        uint16_t rl;
        memcpy(&rl, buf + at + 16, 2);
        snprintf(names + strlen(names), cap - strlen(names), "%s%s ", buf + at + 19,
                 buf[at + 18] == 4 ? "/" : "");
        at += rl;
    }
    put(f);
    return 0;
}

int main(void)
{
    struct pal_api api = {.size = sizeof(api)};
    struct pal_boot boot = {.flags = PAL_BOOT_ENCLAVE};
    Geode__Manifest m = GEODE__MANIFEST__INIT;
    Geode__Sgx sgx = GEODE__SGX__INIT;
    Geode__Mount enc = GEODE__MOUNT__INIT, *mounts[] = {&enc};
    uint8_t key[16], got[64], buf[2048];
    char names[512];

    api.attest_report = fake_report, api.attest_target_info = fake_target;
    api.attest_quote = fake_quote;
    pal = &api, pal_boot_info = &boot;
    sgx.remote_attestation = GEODE__REMOTE_ATTESTATION__RA_DCAP;
    enc.type = GEODE__MOUNT_TYPE__MOUNT_ENCRYPTED, enc.key_name = "mykey", enc.path = "/enc";
    m.sgx = &sgx, m.n_mounts = 1, m.mounts = mounts;
    dev_attestation_init(&m);

    CHECK(listing("/dev/attestation/keys", names, sizeof(names)) == 0 &&
              !strcmp(names, "./ ../ _sgx_mrenclave _sgx_mrsigner mykey "),
          "keys/ lists the platform keys and the key an encrypted mount names: %s", names);
    CHECK(rd("/dev/attestation/keys/mykey", buf, 100) == 0, "an unset key reads empty");
    CHECK(wr("/dev/attestation/keys/mykey", "0123456789abcdef0123456789abcdef", 32) == -PAL_EACCES,
          "32 hex digits are refused (EACCES: raw bytes only, as Gramine)");
    CHECK(wr("/dev/attestation/keys/mykey", "short", 5) == -PAL_EACCES, "5 bytes: EACCES");
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)(0xc0 + i);
    CHECK(wr("/dev/attestation/keys/mykey", key, 16) == 16 && fs_key_get("mykey", got) == 0 &&
              !memcmp(got, key, 16),
          "16 raw bytes provision the key in the table the encrypted mounts use");
    CHECK(rd("/dev/attestation/keys/mykey", buf, 100) == 16 && !memcmp(buf, key, 16),
          "a new descriptor reads the key back");
    CHECK(rd("/dev/attestation/keys/other", buf, 16) == -PAL_ENOENT,
          "a key nobody named does not exist (ENOENT)");
    fs_key_set("other", key);
    CHECK(rd("/dev/attestation/keys/other", buf, 100) == 16 &&
              listing("/dev/attestation/keys", names, sizeof(names)) == 0 &&
              strstr(names, "other "),
          "a key set elsewhere (fs.insecure__keys) appears: %s", names);
    CHECK(wr("/dev/attestation/keys/_sgx_mrenclave", key, 16) == -PAL_EACCES,
          "a platform key is read-only");
    CHECK(wr("/dev/attestation/keys/a/b", key, 16) == -PAL_ENOENT, "keys/a/b: ENOENT");

    memset(buf, 0x11, 64);
    wr("/dev/attestation/user_report_data", buf, 64);
    memset(buf, 0x22, 512);
    wr("/dev/attestation/target_info", buf, 300);
    CHECK(rd("/dev/attestation/report", buf, sizeof(buf)) == 432 && seen_rd[63] == 0x11 &&
              seen_ti[299] == 0x22 && seen_ti[300] == 0,
          "report: the PAL gets user_report_data and target_info (a short write padded)");
    CHECK(rd("/dev/attestation/quote", buf, sizeof(buf)) == 1000 && buf[999] == 0x55,
          "quote: the PAL's quote, all of it");
    fail_with = -PAL_EIO;
    CHECK(rd("/dev/attestation/report", buf, 10) == -PAL_EACCES &&
              rd("/dev/attestation/quote", buf, 10) == -PAL_EACCES &&
              rd("/dev/attestation/my_target_info", buf, 10) == -PAL_EACCES,
          "a failing PAL: EACCES at open, as Gramine");
    fail_with = 0;

    sgx.remote_attestation = GEODE__REMOTE_ATTESTATION__RA_NONE;
    dev_attestation_init(&m);
    CHECK(rd("/dev/attestation/quote", buf, 10) == -PAL_ENOENT &&
              rd("/dev/attestation/attestation_type", buf, 10) == 4 && !memcmp(buf, "none", 4),
          "remote_attestation none: no quote file, type none");
    api.attest_report = NULL, api.attest_target_info = NULL, api.attest_quote = NULL;
    CHECK(rd("/dev/attestation/report", buf, 10) == -PAL_ENOSYS &&
              rd("/dev/attestation/my_target_info", buf, 10) == -PAL_ENOSYS,
          "a PAL without attestation: ENOSYS");
    return TAP_DONE();
}
