/* Trusted files: read-only, contents checked. The first open reads the
 * whole file through the PAL, hashing it whole (compared with the
 * manifest's SHA-256) and per TRUSTED_CHUNK (kept for the life of the
 * process: later opens read nothing up front). Every read afterwards,
 * whoever asks (read, pread, the ELF loader, mmap's copies), fetches whole
 * chunks from the host into enclave memory, checks each against its stored
 * hash and copies out only then. The size is the one the hash covered. */
#include <linux/fcntl.h>

#include "fs/trusted.h"

struct trusted_open {
    pal_handle h;
    const struct trusted_entry *e;
    const struct trusted_hashes *hashes;
    spinlock_t lock; /* pos and the chunk cache */
    int64_t pos;
    uint8_t *cache;  /* the last verified chunk, TRUSTED_CHUNK bytes */
    uint64_t cached; /* its index; valid when cache_ok */
    bool cache_ok;
};

static void hex(const uint8_t *d, char out[2 * SHA256_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < SHA256_LEN; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * SHA256_LEN] = 0;
}

/* Reads exactly len bytes at off; -EIO when the file ends before. */
static long pread_full(pal_handle h, uint8_t *buf, size_t len, int64_t off)
{
    for (size_t done = 0; done < len;) {
        long n = pal->pread(h, buf + done, len - done, off + (int64_t)done);
        if (n < 0)
            return n;
        if (n == 0)
            return -PAL_EIO;
        done += (size_t)n;
    }
    return 0;
}

static size_t chunk_len(int64_t size, uint64_t i)
{
    int64_t left = size - (int64_t)(i * TRUSTED_CHUNK);
    return left < TRUSTED_CHUNK ? (size_t)left : TRUSTED_CHUNK;
}

/* sha256_update with the PAL's SHA-NI compression for the whole blocks
 * when it has one (several times faster than lib/sha256.c's). */
static void hash_update(struct sha256_ctx *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t blocks = len / 64;
    if (c->used == 0 && blocks && PAL_HAS(pal, sha256_blocks) &&
        pal->sha256_blocks(c->h, p, blocks) == 0) {
        c->total += blocks * 64;
        p += blocks * 64;
        len -= blocks * 64;
    }
    sha256_update(c, p, len);
}

static void hash_once(const void *data, size_t len, uint8_t out[SHA256_LEN])
{
    struct sha256_ctx c;
    sha256_init(&c);
    hash_update(&c, data, len);
    sha256_final(&c, out);
}

/* During an execve (trusted_keep_begin .. trusted_drop_kept), the
 * contents of the last trusted file verified, when it is at most
 * TRUSTED_KEEP_MAX bytes: execve verifies its program and then reads it
 * all again (the "#!" check, the ELF checks, every segment), and those
 * reads come from here, as verified, instead of from the host with a hash
 * per chunk. Outside an execve every read goes to the host and is checked
 * (a change on the host after the verification is then seen: EIO). */
#define TRUSTED_KEEP_MAX (16 * 1024 * 1024)
static struct {
    spinlock_t lock;
    bool on;
    const struct trusted_entry *e;
    uint8_t *data;
} kept;

static void keep_contents(const struct trusted_entry *e, uint8_t *data)
{
    spin_lock(&kept.lock);
    uint8_t *old = kept.data;
    kept.e = data ? e : NULL;
    kept.data = data;
    spin_unlock(&kept.lock);
    free(old);
}

static bool keeping(void)
{
    return __atomic_load_n(&kept.on, __ATOMIC_RELAXED);
}

void trusted_keep_begin(void)
{
    __atomic_store_n(&kept.on, true, __ATOMIC_RELAXED);
}

void trusted_drop_kept(void)
{
    __atomic_store_n(&kept.on, false, __ATOMIC_RELAXED);
    keep_contents(NULL, NULL);
}

/* Chunk i of e from the kept contents into buf: 1, or 0 when they are
 * another file's. */
static int kept_chunk(const struct trusted_entry *e, uint64_t i, uint8_t *buf, size_t len)
{
    int hit;
    spin_lock(&kept.lock);
    hit = kept.e == e && kept.data;
    if (hit)
        memcpy(buf, kept.data + i * TRUSTED_CHUNK, len);
    spin_unlock(&kept.lock);
    return hit;
}

/* Hashes the open file h whole and per chunk, with the host's size; with
 * keep, the bytes are read into it (size bytes) instead of a buffer. */
static int hash_file(pal_handle h, int64_t size, uint8_t whole[SHA256_LEN],
                     struct trusted_hashes **out, uint8_t *keep)
{
    uint64_t n = (uint64_t)(size + TRUSTED_CHUNK - 1) / TRUSTED_CHUNK;
    struct trusted_hashes *th = malloc(sizeof(*th) + n * SHA256_LEN);
    uint8_t *buf = keep ? NULL : malloc(TRUSTED_CHUNK);
    struct sha256_ctx c;
    long r = th && (buf || keep) ? 0 : -PAL_ENOMEM;
    /* Kept: one read of the whole file (the PAL's reads may be larger
     * than a chunk, or not a divisor of one). */
    if (r == 0 && keep)
        r = pread_full(h, keep, (size_t)size, 0);
    sha256_init(&c);
    for (uint64_t i = 0; r == 0 && i < n; i++) {
        size_t len = chunk_len(size, i);
        uint8_t *at = keep ? keep + i * TRUSTED_CHUNK : buf;
        if (!keep)
            r = pread_full(h, at, len, (int64_t)(i * TRUSTED_CHUNK));
        if (r == 0) {
            hash_update(&c, at, len);
            hash_once(at, len, th->chunk[i]);
        }
    }
    free(buf);
    if (r < 0) {
        free(th);
        return (int)r;
    }
    sha256_final(&c, whole);
    th->size = size;
    th->nchunks = n;
    *out = th;
    return 0;
}

/* The first open: the whole file against the manifest's hash. */
static int verify(const struct trusted_entry *e, pal_handle h, struct trusted_hashes **out)
{
    struct pal_stat st;
    uint8_t whole[SHA256_LEN];
    char got[2 * SHA256_LEN + 1], want[2 * SHA256_LEN + 1];
    uint8_t *keep = NULL;
    long r = pal->fstat(h, &st);
    if (r == 0 && (st.size < 0 || (st.mode & 0170000) != 0100000))
        r = -PAL_EIO;
    if (r == 0 && keeping() && st.size > 0 && st.size <= TRUSTED_KEEP_MAX)
        keep = malloc((size_t)st.size); /* NULL: hashed through a buffer, not kept */
    if (r == 0)
        r = hash_file(h, st.size, whole, out, keep);
    if (r == 0 && memcmp(whole, e->sha256, SHA256_LEN)) {
        hex(whole, got);
        hex(e->sha256, want);
        log_error("trusted file %s was modified: SHA-256 %s expected %s", e->path, got, want);
        free(*out);
        free(keep);
        return -PAL_EACCES;
    }
    if (r < 0)
        free(keep);
    if (r == -PAL_ENOMEM)
        return (int)r;
    if (r < 0) {
        log_error("trusted file %s cannot be read as a regular file: %s", e->path, errno_name(r));
        return -PAL_EACCES;
    }
    if (keep)
        keep_contents(e, keep);
    return 0;
}

/* Brings chunk i into o->cache, checked. Called with o->lock held. */
static long load_chunk(struct trusted_open *o, uint64_t i)
{
    uint8_t sum[SHA256_LEN];
    if (o->cache_ok && o->cached == i)
        return 0;
    if (!o->cache && !(o->cache = malloc(TRUSTED_CHUNK)))
        return -PAL_ENOMEM;
    o->cache_ok = false;
    size_t len = chunk_len(o->hashes->size, i);
    if (kept_chunk(o->e, i, o->cache, len)) {
        o->cached = i;
        o->cache_ok = true;
        return 0;
    }
    long r = pread_full(o->h, o->cache, len, (int64_t)(i * TRUSTED_CHUNK));
    if (r == 0)
        hash_once(o->cache, len, sum);
    if (r == 0 && memcmp(sum, o->hashes->chunk[i], SHA256_LEN))
        r = -PAL_EIO;
    if (r < 0) {
        log_error("trusted file %s changed on the host after it was verified (bytes %llu..%llu "
                  "%s); read refused",
                  o->e->path, (unsigned long long)(i * TRUSTED_CHUNK),
                  (unsigned long long)(i * TRUSTED_CHUNK + len),
                  r == -PAL_EIO ? "differ or are missing" : "cannot be read");
        return -PAL_EIO;
    }
    o->cached = i;
    o->cache_ok = true;
    return 0;
}

static long read_locked(struct trusted_open *o, void *buf, size_t len, int64_t off)
{
    int64_t size = o->hashes->size;
    if (off < 0)
        return -PAL_EINVAL;
    if (off >= size)
        return 0;
    len = (uint64_t)(size - off) < len ? (size_t)(size - off) : len;
    for (size_t done = 0; done < len;) {
        uint64_t pos = (uint64_t)off + done, i = pos / TRUSTED_CHUNK, in = pos % TRUSTED_CHUNK;
        long r = load_chunk(o, i);
        if (r < 0)
            return r;
        size_t n = chunk_len(size, i) - in;
        n = n < len - done ? n : len - done;
        memcpy((char *)buf + done, o->cache + in, n);
        done += n;
    }
    return (long)len;
}

static long t_pread(struct file *f, void *buf, size_t len, int64_t off)
{
    struct trusted_open *o = (struct trusted_open *)f->h;
    spin_lock(&o->lock);
    long r = read_locked(o, buf, len, off);
    spin_unlock(&o->lock);
    return r;
}

static long t_read(struct file *f, void *buf, size_t len)
{
    struct trusted_open *o = (struct trusted_open *)f->h;
    spin_lock(&o->lock);
    long r = read_locked(o, buf, len, o->pos);
    if (r > 0)
        o->pos += r;
    spin_unlock(&o->lock);
    return r;
}

static long t_seek(struct file *f, int64_t off, int whence)
{
    struct trusted_open *o = (struct trusted_open *)f->h;
    spin_lock(&o->lock);
    int64_t base = whence == 0 ? 0 : whence == 1 ? o->pos : o->hashes->size;
    long r = whence < 0 || whence > 2 || base + off < 0 ? -PAL_EINVAL : (long)(base + off);
    if (r >= 0)
        o->pos = r;
    spin_unlock(&o->lock);
    return r;
}

/* Attributes are the host's (names and metadata are not protected),
 * except the size, which is the verified one. */
static long t_fstat(struct file *f, struct pal_stat *st)
{
    struct trusted_open *o = (struct trusted_open *)f->h;
    long r = pal->fstat(o->h, st);
    if (r == 0)
        st->size = o->hashes->size;
    return r;
}

static long t_write(struct file *f, const void *b, size_t n)
{
    (void)f, (void)b, (void)n;
    return -PAL_EBADF;
}

static long t_pwrite(struct file *f, const void *b, size_t n, int64_t o)
{
    (void)o;
    return t_write(f, b, n);
}

static long t_truncate(struct file *f, int64_t len)
{
    (void)f, (void)len;
    return -PAL_EINVAL; /* ftruncate of a read-only descriptor, as Linux */
}

static void t_release(struct file *f)
{
    struct trusted_open *o = (struct trusted_open *)f->h;
    pal->close(o->h);
    free(o->cache);
    free(o);
}

static const struct file_ops trusted_file_ops = {
    .read = t_read,
    .write = t_write,
    .pread = t_pread,
    .pwrite = t_pwrite,
    .seek = t_seek,
    .fstat = t_fstat,
    .truncate = t_truncate,
    .release = t_release,
};

/* The hashes of e, established by this open if no earlier one did. Two
 * threads may verify at once: the first to publish wins. */
static int hashes_of(struct trusted_entry *e, pal_handle h, struct trusted_hashes **out)
{
    struct trusted_hashes *th = __atomic_load_n(&e->hashes, __ATOMIC_ACQUIRE), *none = NULL;
    if (th) {
        *out = th;
        return 0;
    }
    int r = verify(e, h, &th);
    if (r < 0)
        return r;
    if (!__atomic_compare_exchange_n(&e->hashes, &none, th, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        free(th);
        th = none;
    }
    *out = th;
    return 0;
}

static int refuse_write(const struct trusted_entry *e, int flags)
{
    if ((flags & O_ACCMODE) == O_RDONLY && !(flags & (O_CREAT | O_TRUNC)))
        return 0;
    log_warn("trusted file %s is read-only inside the enclave: open for writing refused", e->path);
    return -PAL_EACCES;
}

int trusted_file_open(struct trusted_entry *e, const char *host, int flags, int extra,
                      struct file **out)
{
    pal_handle h;
    struct trusted_hashes *th;
    int r = refuse_write(e, flags);
    if (r == 0 && !e->sha256) {
        log_error("trusted file %s has no SHA-256 (geode manifest expand adds it)", e->path);
        r = -PAL_EACCES;
    }
    if (r == 0 && (flags & O_DIRECTORY))
        r = -PAL_ENOTDIR;
    if (r == 0)
        r = (int)pal->file_open(host, O_RDONLY | extra, 0, &h);
    if (r < 0)
        return r;
    struct trusted_open *o = calloc(1, sizeof(*o));
    r = o ? hashes_of(e, h, &th) : -PAL_ENOMEM;
    struct file *f =
        r == 0 ? file_new(&trusted_file_ops, (pal_handle)(uintptr_t)o, flags & ~O_CLOEXEC) : NULL;
    if (!f) {
        free(o);
        pal->close(h);
        return r < 0 ? r : -PAL_ENOMEM;
    }
    o->h = h;
    o->e = e;
    o->hashes = th;
    *out = f;
    return 0;
}
