/* inotify_init, inotify_init1, inotify_add_watch, inotify_rm_watch: the
 * PAL's notification instance (a host inotify in both modes) on the host
 * paths behind the program's paths; event names are relative to the
 * watched directory, the same inside and on the host of a chroot mount.
 * Every record read is checked before the program sees it: inside an
 * enclave the host writes them (it can invent or hide events, as it can
 * change the files, never overrun the program's buffer). Watches on a
 * tmpfs, /proc or /dev: EOPNOTSUPP / ENOENT (nothing there would notify). */
#include <linux/fcntl.h>

#include "fs/vfs.h"
#include "sys/poll.h"
#include "sys/sys.h"

#define IN_ALL_EVENTS_ 0x00000fffu
#define IN_DONT_FOLLOW_ 0x02000000u
#define IN_MASK_CREATE_ 0x10000000u
#define IN_MASK_ADD_ 0x20000000u
#define IN_ONESHOT_ 0x80000000u
#define IN_ONLYDIR_ 0x01000000u
#define IN_EXCL_UNLINK_ 0x04000000u
#define IN_VALID_                                                                                  \
    (IN_ALL_EVENTS_ | IN_DONT_FOLLOW_ | IN_MASK_CREATE_ | IN_MASK_ADD_ | IN_ONESHOT_ |             \
     IN_ONLYDIR_ | IN_EXCL_UNLINK_)
#define EVENT_HEADER 16 /* struct inotify_event without its name */
#define NAME_MAX_ 255

static long ino_read(struct file *f, void *buf, size_t len)
{
    if (len < EVENT_HEADER)
        return -PAL_EINVAL;
    size_t want = len < 65536 ? len : 65536;
    uint8_t *tmp = malloc(want);
    if (!tmp)
        return -PAL_ENOMEM;
    long r;
    for (;;) {
        r = pal->read(f->h, tmp, want);
        if (r != -PAL_EAGAIN || (f->flags & O_NONBLOCK))
            break;
        struct pal_pollfd p = {.handle = f->h, .events = POLLIN_};
        r = pal->poll(&p, 1, -1);
        if (r < 0)
            break;
    }
    /* Whole records only, each with a name that fits and ends in NUL. */
    for (size_t off = 0; r > 0 && off < (size_t)r;) {
        uint32_t name_len;
        if ((size_t)r - off < EVENT_HEADER) {
            r = -PAL_EIO;
            break;
        }
        memcpy(&name_len, tmp + off + 12, 4);
        if (name_len > NAME_MAX_ + 16 || name_len > (size_t)r - off - EVENT_HEADER ||
            (name_len && tmp[off + EVENT_HEADER + name_len - 1] != 0)) {
            r = -PAL_EIO;
            break;
        }
        off += EVENT_HEADER + name_len;
    }
    if (r == -PAL_EIO)
        log_error("inotify: the host returned a malformed event record");
    if (r > 0)
        memcpy(buf, tmp, (size_t)r); /* a bad pointer faults: EFAULT */
    free(tmp);
    return r;
}

static const struct file_ops ino_ops = {
    .read = ino_read,
    .fstat = anon_fstat,
    .poll_handle = anon_poll_handle,
    .release = anon_release,
};

static long make_inotify(int flags)
{
    if (flags & ~(O_CLOEXEC | O_NONBLOCK))
        return -PAL_EINVAL;
    if (!PAL_HAS(pal, notify_create))
        return -PAL_ENOSYS;
    pal_handle h;
    long r = pal->notify_create(&h);
    if (r < 0)
        return r;
    return anon_install(&ino_ops, h, O_RDONLY | flags, flags & O_CLOEXEC, "anon_inode:inotify");
}

SYS(inotify_init)
{
    return make_inotify(0);
}

SYS(inotify_init1)
{
    return make_inotify((int)A(0));
}

SYS(inotify_add_watch)
{
    uint32_t mask = (uint32_t)A(2);
    struct file *f;
    long r = fd_get_of((int)A(0), &ino_ops, &f);
    if (r < 0)
        return r;
    if (!(mask & IN_ALL_EVENTS_) || (mask & ~IN_VALID_) ||
        ((mask & IN_MASK_CREATE_) && (mask & IN_MASK_ADD_))) {
        file_put(f);
        return -PAL_EINVAL;
    }
    char inside[PATH_MAX_LEN], host[PATH_MAX_LEN];
    r = vfs_resolve_at(-100 /* AT_FDCWD */, PTR(1), !(mask & IN_DONT_FOLLOW_), inside,
                       sizeof(inside));
    if (r == 0) {
        struct pal_stat st;
        r = vfs_stat(inside, (mask & IN_DONT_FOLLOW_) != 0, &st); /* ENOENT, EACCES as stat */
    }
    if (r == 0)
        r = vfs_host_path(inside, host, sizeof(host));
    if (r == 0)
        r = pal->notify_add(f->h, host, mask);
    file_put(f);
    return r;
}

SYS(inotify_rm_watch)
{
    struct file *f;
    long r = fd_get_of((int)A(0), &ino_ops, &f);
    if (r < 0)
        return r;
    r = pal->notify_remove(f->h, (int32_t)A(1));
    file_put(f);
    return r;
}
