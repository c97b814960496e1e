/* The descriptor table: fd -> struct file, plus a CLOEXEC bit per fd. */
#include <linux/fcntl.h>

#include "core/file.h"
#include "core/process.h"

/* Two levels: chunks of FD_CHUNK slots, made when a descriptor in them is
 * first installed and kept while the table lives, so that a reader
 * without the lock (fd_borrow with one thread, the cloexec accessors)
 * never sees an array freed under it, and a table of a few descriptors
 * costs one chunk, whatever RLIMIT_NOFILE allows (up to FD_MAX). */
#define FD_CHUNK 1024
#define FD_CHUNKS (FD_MAX / FD_CHUNK)

struct fd_chunk {
    struct file *f[FD_CHUNK];
    bool cloexec[FD_CHUNK];
    int used; /* slots holding a file, under fd_lock */
};

struct fd_table {
    struct fd_chunk *c[FD_CHUNKS];
};
static struct fd_table main_table;
/* A vfork child's own table while it runs on its parent's thread
 * (sys/vfork.c): that thread sees it, every other the process's. */
static struct fd_table child_table;
static spinlock_t fd_lock;

_Static_assert(FD_MAX % FD_CHUNK == 0, "whole chunks");

spinlock_t *fd_fork_lock(void)
{
    return &fd_lock;
}

static struct fd_table *tbl(void)
{
    return vfork_child_active() ? &child_table : &main_table;
}

/* The chunk of fd (0 <= fd < FD_MAX), or NULL when none was made. */
static struct fd_chunk *chunk_of(const struct fd_table *t, int fd)
{
    return __atomic_load_n(&t->c[fd / FD_CHUNK], __ATOMIC_ACQUIRE);
}

/* The file at fd, or NULL (fd may be anything). */
static struct file *slot_file(const struct fd_table *t, int fd)
{
    const struct fd_chunk *c = fd >= 0 && fd < FD_MAX ? chunk_of(t, fd) : NULL;
    return c ? c->f[fd % FD_CHUNK] : NULL;
}

/* Under fd_lock: puts f (not NULL) at fd, making its chunk if needed;
 * returns what was there, or sets *nomem. */
static struct file *slot_set(struct fd_table *t, int fd, struct file *f, bool ce, bool *nomem)
{
    struct fd_chunk *c = chunk_of(t, fd);
    if (!c) {
        c = calloc(1, sizeof(*c));
        if (!c) {
            *nomem = true;
            return NULL;
        }
        __atomic_store_n(&t->c[fd / FD_CHUNK], c, __ATOMIC_RELEASE);
    }
    struct file *old = c->f[fd % FD_CHUNK];
    c->f[fd % FD_CHUNK] = f;
    c->cloexec[fd % FD_CHUNK] = ce;
    c->used += !old;
    return old;
}

/* Under fd_lock: empties fd; returns what was there. */
static struct file *slot_clear(struct fd_table *t, int fd)
{
    struct fd_chunk *c = fd >= 0 && fd < FD_MAX ? chunk_of(t, fd) : NULL;
    struct file *old = c ? c->f[fd % FD_CHUNK] : NULL;
    if (old) {
        c->f[fd % FD_CHUNK] = NULL;
        c->cloexec[fd % FD_CHUNK] = false;
        c->used--;
    }
    return old;
}

/* RLIMIT_NOFILE's soft limit (sys/proc.c keeps the limits): every new
 * descriptor is below it; descriptors already above it stay usable. */
static int fd_limit = FD_DEFAULT_LIMIT;

void fd_set_limit(uint64_t n)
{
    __atomic_store_n(&fd_limit, n < FD_MAX ? (int)n : FD_MAX, __ATOMIC_RELAXED);
}

int fd_get_limit(void)
{
    return __atomic_load_n(&fd_limit, __ATOMIC_RELAXED);
}

int fd_install(struct file *f, int min_fd, bool ce)
{
    if (min_fd < 0 || min_fd >= FD_MAX)
        return -PAL_EINVAL;
    int limit = fd_get_limit();
    struct fd_table *t = tbl();
    bool nomem = false;
    spin_lock(&fd_lock);
    for (int fd = min_fd; fd < limit;) {
        const struct fd_chunk *c = chunk_of(t, fd);
        if (c && c->used == FD_CHUNK) { /* full: the next chunk */
            fd = (fd / FD_CHUNK + 1) * FD_CHUNK;
            continue;
        }
        if (!c || !c->f[fd % FD_CHUNK]) {
            slot_set(t, fd, f, ce, &nomem);
            spin_unlock(&fd_lock);
            return nomem ? -PAL_ENOMEM : fd;
        }
        fd++;
    }
    spin_unlock(&fd_lock);
    return -PAL_EMFILE;
}

int fd_next(int from)
{
    const struct fd_table *t = tbl();
    int found = -1;
    spin_lock(&fd_lock);
    for (int fd = from < 0 ? 0 : from; fd < FD_MAX && found < 0;) {
        const struct fd_chunk *c = chunk_of(t, fd);
        if (!c || !c->used) {
            fd = (fd / FD_CHUNK + 1) * FD_CHUNK;
            continue;
        }
        if (c->f[fd % FD_CHUNK])
            found = fd;
        fd++;
    }
    spin_unlock(&fd_lock);
    return found;
}

int fd_table_span(void)
{
    const struct fd_table *t = tbl();
    int n = 0;
    for (int i = 0; i < FD_CHUNKS; i++)
        if (chunk_of(t, i * FD_CHUNK))
            n = (i + 1) * FD_CHUNK;
    return n ? n : FD_CHUNK;
}

/* A vfork child that runs on its parent's thread (sys/vfork.c) is another
 * process: its closes release none of the parent's locks. */
static void fd_closed(struct file *f)
{
    if (f->ops->fd_closed && !vfork_child_active())
        f->ops->fd_closed(f);
}

/* Puts f at fd, closing what was there (dup2 semantics). */
int fd_install_at(struct file *f, int fd, bool ce)
{
    if (fd < 0 || fd >= FD_MAX)
        return -PAL_EBADF;
    struct fd_table *t = tbl();
    bool nomem = false;
    spin_lock(&fd_lock);
    struct file *old = slot_set(t, fd, f, ce, &nomem);
    spin_unlock(&fd_lock);
    if (nomem)
        return -PAL_ENOMEM;
    if (old) {
        fd_closed(old);
        file_put(old);
    }
    return fd;
}

struct file *fd_get(int fd)
{
    if (fd < 0 || fd >= FD_MAX)
        return NULL;
    spin_lock(&fd_lock);
    struct file *f = slot_file(tbl(), fd);
    if (f)
        __atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
    spin_unlock(&fd_lock);
    return f;
}

/* With one program thread nothing can close fd while this syscall uses
 * it (signals are delivered only at syscall boundaries), so the hot I/O
 * paths skip the lock and the reference count: on this machine those
 * locked instructions were a third of the libOS's cost for a 4 KiB read. */
struct file *fd_borrow(int fd, bool *counted)
{
    *counted = __atomic_load_n(&libos_thread_count, __ATOMIC_ACQUIRE) > 1;
    if (*counted)
        return fd_get(fd);
    return slot_file(tbl(), fd);
}

void fd_unborrow(struct file *f, bool counted)
{
    if (counted)
        file_put(f);
}

int fd_close(int fd)
{
    if (fd < 0 || fd >= FD_MAX)
        return -PAL_EBADF;
    struct fd_table *t = tbl();
    spin_lock(&fd_lock);
    struct file *f = slot_clear(t, fd);
    spin_unlock(&fd_lock);
    if (!f)
        return -PAL_EBADF;
    fd_closed(f);
    file_put(f);
    return 0;
}

int fd_get_cloexec(int fd)
{
    if (!slot_file(tbl(), fd))
        return -PAL_EBADF;
    return chunk_of(tbl(), fd)->cloexec[fd % FD_CHUNK];
}

int fd_set_cloexec(int fd, bool on)
{
    if (!slot_file(tbl(), fd))
        return -PAL_EBADF;
    chunk_of(tbl(), fd)->cloexec[fd % FD_CHUNK] = on;
    return 0;
}

long fd_get_of(int fd, const struct file_ops *ops, struct file **out)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -PAL_EBADF;
    if (f->ops != ops) {
        file_put(f);
        return -PAL_EINVAL;
    }
    *out = f;
    return 0;
}

long anon_fstat(struct file *f, struct pal_stat *st)
{
    (void)f;
    memset(st, 0, sizeof(*st));
    st->mode = 0600;
    st->nlink = 1;
    return 0;
}

pal_handle anon_poll_handle(struct file *f) { return f->h; }

void anon_release(struct file *f) { pal->close(f->h); }

long anon_install(const struct file_ops *ops, pal_handle h, int flags, bool cloexec,
                  const char *name)
{
    struct file *f = file_new(ops, h, flags & (O_ACCMODE | O_NONBLOCK));
    if (!f) {
        pal->close(h);
        return -PAL_ENOMEM;
    }
    f->anon_name = name;
    int fd = fd_install(f, 0, cloexec);
    if (fd < 0)
        file_put(f);
    return fd;
}

/* Puts every file of t (no fd_closed: the table's process keeps them)
 * and empties it, its chunks freed: no other thread reads this table (a
 * vfork child's, or the process's old one after the child adopted). */
static void table_drop(struct fd_table *t)
{
    for (int i = 0; i < FD_CHUNKS; i++) {
        struct fd_chunk *c = t->c[i];
        t->c[i] = NULL;
        for (int k = 0; c && k < FD_CHUNK; k++)
            if (c->f[k])
                file_put(c->f[k]);
        free(c);
    }
}

/* A copy of the process's table for a vfork child: each chunk copied, each
 * file one more reference. A chunk that cannot be copied is left out, and
 * its descriptors are closed in the child (-ENOMEM to the caller). */
int fd_table_fork_child(void)
{
    int r = 0;
    spin_lock(&fd_lock);
    for (int i = 0; i < FD_CHUNKS; i++) {
        const struct fd_chunk *c = main_table.c[i];
        struct fd_chunk *n = c && c->used ? malloc(sizeof(*n)) : NULL;
        if (c && c->used && !n)
            r = -PAL_ENOMEM;
        if (n) {
            *n = *c;
            for (int k = 0; k < FD_CHUNK; k++)
                if (n->f[k])
                    __atomic_add_fetch(&n->f[k]->refs, 1, __ATOMIC_RELAXED);
        }
        child_table.c[i] = n;
    }
    spin_unlock(&fd_lock);
    return r;
}

void fd_table_child_drop(void)
{
    table_drop(&child_table);
}

void fd_table_child_adopt(void)
{
    static struct fd_table old;
    spin_lock(&fd_lock);
    old = main_table;
    main_table = child_table;
    memset(&child_table, 0, sizeof(child_table));
    spin_unlock(&fd_lock);
    table_drop(&old);
}
