/* poll, ppoll, select, pselect6 on top of the PAL's poll. Descriptors
 * without a host handle (devices) are always ready. ppoll and pselect6
 * wait under their signal mask; the waits shared with epoll (the mask,
 * which signals end a wait) are here too. */
#include "core/signal.h"
#include "fs/vfs.h"
#include "sys/poll.h"
#include "sys/sys.h"


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

int64_t wait_now_ns(void)
{
    int64_t ns = 0;
    pal->clock_get(1 /* CLOCK_MONOTONIC */, &ns);
    return ns;
}

/* Signals that would do nothing if delivered now: ignored, or ignored by
 * default without a handler. */
static uint64_t inert_signals(void)
{
    uint64_t set = 0;
    for (int sig = 1; sig <= NSIG_; sig++)
        if (signal_inert(sig))
            set |= SIGBIT(sig);
    return set;
}

/* Pending signals outside mask that would do nothing are dropped (Linux
 * discards them when sent), so the one delivered on the way out is never
 * one of them (an EINTR without a delivery would restart the call). */
bool wait_interrupted(uint64_t mask)
{
    if (!signal_pending_for(mask))
        return false;
    uint64_t inert = inert_signals();
    while (signal_take(inert & ~mask))
        ;
    return signal_pending_for(mask);
}

uint64_t wait_mask_enter(const uint64_t *mask)
{
    struct libos_thread *t = cur_thread();
    uint64_t old = t->sigmask;
    if (mask)
        t->sigmask = *mask & ~(SIGBIT(9) | SIGBIT(19));
    return old;
}

void wait_mask_leave(const uint64_t *mask, uint64_t old, long r)
{
    struct libos_thread *t = cur_thread();
    if (mask && r == -PAL_EINTR) {
        t->saved_sigmask = old;
        t->has_saved_sigmask = true;
    } else {
        t->sigmask = old;
    }
}

long wait_mask_in(const void *umask, size_t size, uint64_t *mask, const uint64_t **out)
{
    *out = NULL;
    if (!umask)
        return 0;
    if (size != 8)
        return -PAL_EINVAL;
    memcpy(mask, umask, 8);
    *out = mask;
    return 0;
}

/* poll_fds until readiness, the timeout or a signal the program would see
 * under the thread's mask (set by the caller): a host signal it would not
 * see does not end the wait, which goes on for the remaining time. */
static long poll_wait(struct k_pollfd *fds, size_t n, int64_t timeout)
{
    int64_t end = timeout < 0 ? -1 : wait_now_ns() + timeout;
    for (;;) {
        if (wait_interrupted(cur_thread()->sigmask))
            return -PAL_EINTR;
        int64_t left = end < 0 ? WAIT_SLICE_NS : end - wait_now_ns();
        left = left < 0 ? 0 : left < WAIT_SLICE_NS ? left : WAIT_SLICE_NS;
        long r = poll_fds(fds, n, left);
        if (r != 0 && r != -PAL_EINTR)
            return r;
        if (end >= 0 && wait_now_ns() >= end)
            return 0;
    }
}

static long ts_to_ns(const struct k_timespec *ts, int64_t *ns)
{
    *ns = -1;
    if (!ts)
        return 0;
    struct k_timespec v;
    memcpy(&v, ts, sizeof(v));
    if (v.tv_sec < 0 || v.tv_nsec < 0 || v.tv_nsec >= NSEC)
        return -PAL_EINVAL;
    *ns = v.tv_sec >= INT64_MAX / NSEC - 1 ? INT64_MAX / 2 : v.tv_sec * NSEC + v.tv_nsec;
    return 0;
}

SYS(poll)
{
    int ms = (int)A(2);
    return poll_wait(PTR(0), A(1), ms < 0 ? -1 : (int64_t)ms * 1000000);
}

SYS(ppoll)
{
    int64_t ns;
    uint64_t m;
    const uint64_t *mask = NULL;
    long r = ts_to_ns(PTR(2), &ns);
    if (r == 0)
        r = wait_mask_in(PTR(3), A(4), &m, &mask);
    if (r < 0)
        return r;
    uint64_t old = wait_mask_enter(mask);
    r = poll_wait(PTR(0), A(1), ns);
    wait_mask_leave(mask, old, r);
    return r;
}

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
    long r = poll_wait(p, n, timeout_ns);
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
    int64_t ns = -1;
    if (tv) {
        struct k_timeval v;
        memcpy(&v, tv, sizeof(v));
        if (v.tv_sec < 0 || v.tv_usec < 0)
            return -PAL_EINVAL;
        ns = v.tv_sec * NSEC + v.tv_usec * 1000;
    }
    return do_select((int)A(0), PTR(1), PTR(2), PTR(3), ns);
}

/* pselect6's sixth argument: {const sigset_t *ss; size_t ss_len}. */
SYS(pselect6)
{
    int64_t ns;
    uint64_t m;
    const uint64_t *mask = NULL;
    long r = ts_to_ns(PTR(4), &ns);
    if (r == 0 && PTR(5)) {
        uint64_t arg[2];
        memcpy(arg, PTR(5), sizeof(arg));
        r = wait_mask_in((const void *)arg[0], arg[1], &m, &mask);
    }
    if (r < 0)
        return r;
    uint64_t old = wait_mask_enter(mask);
    r = do_select((int)A(0), PTR(1), PTR(2), PTR(3), ns);
    wait_mask_leave(mask, old, r);
    return r;
}
