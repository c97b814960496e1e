/* statfs and fstatfs. Each file system the libOS implements answers as
 * its Linux counterpart: a tmpfs mount (and memfd files) as tmpfs, /proc as
 * proc, the libOS's devices as devtmpfs, its epoll, eventfd and pidfd files
 * as the kernel's anonymous-inode file system; host files get the host's
 * answer through the PAL. */
#include <linux/fcntl.h>

#include "fs/tmpfs.h"
#include "fs/vfs.h"
#include "sys/sys.h"

#define PROC_SUPER_MAGIC_ 0x9fa0
#define TMPFS_MAGIC_ 0x01021994
#define ANON_INODE_FS_MAGIC_ 0x09041934
#define ST_VALID_ 0x20
#define ST_NOSUID_ 2
#define ST_NODEV_ 4
#define ST_NOEXEC_ 8
#define ST_RELATIME_ 0x1000

/* Linux's struct statfs on x86-64 (120 bytes). */
struct k_statfs {
    int64_t f_type, f_bsize;
    uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int32_t f_fsid[2];
    int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};
_Static_assert(sizeof(struct k_statfs) == 120, "struct statfs");

/* A file system with no blocks of its own (simple_statfs in Linux). */
static void pseudo_fs(int64_t type, int64_t flags, struct pal_statfs *st)
{
    *st = (struct pal_statfs){
        .type = type, .bsize = 4096, .namelen = 255, .frsize = 4096, .flags = ST_VALID_ | flags};
}

/* statfs of an inside path that exists (or belongs to an open file). */
static long statfs_inside(const char *inside, struct pal_statfs *st)
{
    struct pal_stat ps;
    struct vfs_target t;
    if (dev_stat(inside, &ps) == 0) { /* devtmpfs, mounted nosuid */
        pseudo_fs(TMPFS_MAGIC_, ST_NOSUID_ | ST_RELATIME_, st);
        return 0;
    }
    if (proc_owns(inside)) {
        pseudo_fs(PROC_SUPER_MAGIC_, ST_NOSUID_ | ST_NODEV_ | ST_NOEXEC_ | ST_RELATIME_, st);
        return 0;
    }
    long r = vfs_lookup(inside, &t);
    if (r < 0)
        return r;
    if (t.tmpfs) {
        tmpfs_statfs(t.tmpfs, st);
        return 0;
    }
    return PAL_HAS(pal, fs_stat) ? pal->fs_stat(t.host, st) : -PAL_ENOSYS;
}

static long fstatfs_file(struct file *f, struct pal_statfs *st)
{
    struct tmpfs *fs = tmpfs_of(f) ? tmpfs_of(f) : memfd_tmpfs_of(f);
    if (f->ops == &host_file_ops) /* host files, pipes, sockets, stdio */
        return PAL_HAS(pal, fs_fstat) ? pal->fs_fstat(f->h, st) : -PAL_ENOSYS;
    if (fs) {
        tmpfs_statfs(fs, st);
        return 0;
    }
    if (f->path)
        return statfs_inside(f->path, st);
    pseudo_fs(ANON_INODE_FS_MAGIC_, 0, st);
    return 0;
}

static long statfs_out(long r, const struct pal_statfs *s, struct k_statfs *out)
{
    if (r < 0)
        return r;
    struct k_statfs k = {
        .f_type = s->type,
        .f_bsize = s->bsize,
        .f_blocks = s->blocks,
        .f_bfree = s->bfree,
        .f_bavail = s->bavail,
        .f_files = s->files,
        .f_ffree = s->ffree,
        .f_fsid = {s->fsid[0], s->fsid[1]},
        .f_namelen = s->namelen,
        .f_frsize = s->frsize,
        .f_flags = s->flags,
    };
    if (!out)
        return -PAL_EFAULT;
    memcpy(out, &k, sizeof(k)); /* a bad pointer faults: EFAULT */
    return 0;
}

SYS(statfs)
{
    char inside[PATH_MAX_LEN];
    struct pal_statfs st;
    struct pal_stat ps;
    /* Existence first: the libOS's own file systems answer for any name. */
    long r = vfs_stat_at(AT_FDCWD, PTR(0), true, &ps);
    if (r == 0)
        r = vfs_resolve_at(AT_FDCWD, PTR(0), true, inside, sizeof(inside));
    if (r == 0)
        r = statfs_inside(vfs_magic_link(inside), &st);
    return statfs_out(r, &st, PTR(1));
}

SYS(fstatfs)
{
    struct pal_statfs st;
    struct file *f = fd_get((int)A(0));
    if (!f)
        return -PAL_EBADF;
    long r = fstatfs_file(f, &st);
    file_put(f);
    return statfs_out(r, &st, PTR(1));
}
