/* The PAL API: every service the libOS gets from the platform.
 *
 * One boundary, two sides. The libOS (libos/, a freestanding static-pie
 * image) calls the PAL only through `struct pal_api`; the PAL calls back into
 * the libOS only through `struct pal_upcalls`. The direct PAL (pal/direct/)
 * implements it with raw host syscalls; the trusted SGX PAL implements the
 * same table with OCALLs.
 *
 * Conventions, for every function below:
 *  - Errors are negative Linux errno values (pal_errno.h); success is >= 0.
 *  - Buffers are owned by the caller and are copied by the callee before it
 *    returns (the trusted PAL copies across the enclave boundary and checks
 *    every length the host returns against the request).
 *  - Strings are NUL-terminated host paths, already translated by the libOS
 *    VFS (the PAL applies no policy of its own).
 *  - Handles are small non-negative integers owned by the PAL.
 *  - Functions must not touch FS (it belongs to the program); per-thread
 *    libOS state lives behind GS, which the PAL never changes on its own.
 *  - The libOS never uses x87/SSE/AVX registers (-mgeneral-regs-only), so a
 *    PAL need not save the program's vector state around a call into it;
 *    the libOS link step checks it (libos/image_check.sh).
 */
#ifndef GEODE_PAL_H
#define GEODE_PAL_H

#include <stddef.h>
#include <stdint.h>

#include "pal_errno.h"

#define PAL_API_VERSION 1

typedef int64_t pal_handle;

/* Memory protections (same bits as PROT_*). */
#define PAL_PROT_NONE 0
#define PAL_PROT_READ 1
#define PAL_PROT_WRITE 2
#define PAL_PROT_EXEC 4

/* mem_reserve flags. */
#define PAL_MEM_FIXED 1     /* *addr is exact and replaces whatever is there */
#define PAL_MEM_NOREPLACE 2 /* with FIXED: -EEXIST if anything is mapped there */

/* file_open flags: Linux O_* values (O_RDONLY.. O_CLOEXEC) pass through,
 * plus PAL_O_NOSYMLINKS: fail with -ELOOP if any component of the path is
 * a symlink (the libOS then resolves the path itself, component by
 * component); a PAL that cannot check it returns -ENOSYS. */
#define PAL_O_NOSYMLINKS 0x40000000
#define PAL_STAT_NOSYMLINKS 2

/* Host file attributes, independent of any libc's struct stat. */
struct pal_stat {
    uint64_t dev, ino, nlink;
    uint32_t mode, uid, gid;
    uint64_t rdev;
    int64_t size, blksize, blocks;
    int64_t atime_ns, mtime_ns, ctime_ns; /* nanoseconds since the epoch */
};

/* File-system statistics: the fields of Linux's struct statfs,
 * independent of any libc. */
struct pal_statfs {
    int64_t type, bsize;
    uint64_t blocks, bfree, bavail, files, ffree;
    int32_t fsid[2];
    int64_t namelen, frsize, flags;
};

/* A process as Linux's /proc/<pid>/stat describes it. Ids are those of
 * the program's pid namespace; times in nanoseconds, sizes in bytes. */
struct pal_proc_info {
    int32_t ppid, pgid, sid;
    int32_t threads;
    char state;     /* 'R', 'S', 'D', 'Z', 'T', 't', 'X', 'I' */
    char comm[16];  /* NUL-terminated, as the kernel's comm */
    uint64_t utime_ns, stime_ns;
    uint64_t start_ns; /* CLOCK_BOOTTIME at the process's start */
    uint64_t vsize, rss;
};

/* The interrupted program state handed to upcalls; the upcall may change
 * any field and the PAL resumes the program from the result. For a syscall
 * upcall, rip points after the 2-byte syscall instruction. */
struct pal_context {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
    /* The program's FP/SSE/AVX state at the interruption, in the Linux
     * signal-frame layout (an XSAVE area whose bytes 464..511 carry the
     * kernel's struct _fpx_sw_bytes; FXSAVE-only when that magic is
     * absent), which the PAL loads back on resume; the upcall may change
     * it in place. NULL when the live FP registers still hold the
     * program's state (the libOS's own code never touches them). */
    void *fpstate;
};

/* A synchronous fault in program code. */
struct pal_exception {
    int signo;      /* Linux signal number it maps to (SIGSEGV, SIGFPE...) */
    int code;       /* si_code as the host reported it */
    uint64_t addr;  /* faulting address (SIGSEGV/SIGBUS) */
};

/* A POSIX record lock, in Linux's struct flock layout (x86-64). */
struct pal_flock {
    int16_t type, whence; /* F_RDLCK/F_WRLCK/F_UNLCK; SEEK_SET/CUR/END */
    int64_t start, len;
    int32_t pid;
};

struct pal_pollfd {
    pal_handle handle;
    int16_t events, revents; /* POLLIN... Linux values */
};

/* One ready registration of a wait set (waitset_wait). */
struct pal_wait_event {
    uint32_t events; /* EPOLLIN... Linux values */
    uint64_t key;    /* as given to waitset_ctl */
};

/* The GS block the libOS hands to set_gs_base / thread_create starts with
 * 64 bytes of which [PAL_GS_PRIVATE_OFFSET, +PAL_GS_PRIVATE_SIZE) belong to
 * the PAL (the trusted PAL keeps its own thread pointer there, since GS is
 * the only per-thread register it has); the libOS never touches them. */
#define PAL_GS_PRIVATE_OFFSET 32
#define PAL_GS_PRIVATE_SIZE 32

/* Entry points of the libOS that the PAL calls. All run on a PAL-provided
 * stack with GS already pointing at the calling thread's libOS state. */
struct pal_upcalls {
    /* The program executed `syscall`. Sets ctx->rax to the result. */
    void (*syscall)(struct pal_context *ctx);
    /* The program faulted; returns to resume from *ctx (which it may have
     * redirected to a signal handler) or ends the process. */
    void (*exception)(struct pal_context *ctx, const struct pal_exception *exc);
    /* A host signal (SIGINT, SIGTERM, SIGHUP...) arrived for the process.
     * ctx is the interrupted program state, or NULL when the signal
     * interrupted the libOS or the PAL (whose blocking host call then
     * returns -EINTR; the libOS delivers the signal on its way out).
     * signo 0: no new signal, a wake (thread_wake) interrupted the
     * program at ctx, where the libOS delivers what is pending for it. */
    void (*host_signal)(struct pal_context *ctx, int signo);
};

struct pal_sender;

/* A page-aligned range of the process's memory. */
struct pal_mem_range {
    uint64_t addr, len;
};

struct pal_api {
    uint32_t version; /* PAL_API_VERSION */
    uint32_t size;    /* sizeof(struct pal_api) as the PAL was built */

    /* --- debugging, process, upcalls --- */
    /* Writes len bytes of a log line to the host's diagnostic stream. */
    void (*log)(const char *msg, size_t len);
    /* Ends the whole process (all threads) with the given exit status. */
    __attribute__((noreturn)) void (*process_exit)(int status);
    /* Ends the whole process as if killed by host signal signo. */
    __attribute__((noreturn)) void (*process_kill)(int signo);
    /* Starts a new process running the same libOS image with the given
     * manifest blob and argv; returns a handle for process_wait. */
    long (*process_create)(const uint8_t *manifest, size_t len, const char *const *argv,
                           pal_handle *out);
    /* Optional (NULL when the PAL cannot do it): duplicates the whole
     * process, libOS state included, keeping only the calling thread.
     * Returns the child's id in the parent and 0 in the child, where
     * syscall trapping is already on again. */
    long (*process_fork)(void);
    /* Waits for a child (id from process_create/process_fork, -1 for
     * any, 0 for any in the caller's process group, -pgid for any in that
     * group); stores its Linux wait status; options: WNOHANG, WUNTRACED,
     * WCONTINUED, WNOWAIT (report, but leave the child waitable),
     * PAL_WAIT_NO_EXITED (report stops and continues only).
     * Returns the child's id, 0 with WNOHANG and nothing ready, or
     * -ECHILD. */
    long (*process_wait)(pal_handle child, int *status, int options);
    /* Sends a Linux signal to another process (by id, as above; a thread
     * id stands for its process), with proc = 0 to every process of the
     * caller's group, -pgid to every process of that group, -1 to every
     * process except the caller and process 1 (kill(2)). -ESRCH when no
     * such process exists. */
    long (*process_signal)(pal_handle proc, int signo);
    /* The id of the calling process, as its parent's process_fork saw it. */
    long (*process_id)(void);
    /* Registers the libOS entry points; called once, before trap_syscalls. */
    void (*set_upcalls)(const struct pal_upcalls *up);
    /* From now on, `syscall` executed anywhere outside the PAL's own code
     * on this thread (and threads it creates) reaches upcalls.syscall. */
    long (*trap_syscalls)(void);

    /* --- memory --- */
    /* Reserves inaccessible address space; *addr is a hint, or exact with
     * PAL_MEM_FIXED. Sets *addr to the start. */
    long (*mem_reserve)(void **addr, size_t size, int flags);
    /* Makes reserved pages usable: zero-filled, with prot. */
    long (*mem_commit)(void *addr, size_t size, int prot);
    /* Changes the protection of committed pages. */
    long (*mem_protect)(void *addr, size_t size, int prot);
    /* Returns the range to the host (no longer reserved). */
    long (*mem_free)(void *addr, size_t size);

    /* --- files and directories (host paths) --- */
    /* Opens a file or directory; flags/mode are Linux O_* and mode bits. */
    long (*file_open)(const char *path, int flags, uint32_t mode, pal_handle *out);
    /* Closes any handle (file, directory, pipe, socket). */
    long (*close)(pal_handle h);
    /* Reads/writes at the handle's position (files, pipes, sockets, ttys). */
    long (*read)(pal_handle h, void *buf, size_t len);
    long (*write)(pal_handle h, const void *buf, size_t len);
    /* Reads/writes at an explicit offset, not moving the position. */
    long (*pread)(pal_handle h, void *buf, size_t len, int64_t off);
    long (*pwrite)(pal_handle h, const void *buf, size_t len, int64_t off);
    /* Moves the position (whence: SEEK_SET/CUR/END); returns the new one. */
    long (*seek)(pal_handle h, int64_t off, int whence);
    /* Attributes by path (nofollow: do not follow a final symlink; with
     * PAL_STAT_NOSYMLINKS also set, -ELOOP if any earlier component is a
     * symlink, or -ENOSYS when the PAL cannot check that). */
    long (*stat)(const char *path, int nofollow, struct pal_stat *st);
    long (*fstat)(pal_handle h, struct pal_stat *st);
    /* Fills buf with Linux struct linux_dirent64 records; 0 at the end. */
    long (*readdir)(pal_handle h, void *buf, size_t len);
    long (*mkdir)(const char *path, uint32_t mode);
    /* Removes a file (is_dir = 0) or an empty directory (is_dir = 1). */
    long (*unlink)(const char *path, int is_dir);
    long (*rename)(const char *from, const char *to);
    long (*ftruncate)(pal_handle h, int64_t len);
    long (*fsync)(pal_handle h);
    long (*chmod)(const char *path, uint32_t mode);
    /* Reads a symlink's target (not NUL-terminated); returns its length. */
    long (*readlink)(const char *path, char *buf, size_t len);
    long (*symlink)(const char *target, const char *path);
    /* Checks access (mode: R_OK/W_OK/X_OK/F_OK) for the host user. */
    long (*access)(const char *path, int mode);
    /* Switches non-blocking mode of a handle (file, pipe, socket). */
    long (*set_nonblocking)(pal_handle h, int on);
    /* A device ioctl of pal_ioctl.h's table on a host handle (terminals,
     * pipes, sockets, files): buf is the program's buffer of the table's
     * size (PAL_IOCTL_OUT, _IN), or for PAL_IOCTL_VALUE the integer
     * itself; -ENOTTY for any other request or a handle without it.
     * PAL_IOCTL_IFCONF (SIOCGIFCONF): buf holds len bytes of whole
     * entries, or is NULL with len 0 to ask the size; returns the bytes
     * of entries written (or needed), checked by pal_ioctl_ifconf_ok.
     * The process groups and sessions of TIOCGPGRP, TIOCSPGRP and
     * TIOCGSID are ids of the program's pid namespace (0: outside it).
     * flags: PAL_TTY_QUIET when the program ignores or blocks SIGTTOU, so
     * a background process may change its terminal; without it the host's
     * terminal sends SIGTTOU to the caller's group (a host signal) and the
     * call returns -EINTR, as Linux's tty_check_change. */
    long (*tty_ioctl)(pal_handle h, unsigned long req, void *buf, size_t len, int flags);

    /* --- pipes, sockets, readiness --- */
    /* Creates a pipe; flags: O_NONBLOCK / O_CLOEXEC. */
    long (*pipe)(pal_handle out[2], int flags);
    long (*sock_create)(int domain, int type, int protocol, pal_handle *out);
    /* A connected pair (socketpair); type may carry SOCK_CLOEXEC/NONBLOCK. */
    long (*sock_pair)(int domain, int type, int protocol, pal_handle out[2]);
    long (*sock_bind)(pal_handle h, const void *addr, uint32_t len);
    long (*sock_listen)(pal_handle h, int backlog);
    /* Accepts; addr/len (may be NULL) receive the peer address. */
    long (*sock_accept)(pal_handle h, void *addr, uint32_t *len, int flags, pal_handle *out);
    long (*sock_connect)(pal_handle h, const void *addr, uint32_t len);
    long (*sock_send)(pal_handle h, const void *buf, size_t len, int flags, const void *addr,
                      uint32_t alen);
    long (*sock_recv)(pal_handle h, void *buf, size_t len, int flags, void *addr,
                      uint32_t *alen);
    long (*sock_shutdown)(pal_handle h, int how);
    long (*sock_setopt)(pal_handle h, int level, int name, const void *val, uint32_t len);
    long (*sock_getopt)(pal_handle h, int level, int name, void *val, uint32_t *len);
    /* Local (peer = 0) or remote (peer = 1) address of a socket. */
    long (*sock_name)(pal_handle h, int peer, void *addr, uint32_t *len);
    /* Waits until a handle is ready or timeout_ns passes (-1 = forever). */
    long (*poll)(struct pal_pollfd *fds, uint32_t n, int64_t timeout_ns);

    /* --- threads and synchronisation --- */
    /* Starts a host thread that runs fn(arg) on stack (top given) with GS
     * set to gs_base and syscall trapping on; returns its host tid. */
    long (*thread_create)(void (*fn)(void *), void *arg, void *stack_top, void *gs_base);
    /* Ends the calling thread; if clear_tid, stores 0 there and wakes it. */
    __attribute__((noreturn)) void (*thread_exit)(uint32_t *clear_tid);
    /* The host id of the calling thread. */
    long (*thread_id)(void);
    /* Sets the GS base of the calling thread (the libOS's own state). */
    long (*set_gs_base)(void *base);
    /* Sets / reads the FS base of the calling thread (the program's TLS). */
    long (*set_fs_base)(void *base);
    long (*get_fs_base)(void **base);
    /* Sleeps while *addr == val, up to timeout_ns (-1 = forever). */
    long (*futex_wait)(uint32_t *addr, uint32_t val, int64_t timeout_ns);
    /* Wakes up to n waiters on addr; returns how many woke. */
    long (*futex_wake)(uint32_t *addr, int n);
    long (*yield)(void);

    /* --- time and randomness --- */
    /* Current time of a Linux clock id (CLOCK_REALTIME, _MONOTONIC...). */
    long (*clock_get)(int clock, int64_t *ns);
    /* Sleeps ns nanoseconds; -EINTR when a host signal cut it short. */
    long (*sleep)(int64_t ns);
    /* Arms the process's real-time timer: SIGALRM arrives as a host
     * signal after value_ns, then every interval_ns (0 = once; value_ns 0
     * disarms; value_ns < 0 changes nothing). Stores the previous setting
     * when old_* are not NULL. */
    long (*alarm_timer)(int64_t value_ns, int64_t interval_ns, int64_t *old_value,
                        int64_t *old_interval);
    /* Fills buf with len cryptographically random bytes. */
    long (*random)(void *buf, size_t len);

    /* --- process groups and sessions (added in PAL_API_VERSION 1; the
     * libOS checks size and treats missing entries as absent). Ids are
     * those of process_fork/process_id; 0 means the caller. Linux
     * setpgid/getpgid/setsid/getsid semantics and errors. --- */
    long (*process_setpgid)(pal_handle proc, pal_handle pgid);
    long (*process_getpgid)(pal_handle proc);
    long (*process_setsid)(void);
    long (*process_getsid)(pal_handle proc);

    /* --- more file operations (added like the group above) --- */
    /* A hard link: from must exist, to must not. */
    long (*link)(const char *from, const char *to);
    /* Sets access and modification times, in ns since the epoch, with
     * Linux's UTIME_NOW / UTIME_OMIT encodings in the low bits (see
     * PAL_UTIME_*); nofollow: the times of a final symlink itself. */
    long (*utimes)(const char *path, const int64_t times[2], int nofollow);

    /* Optional (NULL when the PAL can only copy, as inside an enclave):
     * replaces the committed pages [addr, addr + len) with a private
     * copy-on-write mapping of file h at off (both page aligned), with
     * prot. Pages past the end of the file raise SIGBUS, as on Linux. */
    long (*file_map)(pal_handle h, void *addr, size_t len, int64_t off, int prot);

    /* --- the program's pid namespace (added like the groups above;
     * NULL in a PAL whose program has no other process).
     * With these entries, every process id of this API (process_fork,
     * process_id, process_wait, process_signal, the group calls) and every
     * thread id is an id of a pid namespace holding only the program's own
     * process tree, as Linux's pid_namespaces(7): the first process is 1,
     * a process whose parent ended is adopted by process 1, and no call
     * reaches a host process outside the tree (its id does not exist:
     * -ESRCH, -ECHILD). Signals sent from inside to process 1 that it has
     * no way to catch (SIGKILL, SIGSTOP...) are discarded, as Linux does
     * for a namespace's init; when process 1 ends, every other process of
     * the tree is killed. --- */
    /* getppid: the parent's id, 0 for process 1. */
    long (*process_parent)(void);
    /* A new thread id, unique among the namespace's process and thread
     * ids, owned by the calling process until thread_id_free (or until
     * the process is reaped). */
    long (*thread_id_alloc)(void);
    void (*thread_id_free)(pal_handle id);
    /* The process id owns: id itself for a process, its process for a
     * thread; -ESRCH when the namespace has no such id. */
    long (*id_owner)(pal_handle id);
    /* A handle (pollable: readable once the process has ended, like a
     * Linux pidfd) on process id; closed with close. */
    long (*process_open)(pal_handle id, pal_handle *out);

    /* --- memory shared between processes (added like the groups above;
     * NULL in a PAL whose program has no other process, as inside an
     * enclave: the libOS then keeps MAP_SHARED pages as its own copies,
     * written back to the file by msync, munmap and exit). --- */
    /* A new anonymous host file of size 0 that lives until its last
     * handle and mapping are gone (Linux memfd_create); read, written,
     * sized, mapped and closed like a file handle. name is shown by the
     * host's /proc only. The handle is inherited by forked children. */
    long (*memfd_create)(const char *name, pal_handle *out);
    /* Replaces the pages [addr, addr + len) with a shared mapping of file
     * h at off (both page aligned), with prot: stores reach the file and
     * every other mapping of it, in this process and in others, at once
     * (MAP_SHARED), and the mapping stays shared in forked children.
     * -EACCES when prot asks for more than h was opened for. */
    long (*file_map_shared)(pal_handle h, void *addr, size_t len, int64_t off, int prot);

    /* --- file-system statistics and process information (added like the
     * groups above; the libOS answers ENOSYS for host files without them,
     * and uses only its own state for process information) --- */
    /* statfs(2) of a host path (following symlinks) and fstatfs(2) of a
     * handle: Linux's values and errors. */
    long (*fs_stat)(const char *path, struct pal_statfs *st);
    long (*fs_fstat)(pal_handle h, struct pal_statfs *st);
    /* What the platform knows of process id of the program's namespace
     * (0: the caller), as Linux's /proc/<pid>/stat gives it; ids are
     * virtual. -ESRCH when there is no such process. */
    long (*process_info)(pal_handle id, struct pal_proc_info *out);
    /* Names the calling process for process_info's comm (and the host's
     * tools): prctl(PR_SET_NAME), at most 15 bytes used. */
    long (*process_set_name)(const char *name);
    /* Stores up to max ids (their order unspecified): with owner 0, of the
     * namespace's processes; with a process id, of that process's threads
     * other than its first (whose id is the process's). Returns how many
     * there are (more than max: call again with a larger buffer). */
    long (*process_list)(pal_handle owner, int32_t *ids, size_t max);

    /* --- wait sets (added like the groups above; NULL when the PAL has
     * none: epoll_create then fails with ENOSYS).
     * A wait set is the host's epoll(7) instance: a registration is keyed
     * by the handle's host open file and ends when that file's last
     * descriptor (in any process) is closed; events and flags are Linux's
     * EPOLL* bits (EPOLLET, EPOLLONESHOT, EPOLLEXCLUSIVE, EPOLLRDHUP...),
     * and the key comes back unchanged. The set is a handle: closed with
     * close, pollable (readable while events are ready, so it can join
     * another set), and after process_fork parent and child share it.
     * Errors are epoll_ctl's and epoll_wait's. --- */
    long (*waitset_create)(pal_handle *out);
    /* op: EPOLL_CTL_ADD / MOD / DEL (events and key unused for DEL). */
    long (*waitset_ctl)(pal_handle ws, int op, pal_handle h, uint32_t events, uint64_t key);
    /* Up to n ready events, waiting up to timeout_ns (-1 = forever, 0 =
     * not at all); returns how many; -EINTR when a host signal arrived. */
    long (*waitset_wait)(pal_handle ws, struct pal_wait_event *ev, uint32_t n, int64_t timeout_ns);

    /* --- ownership, record locks, space and special files on host files
     * (added like the groups above; a PAL without them leaves them NULL and
     * the libOS answers as docs/syscalls.md says). Linux semantics and
     * errors of the named call, made by Geode's host user. --- */
    /* chown(2) of a host path; nofollow: a final symlink itself (lchown).
     * (uint32_t)-1 leaves that id unchanged. */
    long (*chown)(const char *path, uint32_t uid, uint32_t gid, int nofollow);
    /* fchown(2) of a host handle. */
    long (*fchown)(pal_handle h, uint32_t uid, uint32_t gid);
    /* fcntl(2) record locks on a host handle: cmd is F_GETLK, F_SETLK,
     * F_SETLKW or their F_OFD_ forms (Linux values); *lk is read, and
     * written back by the GETLK forms (l_pid: the holder's id in the
     * program's pid namespace, 0 outside it, -1 for an OFD lock). The host
     * kernel arbitrates, so locks are seen by every process of the host. */
    long (*file_lock)(pal_handle h, int cmd, struct pal_flock *lk);
    /* flock(2) on a host handle (LOCK_SH, LOCK_EX, LOCK_UN | LOCK_NB). */
    long (*file_flock)(pal_handle h, int op);
    /* fallocate(2) on a host handle (mode: FALLOC_FL_* bits). */
    long (*fallocate)(pal_handle h, int mode, int64_t off, int64_t len);
    /* posix_fadvise(2) on a host handle (advice for the host's cache). */
    long (*fadvise)(pal_handle h, int64_t off, int64_t len, int advice);
    /* mknod(2) of a FIFO (S_IFIFO) or a regular file (S_IFREG) at a host
     * path; mode carries the type and the permission bits. */
    long (*mknod)(const char *path, uint32_t mode);
    /* fdatasync(2) of a host handle. */
    long (*fdatasync)(pal_handle h);
    /* syncfs(2) of the file system holding host handle h, or sync(2) of
     * every host file system when h < 0. */
    long (*sync)(pal_handle h);
    /* O_ASYNC on (on = 1) or off for a host handle, with the calling
     * process as its owner: when the handle becomes ready the host sends
     * SIGIO, which reaches the libOS as a host signal (host_signal). */
    long (*file_async)(pal_handle h, int on);
    /* sendmsg(2) / recvmsg(2) with ancillary data: control (clen bytes) is
     * a Linux cmsg buffer whose SCM_RIGHTS entries carry host handles in
     * both directions (received handles are close-on-exec on the host and
     * belong to the caller). recv: *clen is the capacity in and the length
     * out, *msg_flags receives the message flags (MSG_CTRUNC...). Other
     * arguments as sock_send / sock_recv. */
    long (*sock_sendmsg)(pal_handle h, const void *buf, size_t len, int flags, const void *addr,
                         uint32_t alen, const void *control, size_t clen);
    long (*sock_recvmsg)(pal_handle h, void *buf, size_t len, int flags, void *addr,
                         uint32_t *alen, void *control, size_t *clen, int *msg_flags);
    /* A host pipe's capacity (fcntl F_GETPIPE_SZ when size < 0, else
     * F_SETPIPE_SZ to size): returns the capacity in bytes. */
    long (*pipe_size)(pal_handle h, int64_t size);
    /* A host handle's file status flags, which belong to the open file
     * description (shared with forked children): flags < 0 reads them
     * (F_GETFL), else sets O_APPEND, O_NONBLOCK, O_DIRECT and O_NOATIME as
     * in flags (F_SETFL; the other status flags are kept). */
    long (*file_flags)(pal_handle h, int flags);
    /* Optional: makes the calling host thread access files as fsuid/fsgid
     * with these supplementary groups (setgroups, setfsgid, setfsuid on
     * the thread), so the host kernel applies the program's credentials
     * to every file operation. -EPERM when the host user cannot (it is
     * not root); nothing is changed then. */
    long (*set_fs_ids)(uint32_t fsuid, uint32_t fsgid, const uint32_t *groups, size_t n);

    /* --- parent death (added like the groups above; NULL where the program
     * has no other process) --- */
    /* prctl(PR_SET_PDEATHSIG): signo (0: none) reaches the calling process,
     * as a host signal, when the thread that forked it ends; cleared in a
     * forked child. */
    long (*process_set_pdeathsig)(int signo);

    /* --- memory shared with other processes through untrusted host memory
     * (added like the groups above; NULL where the PAL has file_map_shared,
     * whose memory is already the host's, as in direct mode). Inside an
     * enclave no enclave page can be shared with another enclave, so these
     * pages lie outside the enclave: the host can read and change them at
     * any time (Gramine's untrusted_shm mounts). Futex waits and wakes on
     * an address of such a mapping (futex_wait, futex_wake) reach waiters
     * of every process mapping the same pages. --- */
    /* Maps len bytes of file h at off (page aligned) MAP_SHARED with prot,
     * or with h < 0 new anonymous shared memory (off 0), at an address the
     * PAL chooses outside its own memory, stored in *addr (page aligned,
     * [*addr, *addr + len) wholly outside the enclave). The mapping stays
     * shared, at the same address, in forked children. Linux's mmap
     * errors (-EACCES when prot asks for more than h was opened for); a PAL
     * that cannot execute such memory (an enclave) refuses PROT_EXEC as a
     * noexec mount does: -EPERM here, -EACCES from untrusted_protect. */
    long (*file_map_untrusted)(pal_handle h, size_t len, int64_t off, int prot, void **addr);
    /* Unmaps, or changes the protection of, pages of such mappings (the
     * range must lie inside mappings file_map_untrusted made: -EINVAL). */
    long (*untrusted_unmap)(void *addr, size_t len);
    long (*untrusted_protect)(void *addr, size_t len, int prot);

    /* --- timers whose expirations are read from a handle --- */
    /* A host timer (timerfd_create(2)) on clock (CLOCK_REALTIME,
     * CLOCK_MONOTONIC or CLOCK_BOOTTIME); its handle is non-blocking and
     * reads give the 8-byte count of expirations since the last read
     * (-EAGAIN when none), and poll sees it readable. In an enclave the host
     * keeps time, as for every clock: it can delay or hasten expirations. */
    long (*timer_create)(int clock, pal_handle *out);
    /* Arms (value_ns > 0) or disarms (0) it: flags PAL_TIMER_ABSTIME (value
     * is a time on the timer's clock) and PAL_TIMER_CANCEL_ON_SET; old[0],
     * old[1] get the time left and the interval before. */
    long (*timer_set)(pal_handle h, int flags, int64_t value_ns, int64_t interval_ns, int64_t old[2]);
    /* cur[0], cur[1]: the time left until the next expiration (0: disarmed)
     * and the interval. */
    long (*timer_get)(pal_handle h, int64_t cur[2]);

    /* --- attestation (added like the groups above; NULL where the platform
     * has none, as in direct mode: /dev/attestation then says ENOSYS).
     * SGX sizes: TARGETINFO 512 bytes, REPORTDATA 64, REPORT 432. --- */
    /* EREPORT: this enclave's REPORT for the target enclave target_info,
     * carrying report_data, MACed with the target's report key. */
    long (*attest_report)(const void *target_info, const void *report_data, void *report);
    /* This enclave's own TARGETINFO (from its REPORT), for another enclave
     * to report to it. */
    long (*attest_target_info)(void *target_info);
    /* A quote over this enclave's REPORT with report_data from the
     * platform's quoting enclave (the AESM service, or the sim's quoting
     * enclave), of the kind the manifest's sgx.remote_attestation names.
     * Returns its size; -ENOSPC when it is larger than len; -EPERM when the
     * quote does not carry this enclave's own report body. */
    long (*attest_quote)(const void *report_data, void *buf, size_t len);
    /* Checks the MAC of a REPORT another enclave made for this one's
     * TARGETINFO (EGETKEY of the REPORT key with the report's KEYID):
     * 0 when it is right, -EPERM when not. */
    long (*attest_verify_report)(const void *report);

    /* --- file-change notification (inotify(7)) --- */
    /* A host inotify instance; its handle is non-blocking and reads give
     * struct inotify_event records (the caller checks each one: in an
     * enclave they come from the host). */
    long (*notify_create)(pal_handle *out);
    /* Watches a host path (IN_* mask): the watch descriptor, or an errno. */
    long (*notify_add)(pal_handle h, const char *path, uint32_t mask);
    long (*notify_remove)(pal_handle h, int32_t wd);

    /* --- sealing keys and authenticated encryption (encrypted mounts) --- */
    /* AES-128-GCM of len bytes (in and out may be equal), 16-byte key, 12-byte
     * IV, aad may be NULL with aad_len 0. The PAL saves and restores the
     * program's vector registers around the cipher (the libOS uses none).
     * aead_open: -EBADMSG when the tag does not match (out is then zeroed). */
    long (*aead_seal)(const uint8_t key[16], const uint8_t iv[12], const void *aad,
                      size_t aad_len, const void *in, void *out, size_t len, uint8_t tag[16]);
    long (*aead_open)(const uint8_t key[16], const uint8_t iv[12], const void *aad,
                      size_t aad_len, const void *in, void *out, size_t len,
                      const uint8_t tag[16]);
    /* The platform's 128-bit sealing key for policy (PAL_SEAL_*): EGETKEY
     * (SEAL_KEY) bound to this enclave's MRENCLAVE or its signer's
     * MRSIGNER, on this CPU. -ENOSYS outside an enclave. */
    long (*seal_key)(int policy, uint8_t key[16]);

    /* --- process-private futexes (FUTEX_PRIVATE_FLAG) --- */
    /* As futex_wait / futex_wake, but the futex is this process's own even
     * on memory shared with other processes: a private wake reaches only
     * private waiters of the same process (futex(2)). NULL where every
     * futex_wait / futex_wake address is the process's own (the libOS then
     * uses those); the SGX PAL leaves them NULL, so there a private futex
     * on an untrusted shared mapping is shared. */
    long (*futex_wait_private)(uint32_t *addr, uint32_t val, int64_t timeout_ns);
    long (*futex_wake_private)(uint32_t *addr, int n);

    /* --- file seals (memfd_create(2) MFD_ALLOW_SEALING, fcntl(2)
     * F_ADD_SEALS / F_GET_SEALS; NULL where memfd_create is NULL) --- */
    /* memfd_create with Linux's MFD_ALLOW_SEALING in flags (the only flag
     * it takes; the handle is as memfd_create's). Without it the file
     * carries F_SEAL_SEAL. */
    long (*memfd_create_flags)(const char *name, unsigned flags, pal_handle *out);
    /* F_GET_SEALS (seals < 0: returns the file's seals) or F_ADD_SEALS
     * (seals >= 0) on handle h, enforced by the host for every handle and
     * mapping of the file: Linux's results (-EINVAL when the file takes no
     * seals, -EPERM, -EBUSY). */
    long (*file_seals)(pal_handle h, int seals);

    /* --- CPU-time clocks (clock_gettime(2) CLOCK_PROCESS_CPUTIME_ID,
     * CLOCK_THREAD_CPUTIME_ID, clock_getcpuclockid(3)) --- */
    /* The CPU time (user and system) in ns of this process (host_tid -1),
     * of the calling thread (0), or of another thread of this process
     * (its host id, thread_create's or thread_id's result): -EINVAL when
     * there is no such thread. In an enclave the host keeps these clocks,
     * as every clock: the PAL checks that the process's never goes back. */
    long (*cpu_clock_get)(long host_tid, int64_t *ns);

    /* --- a second registration of one open file in a wait set --- */
    /* A new host handle (close-on-exec) of h's open file, as dup(2): the
     * libOS registers it when a second descriptor of one open file joins
     * a wait set (epoll(7) keys registrations by open file and descriptor,
     * the host's epoll by open file and host handle). Errors are dup's. */
    long (*handle_dup)(pal_handle h, pal_handle *out);

    /* --- gathered writes --- */
    /* Writes cnt vectors (Linux struct iovec: base, length) at the
     * handle's position as one writev(2): one unit for a pipe or socket.
     * NULL when the PAL has none (the libOS then gathers them itself). */
    long (*writev)(pal_handle h, const void *iov, int cnt);

    /* --- SHA-256 with the CPU's SHA extensions (trusted files) --- */
    /* SHA-256's compression of `blocks` 64-byte blocks at data (enclave
     * memory) into state[8] (FIPS 180-4 words), saving and restoring the
     * program's vector registers around it. -ENOSYS when the CPU has no
     * SHA-NI: the libOS then hashes with its own code. NULL in the direct
     * PAL (it checks no trusted file). */
    long (*sha256_blocks)(uint32_t state[8], const void *data, size_t blocks);

    /* --- renames with flags, names for open files --- */
    /* renameat2(2) of two host paths with flags RENAME_NOREPLACE (1) or
     * RENAME_EXCHANGE (2), made by the host in one step (an exchange is
     * atomic for every other process). Errors are renameat2's. */
    long (*rename_flags)(const char *from, const char *to, unsigned flags);
    /* A new name at host path to for h's open file (linkat(2) of
     * /proc/self/fd/N with AT_SYMLINK_FOLLOW): an O_TMPFILE file without
     * O_EXCL gets a name. Errors are linkat's (ENOENT for a file that
     * cannot be linked). */
    long (*link_handle)(pal_handle h, const char *to);

    /* --- moving data between host handles (splice(2), tee(2)) --- */
    /* splice(2) of up to len bytes from in to out, one of them a pipe;
     * off_in / off_out: the offset in a file, or -1 for its position.
     * flags: SPLICE_F_* (0..0xf). Returns the count moved. */
    long (*splice)(pal_handle in, int64_t off_in, pal_handle out, int64_t off_out, size_t len,
                   unsigned flags);
    /* tee(2): up to len bytes of pipe in copied to pipe out, not consumed. */
    long (*tee)(pal_handle in, pal_handle out, size_t len, unsigned flags);

    /* pwritev2(2) of one buffer with flags RWF_DSYNC (2), RWF_SYNC (4),
     * RWF_APPEND (0x10), RWF_NOAPPEND (0x20); off -1: at the position,
     * which moves. Returns the count written. */
    long (*pwrite_flags)(pal_handle h, const void *buf, size_t len, int64_t off, int rwf);

    /* --- extended attributes (xattr(7)) --- */
    /* op PAL_XATTR_*, on host path (a final symlink is never followed:
     * lgetxattr(2) and its kin) or, with path NULL, on handle h. GET and
     * LIST fill value (size 0: only the size needed is returned), SET
     * takes size bytes and flags XATTR_CREATE (1) / XATTR_REPLACE (2),
     * LIST ignores name. size is at most PAL_XATTR_SIZE_MAX. Returns a
     * length (GET, LIST) or 0; errors are the host's (ENODATA, ERANGE,
     * EOPNOTSUPP...). */
    long (*xattr)(int op, const char *path, pal_handle h, const char *name, void *value,
                  size_t size, int flags);

    /* --- resource usage (getrusage(2), times(2), wait4(2)'s rusage) --- */
    /* The user and system CPU time in ns (times[0], times[1]) of who, as
     * getrusage's: 0 this process, 1 the calling thread, -1 the children
     * that ended and were waited for, with the children they waited for.
     * In an enclave the PAL checks that no value is negative and that the
     * process's and the children's never go back. */
    long (*rusage_get)(int who, int64_t times[2]);

    /* clock_getres(2) of a host clock (CLOCK_REALTIME..CLOCK_TAI, not the
     * CPU-time ones) in ns: 1 for a high-resolution clock, the tick for a
     * coarse one. In an enclave the PAL checks it is in 1 ns..1 s. */
    long (*clock_res)(int clock, int64_t *ns);

    /* Scheduling settings the host keeps, so that every process of the
     * tree sees them (getpriority(2), sched_getscheduler(2)): op
     * PAL_SCHED_* on process proc (0: the calling thread, else an id of
     * the tree, a process's main thread). Returns 20 - the nice value
     * (1..40, getpriority's encoding), the policy (SCHED_OTHER,
     * SCHED_BATCH or SCHED_IDLE, with SCHED_RESET_ON_FORK), or 0 after a
     * set; -ESRCH when there is no such process, else the host's error
     * (EPERM, EACCES). */
    long (*process_sched)(pal_handle proc, int op, int value);

    /* PR_SET_CHILD_SUBREAPER (prctl(2)) for the calling process (not
     * process 1, which adopts every orphan already): its descendants'
     * orphans become its children, waitable and with it as their parent. */
    long (*process_set_subreaper)(int on);

    /* CPU affinity of a thread, kept by the host (sched_setaffinity(2),
     * sched_getaffinity(2)): of the main thread of process proc (> 0, an
     * id of the tree), else of this process's thread host_tid (a host id,
     * as cpu_clock_get's). mask is PAL_AFFINITY_BYTES bytes: set (1)
     * applies it, get (0) fills it. 0 or -errno (ESRCH, EINVAL, EPERM). */
    long (*thread_affinity)(pal_handle proc, long host_tid, int set, uint64_t *mask);

    /* Who sent the host signal signo that the PAL is handing to
     * host_signal right now, on this thread: when another process of the
     * tree sent it (kill, tkill, sigqueue), its si_code, its id in the
     * namespace, its uid and si_value; -ENOENT otherwise (the host, the
     * kernel). Only from within that upcall. */
    long (*signal_sender)(int signo, struct pal_sender *out);
    /* sigqueue(3) to process proc of the tree: signo with si_code code
     * (< 0, not SI_TKILL) and si_value value, sent by this process. */
    long (*process_sigqueue)(pal_handle proc, int signo, int code, uint64_t value);

    /* --- demand paging --- */
    /* mem_commit's promise (reserved pages become zero-filled with prot)
     * kept on first touch: the PAL gives the pages memory when they are
     * first read or written, as Linux does for anonymous memory, so a
     * large mapping (a stack, a thread stack, an arena) costs only the
     * pages used. A fault on such a page never reaches the libOS; an
     * access prot does not allow does (SIGSEGV), as with mem_commit.
     * mem_protect and mem_free apply to the pages whether touched or not.
     * NULL where committing costs nothing until use (direct mode: the
     * host kernel already pages on demand); the libOS then calls
     * mem_commit. */
    long (*mem_commit_lazy)(void *addr, size_t size, int prot);

    /* The default action of stop signal signo (SIGSTOP, SIGTSTP, SIGTTIN,
     * SIGTTOU) for the whole process: it stops, its parent sees it
     * stopped by signo (waitpid WUNTRACED, SIGCHLD CLD_STOPPED), and the
     * call returns 0 once a SIGCONT has continued it, or at once when the
     * host discards the stop (signo other than SIGSTOP in an orphaned
     * process group, signal(7)). -EINVAL for another signal; -EAGAIN when
     * it cannot stop now (a host signal interrupted the PAL holding what
     * the process that would continue it needs): the caller takes the
     * stop later, where it holds nothing. */
    long (*process_stop)(int signo);

    /* SIGTTIN and SIGTTOU only: whether the host ignores signo for this
     * process (ignore 1) or hands it to host_signal again (0), as the
     * program's disposition says, so that the host's terminal applies
     * Linux's rules for an ignored one: a background read fails with EIO
     * and a change of the terminal is allowed, and no signal is sent to
     * the process group. -EINVAL for another signal. */
    long (*signal_host_ignore)(int signo, int ignore);

    /* Interrupts thread host_tid (thread_id's) of this process, for a
     * signal the libOS raised for it, as Linux's signal_wake_up: the
     * blocking host call it is in, or the next one it makes, ends with
     * -EINTR, and program code it runs enters the libOS through
     * host_signal(ctx, 0). -ESRCH when no such thread runs. */
    long (*thread_wake)(long host_tid);

    /* SIGTTIN and SIGTTOU only: blocks (block 1) or unblocks (0) signo on
     * the calling thread's host side, around a read or write of a
     * terminal while the program's thread blocks it, so that the host's
     * terminal applies Linux's rules for a blocked one: a background read
     * fails with EIO, a write under TOSTOP goes through, and no signal
     * goes to the process group. -EINVAL for another signal. */
    long (*signal_host_block)(int signo, int block);

    /* Optional: process_fork for a child that execs at once (a vfork
     * child's, libos/sys/vfork.c) and frees the pages of skip[0..n)
     * (ascending, page aligned, disjoint) before it reads any: they are
     * not copied, and the child has them reserved, not committed (a fork
     * into the same address space, such as a host fork, may copy them
     * anyway). -EINVAL for a list out of order. */
    long (*process_fork_exec)(const struct pal_mem_range *skip, size_t n);
    /* Optional: a new child of the calling process that has already
     * exited with code (0..255, as _exit(code)), for process_wait: what
     * a vfork child that exits before it execs leaves its parent, without
     * a copy of anything (libos/sys/vfork.c). Returns its id. */
    long (*process_exited_child)(int code);

    /* Optional: a host eventfd (eventfd2(2); flags: O_NONBLOCK and
     * EFD_SEMAPHORE, 1), read, written and polled as any handle: its
     * counter is the host's, shared with forked children. NULL where the
     * host is not trusted with it (an enclave: the libOS keeps the counter
     * itself, libos/sys/eventfd.c). */
    long (*eventfd)(uint64_t initval, int flags, pal_handle *out);
    /* Optional: the same inside an enclave, for a manifest that trusts the
     * host with the counter (sys.insecure__allow_eventfd): it can read and
     * change it, and forked children share it. */
    long (*eventfd_untrusted)(uint64_t initval, int flags, pal_handle *out);

    /* Optional: FUTEX_REQUEUE and FUTEX_CMP_REQUEUE. Wakes up to n_wake
     * waiters of addr and moves up to n_requeue of the others to wait on
     * addr2 (a later wake of addr2 wakes them); with cmp, first -EAGAIN
     * unless *addr == *cmp, atomically with the waiters' own check.
     * Returns the number woken and moved. flags: PAL_FUTEX_PRIVATE (the
     * process's own futex, as futex_wait_private). -ENOSYS where an
     * address is out of this call's reach (shared memory of other
     * enclaves): the libOS then wakes every waiter instead. */
    long (*futex_requeue)(uint32_t *addr, int n_wake, uint32_t *addr2, int n_requeue,
                          const uint32_t *cmp, int flags);
};

#define PAL_FUTEX_PRIVATE 1 /* futex_requeue: FUTEX_PRIVATE_FLAG */

#define PAL_TTY_QUIET 1 /* tty_ioctl: the program ignores or blocks SIGTTOU */

#define PAL_AFFINITY_BYTES 128 /* 1024 CPUs */

/* signal_sender's answer. */
struct pal_sender {
    int32_t code; /* SI_USER 0, SI_QUEUE -1, SI_TKILL -6 */
    int32_t pid;  /* the sender's id in the program's namespace */
    uint32_t uid, pad;
    uint64_t value; /* si_value */
};

#define PAL_XATTR_GET 0
#define PAL_XATTR_SET 1
#define PAL_XATTR_LIST 2
#define PAL_XATTR_REMOVE 3
#define PAL_XATTR_SIZE_MAX 61440 /* an OCALL's largest transfer (Linux's is 65536) */

/* pwrite_flags' flags (Linux's RWF_* values). */
#define PAL_RWF_DSYNC 0x2
#define PAL_RWF_SYNC 0x4
#define PAL_RWF_APPEND 0x10
#define PAL_RWF_NOAPPEND 0x20
#define PAL_RWF_WRITE_ALL (PAL_RWF_DSYNC | PAL_RWF_SYNC | PAL_RWF_APPEND | PAL_RWF_NOAPPEND)

/* timer_set flags (as timerfd_settime(2)'s). */
#define PAL_TIMER_ABSTIME 1
#define PAL_TIMER_CANCEL_ON_SET 2

#define PAL_SEAL_MRENCLAVE 1
#define PAL_SEAL_MRSIGNER 2

/* host_signal's signo carries this bit when the signal was sent by another
 * process of the program's pid namespace rather than by the host, the
 * kernel or the process itself: process 1 ignores such a signal unless it
 * has a handler for it, as a Linux pid namespace's init does. */
#define PAL_SIGNAL_FROM_INSIDE 0x100
/* host_signal's signo carries this bit for a SIGCHLD the host sent
 * because a child stopped or continued (not ended): a program whose
 * SIGCHLD action has SA_NOCLDSTOP does not get it. */
#define PAL_SIGNAL_CHILD_STATE 0x200

/* process_wait's option for waitid(2) without WEXITED: an ended child is
 * not reported (nor reaped). */
#define PAL_WAIT_NO_EXITED 0x10

/* process_sched's ops. */
#define PAL_SCHED_GET_NICE 0
#define PAL_SCHED_SET_NICE 1
#define PAL_SCHED_GET_POLICY 2
#define PAL_SCHED_SET_POLICY 3 /* value: the policy, SCHED_OTHER/BATCH/IDLE */

#define PAL_UTIME_NOW (-1)  /* set this time to the current time */
#define PAL_UTIME_OMIT (-2) /* leave this time unchanged */

/* True when api (of the given size as the PAL reported it) has member m. */
#define PAL_HAS(api, m) \
    ((api)->size >= offsetof(struct pal_api, m) + sizeof((api)->m) && (api)->m != NULL)

/* What the PAL hands the libOS at start. Everything here is a copy the
 * libOS may keep; pointers stay valid for the life of the process. */
struct pal_boot {
    uint32_t version; /* PAL_API_VERSION */
    /* PAL_BOOT_* bits (fills what was padding: the layout is unchanged). */
    uint32_t flags;
    const uint8_t *manifest; /* canonical protobuf blob (geode_manifest.proto) */
    size_t manifest_len;
    /* Host command line after the manifest path, and the host environment.
     * The libOS uses them only when the manifest allows it. */
    int argc;
    const char *const *argv;
    const char *const *envp;
    void *libos_base; /* where the libOS image is loaded, and its span */
    size_t libos_size;
    pal_handle stdio[3];
    uint32_t cpu_count;
    uint64_t hwcap, hwcap2; /* for AT_HWCAP / AT_HWCAP2 */
    /* The PAL's code: where it issues host syscalls (direct), or its whole
     * image (SGX). A fault reported with rip in this range happened while
     * the PAL copied a buffer the libOS handed it, and is handled like one
     * in libOS code (a bad program pointer inside a syscall: EFAULT). */
    uint64_t pal_text_lo, pal_text_hi;
};

/* pal_boot.flags: the libOS runs inside an enclave, where the host is not
 * trusted: it enforces sgx.trusted_files / allowed_files / file_check_policy
 * on host files (a PAL outside an enclave leaves the bit clear, and the
 * manifest's file lists are then not checked, as with gramine-direct). */
#define PAL_BOOT_ENCLAVE 1u

/* The libOS image's ELF entry point has this type. It does not return. */
typedef void (*libos_entry_fn)(const struct pal_api *pal, const struct pal_boot *boot);

#endif
