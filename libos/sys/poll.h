/* Readiness of descriptors, shared by poll, select and epoll. */
#ifndef GEODE_LIBOS_POLL_H
#define GEODE_LIBOS_POLL_H

#include "libos.h"

struct k_pollfd {
    int fd;
    int16_t events, revents;
};

#define POLLIN_ 0x001
#define POLLPRI_ 0x002
#define POLLOUT_ 0x004
#define POLLERR_ 0x008
#define POLLHUP_ 0x010
#define POLLNVAL_ 0x020
#define POLL_MAX 1024
#define NSEC 1000000000LL
/* The longest host wait before pending signals are looked at again: a
 * backstop, as a signal for this thread ends the host call (a wake,
 * pal.h thread_wake; host_cp.h), even one that landed just before it. */
#define WAIT_SLICE_NS NSEC

struct k_timespec {
    int64_t tv_sec, tv_nsec;
};

/* Linux's struct epoll_event (packed on x86-64). */
struct k_epoll_event {
    uint32_t events;
    uint64_t data;
} __attribute__((packed));

/* Fills revents for n descriptors, waiting up to timeout_ns (-1 forever);
 * returns how many have events, or a negative errno. */
long poll_fds(struct k_pollfd *fds, size_t n, int64_t timeout_ns);

/* Waits under a signal mask (poll.c, shared with epoll). */
int64_t wait_now_ns(void);
/* True when a pending signal outside mask would run a handler or end the
 * process: the wait ends with EINTR and the signal is delivered. */
bool wait_interrupted(uint64_t mask);
/* A program's sigset argument (NULL: none; size must be 8), copied in;
 * *out is mask or NULL. */
long wait_mask_in(const void *umask, size_t size, uint64_t *mask, const uint64_t **out);
/* Installs mask (if any) for the wait; returns the thread's mask. */
uint64_t wait_mask_enter(const uint64_t *mask);
/* After the wait with result r: the thread's mask again, or, when a signal
 * ends the wait, kept until the handler returns (as sigsuspend). */
void wait_mask_leave(const uint64_t *mask, uint64_t old, long r);

#endif
