/* The libOS VFS: inside paths -> mounts -> host paths, and opening them.
 * Open files and the descriptor table are core/file.h's. */
#ifndef GEODE_LIBOS_VFS_H
#define GEODE_LIBOS_VFS_H

#include "geode_manifest.pb-c.h"
#include "core/file.h"
#include "libos.h"

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
    /* renameat2's RENAME_NOREPLACE (1) or RENAME_EXCHANGE (2) in one step;
     * NULL: the VFS makes them of stat and rename (vfs_rename_flags). */
    int (*rename_flags)(const struct vfs_target *from, const struct vfs_target *to, unsigned flags);
};
extern const struct fs_ops host_fs_ops;   /* fs_host.c */
extern const struct fs_ops tmpfs_fs_ops;  /* tmpfs.c */
extern const struct fs_ops dev_fs_ops;    /* dev.c */

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
/* RENAME_NOREPLACE / RENAME_EXCHANGE by the file system in one step, or
 * -ENOSYS where it has no such operation. */
int vfs_rename_flags(const char *from, const char *to, unsigned flags);
/* A new name for the open file f (linkat(2) of /proc/self/fd/N or with
 * AT_EMPTY_PATH): -EXDEV unless both are host files. */
int vfs_link_file(struct file *f, const char *to);
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
/* The descriptor N of a resolved "/proc/<this process>/fd/N", or -1. */
int vfs_proc_fd(const char *inside);
int vfs_set_cwd(const char *inside);
/* A vfork child's working directory (sys/vfork.c): a copy of the
 * process's, which the thread the child runs on sees while it does;
 * adopt makes it the process's (in the child's own process). */
void vfs_cwd_fork_child(void);
void vfs_cwd_child_adopt(void);

/* open.c: opens an inside path (already resolved). */
int vfs_open(const char *inside, int flags, uint32_t mode, struct file **out);
/* open(2) of a program path relative to dirfd: resolution and open. */
int vfs_open_at(int dirfd, const char *path, int flags, uint32_t mode, struct file **out);
/* stat(2)/lstat(2) of a program path relative to dirfd. */
int vfs_stat_at(int dirfd, const char *path, bool follow, struct pal_stat *st);
/* Resolves the absolute path up to its first symlink (a last one only when
 * follow) and splices the link's target in: out is the path to try next
 * (absolute, the rest not looked at) and the result 1; 0 when no symlink
 * was on the way (out is resolved); < 0 the walk's error. */
int vfs_resolve_to_link(const char *path, bool follow, char *out, size_t size);
int vfs_stat(const char *inside, int nofollow, struct pal_stat *st);
extern const struct file_ops host_file_ops; /* fs_host.c */
/* fs_host.c: fds 0-2 on the PAL's stdio handles. */
int fd_init_stdio(void);
bool file_is_dir_ask(struct file *f);       /* fs_host.c */
/* f's S_IFMT bits, the host asked once (struct file.ifmt); 0 when no fstat
 * answers. */
uint32_t file_ifmt(struct file *f); /* fs_host.c */
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
/* host_read.c: up to max bytes of host file path (through the PAL, no
 * mount or policy: the caller checks what it takes), malloc'ed and
 * NUL-terminated, their count in *len; NULL when it cannot be read. */
char *vfs_read_host(const char *path, size_t max, size_t *len);

/* etc_conf.c: sys.enable_extra_runtime_domain_names_conf's /etc/resolv.conf
 * (the host's, checked, read once by etc_conf_init) and host name. */
void etc_conf_init(bool on);
const char *etc_conf_hostname(void);
int etc_conf_stat(const char *inside, struct pal_stat *st);
int etc_conf_open(const char *inside, int flags, struct file **out);
int dev_attestation_stat(const char *inside, struct pal_stat *st);

/* mount.c: /proc and every path below it belong to the libOS's /proc
 * (proc/proc.c), never to a mount: its operations are set at start
 * (vfs_set_proc_ops, by entry/main.c); until then such paths are ENOENT. */
bool proc_owns(const char *inside);
void vfs_set_proc_ops(const struct fs_ops *ops);

/* mount.c: mount i of the table (0: fs.root at "/", then fs.mounts in
 * order), for /proc/<pid>/mounts: its inside path, host directory ("" for
 * the host's /, NULL for a tmpfs) and operations; false past the last. */
bool vfs_mount_get(int i, const char **path, const char **host_dir, const struct fs_ops **ops);

#endif
