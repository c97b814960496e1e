/* libOS unit tier: fs/etc_conf.c, sys.enable_extra_runtime_domain_names_conf.
 * The host's /etc/resolv.conf and host name come from a fake PAL (the
 * host is not trusted): only well-formed nameserver, search and options
 * lines and known options reach the program; a bad host name is not
 * taken; the file is read-only and reads, seeks and stat agree. */
#include <linux/fcntl.h>
#include <stdio.h>
#include <string.h>

#include "fake_pal.h"
#include "fs/vfs.h"

static const char *host_resolv, *host_name;

static long f_open(const char *path, int flags, uint32_t mode, pal_handle *out)
{
    (void)flags, (void)mode;
    if (!strcmp(path, "/etc/resolv.conf") && host_resolv)
        *out = 1;
    else if (!strcmp(path, "/proc/sys/kernel/hostname") && host_name)
        *out = 2;
    else
        return -PAL_ENOENT;
    return 0;
}

static size_t pos[3];
static long f_read(pal_handle h, void *buf, size_t len)
{
    const char *s = h == 1 ? host_resolv : host_name;
    size_t n = strlen(s) - pos[h];
    n = n < len ? n : len;
    memcpy(buf, s + pos[h], n);
    pos[h] += n;
    return (long)n;
}

static long f_close(pal_handle h)
{
    pos[h] = 0;
    return 0;
}

static struct pal_api api;

static void setup(const char *resolv, const char *name, bool on)
{
    fake_pal_init();
    api = *pal;
    api.file_open = f_open, api.read = f_read, api.close = f_close;
    pal = &api;
    host_resolv = resolv, host_name = name;
    etc_conf_init(on);
}

static void read_all(char *buf, size_t cap)
{
    struct file *f = NULL;
    buf[0] = 0;
    if (etc_conf_open("/etc/resolv.conf", O_RDONLY, &f) != 0)
        return;
    long n = f->ops->read(f, buf, cap - 1);
    buf[n > 0 ? n : 0] = 0;
    file_put(f);
}

int main(void)
{
    char got[4096];
    struct pal_stat st;

    setup("# comment\nnameserver 10.0.0.1\nnameserver   2001:db8::1  \n"
          "nameserver 1.2.3.4 extra\nnameserver $(evil)\nsearch example.com bad/dom ok.org\n"
          "options edns0 ndots:5 rotate\nsortlist 1.2.3.4\ndomain x.y\noptions foo\n"
          "search\n\tnameserver\t192.168.1.1",
          "host-1.example\n", true);
    read_all(got, sizeof(got));
    CHECK(!strcmp(got, "nameserver 10.0.0.1\nnameserver 2001:db8::1\nsearch example.com ok.org\n"
                       "options edns0 rotate\nnameserver 192.168.1.1\n"),
          "resolv.conf: only checked lines and words: [%s]", got);
    CHECK(!strcmp(etc_conf_hostname(), "host-1.example"), "the host's name is taken: %s",
          etc_conf_hostname());
    CHECK(etc_conf_stat("/etc/resolv.conf", &st) == 0 && (size_t)st.size == strlen(got) &&
              (st.mode & 0170000) == 0100000,
          "stat: a regular file of the text's size");
    struct file *f = NULL;
    CHECK(etc_conf_open("/etc/resolv.conf", O_WRONLY, &f) == -PAL_EACCES &&
              etc_conf_open("/etc/resolv.conf", O_RDONLY | O_TRUNC, &f) == -PAL_EACCES,
          "open for writing or O_TRUNC: EACCES");
    CHECK(etc_conf_open("/etc/resolv.conf", O_RDONLY, &f) == 0, "open read-only");
    char part[8];
    CHECK(f->ops->seek(f, 11, 0) == 11 && f->ops->read(f, part, 7) == 7 && !memcmp(part, "10.0.0.", 7),
          "seek and read");
    CHECK(f->ops->pread(f, part, 4, 0) == 4 && !memcmp(part, "name", 4) &&
              f->ops->pread(f, part, 4, 100000) == 0 && f->ops->seek(f, -1, 0) == -PAL_EINVAL,
          "pread at 0, past the end; a negative position is EINVAL");
    file_put(f);
    CHECK(etc_conf_stat("/etc/hosts", &st) == -PAL_ENOENT, "other paths are not its own");

    setup("nameserver 10.0.0.1\n", "bad name!\n", true);
    CHECK(!strcmp(etc_conf_hostname(), LIBOS_UTS_NODENAME), "a host name with a bad character is not taken");
    setup(NULL, NULL, true);
    read_all(got, sizeof(got));
    CHECK(got[0] == 0 && etc_conf_stat("/etc/resolv.conf", &st) == 0 && st.size == 0,
          "no host resolv.conf: an empty file");
    setup("nameserver 10.0.0.1\n", "h\n", false);
    CHECK(etc_conf_stat("/etc/resolv.conf", &st) == -PAL_ENOENT, "key off: no file of its own");
    return fake_done();
}
