/* Directory syscalls: listing, cwd, creating and removing names. */
#include <linux/fcntl.h>

#include "fs/vfs.h"
#include "sys/sys.h"

#define S_IFMT_ 0170000
#define S_IFDIR_ 0040000

static uint32_t file_mode_mask = 022;

SYS(getdents64)
{
    struct file *f = fd_get((int)A(0));
    if (!f)
        return -PAL_EBADF;
    long r = !f->ops->readdir || !file_is_dir(f) ? -PAL_ENOTDIR : f->ops->readdir(f, PTR(1), A(2));
    file_put(f);
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
    int r = vfs_resolve_at(dirfd, path, false, inside, sizeof(inside));
    if (r == 0)
        r = vfs_mkdir(inside, mode & ~file_mode_mask);
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
    if (type != S_IFREG_ && type != S_IFIFO_ && type != S_IFSOCK_ && type != S_IFCHR_ &&
        type != S_IFBLK_)
        return -PAL_EINVAL;
    int r = vfs_resolve_at(dirfd, path, false, inside, sizeof(inside));
    if (r < 0)
        return r;
    mode = type | (mode & 07777 & ~file_mode_mask);
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

/* RENAME_EXCHANGE of two existing names a and b, through a third name
 * next to b: three renames, so another process may see the middle state
 * (Linux swaps atomically). */
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
    int r = vfs_resolve_at(olddir, from, false, a, sizeof(a));
    if (r == 0)
        r = vfs_resolve_at(newdir, to, false, b, sizeof(b));
    if (r < 0)
        return r;
    if (!flags)
        return vfs_rename(a, b);
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

SYS(fchmod)
{
    struct file *f = fd_get((int)A(0));
    if (!f)
        return -PAL_EBADF;
    long r = f->path ? vfs_chmod(f->path, (uint32_t)A(1)) : -PAL_EINVAL;
    file_put(f);
    return r;
}

uint32_t umask_get(void) { return file_mode_mask; }

SYS(umask)
{
    uint32_t old = file_mode_mask;
    file_mode_mask = (uint32_t)A(0) & 0777;
    return old;
}

SYS(symlink)
{
    char inside[PATH_MAX_LEN];
    int r = vfs_resolve_at(AT_FDCWD, PTR(1), false, inside, sizeof(inside));
    if (r == 0)
        r = vfs_symlink(PTR(0), inside);
    if (r == 0 && owner_new_needed())
        owner_new_path(inside);
    return r;
}

SYS(symlinkat)
{
    char inside[PATH_MAX_LEN];
    int r = vfs_resolve_at((int)A(1), PTR(2), false, inside, sizeof(inside));
    if (r == 0)
        r = vfs_symlink(PTR(0), inside);
    if (r == 0 && owner_new_needed())
        owner_new_path(inside);
    return r;
}

/* link(2) does not follow a final symlink of the source; linkat only with
 * AT_SYMLINK_FOLLOW. */
static long link_at(int olddir, const char *from, int newdir, const char *to, int flags)
{
    char a[PATH_MAX_LEN], b[PATH_MAX_LEN];
    if (flags & ~AT_SYMLINK_FOLLOW)
        return -PAL_EINVAL;
    int r = vfs_resolve_at(olddir, from, (flags & AT_SYMLINK_FOLLOW) != 0, a, sizeof(a));
    if (r == 0)
        r = vfs_resolve_at(newdir, to, false, b, sizeof(b));
    return r < 0 ? r : vfs_link(a, b);
}

SYS(link) { return link_at(AT_FDCWD, PTR(0), AT_FDCWD, PTR(1), 0); }
SYS(linkat) { return link_at((int)A(0), PTR(1), (int)A(2), PTR(3), (int)A(4)); }
