/* Syscall handlers: one file per family, wired in entry/syscall.c. Each
 * takes the six raw arguments (and the interrupted context for the few that
 * need it) and returns the result or a negative errno. */
#ifndef GEODE_LIBOS_SYS_H
#define GEODE_LIBOS_SYS_H

#include "libos.h"

struct sc_args {
    uint64_t a[6];
    struct pal_context *ctx;
};

typedef long (*sys_fn)(struct sc_args *);

#define SYS(name) long sys_##name(struct sc_args *args __attribute__((unused)))
#define A(i) (args->a[i])
#define PTR(i) ((void *)args->a[i])

/* fs_io.c */
SYS(read); SYS(write); SYS(readv); SYS(writev); SYS(pread64); SYS(pwrite64);
SYS(lseek); SYS(close); SYS(dup); SYS(dup2); SYS(dup3); SYS(fcntl); SYS(ioctl);
SYS(pipe); SYS(pipe2); SYS(ftruncate); SYS(truncate); SYS(fsync); SYS(fdatasync);
/* fs_path.c */
SYS(open); SYS(openat); SYS(stat); SYS(lstat); SYS(fstat); SYS(newfstatat); SYS(statx);
SYS(access); SYS(faccessat); SYS(faccessat2); SYS(readlink); SYS(readlinkat);
/* fs_dir.c */
SYS(getdents64); SYS(getdents); SYS(getcwd); SYS(chdir); SYS(fchdir); SYS(mkdir); SYS(mkdirat);
SYS(rmdir); SYS(unlink); SYS(unlinkat); SYS(rename); SYS(renameat); SYS(renameat2);
SYS(chmod); SYS(fchmod); SYS(fchmodat); SYS(umask); SYS(symlink); SYS(symlinkat); SYS(link); SYS(linkat);
/* The process's umask (fs_dir.c), for /proc/<pid>/status. */
uint32_t umask_get(void);
/* A vfork child's umask (sys/vfork.c): a copy of the process's that the
 * thread the child runs on sees; adopt makes it the process's. */
void umask_fork_child(void);
void umask_child_adopt(void);
/* fs_attr.c */
SYS(utimensat);
/* statfs.c */
SYS(statfs); SYS(fstatfs);
/* mem.c */
SYS(brk); SYS(mmap); SYS(munmap); SYS(mprotect); SYS(msync);
/* mem_remap.c */
SYS(madvise); SYS(mremap);
SYS(mincore); SYS(mlock); SYS(munlock); SYS(mlock2); SYS(mlockall); SYS(munlockall);
SYS(pkey_alloc); SYS(pkey_free); SYS(pkey_mprotect);
/* proc.c */
SYS(exit); SYS(exit_group); SYS(getpid); SYS(getppid); SYS(gettid); SYS(uname); SYS(arch_prctl);
SYS(set_tid_address); SYS(set_robust_list); SYS(rseq); SYS(prlimit64); SYS(getrlimit);
SYS(setrlimit); SYS(sysinfo); SYS(prctl); SYS(sched_getaffinity); SYS(sched_yield);
SYS(getcpu);
/* pgrp.c */
SYS(getpgrp); SYS(getpgid); SYS(setpgid); SYS(getsid); SYS(setsid);
long pgrp_kill(int pid, int sig);
/* pidns.c: the program's pid namespace (the PAL's, when it keeps one). */
bool ns_enabled(void);
/* True when id is the calling process or one of its threads. */
bool ns_own_id(int id);
/* A thread id that collides with no process or thread id; its release. */
long ns_tid_alloc(void);
void ns_tid_free(int tid);
/* Stores up to max ids of the process's threads other than its first;
 * returns how many there are (pal.h, process_list). */
long ns_thread_ids(int32_t *ids, size_t max);
/* True when the first process must ignore sig (from_inside: sent by
 * another process of the namespace): it has no handler for it. */
bool ns_init_ignores(int sig, bool from_inside);
/* pidfd.c */
SYS(pidfd_open); SYS(pidfd_send_signal);
/* The process id a pidfd refers to, or -EBADF / -EINVAL. */
long pidfd_pid(int fd);
/* time.c */
SYS(clock_gettime); SYS(clock_getres); SYS(gettimeofday); SYS(time); SYS(nanosleep);
SYS(clock_settime); SYS(settimeofday);
SYS(clock_nanosleep); SYS(getrandom);
/* signal.c */
SYS(rt_sigaction); SYS(rt_sigprocmask); SYS(sigaltstack); SYS(kill); SYS(tgkill);
SYS(tkill); SYS(rt_sigreturn); SYS(rt_sigpending); SYS(rt_sigtimedwait);
SYS(rt_sigqueueinfo); SYS(rt_tgsigqueueinfo);
/* Passes r through; when it is -EPIPE (a write to a pipe or stream socket
 * without reader), SIGPIPE is raised in the writer first, as signal(7)
 * says (sockets: unless MSG_NOSIGNAL, which the caller checks). */
long signal_epipe(long r);
/* kill(pid, sig) for pid > 0: the caller, or another process. */
long signal_send(int pid, int sig);
/* futex.c */
SYS(futex);
/* socket.c */
SYS(socket); SYS(socketpair); SYS(bind); SYS(connect); SYS(listen); SYS(accept);
SYS(accept4); SYS(getsockname); SYS(getpeername); SYS(shutdown); SYS(setsockopt);
SYS(getsockopt); SYS(sendto); SYS(recvfrom); SYS(sendmsg); SYS(recvmsg);
/* poll.c, epoll.c */
SYS(poll); SYS(ppoll); SYS(select); SYS(pselect6); SYS(epoll_create); SYS(epoll_create1);
SYS(epoll_ctl); SYS(epoll_wait); SYS(epoll_pwait); SYS(epoll_pwait2);
/* clone.c */
SYS(clone); SYS(clone3); SYS(fork); SYS(vfork); SYS(wait4); SYS(waitid);
/* exec.c */
SYS(execve); SYS(execveat);
/* execve's lookup: the inside path of the program to load for path (a
 * "#!" script's interpreter, whose argv then leads with it), argv copied
 * from uargv; -EACCES for anything but a regular file. */
long exec_resolve(const char *path, char *inside, char ***argv, char *const *uargv);
/* timer.c */
SYS(setitimer); SYS(getitimer); SYS(alarm);
SYS(timer_create); SYS(timer_settime); SYS(timer_gettime); SYS(timer_getoverrun); SYS(timer_delete);
/* The host's SIGALRM: raises the signals of the timers that expired and
 * arms the next; false when no timer of the libOS was armed (the SIGALRM
 * came from elsewhere). */
bool ptimer_host_alarm(void);
/* time.c: a CPU-time clock id's thread for pal.h cpu_clock_get (-1 the
 * process, 0 the calling thread, else a host thread id), or -EINVAL. */
long cpu_clock_of(int clock, long *host_tid);
/* fork: the child has no timers; execve: the POSIX timers go. */
void timers_forked(void);
void timers_exec(void);
/* misc.c */
SYS(getrusage); SYS(times);
SYS(sched_setaffinity); SYS(close_range); SYS(unshare); SYS(rt_sigsuspend); SYS(pause);
/* creds.c */
SYS(getuid); SYS(geteuid); SYS(getgid); SYS(getegid); SYS(getresuid); SYS(getresgid);
SYS(setuid); SYS(setgid); SYS(setreuid); SYS(setregid); SYS(setresuid); SYS(setresgid);
SYS(setfsuid); SYS(setfsgid); SYS(getgroups); SYS(setgroups);
/* fs_lock.c: fcntl's record locks and owners, flock. */
SYS(flock);
long fcntl_lock(int fd, int cmd, void *arg);
long fcntl_owner(int fd, int cmd, uint64_t arg);
/* O_ASYNC on or off (F_SETFL, FIOASYNC): SIGIO from the host for host
 * handles; the caller updates f->flags on success. */
struct file;
long file_set_async(struct file *f, bool on);
/* fs_space.c */
SYS(fallocate); SYS(fadvise64); SYS(copy_file_range); SYS(sync); SYS(syncfs);
SYS(splice); SYS(tee); SYS(vmsplice); SYS(fchmodat2);
SYS(readahead); SYS(sync_file_range);
/* fs_io.c: vectors at offsets */
SYS(preadv); SYS(pwritev); SYS(preadv2); SYS(pwritev2);
/* fs_attr.c: old time calls, extended attributes, file handles */
SYS(utime); SYS(utimes); SYS(futimesat); SYS(setxattr); SYS(lsetxattr); SYS(fsetxattr);
SYS(getxattr); SYS(lgetxattr); SYS(fgetxattr); SYS(listxattr); SYS(llistxattr);
SYS(flistxattr); SYS(removexattr); SYS(lremovexattr); SYS(fremovexattr);
SYS(name_to_handle_at); SYS(open_by_handle_at);
/* fs_path.c */
SYS(openat2);
/* socket.c */
SYS(sendmmsg); SYS(recvmmsg);
/* misc.c: scheduling and small settings */
SYS(ioprio_get); SYS(ioprio_set); SYS(getpriority); SYS(setpriority); SYS(sched_get_priority_max); SYS(sched_get_priority_min);
SYS(sched_getscheduler); SYS(sched_getparam); SYS(sched_setscheduler); SYS(sched_setparam);
SYS(sched_rr_get_interval); SYS(sched_getattr); SYS(sched_setattr); SYS(personality); SYS(membarrier); SYS(syslog);
long prctl_more(struct sc_args *args);
/* A forked child: prctl settings that fork(2) does not inherit. */
void prctl_forked(void);
SYS(eperm);
/* creds.c: capabilities */
SYS(capget); SYS(capset);
/* fs_path.c, fs_dir.c */
SYS(creat); SYS(mknod); SYS(mknodat);
/* fs_owner.c */
SYS(chown); SYS(fchown); SYS(lchown); SYS(fchownat);
/* A file the program has just created on the host: given to its fsuid and
 * fsgid where the host lets Geode do it (see fs_owner.c). owner_new_needed
 * says whether there is anything to do (before a create that may find an
 * existing file, whose owner must not change). */
bool owner_new_needed(void);
void owner_new_file(struct file *f);
void owner_new_path(const char *inside);
/* eventfd.c */
SYS(eventfd); SYS(eventfd2);
/* memfd.c: fcntl F_ADD_SEALS / F_GET_SEALS; the private tmpfs of a libOS
 * memfd (NULL for other files); a libOS memfd sealed against writes
 * (F_SEAL_WRITE or F_SEAL_FUTURE_WRITE: no new writable shared mapping). */
SYS(memfd_create);
long fcntl_seals(int fd, int cmd, unsigned long arg);
struct tmpfs *memfd_tmpfs_of(const struct file *f);
bool memfd_write_sealed(const struct file *f);
/* inotify.c */
SYS(inotify_init); SYS(inotify_init1); SYS(inotify_add_watch); SYS(inotify_rm_watch);
/* signalfd.c */
SYS(signalfd); SYS(signalfd4);
/* A forked child's signalfds get readiness pipes of their own. */
void signalfd_after_fork(void);
/* timerfd.c */
SYS(timerfd_create); SYS(timerfd_settime); SYS(timerfd_gettime);
SYS(shmget); SYS(shmat); SYS(shmdt); SYS(shmctl);
/* sysv_sem.c */
SYS(semget); SYS(semop); SYS(semtimedop); SYS(semctl);
/* sysv_msg.c */
SYS(msgget); SYS(msgsnd); SYS(msgrcv); SYS(msgctl);
/* fs_io.c */
SYS(sendfile);


/* Runs one syscall for the program (entry/syscall.c). */
long syscall_dispatch(struct pal_context *ctx);
/* The name of syscall nr, or NULL. */
const char *syscall_name(uint64_t nr);

#endif
