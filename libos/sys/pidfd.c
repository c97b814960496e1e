/* pidfd_open and pidfd_send_signal: a pidfd is a file holding a process id
 * of the program's pid namespace and the PAL's handle on that process,
 * which poll and epoll see readable once the process has ended. waitid's
 * P_PIDFD reads the id through pidfd_pid. */
#include <linux/fcntl.h>

#include "fs/vfs.h"
#include "sys/sys.h"

struct pidfd {
    pal_handle h;
    int pid;
};

static pal_handle pidfd_poll_handle(struct file *f)
{
    return ((struct pidfd *)f->h)->h;
}

static void pidfd_release(struct file *f)
{
    struct pidfd *p = (struct pidfd *)f->h;
    pal->close(p->h);
    free(p);
}

static const struct file_ops pidfd_ops = {
    .poll_handle = pidfd_poll_handle,
    .release = pidfd_release,
};

SYS(pidfd_open)
{
    int pid = (int)A(0);
    if (A(1) & ~(uint64_t)O_NONBLOCK || pid <= 0)
        return -PAL_EINVAL;
    if (!PAL_HAS(pal, process_open))
        return -PAL_ENOSYS;
    struct pidfd *p = malloc(sizeof(*p));
    if (!p)
        return -PAL_ENOMEM;
    long r = pal->process_open(pid, &p->h);
    if (r < 0) {
        free(p);
        return r;
    }
    p->pid = pid;
    struct file *f = file_new(&pidfd_ops, (pal_handle)p, O_RDWR | (int)(A(1) & O_NONBLOCK));
    if (f)
        f->anon_name = "anon_inode:[pidfd]";
    int fd = f ? fd_install(f, 0, /*cloexec=*/true) : -PAL_ENOMEM;
    if (fd < 0)
        f ? file_put(f) : pidfd_release(&(struct file){.h = (pal_handle)p});
    return fd;
}

/* Linux's pidfd_pid: any other open file is EBADF (waitid's P_PIDFD). */
long pidfd_pid(int fd)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -PAL_EBADF;
    long pid = f->ops == &pidfd_ops ? ((struct pidfd *)f->h)->pid : -PAL_EBADF;
    file_put(f);
    return pid;
}

/* pidfd_send_signal also takes a /proc/<pid> directory (Linux's
 * tgid_pidfd_to_pid); any other file is EBADF. */
static long signal_target(int fd)
{
    long pid = pidfd_pid(fd);
    if (pid != -PAL_EBADF)
        return pid;
    struct file *f = fd_get(fd);
    if (!f)
        return -PAL_EBADF;
    const char *p = f->path && !strncmp(f->path, "/proc/", 6) && file_is_dir(f) ? f->path + 6 : "";
    if (!strcmp(p, "self"))
        pid = libos_pid;
    else if (*p >= '1' && *p <= '9')
        for (pid = 0; *p >= '0' && *p <= '9' && pid < (1L << 22); p++)
            pid = pid * 10 + (*p - '0');
    if (*p)
        pid = -PAL_EBADF;
    file_put(f);
    return pid;
}

/* The siginfo argument, when given, must claim to come from the sender
 * (si_code SI_QUEUE and the like) unless it signals itself, as
 * rt_sigqueueinfo; its payload does not travel. */
SYS(pidfd_send_signal)
{
    int sig = (int)A(1);
    if (A(3) != 0)
        return -PAL_EINVAL;
    long pid = signal_target((int)A(0));
    if (pid < 0)
        return pid;
    if (sig < 0 || sig > 64)
        return -PAL_EINVAL;
    const int32_t *info = PTR(2);
    if (info && info[0] != sig)
        return -PAL_EINVAL; /* si_signo must be the signal sent */
    if (info && (info[2] >= 0 || info[2] == -6 /* SI_TKILL */) && pid != libos_pid)
        return -PAL_EPERM;
    return signal_send((int)pid, sig);
}
