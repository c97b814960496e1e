/* EREPORT and EGETKEY (SDM vol. 3D, ENCLU[EREPORT], ENCLU[EGETKEY]) from a
 * simulated per-machine root key.
 *
 * Every key is HMAC-SHA256(root key, derivation record) truncated to 128
 * bits; the record holds the key name and the identity fields the SDM binds
 * (MRENCLAVE and/or MRSIGNER per KEYPOLICY, ISVPRODID, ISVSVN, masked
 * ATTRIBUTES/MISCSELECT and the masks themselves, CPUSVN, KEYID, CONFIGSVN). A REPORT is MACed with
 * AES-128-CMAC under the target's report key, so EGETKEY(REPORT) in the
 * target enclave verifies it, as on hardware. The handler calls OpenSSL: it
 * runs on the host side of the thread (host FS restored), which is not
 * inside any libc call since it was executing enclave code. */
/* OpenSSL's low-level SHA-256 and AES (kept in OpenSSL 3, marked
 * deprecated): see hmac_sha256. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <fcntl.h>
#include <openssl/aes.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_ctx.h"
#include "sim_exec.h"
#include "sim_qe.h"

static uint8_t root_key[16];
static volatile bool root_key_set;

struct derivation {
    char label[16];
    uint16_t key_name, key_policy, isv_prod_id, isv_svn, config_svn;
    uint8_t mrenclave[32], mrsigner[32];
    struct sgx_attributes attributes;
    uint32_t miscselect;
    uint8_t cpu_svn[16], key_id[32], config_id[64];
    uint8_t isv_family_id[16], isv_ext_prod_id[16];
    /* The request's masks themselves (SDM: ATTRIBUTEMASK and MISCMASK are
     * key dependencies of SEAL and PROVISION keys, not only filters). */
    struct sgx_attributes attribute_mask;
    uint32_t misc_mask;
} __attribute__((packed));

void sgx_sim_set_root_key(const uint8_t key[16])
{
    memcpy(root_key, key, sizeof(root_key));
    root_key_set = true;
}

static int default_key_path(char *buf, size_t len)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    int n;

    if (xdg && *xdg)
        n = snprintf(buf, len, "%s/geode/sim-root-key", xdg);
    else if (home && *home)
        n = snprintf(buf, len, "%s/.config/geode/sim-root-key", home);
    else
        return -ENOENT;
    return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

/* mkdir -p of the directory part of path, mode 0700 (errors show up when
 * the file is created). */
static void make_parents(const char *path)
{
    char dir[4096];

    snprintf(dir, sizeof(dir), "%s", path);
    for (char *p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = 0;
        mkdir(dir, 0700);
        *p = '/';
    }
}

/* Creates path (and its directory) holding a new random key, mode 0600. */
static int create_key_file(const char *path)
{
    uint8_t key[16];
    int fd;

    make_parents(path);
    if (RAND_bytes(key, sizeof(key)) != 1)
        return -EIO;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    if (write(fd, key, sizeof(key)) != (ssize_t)sizeof(key)) {
        close(fd);
        unlink(path);
        return -EIO;
    }
    close(fd);
    sgx_sim_set_root_key(key);
    return 0;
}

int sgx_sim_load_root_key(const char *path)
{
    char def[4096];
    uint8_t key[16];
    int fd, ret;

    if (!path) {
        ret = default_key_path(def, sizeof(def));
        if (ret)
            return ret;
        path = def;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? create_key_file(path) : -errno;
    ret = read(fd, key, sizeof(key)) == (ssize_t)sizeof(key) ? 0 : -EINVAL;
    close(fd);
    if (!ret)
        sgx_sim_set_root_key(key);
    return ret;
}

void sim_root_key_ensure(void)
{
    uint8_t key[16];
    int ret;

    if (root_key_set)
        return;
    ret = sgx_sim_load_root_key(NULL);
    if (!ret)
        return;
    fprintf(stderr, "geode sim: no root key file (%s); using a random key for this process\n", strerror(-ret));
    if (RAND_bytes(key, sizeof(key)) != 1)
        memset(key, 0x5a, sizeof(key)); /* still deterministic per process; warned */
    sgx_sim_set_root_key(key);
}

/* HMAC-SHA256 under the root key, with OpenSSL's low-level SHA-256: no
 * library context, no per-thread error state, no lock. A host process
 * forked while another of its threads was inside libcrypto's high-level
 * API (a thread ending runs its per-thread clean-up under a global lock)
 * inherits those locks taken, and the child's EREPORT or EGETKEY then
 * waited on them for good (CPython's test_threading, sim). */
static void hmac_sha256(const void *msg, size_t len, uint8_t out[32])
{
    uint8_t pad[64], inner[32];
    SHA256_CTX c;

    for (int pass = 0; pass < 2; pass++) {
        memset(pad, pass ? 0x5c : 0x36, sizeof(pad));
        for (size_t i = 0; i < sizeof(root_key); i++)
            pad[i] ^= root_key[i];
        SHA256_Init(&c);
        SHA256_Update(&c, pad, sizeof(pad));
        if (pass)
            SHA256_Update(&c, inner, sizeof(inner));
        else
            SHA256_Update(&c, msg, len);
        SHA256_Final(pass ? out : inner, &c);
    }
    OPENSSL_cleanse(pad, sizeof(pad));
    OPENSSL_cleanse(inner, sizeof(inner));
    OPENSSL_cleanse(&c, sizeof(c));
}

static int derive(const struct derivation *d, uint8_t out[16])
{
    uint8_t mac[32];

    hmac_sha256(d, sizeof(*d), mac);
    memcpy(out, mac, 16);
    OPENSSL_cleanse(mac, sizeof(mac));
    return 0;
}

/* CR_REPORT_KEYID: fixed for the (simulated) machine. */
static void report_keyid(uint8_t keyid[32])
{
    static const char label[] = "geode-sim-report-keyid";

    hmac_sha256(label, sizeof(label), keyid);
}

/* The report key of an enclave with these identity fields. */
static int report_key(const uint8_t mrenclave[32], const struct sgx_attributes *attr, uint32_t misc,
                      uint16_t config_svn, const uint8_t config_id[64], const uint8_t keyid[32], uint8_t out[16])
{
    struct derivation d;

    memset(&d, 0, sizeof(d));
    memcpy(d.label, "REPORT", 6);
    d.key_name = SGX_KEYNAME_REPORT;
    memcpy(d.mrenclave, mrenclave, 32);
    d.attributes = *attr;
    d.miscselect = misc;
    d.config_svn = config_svn;
    memcpy(d.config_id, config_id, 64);
    memcpy(d.key_id, keyid, 32);
    return derive(&d, out);
}

/* sim_qe.c: the sim's quoting enclave checks REPORTs made for it, and
 * derives its attestation key from the machine's secret. */
int sim_report_key_for(const struct sgx_targetinfo *ti, const uint8_t keyid[32], uint8_t out[16])
{
    sim_root_key_ensure();
    return report_key(ti->measurement, &ti->attributes, ti->miscselect, ti->config_svn,
                      ti->config_id, keyid, out);
}

int sim_root_hmac(const void *label, size_t len, uint8_t out[32])
{
    sim_root_key_ensure();
    hmac_sha256(label, len, out);
    return 0;
}

/* CMAC's subkey doubling in GF(2^128) (RFC 4493, 2.3). */
static void cmac_double(const uint8_t in[16], uint8_t out[16])
{
    uint8_t carry = in[0] >> 7;

    for (int i = 0; i < 15; i++)
        out[i] = (uint8_t)(in[i] << 1 | in[i + 1] >> 7);
    out[15] = (uint8_t)(in[15] << 1 ^ (carry ? 0x87 : 0));
}

/* AES-128-CMAC (RFC 4493) with the low-level AES, for hmac_sha256's
 * reason. */
static int cmac(const uint8_t key[16], const void *data, size_t len, uint8_t out[16])
{
    const uint8_t *m = data;
    uint8_t k1[16], k2[16], x[16] = {0}, last[16];
    size_t n = len ? (len + 15) / 16 : 1;
    int whole = len && len % 16 == 0;
    AES_KEY ks;

    if (AES_set_encrypt_key(key, 128, &ks))
        return -1;
    AES_encrypt(x, k1, &ks); /* L = AES(K, 0) */
    cmac_double(k1, k1);
    cmac_double(k1, k2);
    for (size_t b = 0; b + 1 < n; b++) {
        for (int i = 0; i < 16; i++)
            x[i] ^= m[16 * b + i];
        AES_encrypt(x, x, &ks);
    }
    memset(last, 0, sizeof(last));
    if (len)
        memcpy(last, m + 16 * (n - 1), len - 16 * (n - 1));
    if (!whole)
        last[len - 16 * (n - 1)] = 0x80;
    for (int i = 0; i < 16; i++)
        x[i] ^= last[i] ^ (whole ? k1[i] : k2[i]);
    AES_encrypt(x, out, &ks);
    OPENSSL_cleanse(&ks, sizeof(ks));
    OPENSSL_cleanse(k1, sizeof(k1));
    OPENSSL_cleanse(k2, sizeof(k2));
    return 0;
}

static void fill_body(const struct sgx_driver_encl *encl, struct sgx_report_body *b)
{
    const struct sgx_secs *s = &encl->secs;

    memset(b, 0, sizeof(*b));
    b->miscselect = s->miscselect;
    b->attributes = s->attributes;
    memcpy(b->mrenclave, s->mrenclave, 32);
    memcpy(b->mrsigner, s->mrsigner, 32);
    memcpy(b->config_id, s->config_id, 64);
    b->isv_prod_id = s->isv_prod_id;
    b->isv_svn = s->isv_svn;
    b->config_svn = s->config_svn;
    memcpy(b->isv_family_id, encl->isv_family_id, 16);
    memcpy(b->isv_ext_prod_id, encl->isv_ext_prod_id, 16);
}

static void *operand(struct sgx_driver_encl *encl, uint64_t addr, uint64_t len, uint64_t align, uint8_t perms)
{
    if ((addr & (align - 1)) || !sim_encl_range_ok(encl, addr, len, perms))
        return NULL;
    return sim_alias(encl, addr - encl->secs.base);
}

int sim_ereport(struct sgx_driver_encl *encl, ucontext_t *uc)
{
    const struct sgx_targetinfo *ti = operand(encl, (uint64_t)SIM_GREG(uc, RBX), 512, 512, SGX_SECINFO_R);
    const uint8_t *data = operand(encl, (uint64_t)SIM_GREG(uc, RCX), 64, 128, SGX_SECINFO_R);
    uint8_t *out = operand(encl, (uint64_t)SIM_GREG(uc, RDX), SGX_REPORT_SIZE, 512, SGX_SECINFO_W);
    struct sgx_report r __attribute__((aligned(512)));
    uint8_t key[16];

    if (!ti || !data || !out)
        return SGX_VEC_GP;
    memset(&r, 0, sizeof(r));
    fill_body(encl, &r.body);
    memcpy(r.body.report_data, data, 64);
    report_keyid(r.key_id);
    if (report_key(ti->measurement, &ti->attributes, ti->miscselect, ti->config_svn, ti->config_id, r.key_id, key) ||
        cmac(key, &r.body, sizeof(r.body), r.mac))
        return SGX_VEC_GP;
    memcpy(out, &r, SGX_REPORT_SIZE);
    __atomic_add_fetch(&encl->counters.ereport, 1, __ATOMIC_RELAXED);
    return 0;
}

/* SEAL / PROVISION / PROVISION_SEAL derivation per KEYPOLICY. */
static void seal_record(const struct sgx_driver_encl *encl, const struct sgx_keyrequest *kr, struct derivation *d)
{
    const struct sgx_secs *s = &encl->secs;

    memcpy(d->label, "KEY", 3);
    d->key_name = kr->key_name;
    d->key_policy = kr->key_policy;
    if (kr->key_policy & SGX_KEYPOLICY_MRENCLAVE)
        memcpy(d->mrenclave, s->mrenclave, 32);
    if (kr->key_policy & SGX_KEYPOLICY_MRSIGNER || kr->key_name == SGX_KEYNAME_PROVISION)
        memcpy(d->mrsigner, s->mrsigner, 32);
    if (!(kr->key_policy & SGX_KEYPOLICY_NOISVPRODID))
        d->isv_prod_id = s->isv_prod_id;
    if (kr->key_policy & SGX_KEYPOLICY_CONFIGID)
        memcpy(d->config_id, s->config_id, 64);
    if (kr->key_policy & SGX_KEYPOLICY_ISVFAMILYID)
        memcpy(d->isv_family_id, encl->isv_family_id, 16);
    if (kr->key_policy & SGX_KEYPOLICY_ISVEXTPRODID)
        memcpy(d->isv_ext_prod_id, encl->isv_ext_prod_id, 16);
    d->isv_svn = kr->isv_svn;
    d->config_svn = kr->config_svn;
    /* INIT and DEBUG are always bound, whatever the mask says. */
    d->attributes.flags = s->attributes.flags & (kr->attribute_mask.flags | SGX_ATTR_INIT | SGX_ATTR_DEBUG);
    d->attributes.xfrm = s->attributes.xfrm & kr->attribute_mask.xfrm;
    d->miscselect = s->miscselect & kr->misc_mask;
    d->attribute_mask = kr->attribute_mask;
    d->misc_mask = kr->misc_mask;
    memcpy(d->cpu_svn, kr->cpu_svn, 16);
    memcpy(d->key_id, kr->key_id, 32);
}

/* 0 and the key, or an SGX error code for RAX. */
static int getkey(const struct sgx_driver_encl *encl, const struct sgx_keyrequest *kr, uint8_t key[16])
{
    const struct sgx_secs *s = &encl->secs;
    struct derivation d;
    static const uint8_t zero16[16];

    if (kr->key_name == SGX_KEYNAME_REPORT)
        return report_key(s->mrenclave, &s->attributes, s->miscselect, s->config_svn, s->config_id, kr->key_id, key)
                   ? SGX_INVALID_KEYNAME
                   : 0;
    if (kr->key_name == SGX_KEYNAME_EINITTOKEN && !(s->attributes.flags & SGX_ATTR_EINITTOKENKEY))
        return SGX_INVALID_ATTRIBUTE;
    if ((kr->key_name == SGX_KEYNAME_PROVISION || kr->key_name == SGX_KEYNAME_PROVISION_SEAL) &&
        !(s->attributes.flags & SGX_ATTR_PROVISIONKEY))
        return SGX_INVALID_ATTRIBUTE;
    if (kr->key_name > SGX_KEYNAME_SEAL)
        return SGX_INVALID_KEYNAME;
    if (kr->isv_svn > s->isv_svn || kr->config_svn > s->config_svn)
        return SGX_INVALID_ISVSVN;
    if (memcmp(kr->cpu_svn, zero16, 16)) /* the simulated CPUSVN is all zero */
        return SGX_INVALID_CPUSVN;
    memset(&d, 0, sizeof(d));
    seal_record(encl, kr, &d);
    return derive(&d, key) ? SGX_INVALID_KEYNAME : 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;

    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return !acc;
}

#define ZF 0x40ULL
#define STATUS_FLAGS 0x8d5ULL /* CF PF AF ZF SF OF */

int sim_egetkey(struct sgx_driver_encl *encl, ucontext_t *uc)
{
    const struct sgx_keyrequest *kr = operand(encl, (uint64_t)SIM_GREG(uc, RBX), 512, 512, SGX_SECINFO_R);
    uint8_t *out = operand(encl, (uint64_t)SIM_GREG(uc, RCX), 16, 16, SGX_SECINFO_W);
    uint8_t key[16];
    uint64_t fl = (uint64_t)SIM_GREG(uc, EFL) & ~STATUS_FLAGS;
    int err;

    if (!kr || !out || (kr->key_policy & ~0x3fU) || kr->reserved1 || !all_zero(kr->reserved2, sizeof(kr->reserved2)))
        return SGX_VEC_GP;
    err = getkey(encl, kr, key);
    if (!err)
        memcpy(out, key, 16);
    SIM_GREG(uc, RAX) = err;
    SIM_GREG(uc, EFL) = (greg_t)(fl | (err ? ZF : 0));
    __atomic_add_fetch(&encl->counters.egetkey, 1, __ATOMIC_RELAXED);
    return 0;
}
