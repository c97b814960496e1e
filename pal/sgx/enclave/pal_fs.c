/* Trusted PAL: the fs family of struct pal_api over OCALLs (ocall_abi.h).
 * Same semantics as pal/direct/pal_file.c; every value the host returns is
 * checked here (counts against the request, sizes, record structure), and a
 * reply that breaks the contract becomes -PAL_EIO. file_map stays NULL: inside
 * an enclave the libOS copies. */
#include "pal_enclave.h"
#include "pal_ioctl.h"

#define FS_PATH_MAX 4096 /* bytes, NUL included */
#define DIRENT_NAME 19 /* offset of d_name in struct linux_dirent64 */
#define DIRENT_MIN 20  /* header and the shortest name's NUL */

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* One OCALL whose input is the arguments then up to two variable parts. */
static int64_t fs_ocall(uint64_t nr, const struct ocall_args *a, const void *v1, uint64_t n1,
                        const void *v2, uint64_t n2, void *out, uint64_t cap, uint64_t *got)
{
    struct ocall_iov in[3] = {{a, sizeof(*a)}, {v1, n1}, {v2, n2}};
    unsigned n = n2 ? 3 : n1 ? 2 : 1;

    return enclave_ocallv(nr, in, n, out, cap, got);
}

/* Operations whose only success value is 0. */
static long zero_or_err(int64_t r)
{
    return r > 0 ? -PAL_EIO : r;
}

/* A count the host returned for a transfer of at most n bytes. */
static long count_ok(int64_t r, uint64_t n)
{
    return r >= 0 && (uint64_t)r > n ? -PAL_EIO : r;
}

static long args_call(uint64_t nr, int64_t a0, int64_t a1, int64_t a2)
{
    struct ocall_args a = {{a0, a1, a2}};

    return zero_or_err(fs_ocall(nr, &a, 0, 0, 0, 0, 0, 0, 0));
}

/* An operation on one path: a[last] is set to the path's size. */
static long path_call(uint64_t nr, struct ocall_args *a, int last, const char *path)
{
    uint64_t size = pal_strsize(path, FS_PATH_MAX);

    if (!size)
        return -PAL_ENAMETOOLONG;
    a->a[last] = (int64_t)size;
    return zero_or_err(fs_ocall(nr, a, path, size, 0, 0, 0, 0, 0));
}

/* An operation on two paths (sizes in a0, a1). */
static long two_paths_call(uint64_t nr, const char *p1, const char *p2)
{
    uint64_t n1 = pal_strsize(p1, FS_PATH_MAX), n2 = pal_strsize(p2, FS_PATH_MAX);
    struct ocall_args a = {{(int64_t)n1, (int64_t)n2}};

    if (!n1 || !n2)
        return -PAL_ENAMETOOLONG;
    return zero_or_err(fs_ocall(nr, &a, p1, n1, p2, n2, 0, 0, 0));
}

static long encl_file_open(const char *path, int flags, uint32_t mode, pal_handle *out)
{
    uint64_t size = pal_strsize(path, FS_PATH_MAX);
    struct ocall_args a = {{flags, mode, (int64_t)size}};
    long r;

    if (!size)
        return -PAL_ENAMETOOLONG;
    r = pal_check_handle(fs_ocall(OCALL_FILE_OPEN, &a, path, size, 0, 0, 0, 0, 0));
    if (r < 0)
        return r;
    *out = r;
    return 0;
}

static long encl_close(pal_handle h)
{
    enclave_waitset_forget(h);
    return args_call(OCALL_CLOSE, h, 0, 0);
}

/* One read-like OCALL of at most n bytes into buf: the count must equal the
 * bytes actually returned. */
static long read_chunk(uint64_t nr, struct ocall_args *a, void *buf, uint64_t n)
{
    uint64_t got = 0;
    int64_t r = count_ok(fs_ocall(nr, a, 0, 0, 0, 0, buf, n, &got), n);

    if (r >= 0 && (uint64_t)r != got)
        return -PAL_EIO;
    return r;
}

/* A short read is legal, and a second OCALL could block on a pipe: one only. */
static long encl_read(pal_handle h, void *buf, size_t len)
{
    uint64_t n = min_u64(len, OCALL_MAX_IO);
    struct ocall_args a = {{h, (int64_t)n}};

    return read_chunk(OCALL_READ, &a, buf, n);
}

static long encl_pread(pal_handle h, void *buf, size_t len, int64_t off)
{
    uint64_t done = 0, n;
    long r;

    do {
        n = min_u64(len - done, OCALL_MAX_IO);
        struct ocall_args a = {{h, (int64_t)n, off + (int64_t)done}};
        r = read_chunk(OCALL_PREAD, &a, (uint8_t *)buf + done, n);
        if (r < 0)
            return done ? (long)done : r;
        done += (uint64_t)r;
    } while ((uint64_t)r == n && n && done < len);
    return (long)done;
}

/* Writes in OCALL_MAX_IO chunks (at off + done for OCALL_PWRITE) until done,
 * a short chunk or an error; the bytes written so far win over an error. */
static long write_loop(uint64_t nr, pal_handle h, const void *buf, size_t len, int64_t off)
{
    uint64_t done = 0, n;
    long r;

    do {
        n = min_u64(len - done, OCALL_MAX_IO);
        struct ocall_args a = {{h, (int64_t)n, nr == OCALL_PWRITE ? off + (int64_t)done : 0}};
        r = count_ok(fs_ocall(nr, &a, (const uint8_t *)buf + done, n, 0, 0, 0, 0, 0), n);
        if (r < 0)
            return done ? (long)done : r;
        done += (uint64_t)r;
    } while ((uint64_t)r == n && n && done < len);
    return (long)done;
}

static long encl_write(pal_handle h, const void *buf, size_t len)
{
    return write_loop(OCALL_WRITE, h, buf, len, 0);
}

static long encl_pwrite(pal_handle h, const void *buf, size_t len, int64_t off)
{
    return write_loop(OCALL_PWRITE, h, buf, len, off);
}

/* pwritev2 flags: chunks at off + done, or each at the position (-1). */
static long encl_pwrite_flags(pal_handle h, const void *buf, size_t len, int64_t off, int rwf)
{
    uint64_t done = 0, n;
    long r;

    if (rwf & ~PAL_RWF_WRITE_ALL || !rwf || off < -1)
        return -PAL_EINVAL;
    do {
        n = min_u64(len - done, OCALL_MAX_IO);
        struct ocall_args a = {{h, (int64_t)n, off < 0 ? -1 : off + (int64_t)done, rwf}};
        r = count_ok(fs_ocall(OCALL_PWRITE, &a, (const uint8_t *)buf + done, n, 0, 0, 0, 0, 0), n);
        if (r < 0)
            return done ? (long)done : r;
        done += (uint64_t)r;
    } while ((uint64_t)r == n && n && done < len);
    return (long)done;
}

static long encl_seek(pal_handle h, int64_t off, int whence)
{
    struct ocall_args a = {{h, off, whence}};

    /* A negative result is an errno (enclave_ocallv maps anything else to
     * -EIO), so any value the caller sees as success is >= 0. */
    return fs_ocall(OCALL_SEEK, &a, 0, 0, 0, 0, 0, 0, 0);
}

/* A struct pal_stat reply: exactly its size, result 0; copied out only then. */
static long stat_reply(int64_t r, uint64_t got, const struct pal_stat *tmp, struct pal_stat *st)
{
    if (r < 0)
        return r;
    if (r != 0 || got != sizeof(*tmp))
        return -PAL_EIO;
    *st = *tmp;
    return 0;
}

/* nofollow goes across as 0, 1 or 3: PAL_STAT_NOSYMLINKS never follows a
 * final symlink either (the direct PAL opens O_PATH | O_NOFOLLOW). */
static long encl_stat(const char *path, int nofollow, struct pal_stat *st)
{
    uint64_t size = pal_strsize(path, FS_PATH_MAX), got = 0;
    int64_t nf = (nofollow & PAL_STAT_NOSYMLINKS) ? 1 | PAL_STAT_NOSYMLINKS : nofollow ? 1 : 0;
    struct ocall_args a = {{nf, (int64_t)size}};
    struct pal_stat tmp;
    int64_t r;

    if (!size)
        return -PAL_ENAMETOOLONG;
    r = fs_ocall(OCALL_STAT, &a, path, size, 0, 0, &tmp, sizeof(tmp), &got);
    return stat_reply(r, got, &tmp, st);
}

static long encl_fstat(pal_handle h, struct pal_stat *st)
{
    struct ocall_args a = {{h}};
    struct pal_stat tmp;
    uint64_t got = 0;
    int64_t r = fs_ocall(OCALL_FSTAT, &a, 0, 0, 0, 0, &tmp, sizeof(tmp), &got);

    return stat_reply(r, got, &tmp, st);
}

/* A struct pal_statfs reply: exactly its size, result 0, and counts that
 * hold together (free and available blocks within the total, free inodes
 * within the total, sizes not negative); copied out only then. */
static long statfs_reply(int64_t r, uint64_t got, const struct pal_statfs *tmp,
                         struct pal_statfs *st)
{
    if (r < 0)
        return r;
    if (r != 0 || got != sizeof(*tmp) || tmp->bsize < 0 || tmp->frsize < 0 ||
        tmp->namelen < 0 || tmp->bfree > tmp->blocks || tmp->bavail > tmp->blocks ||
        tmp->ffree > tmp->files)
        return -PAL_EIO;
    *st = *tmp;
    return 0;
}

static long encl_fs_stat(const char *path, struct pal_statfs *st)
{
    uint64_t size = pal_strsize(path, FS_PATH_MAX), got = 0;
    struct ocall_args a = {{(int64_t)size}};
    struct pal_statfs tmp;
    int64_t r;

    if (!size)
        return -PAL_ENAMETOOLONG;
    r = fs_ocall(OCALL_STATFS, &a, path, size, 0, 0, &tmp, sizeof(tmp), &got);
    return statfs_reply(r, got, &tmp, st);
}

static long encl_fs_fstat(pal_handle h, struct pal_statfs *st)
{
    struct ocall_args a = {{h}};
    struct pal_statfs tmp;
    uint64_t got = 0;
    int64_t r = fs_ocall(OCALL_FSTATFS, &a, 0, 0, 0, 0, &tmp, sizeof(tmp), &got);

    return statfs_reply(r, got, &tmp, st);
}

static uint16_t load_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* 1 when buf[0..total) is a sequence of well-formed linux_dirent64 records:
 * each at least DIRENT_MIN long, 8-aligned, inside the bytes, with a NUL in
 * its d_name, and together exactly total bytes. */
static int dirents_ok(const uint8_t *buf, uint64_t total)
{
    uint64_t pos = 0, reclen, i;

    while (pos < total) {
        if (total - pos < DIRENT_MIN)
            return 0;
        reclen = load_u16(buf + pos + 16);
        if (reclen < DIRENT_MIN || reclen % 8 || reclen > total - pos)
            return 0;
        for (i = DIRENT_NAME; i < reclen && buf[pos + i]; i++)
            ;
        if (i == reclen)
            return 0;
        pos += reclen;
    }
    return 1;
}

static long encl_readdir(pal_handle h, void *buf, size_t len)
{
    uint64_t n = min_u64(len, OCALL_MAX_IO);
    struct ocall_args a = {{h, (int64_t)n}};
    long r = read_chunk(OCALL_READDIR, &a, buf, n);

    if (r > 0 && !dirents_ok(buf, (uint64_t)r))
        return -PAL_EIO;
    return r;
}

static long encl_mkdir(const char *path, uint32_t mode)
{
    struct ocall_args a = {{mode}};

    return path_call(OCALL_MKDIR, &a, 1, path);
}

static long encl_unlink(const char *path, int is_dir)
{
    struct ocall_args a = {{is_dir ? 1 : 0}};

    return path_call(OCALL_UNLINK, &a, 1, path);
}

static long encl_rename(const char *from, const char *to)
{
    return two_paths_call(OCALL_RENAME, from, to);
}

static long encl_ftruncate(pal_handle h, int64_t len)
{
    return args_call(OCALL_FTRUNCATE, h, len, 0);
}

static long encl_fsync(pal_handle h)
{
    return args_call(OCALL_FSYNC, h, 0, 0);
}

static long encl_chmod(const char *path, uint32_t mode)
{
    struct ocall_args a = {{mode}};

    return path_call(OCALL_CHMOD, &a, 1, path);
}

/* The length must be the bytes returned, and fit the buffer. */
static long encl_readlink(const char *path, char *buf, size_t len)
{
    uint64_t size = pal_strsize(path, FS_PATH_MAX), n = min_u64(len, OCALL_MAX_IO);
    struct ocall_args a = {{(int64_t)n, (int64_t)size}};
    uint64_t got = 0;
    int64_t r;

    if (!size)
        return -PAL_ENAMETOOLONG;
    r = count_ok(fs_ocall(OCALL_READLINK, &a, path, size, 0, 0, buf, n, &got), n);
    if (r >= 0 && (uint64_t)r != got)
        return -PAL_EIO;
    return r;
}

static long encl_symlink(const char *target, const char *path)
{
    return two_paths_call(OCALL_SYMLINK, target, path);
}

static long encl_link(const char *from, const char *to)
{
    return two_paths_call(OCALL_LINK, from, to);
}

static long encl_access(const char *path, int mode)
{
    struct ocall_args a = {{mode}};

    return path_call(OCALL_ACCESS, &a, 1, path);
}

static long encl_utimes(const char *path, const int64_t times[2], int nofollow)
{
    struct ocall_args a = {{times[0], times[1], nofollow ? 1 : 0}};

    return path_call(OCALL_UTIMES, &a, 3, path);
}

static long encl_set_nonblocking(pal_handle h, int on)
{
    return args_call(OCALL_NONBLOCK, h, on ? 1 : 0, 0);
}

/* SIOCGIFCONF: len bytes of entries into buf (the libOS's, not the
 * program's: a refused reply is never seen), or the size asked (NULL, 0);
 * the reply must be whole entries that fit, every name ending in a NUL. */
static long ifconf(pal_handle h, void *buf, size_t len, int flags)
{
    struct ocall_args a = {{h, (int64_t)PAL_IOCTL_SIOCGIFCONF, (int64_t)len, flags}};
    uint64_t got = 0;
    int64_t r;

    if (len > PAL_IOCTL_IFCONF_MAX || (!buf && len) || len % PAL_IOCTL_IFREQ_SIZE)
        return -PAL_EINVAL;
    r = fs_ocall(OCALL_TTY_IOCTL, &a, 0, 0, 0, 0, buf, len, &got);
    if (r < 0)
        return r;
    if (!pal_ioctl_ifconf_ok(buf, r, len) || got != (len ? (uint64_t)r : 0))
        return -PAL_EIO;
    return r;
}

/* pal_ioctl.h's requests: an OUT reply must be exactly the request's size
 * (a count never negative, a group or session an id of the namespace or
 * 0), an IN argument goes out at its size, a VALUE as a0..a2's third word;
 * flags in a3. */
static long encl_tty_ioctl(pal_handle h, unsigned long req, void *buf, size_t len, int flags)
{
    const struct pal_ioctl *k = pal_ioctl_find(req);
    uint64_t got = 0;
    int64_t r;

    if (k && k->arg == PAL_IOCTL_IFCONF && !(flags & ~PAL_TTY_QUIET))
        return ifconf(h, buf, len, flags);
    if (!k || (k->arg != PAL_IOCTL_VALUE && len < k->size) || (flags & ~PAL_TTY_QUIET))
        return -PAL_ENOTTY;
    if (k->arg == PAL_IOCTL_VALUE) {
        struct ocall_args a = {{h, (int64_t)req, (int64_t)(uintptr_t)buf, flags}};
        r = fs_ocall(OCALL_TTY_IOCTL, &a, 0, 0, 0, 0, 0, 0, 0);
        return r < 0 ? r : r == 0 ? 0 : -PAL_EIO;
    }
    struct ocall_args a = {{h, (int64_t)req, (int64_t)k->size, flags}};
    if (k->arg == PAL_IOCTL_IN) {
        r = fs_ocall(OCALL_TTY_IOCTL, &a, buf, k->size, 0, 0, 0, 0, 0);
        return r < 0 ? r : r == 0 ? 0 : -PAL_EIO;
    }
    uint8_t tmp[64];
    int inout = k->arg == PAL_IOCTL_INOUT;
    r = fs_ocall(OCALL_TTY_IOCTL, &a, inout ? buf : 0, inout ? k->size : 0, 0, 0, tmp, k->size, &got);
    if (r < 0)
        return r;
    if (r != 0 || got != k->size)
        return -PAL_EIO;
    if (pal_ioctl_is_ifreq(req) && pal_strsize((const char *)tmp, 16) == 0)
        return -PAL_EIO; /* an interface name with no end */
    int32_t v = (int32_t)(tmp[0] | tmp[1] << 8 | tmp[2] << 16 | (uint32_t)tmp[3] << 24);
    if (pal_ioctl_is_count(req) && v < 0)
        return -PAL_EIO;
    if (pal_ioctl_is_id(req) && (v < 0 || v >= OCALL_PROCS_ID_MAX))
        return -PAL_EIO;
    memcpy(buf, tmp, k->size);
    return 0;
}

static long encl_chown(const char *path, uint32_t uid, uint32_t gid, int nofollow)
{
    struct ocall_args a = {{uid, gid, nofollow ? 1 : 0}};

    return path_call(OCALL_CHOWN, &a, 3, path);
}

static long encl_fchown(pal_handle h, uint32_t uid, uint32_t gid)
{
    return args_call(OCALL_FCHOWN, h, uid, gid);
}

static long six_call(uint64_t nr, const struct ocall_args *a)
{
    return zero_or_err(fs_ocall(nr, a, 0, 0, 0, 0, 0, 0, 0));
}

#define FS_F_GETLK 5
#define FS_F_OFD_GETLK 36

/* The GETLK forms read back a lock: a known type and whence SEEK_SET, a
 * non-negative range; the holder as an id of the program's pid namespace
 * (the host translates it; 0 for a process outside), or -1 for an OFD
 * lock. */
static long encl_file_lock(pal_handle h, int cmd, struct pal_flock *lk)
{
    struct ocall_args a = {{h, cmd, lk->type, lk->whence, lk->start, lk->len}};
    int64_t o[5];
    uint64_t got = 0;
    bool get = cmd == FS_F_GETLK || cmd == FS_F_OFD_GETLK;
    int64_t r = fs_ocall(OCALL_FILE_LOCK, &a, 0, 0, 0, 0, get ? o : 0, get ? sizeof(o) : 0, &got);

    if (r != 0 || !get)
        return zero_or_err(r);
    if (got != sizeof(o) || o[0] < 0 || o[0] > 2 || o[1] != 0 || o[2] < 0 || o[3] < 0 || o[4] < -1 ||
        o[4] >= (1 << 22))
        return -PAL_EIO;
    *lk = (struct pal_flock){.type = (int16_t)o[0], .whence = 0, .start = o[2], .len = o[3],
                             .pid = (int32_t)o[4]};
    return 0;
}

static long encl_file_flock(pal_handle h, int op)
{
    return args_call(OCALL_FLOCK, h, op, 0);
}

static long encl_fallocate(pal_handle h, int mode, int64_t off, int64_t len)
{
    struct ocall_args a = {{h, mode, off, len}};

    return six_call(OCALL_FALLOCATE, &a);
}

static long encl_fadvise(pal_handle h, int64_t off, int64_t len, int advice)
{
    struct ocall_args a = {{h, off, len, advice}};

    return six_call(OCALL_FADVISE, &a);
}

static long encl_mknod(const char *path, uint32_t mode)
{
    struct ocall_args a = {{mode}};

    return path_call(OCALL_MKNOD, &a, 1, path);
}

static long encl_rename_flags(const char *from, const char *to, unsigned flags)
{
    uint64_t n1 = pal_strsize(from, FS_PATH_MAX), n2 = pal_strsize(to, FS_PATH_MAX);
    struct ocall_args a = {{(int64_t)n1, (int64_t)n2, flags}};

    if (flags != 1 && flags != 2) /* RENAME_NOREPLACE, RENAME_EXCHANGE */
        return -PAL_EINVAL;
    if (!n1 || !n2)
        return -PAL_ENAMETOOLONG;
    return zero_or_err(fs_ocall(OCALL_RENAME_FLAGS, &a, from, n1, to, n2, 0, 0, 0));
}

static long encl_link_handle(pal_handle h, const char *to)
{
    struct ocall_args a = {{h}};

    return path_call(OCALL_LINK_HANDLE, &a, 1, to);
}

/* A count of at most len. */
static long encl_splice(pal_handle in, int64_t off_in, pal_handle out, int64_t off_out, size_t len,
                        unsigned flags)
{
    struct ocall_args a = {{in, off_in < 0 ? -1 : off_in, out, off_out < 0 ? -1 : off_out,
                            (int64_t)min_u64(len, INT64_MAX), flags}};

    return count_ok(fs_ocall(OCALL_SPLICE, &a, 0, 0, 0, 0, 0, 0, 0), len);
}

static long encl_tee(pal_handle in, pal_handle out, size_t len, unsigned flags)
{
    struct ocall_args a = {{in, -2, out, -1, (int64_t)min_u64(len, INT64_MAX), flags}};

    return count_ok(fs_ocall(OCALL_SPLICE, &a, 0, 0, 0, 0, 0, 0, 0), len);
}

/* GET and LIST: a length of at most size with exactly that many bytes
 * back, or (size 0) a length alone, at most Linux's XATTR_SIZE_MAX. */
static long encl_xattr(int op, const char *path, pal_handle h, const char *name, void *value,
                       size_t size, int flags)
{
    uint64_t np = path ? pal_strsize(path, FS_PATH_MAX) : 0;
    uint64_t nn = op != PAL_XATTR_LIST ? pal_strsize(name, 256) : 0;
    bool out = op == PAL_XATTR_GET || op == PAL_XATTR_LIST;
    uint64_t got = 0;

    if (op < PAL_XATTR_GET || op > PAL_XATTR_REMOVE || size > PAL_XATTR_SIZE_MAX)
        return -PAL_EINVAL;
    if ((path && !np) || (op != PAL_XATTR_LIST && !nn))
        return path && !np ? -PAL_ENAMETOOLONG : -PAL_ERANGE;
    struct ocall_args a = {{op, path ? -1 : h, (int64_t)np, (int64_t)nn,
                            op == PAL_XATTR_REMOVE ? 0 : (int64_t)size, flags}};
    struct ocall_iov in[4] = {{&a, sizeof(a)}};
    unsigned n = 1;
    if (np)
        in[n++] = (struct ocall_iov){path, np};
    if (nn)
        in[n++] = (struct ocall_iov){name, nn};
    if (op == PAL_XATTR_SET && size)
        in[n++] = (struct ocall_iov){value, size};
    int64_t r = enclave_ocallv(OCALL_XATTR, in, n, out ? value : 0, out ? size : 0, &got);
    if (r < 0)
        return r;
    if (!out)
        return r == 0 ? 0 : -PAL_EIO;
    if (size ? ((uint64_t)r > size || got != (uint64_t)r) : (got != 0 || r > 65536))
        return -PAL_EIO;
    return r;
}

static long encl_fdatasync(pal_handle h)
{
    return args_call(OCALL_FDATASYNC, h, 0, 0);
}

static long encl_sync(pal_handle h)
{
    return args_call(OCALL_SYNC, h < 0 ? -1 : h, 0, 0);
}

/* A capacity is a positive int. */
static long encl_pipe_size(pal_handle h, int64_t size)
{
    struct ocall_args a = {{h, size < 0 ? -1 : size}};
    int64_t r;

    if (size > 0x7fffffff)
        return -PAL_EINVAL;
    r = fs_ocall(OCALL_PIPE_SIZE, &a, 0, 0, 0, 0, 0, 0, 0);
    return r == 0 || r > 0x7fffffff ? -PAL_EIO : r;
}

/* The flags read back are an int of open(2)'s bits. */
static long encl_file_flags(pal_handle h, int flags)
{
    struct ocall_args a = {{h, flags < 0 ? -1 : flags}};
    int64_t r = fs_ocall(OCALL_FILE_FLAGS, &a, 0, 0, 0, 0, 0, 0, 0);

    if (flags >= 0)
        return zero_or_err(r);
    return r > 0x7fffffff ? -PAL_EIO : r;
}

static long encl_file_async(pal_handle h, int on)
{
    struct ocall_args a = {{h, on ? 1 : 0}};

    return zero_or_err(fs_ocall(OCALL_FILE_ASYNC, &a, 0, 0, 0, 0, 0, 0, 0));
}

/* The host thread that serves this thread's OCALLs (and the exitless
 * workers) takes the ids, so the host kernel judges each file access by
 * them as the direct PAL's host would. The host can only refuse: a wrong
 * answer is -PAL_EIO, and the libOS keeps its own ids either way. */
static long encl_set_fs_ids(uint32_t fsuid, uint32_t fsgid, const uint32_t *groups, size_t n)
{
    struct ocall_args a = {{fsuid, fsgid, (int64_t)n}};
    int64_t r;

    if (n > OCALL_FS_IDS_GROUPS_MAX)
        return -PAL_EINVAL;
    r = fs_ocall(OCALL_PROCS_SET_FS_IDS, &a, groups, n * 4, 0, 0, 0, 0, 0);
    return r == 0 || r == -PAL_EPERM || r == -PAL_EINVAL || r == -PAL_ENOSYS ? r : -PAL_EIO;
}

void enclave_fill_fs(struct pal_api *api)
{
    api->file_async = encl_file_async;
    api->file_open = encl_file_open;
    api->close = encl_close;
    api->read = encl_read;
    api->write = encl_write;
    api->pread = encl_pread;
    api->pwrite = encl_pwrite;
    api->seek = encl_seek;
    api->stat = encl_stat;
    api->fstat = encl_fstat;
    api->fs_stat = encl_fs_stat;
    api->fs_fstat = encl_fs_fstat;
    api->readdir = encl_readdir;
    api->mkdir = encl_mkdir;
    api->unlink = encl_unlink;
    api->rename = encl_rename;
    api->ftruncate = encl_ftruncate;
    api->fsync = encl_fsync;
    api->chmod = encl_chmod;
    api->readlink = encl_readlink;
    api->symlink = encl_symlink;
    api->link = encl_link;
    api->utimes = encl_utimes;
    api->access = encl_access;
    api->set_nonblocking = encl_set_nonblocking;
    api->tty_ioctl = encl_tty_ioctl;
    api->file_map = NULL;
    api->chown = encl_chown;
    api->fchown = encl_fchown;
    api->file_lock = encl_file_lock;
    api->file_flock = encl_file_flock;
    api->fallocate = encl_fallocate;
    api->fadvise = encl_fadvise;
    api->mknod = encl_mknod;
    api->rename_flags = encl_rename_flags;
    api->link_handle = encl_link_handle;
    api->splice = encl_splice;
    api->tee = encl_tee;
    api->pwrite_flags = encl_pwrite_flags;
    api->xattr = encl_xattr;
    api->fdatasync = encl_fdatasync;
    api->sync = encl_sync;
    api->pipe_size = encl_pipe_size;
    api->file_flags = encl_file_flags;
    api->set_fs_ids = encl_set_fs_ids;
}
