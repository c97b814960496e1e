/* Open files: a reference count, and the file's release at the last put. */
#include "core/file.h"

struct file *file_new(const struct file_ops *ops, pal_handle h, int flags)
{
    struct file *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->refs = 1;
    f->ops = ops;
    f->h = h;
    f->flags = flags;
    return f;
}

void (*epoll_file_released)(struct file *f);

void file_put(struct file *f)
{
    if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    if (f->epoll_dup)
        epoll_file_released(f);
    if (f->ops->release)
        f->ops->release(f);
    free(f->path);
    free(f);
}
