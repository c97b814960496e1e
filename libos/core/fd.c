/* The descriptor table: fd -> struct file, plus a CLOEXEC bit per fd. */
#include <linux/fcntl.h>

#include "core/file.h"
#include "core/process.h"

static struct file *fds[FD_MAX];
static bool cloexec[FD_MAX];
static spinlock_t fd_lock;
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
    spin_lock(&fd_lock);
    for (int fd = min_fd; fd < limit; fd++) {
        if (!fds[fd]) {
            fds[fd] = f;
            cloexec[fd] = ce;
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
    spin_lock(&fd_lock);
    struct file *old = fds[fd];
    fds[fd] = f;
    cloexec[fd] = ce;
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
    struct file *f = fds[fd];
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
    return fd >= 0 && fd < FD_MAX ? fds[fd] : NULL;
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
    spin_lock(&fd_lock);
    struct file *f = fds[fd];
    fds[fd] = NULL;
    spin_unlock(&fd_lock);
    if (!f)
        return -PAL_EBADF;
    fd_closed(f);
    file_put(f);
    return 0;
}

int fd_get_cloexec(int fd)
{
    if (fd < 0 || fd >= FD_MAX || !fds[fd])
        return -PAL_EBADF;
    return cloexec[fd];
}

int fd_set_cloexec(int fd, bool on)
{
    if (fd < 0 || fd >= FD_MAX || !fds[fd])
        return -PAL_EBADF;
    cloexec[fd] = on;
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

long anon_install(const struct file_ops *ops, pal_handle h, int flags, bool cloexec)
{
    struct file *f = file_new(ops, h, flags & (O_ACCMODE | O_NONBLOCK));
    if (!f) {
        pal->close(h);
        return -PAL_ENOMEM;
    }
    int fd = fd_install(f, 0, cloexec);
    if (fd < 0)
        file_put(f);
    return fd;
}

void fd_table_save(struct fd_saved *s)
{
    spin_lock(&fd_lock);
    for (int fd = 0; fd < FD_MAX; fd++) {
        s->f[fd] = fds[fd];
        s->cloexec[fd] = cloexec[fd];
        if (fds[fd])
            __atomic_add_fetch(&fds[fd]->refs, 1, __ATOMIC_RELAXED);
    }
    spin_unlock(&fd_lock);
}

void fd_table_restore(struct fd_saved *s)
{
    spin_lock(&fd_lock);
    for (int fd = 0; fd < FD_MAX; fd++) {
        struct file *mine = fds[fd];
        fds[fd] = s->f[fd];
        cloexec[fd] = s->cloexec[fd];
        s->f[fd] = mine; /* put below, outside the lock */
    }
    spin_unlock(&fd_lock);
    fd_table_forget(s);
}

void fd_table_forget(struct fd_saved *s)
{
    for (int fd = 0; fd < FD_MAX; fd++)
        if (s->f[fd]) {
            file_put(s->f[fd]);
            s->f[fd] = NULL;
        }
}
