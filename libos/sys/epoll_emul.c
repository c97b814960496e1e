/* epoll's interest lists kept by the libOS, for PALs without wait sets
 * (inside an enclave today): every wait polls the registered files' host
 * handles through the PAL.
 *
 * As Linux: a registration belongs to the open file and the descriptor
 * number it was added with (a dup()ed descriptor can be added too); it
 * leaves every list when the file's last reference goes (file_put calls
 * ep_emul_file_gone), so a reused number can be added again. EPOLLONESHOT
 * disables a registration after one report until EPOLL_CTL_MOD.
 * Not as Linux: EPOLLET is level-triggered (a program sees an event again
 * while the file stays ready, never misses one), EPOLLEXCLUSIVE wakes every
 * waiter, an emulated epoll cannot be registered in another one, at most
 * POLL_MAX registrations are polled, and the instance is not shared with
 * a forked child. */
#include <linux/eventpoll.h>

#include "fs/vfs.h"
#include "sys/poll.h"

struct ep_item {
    struct file *file; /* not a reference: removed before the file goes */
    int fd;
    uint32_t events;
    uint64_t data;
    bool disabled; /* EPOLLONESHOT, reported */
};

struct ep_emul {
    struct ep_emul *next; /* every instance, for ep_emul_file_gone */
    struct ep_item *items;
    size_t n, cap;
};

/* One lock for every instance: a file's last close must reach all of
 * them. */
static spinlock_t emul_lock;
static struct ep_emul *instances;

struct ep_emul *ep_emul_new(void)
{
    struct ep_emul *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    spin_lock(&emul_lock);
    e->next = instances;
    instances = e;
    spin_unlock(&emul_lock);
    return e;
}

static void item_remove(struct ep_emul *e, size_t i)
{
    __atomic_sub_fetch(&e->items[i].file->ep_items, 1, __ATOMIC_RELAXED);
    e->items[i] = e->items[--e->n];
}

void ep_emul_free(struct ep_emul *e)
{
    if (!e)
        return;
    spin_lock(&emul_lock);
    for (struct ep_emul **p = &instances; *p; p = &(*p)->next) {
        if (*p == e) {
            *p = e->next;
            break;
        }
    }
    while (e->n)
        item_remove(e, e->n - 1);
    spin_unlock(&emul_lock);
    free(e->items);
    free(e);
}

void ep_emul_file_gone(struct file *f)
{
    spin_lock(&emul_lock);
    for (struct ep_emul *e = instances; e; e = e->next)
        for (size_t i = e->n; i-- > 0;)
            if (e->items[i].file == f)
                item_remove(e, i);
    spin_unlock(&emul_lock);
}

static struct ep_item *find(struct ep_emul *e, struct file *f, int fd)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->items[i].file == f && e->items[i].fd == fd)
            return &e->items[i];
    return NULL;
}

static long add(struct ep_emul *e, struct file *f, int fd, uint32_t events, uint64_t data)
{
    if (find(e, f, fd))
        return -PAL_EEXIST;
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 16;
        struct ep_item *ni = realloc(e->items, cap * sizeof(*ni));
        if (!ni)
            return -PAL_ENOMEM;
        e->items = ni, e->cap = cap;
    }
    e->items[e->n++] = (struct ep_item){f, fd, events, data, false};
    __atomic_add_fetch(&f->ep_items, 1, __ATOMIC_RELAXED);
    return 0;
}

static long ctl_locked(struct ep_emul *e, int op, struct file *f, int fd, uint32_t events,
                       uint64_t data)
{
    struct ep_item *it = find(e, f, fd);
    switch (op) {
    case EPOLL_CTL_ADD: return add(e, f, fd, events, data);
    case EPOLL_CTL_MOD:
        if (!it)
            return -PAL_ENOENT;
        if (it->events & EPOLLEXCLUSIVE)
            return -PAL_EINVAL;
        *it = (struct ep_item){f, fd, events, data, false};
        return 0;
    case EPOLL_CTL_DEL:
        if (!it)
            return -PAL_ENOENT;
        item_remove(e, (size_t)(it - e->items));
        return 0;
    default: return -PAL_EINVAL;
    }
}

/* Regular files and directories have no poll in Linux (EPERM). */
static bool pollable(struct file *f)
{
    struct pal_stat st;
    if (!f->ops->poll_handle)
        return false;
    if (f->is_sock || !f->ops->fstat || f->ops->fstat(f, &st) < 0)
        return true;
    return (st.mode & 0170000) != 0100000 && (st.mode & 0170000) != 0040000;
}

long ep_emul_ctl(struct ep_emul *e, int op, struct file *f, int fd, uint32_t events, uint64_t data)
{
    if (!pollable(f))
        return -PAL_EPERM;
    spin_lock(&emul_lock);
    long r = ctl_locked(e, op, f, fd, events, data);
    spin_unlock(&emul_lock);
    return r;
}

/* A reference on f unless its last one is already going (file_put has
 * reached zero and waits for emul_lock to remove f's registrations). */
static bool get_unless_gone(struct file *f)
{
    int refs = __atomic_load_n(&f->refs, __ATOMIC_RELAXED);
    while (refs > 0)
        if (__atomic_compare_exchange_n(&f->refs, &refs, refs + 1, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return true;
    return false;
}

/* The enabled registrations, each with a reference on its file so that it
 * cannot go while the PAL polls it. */
static size_t snapshot(struct ep_emul *e, struct ep_item *copy, struct pal_pollfd *p)
{
    size_t n = 0;
    spin_lock(&emul_lock);
    for (size_t i = 0; i < e->n && n < POLL_MAX; i++) {
        struct ep_item *it = &e->items[i];
        if (it->disabled || !get_unless_gone(it->file))
            continue;
        copy[n] = *it;
        p[n++] = (struct pal_pollfd){.handle = it->file->ops->poll_handle(it->file),
                                     .events = (int16_t)(it->events & 0xffff)};
    }
    spin_unlock(&emul_lock);
    return n;
}

/* A reported EPOLLONESHOT registration is disabled, if it is still the
 * one that was polled. */
static void disable(struct ep_emul *e, const struct ep_item *polled)
{
    spin_lock(&emul_lock);
    struct ep_item *it = find(e, polled->file, polled->fd);
    if (it && it->events == polled->events && it->data == polled->data)
        it->disabled = true;
    spin_unlock(&emul_lock);
}

static long collect(struct ep_emul *e, const struct ep_item *copy, const struct pal_pollfd *p,
                    size_t n, struct k_epoll_event *out, int max)
{
    long got = 0;
    for (size_t i = 0; i < n && got < max; i++) {
        uint32_t re = (uint16_t)p[i].revents & (copy[i].events | EPOLLERR | EPOLLHUP);
        if (!re)
            continue;
        out[got].events = re;
        out[got++].data = copy[i].data;
        if (copy[i].events & EPOLLONESHOT)
            disable(e, &copy[i]);
    }
    return got;
}

long ep_emul_wait(struct ep_emul *e, struct k_epoll_event *out, int max, int64_t ns)
{
    struct ep_item *copy = malloc(POLL_MAX * sizeof(*copy));
    struct pal_pollfd *p = malloc(POLL_MAX * sizeof(*p));
    struct k_epoll_event *ev = malloc(POLL_MAX * sizeof(*ev));
    long r = -PAL_ENOMEM;
    size_t n = 0;
    if (copy && p && ev) {
        n = snapshot(e, copy, p);
        r = n ? pal->poll(p, (uint32_t)n, ns) : (ns ? pal->sleep(ns) : 0);
    }
    if (r > 0)
        r = collect(e, copy, p, n, ev, max);
    for (size_t i = 0; i < n; i++)
        file_put(copy[i].file);
    free(copy), free(p);
    if (r > 0)
        memcpy(out, ev, (size_t)r * sizeof(*ev)); /* may fault: EFAULT, nothing held */
    free(ev);
    return r;
}
