/* Host side of the fs PAL OCALLs (abi/ocall_abi.h): one handler per
 * number, each parsing its whole input first (urts_ocall_*: short input, a
 * string without its NUL, a length past the input or trailing bytes are
 * -EINVAL and nothing is done), then making exactly the call the direct PAL
 * makes (pal/direct/pal_file.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <termios.h>
#include <unistd.h>

#include "host_cp.h"
#include "pidns.h"
#include "urts_ocall.h"
#include "urts_procs.h"
#include "pal.h"
#include "pal_host_stat.h"
#include "pal_ioctl.h"


typedef int64_t (*fs_fn)(struct urts_ocall_in *r, uint8_t *out, uint64_t out_cap,
                         uint64_t *out_size);

static int64_t ret(long r)
{
    return r < 0 ? -errno : r;
}

static int is_int(int64_t v)
{
    return v >= INT_MIN && v <= INT_MAX;
}

static int is_flag(int64_t v)
{
    return v == 0 || v == 1;
}

/* A handle the enclave may name: the same range it accepts back. */
static int handle_ok(int64_t h)
{
    return h >= 0 && h < OCALL_MAX_HANDLE;
}

/* The input ends with one path of a[i] bytes; NULL if malformed. */
static const char *one_path(struct urts_ocall_in *r, int i)
{
    const char *p = urts_ocall_str(r, r->a.a[i]);

    return p && urts_ocall_end(r) ? p : NULL;
}

/* The input ends with two paths of a0 and a1 bytes. */
static int two_paths(struct urts_ocall_in *r, const char **p1, const char **p2)
{
    *p1 = urts_ocall_str(r, r->a.a[0]);
    *p2 = *p1 ? urts_ocall_str(r, r->a.a[1]) : NULL;
    return *p2 && urts_ocall_end(r) ? 0 : -EINVAL;
}

/* PAL_O_NOSYMLINKS: openat2 with RESOLVE_NO_SYMLINKS (pal/direct/pal_file.c). */
static long open_nosymlinks(const char *path, int flags, uint32_t mode)
{
    struct open_how how = {.flags = (uint64_t)(uint32_t)(flags & ~PAL_O_NOSYMLINKS),
                           .mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode : 0,
                           .resolve = RESOLVE_NO_SYMLINKS};

    return syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
}

/* The host process's umask, read once from /proc/self/status (a umask()
 * call to read it would change it meanwhile for every thread). The libOS
 * applies the program's own umask: what it asks is the exact mode, as in
 * pal/direct/pal_file.c. */
static uint32_t host_umask(void)
{
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v >= 0)
        return (uint32_t)v;
    char line[256];
    unsigned m = 022;
    FILE *f = fopen("/proc/self/status", "re");
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "Umask: %o", &m) == 1)
            break;
    if (f)
        fclose(f);
    __atomic_store_n(&cached, (int)(m & 0777), __ATOMIC_RELAXED);
    return m & 0777;
}

static long open_host(const char *path, int flags, uint32_t mode)
{
    if (flags & PAL_O_NOSYMLINKS)
        return open_nosymlinks(path, flags, mode);
    long fd = direct_cp_open(path, flags, mode); /* a FIFO's open may block */

    if (fd < 0) {
        errno = (int)-fd; /* this file's callers read errno */
        return -1;
    }
    return fd;
}

/* A file this call created gets exactly mode's permission bits. */
static long created(long fd, uint32_t mode)
{
    if (fd >= 0)
        (void)fchmod((int)fd, mode & 07777);
    return fd;
}

static long open_exact(const char *path, int flags, uint32_t mode)
{
    long fd;
    if (!(flags & (O_CREAT | __O_TMPFILE)) || !(mode & host_umask()))
        return open_host(path, flags, mode);
    if ((flags & __O_TMPFILE) || (flags & O_EXCL))
        return created(open_host(path, flags, mode), mode);
    for (;;) { /* O_CREAT: whether this open creates is known from O_EXCL */
        fd = open_host(path, flags | O_EXCL, mode);
        if (fd >= 0 || errno != EEXIST)
            return created(fd, mode);
        fd = open_host(path, flags & ~O_CREAT, mode);
        struct stat st;
        if (fd >= 0 && fstat((int)fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            close((int)fd); /* open(2): O_CREAT of a directory */
            errno = EISDIR;
            return -1;
        }
        if (fd >= 0 || errno != ENOENT) /* else removed since: create it again */
            return fd;
    }
}

static int64_t do_open(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const int64_t *a = r->a.a;
    const char *path = one_path(r, 2);

    (void)out, (void)cap, (void)size;
    if (!path || !is_int(a[0]) || a[1] < 0 || a[1] > UINT32_MAX)
        return -EINVAL;
    return ret(open_exact(path, (int)a[0], (uint32_t)a[1]));
}

/* The handlers below that take only a handle share this check. */
static int args_only(struct urts_ocall_in *r)
{
    return urts_ocall_end(r) ? 0 : -EINVAL;
}

static int64_t do_close(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    (void)out, (void)cap, (void)size;
    if (args_only(r))
        return -EINVAL;
    return handle_ok(r->a.a[0]) ? ret(close((int)r->a.a[0])) : -EBADF;
}

/* read / pread / readdir: a1 bytes (at most OCALL_MAX_IO and out_cap). */
static int read_args(struct urts_ocall_in *r, uint64_t cap)
{
    int64_t len = r->a.a[1];

    if (args_only(r) || len < 0 || len > OCALL_MAX_IO || (uint64_t)len > cap)
        return -EINVAL;
    return handle_ok(r->a.a[0]) ? 0 : -EBADF;
}

static int64_t done_count(long n, uint64_t *size)
{
    if (n < 0)
        return -errno;
    *size = (uint64_t)n;
    return n;
}

/* done_count for a cancellable call's result (-errno itself). */
static int64_t done_count_cp(long n, uint64_t *size)
{
    if (n < 0)
        return n;
    *size = (uint64_t)n;
    return n;
}

static int64_t do_read(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    int e = read_args(r, cap);

    if (e)
        return e;
    int fd = (int)r->a.a[0];
    long n = urts_ocall_dontwait ? ret(recv(fd, out, (size_t)r->a.a[1], MSG_DONTWAIT))
                                 : HC3(SYS_read, fd, out, (size_t)r->a.a[1]);

    if (n == -EINTR && !direct_may_block(fd)) /* a wake, yet a file never blocks */
        n = ret(read(fd, out, (size_t)r->a.a[1]));
    return done_count_cp(n, size);
}

static int64_t do_pread(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    int e = read_args(r, cap);

    if (e)
        return e;
    return done_count(pread((int)r->a.a[0], out, (size_t)r->a.a[1], r->a.a[2]), size);
}

static int64_t do_readdir(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    int e = read_args(r, cap);

    if (e)
        return e;
    return done_count(syscall(SYS_getdents64, (int)r->a.a[0], out, (size_t)r->a.a[1]), size);
}

/* write / pwrite: a1 bytes of data follow the arguments. */
static const uint8_t *write_args(struct urts_ocall_in *r, int *e)
{
    const uint8_t *b = urts_ocall_bytes(r, r->a.a[1]);

    *e = -EINVAL;
    if (!b || !urts_ocall_end(r) || r->a.a[1] > OCALL_MAX_IO)
        return NULL;
    *e = -EBADF;
    return handle_ok(r->a.a[0]) ? b : NULL;
}

static int64_t do_write(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    int e;
    const uint8_t *b = write_args(r, &e);

    (void)out, (void)cap, (void)size;
    if (!b)
        return e;
    int fd = (int)r->a.a[0];
    long n = urts_ocall_dontwait ? ret(send(fd, b, (size_t)r->a.a[1], MSG_DONTWAIT | MSG_NOSIGNAL))
                                 : HC3(SYS_write, fd, b, (size_t)r->a.a[1]);

    if (n == -EINTR && !direct_may_block(fd)) /* a wake, yet a file never blocks */
        n = ret(write(fd, b, (size_t)r->a.a[1]));
    return n;
}

static int64_t do_pwrite(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    int e;
    const uint8_t *b = write_args(r, &e);

    (void)out, (void)cap, (void)size;
    int64_t rwf = r->a.a[3];
    if (b && (rwf & ~(int64_t)PAL_RWF_WRITE_ALL || (rwf && r->a.a[2] < -1)))
        return -EINVAL;
    if (b && rwf) {
        struct iovec v = {(void *)b, (size_t)r->a.a[1]};
        return ret(pwritev2((int)r->a.a[0], &v, 1, r->a.a[2], (int)rwf));
    }
    return b ? ret(pwrite((int)r->a.a[0], b, (size_t)r->a.a[1], r->a.a[2])) : e;
}

static int64_t do_seek(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    (void)out, (void)cap, (void)size;
    if (args_only(r) || !is_int(r->a.a[2]))
        return -EINVAL;
    if (!handle_ok(r->a.a[0]))
        return -EBADF;
    return ret(lseek((int)r->a.a[0], r->a.a[1], (int)r->a.a[2]));
}

static int64_t stat_out(int rc, const struct stat *s, uint8_t *out, uint64_t *size)
{
    struct pal_stat st;

    if (rc != 0)
        return -errno;
    pal_stat_from_host(s, &st);
    memcpy(out, &st, sizeof(st));
    *size = sizeof(st);
    return 0;
}

/* PAL_STAT_NOSYMLINKS: an O_PATH handle whose every component the kernel
 * checked, as the direct PAL does. */
static int stat_nosymlinks(const char *path, struct stat *s)
{
    long fd = open_nosymlinks(path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
    int rc, e;

    if (fd < 0)
        return -1;
    rc = fstat((int)fd, s);
    e = errno;
    close((int)fd);
    errno = e;
    return rc;
}

/* a0: 0 follow, 1 nofollow, 3 nofollow | PAL_STAT_NOSYMLINKS (2 alone as 3). */
static int64_t do_stat(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const char *path = one_path(r, 1);
    int64_t nf = r->a.a[0];
    struct stat s;

    if (!path || nf < 0 || nf > 3 || cap < sizeof(struct pal_stat))
        return -EINVAL;
    if (nf & PAL_STAT_NOSYMLINKS)
        return stat_out(stat_nosymlinks(path, &s), &s, out, size);
    return stat_out(fstatat(AT_FDCWD, path, &s, nf ? AT_SYMLINK_NOFOLLOW : 0), &s, out, size);
}

static int64_t do_fstat(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    struct stat s;

    if (args_only(r) || cap < sizeof(struct pal_stat))
        return -EINVAL;
    if (!handle_ok(r->a.a[0]))
        return -EBADF;
    return stat_out(fstat((int)r->a.a[0], &s), &s, out, size);
}

static int64_t statfs_out(int rc, const struct statfs *s, uint8_t *out, uint64_t *size)
{
    struct pal_statfs st;

    if (rc != 0)
        return -errno;
    pal_statfs_from_host(s, &st);
    memcpy(out, &st, sizeof(st));
    *size = sizeof(st);
    return 0;
}

static int64_t do_statfs(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const char *path = one_path(r, 0);
    struct statfs s;

    if (!path || cap < sizeof(struct pal_statfs))
        return -EINVAL;
    return statfs_out(statfs(path, &s), &s, out, size);
}

static int64_t do_fstatfs(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    struct statfs s;

    if (args_only(r) || cap < sizeof(struct pal_statfs))
        return -EINVAL;
    if (!handle_ok(r->a.a[0]))
        return -EBADF;
    return statfs_out(fstatfs((int)r->a.a[0], &s), &s, out, size);
}

static int is_mode(int64_t v)
{
    return v >= 0 && v <= UINT32_MAX;
}

static int64_t do_mkdir(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const char *path = one_path(r, 1);

    (void)out, (void)cap, (void)size;
    if (!path || !is_mode(r->a.a[0]))
        return -EINVAL;
    if (mkdir(path, (mode_t)r->a.a[0]) != 0)
        return -errno;
    if (r->a.a[0] & host_umask()) /* the exact mode, as open's */
        (void)fchmodat(AT_FDCWD, path, (mode_t)r->a.a[0] & 07777, 0);
    return 0;
}

static int64_t do_unlink(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const char *path = one_path(r, 1);

    (void)out, (void)cap, (void)size;
    if (!path || !is_flag(r->a.a[0]))
        return -EINVAL;
    return ret(unlinkat(AT_FDCWD, path, r->a.a[0] ? AT_REMOVEDIR : 0));
}

static int64_t do_rename(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const char *from, *to;

    (void)out, (void)cap, (void)size;
    return two_paths(r, &from, &to) ? -EINVAL : ret(rename(from, to));
}

static int64_t do_ftruncate(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    (void)out, (void)cap, (void)size;
    if (args_only(r))
        return -EINVAL;
    return handle_ok(r->a.a[0]) ? ret(ftruncate((int)r->a.a[0], r->a.a[1])) : -EBADF;
}

static int64_t do_fsync(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    (void)out, (void)cap, (void)size;
    if (args_only(r))
        return -EINVAL;
    return handle_ok(r->a.a[0]) ? ret(fsync((int)r->a.a[0])) : -EBADF;
}

static int64_t do_chmod(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const char *path = one_path(r, 1);

    (void)out, (void)cap, (void)size;
    if (!path || !is_mode(r->a.a[0]))
        return -EINVAL;
    return ret(chmod(path, (mode_t)r->a.a[0]));
}

static int64_t do_readlink(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const char *path = one_path(r, 1);
    int64_t len = r->a.a[0];

    if (!path || len < 0 || len > OCALL_MAX_IO || (uint64_t)len > cap)
        return -EINVAL;
    return done_count(readlink(path, (char *)out, (size_t)len), size);
}

static int64_t do_symlink(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const char *target, *path;

    (void)out, (void)cap, (void)size;
    return two_paths(r, &target, &path) ? -EINVAL : ret(symlink(target, path));
}

static int64_t do_link(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const char *from, *to;

    (void)out, (void)cap, (void)size;
    return two_paths(r, &from, &to) ? -EINVAL : ret(link(from, to));
}

static int64_t do_rename_flags(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const char *from, *to;
    int64_t flags = r->a.a[2];

    (void)out, (void)cap, (void)size;
    if (two_paths(r, &from, &to) || (flags != RENAME_NOREPLACE && flags != RENAME_EXCHANGE))
        return -EINVAL;
    return ret(renameat2(AT_FDCWD, from, AT_FDCWD, to, (unsigned)flags));
}

static int64_t do_link_handle(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const char *to = one_path(r, 1);
    char proc[32];

    (void)out, (void)cap, (void)size;
    if (!to)
        return -EINVAL;
    if (!handle_ok(r->a.a[0]))
        return -EBADF;
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", (int)r->a.a[0]);
    return ret(linkat(AT_FDCWD, proc, AT_FDCWD, to, AT_SYMLINK_FOLLOW));
}

static int64_t do_splice(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const int64_t *a = r->a.a;
    int64_t oi = a[1], oo = a[3];

    (void)out, (void)cap, (void)size;
    if (args_only(r) || a[1] < -2 || a[3] < -1 || a[4] < 0 || a[5] < 0 || a[5] > 0xf)
        return -EINVAL;
    if (!handle_ok(a[0]) || !handle_ok(a[2]))
        return -EBADF;
    if (a[1] == -2)
        return ret(tee((int)a[0], (int)a[2], (size_t)a[4], (unsigned)a[5]));
    return HC6(SYS_splice, (int)a[0], a[1] < 0 ? NULL : &oi, (int)a[2], a[3] < 0 ? NULL : &oo,
               (size_t)a[4], (unsigned)a[5]);
}

static int64_t do_xattr(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const int64_t *a = r->a.a;
    const char *path = a[2] ? urts_ocall_str(r, a[2]) : NULL;
    const char *name = a[3] ? urts_ocall_str(r, a[3]) : NULL;
    int64_t op = a[0], n = a[4];
    const uint8_t *value = op == PAL_XATTR_SET ? urts_ocall_bytes(r, n) : NULL;
    long got;

    if (op < PAL_XATTR_GET || op > PAL_XATTR_REMOVE || n < 0 || n > OCALL_MAX_IO ||
        (a[2] && !path) || (a[3] && !name) || (!name) != (op == PAL_XATTR_LIST) ||
        (op == PAL_XATTR_SET && !value) || !urts_ocall_end(r) || !is_int(a[5]) ||
        ((op == PAL_XATTR_GET || op == PAL_XATTR_LIST) && (uint64_t)n > cap))
        return -EINVAL;
    if (!path && !handle_ok(a[1]))
        return -EBADF;
    int fd = (int)a[1];
    switch (op) {
    case PAL_XATTR_GET:
        got = path ? lgetxattr(path, name, out, (size_t)n) : fgetxattr(fd, name, out, (size_t)n);
        break;
    case PAL_XATTR_LIST:
        got = path ? llistxattr(path, (char *)out, (size_t)n)
                   : flistxattr(fd, (char *)out, (size_t)n);
        break;
    case PAL_XATTR_SET:
        return ret(path ? lsetxattr(path, name, value, (size_t)n, (int)a[5])
                        : fsetxattr(fd, name, value, (size_t)n, (int)a[5]));
    default:
        return ret(path ? lremovexattr(path, name) : fremovexattr(fd, name));
    }
    if (got < 0)
        return -errno;
    *size = n ? (uint64_t)got : 0; /* size 0: the length alone */
    return got;
}

static int64_t do_access(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const char *path = one_path(r, 1);

    (void)out, (void)cap, (void)size;
    if (!path || !is_int(r->a.a[0]))
        return -EINVAL;
    return ret(access(path, (int)r->a.a[0]));
}

static int64_t do_nonblock(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    int fd = (int)r->a.a[0], fl;

    (void)out, (void)cap, (void)size;
    if (args_only(r) || !is_flag(r->a.a[1]))
        return -EINVAL;
    if (!handle_ok(r->a.a[0]))
        return -EBADF;
    fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return -errno;
    fl = r->a.a[1] ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
    return ret(fcntl(fd, F_SETFL, fl));
}

/* SIOCGIFCONF (pal_ioctl.h): a2 bytes of whole entries into out, or with a2
 * 0 the bytes all of them need; returns that count. */
static int64_t do_ifconf(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const int64_t *a = r->a.a;
    struct {
        int32_t len, pad;
        void *buf;
    } ic = {(int32_t)a[2], 0, a[2] ? out : NULL};

    if (args_only(r) || a[2] < 0 || a[2] > PAL_IOCTL_IFCONF_MAX || (uint64_t)a[2] > cap)
        return -EINVAL;
    if (ioctl((int)a[0], (unsigned long)a[1], &ic) < 0)
        return -errno;
    *size = a[2] ? (uint64_t)ic.len : 0;
    return ic.len;
}

/* pal_ioctl.h's requests on a host handle: an OUT reply of exactly the
 * request's size (TCGETS: the kernel's 36-byte termios, which glibc's
 * buffer is: a longer reply would overwrite the program's stack), an IN
 * argument of exactly its size, a VALUE in a2; flags in a3 (the host call
 * and its ids: direct_tty_call). */
static int64_t do_tty_ioctl(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const int64_t *a = r->a.a;
    const struct pal_ioctl *k = pal_ioctl_find((unsigned long)a[1]);
    uint8_t buf[64] __attribute__((aligned(8))) = {0};
    int flags = (int)a[3];

    if (!k)
        return -ENOTTY;
    if (!handle_ok(a[0]))
        return -EBADF;
    if (a[3] & ~(int64_t)PAL_TTY_QUIET)
        return -EINVAL;
    if (k->arg == PAL_IOCTL_IFCONF) /* a2 bytes of entries into out, or the size (a2 0) */
        return do_ifconf(r, out, cap, size);
    if (k->arg == PAL_IOCTL_VALUE) {
        if (args_only(r))
            return -EINVAL;
        return direct_tty_call((int)a[0], (unsigned long)a[1], (void *)(uintptr_t)a[2], flags);
    }
    if (a[2] != k->size)
        return -EINVAL;
    if (k->arg == PAL_IOCTL_IN) {
        const uint8_t *in = urts_ocall_bytes(r, k->size);
        if (!in || !urts_ocall_end(r))
            return -EINVAL;
        memcpy(buf, in, k->size);
        return direct_tty_call((int)a[0], (unsigned long)a[1], buf, flags);
    }
    if (k->arg == PAL_IOCTL_INOUT) {
        const uint8_t *in = urts_ocall_bytes(r, k->size);
        if (!in || !urts_ocall_end(r) || k->size > cap)
            return -EINVAL;
        memcpy(buf, in, k->size);
    } else if (args_only(r) || k->size > cap) {
        return -EINVAL;
    }
    int64_t e = direct_tty_call((int)a[0], (unsigned long)a[1], buf, flags);
    if (e != 0)
        return e;
    memcpy(out, buf, k->size);
    *size = k->size;
    return 0;
}

static struct timespec utime_ts(int64_t t)
{
    if (t == PAL_UTIME_NOW || t == PAL_UTIME_OMIT)
        return (struct timespec){0, t == PAL_UTIME_NOW ? UTIME_NOW : UTIME_OMIT};
    return (struct timespec){t / 1000000000LL, t % 1000000000LL};
}

static int64_t do_utimes(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const char *path = one_path(r, 3);
    struct timespec ts[2];

    (void)out, (void)cap, (void)size;
    if (!path || !is_flag(r->a.a[2]))
        return -EINVAL;
    ts[0] = utime_ts(r->a.a[0]);
    ts[1] = utime_ts(r->a.a[1]);
    return ret(utimensat(AT_FDCWD, path, ts, r->a.a[2] ? AT_SYMLINK_NOFOLLOW : 0));
}

static int is_id(int64_t v)
{
    return v >= 0 && v <= UINT32_MAX;
}

static int64_t do_chown(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const int64_t *a = r->a.a;
    const char *path = one_path(r, 3);

    (void)out, (void)cap, (void)size;
    if (!path || !is_id(a[0]) || !is_id(a[1]) || !is_flag(a[2]))
        return -EINVAL;
    return ret(fchownat(AT_FDCWD, path, (uid_t)a[0], (gid_t)a[1], a[2] ? AT_SYMLINK_NOFOLLOW : 0));
}

static int64_t do_fchown(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    (void)out, (void)cap, (void)size;
    if (args_only(r) || !is_id(r->a.a[1]) || !is_id(r->a.a[2]))
        return -EINVAL;
    return handle_ok(r->a.a[0]) ? ret(fchown((int)r->a.a[0], (uid_t)r->a.a[1], (gid_t)r->a.a[2]))
                                : -EBADF;
}

static int lock_cmd_ok(int64_t c)
{
    return c == F_GETLK || c == F_SETLK || c == F_SETLKW || c == F_OFD_GETLK ||
           c == F_OFD_SETLK || c == F_OFD_SETLKW;
}

static int64_t do_file_lock(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const int64_t *a = r->a.a;
    int get = a[1] == F_GETLK || a[1] == F_OFD_GETLK;
    int64_t o[5];

    if (args_only(r) || !lock_cmd_ok(a[1]) || a[2] < 0 || a[2] > 2 || a[3] < 0 || a[3] > 2 ||
        (get && cap < sizeof(o)))
        return -EINVAL;
    if (!handle_ok(a[0]))
        return -EBADF;
    struct flock fl = {.l_type = (short)a[2], .l_whence = (short)a[3], .l_start = a[4],
                       .l_len = a[5]};
    long lr = a[1] == F_SETLKW || a[1] == F_OFD_SETLKW ? HC3(SYS_fcntl, (int)a[0], (int)a[1], &fl)
                                                       : ret(fcntl((int)a[0], (int)a[1], &fl));

    if (lr != 0)
        return lr;
    if (get) {
        /* The holder as the program knows it: its id in the namespace
         * (OFD locks have no holder: -1 stays). */
        urts_procs_thread();
        o[0] = fl.l_type, o[1] = fl.l_whence, o[2] = fl.l_start, o[3] = fl.l_len;
        o[4] = fl.l_pid > 0 ? pidns_id_of_host(fl.l_pid) : fl.l_pid;
        memcpy(out, o, sizeof(o));
        *size = sizeof(o);
    }
    return 0;
}

static int64_t do_flock(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    (void)out, (void)cap, (void)size;
    if (args_only(r) || !is_int(r->a.a[1]))
        return -EINVAL;
    if (!handle_ok(r->a.a[0]))
        return -EBADF;
    if (r->a.a[1] & LOCK_NB)
        return ret(flock((int)r->a.a[0], (int)r->a.a[1]));
    return HC3(SYS_flock, (int)r->a.a[0], (int)r->a.a[1], 0);
}

static int64_t do_fallocate(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const int64_t *a = r->a.a;

    (void)out, (void)cap, (void)size;
    if (args_only(r) || !is_int(a[1]))
        return -EINVAL;
    return handle_ok(a[0]) ? ret(fallocate((int)a[0], (int)a[1], a[2], a[3])) : -EBADF;
}

/* posix_fadvise returns the error instead of setting errno. */
static int64_t do_fadvise(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const int64_t *a = r->a.a;

    (void)out, (void)cap, (void)size;
    if (args_only(r) || !is_int(a[3]))
        return -EINVAL;
    return handle_ok(a[0]) ? -posix_fadvise((int)a[0], a[1], a[2], (int)a[3]) : -EBADF;
}

static int64_t do_mknod(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const char *path = one_path(r, 1);
    int64_t mode = r->a.a[0];

    (void)out, (void)cap, (void)size;
    if (!path || mode < 0 || mode > UINT32_MAX)
        return -EINVAL;
    if ((mode & S_IFMT) != S_IFIFO && (mode & S_IFMT) != S_IFREG)
        return -EPERM;
    if (mknod(path, (mode_t)mode, 0) != 0)
        return -errno;
    if (mode & host_umask()) /* the exact mode, as open's */
        (void)fchmodat(AT_FDCWD, path, (mode_t)mode & 07777, 0);
    return 0;
}

static int64_t do_fdatasync(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    (void)out, (void)cap, (void)size;
    if (args_only(r))
        return -EINVAL;
    return handle_ok(r->a.a[0]) ? ret(fdatasync((int)r->a.a[0])) : -EBADF;
}

static int64_t do_sync(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    (void)out, (void)cap, (void)size;
    if (args_only(r))
        return -EINVAL;
    if (r->a.a[0] == -1) {
        sync();
        return 0;
    }
    return handle_ok(r->a.a[0]) ? ret(syncfs((int)r->a.a[0])) : -EBADF;
}

static int64_t do_pipe_size(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const int64_t *a = r->a.a;

    (void)out, (void)cap, (void)size;
    if (args_only(r) || a[1] < -1 || a[1] > INT_MAX)
        return -EINVAL;
    if (!handle_ok(a[0]))
        return -EBADF;
    return ret(a[1] < 0 ? fcntl((int)a[0], F_GETPIPE_SZ) : fcntl((int)a[0], F_SETPIPE_SZ, (int)a[1]));
}

static int64_t do_file_flags(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const int64_t *a = r->a.a;
    int fl;

    (void)out, (void)cap, (void)size;
    if (args_only(r) || a[1] < -1 || a[1] > INT_MAX)
        return -EINVAL;
    if (!handle_ok(a[0]))
        return -EBADF;
    fl = fcntl((int)a[0], F_GETFL);
    if (fl < 0 || a[1] < 0)
        return ret(fl);
    const int set = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME;
    fl = (fl & ~set) | ((int)a[1] & set);
    return ret(fcntl((int)a[0], F_SETFL, fl));
}

/* O_ASYNC with this process as the owner: SIGIO comes here, and the
 * runtime forwards it to the enclave (urts_signal.c). */
static int64_t do_file_async(struct urts_ocall_in *r, uint8_t *out, uint64_t cap, uint64_t *size)
{
    const int64_t *a = r->a.a;
    struct f_owner_ex owner = {F_OWNER_PID, getpid()};
    int fl;

    (void)out, (void)cap, (void)size;
    if (args_only(r) || (a[1] != 0 && a[1] != 1))
        return -EINVAL;
    if (!handle_ok(a[0]))
        return -EBADF;
    if (a[1] && fcntl((int)a[0], F_SETOWN_EX, &owner))
        return -errno;
    fl = fcntl((int)a[0], F_GETFL);
    if (fl < 0)
        return -errno;
    return ret(fcntl((int)a[0], F_SETFL, a[1] ? fl | O_ASYNC : fl & ~O_ASYNC));
}

#define FS(n) [(n)-OCALL_FS_FIRST]
/* Indexed from OCALL_FS_FIRST through the second range (ocall_abi.h's
 * ocall_fs_more); the numbers between the two ranges stay empty. */
static const fs_fn fs_table[OCALL_FS_MORE_LAST - OCALL_FS_FIRST + 1] = {
    FS(OCALL_FILE_OPEN) = do_open,      FS(OCALL_CLOSE) = do_close,
    FS(OCALL_READ) = do_read,           FS(OCALL_WRITE) = do_write,
    FS(OCALL_PREAD) = do_pread,         FS(OCALL_PWRITE) = do_pwrite,
    FS(OCALL_SEEK) = do_seek,           FS(OCALL_STAT) = do_stat,
    FS(OCALL_FSTAT) = do_fstat,         FS(OCALL_READDIR) = do_readdir,
    FS(OCALL_MKDIR) = do_mkdir,         FS(OCALL_UNLINK) = do_unlink,
    FS(OCALL_RENAME) = do_rename,       FS(OCALL_FTRUNCATE) = do_ftruncate,
    FS(OCALL_FSYNC) = do_fsync,         FS(OCALL_CHMOD) = do_chmod,
    FS(OCALL_READLINK) = do_readlink,   FS(OCALL_SYMLINK) = do_symlink,
    FS(OCALL_ACCESS) = do_access,       FS(OCALL_NONBLOCK) = do_nonblock,
    FS(OCALL_TTY_IOCTL) = do_tty_ioctl, FS(OCALL_LINK) = do_link,
    FS(OCALL_UTIMES) = do_utimes,       FS(OCALL_STATFS) = do_statfs,
    FS(OCALL_FSTATFS) = do_fstatfs,     FS(OCALL_CHOWN) = do_chown,
    FS(OCALL_FCHOWN) = do_fchown,       FS(OCALL_FILE_LOCK) = do_file_lock,
    FS(OCALL_FLOCK) = do_flock,         FS(OCALL_FALLOCATE) = do_fallocate,
    FS(OCALL_FADVISE) = do_fadvise,     FS(OCALL_MKNOD) = do_mknod,
    FS(OCALL_FDATASYNC) = do_fdatasync, FS(OCALL_SYNC) = do_sync,
    FS(OCALL_PIPE_SIZE) = do_pipe_size, FS(OCALL_FILE_FLAGS) = do_file_flags,
    FS(OCALL_FILE_ASYNC) = do_file_async,
    /* one host step each (docs/sgx-pal.md) */
    FS(OCALL_RENAME_FLAGS) = do_rename_flags,
    FS(OCALL_LINK_HANDLE) = do_link_handle,
    FS(OCALL_SPLICE) = do_splice,
    FS(OCALL_XATTR) = do_xattr,
};

int64_t urts_ocall_fs(struct urts_enclave *e, uint32_t thread, uint64_t number, const uint8_t *in,
                      uint64_t in_size, uint8_t *out, uint64_t out_cap, uint64_t *out_size)
{
    struct urts_ocall_in r;

    (void)e;
    (void)thread;
    *out_size = 0;
    if (number < OCALL_FS_FIRST || number > OCALL_FS_MORE_LAST ||
        (number > OCALL_FS_LAST && number < OCALL_FS_MORE_FIRST) || !fs_table[number - OCALL_FS_FIRST])
        return -ENOSYS;
    if (urts_ocall_begin(&r, in, in_size))
        return -EINVAL;
    return fs_table[number - OCALL_FS_FIRST](&r, out, out_cap, out_size);
}
