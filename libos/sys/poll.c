/* poll, ppoll, select, pselect6 on top of the PAL's poll. Descriptors
 * without a host handle (devices) are always ready. */
#include "fs/vfs.h"
#include "sys/poll.h"
#include "sys/sys.h"

#define NSEC 1000000000LL

struct k_timeval {
    int64_t tv_sec, tv_usec;
};

/* Splits fds into host handles to wait on (in hp, index map in idx) and
 * ones decided locally; returns how many are ready locally. */
static long classify(struct k_pollfd *fds, size_t n, struct pal_pollfd *hp, size_t *idx, size_t *nh)
{
    long ready = 0;
    *nh = 0;
    for (size_t i = 0; i < n; i++) {
        fds[i].revents = 0;
        if (fds[i].fd < 0)
            continue;
        struct file *f = fd_get(fds[i].fd);
        if (!f) {
            fds[i].revents = POLLNVAL_;
        } else if (f->ops->poll_handle) {
            hp[*nh] = (struct pal_pollfd){.handle = f->ops->poll_handle(f), .events = fds[i].events};
            idx[(*nh)++] = i;
        } else {
            fds[i].revents = fds[i].events & (POLLIN_ | POLLOUT_);
        }
        if (f)
            file_put(f);
        ready += fds[i].revents != 0;
    }
    return ready;
}

long poll_fds(struct k_pollfd *fds, size_t n, int64_t timeout_ns)
{
    if (n > POLL_MAX)
        return -PAL_EINVAL;
    struct pal_pollfd *hp = malloc((n ? n : 1) * sizeof(*hp));
    size_t *idx = malloc((n ? n : 1) * sizeof(*idx)), nh;
    if (!hp || !idx) {
        free(hp), free(idx);
        return -PAL_ENOMEM;
    }
    long ready = classify(fds, n, hp, idx, &nh);
    long r = 0;
    if (nh || !ready)
        r = nh ? pal->poll(hp, (uint32_t)nh, ready ? 0 : timeout_ns)
               : (timeout_ns == 0 ? 0 : pal->sleep(timeout_ns));
    for (size_t i = 0; r >= 0 && i < nh; i++) {
        fds[idx[i]].revents = hp[i].revents;
        ready += hp[i].revents != 0;
    }
    free(hp), free(idx);
    return r < 0 ? r : ready;
}

static int64_t ts_to_ns(const struct k_timespec *ts)
{
    return ts ? ts->tv_sec * NSEC + ts->tv_nsec : -1;
}

SYS(poll)
{
    int ms = (int)A(2);
    return poll_fds(PTR(0), A(1), ms < 0 ? -1 : (int64_t)ms * 1000000);
}

SYS(ppoll) { return poll_fds(PTR(0), A(1), ts_to_ns(PTR(2))); }

static bool fdset_has(const uint64_t *set, int fd) { return set && (set[fd / 64] >> (fd % 64)) & 1; }
static void fdset_put(uint64_t *set, int fd) { set[fd / 64] |= 1ULL << (fd % 64); }

/* select's three bitmaps -> poll entries -> bitmaps again. */
static long do_select(int nfds, uint64_t *rd, uint64_t *wr, uint64_t *ex, int64_t timeout_ns)
{
    if (nfds < 0 || nfds > POLL_MAX)
        return -PAL_EINVAL;
    struct k_pollfd *p = malloc(((size_t)nfds + 1) * sizeof(*p));
    size_t n = 0;
    if (!p)
        return -PAL_ENOMEM;
    for (int fd = 0; fd < nfds; fd++) {
        int16_t ev = (int16_t)((fdset_has(rd, fd) ? POLLIN_ : 0) | (fdset_has(wr, fd) ? POLLOUT_ : 0) |
                               (fdset_has(ex, fd) ? POLLPRI_ : 0));
        if (ev)
            p[n++] = (struct k_pollfd){.fd = fd, .events = ev};
    }
    long r = poll_fds(p, n, timeout_ns);
    size_t words = ((size_t)nfds + 63) / 64;
    uint64_t *sets[] = {rd, wr, ex};
    for (int i = 0; i < 3; i++)
        if (sets[i] && r >= 0)
            memset(sets[i], 0, words * 8);
    long count = 0;
    for (size_t i = 0; r >= 0 && i < n; i++) {
        int16_t re = p[i].revents;
        if (re & POLLNVAL_) {
            free(p);
            return -PAL_EBADF;
        }
        if (rd && (re & (POLLIN_ | POLLHUP_ | POLLERR_)) && (p[i].events & POLLIN_))
            fdset_put(rd, p[i].fd), count++;
        if (wr && (re & (POLLOUT_ | POLLERR_)) && (p[i].events & POLLOUT_))
            fdset_put(wr, p[i].fd), count++;
        if (ex && (re & POLLPRI_))
            fdset_put(ex, p[i].fd), count++;
    }
    free(p);
    return r < 0 ? r : count;
}

SYS(select)
{
    const struct k_timeval *tv = PTR(4);
    int64_t ns = tv ? tv->tv_sec * NSEC + tv->tv_usec * 1000 : -1;
    return do_select((int)A(0), PTR(1), PTR(2), PTR(3), ns);
}

SYS(pselect6) { return do_select((int)A(0), PTR(1), PTR(2), PTR(3), ts_to_ns(PTR(4))); }
