/* The OCALLs behind the trusted PAL's `struct pal_api` (pal/include/pal.h):
 * numbers and the layout of each one's input and output in the OCALL frame
 * (enclave_abi.h: struct ocall_frame, at most OCALL_MAX_DATA bytes each way).
 * Freestanding: included by the enclave and by the host runtime.
 *
 * Every PAL OCALL's input starts with struct ocall_args (six signed 64-bit
 * arguments, named a0..a5 below), followed by the variable part named in the
 * table ("str" = a NUL-terminated string whose length, NUL included, is in the
 * argument named; "bytes" = raw bytes). The result is the frame's `result`:
 * >= 0 success, -errno failure. The output, when there is one, is raw bytes
 * of at most out_cap; the enclave checks every size and value it reads back
 * (copy-and-check: nothing the host writes is used unchecked).
 *
 * Handles are host file descriptors; the enclave accepts 0 <= h < OCALL_MAX_HANDLE.
 *
 * The host performs exactly the named operation with these arguments: it is
 * never a generic syscall proxy, and it never follows pointers from the
 * enclave (there are none in these frames). */
#ifndef GEODE_OCALL_ABI_H
#define GEODE_OCALL_ABI_H

#include <stdint.h>

struct ocall_args {
    int64_t a[6];
};

#define OCALL_MAX_HANDLE (1 << 20)
/* Largest payload of one read/write-like OCALL: the frame's data area less
 * the arguments and a path. Longer transfers are split by the enclave. */
#define OCALL_MAX_IO 61440
/* Largest payload of one socket send/recv OCALL: a whole UDP datagram
 * (65,507 bytes over IPv4, 65,527 over IPv6) goes in one, as it must. */
#define OCALL_MAX_SOCK_IO 65536
/* Ancillary data of one sendmsg/recvmsg OCALL (253 descriptors and more). */
#define OCALL_MSG_CONTROL_MAX 1024

/* The ancillary data both sides accept (OCALL_SOCK_SENDMSG/RECVMSG): whole
 * Linux cmsgs (x86-64: u64 length, i32 level, i32 type, data; each padded
 * to 8), level SOL_SOCKET (1), type SCM_RIGHTS (1) with descriptors
 * 0 <= fd < OCALL_MAX_HANDLE, or SCM_CREDENTIALS (2). 1 or 0. */
/* The control messages that travel: SCM_RIGHTS (handles, checked below)
 * and SCM_CREDENTIALS, the receive timestamps (SCM_TIMESTAMP,
 * SCM_TIMESTAMPNS, SCM_TIMESTAMPING), and the IP, IPv6 and UDP levels'
 * (a TTL, a hop limit, a traffic class, packet info, a GSO segment size):
 * plain data, which the host sees anyway. */
static inline int ocall_control_kind_ok(int32_t level, int32_t type)
{
    if (level == 1)
        return type == 1 || type == 2 || type == 29 || type == 35 || type == 37;
    return level == 0 || level == 41 || level == 17;
}

static inline int ocall_control_ok(const uint8_t *c, uint64_t len)
{
    for (uint64_t off = 0; off < len;) {
        uint64_t clen;
        int32_t level, type, fd;

        if (len - off < 16)
            return 0;
        __builtin_memcpy(&clen, c + off, 8);
        __builtin_memcpy(&level, c + off + 8, 4);
        __builtin_memcpy(&type, c + off + 12, 4);
        if (clen < 16 || clen > len - off || !ocall_control_kind_ok(level, type))
            return 0;
        for (uint64_t i = 16; type == 1 && i + 4 <= clen; i += 4) {
            __builtin_memcpy(&fd, c + off + i, 4);
            if (fd < 0 || fd >= (1 << 20))
                return 0;
        }
        off += (clen + 7) & ~7ULL;
    }
    return 1;
}

/* --- files and directories: 16..47 (pal_fs.c / urts_ocall_fs.c) --- */
enum ocall_fs {
    OCALL_FS_FIRST = 16,
    /* a0 flags (Linux O_*, with PAL_O_NOSYMLINKS), a1 mode, a2 path len; str path -> fd */
    OCALL_FILE_OPEN = 16,
    OCALL_CLOSE = 17,     /* a0 h */
    OCALL_READ = 18,      /* a0 h, a1 len (<= OCALL_MAX_IO); out bytes -> count */
    OCALL_WRITE = 19,     /* a0 h, a1 len; bytes -> count (<= len) */
    OCALL_PREAD = 20,     /* a0 h, a1 len, a2 off; out bytes -> count */
    /* a0 h, a1 len, a2 off (-1 with a3: the position), a3 0 or RWF_DSYNC/
     * SYNC/APPEND/NOAPPEND (pwritev2); bytes -> count */
    OCALL_PWRITE = 21,
    OCALL_SEEK = 22,      /* a0 h, a1 off, a2 whence -> new position */
    OCALL_STAT = 23,      /* a0 nofollow (| PAL_STAT_NOSYMLINKS), a1 path len; str path; out struct pal_stat */
    OCALL_FSTAT = 24,     /* a0 h; out struct pal_stat */
    OCALL_READDIR = 25,   /* a0 h, a1 len; out linux_dirent64 records -> bytes (0 at the end) */
    OCALL_MKDIR = 26,     /* a0 mode, a1 path len; str path */
    OCALL_UNLINK = 27,    /* a0 is_dir, a1 path len; str path */
    OCALL_RENAME = 28,    /* a0 from len, a1 to len; str from, str to */
    OCALL_FTRUNCATE = 29, /* a0 h, a1 len */
    OCALL_FSYNC = 30,     /* a0 h */
    OCALL_CHMOD = 31,     /* a0 mode, a1 path len; str path */
    OCALL_READLINK = 32,  /* a0 buf len, a1 path len; str path; out bytes (not NUL-terminated) -> length */
    OCALL_SYMLINK = 33,   /* a0 target len, a1 path len; str target, str path */
    OCALL_ACCESS = 34,    /* a0 mode, a1 path len; str path */
    OCALL_NONBLOCK = 35,  /* a0 h, a1 on */
    /* a0 h, a1 request (pal_ioctl.h), a2 size or value, a3 flags
     * (PAL_TTY_QUIET); in or out bytes. TIOCGPGRP, TIOCSPGRP, TIOCGSID:
     * ids of the program's namespace (0..OCALL_PROCS_ID_MAX - 1 out) */
    OCALL_TTY_IOCTL = 36,
    OCALL_LINK = 37,      /* a0 from len, a1 to len; str from, str to */
    OCALL_UTIMES = 38,    /* a0 atime, a1 mtime (ns or PAL_UTIME_*), a2 nofollow, a3 path len; str path */
    OCALL_STATFS = 39,    /* a0 path len; str path; out struct pal_statfs */
    OCALL_FSTATFS = 40,   /* a0 h; out struct pal_statfs */
    OCALL_FS_LAST = 47,
};

/* --- pipes, sockets, readiness: 48..79 (pal_net.c / urts_ocall_net.c) --- */
enum ocall_net {
    OCALL_NET_FIRST = 48,
    OCALL_PIPE = 48,         /* a0 flags; out int64_t[2] handles */
    OCALL_SOCK_CREATE = 49,  /* a0 domain, a1 type, a2 protocol -> fd */
    OCALL_SOCK_PAIR = 50,    /* a0 domain, a1 type, a2 protocol; out int64_t[2] handles */
    OCALL_SOCK_BIND = 51,    /* a0 h, a1 addr len (<= 128); bytes addr */
    OCALL_SOCK_LISTEN = 52,  /* a0 h, a1 backlog */
    /* a0 h, a1 flags, a2 addr capacity (<= 128); out addr bytes -> new fd;
     * the address length is out_size */
    OCALL_SOCK_ACCEPT = 53,
    OCALL_SOCK_CONNECT = 54, /* a0 h, a1 addr len; bytes addr */
    /* a0 h, a1 len, a2 flags, a3 addr len (0: none); bytes addr, bytes data -> count */
    OCALL_SOCK_SEND = 55,
    /* a0 h, a1 len, a2 flags, a3 addr capacity (0: not wanted); out: uint64_t
     * addr length, 128 bytes of address, then the data -> count */
    OCALL_SOCK_RECV = 56,
    OCALL_SOCK_SHUTDOWN = 57, /* a0 h, a1 how */
    OCALL_SOCK_SETOPT = 58,   /* a0 h, a1 level, a2 name, a3 len (<= 256); bytes value */
    OCALL_SOCK_GETOPT = 59,   /* a0 h, a1 level, a2 name, a3 capacity (<= 256); out value -> 0 */
    OCALL_SOCK_NAME = 60,     /* a0 h, a1 peer, a2 capacity (<= 128); out addr -> 0 */
    /* a0 n (<= 1024), a1 timeout ns (-1 forever); bytes struct pal_pollfd[n];
     * out int16_t revents[n] -> ready count */
    OCALL_POLL = 61,
    OCALL_WAITSET_CREATE = 62, /* -> a new epoll fd (EPOLL_CLOEXEC) */
    /* a0 ws, a1 op (EPOLL_CTL_*), a2 h, a3 events (32 bits), a4 key -> 0 */
    OCALL_WAITSET_CTL = 63,
    /* a0 ws, a1 n (1..OCALL_WAIT_MAX), a2 timeout ns (-1 forever); out struct
     * ocall_wait_event[count] -> count */
    OCALL_WAITSET_WAIT = 64,
    /* sendmsg(2) with ancillary data: a0 h, a1 len, a2 flags, a3 addr len
     * (<= 128), a4 control len (<= OCALL_MSG_CONTROL_MAX); bytes addr then
     * control (Linux cmsgs: SOL_SOCKET SCM_RIGHTS with host handles, or
     * SCM_CREDENTIALS), bytes data -> count */
    OCALL_SOCK_SENDMSG = 65,
    /* recvmsg(2): a0 h, a1 len, a2 flags, a3 addr capacity (0 or 128), a4
     * control capacity (<= OCALL_MSG_CONTROL_MAX); out: uint64_t addr
     * length, 128 bytes of address, uint64_t control length, uint64_t
     * msg_flags, OCALL_MSG_CONTROL_MAX bytes of control (received handles
     * close-on-exec), then the data -> count */
    OCALL_SOCK_RECVMSG = 66,
    OCALL_HANDLE_DUP = 67, /* a0 h -> a new fd of its open file (F_DUPFD_CLOEXEC) */
    /* a0 initval (32 bits), a1 flags (O_NONBLOCK, EFD_SEMAPHORE = 1) -> a new
     * eventfd (EFD_CLOEXEC); only with sys.insecure__allow_eventfd */
    OCALL_EVENTFD = 68,
    OCALL_NET_LAST = 79,
};

/* Events one OCALL_WAITSET_WAIT returns at most (the libOS asks 512). */
#define OCALL_WAIT_MAX 512

/* One ready registration on the wire (OCALL_WAITSET_WAIT). */
struct ocall_wait_event {
    uint32_t events, pad;
    uint64_t key;
};

/* --- process, time, threads: 80..111 (pal_proc.c / urts_ocall_proc.c) --- */
enum ocall_proc {
    OCALL_PROC_FIRST = 80,
    OCALL_LOG = 80,          /* bytes message -> 0 */
    /* a0 status, then optionally bytes struct enclave_stats (the enclave's
     * own counts, for the host's debug log: informational only): the host
     * ends the process; never returns */
    OCALL_EXIT = 81,
    OCALL_KILL_SELF = 82,    /* a0 signo: the host ends the process as killed by signo */
    OCALL_CLOCK_GET = 83,    /* a0 clock; out int64_t ns */
    OCALL_SLEEP = 84,        /* a0 ns -> 0 or -EINTR */
    OCALL_ALARM = 85,        /* a0 value ns, a1 interval ns; out int64_t[2] old value, old interval */
    OCALL_YIELD = 86,
    OCALL_THREAD_ID = 87,    /* -> host tid */
    OCALL_PROCESS_ID = 88,   /* -> host pid */
    OCALL_CPUID = 89,        /* a0 leaf, a1 subleaf; out uint32_t[4] eax ebx ecx edx */
    /* a0 slot (1 <= slot < TCS count): a new host thread enters TCS slot
     * with ECALL_THREAD -> its host tid */
    OCALL_THREAD_START = 90,
    /* a0 host address of the calling thread's futex word (the one its
     * ECALL gave), a1 expected value, a2 timeout ns (-1 forever) -> 0,
     * -EAGAIN, -ETIMEDOUT or -EINTR (futex(2) FUTEX_WAIT) */
    OCALL_FUTEX_WAIT = 91,
    OCALL_FUTEX_WAKE = 92,   /* a0 host address of a thread's futex word -> woken (0 or 1) */
    /* a0 address, a1 length (page aligned, inside the enclave), a2 PROT_*
     * bits: the host page-table permissions of enclave pages (mprotect),
     * so PROT_NONE reservations and guard pages fault as on Linux; the
     * EPCM permissions (RWX for the heap on SGX1) stay as they are */
    OCALL_MPROTECT = 93,
    /* The host forks its process; the host child builds a new enclave
     * from the same pages and SIGSTRUCT and enters the calling thread's
     * TCS with ECALL_FORK (pal_fork.c). out int64_t[2]: the child's
     * process id, the handle of the parent's end of the channel */
    OCALL_FORK = 94,
    OCALL_FORK_ABORT = 95, /* a0 child id (from OCALL_FORK): the host ends and reaps it */
    /* SGX2 (EDMM, pal/sgx/enclave/edmm.c): a0 enum ocall_edmm_op, a1
     * address, a2 length (page aligned, inside the enclave), a3 SECINFO
     * permissions (RESTRICT) -> 0 or -errno. The enclave trusts none of
     * it: every page is EACCEPTed and the result checked. */
    OCALL_EDMM = 108,
    /* timerfd: a0 clock -> a host timerfd (non-blocking); the enclave reads
     * its counts with OCALL_READ */
    OCALL_TIMERFD_CREATE = 96,
    /* a0 h, a1 flags (TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET), a2 value
     * ns, a3 interval ns; out int64_t[2] old value, old interval */
    OCALL_TIMERFD_SETTIME = 97,
    OCALL_TIMERFD_GETTIME = 98, /* a0 h; out int64_t[2] value, interval */
    /* inotify: -> a host inotify fd (non-blocking); the enclave reads and
     * checks its records with OCALL_READ */
    OCALL_INOTIFY_INIT = 99,
    OCALL_INOTIFY_ADD = 100, /* a0 h, a1 mask; bytes the host path (NUL-terminated) -> wd */
    OCALL_INOTIFY_RM = 101,  /* a0 h, a1 wd -> 0 */
    /* a0 who (getrusage(2)'s RUSAGE_SELF 0, _THREAD 1, _CHILDREN -1); out
     * int64_t[2] user and system CPU time in ns */
    OCALL_RUSAGE = 102,
    OCALL_CLOCK_RES = 103,   /* a0 clock; out int64_t ns (clock_getres) */
    /* a0 signo (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU): the host stops its
     * process by signo's default action and answers once a SIGCONT has
     * continued it (at once when the host discards the stop) -> 0 */
    OCALL_STOP_SELF = 104,
    /* a0 signo (SIGTTIN, SIGTTOU), a1 1: the program ignores it, so the
     * host ignores it too (its terminal then fails a background read with
     * EIO and allows a change, sending no signal); 0: no longer -> 0 */
    OCALL_SIGNAL_IGNORE = 105,
    /* a0 host tid of a thread of this process: the host sends it its kick
     * signal (SIGURG), which ends the blocking host call of an OCALL it
     * serves, or its next one, with EINTR, and makes it leave enclave code
     * by an AEX (pal.h thread_wake) -> 0 */
    OCALL_THREAD_WAKE = 106,
    /* a0 signo (SIGTTIN, SIGTTOU), a1 1: block it on this host thread (the
     * enclave thread's own: never an exitless worker), 0: unblock -> 0 */
    OCALL_SIGNAL_HOST_BLOCK = 107,
    OCALL_PROC_LAST = 111,
};

enum ocall_edmm_op {
    OCALL_EDMM_AUGMENT = 0,  /* EAUG every page not in the enclave (a host access to each) */
    OCALL_EDMM_RESTRICT = 1, /* SGX_IOC_ENCLAVE_RESTRICT_PERMISSIONS to a3 */
    OCALL_EDMM_TRIM = 2,     /* SGX_IOC_ENCLAVE_MODIFY_TYPES to PT_TRIM */
    OCALL_EDMM_REMOVE = 3,   /* SGX_IOC_ENCLAVE_REMOVE_PAGES */
};

/* --- more files: 112..127 (pal_fs.c / urts_ocall_fs.c, served as the fs
 * family; 16..47 is full) --- */
enum ocall_fs_more {
    OCALL_FS_MORE_FIRST = 112,
    OCALL_CHOWN = 112,     /* a0 uid, a1 gid (32-bit, -1: unchanged), a2 nofollow, a3 path len; str path */
    OCALL_FCHOWN = 113,    /* a0 h, a1 uid, a2 gid */
    /* a0 h, a1 cmd (F_GETLK.. F_OFD_SETLKW), a2 type, a3 whence, a4 start,
     * a5 len; the GETLK forms: out int64_t[5] type, whence, start, len, pid */
    OCALL_FILE_LOCK = 114,
    OCALL_FLOCK = 115,     /* a0 h, a1 op (LOCK_SH/EX/UN | LOCK_NB) */
    OCALL_FALLOCATE = 116, /* a0 h, a1 mode, a2 off, a3 len */
    OCALL_FADVISE = 117,   /* a0 h, a1 off, a2 len, a3 advice */
    OCALL_MKNOD = 118,     /* a0 mode (S_IFIFO or S_IFREG | bits), a1 path len; str path */
    OCALL_FDATASYNC = 119, /* a0 h */
    OCALL_SYNC = 120,      /* a0 h (syncfs), or -1 (sync) */
    OCALL_PIPE_SIZE = 121, /* a0 h, a1 size (-1: F_GETPIPE_SZ, else F_SETPIPE_SZ) -> capacity */
    /* a0 h, a1 flags (-1: F_GETFL -> flags; else O_APPEND/O_NONBLOCK/
     * O_DIRECT/O_NOATIME set as in a1, F_SETFL -> 0) */
    OCALL_FILE_FLAGS = 122,
    /* a0 h, a1 on (0/1): O_ASYNC on the host handle, the calling process
     * its owner (the host's SIGIO is forwarded to the enclave) */
    OCALL_FILE_ASYNC = 123,
    OCALL_RENAME_FLAGS = 124, /* a0 from len, a1 to len, a2 flags (1 or 2); str from, str to */
    OCALL_LINK_HANDLE = 125,  /* a0 h, a1 to len; str to */
    /* a0 in, a1 off_in (-1: its position; -2: tee(2), then a3 is ignored),
     * a2 out, a3 off_out (-1: its position), a4 len, a5 SPLICE_F_* -> count */
    OCALL_SPLICE = 126,
    /* a0 op (PAL_XATTR_GET/SET/LIST/REMOVE), a1 h (-1: a path), a2 path
     * len (0: the handle), a3 name len (0 for LIST), a4 size (<=
     * OCALL_MAX_IO: the value's for SET, the buffer's for GET/LIST), a5
     * flags (SET); str path, str name, bytes value (SET); out bytes (GET,
     * LIST, when a4 > 0) -> length (GET, LIST) or 0 */
    OCALL_XATTR = 127,
    OCALL_FS_MORE_LAST = 127,
};

/* --- the program's processes: 128..159 (pal_procs.c / urts_ocall_procs.c).
 * Every id is one of the program's pid namespace (pal.h): the host
 * translates it through the namespace it shares with the other processes of
 * the tree (pal/direct/pidns.h), so it can name no host process outside
 * the tree. Valid ids are 0 < id < OCALL_PROCS_ID_MAX; "proc" below may
 * also be 0 (the caller), -1 or -pgid where pal.h says so. --- */
#define OCALL_PROCS_ID_MAX (1 << 22) /* Linux's largest pid_max */
#define OCALL_PROCS_LIST_MAX 4096    /* ids one OCALL_PROCS_LIST returns at most */
#define OCALL_FS_IDS_GROUPS_MAX 4096 /* supplementary groups of one OCALL_PROCS_SET_FS_IDS */
#define OCALL_FORK_BULK_MAX (4 << 20) /* bytes of one OCALL_PROCS_FORK_SEND/RECV */
enum ocall_procs {
    OCALL_PROCS_FIRST = 128,
    /* a0 child (-1 any, > 0 id, 0 own group, < -1 -pgid), a1 options
     * (WNOHANG 1, WUNTRACED 2, WCONTINUED 8, PAL_WAIT_NO_EXITED 0x10,
     * WNOWAIT 0x01000000); out int32_t Linux wait status -> the child's
     * id, 0 (WNOHANG: none ready yet) */
    OCALL_PROCS_WAIT = 128,
    OCALL_PROCS_SIGNAL = 129,    /* a0 proc (> 0, 0, -1, -pgid), a1 signo (0..64) -> 0 */
    OCALL_PROCS_ID = 130,        /* -> the caller's id */
    OCALL_PROCS_PARENT = 131,    /* -> the parent's id, 0 when outside the tree */
    OCALL_PROCS_SETPGID = 132,   /* a0 proc (0: the caller), a1 pgid (0: proc's own) -> 0 */
    OCALL_PROCS_GETPGID = 133,   /* a0 proc (0: the caller) -> group id (0: outside the tree) */
    OCALL_PROCS_SETSID = 134,    /* -> the new session's id */
    OCALL_PROCS_GETSID = 135,    /* a0 proc (0: the caller) -> session id (0: outside the tree) */
    OCALL_PROCS_TID_ALLOC = 136, /* -> a new thread id owned by the caller */
    OCALL_PROCS_TID_FREE = 137,  /* a0 thread id (the caller's) -> 0 */
    OCALL_PROCS_ID_OWNER = 138,  /* a0 id -> its process's id */
    OCALL_PROCS_OPEN = 139,      /* a0 process id -> a host pidfd (handle) */
    OCALL_PROCS_INFO = 140,      /* a0 proc (0: the caller); out struct pal_proc_info -> 0 */
    /* a0 owner (0: processes, else that process's threads), a1 max
     * (<= OCALL_PROCS_LIST_MAX); out int32_t ids[min(count, max)] -> count */
    OCALL_PROCS_LIST = 141,
    OCALL_PROCS_SET_NAME = 142,  /* a0 name len (1..16); str name -> 0 */
    OCALL_PROCS_PDEATHSIG = 143, /* a0 signo (0: none) -> 0 */
    /* a0 fsuid, a1 fsgid, a2 n (<= OCALL_FS_IDS_GROUPS_MAX); bytes uint32_t
     * groups[n]: setgroups, setfsgid, setfsuid of the calling host thread
     * (and of the exitless workers before their next call) -> 0, -EPERM
     * when the host user cannot (nothing changed then) */
    OCALL_PROCS_SET_FS_IDS = 144,
    /* The fork stream in bulk (pal_fork.c): a0 h (a socket), a1 addr, a2
     * len (1..OCALL_FORK_BULK_MAX): [addr, addr + len) lies inside one
     * mapping the host made for OCALL_SHM_MAP (-EINVAL elsewhere); the host
     * writes all of it to h -> 0 */
    OCALL_PROCS_FORK_SEND = 145,
    /* a0 h, a1 addr, a2 cap (1..OCALL_FORK_BULK_MAX), the range as for
     * OCALL_PROCS_FORK_SEND: the host reads what h holds (blocking for at
     * least one byte) into it -> count (<= cap; 0: end of stream) */
    OCALL_PROCS_FORK_RECV = 146,
    /* a0 proc (0: the calling thread), a1 op (PAL_SCHED_*) << 32 | the
     * value (uint32_t) -> 20 - the nice value, or the policy, or 0 */
    OCALL_PROCS_SCHED = 147,
    OCALL_PROCS_SUBREAPER = 148, /* a0 on (0 or 1) -> 0: PR_SET_CHILD_SUBREAPER */
    /* a0 proc (> 0) or 0, a1 host tid (a thread of the caller's process)
     * when a0 is 0, a2 set; set: bytes mask (PAL_AFFINITY_BYTES); get:
     * out mask (PAL_AFFINITY_BYTES) -> 0 */
    OCALL_PROCS_AFFINITY = 149,
    /* a0 signo (1..64): the oldest sender the host recorded of a signal
     * another process of the tree sent (kill, tkill, sigqueue), taken off
     * its queue; out struct ocall_signal_sender -> 1, or 0 when none is
     * queued (then `lost` says how many the queue could not hold, now 0) */
    OCALL_PROCS_SIGNAL_SENDER = 150,
    /* a0 proc (> 0), a1 signo (1..64), a2 si_code (< 0, not SI_TKILL), a3
     * si_value -> 0: sigqueue(3) to a process of the tree */
    OCALL_PROCS_SIGQUEUE = 151,
    /* a0 code (0..255) -> the id of a new child of the caller that has
     * already exited with that code (_exit(code)): a vfork child that
     * exits before it execs, which needs no enclave of its own */
    OCALL_PROCS_EXITED = 152,
    OCALL_PROCS_LAST = 159,
};

struct ocall_signal_sender {
    int32_t code;  /* SI_USER 0, SI_QUEUE -1, SI_TKILL -6 */
    int32_t pid;   /* the sender's id in the namespace */
    uint32_t uid;
    uint32_t more; /* senders still queued after this one */
    uint64_t value;
    uint32_t lost; /* with no sender (0 returned): instances not queued */
    uint32_t pad;
};

/* --- memory shared between processes through the host: 160..175
 * (pal_shm.c / urts_ocall_shm.c). The host mmaps MAP_SHARED outside the
 * enclave and keeps a table of what it mapped; unmap, protect and the
 * futex calls act only inside those mappings (-EINVAL elsewhere), so the
 * enclave cannot make the host unmap its own memory. --- */
enum ocall_shm {
    OCALL_SHM_FIRST = 160,
    /* a0 h (-1: anonymous), a1 len, a2 off, a3 prot -> the mapping's host
     * address (page aligned; the enclave checks it is wholly outside) */
    OCALL_SHM_MAP = 160,
    OCALL_SHM_UNMAP = 161,   /* a0 addr, a1 len -> 0 */
    OCALL_SHM_PROTECT = 162, /* a0 addr, a1 len, a2 prot -> 0 */
    /* a0 addr (4-aligned, in a mapping), a1 val, a2 timeout ns (-1:
     * none) -> 0, -EAGAIN, -ETIMEDOUT, -EINTR (futex(2) FUTEX_WAIT, shared) */
    OCALL_SHM_FUTEX_WAIT = 163,
    OCALL_SHM_FUTEX_WAKE = 164, /* a0 addr, a1 n -> woken (0..n) */
    OCALL_SHM_LAST = 175,
};

/* --- attestation: 192..207 (pal_attest.c / urts_quote.c). The host asks
 * the quoting enclave of the platform (the AESM service on hardware, the
 * sim's quoting enclave in the sim) for its TARGETINFO, and for a quote of
 * a REPORT the enclave made for that target; the kind of quote (EPID or
 * DCAP) is the manifest's sgx.remote_attestation, which the host read. The
 * enclave trusts neither answer: a wrong TARGETINFO only gets a REPORT the
 * quoting enclave refuses, and a quote is taken only when it carries the
 * enclave's own report body with the requested report data. --- */
#define OCALL_QUOTE_MAX 8192 /* Gramine's QUOTE_MAX_SIZE */
enum ocall_attest {
    OCALL_ATTEST_FIRST = 192,
    OCALL_ATTEST_QE_TARGET = 192, /* out 512-byte TARGETINFO -> 0 */
    /* bytes 432-byte REPORT; out quote (<= OCALL_QUOTE_MAX) -> its size */
    OCALL_ATTEST_QUOTE = 193,
    OCALL_ATTEST_LAST = 207,
};

#endif
