/* memfd_create and file seals (fcntl(2) F_ADD_SEALS / F_GET_SEALS).
 *
 * Where the PAL has memfds (direct mode) a memfd is a host memfd, shared
 * with forked children, and its seals are the host's own: the host kernel
 * refuses the writes, truncates and mappings they forbid, in every process
 * holding the file. Elsewhere (inside an enclave, whose program has no
 * other process to share it with) a memfd is an unlinked file of a private
 * tmpfs whose operations are wrapped here to enforce the seals kept in
 * struct file (a memfd has a single open file description: dup and fork
 * share it). There a MAP_SHARED mapping is a copy written back at
 * msync/munmap, so F_SEAL_FUTURE_WRITE also stops the write-back of a
 * writable mapping made before it (Linux lets such a mapping write on). */
#include <linux/fcntl.h>

#include "core/vma.h"
#include "fs/tmpfs.h"
#include "fs/vfs.h"
#include "sys/sys.h"

#define MFD_CLOEXEC_ 1
#define MFD_ALLOW_SEALING_ 2
#define MFD_NOEXEC_SEAL_ 8 /* Linux 6.3: mode 0666, F_SEAL_EXEC, sealing allowed */
#define MFD_EXEC_ 0x10     /* Linux 6.3: mode 0777 (the default) */
#define MFD_NAME_MAX_ 249 /* NAME_MAX minus "memfd:" */
#define F_SEAL_EXEC_ 0x20
#define F_ALL_SEALS_                                                                               \
    (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC_)

static struct tmpfs *memfd_fs;
static struct file_ops memfd_ops; /* tmpfs's, with the seals checked */
static const struct file_ops *tmpfs_file_ops;

static long file_size(struct file *f, int64_t *size)
{
    struct pal_stat st;
    long r = tmpfs_file_ops->fstat(f, &st);
    *size = (int64_t)st.size;
    return r;
}

/* May len bytes be written at off (Linux's shmem_write_begin)? */
static long write_allowed(struct file *f, int64_t off, size_t len)
{
    if (!len)
        return 0;
    if (f->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
        return -PAL_EPERM;
    int64_t size;
    if ((f->seals & F_SEAL_GROW) && file_size(f, &size) == 0 && off + (int64_t)len > size)
        return -PAL_EPERM;
    return 0;
}

static long m_pwrite(struct file *f, const void *buf, size_t len, int64_t off)
{
    long r = write_allowed(f, off, len);
    return r < 0 ? r : tmpfs_file_ops->pwrite(f, buf, len, off);
}

/* At the file's position (SEEK_CUR 1), or its end with O_APPEND. */
static long m_write(struct file *f, const void *buf, size_t len)
{
    int64_t pos;
    long r = (f->flags & O_APPEND) ? file_size(f, &pos) : (pos = tmpfs_file_ops->seek(f, 0, 1));
    if (r >= 0)
        r = write_allowed(f, pos, len);
    return r < 0 ? r : tmpfs_file_ops->write(f, buf, len);
}

static long m_truncate(struct file *f, int64_t len)
{
    int64_t size;
    long r = file_size(f, &size);
    if (r < 0)
        return r;
    if (((f->seals & F_SEAL_SHRINK) && len < size) || ((f->seals & F_SEAL_GROW) && len > size))
        return -PAL_EPERM;
    return tmpfs_file_ops->truncate(f, len);
}

/* A private tmpfs file, where the PAL has no memfd of its own. */
static int memfd_tmpfs(bool sealing, bool noexec, struct file **out)
{
    static int seq;
    static spinlock_t lock;
    char path[32];
    spin_lock(&lock);
    if (!memfd_fs)
        memfd_fs = tmpfs_new();
    snprintf(path, sizeof(path), "/memfd-%d", seq++);
    spin_unlock(&lock);
    if (!memfd_fs)
        return -PAL_ENOMEM;
    /* Linux's memfd mode: 0777 (memfd_create(2) MFD_EXEC), 0666 with
     * MFD_NOEXEC_SEAL. */
    int r = tmpfs_open(memfd_fs, path, O_RDWR | O_CREAT | O_EXCL, noexec ? 0666 : 0777, out);
    if (r < 0)
        return r;
    tmpfs_unlink(memfd_fs, path, 0);
    spin_lock(&lock);
    if (!tmpfs_file_ops) {
        memfd_ops = *(*out)->ops;
        memfd_ops.write = m_write;
        memfd_ops.pwrite = m_pwrite;
        memfd_ops.truncate = m_truncate;
        __atomic_store_n(&tmpfs_file_ops, (*out)->ops, __ATOMIC_RELEASE);
    }
    spin_unlock(&lock);
    (*out)->ops = &memfd_ops;
    (*out)->seals = noexec ? F_SEAL_EXEC_ : sealing ? 0 : F_SEAL_SEAL;
    return 0;
}

struct tmpfs *memfd_tmpfs_of(const struct file *f)
{
    return f->ops == &memfd_ops ? memfd_fs : NULL;
}

/* The PAL's memfd (direct mode): a host file that forked children share,
 * mappings included. */
static int memfd_host(const char *name, bool sealing, bool noexec, struct file **out)
{
    pal_handle h;
    char proc[32];
    if (noexec && !PAL_HAS(pal, file_seals))
        return -PAL_EINVAL;
    long r = PAL_HAS(pal, memfd_create_flags)
                 ? pal->memfd_create_flags(name, sealing || noexec ? MFD_ALLOW_SEALING_ : 0, &h)
                 : pal->memfd_create(name, &h);
    if (r < 0)
        return (int)r;
    if (noexec) { /* MFD_NOEXEC_SEAL made of the host's memfd: 0666 and F_SEAL_EXEC */
        snprintf(proc, sizeof(proc), "/proc/self/fd/%ld", (long)h);
        r = pal->chmod(proc, 0666);
        if (r == 0)
            r = pal->file_seals(h, F_SEAL_EXEC_);
        if (r < 0) {
            pal->close(h);
            return (int)r;
        }
    }
    struct file *f = file_new(&host_file_ops, h, O_RDWR | O_LARGEFILE);
    if (!f) {
        pal->close(h);
        return -PAL_ENOMEM;
    }
    *out = f;
    return 0;
}

SYS(memfd_create)
{
    const char *uname = PTR(0);
    char name[MFD_NAME_MAX_ + 1];
    struct file *f;
    if (A(1) & ~(uint64_t)(MFD_CLOEXEC_ | MFD_ALLOW_SEALING_ | MFD_NOEXEC_SEAL_ | MFD_EXEC_))
        return -PAL_EINVAL;
    if ((A(1) & MFD_EXEC_) && (A(1) & MFD_NOEXEC_SEAL_))
        return -PAL_EINVAL;
    if (!uname)
        return -PAL_EFAULT;
    size_t n = strnlen(uname, sizeof(name)); /* a bad pointer faults: EFAULT */
    if (n == sizeof(name))
        return -PAL_EINVAL;
    memcpy(name, uname, n + 1);
    bool sealing = A(1) & MFD_ALLOW_SEALING_, noexec = A(1) & MFD_NOEXEC_SEAL_;
    int r = PAL_HAS(pal, memfd_create) ? memfd_host(name, sealing, noexec, &f)
                                       : memfd_tmpfs(sealing, noexec, &f);
    if (r < 0)
        return r;
    f->flags = O_RDWR | O_LARGEFILE;
    char path[sizeof(name) + 24];
    snprintf(path, sizeof(path), "/memfd:%s (deleted)", name);
    free(f->path);
    f->path = strdup(path);
    int fd = fd_install(f, 0, A(1) & MFD_CLOEXEC_);
    if (fd < 0)
        file_put(f);
    return fd;
}

/* F_ADD_SEALS on a libOS memfd, in Linux's order of checks
 * (memfd_add_seals). */
static long add_seals(struct file *f, unsigned seals)
{
    static spinlock_t lock;
    if ((f->flags & O_ACCMODE) == O_RDONLY)
        return -PAL_EPERM;
    if (seals & ~(unsigned)F_ALL_SEALS_)
        return -PAL_EINVAL;
    long r = 0;
    spin_lock(&lock);
    if (f->seals & F_SEAL_SEAL)
        r = -PAL_EPERM;
    else if ((seals & F_SEAL_WRITE) && !(f->seals & F_SEAL_WRITE) && vma_file_mapped_writable(f))
        r = -PAL_EBUSY; /* a writable shared mapping of the file */
    else {
        /* F_SEAL_EXEC on an executable file implies the write seals. */
        if (seals & F_SEAL_EXEC_)
            seals |= F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;
        f->seals |= seals;
    }
    spin_unlock(&lock);
    return r;
}

/* The seals for the host as an int >= 0, the top bit (unknown, EINVAL) moved
 * to another unknown one. */
#define HOST_SEALS_(arg)                                                                           \
    (((unsigned)(arg)&0x7fffffffu) | (((unsigned)(arg)&0x80000000u) ? 0x40000000u : 0))

static long seals_of(struct file *f, int cmd, unsigned long arg)
{
    if (f->ops == &memfd_ops)
        return cmd == F_GET_SEALS ? (long)f->seals : add_seals(f, (unsigned)arg);
    if (f->ops == &host_file_ops && PAL_HAS(pal, file_seals))
        return pal->file_seals(f->h, cmd == F_GET_SEALS ? -1 : (int)(HOST_SEALS_(arg)));
    return -PAL_EINVAL; /* a file that takes no seals */
}

long fcntl_seals(int fd, int cmd, unsigned long arg)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -PAL_EBADF;
    long r = seals_of(f, cmd, arg);
    file_put(f);
    return r;
}

bool memfd_write_sealed(const struct file *f)
{
    return f->ops == &memfd_ops && (f->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE));
}
