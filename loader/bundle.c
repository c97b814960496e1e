/* Signed bundles (bundle.h): writing one from a manifest, and reading and
 * checking one before it runs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "enclave_manifest.h"
#include "hexfmt.h"
#include "manifest/write_toml.h"

#define SIG_NAME "enclave.sig"
#define BLOB_NAME "manifest.blob"
#define TOML_NAME "manifest.toml"
#define SUMS_NAME "SHA256SUMS"
#define MAX_FILE (1u << 30)

bool bundle_is(const char *path)
{
    char sig[PATH_MAX];
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
           snprintf(sig, sizeof(sig), "%s/%s", path, SIG_NAME) < (int)sizeof(sig) &&
           access(sig, F_OK) == 0;
}

static int join(char *out, size_t size, const char *dir, const char *name)
{
    int n = snprintf(out, size, "%s/%s", dir, name);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

/* The whole file, at most MAX_FILE bytes; NULL after printing why. */
static uint8_t *slurp(const char *cmd, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    uint8_t *buf = NULL;
    if (!f || fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE) {
        fprintf(stderr, "geode %s: cannot read %s: %s\n", cmd, path,
                !f ? strerror(errno) : "not a regular file of at most 1 GiB");
        if (f)
            fclose(f);
        return NULL;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (buf && fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        fprintf(stderr, "geode %s: cannot read %s: %s\n", cmd, path, strerror(errno));
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)st.st_size;
    return buf;
}

static int spill(const char *dir, const char *name, const void *data, size_t len)
{
    char path[PATH_MAX];
    FILE *f = join(path, sizeof(path), dir, name) ? NULL : fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
        fprintf(stderr, "geode sign: cannot write %s/%s: %s\n", dir, name, strerror(errno));
        return -1;
    }
    return 0;
}

static int copy_in(const char *dir, const char *name, const char *from)
{
    size_t len;
    uint8_t *data = slurp("sign", from, &len);
    int r = data ? spill(dir, name, data, len) : -1;
    free(data);
    return r;
}

static int write_toml(const char *dir, const geode_manifest *m)
{
    char path[PATH_MAX];
    FILE *f = join(path, sizeof(path), dir, TOML_NAME) ? NULL : fopen(path, "w");
    int bad = !f || manifest_write_toml(m, f) < 0;
    if (f)
        bad |= fclose(f) != 0;
    if (bad)
        fprintf(stderr, "geode sign: cannot write %s/%s: %s\n", dir, TOML_NAME, strerror(errno));
    return bad ? -1 : 0;
}

/* "HEX  NAME" for each file of the bundle, as sha256sum(1) writes it. */
static int write_sums(const char *dir, bool with_libos)
{
    const char *names[] = {TOML_NAME, BLOB_NAME, SIG_NAME, ENCLAVE_IMAGE_PAL, ENCLAVE_IMAGE_LIBOS};
    char path[PATH_MAX], hex[65], text[6 * 128];
    size_t used = 0;
    uint8_t h[32];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) - !with_libos; i++) {
        if (join(path, sizeof(path), dir, names[i]) || manifest_hash_file(path, h, stderr))
            return -1;
        hex_encode(h, 32, hex);
        used += (size_t)snprintf(text + used, sizeof(text) - used, "%s  %s\n", hex, names[i]);
    }
    return spill(dir, SUMS_NAME, text, used);
}

static int sign_image(const struct enclave_image *img, const uint8_t mr[32], const char *key_path,
                      uint32_t date, uint32_t vendor, struct sgx_sigstruct *sig)
{
    struct sgx_sign_params sp;
    struct sgx_err e = {{0}};
    sgx_sign_key *key = sgx_key_load_pem(key_path, &e);
    enclave_image_sign_params(img, mr, &sp);
    sp.date_bcd = date;
    sp.vendor = vendor;
    int r = key ? sgx_sigstruct_sign(&sp, key, sig, &e) : -1;
    sgx_key_free(key);
    if (r)
        fprintf(stderr, "geode sign: %s\n", e.msg);
    return r ? -1 : 0;
}

int bundle_write(const char *manifest, const char *dir, const char *runtime_dir,
                 const char *key_path, uint32_t date_bcd, uint32_t vendor)
{
    struct enclave_image img;
    struct sgx_layout l;
    struct sgx_sigstruct sig;
    struct sgx_err e = {{0}};
    uint8_t mr[32];
    char hex[65];
    geode_manifest *m = manifest_load(manifest, stderr);
    if (!m || manifest_expand_trusted(m, stderr)) {
        manifest_free(m);
        return 1;
    }
    bool own_libos = !m->libos_uri || !m->libos_uri[0];
    if (mkdir(dir, 0755) && errno != EEXIST) {
        fprintf(stderr, "geode sign: cannot create %s: %s\n", dir, strerror(errno));
        manifest_free(m);
        return 1;
    }
    int r = write_toml(dir, m);
    uint8_t *blob = NULL;
    size_t len = 0;
    if (!r) {
        blob = manifest_pack(m, &len);
        r = blob ? enclave_image_from_blob(blob, len, runtime_dir, &img, &l, mr, &e) : -1;
        if (r && e.msg[0])
            fprintf(stderr, "geode sign: %s: %s\n", manifest, e.msg);
    }
    manifest_free(m);
    if (r) {
        free(blob);
        return 1;
    }
    r = sign_image(&img, mr, key_path, date_bcd, vendor, &sig);
    r = r ? r : spill(dir, BLOB_NAME, blob, len);
    r = r ? r : spill(dir, SIG_NAME, &sig, sizeof(sig));
    r = r ? r : copy_in(dir, ENCLAVE_IMAGE_PAL, img.pal_path);
    r = r ? r : own_libos ? copy_in(dir, ENCLAVE_IMAGE_LIBOS, img.libos_path) : 0;
    if (!r && !own_libos) { /* a libos.elf of an earlier bundle must not linger */
        char stale[PATH_MAX];
        if (!join(stale, sizeof(stale), dir, ENCLAVE_IMAGE_LIBOS))
            unlink(stale);
    }
    r = r ? r : write_sums(dir, own_libos);
    sgx_layout_free(&l);
    enclave_image_free(&img);
    free(blob);
    if (r)
        return 1;
    hex_encode(mr, 32, hex);
    printf("wrote bundle %s\nmrenclave %s\n", dir, hex);
    return 0;
}

/* Each line of SHA256SUMS against the file it names. */
static int check_sums(const char *cmd, const char *dir)
{
    char path[PATH_MAX], line[512];
    FILE *f = join(path, sizeof(path), dir, SUMS_NAME) ? NULL : fopen(path, "r");
    int r = 0, n = 0;
    if (!f) {
        fprintf(stderr, "geode %s: %s is not a bundle: no %s (%s)\n", cmd, dir, SUMS_NAME,
                strerror(errno));
        return -1;
    }
    while (!r && fgets(line, sizeof(line), f)) {
        uint8_t want[32], have[32];
        size_t len = strlen(line);
        const char *name = line + 66;
        bool shape = len >= 68 && line[len - 1] == '\n' && line[64] == ' ' && line[65] == ' ';
        if (shape)
            line[64] = 0, line[len - 1] = 0;
        if (!shape || hex_decode(line, want, 32) || strchr(name, '/') || !name[0]) {
            fprintf(stderr, "geode %s: %s/%s: malformed line %d\n", cmd, dir, SUMS_NAME, n + 1);
            r = -1;
            break;
        }
        n++;
        if (join(path, sizeof(path), dir, name) || manifest_hash_file(path, have, stderr))
            r = -1;
        else if (memcmp(want, have, 32)) {
            fprintf(stderr, "geode %s: %s: %s changed since the bundle was signed\n", cmd, dir, name);
            r = -1;
        }
    }
    fclose(f);
    if (!r && n < 4) {
        fprintf(stderr, "geode %s: %s/%s lists %d files: the bundle is incomplete\n", cmd, dir,
                SUMS_NAME, n);
        r = -1;
    }
    return r;
}

/* Every trusted host file against the hash the signed manifest holds. */
static int check_trusted(const char *cmd, const char *dir, const geode_manifest *m)
{
    for (size_t i = 0; i < m->sgx->n_trusted_files; i++) {
        const Geode__TrustedFile *tf = m->sgx->trusted_files[i];
        uint8_t have[32];
        if (!tf->uri || strncmp(tf->uri, "file:", 5) || tf->sha256.len != 32) {
            fprintf(stderr, "geode %s: %s: trusted file %s has no hash in the signed manifest\n",
                    cmd, dir, tf->uri ? tf->uri : "?");
            return -1;
        }
        if (manifest_hash_file(tf->uri + 5, have, stderr))
            return -1;
        if (memcmp(have, tf->sha256.data, 32)) {
            fprintf(stderr, "geode %s: trusted file %s differs from the one the bundle %s was "
                            "signed with: refusing to run\n", cmd, tf->uri + 5, dir);
            return -1;
        }
    }
    return 0;
}

int bundle_open(const char *dir, const char *cmd, struct bundle *b)
{
    char path[PATH_MAX];
    size_t len = 0;
    memset(b, 0, sizeof(*b));
    if (snprintf(b->dir, sizeof(b->dir), "%s", dir) >= (int)sizeof(b->dir) ||
        check_sums(cmd, dir))
        return 1;
    uint8_t *sig = join(path, sizeof(path), dir, SIG_NAME) ? NULL : slurp(cmd, path, &len);
    if (!sig)
        return 1;
    if (len != sizeof(b->sig)) {
        fprintf(stderr, "geode %s: %s is not a SIGSTRUCT (%zu bytes)\n", cmd, path, len);
        free(sig);
        return 1;
    }
    memcpy(&b->sig, sig, sizeof(b->sig));
    free(sig);
    b->blob = join(path, sizeof(path), dir, BLOB_NAME) ? NULL : slurp(cmd, path, &b->blob_len);
    b->m = b->blob ? manifest_unpack(b->blob, b->blob_len) : NULL;
    if (b->blob && (!b->m || !b->m->sgx || !b->m->geode))
        fprintf(stderr, "geode %s: %s does not decode as a geode manifest\n", cmd, path);
    if (!b->m || !b->m->sgx || !b->m->geode || check_trusted(cmd, dir, b->m)) {
        bundle_close(b);
        return 1;
    }
    return 0;
}

void bundle_close(struct bundle *b)
{
    manifest_free(b->m);
    free(b->blob);
    b->m = NULL;
    b->blob = NULL;
}
