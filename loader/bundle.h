/* Signed bundles: what a vendor ships after `geode sign`, and what
 * `geode run BUNDLE` runs unchanged on any host (docs/signing.md).
 *
 * A bundle is a directory:
 *   manifest.toml    the expanded manifest (every trusted file with its
 *                    sha256), for people; the blob is what counts
 *   manifest.blob    the canonical manifest, measured into the enclave
 *   enclave.sig      the SIGSTRUCT (1808 bytes)
 *   pal-enclave.elf  the trusted PAL
 *   libos.elf        the libOS (absent when the manifest names
 *                    loader.entrypoint: that host file is then measured)
 *   SHA256SUMS       every file above, as sha256sum(1) writes it
 *
 * Before building the enclave, `geode run` checks SHA256SUMS (naming a
 * bundle file that changed), every trusted host file against the hash the
 * blob holds (naming a host file that changed), and then that the enclave
 * built from the bundle measures to the MRENCLAVE the SIGSTRUCT signs. */
#ifndef GEODE_LOADER_BUNDLE_H
#define GEODE_LOADER_BUNDLE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sigstruct.h"
#include "manifest/manifest.h"

struct bundle {
    char dir[PATH_MAX];
    uint8_t *blob;
    size_t blob_len;
    struct sgx_sigstruct sig;
    geode_manifest *m; /* the blob, decoded */
};

/* True when path is a directory holding enclave.sig. */
bool bundle_is(const char *path);

/* Writes the bundle of manifest into dir (created if missing; the files
 * above are replaced), signed with the key at key_path; date (BCD) and
 * vendor go into the SIGSTRUCT. Prints MRENCLAVE. 0, or 1 after printing
 * why. */
int bundle_write(const char *manifest, const char *dir, const char *runtime_dir,
                 const char *key_path, uint32_t date_bcd, uint32_t vendor);

/* Reads and checks a bundle (see above). 0, or 1 after printing why
 * (cmd names the command in messages). Free with bundle_close. */
int bundle_open(const char *dir, const char *cmd, struct bundle *b);
void bundle_close(struct bundle *b);

#endif
