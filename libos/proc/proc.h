/* The libOS's /proc: its namespace (proc.c), the contents of its process
 * files (proc_text.c) and of /proc/sys (proc_sys.c). */
#ifndef GEODE_LIBOS_PROC_PROC_H
#define GEODE_LIBOS_PROC_PROC_H

#include "core/process.h"
#include "fs/vfs.h"

enum proc_text {
    PROC_CPUINFO, PROC_MEMINFO, PROC_STAT, PROC_STATUS, PROC_MAPS, PROC_PID_STAT, PROC_COMM,
    PROC_CMDLINE, PROC_ENVIRON, PROC_UPTIME, PROC_LOADAVG, PROC_VERSION, PROC_FILESYSTEMS,
    PROC_MOUNTS, PROC_MOUNTINFO, PROC_LIMITS, PROC_STATM, PROC_AUXV, PROC_FDINFO, PROC_CGROUP,
    PROC_OOM_ADJ, PROC_NET,
};

/* Whose file: pid is the process, tid the thread shown (pid itself for
 * /proc/<pid>/...). */
struct proc_who {
    int pid, tid;
};

/* The text of a generated file (heap-allocated, *len bytes); NULL when out
 * of memory or when the process has gone (*len is then 0). */
char *proc_text(enum proc_text which, struct proc_who who, size_t *len);

/* True when pid is a process of the program's tree other than the
 * caller (the PAL knows it). */
bool proc_other_exists(int pid);

/* At start (main.c): the boot id, the start time, the process's name. */
void proc_init(const Geode__Manifest *m);

/* At start: the boot id and threads-max (proc_sys.c). */
void proc_sys_init(const Geode__Manifest *m);

/* /proc/sys: the index of a file or directory (inside path), or -1. */
int proc_sys_find(const char *inside, bool *is_dir);
/* A /proc/sys file's text, or a directory's "T name\n" listing. */
char *proc_sys_text(int idx, size_t *len);

/* proc_net.c: /proc/net, the host's network files: the index of a file,
 * or one past the last for the directory (inside path), or -1; a file's
 * text (NULL: the host has no such file, or out of memory), or for the
 * directory's index its "T name\n" listing. */
int proc_net_find(const char *inside, bool *is_dir);
char *proc_net_text(int idx, size_t *len);

/* proc_info.c: the text of any file, as proc_text, which makes the
 * process files and cpuinfo, meminfo, stat (fd: for fdinfo/<fd>); and
 * oom_score_adj's write (bytes taken, or -EINVAL / -EACCES). */
char *proc_file_text(enum proc_text which, struct proc_who who, int fd, size_t *len);
long proc_oom_write(const char *buf, size_t n);

/* proc_mounts.c: mounts (info false) or mountinfo, filesystems, and the
 * mountinfo id of the mount holding an inside path (NULL: a pipe's or
 * socket's, on no listed mount). */
char *proc_mounts_text(bool info, size_t *len);
char *proc_filesystems_text(size_t *len);
int proc_mount_id(const char *path);

/* proc.c: the /proc namespace (paths as vfs.h's proc_owns tells them). */
extern const struct fs_ops proc_fs_ops;
int proc_open(const char *inside, int flags, struct file **out);
int proc_stat(const char *inside, struct pal_stat *st);
long proc_readlink(const char *inside, char *buf, size_t len);

#endif
