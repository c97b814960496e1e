/* geode container IMAGE OUTDIR: a container image (an OCI image layout
 * directory or a `docker save` archive) made into a signed Geode bundle.
 * The layers are applied into OUTDIR/rootfs (loader/oci/), the image
 * config becomes OUTDIR/app.manifest.toml, `geode sign --bundle` signs it
 * into OUTDIR/bundle, and OUTDIR/Dockerfile builds an image holding geode,
 * the bundle and the root file system (docs/container.md). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "oci/oci.h"
#include "paths.h"

static const char container_help[] =
    "usage: geode container [OPTIONS] IMAGE OUTDIR\n"
    "\n"
    "Turns a container image into a signed Geode bundle. IMAGE is an OCI image\n"
    "layout directory or a `docker save` archive. Writes into OUTDIR (new or empty):\n"
    "  rootfs/             the image's layers applied (whiteouts, links, modes)\n"
    "  app.manifest.toml   from the image config: Entrypoint+Cmd, Env, WorkingDir,\n"
    "                      User; exposed ports as comments; fs.root = rootfs\n"
    "  bundle/             the manifest signed (`geode sign --bundle`)\n"
    "  geode/, Dockerfile  `docker build OUTDIR` makes an image of geode + bundle + rootfs\n"
    "Then: geode run OUTDIR/bundle\n"
    "\n"
    "options:\n"
    "  --key PEM           signing key (default: ~/.config/geode/enclave-key.pem)\n"
    "  --allow-all         the root file system's files are allowed files (passed\n"
    "                      through unchecked, writable) instead of trusted files\n"
    "  --enclave-size SIZE sgx.enclave_size (default 1G)\n"
    "  --max-threads N     sgx.max_threads (default 16)\n"
    "  --no-sign           write rootfs and the manifest only\n";

static void toml_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static int rm_one(const char *p, const struct stat *st, int fl, struct FTW *f)
{
    (void)st, (void)fl, (void)f;
    return remove(p);
}

static bool dir_empty(const char *d)
{
    int n = 0;
    DIR *dir = opendir(d);
    if (!dir)
        return false;
    struct dirent *de;
    while ((de = readdir(dir)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    closedir(dir);
    return n == 0;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (out < 0) {
        close(in);
        return -1;
    }
    char buf[1 << 16];
    ssize_t k;
    int rc = 0;
    while ((k = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)k) != k) {
            rc = -1;
            break;
        }
    if (k < 0)
        rc = -1;
    close(in);
    if (close(out))
        rc = -1;
    return rc;
}

struct opts {
    const char *key, *enclave_size, *image, *out;
    int max_threads;
    bool allow_all, no_sign;
};

/* What the manifest says about the program: argv, its path, the ids. */
struct program {
    char **argv; /* Entrypoint + Cmd, borrowed from the config */
    size_t argc;
    char *path; /* argv[0] inside the image */
    const char *path_env;
    long uid, gid;
};

static int find_program(const char *rootfs, const struct oci_config *c, struct program *pr)
{
    char err[512];
    memset(pr, 0, sizeof(*pr));
    for (char **v = c->entrypoint; *v; v++)
        pr->argc++;
    for (char **v = c->cmd; *v; v++)
        pr->argc++;
    if (!pr->argc) {
        fprintf(stderr, "geode container: the image config has neither Entrypoint nor Cmd: "
                        "nothing to run\n");
        return -1;
    }
    pr->argv = calloc(pr->argc + 1, sizeof(char *));
    size_t n = 0;
    for (char **v = c->entrypoint; *v; v++)
        pr->argv[n++] = *v;
    for (char **v = c->cmd; *v; v++)
        pr->argv[n++] = *v;
    for (char **e = c->env; *e; e++)
        if (!strncmp(*e, "PATH=", 5))
            pr->path_env = *e + 5;
    pr->path = oci_find_program(rootfs, pr->argv[0], pr->path_env, c->workdir);
    if (!pr->path) {
        fprintf(stderr, "geode container: '%s' (the entrypoint) is not in the image's PATH (%s)\n",
                pr->argv[0], pr->path_env ? pr->path_env : OCI_DEFAULT_PATH);
        return -1;
    }
    if (c->user && oci_resolve_user(rootfs, c->user, &pr->uid, &pr->gid, err, sizeof(err))) {
        fprintf(stderr, "geode container: %s\n", err);
        return -1;
    }
    return 0;
}

static void write_loader(FILE *f, const struct oci_config *c, const struct program *pr)
{
    fputs("\nlibos.entrypoint = ", f);
    toml_str(f, pr->path);
    fputs("\nloader.argv = [", f);
    for (size_t i = 0; i < pr->argc; i++) {
        fputs(i ? ", " : "", f);
        toml_str(f, pr->argv[i]);
    }
    fputs("]\n", f);
    if (!pr->path_env)
        fprintf(f, "loader.env.PATH = \"%s\"\n", OCI_DEFAULT_PATH);
    for (char **e = c->env; *e; e++) {
        char *eq = strchr(*e, '=');
        if (!eq || eq == *e)
            continue;
        *eq = '\0';
        fputs("loader.env.", f);
        toml_str(f, *e);
        *eq = '=';
        fputs(" = ", f);
        toml_str(f, eq + 1);
        fputc('\n', f);
    }
    if (c->user)
        fprintf(f, "# User \"%s\"\n", c->user);
    fprintf(f, "loader.uid = %ld\nloader.gid = %ld\n", pr->uid, pr->gid);
}

static void write_fs_sgx(FILE *f, const char *rootfs, const struct opts *o,
                         const struct oci_config *c)
{
    char uri[PATH_MAX + 32];
    snprintf(uri, sizeof(uri), "file:%s", rootfs);
    fputs("\nfs.root = { type = \"chroot\", uri = ", f);
    toml_str(f, uri);
    fputs(" }\n", f);
    if (c->workdir) {
        fputs("fs.start_dir = ", f);
        toml_str(f, c->workdir);
        fputc('\n', f);
    }
    fputs("fs.mounts = [\n  { type = \"tmpfs\", path = \"/tmp\" },\n]\n\n", f);
    fprintf(f, "sgx.enclave_size = \"%s\"\nsgx.max_threads = %d\n",
            o->enclave_size ? o->enclave_size : "1G", o->max_threads);
    fputs("sys.enable_sigterm_injection = true\n", f);
    fputs(o->allow_all ? "# --allow-all: the image's files are passed through unchecked\n"
                         "sgx.allowed_files = ["
                       : "# Every file of the image is measured; the host cannot change one "
                         "unnoticed\nsgx.trusted_files = [",
          f);
    snprintf(uri, sizeof(uri), "file:%s/", rootfs);
    toml_str(f, uri);
    fputs("]\n", f);
}

static int write_manifest(const char *path, const char *out, const struct opts *o,
                          const struct oci_config *c)
{
    char rootfs[PATH_MAX + 16];
    snprintf(rootfs, sizeof(rootfs), "%s/rootfs", out);
    struct program pr;
    int rc = find_program(rootfs, c, &pr);
    FILE *f = rc ? NULL : fopen(path, "w");
    if (!rc && !f)
        fprintf(stderr, "geode container: %s: %s\n", path, strerror(errno));
    if (f) {
        fprintf(f, "# Generated by `geode container` from the image %s.\n", o->image);
        fprintf(f, "# Its root file system is %s; run it with `geode run %s/bundle`.\n", rootfs,
                out);
        if (c->ports[0]) {
            fputs("# The image exposes (documentation only: the program binds its ports\n"
                  "# itself, on the host's network):",
                  f);
            for (char **p = c->ports; *p; p++)
                fprintf(f, " %s", *p);
            fputc('\n', f);
        }
        write_loader(f, c, &pr);
        write_fs_sgx(f, rootfs, o, c);
        if (fclose(f)) {
            fprintf(stderr, "geode container: %s: %s\n", path, strerror(errno));
            f = NULL;
        }
    }
    free(pr.path);
    free(pr.argv);
    return f ? 0 : -1;
}

/* OUTDIR/geode/{bin,lib/geode} and OUTDIR/Dockerfile. */
static int write_docker(const char *out, const struct oci_config *c)
{
    char p[PATH_MAX + 64], exe[PATH_MAX], rt[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    geode_runtime_dir(rt, sizeof(rt));
    snprintf(p, sizeof(p), "%s/geode", out);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/geode/bin", out);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/geode/lib", out);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/geode/lib/geode", out);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/geode/bin/geode", out);
    if (copy_file(exe, p, 0755)) {
        fprintf(stderr, "geode container: copying %s to %s: %s\n", exe, p, strerror(errno));
        return -1;
    }
    static const char *const libs[] = {"libos.elf", "pal-enclave.elf"};
    for (size_t i = 0; i < 2; i++) {
        char from[PATH_MAX + 32];
        snprintf(from, sizeof(from), "%s/%s", rt, libs[i]);
        snprintf(p, sizeof(p), "%s/geode/lib/geode/%s", out, libs[i]);
        if (access(from, R_OK) == 0 && copy_file(from, p, 0644)) {
            fprintf(stderr, "geode container: copying %s: %s\n", from, strerror(errno));
            return -1;
        }
    }
    snprintf(p, sizeof(p), "%s/Dockerfile", out);
    FILE *f = fopen(p, "w");
    if (!f)
        return -1;
    fprintf(f,
            "# Written by `geode container`: geode, the signed bundle and the image's root\n"
            "# file system. Build it from this directory:\n"
            "#   docker build -t IMAGE-sgx %s\n"
            "# and run it with the SGX devices (docs/deploy-kubernetes.md):\n"
            "#   docker run --device /dev/sgx_enclave --device /dev/sgx_provision \\\n"
            "#     -v /var/run/aesmd:/var/run/aesmd IMAGE-sgx\n"
            "# The bundle's trusted files name the root file system by its absolute\n"
            "# path, so it is copied to that same path.\n"
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends \\\n"
            "        libseccomp2 libarchive13 libjansson4 && \\\n"
            "    rm -rf /var/lib/apt/lists/*\n"
            "COPY geode/bin/geode /usr/local/bin/geode\n"
            "COPY geode/lib/geode/ /usr/local/lib/geode/\n"
            "COPY rootfs/ %s/rootfs/\n"
            "COPY bundle/ %s/bundle/\n",
            out, out, out);
    for (char **port = c->ports; *port; port++)
        fprintf(f, "EXPOSE %s\n", *port);
    fprintf(f, "ENTRYPOINT [\"/usr/local/bin/geode\", \"run\", \"%s/bundle\"]\n", out);
    return fclose(f);
}

int cmd_container(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"key", required_argument, NULL, 'k'},
        {"allow-all", no_argument, NULL, 'a'},
        {"enclave-size", required_argument, NULL, 's'},
        {"max-threads", required_argument, NULL, 't'},
        {"no-sign", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    struct opts o = {.max_threads = 16};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'k':
            o.key = optarg;
            break;
        case 'a':
            o.allow_all = true;
            break;
        case 's':
            o.enclave_size = optarg;
            break;
        case 't':
            o.max_threads = atoi(optarg);
            break;
        case 'n':
            o.no_sign = true;
            break;
        case 'h':
            fputs(container_help, stdout);
            return 0;
        default:
            fprintf(stderr, "try 'geode container --help'\n");
            return 2;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr,
                "geode container: expected IMAGE and OUTDIR (try 'geode container --help')\n");
        return 2;
    }
    o.image = argv[optind];
    if (!o.no_sign) { /* say it now, not after unpacking */
        char defkey[PATH_MAX];
        const char *home = getenv("HOME");
        snprintf(defkey, sizeof(defkey), "%s/.config/geode/enclave-key.pem", home ? home : "");
        const char *k = o.key ? o.key : defkey;
        if (access(k, R_OK)) {
            fprintf(stderr,
                    "geode container: no signing key at %s (%s): make one with 'geode keygen'%s, "
                    "or give --key PEM or --no-sign\n",
                    k, strerror(errno), o.key ? " --out PEM" : "");
            return 1;
        }
    }
    if (mkdir(argv[optind + 1], 0755) && errno != EEXIST) {
        fprintf(stderr, "geode container: %s: %s\n", argv[optind + 1], strerror(errno));
        return 1;
    }
    char out[PATH_MAX];
    if (!realpath(argv[optind + 1], out)) {
        fprintf(stderr, "geode container: %s: %s\n", argv[optind + 1], strerror(errno));
        return 1;
    }
    if (!dir_empty(out)) {
        fprintf(stderr, "geode container: %s: not empty (give a new or empty directory)\n",
                argv[optind + 1]);
        return 1;
    }
    o.out = out;
    char scratch[PATH_MAX + 16], rootfs[PATH_MAX + 16], err[2048];
    snprintf(scratch, sizeof(scratch), "%s/.image", out);
    snprintf(rootfs, sizeof(rootfs), "%s/rootfs", out);
    struct oci_image img;
    struct oci_config cfg = {0};
    int rc = 1;
    if (oci_open(o.image, scratch, &img, err, sizeof(err))) {
        fprintf(stderr, "geode container: %s\n", err);
        goto done;
    }
    if (mkdir(rootfs, 0755)) {
        fprintf(stderr, "geode container: %s: %s\n", rootfs, strerror(errno));
        goto done;
    }
    for (size_t i = 0; i < img.nlayers; i++) {
        if (oci_apply_layer(img.layers[i], rootfs, err, sizeof(err))) {
            fprintf(stderr, "geode container: layer %zu of %zu (%s): %s\n", i + 1, img.nlayers,
                    strrchr(img.layers[i], '/') + 1, err);
            goto done;
        }
    }
    printf("unpacked %zu layer(s) into %s\n", img.nlayers, rootfs);
    if (oci_read_config(img.config, &cfg, err, sizeof(err))) {
        fprintf(stderr, "geode container: %s\n", err);
        goto done;
    }
    char manifest[PATH_MAX + 32], bundle[PATH_MAX + 16];
    snprintf(manifest, sizeof(manifest), "%s/app.manifest.toml", out);
    snprintf(bundle, sizeof(bundle), "%s/bundle", out);
    if (write_manifest(manifest, out, &o, &cfg))
        goto done;
    printf("wrote %s\n", manifest);
    if (write_docker(out, &cfg)) {
        fprintf(stderr, "geode container: cannot write %s/Dockerfile\n", out);
        goto done;
    }
    printf("wrote %s/Dockerfile\n", out);
    if (!o.no_sign) {
        /* options first: getopt keeps this parse's "+" (stop at the first operand) */
        char *sargv[] = {"sign",        "--bundle", bundle, o.key ? "--key" : manifest,
                         (char *)o.key, manifest,   NULL};
        if (cmd_sign(o.key ? 6 : 4, sargv))
            goto done;
        printf("run it: geode run %s\n", bundle);
    }
    rc = 0;
done:
    if (img.dir && !strcmp(img.dir, scratch))
        nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    else if (access(scratch, F_OK) == 0)
        nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    oci_image_free(&img);
    oci_config_free(&cfg);
    return rc;
}
