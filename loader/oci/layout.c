/* Finding an image's config and layers: an OCI image layout (oci-layout,
 * index.json, blobs/ALG/HEX) or Docker's `docker save` layout
 * (manifest.json naming Config and Layers); an archive of either is
 * unpacked first. Every blob named by a sha256 digest is checked against
 * it, and no blob path may leave the layout directory. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/oci.h"

static int sha256_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    static unsigned char buf[1 << 16];
    size_t k;
    while ((k = fread(buf, 1, sizeof(buf), f)) > 0)
        EVP_DigestUpdate(c, buf, k);
    int bad = ferror(f);
    fclose(f);
    unsigned char md[32];
    EVP_DigestFinal_ex(c, md, NULL);
    EVP_MD_CTX_free(c);
    for (int i = 0; i < 32; i++)
        sprintf(hex + 2 * i, "%02x", md[i]);
    return bad ? -1 : 0;
}

static bool is_hex64(const char *s, size_t len)
{
    if (len != 64)
        return false;
    for (size_t i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* dir/rel as a path that must stay inside dir (symbolic links resolved);
 * when want_hex is given, the file's sha256 must be it. */
static char *blob_path(const char *dir, const char *rel, const char *want_hex, char *err, size_t n)
{
    char joined[PATH_MAX], real[PATH_MAX], rdir[PATH_MAX];
    snprintf(joined, sizeof(joined), "%s/%s", dir, rel);
    if (!realpath(dir, rdir) || !realpath(joined, real)) {
        snprintf(err, n, "%s: %s", joined, strerror(errno));
        return NULL;
    }
    size_t dl = strlen(rdir);
    if (strncmp(real, rdir, dl) || real[dl] != '/') {
        snprintf(err, n, "%s resolves to %s, outside the image; refused", rel, real);
        return NULL;
    }
    if (want_hex) {
        char hex[65];
        if (sha256_file(real, hex)) {
            snprintf(err, n, "%s: %s", joined, strerror(errno));
            return NULL;
        }
        if (strcmp(hex, want_hex)) {
            snprintf(err, n, "%s: its sha256 is %s, not the digest %s that names it; refused", rel,
                     hex, want_hex);
            return NULL;
        }
    }
    return strdup(real);
}

/* A blob by its descriptor's "digest" ("sha256:HEX"). */
static char *blob_of(const char *dir, json_t *desc, char *err, size_t n)
{
    const char *d = json_string_value(json_object_get(desc, "digest"));
    if (!d || strncmp(d, "sha256:", 7) || !is_hex64(d + 7, strlen(d + 7))) {
        snprintf(err, n, "a descriptor has no sha256 digest (%s)", d ? d : "none");
        return NULL;
    }
    char rel[128];
    snprintf(rel, sizeof(rel), "blobs/sha256/%s", d + 7);
    return blob_path(dir, rel, d + 7, err, n);
}

static json_t *load_json(const char *path, char *err, size_t n)
{
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        snprintf(err, n, "%s:%d: %s", path, je.line, je.text);
    return j;
}

/* From an index's manifests, the linux/amd64 one (or the only one). */
static json_t *pick_manifest(json_t *index, const char *where, char *err, size_t n)
{
    json_t *ms = json_object_get(index, "manifests"), *m;
    size_t i;
    json_array_foreach(ms, i, m)
    {
        json_t *pf = json_object_get(m, "platform");
        const char *os = json_string_value(json_object_get(pf, "os"));
        const char *arch = json_string_value(json_object_get(pf, "architecture"));
        if (!pf || ((!os || !strcmp(os, "linux")) && (!arch || !strcmp(arch, "amd64"))))
            return m;
    }
    snprintf(err, n, "%s: no linux/amd64 image among %zu manifest(s)", where, json_array_size(ms));
    return NULL;
}

static int from_oci(struct oci_image *img, char *err, size_t n)
{
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/index.json", img->dir);
    json_t *index = load_json(p, err, n), *man = NULL;
    int rc = -1;
    int depth;
    for (depth = 0; index && depth < 4; depth++) {
        json_t *desc = pick_manifest(index, depth ? "nested index" : "index.json", err, n);
        if (!desc)
            break;
        const char *mt = json_string_value(json_object_get(desc, "mediaType"));
        bool nested = mt && strstr(mt, "index");
        char *path = blob_of(img->dir, desc, err, n);
        json_t *j = path ? load_json(path, err, n) : NULL;
        free(path);
        json_decref(index); /* desc and mt die with it */
        index = NULL;
        if (!j)
            break;
        const char *jmt = json_string_value(json_object_get(j, "mediaType"));
        if (nested || (jmt && strstr(jmt, "index")) ||
            (!json_object_get(j, "config") && json_object_get(j, "manifests"))) {
            index = j;
            continue;
        }
        man = j;
        break;
    }
    if (index && depth == 4)
        snprintf(err, n, "image indexes nested more than 4 deep");
    json_decref(index);
    if (!man)
        return -1;
    img->config = blob_of(img->dir, json_object_get(man, "config"), err, n);
    json_t *layers = json_object_get(man, "layers"), *l;
    size_t i;
    if (img->config && json_is_array(layers)) {
        img->layers = calloc(json_array_size(layers) + 1, sizeof(char *));
        rc = 0;
        json_array_foreach(layers, i, l)
        {
            if (!(img->layers[img->nlayers] = blob_of(img->dir, l, err, n))) {
                rc = -1;
                break;
            }
            img->nlayers++;
        }
    } else if (img->config) {
        snprintf(err, n, "image manifest has no layers array");
    }
    json_decref(man);
    return rc;
}

/* docker save: manifest.json = [{"Config": "HEX.json" or "blobs/sha256/HEX",
 * "Layers": ["ID/layer.tar" or "blobs/sha256/HEX", ...]}]. A name that is
 * a sha256 is checked against it; older layer ids are not digests. */
static char *docker_blob(const char *dir, const char *rel, char *err, size_t n)
{
    const char *b = strrchr(rel, '/');
    b = b ? b + 1 : rel;
    size_t len = strcspn(b, ".");
    char hex[65] = "";
    bool digest = is_hex64(b, len) && (!strncmp(rel, "blobs/sha256/", 13) || b == rel);
    if (digest)
        memcpy(hex, b, 64);
    return blob_path(dir, rel, digest ? hex : NULL, err, n);
}

static int from_docker(struct oci_image *img, char *err, size_t n)
{
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/manifest.json", img->dir);
    json_t *j = load_json(p, err, n);
    if (!j)
        return -1;
    json_t *m = json_array_get(j, 0);
    const char *cfg = json_string_value(json_object_get(m, "Config"));
    json_t *layers = json_object_get(m, "Layers"), *l;
    int rc = -1;
    if (json_array_size(j) > 1)
        fprintf(stderr, "geode container: manifest.json holds %zu images; taking the first\n",
                json_array_size(j));
    if (!cfg || !json_is_array(layers)) {
        snprintf(err, n, "%s: the first entry has no Config and Layers", p);
    } else if ((img->config = docker_blob(img->dir, cfg, err, n))) {
        size_t i;
        img->layers = calloc(json_array_size(layers) + 1, sizeof(char *));
        rc = 0;
        json_array_foreach(layers, i, l)
        {
            const char *rel = json_string_value(l);
            if (!rel || !(img->layers[img->nlayers] = docker_blob(img->dir, rel, err, n))) {
                if (!rel)
                    snprintf(err, n, "%s: a layer is not a string", p);
                rc = -1;
                break;
            }
            img->nlayers++;
        }
    }
    json_decref(j);
    return rc;
}

int oci_open(const char *path, const char *scratch, struct oci_image *img, char *err, size_t n)
{
    struct stat st;
    memset(img, 0, sizeof(*img));
    if (stat(path, &st)) {
        snprintf(err, n, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        img->dir = strdup(path);
    } else {
        if (mkdir(scratch, 0700)) {
            snprintf(err, n, "%s: %s", scratch, strerror(errno));
            return -1;
        }
        char e2[1024];
        if (oci_untar(path, scratch, e2, sizeof(e2))) {
            snprintf(err, n, "%s: %s", path, e2);
            return -1;
        }
        img->dir = strdup(scratch);
    }
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/index.json", img->dir);
    if (access(p, F_OK) == 0)
        return from_oci(img, err, n);
    snprintf(p, sizeof(p), "%s/manifest.json", img->dir);
    if (access(p, F_OK) == 0)
        return from_docker(img, err, n);
    snprintf(err, n,
             "%s is neither an OCI image layout (index.json) nor a docker save archive "
             "(manifest.json)",
             path);
    return -1;
}

void oci_image_free(struct oci_image *img)
{
    free(img->dir);
    free(img->config);
    for (size_t i = 0; img->layers && img->layers[i]; i++)
        free(img->layers[i]);
    free(img->layers);
    memset(img, 0, sizeof(*img));
}
