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

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

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

/* Looks up name (a user, or with group = true a group) in rootfs's
 * /etc/passwd or /etc/group: its id (and for a user its primary gid). */
static int lookup_id(const char *rootfs, const char *name, bool group, long *id, long *gid)
{
    char p[2 * PATH_MAX], line[1024];
    snprintf(p, sizeof(p), "%s/etc/%s", rootfs, group ? "group" : "passwd");
    FILE *f = fopen(p, "r");
    if (!f)
        return -1;
    int rc = -1;
    while (fgets(line, sizeof(line), f)) {
        char *fields[4] = {0}, *s = line;
        for (int i = 0; i < 4 && s; i++) {
            fields[i] = s;
            s = strchr(s, ':');
            if (s)
                *s++ = '\0';
        }
        if (fields[0] && fields[2] && !strcmp(fields[0], name)) {
            *id = strtol(fields[2], NULL, 10);
            if (!group && fields[3])
                *gid = strtol(fields[3], NULL, 10);
            rc = 0;
            break;
        }
    }
    fclose(f);
    return rc;
}

static bool numeric(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* User "uid", "uid:gid", "name" or "name:group" -> ids (Docker's rules:
 * a name's primary group unless one is given). */
static int resolve_user(const char *rootfs, const char *user, long *uid, long *gid)
{
    char u[256];
    snprintf(u, sizeof(u), "%s", user);
    char *g = strchr(u, ':');
    if (g)
        *g++ = '\0';
    *gid = 0;
    if (numeric(u)) {
        *uid = strtol(u, NULL, 10);
        /* a numeric user in /etc/passwd gets its primary group as Docker does */
        char p[2 * PATH_MAX], line[1024];
        snprintf(p, sizeof(p), "%s/etc/passwd", rootfs);
        FILE *f = fopen(p, "r");
        while (f && fgets(line, sizeof(line), f)) {
            char *s1 = strchr(line, ':'), *s2 = s1 ? strchr(s1 + 1, ':') : NULL;
            char *s3 = s2 ? strchr(s2 + 1, ':') : NULL;
            if (s3 && strtol(s2 + 1, NULL, 10) == *uid) {
                *gid = strtol(s3 + 1, NULL, 10);
                break;
            }
        }
        if (f)
            fclose(f);
    } else if (lookup_id(rootfs, u, false, uid, gid)) {
        fprintf(stderr, "geode container: User '%s': no such user in the image's /etc/passwd\n",
                user);
        return -1;
    }
    if (g) {
        if (numeric(g)) {
            *gid = strtol(g, NULL, 10);
        } else if (lookup_id(rootfs, g, true, gid, NULL)) {
            fprintf(stderr, "geode container: User '%s': no such group in the image's /etc/group\n",
                    user);
            return -1;
        }
    }
    return 0;
}

/* argv[0] as a path inside the image: a name without '/' is looked up in
 * the image's PATH, as the container runtime does. */
static char *resolve_program(const char *rootfs, const char *prog, const char *path_env,
                             const char *workdir)
{
    char p[PATH_MAX * 2];
    if (strchr(prog, '/')) {
        if (prog[0] == '/' || !workdir)
            return strdup(prog);
        snprintf(p, sizeof(p), "%s/%s", workdir, prog);
        return strdup(p);
    }
    char *dirs = strdup(path_env ? path_env : DEFAULT_PATH), *save = NULL;
    char *found = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        struct stat st;
        snprintf(p, sizeof(p), "%s/%s/%s", rootfs, d, prog);
        if (lstat(p, &st) == 0 && !S_ISDIR(st.st_mode)) {
            snprintf(p, sizeof(p), "%s/%s", d, prog);
            found = strdup(p);
        }
    }
    free(dirs);
    return found;
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

static int write_manifest(const char *path, const char *out, const struct opts *o,
                          const struct oci_config *c)
{
    char rootfs[PATH_MAX + 16];
    snprintf(rootfs, sizeof(rootfs), "%s/rootfs", out);
    size_t na = 0;
    for (char **v = c->entrypoint; *v; v++)
        na++;
    for (char **v = c->cmd; *v; v++)
        na++;
    if (!na) {
        fprintf(stderr, "geode container: the image config has neither Entrypoint nor Cmd: "
                        "nothing to run\n");
        return -1;
    }
    char **argv = calloc(na + 1, sizeof(char *));
    na = 0;
    for (char **v = c->entrypoint; *v; v++)
        argv[na++] = *v;
    for (char **v = c->cmd; *v; v++)
        argv[na++] = *v;
    const char *path_env = NULL;
    for (char **e = c->env; *e; e++)
        if (!strncmp(*e, "PATH=", 5))
            path_env = *e + 5;
    char *prog = resolve_program(rootfs, argv[0], path_env, c->workdir);
    if (!prog) {
        fprintf(stderr,
                "geode container: '%s' (the entrypoint) is not found in the image's PATH "
                "(%s)\n",
                argv[0], path_env ? path_env : DEFAULT_PATH);
        free(argv);
        return -1;
    }
    long uid = 0, gid = 0;
    if (c->user && resolve_user(rootfs, c->user, &uid, &gid)) {
        free(prog);
        free(argv);
        return -1;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "geode container: %s: %s\n", path, strerror(errno));
        free(prog);
        free(argv);
        return -1;
    }
    fprintf(f, "# Generated by `geode container` from the image %s.\n", o->image);
    fprintf(f, "# Its root file system is %s; run it with `geode run %s/bundle`.\n", rootfs, out);
    if (c->ports[0]) {
        fprintf(f, "# The image exposes (documentation only: the program binds its ports\n"
                   "# itself, on the host's network):");
        for (char **p = c->ports; *p; p++)
            fprintf(f, " %s", *p);
        fputc('\n', f);
    }
    fputs("\nlibos.entrypoint = ", f);
    toml_str(f, prog);
    fputs("\nloader.argv = [", f);
    for (size_t i = 0; i < na; i++) {
        fputs(i ? ", " : "", f);
        toml_str(f, argv[i]);
    }
    fputs("]\n", f);
    if (!path_env)
        fprintf(f, "loader.env.PATH = \"%s\"\n", DEFAULT_PATH);
    for (char **e = c->env; *e; e++) {
        char *eq = strchr(*e, '=');
        if (!eq || eq == *e)
            continue;
        fprintf(f, "loader.env.");
        *eq = '\0';
        toml_str(f, *e);
        *eq = '=';
        fputs(" = ", f);
        toml_str(f, eq + 1);
        fputc('\n', f);
    }
    if (c->user)
        fprintf(f, "# User \"%s\"\n", c->user);
    fprintf(f, "loader.uid = %ld\nloader.gid = %ld\n", uid, gid);
    fputs("\nfs.root = { type = \"chroot\", uri = ", f);
    char uri[PATH_MAX + 32];
    snprintf(uri, sizeof(uri), "file:%s", rootfs);
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
    fprintf(f, "sys.enable_sigterm_injection = true\n");
    snprintf(uri, sizeof(uri), "file:%s/", rootfs);
    if (o->allow_all) {
        fputs("# --allow-all: the image's files are passed through unchecked\n"
              "sgx.allowed_files = [",
              f);
        toml_str(f, uri);
        fputs("]\n", f);
    } else {
        fputs("# Every file of the image is measured; the host cannot change one unnoticed\n"
              "sgx.trusted_files = [",
              f);
        toml_str(f, uri);
        fputs("]\n", f);
    }
    free(prog);
    free(argv);
    if (fclose(f)) {
        fprintf(stderr, "geode container: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
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
