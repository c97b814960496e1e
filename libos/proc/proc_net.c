/* /proc/net: the host's network files. The interfaces, addresses, routes
 * and sockets of the network are the host's (the program's sockets are
 * host sockets, and the ioctls and netlink answer from the host too), so
 * these files are the host's text, read when opened, the only /proc files
 * that are. Java decides whether IPv6 exists by /proc/net/if_inet6 and
 * reads the interfaces' IPv6 addresses there; psutil and netstat read dev,
 * tcp, udp and route.
 *
 * Inside an enclave that text is untrusted input like any host reply: a
 * line with a byte that is not printable ASCII or a tab is left out, and a
 * file stops at PROC_NET_MAX bytes (at a line's end). */
#include "proc/proc.h"

#define PROC_NET_MAX (1024 * 1024)
#define DIR_PREFIX "/proc/net"

static const char *const net_files[] = {
    "dev", "if_inet6", "ipv6_route", "route", "tcp", "tcp6", "udp", "udp6", "raw", "raw6",
};

int proc_net_find(const char *inside, bool *is_dir)
{
    size_t n = sizeof(DIR_PREFIX) - 1;
    if (strncmp(inside, DIR_PREFIX, n) || (inside[n] && inside[n] != '/'))
        return -1;
    *is_dir = !inside[n];
    if (*is_dir)
        return (int)ARRAY_LEN(net_files);
    for (size_t i = 0; i < ARRAY_LEN(net_files); i++)
        if (!strcmp(inside + n + 1, net_files[i]))
            return (int)i;
    return -1;
}

static bool line_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 0x20 && s[i] < 0x7f) || s[i] == '\t'))
            return false;
    return true;
}

/* The whole lines of raw[0, n) that line_ok takes, in place; their bytes. */
static size_t keep_lines(char *raw, size_t n)
{
    size_t out = 0, at = 0;
    while (at < n) {
        size_t len = 0;
        while (at + len < n && raw[at + len] != '\n')
            len++;
        if (at + len == n) /* a last line with no end: cut off, or not a line at all */
            break;
        len++;
        if (line_ok(raw + at, len - 1)) {
            memmove(raw + out, raw + at, len);
            out += len;
        }
        at += len;
    }
    return out;
}

/* The host's /proc/net/<name>, filtered; NULL when it cannot be read. */
static char *host_text(const char *name, size_t *len)
{
    char path[64];
    size_t got;
    snprintf(path, sizeof(path), DIR_PREFIX "/%s", name);
    char *t = vfs_read_host(path, PROC_NET_MAX, &got);
    if (t)
        *len = keep_lines(t, got);
    return t;
}

char *proc_net_text(int idx, size_t *len)
{
    *len = 0;
    if (idx >= 0 && idx < (int)ARRAY_LEN(net_files))
        return host_text(net_files[idx], len);
    size_t cap = 64 + ARRAY_LEN(net_files) * 16, k;
    char *t = malloc(cap);
    if (!t)
        return NULL;
    k = (size_t)snprintf(t, cap, "d .\nd ..\n");
    for (size_t i = 0; i < ARRAY_LEN(net_files); i++)
        k += (size_t)snprintf(t + k, cap - k, "r %s\n", net_files[i]);
    *len = k;
    return t;
}
