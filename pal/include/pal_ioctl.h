/* The device ioctls a PAL passes to a host handle (a terminal, pipe,
 * socket or file), each with how its argument travels and its size: one
 * table for the libOS, the direct PAL, the trusted PAL and the host side
 * of its OCALL. Sizes are the kernel's (struct termios is 36 bytes: libc's
 * is longer, and glibc hands the kernel exactly 36). TIOCGPGRP,
 * TIOCSPGRP and TIOCGSID carry ids of the program's pid namespace: the
 * host side translates them (pal/direct/pal_pgrp.c), and an enclave takes
 * a reply only as such an id (pal_ioctl_is_id). */
#ifndef PAL_IOCTL_H
#define PAL_IOCTL_H

#include <stdint.h>

enum pal_ioctl_arg {
    PAL_IOCTL_OUT,   /* the host writes size bytes at the pointer */
    PAL_IOCTL_IN,    /* the host reads size bytes at the pointer */
    PAL_IOCTL_VALUE, /* the argument is an integer, no memory */
    PAL_IOCTL_INOUT, /* the host reads size bytes at the pointer and writes them back */
    PAL_IOCTL_IFCONF, /* SIOCGIFCONF: see pal_ioctl_ifconf_ok */
};

struct pal_ioctl {
    uint32_t req;
    uint8_t arg, size;
};

static const struct pal_ioctl pal_ioctls[] = {
    {0x5401, PAL_IOCTL_OUT, 36},  /* TCGETS */
    {0x5402, PAL_IOCTL_IN, 36},   /* TCSETS */
    {0x5403, PAL_IOCTL_IN, 36},   /* TCSETSW */
    {0x5404, PAL_IOCTL_IN, 36},   /* TCSETSF */
    {0x5413, PAL_IOCTL_OUT, 8},   /* TIOCGWINSZ */
    {0x5414, PAL_IOCTL_IN, 8},    /* TIOCSWINSZ */
    {0x541B, PAL_IOCTL_OUT, 4},   /* FIONREAD (TIOCINQ): bytes ready to read */
    {0x5411, PAL_IOCTL_OUT, 4},   /* TIOCOUTQ: bytes not yet sent */
    {0x5409, PAL_IOCTL_VALUE, 0}, /* TCSBRK (tcdrain, tcsendbreak) */
    {0x540A, PAL_IOCTL_VALUE, 0}, /* TCXONC (tcflow) */
    {0x540B, PAL_IOCTL_VALUE, 0}, /* TCFLSH (tcflush) */
    {0x80045430, PAL_IOCTL_OUT, 4}, /* TIOCGPTN: a pseudo-terminal's number (ptsname) */
    {0x40045431, PAL_IOCTL_IN, 4},  /* TIOCSPTLCK: its lock (unlockpt) */
    {0x540E, PAL_IOCTL_VALUE, 0},   /* TIOCSCTTY: the session's controlling terminal */
    {0x5422, PAL_IOCTL_VALUE, 0},   /* TIOCNOTTY: give it up */
    {0x540F, PAL_IOCTL_OUT, 4},     /* TIOCGPGRP: the foreground group (tcgetpgrp) */
    {0x5410, PAL_IOCTL_IN, 4},      /* TIOCSPGRP: sets it (tcsetpgrp) */
    {0x5429, PAL_IOCTL_OUT, 4},     /* TIOCGSID: the terminal's session (tcgetsid) */
    /* A network interface's name, index, flags, MTU and addresses, asked
     * on any socket with a struct ifreq (40 bytes: the name, then a union):
     * if_nametoindex, if_indextoname, getnameinfo's scope ids, ifconfig.
     * The reply is the host's word, as the interfaces are its own. */
    {0x8910, PAL_IOCTL_INOUT, 40}, /* SIOCGIFNAME */
    {0x8913, PAL_IOCTL_INOUT, 40}, /* SIOCGIFFLAGS */
    {0x8915, PAL_IOCTL_INOUT, 40}, /* SIOCGIFADDR */
    {0x8917, PAL_IOCTL_INOUT, 40}, /* SIOCGIFDSTADDR */
    {0x8919, PAL_IOCTL_INOUT, 40}, /* SIOCGIFBRDADDR */
    {0x891b, PAL_IOCTL_INOUT, 40}, /* SIOCGIFNETMASK */
    {0x8921, PAL_IOCTL_INOUT, 40}, /* SIOCGIFMTU */
    {0x8927, PAL_IOCTL_INOUT, 40}, /* SIOCGIFHWADDR */
    {0x8933, PAL_IOCTL_INOUT, 40}, /* SIOCGIFINDEX */
    {0x8942, PAL_IOCTL_INOUT, 40}, /* SIOCGIFTXQLEN */
    /* The interfaces with an IPv4 address, one struct ifreq (size bytes)
     * each (struct ifconf points into the program's memory, so it never
     * travels): the PAL call takes a buffer of whole entries, or none to
     * ask how many bytes all of them need, and returns the bytes the host
     * wrote or would write. Java's NetworkInterface, ifconfig. */
    {0x8912, PAL_IOCTL_IFCONF, 40}, /* SIOCGIFCONF */
};

/* The table's entry for req; NULL when it is not passed to the host. */
static inline const struct pal_ioctl *pal_ioctl_find(unsigned long req)
{
    for (unsigned i = 0; i < sizeof(pal_ioctls) / sizeof(pal_ioctls[0]); i++)
        if (pal_ioctls[i].req == req)
            return &pal_ioctls[i];
    return 0;
}

/* An OUT reply that is a count (FIONREAD, TIOCOUTQ): never negative. */
static inline int pal_ioctl_is_count(unsigned long req) { return req == 0x541B || req == 0x5411; }

/* A struct ifreq request: the reply names an interface in its first 16
 * bytes, which must end in a NUL (glibc copies the name out with
 * strncpy and the program reads it as a string). */
static inline int pal_ioctl_is_ifreq(unsigned long req)
{
    return req >= 0x8910 && req <= 0x8942 && req != 0x8912;
}

#define PAL_IOCTL_SIOCGIFCONF 0x8912UL
#define PAL_IOCTL_IFREQ_SIZE 40U
/* The most SIOCGIFCONF bytes a PAL call takes: 1,024 entries. */
#define PAL_IOCTL_IFCONF_MAX (1024U * PAL_IOCTL_IFREQ_SIZE)

/* A SIOCGIFCONF reply of n bytes for a buffer of cap bytes (0: the size
 * was asked): whole entries that fit, each name ending in a NUL within its
 * 16 bytes (entries only when buf is given). */
static inline int pal_ioctl_ifconf_ok(const uint8_t *buf, int64_t n, uint64_t cap)
{
    if (n < 0 || n % PAL_IOCTL_IFREQ_SIZE || n > 0x7fffffff || (cap && (uint64_t)n > cap))
        return 0;
    for (int64_t at = 0; buf && at < n; at += PAL_IOCTL_IFREQ_SIZE) {
        int end = 0;
        for (int i = 0; i < 16 && !end; i++)
            end = buf[at + i] == 0;
        if (!end)
            return 0;
    }
    return 1;
}

/* A request whose argument is a process group or session id (translated
 * between the host's and the program's pid namespace). */
static inline int pal_ioctl_is_id(unsigned long req)
{
    return req == 0x540F || req == 0x5410 || req == 0x5429;
}

#endif
