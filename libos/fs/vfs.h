/* The libOS VFS: inside paths -> mounts -> host paths, open files, and the
 * descriptor table. Files of every kind (host files, devices; later tmpfs,
 * pipes, sockets, /proc) are a struct file with a type and an ops table. */
#ifndef GEODE_LIBOS_VFS_H
#define GEODE_LIBOS_VFS_H

#include "geode_manifest.pb-c.h"
#include "libos.h"

#define PATH_MAX_LEN 4096
#define FD_MAX 1024

struct file;

/* Per-type operations; NULL entries mean "not supported" (-EINVAL/-ESPIPE). */
struct file_ops {
    long (*read)(struct file *f, void *buf, size_t len);
    long (*write)(struct file *f, const void *buf, size_t len);
    long (*pread)(struct file *f, void *buf, size_t len, int64_t off);
    long (*pwrite)(struct file *f, const void *buf, size_t len, int64_t off);
    long (*seek)(struct file *f, int64_t off, int whence);
    long (*fstat)(struct file *f, struct pal_stat *st);
    long (*truncate)(struct file *f, int64_t len);
    /* The host handle whose readiness stands for this file's (poll, epoll);
     * NULL: always ready. */
    pal_handle (*poll_handle)(struct file *f);
    /* Linux linux_dirent64 records from the file's position; 0 at the end. */
    long (*readdir)(struct file *f, void *buf, size_t len);
    /* fsync(2) of a file that is not a host file (NULL: nothing to write). */
    long (*sync)(struct file *f);
    void (*release)(struct file *f);
    /* MAP_SHARED with PROT_WRITE is refused (ENODEV): writes to such a
     * mapping could not reach the file. */
    bool private_maps_only;
};

struct file {
    int refs;
    const struct file_ops *ops;
    pal_handle h;  /* host files, pipes and stdio */
    int flags;     /* O_ACCMODE | O_APPEND | O_NONBLOCK ... as opened */
    bool is_dir;   /* read through file_is_dir() while dir_unknown may be set */
    /* fs_host.c: a host file opened for reading whose type the host has not
     * been asked yet (one fstat less per open); file_is_dir() asks it. */
    bool dir_unknown;
    bool is_sock;
    /* On an untrusted_shm mount: its MAP_SHARED mappings are host memory
     * that other processes see, inside an enclave too (sys/mem.c). */
    bool untrusted_shm;
    char *path;    /* inside path, for *at() and fchdir; may be NULL */
    /* sys/fs_lock.c: POSIX record locks were taken through this file (its
     * close releases the process's locks on the file, as on Linux), and
     * the F_SETOWN_EX / F_SETSIG settings. */
    bool posix_locked;
    int owner_type, owner_id, owner_sig;
};

/* mount.c */
int vfs_init(const Geode__Manifest *m);
/* Where an inside path lives: the mount (or the libOS's /dev or /proc)
 * whose operations serve it, the path relative to the mount (rest) and,
 * for mounts backed by host files, the host path. */
struct tmpfs;
struct fs_ops;
struct vfs_target {
    const struct fs_ops *ops;
    void *fs;          /* the mount's own state (a struct tmpfs *, ...) */
    struct tmpfs *tmpfs; /* fs, for a tmpfs mount; else NULL */
    const char *inside; /* the path looked up */
    const char *rest;
    bool mount_root; /* inside is the mount point itself */
    bool untrusted_shm; /* an untrusted_shm mount: host files, never checked */
    bool unchecked; /* open the host file without the trusted-file policy */
    char host[PATH_MAX_LEN]; /* "" where no host file backs the path */
};

/* A file system's path operations, chosen by the mount (fs_host.c for
 * chroot and untrusted_shm mounts, tmpfs.c, encrypted.c) or by the path for
 * the libOS's own /dev (dev.c) and /proc (proc.c). NULL entries: the
 * operation is refused with the errno the VFS gives for it (vfs_* in
 * ops.c). The target is the one vfs_lookup filled. */
struct fs_ops {
    const char *name;
    /* alias and pal_flags: see open.c (host files only). */
    int (*open)(const struct vfs_target *t, const char *alias, int flags, uint32_t mode,
                int pal_flags, struct file **out);
    int (*stat)(const struct vfs_target *t, struct pal_stat *st);
    int (*mkdir)(const struct vfs_target *t, uint32_t mode);
    int (*unlink)(const struct vfs_target *t, int is_dir);
    /* Both targets on this file system (the VFS checks; -EXDEV otherwise). */
    int (*rename)(const struct vfs_target *from, const struct vfs_target *to);
    int (*chmod)(const struct vfs_target *t, uint32_t mode);
    long (*readlink)(const struct vfs_target *t, char *buf, size_t len);
    int (*symlink)(const char *target, const struct vfs_target *t);
    int (*access)(const struct vfs_target *t, int mode);
    int (*link)(const struct vfs_target *from, const struct vfs_target *to);
    int (*utimes)(const struct vfs_target *t, const int64_t times[2]);
};
extern const struct fs_ops host_fs_ops;   /* fs_host.c */
extern const struct fs_ops tmpfs_fs_ops;  /* tmpfs.c */
extern const struct fs_ops dev_fs_ops;    /* dev.c */
extern const struct fs_ops proc_fs_ops;   /* proc.c */

/* The mount holding inside (never /dev's devices nor /proc: -ENOENT for
 * /proc, whose paths never reach a mount). */
int vfs_lookup(const char *inside, struct vfs_target *t);
/* vfs_lookup that also finds the libOS's devices and /proc. */
int vfs_lookup_any(const char *inside, struct vfs_target *t);
/* Host path of a normalized inside path; -EACCES (logged) outside mounts,
 * -EOPNOTSUPP inside a tmpfs. */
int vfs_host_path(const char *inside, char *host, size_t size);
/* True when a mount point, or the libOS's /dev, lies below inside: inside
 * is then a directory even where the mount beneath it has none (Gramine
 * mounts /usr/bin on a root that has no /usr, and has /dev/null there). */
bool vfs_mount_ancestor(const char *inside);
/* The reverse: an inside path whose host path is host (-ENOENT when no
 * chroot mount reaches it). */
int vfs_inside_path(const char *host, char *inside, size_t size);

/* ops.c: path operations on whichever mount holds the path. */
int vfs_mkdir(const char *inside, uint32_t mode);
int vfs_unlink(const char *inside, int is_dir);
int vfs_rename(const char *from, const char *to);
int vfs_chmod(const char *inside, uint32_t mode);
long vfs_readlink(const char *inside, char *buf, size_t len);
int vfs_symlink(const char *target, const char *inside);
int vfs_access(const char *inside, int mode);
int vfs_link(const char *from, const char *to);
/* times: ns since the epoch or PAL_UTIME_NOW / PAL_UTIME_OMIT. */
int vfs_utimes(const char *inside, const int64_t times[2]);

/* path.c: joins base and path and resolves "." and ".." lexically (for
 * paths that are not looked up: the manifest's mount points and URIs). */
int path_normalize(const char *base, const char *path, char *out, size_t size);
/* Resolves path relative to dirfd (AT_FDCWD or an open directory) into a
 * canonical inside path: symlinks followed inside the VFS (the last
 * component only when follow), -ELOOP after 40. */
int vfs_resolve_at(int dirfd, const char *path, bool follow, char *out, size_t size);
/* vfs_resolve_at with follow = true. */
int vfs_resolve(int dirfd, const char *path, char *out, size_t size);
const char *vfs_cwd(void);
/* Follows the libOS's own magic links (/proc/self/exe -> the program). */
const char *vfs_magic_link(const char *inside);
int vfs_set_cwd(const char *inside);

/* open.c: opens an inside path (already resolved). */
int vfs_open(const char *inside, int flags, uint32_t mode, struct file **out);
/* open(2) of a program path relative to dirfd: resolution and open. */
int vfs_open_at(int dirfd, const char *path, int flags, uint32_t mode, struct file **out);
/* stat(2)/lstat(2) of a program path relative to dirfd. */
int vfs_stat_at(int dirfd, const char *path, bool follow, struct pal_stat *st);
int vfs_stat(const char *inside, int nofollow, struct pal_stat *st);
struct file *file_new(const struct file_ops *ops, pal_handle h, int flags);
void file_put(struct file *f);
extern const struct file_ops host_file_ops; /* fs_host.c */
bool file_is_dir_ask(struct file *f);       /* fs_host.c */
/* Whether f is a directory. */
static inline bool file_is_dir(struct file *f)
{
    return __atomic_load_n(&f->dir_unknown, __ATOMIC_ACQUIRE) ? file_is_dir_ask(f) : f->is_dir;
}

/* dev.c: /dev/null, /dev/zero, /dev/urandom, /dev/random. */
int dev_open(const char *inside, int flags, struct file **out);
int dev_stat(const char *inside, struct pal_stat *st);
/* What mmap makes of f: 1 for /dev/zero (anonymous memory), -ENODEV for
 * the other devices (Linux cannot map them either), 0 when f is not one
 * of the libOS's devices. */
int dev_map_kind(const struct file *f);

/* dev_attestation.c: /dev/attestation (Gramine's files); dev.c hands it
 * every /dev path that is not one of its devices. */
void dev_attestation_init(const Geode__Manifest *m);
/* True for /dev/attestation and every path below it: never a mount's. */
bool dev_attestation_owns(const char *inside);
int dev_attestation_open(const char *inside, int flags, struct file **out);
int dev_attestation_stat(const char *inside, struct pal_stat *st);

/* proc.c: the libOS's /proc (see there); -ENOENT for every other path
 * under /proc, which never reaches a mount. */
bool proc_owns(const char *inside);
int proc_open(const char *inside, int flags, struct file **out);
int proc_stat(const char *inside, struct pal_stat *st);
long proc_readlink(const char *inside, char *buf, size_t len);

/* fd.c: the descriptor table. */
int fd_install(struct file *f, int min_fd, bool cloexec);
int fd_install_at(struct file *f, int fd, bool cloexec);
struct file *fd_get(int fd); /* takes a reference; NULL if not open */
/* fd_get of a file whose operations are ops (an eventfd, timerfd...):
 * -EBADF when fd is not open, -EINVAL when it is another kind of file. */
long fd_get_of(int fd, const struct file_ops *ops, struct file **out);
/* Anonymous files (eventfd, timerfd, signalfd, inotify), as Linux's
 * anon_inode ones: fstat says mode 0600 and one link; the host handle
 * behind the file (f->h) is what poll waits on and what close releases. */
long anon_fstat(struct file *f, struct pal_stat *st);
pal_handle anon_poll_handle(struct file *f);
void anon_release(struct file *f);
/* A new descriptor for a file of ops on host handle h, opened with
 * O_ACCMODE and O_NONBLOCK of flags; h is closed when it cannot be made. */
long anon_install(const struct file_ops *ops, pal_handle h, int flags, bool cloexec);
/* fd_get for the duration of one syscall; the reference is taken only
 * when other threads exist (counted), and fd_unborrow drops it. */
struct file *fd_borrow(int fd, bool *counted);
void fd_unborrow(struct file *f, bool counted);
int fd_close(int fd);
int fd_get_cloexec(int fd);
int fd_set_cloexec(int fd, bool on);
int fd_init_stdio(void);
/* sys/fs_lock.c: a descriptor of f is being closed: the process's POSIX
 * record locks on the file are released. */
void fs_lock_close(struct file *f);

#endif
