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

/* Fills revents for n descriptors, waiting up to timeout_ns (-1 forever);
 * returns how many have events, or a negative errno. */
long poll_fds(struct k_pollfd *fds, size_t n, int64_t timeout_ns);

#endif
