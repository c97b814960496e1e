/* Trusted and allowed host files inside an enclave: sgx.trusted_files
 * (contents checked against the manifest's SHA-256), sgx.allowed_files
 * (passed through) and sgx.file_check_policy for everything else. The
 * checks apply only when the PAL says it is an enclave
 * (PAL_BOOT_ENCLAVE); outside one every host file opens as it always did.
 * Only contents are guarded: names, directories and stat are the host's. */
#ifndef GEODE_LIBOS_TRUSTED_H
#define GEODE_LIBOS_TRUSTED_H

#include "fs/vfs.h"
#include "lib/sha256.h"

/* Contents are verified in chunks of this size after the first open. */
#define TRUSTED_CHUNK (64 * 1024)

/* What the first successful open of a trusted file established: its size
 * and the SHA-256 of each chunk, kept in enclave memory for later reads. */
struct trusted_hashes {
    int64_t size;
    uint64_t nchunks;
    uint8_t chunk[][SHA256_LEN];
};

/* One sgx.trusted_files entry (a file: the loader expands directories). */
struct trusted_entry {
    char *path;                    /* the host path of its URI, normalized */
    char *canon;                   /* path with the host's symlinks resolved at start */
    const uint8_t *sha256;         /* the manifest's hash; NULL if it has none */
    struct trusted_hashes *hashes; /* set once, by the first open that verified it */
};

/* trusted.c: reads the three keys from the manifest; called once the
 * mounts exist (canonical names are resolved through them). */
int trusted_init(const Geode__Manifest *m);
/* Applies the policy to opening host path `host`, the file the libOS
 * resolved; `alias` is the host path of the name the program used before
 * symlinks were followed (NULL: the same). extra: the host-only open flags
 * the caller adds (O_CLOEXEC, O_NOFOLLOW, PAL_O_NOSYMLINKS). Returns 1 when
 * the caller opens it as usual, 0 with *out set when the policy opened it
 * (a trusted file, a directory), or a negative errno (-EACCES: refused). */
int trusted_open(const char *host, const char *alias, int flags, int extra, struct file **out);

/* trusted_io.c: opens a trusted file read-only; the first open reads it
 * whole, checks its SHA-256 against the manifest's and keeps the chunk
 * hashes; every read afterwards checks the chunks it copies out. */
int trusted_file_open(struct trusted_entry *e, const char *host, int flags, int extra,
                      struct file **out);
/* execve: between these, the first open of a trusted file (up to 16 MiB)
 * keeps what it verified, and the reads that follow take it from there. */
void trusted_keep_begin(void);
void trusted_drop_kept(void);

#endif
