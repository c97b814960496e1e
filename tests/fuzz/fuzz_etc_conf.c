/* libFuzzer target: the libOS's reading of the host's /etc/resolv.conf and
 * host name for sys.enable_extra_runtime_domain_names_conf
 * (libos/fs/etc_conf.c, compiled here as it is). The input is the host's
 * two files (split at the first NUL: resolv.conf, then the host name),
 * which in an enclave the host controls. Every result must hold: each line
 * is "nameserver ADDR", "search DOMAINS" or "options WORDS" of checked
 * characters, the text fits its buffer and ends in a newline, and the host
 * name is 1..64 name characters. */
#include "../../libos/fs/etc_conf.c"
#include "../../libos/fs/host_read.c"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t *in_data[2];
static size_t in_size[2], in_pos[2];

static long f_open(const char *path, int flags, uint32_t mode, pal_handle *out)
{
    (void)flags, (void)mode;
    *out = strcmp(path, "/etc/resolv.conf") ? 1 : 0;
    return 0;
}

static long f_read(pal_handle h, void *buf, size_t len)
{
    size_t n = in_size[h] - in_pos[h];
    n = n < len ? n : len;
    n = n > 97 ? 97 : n; /* short reads, as a host may give */
    memcpy(buf, in_data[h] + in_pos[h], n);
    in_pos[h] += n;
    return (long)n;
}

static long f_close(pal_handle h)
{
    (void)h;
    return 0;
}

static const struct pal_api fuzz_pal = {
    .version = PAL_API_VERSION,
    .size = sizeof(struct pal_api),
    .file_open = f_open,
    .read = f_read,
    .close = f_close,
};
const struct pal_api *pal = &fuzz_pal;

struct file *file_new(const struct file_ops *ops, pal_handle h, int flags)
{
    struct file *f = calloc(1, sizeof(*f));
    if (f)
        f->refs = 1, f->ops = ops, f->h = h, f->flags = flags;
    return f;
}

void file_put(struct file *f)
{
    if (f && --f->refs == 0) {
        free(f->path);
        free(f);
    }
}

static void check(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "finding: %s\nresolv.conf now:\n%s\nhost name: %s\n", what, resolv,
                hostname);
        abort();
    }
}

static int word_ok(char c)
{
    return is_domain_char(c) || c == ':' || c == '%' || c == ' ';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t first = nul ? (size_t)(nul - data) : size;
    in_data[0] = data, in_size[0] = first;
    in_data[1] = nul ? nul + 1 : data + size, in_size[1] = nul ? size - first - 1 : 0;
    in_pos[0] = in_pos[1] = 0;
    etc_conf_init(true);

    check(resolv_len < sizeof(resolv) && strlen(resolv) == resolv_len, "length");
    check(resolv_len == 0 || resolv[resolv_len - 1] == '\n', "ends in a newline");
    for (const char *l = resolv; *l;) {
        const char *e = strchr(l, '\n');
        check(e != NULL, "a line without its newline");
        check(!strncmp(l, "nameserver ", 11) || !strncmp(l, "search ", 7) ||
                  !strncmp(l, "options ", 8),
              "a line that is not nameserver, search or options");
        for (const char *c = l; c < e; c++)
            check(word_ok(*c), "a character outside names and addresses");
        l = e + 1;
    }
    size_t hn = strlen(hostname);
    check(hn >= 1 && hn <= 64, "host name length");
    for (size_t i = 0; i < hn; i++)
        check(is_domain_char(hostname[i]), "host name character");

    struct file *f = NULL;
    if (etc_conf_open("/etc/resolv.conf", O_RDONLY, &f) == 0) {
        char buf[RESOLV_MAX];
        long n = f->ops->read(f, buf, sizeof(buf));
        check(n == (long)resolv_len && !memcmp(buf, resolv, resolv_len), "read gives the text");
        file_put(f);
    }
    return 0;
}
