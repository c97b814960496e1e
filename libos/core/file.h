/* Open files and the descriptor table. Files of every kind (host files,
 * devices, tmpfs, pipes, sockets, /proc, anonymous files) are a struct file
 * with an ops table; the descriptor table maps fds to them. Nothing here
 * knows paths or mounts (fs/vfs.h). */
#ifndef GEODE_LIBOS_CORE_FILE_H
#define GEODE_LIBOS_CORE_FILE_H

#include "libos.h"

/* Descriptors are below FD_MAX, Linux's default /proc/sys/fs/nr_open
 * (the most RLIMIT_NOFILE may be), and below RLIMIT_NOFILE's soft limit,
 * FD_DEFAULT_LIMIT (soft and hard) unless sys.fds.limit or setrlimit
 * says otherwise. The table grows as descriptors are used (fd.c). */
#define FD_MAX 1048576
#define FD_DEFAULT_LIMIT 1024

struct file;

/* Per-type operations; NULL entries mean "not supported" (-EINVAL/-ESPIPE). */
struct file_ops {
    long (*read)(struct file *f, void *buf, size_t len);
    long (*write)(struct file *f, const void *buf, size_t len);
    /* writev(2) in one host call (NULL, or -PAL_ENOSYS: the caller gathers
     * the vectors into one write). */
    long (*writev)(struct file *f, const void *iov, int cnt);
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
    /* A descriptor of this file was closed (close, dup2 over it, exit):
     * the process's POSIX record locks on the file go (fcntl(2)). */
    void (*fd_closed)(struct file *f);
    /* MAP_SHARED with PROT_WRITE is refused (ENODEV): writes to such a
     * mapping could not reach the file. */
    bool private_maps_only;
};

struct file {
    int refs;
    const struct file_ops *ops;
    pal_handle h; /* host files, pipes and stdio */
    int flags;    /* O_ACCMODE | O_APPEND | O_NONBLOCK ... as opened */
    bool is_dir; /* read through file_is_dir() while dir_unknown may be set */
    /* fs_host.c: a host file opened for reading whose type the host has not
     * been asked yet (one fstat less per open); file_is_dir() asks it. */
    bool dir_unknown;
    /* The S_IFMT bits once an fstat told them (0: not asked yet): an open
     * file's type never changes, so mmap asks the host once, not per call. */
    uint16_t ifmt;
    bool is_sock;
    /* On an untrusted_shm mount: its MAP_SHARED mappings are host memory
     * that other processes see, inside an enclave too (sys/mem.c). */
    bool untrusted_shm;
    char *path; /* inside path, for *at() and fchdir; may be NULL */
    /* Without a path: what /proc/self/fd/N links to when it is not a pipe
     * or a socket ("anon_inode:[eventfd]"), NULL for those. */
    const char *anon_name;
    /* sys/fs_lock.c: POSIX record locks were taken through this file (its
     * close releases the process's locks on the file, as on Linux), and
     * the F_SETOWN_EX / F_SETSIG settings. */
    bool posix_locked;
    int owner_type, owner_id, owner_sig;
    unsigned seals; /* sys/memfd.c: a libOS memfd's F_SEAL_* */
    /* sys/epoll.c: a second descriptor of this file is registered in an
     * epoll through a host handle of its own, which the file's release
     * closes (epoll_file_released). */
    bool epoll_dup;
    /* fs_host.c: whether the host file is a character device (a terminal
     * maybe): 0 not asked yet, 1 yes, 2 no. */
    uint8_t chr_state;
};

/* file.c: a new file with one reference, and dropping one (the last
 * releases the file through its ops). */
struct file *file_new(const struct file_ops *ops, pal_handle h, int flags);
void file_put(struct file *f);
/* sys/epoll.c sets it with the first epoll_dup: drops the registrations
 * made through f's other host handles. */
extern void (*epoll_file_released)(struct file *f);

/* fd.c: the descriptor table. */
/* The lowest free descriptor >= min_fd and below RLIMIT_NOFILE (EMFILE). */
int fd_install(struct file *f, int min_fd, bool cloexec);
/* RLIMIT_NOFILE's soft limit for new descriptors (at most FD_MAX, the
 * table's size, which /proc/sys/fs/nr_open reports). */
void fd_set_limit(uint64_t n);
int fd_get_limit(void);
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
 * O_ACCMODE and O_NONBLOCK of flags, named name in /proc/self/fd (struct
 * file's anon_name); h is closed when it cannot be made. */
long anon_install(const struct file_ops *ops, pal_handle h, int flags, bool cloexec,
                  const char *name);
/* fd_get for the duration of one syscall; the reference is taken only
 * when other threads exist (counted), and fd_unborrow drops it. */
struct file *fd_borrow(int fd, bool *counted);
void fd_unborrow(struct file *f, bool counted);
int fd_close(int fd);
/* The lowest open descriptor >= from, or -1. */
int fd_next(int from);
/* Descriptors the table has room for now (/proc's FDSize). */
int fd_table_span(void);
int fd_get_cloexec(int fd);
int fd_set_cloexec(int fd, bool on);
/* A vfork child's own table (sys/vfork.c), which the thread it runs on
 * sees while vfork_child_active() and every other thread does not:
 * fork_child makes it a copy of the process's, holding a reference to
 * each file; child_drop puts its files (in the parent, when the child has
 * become a process of its own; without fd_closed: that process keeps
 * them); child_adopt makes it the process's table (in that new process)
 * and puts the files of the one it replaces. */
int fd_table_fork_child(void); /* 0, or -ENOMEM (no child table) */
void fd_table_child_drop(void);
void fd_table_child_adopt(void);
/* sys/fs_lock.c: a descriptor of f is being closed: the process's POSIX
 * record locks on the file are released. */

#endif
