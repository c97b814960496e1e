/* Container images for `geode container` (docs/container.md): an OCI image
 * layout directory, or a `docker save` archive (either format inside), read
 * with jansson; layers applied with libarchive. */
#ifndef GEODE_LOADER_OCI_H
#define GEODE_LOADER_OCI_H

#include <stddef.h>

struct oci_image {
    char *dir;     /* the layout directory (an archive is unpacked into one) */
    char *config;  /* path of the config JSON, its digest checked */
    char **layers; /* paths of the layer tars, lowest first, digests checked */
    size_t nlayers;
};

/* The image's runtime configuration (the config's "config" object). */
struct oci_config {
    char **entrypoint, **cmd, **env; /* NULL-terminated, possibly empty */
    char *workdir, *user;            /* NULL when absent */
    char **ports;                    /* ExposedPorts' keys */
};

/* Finds the image at path. A regular file is an archive: it is unpacked
 * into scratch (a directory that must not exist yet) first. 0, or -1 with
 * the reason in err. */
int oci_open(const char *path, const char *scratch, struct oci_image *img, char *err, size_t n);
void oci_image_free(struct oci_image *img);

int oci_read_config(const char *path, struct oci_config *c, char *err, size_t n);
void oci_config_free(struct oci_config *c);

/* Applies one layer tar (any compression libarchive reads) to the root
 * directory rootfs: whiteouts (".wh.NAME", ".wh..wh..opq") remove what
 * lower layers put there, then the entries are written with their modes,
 * times, symlinks and hard links. An entry whose path has a ".." part, or
 * goes through a symbolic link, or a hard link that leaves the root, is
 * refused: -1 with err naming the entry. Device nodes are skipped (warned
 * on stderr). */
int oci_apply_layer(const char *layer, const char *rootfs, char *err, size_t n);

/* Unpacks a tar archive (the docker-save or OCI layout archive) into dir,
 * with the same refusals. */
int oci_untar(const char *archive, const char *dir, char *err, size_t n);

/* The PATH a container runtime uses when the image sets none. */
#define OCI_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* User "uid", "uid:gid", "name" or "name:group" as ids, names looked up in
 * rootfs's /etc/passwd and /etc/group; the group is the user's primary
 * group unless one is given (Docker's rules). 0, or -1 with err. */
int oci_resolve_user(const char *rootfs, const char *user, long *uid, long *gid, char *err,
                     size_t n);

/* argv[0] as a path inside the image: a name without '/' is looked up in
 * path_env (or OCI_DEFAULT_PATH) inside rootfs, a relative path starts at
 * workdir. NULL when not found; free the result. */
char *oci_find_program(const char *rootfs, const char *prog, const char *path_env,
                       const char *workdir);

#endif
