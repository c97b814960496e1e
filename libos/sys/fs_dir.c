/* Directory syscalls: listing, cwd, creating and removing names. */
#include <linux/fcntl.h>

#include "fs/tmpfs.h"
#include "fs/vfs.h"
#include "core/process.h"
#include "sys/sys.h"

#define S_IFMT_ 0170000
#define S_IFDIR_ 0040000

static uint32_t file_mode_mask = 022;

/* True when path ends in "/" after a name ("name/", not "/"). */
static bool slash_end(const char *p)
{
    size_t n = strlen(p);
    while (n > 0 && p[n - 1] == '/')
        n--;
    return n > 0 && p[n] == '/';
}

/* The name a call creates or removes (mkdir, mknod, link, symlink,
 * unlink, rmdir): resolved without following its last component, whose
 * trailing slashes are dropped first (an existing name is then EEXIST by
 * a create, and a symlink is not followed); a missing one with a trailing
 * slash is ENOENT unless dir (mkdir, and the removals, which find it
 * missing themselves): path_resolution(7), Linux's filename_create. */
static int name_at(int dirfd, const char *path, bool dir, char *out, size_t size)
{
    char tmp[PATH_MAX_LEN];
    if (!path)
        return -PAL_EFAULT;
    if (!slash_end(path))
        return vfs_resolve_at(dirfd, path, false, out, size);
    size_t n = strnlen(path, PATH_MAX_LEN);
    if (n >= PATH_MAX_LEN)
        return -PAL_ENAMETOOLONG;
    while (n > 1 && path[n - 1] == '/')
        n--;
    memcpy(tmp, path, n);
    tmp[n] = 0;
    int r = vfs_resolve_at(dirfd, tmp, false, out, size);
    struct pal_stat st;
    if (r == 0 && !dir && vfs_stat(out, 1, &st) == -PAL_ENOENT)
        return -PAL_ENOENT;
    return r;
}

SYS(getdents64)
{
    struct file *f = fd_get((int)A(0));
    if (!f)
        return -PAL_EBADF;
    long r = !f->ops->readdir || !file_is_dir(f) ? -PAL_ENOTDIR : f->ops->readdir(f, PTR(1), A(2));
    file_put(f);
    return r;
}

/* getdents, the old layout (struct linux_dirent: d_ino, d_off, d_reclen,
 * the name, then d_type in the record's last byte), still used by old
 * static binaries: getdents64's records converted in place. A record has
 * the same length in both layouts (the name moves one byte down, the type
 * goes to the end), so the same entries fit and the position moves as for
 * getdents64. */
SYS(getdents)
{
    long r = sys_getdents64(args);
    char *buf = PTR(1);
    for (long at = 0; r > 0 && at < r;) {
        char *d = buf + at;
        uint16_t reclen;
        memcpy(&reclen, d + 16, 2);
        char type = d[18];
        size_t n = strnlen(d + 19, reclen - 19u);
        memmove(d + 18, d + 19, n);
        memset(d + 18 + n, 0, reclen - 18u - n);
        d[reclen - 1] = type;
        at += reclen;
    }
    return r;
}

SYS(getcwd)
{
    const char *cwd = vfs_cwd();
    size_t n = strlen(cwd) + 1;
    if (n > A(1))
        return -PAL_ERANGE;
    memcpy(PTR(0), cwd, n);
    return (long)n;
}

static long chdir_to(const char *inside)
{
    struct pal_stat st;
    int r = vfs_stat(inside, 0, &st);
    if (r < 0)
        return r;
    if ((st.mode & S_IFMT_) != S_IFDIR_)
        return -PAL_ENOTDIR;
    return vfs_set_cwd(inside);
}

SYS(chdir)
{
    char inside[PATH_MAX_LEN];
    int r = vfs_resolve(AT_FDCWD, PTR(0), inside, sizeof(inside));
    return r < 0 ? r : chdir_to(inside);
}

SYS(fchdir)
{
    struct file *f = fd_get((int)A(0));
    if (!f)
        return -PAL_EBADF;
    long r = f->path && file_is_dir(f) ? chdir_to(f->path) : -PAL_ENOTDIR;
    file_put(f);
    return r;
}

static long mkdir_at(int dirfd, const char *path, uint32_t mode)
{
    char inside[PATH_MAX_LEN];
    int r = name_at(dirfd, path, true, inside, sizeof(inside));
    if (r == 0)
        r = vfs_mkdir(inside, mode & ~umask_get());
    if (r == 0 && owner_new_needed())
        owner_new_path(inside);
    return r;
}

SYS(mkdir) { return mkdir_at(AT_FDCWD, PTR(0), (uint32_t)A(1)); }

#define S_IFMT_ 0170000
#define S_IFSOCK_ 0140000
#define S_IFREG_ 0100000
#define S_IFBLK_ 0060000
#define S_IFCHR_ 0020000
#define S_IFIFO_ 0010000

/* A regular file: an exclusive create, closed at once. */
static long mknod_regular(const char *inside, uint32_t mode)
{
    struct file *f;
    int r = vfs_open(inside, O_CREAT | O_EXCL | O_WRONLY, mode & 07777, &f);
    if (r == 0 && owner_new_needed())
        owner_new_file(f);
    if (r == 0)
        file_put(f);
    return r;
}

/* mknod(2): regular files anywhere; FIFOs on host files (tmpfs and encrypted mounts hold only
 * files and directories: EPERM). Socket and device nodes are never made
 * for the program: EPERM, as for a process without CAP_MKNOD. */
static long mknod_at(int dirfd, const char *path, uint32_t mode)
{
    char inside[PATH_MAX_LEN];
    struct vfs_target t;
    uint32_t type = mode & S_IFMT_;
    if (type == 0)
        type = S_IFREG_;
    if (type == S_IFDIR_) /* mknod(2): "use mkdir(2)": EPERM */
        return -PAL_EPERM;
    if (type != S_IFREG_ && type != S_IFIFO_ && type != S_IFSOCK_ && type != S_IFCHR_ &&
        type != S_IFBLK_)
        return -PAL_EINVAL;
    int r = name_at(dirfd, path, false, inside, sizeof(inside));
    if (r < 0)
        return r;
    mode = type | (mode & 07777 & ~umask_get());
    if (type == S_IFREG_)
        return mknod_regular(inside, mode);
    if (vfs_stat(inside, 1, &(struct pal_stat){0}) == 0)
        return -PAL_EEXIST;
    if (type != S_IFIFO_)
        return -PAL_EPERM;
    r = vfs_lookup(inside, &t);
    if (r < 0)
        return r;
    if (t.ops != &host_fs_ops || !PAL_HAS(pal, mknod)) /* tmpfs, encrypted: no FIFOs */
        return -PAL_EPERM;
    r = (int)pal->mknod(t.host, mode);
    if (r == 0 && owner_new_needed())
        owner_new_path(inside);
    return r;
}

SYS(mknod) { return mknod_at(AT_FDCWD, PTR(0), (uint32_t)A(1)); }
SYS(mknodat) { return mknod_at((int)A(0), PTR(1), (uint32_t)A(2)); }
SYS(mkdirat) { return mkdir_at((int)A(0), PTR(1), (uint32_t)A(2)); }

/* The last component of path is "." (1) or ".." (2), trailing slashes
 * aside; else 0. */
static int dot_last(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    size_t start = n;
    while (start > 0 && path[start - 1] != '/')
        start--;
    size_t len = n - start;
    if (len == 1 && path[start] == '.')
        return 1;
    return len == 2 && path[start] == '.' && path[start + 1] == '.' ? 2 : 0;
}

/* unlink/rmdir of "name/": the last component itself (a symlink is not
 * followed) must be a directory (ENOTDIR); unlink(2) of one is EISDIR. */
static long unlink_slash(int dirfd, const char *path, int is_dir)
{
    char name[PATH_MAX_LEN], inside[PATH_MAX_LEN];
    size_t n = strnlen(path, PATH_MAX_LEN);
    if (n >= sizeof(name))
        return -PAL_ENAMETOOLONG;
    memcpy(name, path, n + 1);
    while (n > 1 && name[n - 1] == '/')
        name[--n] = 0;
    int r = vfs_resolve_at(dirfd, name, false, inside, sizeof(inside));
    struct pal_stat st;
    if (r == 0)
        r = vfs_stat(inside, 1, &st);
    if (r < 0)
        return r;
    if ((st.mode & S_IFMT_) != S_IFDIR_)
        return -PAL_ENOTDIR;
    return is_dir ? vfs_unlink(inside, 1) : -PAL_EISDIR;
}

static long unlink_at(int dirfd, const char *path, int is_dir)
{
    char inside[PATH_MAX_LEN];
    size_t n = strnlen(path, PATH_MAX_LEN);
    if (n > 1 && path[n - 1] == '/' && !dot_last(path))
        return unlink_slash(dirfd, path, is_dir);
    int r = vfs_resolve_at(dirfd, path, false, inside, sizeof(inside));
    if (r < 0)
        return r;
    int dots = dot_last(path);
    if (dots) {
        /* rmdir(2): "." is EINVAL, ".." ENOTEMPTY; unlink(2) of either is
         * EISDIR; after the lookup's own errors. */
        struct pal_stat st;
        r = vfs_stat(inside, 1, &st);
        if (r < 0)
            return r;
        return !is_dir ? -PAL_EISDIR : dots == 1 ? -PAL_EINVAL : -PAL_ENOTEMPTY;
    }
    return vfs_unlink(inside, is_dir);
}

SYS(rmdir) { return unlink_at(AT_FDCWD, PTR(0), 1); }
SYS(unlink) { return unlink_at(AT_FDCWD, PTR(0), 0); }
SYS(unlinkat)
{
    if (A(2) & ~(uint64_t)AT_REMOVEDIR)
        return -PAL_EINVAL;
    return unlink_at((int)A(0), PTR(1), (A(2) & AT_REMOVEDIR) != 0);
}

#define RENAME_NOREPLACE_ 1u
#define RENAME_EXCHANGE_ 2u
#define RENAME_WHITEOUT_ 4u

/* RENAME_EXCHANGE of two existing names a and b on a file system without
 * an exchange of its own (tmpfs, encrypted), through a third name next to
 * b: three renames, so another thread may see the middle state. Host files
 * are exchanged by the host's renameat2, atomically. */
static long exchange(const char *a, const char *b)
{
    char tmp[PATH_MAX_LEN];
    if (!strcmp(a, b))
        return 0;
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.~geode-exchange", b) >= sizeof(tmp))
        return -PAL_ENAMETOOLONG;
    long r = vfs_rename(b, tmp);
    if (r < 0)
        return r;
    r = vfs_rename(a, b);
    if (r < 0) {
        vfs_rename(tmp, b);
        return r;
    }
    r = vfs_rename(tmp, a);
    if (r < 0) { /* put both back */
        vfs_rename(b, a);
        vfs_rename(tmp, b);
    }
    return r;
}

static long rename_at(int olddir, const char *from, int newdir, const char *to, unsigned flags)
{
    char a[PATH_MAX_LEN], b[PATH_MAX_LEN];
    struct pal_stat st;
    if ((flags & ~(RENAME_NOREPLACE_ | RENAME_EXCHANGE_ | RENAME_WHITEOUT_)) ||
        ((flags & RENAME_EXCHANGE_) && (flags & (RENAME_NOREPLACE_ | RENAME_WHITEOUT_))))
        return -PAL_EINVAL;
    if (flags & RENAME_WHITEOUT_)
        return -PAL_EINVAL; /* no file system here makes whiteouts */
    int r = name_at(olddir, from, true, a, sizeof(a));
    if (r == 0)
        r = name_at(newdir, to, true, b, sizeof(b));
    if (r < 0)
        return r;
    /* rename(2): "." or ".." as the last component of either name is
     * EBUSY (EEXIST for the new one under RENAME_NOREPLACE). */
    if (dot_last(from))
        return -PAL_EBUSY;
    if (dot_last(to))
        return (flags & RENAME_NOREPLACE_) ? -PAL_EEXIST : -PAL_EBUSY;
    /* rename(2): a name with a trailing slash must be a directory. */
    if ((slash_end(from) || slash_end(to)) && vfs_stat(a, 1, &st) == 0 &&
        (st.mode & S_IFMT_) != S_IFDIR_)
        return -PAL_ENOTDIR;
    if (!flags)
        return vfs_rename(a, b);
    r = vfs_rename_flags(a, b, flags);
    if (r != -PAL_ENOSYS)
        return r;
    r = vfs_stat(a, 1, &st);
    if (r < 0)
        return r;
    bool exists = vfs_stat(b, 1, &st) == 0;
    if (flags & RENAME_NOREPLACE_)
        return exists ? -PAL_EEXIST : vfs_rename(a, b);
    return exists ? exchange(a, b) : -PAL_ENOENT;
}

SYS(rename) { return rename_at(AT_FDCWD, PTR(0), AT_FDCWD, PTR(1), 0); }
SYS(renameat) { return rename_at((int)A(0), PTR(1), (int)A(2), PTR(3), 0); }
SYS(renameat2) { return rename_at((int)A(0), PTR(1), (int)A(2), PTR(3), (unsigned)A(4)); }

SYS(chmod)
{
    char inside[PATH_MAX_LEN];
    int r = vfs_resolve(AT_FDCWD, PTR(0), inside, sizeof(inside));
    return r < 0 ? r : vfs_chmod(inside, (uint32_t)A(1));
}

SYS(fchmodat)
{
    char inside[PATH_MAX_LEN];
    int r = vfs_resolve((int)A(0), PTR(1), inside, sizeof(inside));
    return r < 0 ? r : vfs_chmod(inside, (uint32_t)A(2));
}

/* fchmodat2(2) (Linux 6.6): fchmodat with flags. AT_EMPTY_PATH changes
 * dirfd's file (an O_PATH descriptor too); AT_SYMLINK_NOFOLLOW on a
 * symlink is EOPNOTSUPP (Linux keeps no mode on one). */
SYS(fchmodat2)
{
    char inside[PATH_MAX_LEN];
    struct pal_stat st;
    const char *path = PTR(1);
    int flags = (int)A(3);
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -PAL_EINVAL;
    if ((flags & AT_EMPTY_PATH) && path && !path[0]) {
        struct file *f = fd_get((int)A(0));
        if (!f)
            return -PAL_EBADF;
        long r = f->path ? vfs_chmod(f->path, (uint32_t)A(2)) : -PAL_EINVAL;
        file_put(f);
        return r;
    }
    bool follow = !(flags & AT_SYMLINK_NOFOLLOW);
    int r = vfs_resolve_at((int)A(0), path, follow, inside, sizeof(inside));
    if (r == 0 && !follow && (r = vfs_stat(inside, 1, &st)) == 0 && (st.mode & S_IFMT_) == 0120000)
        return -PAL_EOPNOTSUPP;
    return r < 0 ? r : vfs_chmod(inside, (uint32_t)A(2));
}

SYS(fchmod)
{
    struct file *f = fd_get((int)A(0));
    if (!f)
        return -PAL_EBADF;
    char proc[32];
    long r;
    if (f->flags & O_PATH)
        r = -PAL_EBADF;
    else if (f->ops == &host_file_ops && !f->is_sock) {
        /* The open file itself, through the host's /proc/self/fd: an
         * unlinked file (O_TMPFILE, a memfd) has no path to change. */
        snprintf(proc, sizeof(proc), "/proc/self/fd/%ld", (long)f->h);
        r = pal->chmod(proc, (uint32_t)A(1));
    } else if (tmpfs_of(f) || memfd_tmpfs_of(f)) {
        /* F_SEAL_EXEC (0x20) keeps a memfd's execute bits (memfd_create(2)). */
        struct pal_stat st;
        r = (f->seals & 0x20) && f->ops->fstat(f, &st) == 0 && ((st.mode ^ (uint32_t)A(1)) & 0111)
                ? -PAL_EPERM
                : tmpfs_file_chmod(f, (uint32_t)A(1));
    } else
        r = f->path ? vfs_chmod(f->path, (uint32_t)A(1)) : -PAL_EINVAL;
    file_put(f);
    return r;
}

/* A vfork child's umask, which the thread it runs on sees (sys/vfork.c). */
static uint32_t child_mode_mask;

static uint32_t *mode_mask_here(void)
{
    return vfork_child_active() ? &child_mode_mask : &file_mode_mask;
}

uint32_t umask_get(void) { return *mode_mask_here(); }
void umask_fork_child(void) { child_mode_mask = file_mode_mask; }
void umask_child_adopt(void) { file_mode_mask = child_mode_mask; }

SYS(umask)
{
    uint32_t *m = mode_mask_here(), old = *m;
    *m = (uint32_t)A(0) & 0777;
    return old;
}

SYS(symlink)
{
    char inside[PATH_MAX_LEN];
    int r = name_at(AT_FDCWD, PTR(1), false, inside, sizeof(inside));
    if (r == 0)
        r = vfs_symlink(PTR(0), inside);
    if (r == 0 && owner_new_needed())
        owner_new_path(inside);
    return r;
}

SYS(symlinkat)
{
    char inside[PATH_MAX_LEN];
    int r = name_at((int)A(1), PTR(2), false, inside, sizeof(inside));
    if (r == 0)
        r = vfs_symlink(PTR(0), inside);
    if (r == 0 && owner_new_needed())
        owner_new_path(inside);
    return r;
}

/* Links the open file fd at inside path to. */
static long link_fd(int fd, const char *to)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -PAL_EBADF;
    long r = vfs_link_file(f, to);
    file_put(f);
    return r;
}

/* link(2) does not follow a final symlink of the source; linkat only with
 * AT_SYMLINK_FOLLOW, which through /proc/self/fd/N names the open file
 * itself (an O_TMPFILE file gets a name), as AT_EMPTY_PATH does with
 * olddir (allowed without CAP_DAC_READ_SEARCH for a file the process
 * opened, since Linux 6.10). */
static long link_at(int olddir, const char *from, int newdir, const char *to, int flags)
{
    char a[PATH_MAX_LEN], b[PATH_MAX_LEN];
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
        return -PAL_EINVAL;
    if ((flags & AT_EMPTY_PATH) && from && !from[0]) {
        int r = name_at(newdir, to, false, b, sizeof(b));
        return r < 0 ? r : link_fd(olddir, b);
    }
    int r = vfs_resolve_at(olddir, from, false, a, sizeof(a));
    int fd = r == 0 && (flags & AT_SYMLINK_FOLLOW) ? vfs_proc_fd(a) : -1;
    if (r == 0 && fd < 0 && (flags & AT_SYMLINK_FOLLOW))
        r = vfs_resolve_at(olddir, from, true, a, sizeof(a));
    if (r == 0)
        r = name_at(newdir, to, false, b, sizeof(b));
    if (r < 0)
        return r;
    return fd >= 0 ? link_fd(fd, b) : vfs_link(a, b);
}

SYS(link) { return link_at(AT_FDCWD, PTR(0), AT_FDCWD, PTR(1), 0); }
SYS(linkat) { return link_at((int)A(0), PTR(1), (int)A(2), PTR(3), (int)A(4)); }
