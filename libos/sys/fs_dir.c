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

static long unlink_at(int dirfd, const char *path, int is_dir)
{
    char inside[PATH_MAX_LEN];
    int r = vfs_resolve_at(dirfd, path, false, inside, sizeof(inside));
    return r < 0 ? r : vfs_unlink(inside, is_dir);
}

SYS(rmdir) { return unlink_at(AT_FDCWD, PTR(0), 1); }
SYS(unlink) { return unlink_at(AT_FDCWD, PTR(0), 0); }
SYS(unlinkat)
{
    if (A(2) & ~(uint64_t)AT_REMOVEDIR)
        return -PAL_EINVAL;
    return unlink_at((int)A(0), PTR(1), (A(2) & AT_REMOVEDIR) != 0);
}

static long rename_at(int olddir, const char *from, int newdir, const char *to)
{
    char a[PATH_MAX_LEN], b[PATH_MAX_LEN];
    int r = vfs_resolve_at(olddir, from, false, a, sizeof(a));
    if (r == 0)
        r = vfs_resolve_at(newdir, to, false, b, sizeof(b));
    return r < 0 ? r : vfs_rename(a, b);
}

SYS(rename) { return rename_at(AT_FDCWD, PTR(0), AT_FDCWD, PTR(1)); }
SYS(renameat) { return rename_at((int)A(0), PTR(1), (int)A(2), PTR(3)); }
SYS(renameat2)
{
    if (A(4))
        return -PAL_EINVAL; /* RENAME_NOREPLACE / EXCHANGE: not yet */
    return rename_at((int)A(0), PTR(1), (int)A(2), PTR(3));
}

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
