/* The descriptor table: fd -> struct file, plus a CLOEXEC bit per fd. */
#include <linux/fcntl.h>

#include "core/file.h"
#include "core/process.h"

struct fd_table {
    struct file *f[FD_MAX];
    bool cloexec[FD_MAX];
};
static struct fd_table main_table;
/* A vfork child's own table while it runs on its parent's thread
 * (sys/vfork.c): that thread sees it, every other the process's. */
static struct fd_table child_table;
static spinlock_t fd_lock;

spinlock_t *fd_fork_lock(void)
{
    return &fd_lock;
}

static struct fd_table *tbl(void)
{
    return vfork_child_active() ? &child_table : &main_table;
}
/* RLIMIT_NOFILE's soft limit (sys/proc.c keeps the limits): every new
 * descriptor is below it; descriptors already above it stay usable. */
static int fd_limit = FD_MAX;

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
    spin_lock(&fd_lock);
    for (int fd = min_fd; fd < limit; fd++) {
        if (!t->f[fd]) {
            t->f[fd] = f;
            t->cloexec[fd] = ce;
            spin_unlock(&fd_lock);
            return fd;
        }
    }
    spin_unlock(&fd_lock);
    return -PAL_EMFILE;
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
    spin_lock(&fd_lock);
    struct file *old = t->f[fd];
    t->f[fd] = f;
    t->cloexec[fd] = ce;
    spin_unlock(&fd_lock);
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
    struct file *f = tbl()->f[fd];
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
    return fd >= 0 && fd < FD_MAX ? tbl()->f[fd] : NULL;
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
    struct file *f = t->f[fd];
    t->f[fd] = NULL;
    spin_unlock(&fd_lock);
    if (!f)
        return -PAL_EBADF;
    fd_closed(f);
    file_put(f);
    return 0;
}

int fd_get_cloexec(int fd)
{
    if (fd < 0 || fd >= FD_MAX || !tbl()->f[fd])
        return -PAL_EBADF;
    return tbl()->cloexec[fd];
}

int fd_set_cloexec(int fd, bool on)
{
    if (fd < 0 || fd >= FD_MAX || !tbl()->f[fd])
        return -PAL_EBADF;
    tbl()->cloexec[fd] = on;
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
 * and empties it. */
static void table_drop(struct fd_table *t)
{
    for (int fd = 0; fd < FD_MAX; fd++) {
        struct file *f = t->f[fd];
        t->f[fd] = NULL;
        t->cloexec[fd] = false;
        if (f)
            file_put(f);
    }
}

void fd_table_fork_child(void)
{
    spin_lock(&fd_lock);
    child_table = main_table;
    for (int fd = 0; fd < FD_MAX; fd++)
        if (child_table.f[fd])
            __atomic_add_fetch(&child_table.f[fd]->refs, 1, __ATOMIC_RELAXED);
    spin_unlock(&fd_lock);
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
