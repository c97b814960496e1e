/* sys.enable_extra_runtime_domain_names_conf (Gramine's key): the host's
 * name resolution settings, taken once at start and checked, as files of
 * the libOS's own that take precedence over any mount: /etc/resolv.conf
 * (only "nameserver ADDRESS", "search DOMAINS" and "options" with edns0,
 * inet6, rotate and use-vc; every other line or word dropped), and the
 * host's name for uname's nodename and /proc/sys/kernel/hostname. Inside an
 * enclave the host's files are untrusted input: what does not parse is
 * left out, never passed on. */
#include <linux/fcntl.h>

#include "fs/vfs.h"

#define RESOLV_MAX 4096
#define HOST_READ_MAX 16384

static char resolv[RESOLV_MAX];
static size_t resolv_len;
static bool enabled;
static char hostname[65] = LIBOS_UTS_NODENAME;

static bool is_domain_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

/* An IPv4 or IPv6 address's characters (an IPv6 scope "%eth0" included),
 * 2..45 of them: the resolver parses it; nothing else passes. */
static bool is_address(const char *w, size_t n)
{
    if (n < 2 || n > 45)
        return false;
    bool colon = false, dot = false;
    for (size_t i = 0; i < n; i++) {
        char c = w[i];
        colon |= c == ':', dot |= c == '.';
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
              c == ':' || c == '.' || c == '%' || (colon && is_domain_char(c))))
            return false;
    }
    return colon || dot;
}

static bool is_domain(const char *w, size_t n)
{
    if (n == 0 || n > 253)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_domain_char(w[i]))
            return false;
    return true;
}

static bool is_option(const char *w, size_t n)
{
    static const char *const ok[] = {"edns0", "inet6", "rotate", "use-vc"};
    for (size_t i = 0; i < ARRAY_LEN(ok); i++)
        if (strlen(ok[i]) == n && !memcmp(ok[i], w, n))
            return true;
    return false;
}

static void out(const char *s, size_t n)
{
    if (resolv_len + n < sizeof(resolv)) {
        memcpy(resolv + resolv_len, s, n);
        resolv_len += n;
        resolv[resolv_len] = 0;
    }
}

/* One line of the host's resolv.conf: kept (checked words only) or not. */
static void take_line(const char *l, size_t n)
{
    const char *w[8];
    size_t len[8], k = 0;
    for (size_t i = 0; i < n && k < ARRAY_LEN(w);) {
        while (i < n && (l[i] == ' ' || l[i] == '\t'))
            i++;
        if (i >= n || l[i] == '#' || l[i] == ';')
            break;
        w[k] = l + i;
        while (i < n && l[i] != ' ' && l[i] != '\t')
            i++;
        len[k] = (size_t)(l + i - w[k]);
        k++;
    }
    if (k == 0)
        return;
    if (k == 2 && len[0] == 10 && !memcmp(w[0], "nameserver", 10) && is_address(w[1], len[1])) {
        out("nameserver ", 11), out(w[1], len[1]), out("\n", 1);
        return;
    }
    bool search = len[0] == 6 && !memcmp(w[0], "search", 6);
    bool options = len[0] == 7 && !memcmp(w[0], "options", 7);
    if (k < 2 || !(search || options))
        return;
    size_t start = resolv_len, words = 0;
    out(w[0], len[0]);
    for (size_t i = 1; i < k; i++)
        if (search ? is_domain(w[i], len[i]) : is_option(w[i], len[i]))
            out(" ", 1), out(w[i], len[i]), words++;
    if (!words)
        resolv_len = start, resolv[start] = 0;
    else
        out("\n", 1);
}

void etc_conf_init(bool on)
{
    enabled = on;
    resolv_len = 0, resolv[0] = 0;
    memcpy(hostname, LIBOS_UTS_NODENAME, sizeof(LIBOS_UTS_NODENAME));
    if (!on)
        return;
    size_t got;
    char *buf = vfs_read_host("/etc/resolv.conf", HOST_READ_MAX - 1, &got);
    long n = buf ? (long)got : -1;
    for (long i = 0, start = 0; n > 0 && i <= n; i++)
        if (i == n || buf[i] == '\n') {
            take_line(buf + start, (size_t)(i - start));
            start = i + 1;
        }
    free(buf);
    buf = vfs_read_host("/proc/sys/kernel/hostname", 79, &got);
    n = buf ? (long)got : -1;
    size_t len = 0;
    while (n > 0 && len < (size_t)n && is_domain_char(buf[len]))
        len++;
    if (len > 0 && len < sizeof(hostname) && (n == (long)len || buf[len] == '\n')) {
        memcpy(hostname, buf, len);
        hostname[len] = 0;
    }
    free(buf);
}

const char *etc_conf_hostname(void) { return hostname; }

static bool owns(const char *inside) { return enabled && !strcmp(inside, "/etc/resolv.conf"); }

static long r_pread(struct file *f, void *b, size_t n, int64_t o)
{
    (void)f;
    if (o < 0)
        return -PAL_EINVAL;
    if ((uint64_t)o >= resolv_len)
        return 0;
    size_t k = resolv_len - (size_t)o < n ? resolv_len - (size_t)o : n;
    memcpy(b, resolv + o, k);
    return (long)k;
}

/* The position lives in the handle word (no host handle behind it). */
static long r_read(struct file *f, void *b, size_t n)
{
    long r = r_pread(f, b, n, (int64_t)f->h);
    if (r > 0)
        f->h += (pal_handle)r;
    return r;
}

static long r_seek(struct file *f, int64_t o, int whence)
{
    int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t)f->h : whence == 2 ? (int64_t)resolv_len : -1;
    if (base < 0 || base + o < 0)
        return -PAL_EINVAL;
    f->h = (pal_handle)(base + o);
    return base + o;
}

static void fill_stat(struct pal_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->mode = 0100644;
    st->nlink = 1;
    st->size = resolv_len;
    st->blksize = 4096;
    st->ino = 2000;
}

static long r_fstat(struct file *f, struct pal_stat *st)
{
    (void)f;
    fill_stat(st);
    return 0;
}

static long r_write(struct file *f, const void *b, size_t n)
{
    (void)f, (void)b, (void)n;
    return -PAL_EBADF; /* opened read-only: see etc_conf_open */
}

static const struct file_ops resolv_ops = {
    .read = r_read, .write = r_write, .pread = r_pread, .seek = r_seek, .fstat = r_fstat};

int etc_conf_stat(const char *inside, struct pal_stat *st)
{
    if (!owns(inside))
        return -PAL_ENOENT;
    fill_stat(st);
    return 0;
}

int etc_conf_open(const char *inside, int flags, struct file **out)
{
    if (!owns(inside))
        return -PAL_ENOENT;
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
        return -PAL_EACCES; /* the host's settings, read-only */
    struct file *f = file_new(&resolv_ops, 0, flags);
    if (!f || !(f->path = strdup(inside))) {
        free(f);
        return -PAL_ENOMEM;
    }
    *out = f;
    return 0;
}
