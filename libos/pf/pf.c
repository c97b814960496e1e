/* Protected files (pf.h; the format in docs/encrypted-files.md).
 *
 * Node numbers: node 0 is the metadata; tree (MHT) node m is node 1 + 97 m
 * and is followed by its 96 data nodes (data node d is node
 * 2 + 97 (d / 96) + d % 96). Tree node m holds the entries (key, MAC) of its
 * 96 data nodes, then of its 32 child tree nodes 32 m + 1 .. 32 m + 32; the
 * root (m = 0) has its entry in the metadata. Every node but the metadata
 * is sealed with AES-128-GCM under a random key of its own, written once
 * (the IV is then all zeros); the metadata under the user's key with a
 * random IV, its 48-byte header as AAD. */
#include "pf.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
void *malloc(size_t n);
void *realloc(void *p, size_t n);
void free(void *p);

#define DATA_PER_MHT 96
#define CHILD_MHT 32
#define MAGIC "GEODEPF1"
#define VERSION 1
#define HDR_AAD 32  /* magic 8, version 4, flags 4, iv 12, reserved 4 */
#define HDR_SIZE 48 /* + tag 16 */
#define META_LEN (PF_NODE_SIZE - HDR_SIZE)
#define META_SIZE_OFF PF_PATH_MAX
#define META_ROOT_OFF (PF_PATH_MAX + 8)

_Static_assert(DATA_PER_MHT * sizeof(struct pf_entry) + CHILD_MHT * sizeof(struct pf_entry) ==
                   PF_NODE_SIZE,
               "a tree node is one node of entries");

static const uint8_t zero_iv[PF_IV_SIZE];

static void wipe(void *p, size_t n)
{
    memset(p, 0, n);
    __asm__ volatile("" : : "r"(p) : "memory");
}

static int fail(struct pf_file *pf, int err, const char *why, int64_t node)
{
    pf->why = why;
    pf->why_node = node;
    return err;
}

static uint64_t n_data(uint64_t size)
{
    return (size + PF_NODE_SIZE - 1) / PF_NODE_SIZE;
}
static uint64_t n_mht(uint64_t size)
{
    uint64_t n = n_data(size);
    return n ? (n + DATA_PER_MHT - 1) / DATA_PER_MHT : 1;
}
static uint64_t mht_node(uint64_t m)
{
    return 1 + (DATA_PER_MHT + 1) * m;
}
static uint64_t data_node(uint64_t d)
{
    return 2 + (DATA_PER_MHT + 1) * (d / DATA_PER_MHT) + d % DATA_PER_MHT;
}

uint64_t pf_host_size(uint64_t size)
{
    uint64_t n = n_data(size);
    return (n ? data_node(n - 1) + 1 : 2) * PF_NODE_SIZE;
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Grows the per-node arrays to hold n data nodes and m tree nodes. */
static int reserve(struct pf_file *pf, uint64_t n, uint64_t m)
{
    if (n > pf->cap) {
        uint64_t c = pf->cap ? pf->cap : 16;
        while (c < n)
            c *= 2;
        struct pf_entry *de = realloc(pf->dent, c * sizeof(*de));
        if (de)
            pf->dent = de;
        uint8_t **da = de ? realloc(pf->data, c * sizeof(*da)) : NULL;
        if (da)
            pf->data = da;
        bool *di = da ? realloc(pf->dirty, c * sizeof(*di)) : NULL;
        if (!di)
            return fail(pf, -PF_ENOMEM, "out of memory", -1);
        pf->dirty = di;
        memset(de + pf->cap, 0, (c - pf->cap) * sizeof(*de));
        memset(da + pf->cap, 0, (c - pf->cap) * sizeof(*da));
        memset(di + pf->cap, 0, (c - pf->cap) * sizeof(*di));
        pf->cap = c;
    }
    if (m > pf->cap_m) {
        struct pf_entry *me = realloc(pf->ment, m * sizeof(*me));
        if (!me)
            return fail(pf, -PF_ENOMEM, "out of memory", -1);
        memset(me + pf->cap_m, 0, (m - pf->cap_m) * sizeof(*me));
        pf->ment = me;
        pf->cap_m = m;
    }
    return 0;
}

/* Reads node number `node` and opens it with entry e into out. */
static int read_node(struct pf_file *pf, uint64_t node, const struct pf_entry *e, uint8_t *out,
                     const char *what)
{
    uint8_t ct[PF_NODE_SIZE];
    long r = pf->ops.read(pf->ops.arg, ct, sizeof(ct), node * PF_NODE_SIZE);
    if (r < 0)
        return fail(pf, (int)r, "host read failed", (int64_t)node);
    if (r != PF_NODE_SIZE)
        return fail(pf, -PF_EIO, "node missing: the host file is truncated", (int64_t)node);
    if (pf->ops.open(e->key, zero_iv, NULL, 0, ct, out, PF_NODE_SIZE, e->mac) < 0)
        return fail(pf, -PF_EIO, what, (int64_t)node);
    return 0;
}

static int write_node(struct pf_file *pf, uint64_t node, const uint8_t *plain, uint8_t *ct,
                      struct pf_entry *e)
{
    long r = pf->ops.random(e->key, sizeof(e->key));
    if (r >= 0)
        r = pf->ops.seal(e->key, zero_iv, NULL, 0, plain, ct, PF_NODE_SIZE, e->mac);
    if (r < 0)
        return fail(pf, (int)r, "sealing a node failed", (int64_t)node);
    r = pf->ops.write(pf->ops.arg, ct, PF_NODE_SIZE, node * PF_NODE_SIZE);
    if (r != PF_NODE_SIZE)
        return fail(pf, r < 0 ? (int)r : -PF_EIO, "host write failed", (int64_t)node);
    return 0;
}

int pf_decode_meta(const struct pf_ops *ops, const uint8_t key[PF_KEY_SIZE],
                   const uint8_t node[PF_NODE_SIZE], char path[PF_PATH_MAX], uint64_t *size,
                   struct pf_entry *root)
{
    uint8_t plain[META_LEN];
    if (memcmp(node, MAGIC, 8) || get64(node + 8) != VERSION)
        return -PF_EIO;
    if (ops->open(key, node + 16, node, HDR_AAD, node + HDR_SIZE, plain, META_LEN, node + HDR_AAD) <
        0)
        return -PF_EACCES;
    int r = -PF_EIO;
    size_t n = 0;
    while (n < PF_PATH_MAX && plain[n])
        n++;
    *size = get64(plain + META_SIZE_OFF);
    if (n > 0 && n < PF_PATH_MAX && *size <= PF_SIZE_MAX) {
        memcpy(path, plain, n + 1);
        memcpy(root, plain + META_ROOT_OFF, sizeof(*root));
        r = 0;
    }
    wipe(plain, sizeof(plain));
    return r;
}

/* Opens every tree node in order (a node's parent comes before it) and
 * takes the entries of its data nodes and child tree nodes. */
static int read_tree(struct pf_file *pf)
{
    uint64_t nd = n_data(pf->size), nm = n_mht(pf->size);
    struct pf_entry node[PF_NODE_SIZE / sizeof(struct pf_entry)];
    int r = 0;
    for (uint64_t m = 0; r == 0 && m < nm; m++) {
        r = read_node(pf, mht_node(m), &pf->ment[m], (uint8_t *)node,
                      "tree node fails its MAC (tampered, swapped or an older copy)");
        for (uint64_t i = 0; r == 0 && i < DATA_PER_MHT; i++)
            if (m * DATA_PER_MHT + i < nd)
                pf->dent[m * DATA_PER_MHT + i] = node[i];
        for (uint64_t j = 0; r == 0 && j < CHILD_MHT; j++)
            if (CHILD_MHT * m + 1 + j < nm)
                pf->ment[CHILD_MHT * m + 1 + j] = node[DATA_PER_MHT + j];
    }
    wipe(node, sizeof(node));
    return r;
}

int pf_open(struct pf_file *pf, const struct pf_ops *ops, const uint8_t key[PF_KEY_SIZE],
            const char *path, uint64_t host_size)
{
    uint8_t meta[PF_NODE_SIZE];
    char bound[PF_PATH_MAX];
    size_t n = strlen(path);
    memset(pf, 0, sizeof(*pf));
    pf->ops = *ops;
    pf->why_node = -1;
    memcpy(pf->user_key, key, PF_KEY_SIZE);
    if (n == 0 || n >= PF_PATH_MAX)
        return fail(pf, -PF_EINVAL, "path too long for the metadata", -1);
    memcpy(pf->path, path, n + 1);
    if (host_size == 0) { /* a new file: an empty tree, written on flush */
        pf->meta_dirty = true;
        return reserve(pf, 0, 1);
    }
    long got = ops->read(ops->arg, meta, sizeof(meta), 0);
    if (got < 0)
        return fail(pf, (int)got, "host read failed", 0);
    if (got != PF_NODE_SIZE)
        return fail(pf, -PF_EIO, "metadata node missing: the host file is truncated", 0);
    struct pf_entry root;
    memcpy(pf->meta_tag, meta + HDR_AAD, PF_MAC_SIZE);
    int r = pf_decode_meta(ops, key, meta, bound, &pf->size, &root);
    if (r == -PF_EACCES)
        return fail(pf, r, "metadata fails its MAC (wrong key, or tampered)", 0);
    if (r < 0)
        return fail(pf, r, "not a protected file (bad metadata header or fields)", 0);
    if (memcmp(bound, path, n + 1)) {
        wipe(&root, sizeof(root));
        return fail(pf, -PF_EACCES, "bound to another path (renamed or swapped on the host)", 0);
    }
    if (host_size < pf_host_size(pf->size))
        r = fail(pf, -PF_EIO, "the host file is truncated", -1);
    if (r == 0)
        r = reserve(pf, n_data(pf->size), n_mht(pf->size));
    if (r == 0) {
        pf->ment[0] = root;
        pf->disk_nodes = n_data(pf->size);
        r = read_tree(pf);
    }
    wipe(&root, sizeof(root));
    return r;
}

/* The plaintext of data node d, read and checked on first use. */
static uint8_t *node_data(struct pf_file *pf, uint64_t d, int *err)
{
    if (pf->data[d])
        return pf->data[d];
    uint8_t *p = malloc(PF_NODE_SIZE);
    if (!p) {
        *err = fail(pf, -PF_ENOMEM, "out of memory", -1);
        return NULL;
    }
    if (d >= pf->disk_nodes) {
        memset(p, 0, PF_NODE_SIZE);
    } else if ((*err = read_node(pf, data_node(d), &pf->dent[d], p,
                                 "data node fails its MAC (tampered, swapped or an older copy)"))) {
        free(p);
        return NULL;
    }
    pf->data[d] = p;
    return p;
}

/* Copies len bytes at off between buf and the data nodes (into the nodes
 * when write: marked dirty, the size grown), node by node; the count
 * copied, or an error when the first node fails. */
static long copy_nodes(struct pf_file *pf, uint8_t *buf, size_t len, uint64_t off, bool write)
{
    size_t done = 0;
    while (done < len) {
        uint64_t pos = off + done, d = pos / PF_NODE_SIZE;
        size_t in = (size_t)(pos % PF_NODE_SIZE), k = PF_NODE_SIZE - in;
        int err = 0;
        uint8_t *p = node_data(pf, d, &err);
        if (!p)
            return done ? (long)done : err;
        if (k > len - done)
            k = len - done;
        if (write) {
            memcpy(p + in, buf + done, k);
            pf->dirty[d] = true;
            if (pos + k > pf->size)
                pf->size = pos + k;
        } else {
            memcpy(buf + done, p + in, k);
        }
        done += k;
    }
    return (long)done;
}

long pf_read(struct pf_file *pf, void *buf, size_t len, uint64_t off)
{
    if (off >= pf->size)
        return 0;
    if (len > pf->size - off)
        len = (size_t)(pf->size - off);
    return copy_nodes(pf, buf, len, off, false);
}

long pf_write(struct pf_file *pf, const void *buf, size_t len, uint64_t off)
{
    if (off > PF_SIZE_MAX || len > PF_SIZE_MAX - off)
        return fail(pf, -PF_EFBIG, "file too large", -1);
    if (off > pf->size) {
        int r = pf_set_size(pf, off);
        if (r < 0)
            return r;
    }
    int r = reserve(pf, n_data(off + len), n_mht(off + len));
    if (r < 0)
        return r;
    long done = copy_nodes(pf, (uint8_t *)buf, len, off, true);
    if (done >= 0)
        pf->meta_dirty = true;
    return done;
}

int pf_set_size(struct pf_file *pf, uint64_t size)
{
    if (size > PF_SIZE_MAX)
        return fail(pf, -PF_EFBIG, "file too large", -1);
    uint64_t old = n_data(pf->size), now = n_data(size);
    int r = reserve(pf, now, n_mht(size));
    if (r < 0)
        return r;
    if (size < pf->size && size % PF_NODE_SIZE) { /* the tail of the last node reads as zeros */
        uint8_t *p = node_data(pf, now - 1, &r);
        if (!p)
            return r;
        memset(p + size % PF_NODE_SIZE, 0, PF_NODE_SIZE - size % PF_NODE_SIZE);
        pf->dirty[now - 1] = true;
    }
    if (size > pf->size && pf->size % PF_NODE_SIZE) { /* zeros past the old end already */
        uint64_t last = old - 1;
        if (!node_data(pf, last, &r))
            return r;
    }
    for (uint64_t d = now; d < old; d++) {
        free(pf->data[d]);
        pf->data[d] = NULL;
        pf->dirty[d] = false;
        memset(&pf->dent[d], 0, sizeof(pf->dent[d]));
    }
    for (uint64_t d = old; d < now; d++) /* new nodes: zeros, written on flush */
        pf->dirty[d] = true;
    if (pf->disk_nodes > now)
        pf->disk_nodes = now;
    pf->size = size;
    pf->meta_dirty = true;
    return 0;
}

int pf_set_path(struct pf_file *pf, const char *path)
{
    size_t n = strlen(path);
    if (n == 0 || n >= PF_PATH_MAX)
        return fail(pf, -PF_EINVAL, "path too long for the metadata", -1);
    memcpy(pf->path, path, n + 1);
    pf->meta_dirty = true;
    return 0;
}

static int flush_data(struct pf_file *pf, uint8_t *ct)
{
    uint64_t nd = n_data(pf->size);
    int err = 0;
    for (uint64_t d = 0; d < nd; d++) {
        if (!pf->dirty[d])
            continue;
        uint8_t *p = node_data(pf, d, &err); /* a new node beyond disk_nodes: zeros */
        if (!p || (err = write_node(pf, data_node(d), p, ct, &pf->dent[d])))
            return err;
        pf->dirty[d] = false;
    }
    return 0;
}

/* Children first, so that each node seals its children's new entries. */
static int flush_tree(struct pf_file *pf, uint8_t *ct)
{
    uint64_t nd = n_data(pf->size), nm = n_mht(pf->size);
    struct pf_entry node[PF_NODE_SIZE / sizeof(struct pf_entry)];
    int r = 0;
    for (uint64_t m = nm; r == 0 && m-- > 0;) {
        memset(node, 0, sizeof(node));
        for (uint64_t i = 0; i < DATA_PER_MHT; i++)
            if (m * DATA_PER_MHT + i < nd)
                node[i] = pf->dent[m * DATA_PER_MHT + i];
        for (uint64_t j = 0; j < CHILD_MHT; j++)
            if (CHILD_MHT * m + 1 + j < nm)
                node[DATA_PER_MHT + j] = pf->ment[CHILD_MHT * m + 1 + j];
        r = write_node(pf, mht_node(m), (const uint8_t *)node, ct, &pf->ment[m]);
    }
    wipe(node, sizeof(node));
    return r;
}

static int flush_meta(struct pf_file *pf, uint8_t *node)
{
    uint8_t plain[META_LEN];
    memset(node, 0, PF_NODE_SIZE);
    memcpy(node, MAGIC, 8);
    put64(node + 8, VERSION);
    memset(plain, 0, sizeof(plain));
    memcpy(plain, pf->path, strlen(pf->path) + 1);
    put64(plain + META_SIZE_OFF, pf->size);
    memcpy(plain + META_ROOT_OFF, &pf->ment[0], sizeof(pf->ment[0]));
    long r = pf->ops.random(node + 16, PF_IV_SIZE);
    if (r >= 0)
        r = pf->ops.seal(pf->user_key, node + 16, node, HDR_AAD, plain, node + HDR_SIZE, META_LEN,
                         node + HDR_AAD);
    wipe(plain, sizeof(plain));
    if (r < 0)
        return fail(pf, (int)r, "sealing the metadata failed", 0);
    r = pf->ops.write(pf->ops.arg, node, PF_NODE_SIZE, 0);
    if (r != PF_NODE_SIZE)
        return fail(pf, r < 0 ? (int)r : -PF_EIO, "host write failed", 0);
    memcpy(pf->meta_tag, node + HDR_AAD, PF_MAC_SIZE);
    return 0;
}

int pf_stale(struct pf_file *pf)
{
    uint8_t tag[PF_MAC_SIZE];
    long r = pf->ops.read(pf->ops.arg, tag, sizeof(tag), HDR_AAD);
    if (r < 0)
        return (int)r;
    if (r != PF_MAC_SIZE)
        memset(tag, 0, sizeof(tag)); /* empty: as a new file's state */
    return memcmp(tag, pf->meta_tag, sizeof(tag)) != 0;
}

int pf_flush(struct pf_file *pf)
{
    if (!pf->meta_dirty)
        return 0;
    uint8_t *ct = malloc(PF_NODE_SIZE);
    if (!ct)
        return fail(pf, -PF_ENOMEM, "out of memory", -1);
    int r = reserve(pf, n_data(pf->size), n_mht(pf->size));
    if (r == 0)
        r = flush_data(pf, ct);
    if (r == 0)
        r = flush_tree(pf, ct);
    if (r == 0)
        r = flush_meta(pf, ct); /* last: a flush cut short leaves a file that fails its checks */
    if (r == 0) {
        long t = pf->ops.truncate(pf->ops.arg, pf_host_size(pf->size));
        r = t < 0 ? fail(pf, (int)t, "host truncate failed", -1) : 0;
    }
    free(ct);
    if (r == 0) {
        pf->disk_nodes = n_data(pf->size);
        pf->meta_dirty = false;
    }
    return r;
}

void pf_close(struct pf_file *pf)
{
    for (uint64_t d = 0; d < pf->cap; d++) {
        if (pf->data[d]) {
            wipe(pf->data[d], PF_NODE_SIZE);
            free(pf->data[d]);
        }
    }
    if (pf->dent)
        wipe(pf->dent, pf->cap * sizeof(*pf->dent));
    if (pf->ment)
        wipe(pf->ment, pf->cap_m * sizeof(*pf->ment));
    free(pf->dent);
    free(pf->data);
    free(pf->dirty);
    free(pf->ment);
    wipe(pf, sizeof(*pf));
}
