/* Host files: chroot and untrusted_shm mounts (and trusted/allowed files,
 * fs/trusted.h). Each operation is the host's, on the host path the mount
 * table gave; host files keep their position on the host side. */
#include <linux/fcntl.h>

#include "core/signal.h"
#include "fs/trusted.h"
#include "fs/vfs.h"

#define S_IFMT_ 0170000
#define S_IFDIR_ 0040000

/* A signal the program takes came during this syscall, before a read or
 * write of a host handle that would block (an empty pipe, a terminal, a
 * socket): Linux's would not block but end with EINTR (the handler runs,
 * and SA_RESTART restarts it). The host cannot see the libOS's pending
 * set, so it would block until the call ends by itself: the call is not
 * made. A ready handle (a regular file always is) and a non-blocking one
 * go on as on Linux. */
static bool interrupted(struct file *f, int16_t events)
{
    if ((f->flags & O_NONBLOCK) || !signal_pending_for(cur_thread()->sigmask))
        return false;
    struct pal_pollfd p = {.handle = f->h, .events = events};
    return pal->poll(&p, 1, 0) == 0;
}

/* A terminal refuses a background group's read with SIGTTIN, and a write
 * under TOSTOP with SIGTTOU, to the whole group; Linux sends neither when
 * the thread blocks it (the read fails with EIO, the write goes through).
 * The host cannot see the program's mask: around a read or write of a
 * character device, the host thread blocks what the program's thread
 * does (pal.h signal_host_block). Returns the signals to unblock after. */
static uint64_t tty_quiet_begin(struct file *f, int signo)
{
    if (!(cur_thread()->sigmask & SIGBIT(signo)) || !PAL_HAS(pal, signal_host_block))
        return 0;
    if (!f->chr_state) {
        struct pal_stat st;
        f->chr_state = pal->fstat(f->h, &st) == 0 && (st.mode & S_IFMT_) == 0020000 ? 1 : 2;
    }
    return f->chr_state == 1 && pal->signal_host_block(signo, 1) == 0 ? SIGBIT(signo) : 0;
}

static void tty_quiet_end(uint64_t quiet, int signo)
{
    if (quiet)
        pal->signal_host_block(signo, 0);
}

static long host_read(struct file *f, void *b, size_t n)
{
    if (interrupted(f, 1 /* POLLIN */))
        return -PAL_EINTR;
    uint64_t q = tty_quiet_begin(f, SIGTTIN_);
    long r = pal->read(f->h, b, n);
    tty_quiet_end(q, SIGTTIN_);
    return r;
}
static long host_write(struct file *f, const void *b, size_t n)
{
    if (interrupted(f, 4 /* POLLOUT */))
        return -PAL_EINTR;
    uint64_t q = tty_quiet_begin(f, SIGTTOU_);
    long r = pal->write(f->h, b, n);
    tty_quiet_end(q, SIGTTOU_);
    return r;
}
static long host_writev(struct file *f, const void *iov, int cnt)
{
    if (!pal->writev)
        return -PAL_ENOSYS;
    uint64_t q = tty_quiet_begin(f, SIGTTOU_);
    long r = pal->writev(f->h, iov, cnt);
    tty_quiet_end(q, SIGTTOU_);
    return r;
}
static long host_pread(struct file *f, void *b, size_t n, int64_t o)
{
    return pal->pread(f->h, b, n, o);
}
static long host_pwrite(struct file *f, const void *b, size_t n, int64_t o)
{
    return pal->pwrite(f->h, b, n, o);
}
static long host_seek(struct file *f, int64_t o, int w)
{
    return pal->seek(f->h, o, w);
}
static long host_fstat(struct file *f, struct pal_stat *st)
{
    return pal->fstat(f->h, st);
}
static void host_release(struct file *f)
{
    pal->close(f->h);
}
static long host_readdir(struct file *f, void *b, size_t n)
{
    return pal->readdir(f->h, b, n);
}
static long host_truncate(struct file *f, int64_t len)
{
    return pal->ftruncate(f->h, len);
}
static pal_handle host_poll_handle(struct file *f)
{
    return f->h;
}

/* Closing any descriptor of a file releases the process's POSIX locks on
 * it (the host's lock is the process's: one F_UNLCK of the whole file). */
static void host_fd_closed(struct file *f)
{
    struct pal_flock all = {.type = F_UNLCK, .whence = 0, .start = 0, .len = 0};
    if (f->posix_locked && PAL_HAS(pal, file_lock))
        pal->file_lock(f->h, F_SETLK, &all);
}

const struct file_ops host_file_ops = {
    .read = host_read,
    .write = host_write,
    .writev = host_writev,
    .pread = host_pread,
    .pwrite = host_pwrite,
    .seek = host_seek,
    .fstat = host_fstat,
    .readdir = host_readdir,
    .truncate = host_truncate,
    .poll_handle = host_poll_handle,
    .release = host_release,
    .fd_closed = host_fd_closed,
};

uint32_t file_ifmt(struct file *f)
{
    struct pal_stat st;
    uint32_t type = __atomic_load_n(&f->ifmt, __ATOMIC_RELAXED);

    if (!type && f->ops->fstat && f->ops->fstat(f, &st) == 0) {
        type = st.mode & S_IFMT_;
        __atomic_store_n(&f->ifmt, (uint16_t)type, __ATOMIC_RELAXED);
    }
    return type;
}

bool file_is_dir_ask(struct file *f)
{
    bool dir = file_ifmt(f) == S_IFDIR_;

    f->is_dir = dir; /* the same value from every thread that asks */
    __atomic_store_n(&f->dir_unknown, false, __ATOMIC_RELEASE);
    return dir;
}

/* alias: the host path of the name the program used, when symlinks made
 * inside differ from it (fs/trusted.h); NULL otherwise. */
static int h_open(const struct vfs_target *t, const char *alias, int flags, uint32_t mode,
                  int pal_flags, struct file **out)
{
    pal_handle h;
    /* The host descriptor never leaks into a host exec: always CLOEXEC.
     * The VFS has resolved every symlink already: O_NOFOLLOW makes the host
     * refuse one that appeared since, instead of following it out. On the
     * fast path (PAL_O_NOSYMLINKS) the host refuses any symlink with ELOOP,
     * which sends the VFS to walk the path; O_NOFOLLOW there would turn a
     * final symlink to a directory opened with O_DIRECTORY into ENOTDIR
     * (Linux checks O_DIRECTORY first), and opendir of it would fail. */
    bool fast = pal_flags & PAL_O_NOSYMLINKS;
    int extra = O_CLOEXEC | (t->mount_root || fast ? 0 : O_NOFOLLOW) | pal_flags;
    int r = t->untrusted_shm || t->unchecked ? 1 : trusted_open(t->host, alias, flags, extra, out);
    if (r <= 0)
        return r;
    r = (int)pal->file_open(t->host, flags | extra, mode, &h);
    if (r < 0)
        return r;
    struct file *f = file_new(&host_file_ops, h, flags & ~O_CLOEXEC);
    if (!f) {
        pal->close(h);
        return -PAL_ENOMEM;
    }
    /* The host opened it: for writing (O_TMPFILE too) or with O_CREAT it is
     * not a directory (EISDIR), with O_DIRECTORY it is one; otherwise the
     * host is asked when it matters (file_is_dir), not at every open. */
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT))
        f->is_dir = false;
    else if (flags & O_DIRECTORY)
        f->is_dir = true;
    else
        f->dir_unknown = true;
    f->untrusted_shm = t->untrusted_shm;
    *out = f;
    return 0;
}

/* inside is resolved (its last component too unless nofollow), so the
 * host never follows a symlink: lstat, except at a mount point, whose host
 * directory the manifest named. */
static int h_stat(const struct vfs_target *t, struct pal_stat *st)
{
    int r = (int)pal->stat(t->host, !t->mount_root, st);
    if (r == -PAL_ENOENT && vfs_mount_ancestor(t->inside)) {
        /* a directory made by the mounts below it, read-only */
        *st = (struct pal_stat){.nlink = 2, .mode = 040555, .blksize = 4096};
        r = 0;
    }
    return r;
}

static int h_mkdir(const struct vfs_target *t, uint32_t mode)
{
    return (int)pal->mkdir(t->host, mode);
}
static int h_unlink(const struct vfs_target *t, int is_dir)
{
    return (int)pal->unlink(t->host, is_dir);
}
static int h_rename(const struct vfs_target *a, const struct vfs_target *b)
{
    return (int)pal->rename(a->host, b->host);
}
static int h_rename_flags(const struct vfs_target *a, const struct vfs_target *b, unsigned flags)
{
    return PAL_HAS(pal, rename_flags) ? (int)pal->rename_flags(a->host, b->host, flags)
                                      : -PAL_ENOSYS;
}
static int h_chmod(const struct vfs_target *t, uint32_t mode)
{
    return (int)pal->chmod(t->host, mode);
}

/* A mount point is a directory whatever the host directory behind it is (a
 * host symlink there must not be followed inside the libOS namespace). */
static long h_readlink(const struct vfs_target *t, char *buf, size_t len)
{
    if (t->mount_root)
        return -PAL_EINVAL;
    long r = pal->readlink(t->host, buf, len);
    return r == -PAL_ENOENT && vfs_mount_ancestor(t->inside) ? -PAL_EINVAL : r;
}

static int h_symlink(const char *target, const struct vfs_target *t)
{
    return (int)pal->symlink(target, t->host);
}
static int h_access(const struct vfs_target *t, int mode)
{
    return (int)pal->access(t->host, mode);
}

static int h_link(const struct vfs_target *a, const struct vfs_target *b)
{
    if (!PAL_HAS(pal, link))
        return -PAL_EPERM;
    return (int)pal->link(a->host, b->host);
}

static int h_utimes(const struct vfs_target *t, const int64_t times[2])
{
    if (!PAL_HAS(pal, utimes))
        return -PAL_EPERM;
    /* inside is resolved: the host must not follow a symlink past it. */
    return (int)pal->utimes(t->host, times, !t->mount_root);
}

const struct fs_ops host_fs_ops = {
    .name = "chroot",
    .open = h_open,
    .stat = h_stat,
    .mkdir = h_mkdir,
    .unlink = h_unlink,
    .rename = h_rename,
    .chmod = h_chmod,
    .readlink = h_readlink,
    .symlink = h_symlink,
    .access = h_access,
    .link = h_link,
    .utimes = h_utimes,
    .rename_flags = h_rename_flags,
};

/* fds 0-2 are the PAL's stdio handles, read/write on the host side. */
int fd_init_stdio(void)
{
    for (int i = 0; i < 3; i++) {
        struct file *f = file_new(&host_file_ops, pal_boot_info->stdio[i], 02 /* O_RDWR */);
        if (!f || fd_install_at(f, i, false) < 0)
            return -PAL_ENOMEM;
    }
    return 0;
}
