/* Direct PAL: files and directories, one raw host syscall each. The libOS
 * has already mapped program paths to host paths. */
#include <fcntl.h>
#include <stdio.h>
#include <linux/openat2.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <string.h>
#include <termios.h>

#include "host.h"
#include "pal_host_stat.h"
#include "pal_ioctl.h"
#include "pidns.h"

/* PAL_O_NOSYMLINKS: openat2 with RESOLVE_NO_SYMLINKS, which checks every
 * component in the kernel (no window between a check and the open). */
static long open_nosymlinks(const char *path, int flags, uint32_t mode)
{
    struct open_how how = {.flags = (uint64_t)(uint32_t)(flags & ~PAL_O_NOSYMLINKS),
                           .mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode : 0,
                           .resolve = RESOLVE_NO_SYMLINKS};
    return HS4(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
}

/* The host process's umask, read once from /proc/self/status (a umask()
 * call to read it would change it meanwhile for every thread). The libOS
 * applies the program's own umask: what it asks is the exact mode. */
static uint32_t host_umask(void)
{
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v >= 0)
        return (uint32_t)v;
    char buf[4096];
    v = 022;
    long fd = HS3(SYS_openat, AT_FDCWD, "/proc/self/status", O_RDONLY | O_CLOEXEC);
    long n = fd >= 0 ? HS3(SYS_read, fd, buf, sizeof(buf) - 1) : -1;
    if (fd >= 0)
        HS1(SYS_close, fd);
    if (n > 0) {
        buf[n] = 0;
        const char *p = strstr(buf, "\nUmask:");
        if (p) {
            v = 0;
            for (p += 7; *p == '\t' || *p == ' '; p++)
                ;
            for (; *p >= '0' && *p <= '7'; p++)
                v = v * 8 + (*p - '0');
        }
    }
    __atomic_store_n(&cached, v & 0777, __ATOMIC_RELAXED);
    return (uint32_t)(v & 0777);
}

/* A wake ends a cancellable call whether or not it would block (it may
 * have come before the call): a regular file's read, write or open,
 * which Linux never interrupts, is then made again as a plain call (only
 * after an EINTR: one fstat or stat then). */
bool direct_may_block(long fd)
{
    struct stat st;
    return HS2(SYS_fstat, fd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode) &&
           !S_ISDIR(st.st_mode);
}

long direct_cp_open(const char *path, int flags, uint32_t mode)
{
    struct stat st;
    long fd = HC4(SYS_openat, AT_FDCWD, path, flags, mode); /* a FIFO's open may block */
    if (fd == -PAL_EINTR && (HS4(SYS_newfstatat, AT_FDCWD, path, &st, 0) != 0 ||
                         (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))))
        fd = HS4(SYS_openat, AT_FDCWD, path, flags, mode);
    return fd;
}

static long open_host(const char *path, int flags, uint32_t mode)
{
    return (flags & PAL_O_NOSYMLINKS) ? open_nosymlinks(path, flags, mode)
                                      : direct_cp_open(path, flags, mode);
}

/* A file this call created gets exactly mode's permission bits, which the
 * host's umask may have cleared. */
static long created(long fd, uint32_t mode)
{
    if (fd >= 0)
        HS2(SYS_fchmod, fd, mode & 07777);
    return fd;
}

static long direct_file_open(const char *path, int flags, uint32_t mode, pal_handle *out)
{
    long fd;
    if (!(flags & (O_CREAT | __O_TMPFILE)) || !(mode & host_umask()))
        fd = open_host(path, flags, mode);
    else if ((flags & __O_TMPFILE) || (flags & O_EXCL))
        fd = created(open_host(path, flags, mode), mode);
    else /* O_CREAT: whether this open creates is known from O_EXCL */
        for (;;) {
            fd = open_host(path, flags | O_EXCL, mode);
            if (fd != -PAL_EEXIST) {
                created(fd, mode);
                break;
            }
            fd = open_host(path, flags & ~O_CREAT, mode);
            struct stat st;
            if (fd >= 0 && HS2(SYS_fstat, fd, &st) == 0 && S_ISDIR(st.st_mode)) {
                HS1(SYS_close, fd); /* open(2): O_CREAT of a directory */
                fd = -PAL_EISDIR;
            }
            if (fd != -PAL_ENOENT) /* else removed since: create it again */
                break;
        }
    if (fd < 0)
        return fd;
    *out = fd;
    return 0;
}

static long direct_close(pal_handle h) { return HS1(SYS_close, h); }
static long direct_read(pal_handle h, void *b, size_t n)
{
    long r = HC3(SYS_read, h, b, n);
    return r == -PAL_EINTR && !direct_may_block(h) ? HS3(SYS_read, h, b, n) : r;
}
static long direct_write(pal_handle h, const void *b, size_t n)
{
    long r = HC3(SYS_write, h, b, n);
    return r == -PAL_EINTR && !direct_may_block(h) ? HS3(SYS_write, h, b, n) : r;
}
static long direct_writev(pal_handle h, const void *iov, int cnt)
{
    long r = HC3(SYS_writev, h, iov, cnt);
    return r == -PAL_EINTR && !direct_may_block(h) ? HS3(SYS_writev, h, iov, cnt) : r;
}
static long direct_pread(pal_handle h, void *b, size_t n, int64_t off)
{
    return HS4(SYS_pread64, h, b, n, off);
}
static long direct_pwrite(pal_handle h, const void *b, size_t n, int64_t off)
{
    return HS4(SYS_pwrite64, h, b, n, off);
}
static long direct_pwrite_flags(pal_handle h, const void *b, size_t n, int64_t off, int rwf)
{
    struct iovec v = {(void *)b, n};
    if (rwf & ~PAL_RWF_WRITE_ALL)
        return -PAL_EINVAL;
    /* pos_l, pos_h: on x86-64 the offset is pos_l. */
    return HS6(SYS_pwritev2, h, &v, 1, off, 0, rwf);
}
static long direct_seek(pal_handle h, int64_t off, int whence)
{
    return HS3(SYS_lseek, h, off, whence);
}

static long direct_stat(const char *path, int nofollow, struct pal_stat *st)
{
    struct stat s;
    long r;
    if (nofollow & PAL_STAT_NOSYMLINKS) { /* an O_PATH handle checked by the kernel */
        long fd = open_nosymlinks(path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
        if (fd < 0)
            return fd;
        r = HS2(SYS_fstat, fd, &s);
        HS1(SYS_close, fd);
    } else {
        r = HS4(SYS_newfstatat, AT_FDCWD, path, &s, nofollow ? AT_SYMLINK_NOFOLLOW : 0);
    }
    if (r == 0)
        pal_stat_from_host(&s, st);
    return r;
}

static long direct_fstat(pal_handle h, struct pal_stat *st)
{
    struct stat s;
    long r = HS2(SYS_fstat, h, &s);
    if (r == 0)
        pal_stat_from_host(&s, st);
    return r;
}

static long direct_fs_stat(const char *path, struct pal_statfs *st)
{
    struct statfs s;
    long r = HS2(SYS_statfs, path, &s);
    if (r == 0)
        pal_statfs_from_host(&s, st);
    return r;
}

static long direct_fs_fstat(pal_handle h, struct pal_statfs *st)
{
    struct statfs s;
    long r = HS2(SYS_fstatfs, h, &s);
    if (r == 0)
        pal_statfs_from_host(&s, st);
    return r;
}

static long direct_readdir(pal_handle h, void *buf, size_t len)
{
    return HS3(SYS_getdents64, h, buf, len);
}
static long direct_mkdir(const char *p, uint32_t mode)
{
    long r = HS2(SYS_mkdir, p, mode);
    if (r == 0 && (mode & host_umask())) /* the exact mode, as open's */
        HS4(SYS_fchmodat, AT_FDCWD, p, mode & 07777, 0);
    return r;
}
static long direct_unlink(const char *p, int is_dir)
{
    return HS3(SYS_unlinkat, AT_FDCWD, p, is_dir ? AT_REMOVEDIR : 0);
}
static long direct_rename(const char *a, const char *b) { return HS2(SYS_rename, a, b); }
static long direct_ftruncate(pal_handle h, int64_t len) { return HS2(SYS_ftruncate, h, len); }
static long direct_fsync(pal_handle h) { return HS1(SYS_fsync, h); }
static long direct_chmod(const char *p, uint32_t mode) { return HS2(SYS_chmod, p, mode); }
static long direct_readlink(const char *p, char *b, size_t n)
{
    return HS3(SYS_readlink, p, b, n);
}
static long direct_symlink(const char *t, const char *p) { return HS2(SYS_symlink, t, p); }
static long direct_link(const char *f, const char *t) { return HS2(SYS_link, f, t); }
static long direct_splice(pal_handle in, int64_t off_in, pal_handle out, int64_t off_out,
                          size_t len, unsigned flags)
{
    int64_t oi = off_in, oo = off_out;
    return HC6(SYS_splice, in, off_in < 0 ? NULL : &oi, out, off_out < 0 ? NULL : &oo, len, flags);
}
static long direct_tee(pal_handle in, pal_handle out, size_t len, unsigned flags)
{
    return HS4(SYS_tee, in, out, len, flags);
}
static long direct_xattr(int op, const char *path, pal_handle h, const char *name, void *value,
                         size_t size, int flags)
{
    switch (op) {
    case PAL_XATTR_GET:
        return path ? HS4(SYS_lgetxattr, path, name, value, size)
                    : HS4(SYS_fgetxattr, h, name, value, size);
    case PAL_XATTR_SET:
        return path ? HS5(SYS_lsetxattr, path, name, value, size, flags)
                    : HS5(SYS_fsetxattr, h, name, value, size, flags);
    case PAL_XATTR_LIST:
        return path ? HS3(SYS_llistxattr, path, value, size) : HS3(SYS_flistxattr, h, value, size);
    case PAL_XATTR_REMOVE:
        return path ? HS2(SYS_lremovexattr, path, name) : HS2(SYS_fremovexattr, h, name);
    }
    return -PAL_EINVAL;
}
static long direct_rename_flags(const char *a, const char *b, unsigned flags)
{
    if (flags != RENAME_NOREPLACE && flags != RENAME_EXCHANGE)
        return -PAL_EINVAL;
    return HS5(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags);
}
/* /proc/self/fd/N: linkat's way to name an open file without
 * CAP_DAC_READ_SEARCH (AT_EMPTY_PATH needs it). */
static long direct_link_handle(pal_handle h, const char *to)
{
    char proc[32];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%ld", (long)h);
    return HS5(SYS_linkat, AT_FDCWD, proc, AT_FDCWD, to, AT_SYMLINK_FOLLOW);
}

static long direct_utimes(const char *path, const int64_t times[2], int nofollow)
{
    struct timespec ts[2];
    for (int i = 0; i < 2; i++) {
        if (times[i] == PAL_UTIME_NOW || times[i] == PAL_UTIME_OMIT)
            ts[i] = (struct timespec){0, times[i] == PAL_UTIME_NOW ? UTIME_NOW : UTIME_OMIT};
        else
            ts[i] = (struct timespec){times[i] / 1000000000LL, times[i] % 1000000000LL};
    }
    return HS4(SYS_utimensat, AT_FDCWD, path, ts, nofollow ? AT_SYMLINK_NOFOLLOW : 0);
}
static long direct_access(const char *p, int mode) { return HS2(SYS_access, p, mode); }

static long direct_set_nonblocking(pal_handle h, int on)
{
    long fl = HS2(SYS_fcntl, h, F_GETFL);
    if (fl < 0)
        return fl;
    fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
    return HS3(SYS_fcntl, h, F_SETFL, fl);
}

/* Only pal_ioctl.h's requests, whose arguments are known: the host reads
 * or writes the program's buffer itself (a bad one is its EFAULT), but
 * for the ids of a group or session, which go through the namespace. */
static long direct_tty_ioctl(pal_handle h, unsigned long req, void *buf, size_t len, int flags)
{
    const struct pal_ioctl *k = pal_ioctl_find(req);
    if (k && k->arg == PAL_IOCTL_IFCONF) { /* struct ifconf: length, then the pointer */
        struct {
            int32_t len, pad;
            void *buf;
        } ic = {(int32_t)len, 0, buf};
        if (len > PAL_IOCTL_IFCONF_MAX || (!buf && len))
            return -PAL_EINVAL;
        long r = HS3(SYS_ioctl, h, req, &ic);
        return r < 0 ? r : ic.len;
    }
    if (!k || (k->arg != PAL_IOCTL_VALUE && len < k->size))
        return -PAL_ENOTTY;
    return direct_tty_call((int)h, req, buf, flags);
}

static long direct_chown(const char *p, uint32_t uid, uint32_t gid, int nofollow)
{
    return HS5(SYS_fchownat, AT_FDCWD, p, uid, gid, nofollow ? AT_SYMLINK_NOFOLLOW : 0);
}

static long direct_fchown(pal_handle h, uint32_t uid, uint32_t gid)
{
    return HS3(SYS_fchown, h, uid, gid);
}


static long direct_file_lock(pal_handle h, int cmd, struct pal_flock *lk)
{
    struct flock fl = {.l_type = lk->type, .l_whence = lk->whence, .l_start = lk->start,
                       .l_len = lk->len, .l_pid = lk->pid};
    if (cmd != F_GETLK && cmd != F_SETLK && cmd != F_SETLKW && cmd != F_OFD_GETLK &&
        cmd != F_OFD_SETLK && cmd != F_OFD_SETLKW)
        return -PAL_EINVAL;
    long r = cmd == F_SETLKW || cmd == F_OFD_SETLKW ? HC3(SYS_fcntl, h, cmd, &fl)
                                                    : HS3(SYS_fcntl, h, cmd, &fl);
    if (r == 0 && (cmd == F_GETLK || cmd == F_OFD_GETLK)) {
        *lk = (struct pal_flock){.type = fl.l_type, .whence = fl.l_whence, .start = fl.l_start,
                                 .len = fl.l_len, .pid = fl.l_pid};
        if (fl.l_type != F_UNLCK && fl.l_pid > 0)
            lk->pid = pidns_id_of_host(fl.l_pid);
    }
    return r;
}

static long direct_file_flock(pal_handle h, int op)
{
    return (op & LOCK_NB) ? HS2(SYS_flock, h, op) : HC3(SYS_flock, h, op, 0);
}

static long direct_fallocate(pal_handle h, int mode, int64_t off, int64_t len)
{
    return HS4(SYS_fallocate, h, mode, off, len);
}

static long direct_fadvise(pal_handle h, int64_t off, int64_t len, int advice)
{
    return HS4(SYS_fadvise64, h, off, len, advice);
}

static long direct_mknod(const char *p, uint32_t mode)
{
    if ((mode & S_IFMT) != S_IFIFO && (mode & S_IFMT) != S_IFREG)
        return -PAL_EPERM;
    long r = HS4(SYS_mknodat, AT_FDCWD, p, mode, 0);
    if (r == 0 && (mode & host_umask())) /* the exact mode, as open's */
        HS4(SYS_fchmodat, AT_FDCWD, p, mode & 07777, 0);
    return r;
}

static long direct_file_async(pal_handle h, int on)
{
    struct f_owner_ex owner = {F_OWNER_PID, (int)HS0(SYS_getpid)};
    long r = on ? HS3(SYS_fcntl, h, F_SETOWN_EX, &owner) : 0;
    long fl = r == 0 ? HS2(SYS_fcntl, h, F_GETFL) : r;
    if (fl < 0)
        return fl;
    return HS3(SYS_fcntl, h, F_SETFL, on ? (fl | O_ASYNC) : (fl & ~O_ASYNC));
}

static long direct_pipe_size(pal_handle h, int64_t size)
{
    if (size > INT32_MAX)
        return -PAL_EINVAL;
    return size < 0 ? HS2(SYS_fcntl, h, F_GETPIPE_SZ) : HS3(SYS_fcntl, h, F_SETPIPE_SZ, size);
}

static long direct_file_flags(pal_handle h, int flags)
{
    long fl = HS2(SYS_fcntl, h, F_GETFL);
    if (flags < 0 || fl < 0)
        return fl;
    const int set = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME;
    fl = (fl & ~set) | (flags & set);
    return HS3(SYS_fcntl, h, F_SETFL, fl);
}

/* setfsuid/setfsgid answer the previous id whatever happens: read back to
 * know whether the change took. */
static long direct_set_fs_ids(uint32_t fsuid, uint32_t fsgid, const uint32_t *groups, size_t n)
{
    long r = HS2(SYS_setgroups, n, groups);
    if (r < 0)
        return r;
    HS1(SYS_setfsgid, fsgid);
    HS1(SYS_setfsuid, fsuid);
    if ((uint32_t)HS1(SYS_setfsgid, -1) != fsgid || (uint32_t)HS1(SYS_setfsuid, -1) != fsuid)
        return -PAL_EPERM;
    return 0;
}

static long direct_fdatasync(pal_handle h) { return HS1(SYS_fdatasync, h); }
static long direct_sync(pal_handle h) { return h < 0 ? HS0(SYS_sync) : HS1(SYS_syncfs, h); }

/* The host's own parent-death signal: the host parent is the program's
 * parent (a process_fork child is a host child of the forking thread). */
static long direct_set_pdeathsig(int signo) { return HS2(SYS_prctl, PR_SET_PDEATHSIG, signo); }

void direct_fill_file(struct pal_api *api)
{
    api->file_open = direct_file_open;
    api->close = direct_close;
    api->read = direct_read;
    api->write = direct_write;
    api->writev = direct_writev;
    api->pread = direct_pread;
    api->pwrite = direct_pwrite;
    api->seek = direct_seek;
    api->stat = direct_stat;
    api->fstat = direct_fstat;
    api->readdir = direct_readdir;
    api->mkdir = direct_mkdir;
    api->unlink = direct_unlink;
    api->rename = direct_rename;
    api->ftruncate = direct_ftruncate;
    api->fsync = direct_fsync;
    api->chmod = direct_chmod;
    api->readlink = direct_readlink;
    api->symlink = direct_symlink;
    api->link = direct_link;
    api->utimes = direct_utimes;
    api->access = direct_access;
    api->tty_ioctl = direct_tty_ioctl;
    api->set_nonblocking = direct_set_nonblocking;
    api->fs_stat = direct_fs_stat;
    api->fs_fstat = direct_fs_fstat;
    api->chown = direct_chown;
    api->fchown = direct_fchown;
    api->file_lock = direct_file_lock;
    api->file_flock = direct_file_flock;
    api->fallocate = direct_fallocate;
    api->fadvise = direct_fadvise;
    api->mknod = direct_mknod;
    api->rename_flags = direct_rename_flags;
    api->link_handle = direct_link_handle;
    api->splice = direct_splice;
    api->tee = direct_tee;
    api->pwrite_flags = direct_pwrite_flags;
    api->xattr = direct_xattr;
    api->fdatasync = direct_fdatasync;
    api->sync = direct_sync;
    api->file_async = direct_file_async;
    api->pipe_size = direct_pipe_size;
    api->file_flags = direct_file_flags;
    api->set_fs_ids = direct_set_fs_ids;
    api->process_set_pdeathsig = direct_set_pdeathsig;
}
