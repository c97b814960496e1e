/* Advisory locks and descriptor owners: fcntl's record locks (F_GETLK,
 * F_SETLK, F_SETLKW and the F_OFD_ forms), flock, F_SETOWN(_EX) and
 * F_SETSIG.
 *
 * Host files (and pipes and sockets) take their locks on the host handle,
 * so the host kernel arbitrates between every process, inside Geode or
 * not; F_GETLK names the holder by its id in the program's pid namespace.
 * A close of any descriptor of the file releases the process's POSIX locks
 * on it (fcntl(2)), also when other descriptors share the host handle.
 * tmpfs and the libOS's devices live in one process, where POSIX locks
 * never conflict: they are granted and F_GETLK answers F_UNLCK (OFD locks
 * between two open descriptions of one tmpfs file are not modelled).
 *
 * The owner of a descriptor is kept for F_GETOWN(_EX). O_ASYNC on a host
 * handle makes the host send SIGIO to this process when it becomes ready
 * (the PAL forwards it); whatever owner or F_SETSIG signal the program
 * named, the signal is SIGIO and it reaches the process that set O_ASYNC.
 * Without the PAL entry (in an enclave) O_ASYNC is refused (EINVAL). */
#include <linux/fcntl.h>

#include "fs/vfs.h"
#include "sys/sys.h"

#define LOCK_SH_ 1
#define LOCK_EX_ 2
#define LOCK_NB_ 4
#define LOCK_UN_ 8

static bool host_lockable(const struct file *f)
{
    return f->ops == &host_file_ops && PAL_HAS(pal, file_lock);
}

static bool is_getlk(int cmd)
{
    return cmd == F_GETLK || cmd == F_OFD_GETLK;
}
static bool is_ofd(int cmd)
{
    return cmd >= F_OFD_GETLK && cmd <= F_OFD_SETLKW;
}

/* The checks Linux makes before it looks at other locks. */
static long check_lock(const struct file *f, int cmd, const struct pal_flock *lk)
{
    int acc = f->flags & O_ACCMODE;
    if (lk->type != F_RDLCK && lk->type != F_WRLCK && lk->type != F_UNLCK)
        return -PAL_EINVAL;
    if (lk->whence != 0 && lk->whence != 1 && lk->whence != 2)
        return -PAL_EINVAL;
    if (is_ofd(cmd) && lk->pid != 0)
        return -PAL_EINVAL;
    if (!is_getlk(cmd) &&
        ((lk->type == F_RDLCK && acc == O_WRONLY) || (lk->type == F_WRLCK && acc == O_RDONLY)))
        return -PAL_EBADF;
    return 0;
}

static long lock_file(struct file *f, int cmd, struct pal_flock *ulk)
{
    struct pal_flock lk;
    memcpy(&lk, ulk, sizeof(lk)); /* a bad pointer: -EFAULT */
    long r = check_lock(f, cmd, &lk);
    if (r < 0)
        return r;
    if (host_lockable(f)) {
        r = pal->file_lock(f->h, cmd, &lk);
        if (r == 0 && !is_getlk(cmd) && !is_ofd(cmd) && lk.type != F_UNLCK)
            f->posix_locked = true;
    } else if (is_getlk(cmd)) {
        lk.type = F_UNLCK; /* one process: nothing can conflict */
    }
    if (r == 0 && is_getlk(cmd))
        memcpy(ulk, &lk, sizeof(lk));
    return r;
}

long fcntl_lock(int fd, int cmd, void *arg)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -PAL_EBADF;
    long r = lock_file(f, cmd, arg);
    file_put(f);
    return r;
}

long file_set_async(struct file *f, bool on)
{
    if (f->ops != &host_file_ops)
        return 0; /* libOS files never become ready on their own: no signal to send */
    return PAL_HAS(pal, file_async) ? pal->file_async(f->h, on) : -PAL_EINVAL;
}

/* F_SETOWN(_EX): a process (or thread) of the namespace, or a group. */
static long set_owner(struct file *f, int type, int id)
{
    if (type != F_OWNER_TID && type != F_OWNER_PID && type != F_OWNER_PGRP)
        return -PAL_EINVAL;
    if (id < 0)
        return -PAL_EINVAL;
    if (id && type != F_OWNER_PGRP && !ns_own_id(id) && !(ns_enabled() && pal->id_owner(id) >= 0))
        return -PAL_ESRCH;
    f->owner_type = type;
    f->owner_id = id;
    return 0;
}

static long owner_op(struct file *f, int cmd, uint64_t arg)
{
    struct f_owner_ex *ex = (void *)arg;
    int v = (int)arg;
    switch (cmd) {
    case F_SETOWN:
        return v < 0 ? set_owner(f, F_OWNER_PGRP, -v) : set_owner(f, F_OWNER_PID, v);
    case F_GETOWN:
        return f->owner_type == F_OWNER_PGRP ? -f->owner_id : f->owner_id;
    case F_SETOWN_EX: {
        struct f_owner_ex o;
        memcpy(&o, ex, sizeof(o));
        return set_owner(f, o.type, o.pid);
    }
    case F_GETOWN_EX:
        *ex = (struct f_owner_ex){.type = f->owner_type, .pid = f->owner_id};
        return 0;
    case F_SETSIG:
        if (arg > 64)
            return -PAL_EINVAL;
        f->owner_sig = v;
        return 0;
    default: /* F_GETSIG */
        return f->owner_sig;
    }
}

long fcntl_owner(int fd, int cmd, uint64_t arg)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -PAL_EBADF;
    long r = owner_op(f, cmd, arg);
    file_put(f);
    return r;
}

/* flock(2): host files lock on the host handle (shared by dup and fork, as
 * an open file description is); the libOS's own files are one process's. */
SYS(flock)
{
    int op = (int)A(1) & ~LOCK_NB_;
    if (op != LOCK_SH_ && op != LOCK_EX_ && op != LOCK_UN_)
        return -PAL_EINVAL;
    struct file *f = fd_get((int)A(0));
    if (!f)
        return -PAL_EBADF;
    long r =
        f->ops == &host_file_ops && PAL_HAS(pal, file_flock) ? pal->file_flock(f->h, (int)A(1)) : 0;
    file_put(f);
    return r;
}
