/* Protected files: the on-disk format of encrypted mounts (docs/encrypted-files.md),
 * after Gramine's protected-files design: 4 KiB nodes, a metadata node
 * sealed under the user's key with the file's path, size and the root
 * node's key and MAC, and a Merkle tree in which each node's key and
 * AES-GCM MAC live in its parent.
 *
 * No dependency on where it runs: the host file and the cipher are reached
 * through callbacks (struct pf_ops), memory through malloc/free. Built into
 * the libOS (libos/fs/encrypted.c, crypto through the PAL) and the loader
 * (`geode pf`, crypto from libcrypto).
 *
 * A struct pf_file keeps the plaintext nodes it has read or written in
 * memory until pf_close; pf_flush writes the changed data nodes, then every
 * tree node, then the metadata node last, each under a fresh random key. */
#ifndef GEODE_PF_H
#define GEODE_PF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PF_NODE_SIZE 4096
#define PF_KEY_SIZE 16
#define PF_MAC_SIZE 16
#define PF_IV_SIZE 12
#define PF_PATH_MAX 512 /* with its NUL */
/* Largest plaintext size (the tree's node numbers stay far from overflow). */
#define PF_SIZE_MAX (1ULL << 40)

/* Errors: negative Linux errno values; callback errors pass through. */
#define PF_EIO 5 /* a node fails its MAC, is missing (truncated) or malformed */
#define PF_ENOMEM 12
#define PF_EACCES 13 /* the metadata fails its MAC (wrong key), or names another path */
#define PF_EFBIG 27
#define PF_EINVAL 22

struct pf_ops {
    void *arg; /* passed to read/write/truncate: the host file */
    /* Bytes transferred (read: fewer only at the end of the file), or < 0. */
    long (*read)(void *arg, void *buf, size_t len, uint64_t off);
    long (*write)(void *arg, const void *buf, size_t len, uint64_t off);
    long (*truncate)(void *arg, uint64_t size);
    /* AES-128-GCM; 0 or < 0 (open: < 0 when the tag does not match). */
    long (*seal)(const uint8_t key[PF_KEY_SIZE], const uint8_t iv[PF_IV_SIZE], const void *aad,
                 size_t aad_len, const void *in, void *out, size_t len, uint8_t tag[PF_MAC_SIZE]);
    long (*open)(const uint8_t key[PF_KEY_SIZE], const uint8_t iv[PF_IV_SIZE], const void *aad,
                 size_t aad_len, const void *in, void *out, size_t len,
                 const uint8_t tag[PF_MAC_SIZE]);
    long (*random)(void *buf, size_t len);
};

struct pf_entry {
    uint8_t key[PF_KEY_SIZE];
    uint8_t mac[PF_MAC_SIZE];
};

struct pf_file {
    struct pf_ops ops;
    uint8_t user_key[PF_KEY_SIZE];
    char path[PF_PATH_MAX];
    uint64_t size;       /* plaintext bytes */
    uint64_t disk_nodes; /* data nodes whose entry names a node on disk */
    uint64_t cap;        /* length of dent, data, dirty */
    struct pf_entry *dent;
    uint8_t **data; /* plaintext of each data node read or written; NULL: on disk */
    bool *dirty;
    struct pf_entry *ment; /* tree nodes' entries, cap_m of them */
    uint64_t cap_m;
    bool meta_dirty;
    uint8_t meta_tag[PF_MAC_SIZE]; /* the metadata's MAC as last read or written */
    /* Why the last call failed (a fixed string) and the node concerned (-1
     * for none): the caller logs them with the file's name. */
    const char *why;
    int64_t why_node;
};

/* Opens the protected file at path (its path inside the mount, bound into
 * the metadata) whose host file holds host_size bytes: 0 makes a new,
 * empty file (written by the first pf_flush). Reads and checks the
 * metadata (-PF_EACCES: wrong key, or another path: a renamed or swapped
 * host file) and every tree node (-PF_EIO). */
int pf_open(struct pf_file *pf, const struct pf_ops *ops, const uint8_t key[PF_KEY_SIZE],
            const char *path, uint64_t host_size);
/* Plaintext bytes read (0 at the end), or -PF_EIO when a data node fails
 * its check. */
long pf_read(struct pf_file *pf, void *buf, size_t len, uint64_t off);
/* Writes len bytes at off (the file grows; a gap reads as zeros). */
long pf_write(struct pf_file *pf, const void *buf, size_t len, uint64_t off);
int pf_set_size(struct pf_file *pf, uint64_t size);
/* Binds the file to a new path (written by the next pf_flush). */
int pf_set_path(struct pf_file *pf, const char *path);
/* Writes what changed: data nodes, tree nodes, the metadata node last,
 * then trims the host file. */
int pf_flush(struct pf_file *pf);
/* 1 when the host file's metadata is no longer the one this state read or
 * wrote last (another process flushed the file since), 0 if it is, < 0 on
 * a host error. */
int pf_stale(struct pf_file *pf);
/* Frees the state (without flushing) and wipes the keys. */
void pf_close(struct pf_file *pf);

/* The metadata node's decoding (exposed for the fuzz target): checks the
 * header and the MAC with key and fills path, size and the root entry. */
int pf_decode_meta(const struct pf_ops *ops, const uint8_t key[PF_KEY_SIZE],
                   const uint8_t node[PF_NODE_SIZE], char path[PF_PATH_MAX], uint64_t *size,
                   struct pf_entry *root);
/* Host bytes a file of size plaintext bytes takes. */
uint64_t pf_host_size(uint64_t size);

#endif
