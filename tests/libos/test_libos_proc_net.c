/* libOS unit tier: proc/proc_net.c, /proc/net. The host's network files
 * come from a fake PAL (the host is not trusted): lines of printable ASCII
 * and tabs pass as they are, a line with any other byte is left out, a
 * last line with no end is dropped, a big file is read whole up to the
 * cap, a file the host does not have is none, and the directory lists the
 * files and nothing else. */
#include <linux/fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_pal.h"
#include "proc/proc.h"

static const char *host_text;
static size_t host_len, host_pos, host_chunk;
static char opened[64];

static long f_open(const char *path, int flags, uint32_t mode, pal_handle *out)
{
    (void)flags, (void)mode;
    snprintf(opened, sizeof(opened), "%s", path);
    if (!host_text)
        return -PAL_ENOENT;
    host_pos = 0;
    *out = 1;
    return 0;
}

static long f_read(pal_handle h, void *buf, size_t len)
{
    (void)h;
    size_t n = host_len - host_pos;
    n = n < len ? n : len;
    n = host_chunk && n > host_chunk ? host_chunk : n;
    memcpy(buf, host_text + host_pos, n);
    host_pos += n;
    return (long)n;
}

static long f_close(pal_handle h)
{
    (void)h;
    return 0;
}

static struct pal_api api;

static char *text_of(const char *path, const char *host, size_t hlen, size_t *len)
{
    bool dir = true;
    host_text = host, host_len = hlen;
    int idx = proc_net_find(path, &dir);
    return idx < 0 || dir ? NULL : proc_net_text(idx, len);
}

int main(void)
{
    size_t len = 0;
    bool dir = false;
    fake_pal_init();
    api = *pal;
    api.file_open = f_open, api.read = f_read, api.close = f_close;
    pal = &api;

    const char *v6 = "00000000000000000000000000000001 01 80 10 80       lo\n";
    char *t = text_of("/proc/net/if_inet6", v6, strlen(v6), &len);
    CHECK(t && len == strlen(v6) && !memcmp(t, v6, len) && !strcmp(opened, "/proc/net/if_inet6"),
          "if_inet6: the host's file, as it is");
    free(t);
    const char mixed[] = "ok line\tone\nbad \x01 line\nutf8 \xc3\xa9\nok two\nno end";
    t = text_of("/proc/net/dev", mixed, sizeof(mixed) - 1, &len);
    CHECK(t && len == strlen("ok line\tone\nok two\n") && !memcmp(t, "ok line\tone\nok two\n", len),
          "dev: lines with a control or non-ASCII byte left out, a last line with no end dropped");
    free(t);
    const char nul[] = "a\0b\nc\n";
    t = text_of("/proc/net/tcp", nul, sizeof(nul) - 1, &len);
    CHECK(t && len == 2 && !memcmp(t, "c\n", 2), "tcp: a line with a NUL left out");
    free(t);
    size_t big = 3 * 1024 * 1024;
    char *many = malloc(big);
    for (size_t i = 0; i < big; i++)
        many[i] = i % 64 == 63 ? '\n' : 'x';
    host_chunk = 5000;
    t = text_of("/proc/net/tcp6", many, big, &len);
    CHECK(t && len == 1024 * 1024 && t[len - 1] == '\n', "tcp6: 3 MiB in 5,000-byte reads -> the first MiB");
    host_chunk = 0;
    free(t);
    free(many);
    t = text_of("/proc/net/if_inet6", NULL, 0, &len);
    CHECK(!t, "if_inet6 the host does not have: none (ENOENT)");
    CHECK(proc_net_find("/proc/net/nosuch", &dir) < 0 && proc_net_find("/proc/network", &dir) < 0 &&
              proc_net_find("/proc/net/../net/dev", &dir) < 0,
          "unknown names are not found");
    int d = proc_net_find("/proc/net", &dir);
    t = d >= 0 && dir ? proc_net_text(d, &len) : NULL;
    CHECK(t && strstr(t, "r if_inet6\n") && strstr(t, "r dev\n") && strstr(t, "d .\n") &&
              !strstr(t, "nosuch"),
          "the directory lists its files");
    free(t);
    return fake_done();
}
