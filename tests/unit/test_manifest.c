/* Manifest schema, diagnostics, canonical form, expansion and templates. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest/canon.h"
#include "manifest/manifest.h"
#include "manifest/render.h"
#include "manifest/write_toml.h"
#include "tap.h"

static char diag_buf[8192];

/* Parses text, capturing diagnostics in diag_buf. */
static geode_manifest *parse(const char *text, int *nerrors)
{
    FILE *d = fmemopen(diag_buf, sizeof(diag_buf) - 1, "w");
    geode_manifest *m = manifest_parse("t.toml", text, strlen(text), d, nerrors);
    fclose(d);
    /* One TAP line per check: fold the diagnostics onto it. */
    for (char *p = diag_buf; *p; p++)
        if (*p == '\n')
            *p = ' ';
    return m;
}

static const char *full =
    "libos.entrypoint = \"/bin/busybox\"\n"
    "loader.argv = [\"busybox\", \"echo\", \"hi\"]\n"
    "loader.env.PATH = \"/bin\"\n"
    "loader.env.HOME = { passthrough = true }\n"
    "loader.env.LANG = { value = \"C\" }\n"
    "loader.log_level = \"warning\"\n"
    "fs.mounts = [\n"
    "  { type = \"tmpfs\", path = \"/tmp\" },\n"
    "  { path = \"/data\", uri = \"file:/var/data\" },\n"
    "  { type = \"encrypted\", path = \"/secret\", uri = \"file:/var/s\" },\n"
    "  { type = \"untrusted_shm\", path = \"/dev/shm\", uri = \"dev:/dev/shm\" },\n"
    "]\n"
    "sys.stack.size = \"1M\"\n"
    "sys.insecure__shared_memory_untrusted = true\n"
    "sys.insecure__allow_eventfd = true\n"
    "sgx.enclave_size = \"512M\"\n"
    "sgx.max_threads = 8\n"
    "sgx.trusted_files = [\"file:/bin/busybox\", { uri = \"file:/etc/x\", sha256 = "
    "\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\" }]\n"
    "geode.mode = \"direct\"\n";

static void test_full(void)
{
    int nerr = -1;
    geode_manifest *m = parse(full, &nerr);
    if (!CHECK(m && nerr == 0, "full manifest is valid (%s)", diag_buf))
        return;
    CHECK(!strcmp(m->entrypoint, "/bin/busybox"), "entrypoint");
    CHECK(m->n_argv == 3 && !strcmp(m->argv[2], "hi"), "argv");
    CHECK(m->n_env == 3 && !strcmp(m->env[0]->name, "HOME") && m->env[0]->passthrough,
          "env sorted by name, passthrough kept");
    CHECK(!strcmp(m->env[1]->name, "LANG") && !strcmp(m->env[1]->value, "C"), "env {value=}");
    CHECK(m->log_level == GEODE__LOG_LEVEL__LOG_WARNING, "log level");
    CHECK(m->n_mounts == 4 && m->mounts[0]->type == GEODE__MOUNT_TYPE__MOUNT_TMPFS, "tmpfs mount");
    CHECK(m->mounts[1]->type == GEODE__MOUNT_TYPE__MOUNT_CHROOT &&
              !strcmp(m->mounts[1]->uri, "file:/var/data"),
          "chroot mount is the default type");
    CHECK(!strcmp(m->mounts[2]->key_name, "default"), "encrypted mount key_name default");
    CHECK(m->mounts[3]->type == GEODE__MOUNT_TYPE__MOUNT_UNTRUSTED_SHM &&
              !strcmp(m->mounts[3]->uri, "file:/dev/shm"),
          "untrusted_shm mount, Gramine's dev: URI read as file:");
    CHECK(m->shared_memory_untrusted, "sys.insecure__shared_memory_untrusted");
    CHECK(m->allow_eventfd, "sys.insecure__allow_eventfd");
    CHECK(m->stack_size == 1 << 20, "size with suffix");
    CHECK(m->sgx->enclave_size == 512ull << 20 && m->sgx->max_threads == 8, "sgx sizes");
    CHECK(m->sgx->n_trusted_files == 2 && m->sgx->trusted_files[1]->sha256.len == 32,
          "trusted files with and without sha256");
    CHECK(m->geode->mode == GEODE__RUN_MODE__MODE_DIRECT, "geode.mode");
    CHECK(m->geode->aex_notify && m->geode->syscall_rewrite && m->geode->nssa == 3,
          "geode defaults");
    manifest_free(m);
}

static void test_defaults(void)
{
    geode_manifest *m = parse("libos.entrypoint = \"/bin/true\"\n", NULL);
    if (!CHECK(m, "minimal manifest is valid (%s)", diag_buf))
        return;
    CHECK(m->n_argv == 1 && !strcmp(m->argv[0], "/bin/true"), "argv defaults to entrypoint");
    CHECK(!strcmp(m->root->uri, "file:/") && !strcmp(m->start_dir, "/"), "fs defaults");
    CHECK(m->sgx->enclave_size == 256ull << 20 && m->sgx->max_threads == 4, "sgx defaults");
    CHECK(m->log_level == GEODE__LOG_LEVEL__LOG_ERROR, "log level default");
    manifest_free(m);
}

/* Each bad manifest must fail with a diagnostic containing want. */
static void expect_error(const char *text, const char *want, const char *what)
{
    int nerr = 0;
    geode_manifest *m = parse(text, &nerr);
    CHECK(!m && nerr > 0 && strstr(diag_buf, want), "rejects %s (got: %s)", what, diag_buf);
    manifest_free(m);
}

static void test_errors(void)
{
    expect_error("libos.entrypoint = \"/x\"\nsgx.debgu = true\n",
                 "t.toml:2:5: error: sgx.debgu: unknown key (did you mean 'sgx.debug'?)",
                 "typo with suggestion and position");
    expect_error("libos.entrypoint = \"/x\"\n[loader]\nlog_levle = \"error\"\n",
                 "t.toml:3:1: error: loader.log_levle: unknown key (did you mean 'loader.log_level'?)",
                 "typo under a table header");
    expect_error("sgx.debug = true\n", "libos.entrypoint: missing", "missing entrypoint");
    expect_error("libos.entrypoint = 5\n", "1:20: error: libos.entrypoint: expected a string",
                 "wrong type");
    expect_error("libos.entrypoint = \"/x\"\nsgx.enclave_size = \"300M\"\n", "power of two",
                 "enclave size not a power of two");
    expect_error("libos.entrypoint = \"/x\"\nsys.stack.size = \"12Q\"\n", "invalid size",
                 "bad size suffix");
    expect_error("libos.entrypoint = \"/x\"\nloader.log_level = \"loud\"\n", "expected one of",
                 "bad enum");
    expect_error("libos.entrypoint = \"/x\"\nfs.mounts = [{ type = \"tmpfs\" }]\n",
                 "missing 'path'", "mount without path");
    expect_error("libos.entrypoint = \"/x\"\nfs.mounts = [{ path = \"/a\", uri = \"/a\" }]\n",
                 "must be a \"file:\" URI", "mount uri without file:");
    expect_error("libos.entrypoint = \"/x\"\nfs.root = { type = \"untrusted_shm\", uri = \"file:/\" }\n",
                 "the root cannot be an untrusted_shm mount", "an untrusted_shm root");
    expect_error("libos.entrypoint = \"/x\"\nfs.mounts = [{ type = \"untrusted_shm\", path = \"/a\", "
                 "uri = \"http:/a\" }]\n",
                 "must be a \"file:\" URI", "an untrusted_shm uri neither file: nor dev:");
    expect_error("libos.entrypoint = \"/x\"\nfs.mounts = [{ path = \"/a\", urri = \"file:/\" }]\n",
                 "unknown key 'urri' (did you mean 'uri'?)", "typo inside a mount");
    expect_error("libos.entrypoint = \"/x\"\nloader.env.A = { passthrough = false }\n",
                 "not allowed", "passthrough = false");
    expect_error("libos.entrypoint = \"/x\"\nsgx.isvsvn = 70000\n", "out of range",
                 "isvsvn range");
    expect_error("libos.entrypoint = \"/x\"\nsgx.trusted_files = [{ uri = \"file:/a\", sha256 = "
                 "\"xyz\" }]\n",
                 "64 hex digits", "bad sha256");
    expect_error("libos.entrypoint = \"/x\"\nbogus = 1\n", "bogus: unknown key", "unknown top key");
    expect_error("libos.entrypoint = \"/x\"\n\"sgx.debug\" = true\n", "quoted key",
                 "quoted key with a dot");
    expect_error("a = [\n", "t.toml:", "TOML syntax error with position");
}

static void test_warnings(void)
{
    int nerr = -1;
    geode_manifest *m = parse("libos.entrypoint = \"/x\"\nloader.log_file = \"x\"\n"
                              "sgx.thread_num = 2\nsgx.profile.enable = \"all\"\n",
                              &nerr);
    CHECK(m && nerr == 0, "unsupported Gramine keys do not fail");
    CHECK(strstr(diag_buf, "2:8: warning: loader.log_file: Geode logs to standard error; ignored"),
          "unsupported key warned with position");
    CHECK(strstr(diag_buf, "sgx.profile.enable: Gramine key not supported"),
          "prefix-listed Gramine key warned");
    CHECK(m && m->sgx->max_threads == 2 && strstr(diag_buf, "deprecated, use 'sgx.max_threads'"),
          "deprecated alias applied with a warning");
    manifest_free(m);
    m = parse("libos.entrypoint = \"/x\"\nsgx.edmm_enable = true\nsgx.edmm_precommit_size = \"8M\"\n", &nerr);
    CHECK(m && nerr == 0 && m->sgx->edmm_enable && m->sgx->edmm_precommit_size == (8u << 20) &&
              !strstr(diag_buf, "edmm"),
          "sgx.edmm_enable and sgx.edmm_precommit_size are applied, without a warning");
    manifest_free(m);
    m = parse("libos.entrypoint = \"/x\"\nsgx.edmm_precommit_size = 4097\n", &nerr);
    CHECK(nerr == 1 && strstr(diag_buf, "edmm_precommit_size: must be a multiple of 4K"),
          "sgx.edmm_precommit_size not a page multiple: an error");
    manifest_free(m);
}

/* A manifest rendered by gramine-manifest names Gramine's libsysdb.so: Geode
 * uses its own libOS, warns, and keeps Gramine's root rule. */
static void test_gramine_libos(void)
{
    char dir[] = "/tmp/geode-tm-XXXXXX", path[64], diag[2048] = "";
    if (!CHECK(mkdtemp(dir), "temp dir"))
        return;
    snprintf(path, sizeof(path), "%s/app.manifest", dir);
    static const char *const forms[] = {
        "loader.entrypoint = \"file:/usr/lib/x86_64-linux-gnu/gramine/libsysdb.so\"\n",
        "loader.entrypoint = { uri = \"file:/usr/lib/x86_64-linux-gnu/gramine/libsysdb.so\", "
        "sha256 = \"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\" }\n"};
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(path, "w");
        if (!f)
            break;
        fprintf(f, "%slibos.entrypoint = \"/bin/true\"\n", forms[i]);
        fclose(f);
        FILE *d = fmemopen(diag, sizeof(diag) - 1, "w");
        geode_manifest *m = manifest_load(path, d);
        fclose(d);
        char root[96];
        snprintf(root, sizeof(root), "file:%s", dir);
        CHECK(m && !m->libos_uri[0] && !m->libos_sha256.len &&
                  strstr(diag, "names Gramine's libOS") && !strcmp(m->root->uri, root),
              "loader.entrypoint naming Gramine's libsysdb.so (%s): Geode's libOS, a warning, "
              "the manifest's directory as root",
              i ? "table with sha256" : "string");
        manifest_free(m);
        memset(diag, 0, sizeof(diag));
    }
    unlink(path);
    rmdir(dir);
}

static int packs_equal(const geode_manifest *a, const geode_manifest *b)
{
    size_t la, lb;
    uint8_t *pa = manifest_pack(a, &la), *pb = manifest_pack(b, &lb);
    int eq = pa && pb && la == lb && !memcmp(pa, pb, la);
    free(pa);
    free(pb);
    return eq;
}

static void test_canonical(void)
{
    geode_manifest *a = parse(full, NULL);
    /* Same meaning, other key order and spelling. */
    geode_manifest *b =
        parse("geode.mode = \"direct\"\n"
              "[loader]\nenv = { LANG = { value = \"C\" }, PATH = \"/bin\", HOME = { passthrough "
              "= true } }\nargv = [\"busybox\", \"echo\", \"hi\"]\nlog_level = \"warning\"\n"
              "[libos]\nentrypoint = \"/bin/busybox\"\n"
              "[sgx]\nenclave_size = 536870912\nmax_threads = 8\n"
              "trusted_files = [{ uri = \"file:/etc/x\", sha256 = "
              "\"00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff\" }, "
              "\"file:/bin/busybox\"]\n"
              "[sys]\nstack.size = \"1024K\"\ninsecure__shared_memory_untrusted = true\n"
              "insecure__allow_eventfd = true\n"
              "[[fs.mounts]]\ntype = \"tmpfs\"\npath = \"/tmp\"\n"
              "[[fs.mounts]]\npath = \"/data\"\nuri = \"file:/var/data\"\n"
              "[[fs.mounts]]\ntype = \"encrypted\"\npath = \"/secret\"\nuri = \"file:/var/s\"\n"
              "[[fs.mounts]]\ntype = \"untrusted_shm\"\npath = \"/dev/shm\"\nuri = \"file:/dev/shm\"\n",
              NULL);
    if (!CHECK(a && b, "both spellings parse (%s)", diag_buf))
        goto out;
    CHECK(packs_equal(a, b), "same manifest, different TOML: byte-identical blob");
    CHECK(packs_equal(a, a), "packing is deterministic");
    size_t len;
    uint8_t *blob = manifest_pack(a, &len);
    geode_manifest *c = manifest_unpack(blob, len);
    CHECK(c && packs_equal(a, c), "round trip TOML -> struct -> protobuf -> struct");
    CHECK(c && !strcmp(c->env[2]->name, "PATH") && c->mounts[2]->type == 2 &&
              c->sgx->trusted_files[0]->sha256.len == 0,
          "round trip keeps values");
    manifest_free(c);
    CHECK(!manifest_unpack((const uint8_t *)"\xff\xff\xff", 3), "malformed blob rejected");
    CHECK(!manifest_unpack(NULL, 0), "empty blob (no sub-messages) rejected");
    free(blob);
out:
    manifest_free(a);
    manifest_free(b);
}

/* expand's TOML output must read back to the same manifest. */
static void test_write_toml_roundtrip(void)
{
    geode_manifest *a = parse(full, NULL);
    char buf[16384];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    int rc = a ? manifest_write_toml(a, f) : -1;
    fclose(f);
    geode_manifest *b = rc == 0 ? parse(buf, NULL) : NULL;
    CHECK(b && packs_equal(a, b), "written TOML reads back to the same blob (%s)", diag_buf);
    manifest_free(a);
    manifest_free(b);
}

static void test_expand(void)
{
    char dir[] = "/tmp/geode-expand-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    char path[256], text[1024];
    snprintf(path, sizeof(path), "%s/sub", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/sub/b", dir);
    FILE *f = fopen(path, "w");
    fputs("abc", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/a", dir);
    f = fopen(path, "w");
    fclose(f);
    snprintf(text, sizeof(text),
             "libos.entrypoint = \"/x\"\nsgx.trusted_files = [\"file:%s/\", \"file:%s/a\"]\n", dir,
             dir);
    geode_manifest *m = parse(text, NULL);
    int rc = m ? manifest_expand_trusted(m, stderr) : -1;
    CHECK(rc == 0 && m->sgx->n_trusted_files == 2, "directory expanded, duplicate dropped");
    if (rc == 0 && m->sgx->n_trusted_files == 2) {
        const uint8_t *h = m->sgx->trusted_files[1]->sha256.data;
        /* SHA-256("abc") = ba7816bf... */
        CHECK(strstr(m->sgx->trusted_files[1]->uri, "/sub/b") && h[0] == 0xba && h[1] == 0x78,
              "file hashed with SHA-256");
        h = m->sgx->trusted_files[0]->sha256.data; /* SHA-256("") = e3b0c442... */
        CHECK(h[0] == 0xe3 && h[1] == 0xb0, "empty file hashed");
    }
    manifest_free(m);
    snprintf(text, sizeof(text), "libos.entrypoint = \"/x\"\nsgx.trusted_files = [\"file:%s/nope\"]\n",
             dir);
    m = parse(text, NULL);
    CHECK(m && manifest_expand_trusted(m, fopen("/dev/null", "w")) < 0, "missing file fails");
    manifest_free(m);
    snprintf(text, sizeof(text), "rm -r %s", dir);
    CHECK(system(text) == 0, "cleanup");
}

static void test_sizes(void)
{
    uint64_t v;
    CHECK(manifest_parse_size("4G", &v) == 0 && v == 4ull << 30, "4G");
    CHECK(manifest_parse_size("256m", &v) == 0 && v == 256ull << 20, "256m");
    CHECK(manifest_parse_size("4096", &v) == 0 && v == 4096, "plain number");
    CHECK(manifest_parse_size("", &v) < 0 && manifest_parse_size("1MB", &v) < 0 &&
              manifest_parse_size("-1", &v) < 0 && manifest_parse_size("99999999999999T", &v) < 0,
          "malformed and overflowing sizes rejected");
}

static void test_render(void)
{
    struct render_var vars[] = {{"entrypoint", "/usr/bin/x"}, {"arch_libdir", "/lib/y"}};
    char out[512], err[512];
    FILE *o = fmemopen(out, sizeof(out), "w"), *e = fmemopen(err, sizeof(err), "w");
    int rc = manifest_render("m", "a = \"{{ entrypoint }}\"\nb = \"{{arch_libdir}}/z\"\n", vars, 2,
                             o, e);
    fclose(o);
    fclose(e);
    CHECK(rc == 0 && !strcmp(out, "a = \"/usr/bin/x\"\nb = \"/lib/y/z\"\n"), "render variables");
    o = fmemopen(out, sizeof(out), "w");
    e = fmemopen(err, sizeof(err), "w");
    rc = manifest_render("m", "x\n  {{ nope }}\n{% if a %}\n", vars, 2, o, e);
    fclose(o);
    fclose(e);
    for (char *p = err; *p; p++)
        if (*p == '\n')
            *p = ' ';
    CHECK(rc < 0 && strstr(err, "m:2:6: error: 'nope' is undefined") &&
              strstr(err, "m:3:7: error: 'a' is undefined") &&
              strstr(err, "m:3:1: error: this {% if %} has no {% endif %}"),
          "render errors name line and column (%s)", err);
}

/* fs.insecure__keys: 32 hex digits per name, warned, sorted in the blob. */
static void test_insecure_keys(void)
{
    static const char ok[] = "libos.entrypoint = \"/bin/true\"\n"
                             "fs.insecure__keys.zz = \"ffeeddccbbaa99887766554433221100\"\n"
                             "fs.insecure__keys.default = \"00112233445566778899AABBCCDDEEFF\"\n";
    int nerr = 0;
    geode_manifest *m = parse(ok, &nerr);
    CHECK(m && m->n_insecure_keys == 2 && strstr(diag_buf, "not secret"),
          "fs.insecure__keys parse, with a warning (%s)", diag_buf);
    if (m) {
        manifest_canonicalize(m);
        CHECK(!strcmp(m->insecure_keys[0]->name, "default") &&
                  m->insecure_keys[0]->key.len == 16 && m->insecure_keys[0]->key.data[15] == 0xff,
              "keys sorted by name, decoded from hex");
    }
    manifest_free(m);
    expect_error("libos.entrypoint = \"/bin/true\"\nfs.insecure__keys.k = \"0011\"\n",
                 "32 hex digits", "a short insecure key");
    expect_error("libos.entrypoint = \"/bin/true\"\nfs.insecure__keys._sgx_mrenclave = "
                 "\"00112233445566778899aabbccddeeff\"\n",
                 "not starting with _sgx_", "an insecure key named like a sealing key");
}

int main(void)
{
    test_insecure_keys();
    test_full();
    test_defaults();
    test_errors();
    test_warnings();
    test_gramine_libos();
    test_canonical();
    test_write_toml_roundtrip();
    test_expand();
    test_sizes();
    test_render();
    return TAP_DONE();
}
