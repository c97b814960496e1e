/* Lexical path resolution and the current directory. Symlinks are left to
 * the host (chroot mounts) for now; ".." never climbs above "/". */
#include <linux/fcntl.h>

#include "fs/vfs.h"

static char cwd[PATH_MAX_LEN] = "/";
static spinlock_t cwd_lock;

/* Appends component c (length n) to out, or pops one for "..". */
static int push_component(char *out, size_t *len, size_t size, const char *c, size_t n)
{
    if (n == 0 || (n == 1 && c[0] == '.'))
        return 0;
    if (n == 2 && c[0] == '.' && c[1] == '.') {
        while (*len > 0 && out[*len - 1] != '/')
            (*len)--;
        if (*len > 0)
            (*len)--;
        return 0;
    }
    if (*len + 1 + n + 1 > size)
        return -PAL_ENAMETOOLONG;
    out[(*len)++] = '/';
    memcpy(out + *len, c, n);
    *len += n;
    return 0;
}

static int walk(const char *p, char *out, size_t *len, size_t size)
{
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        int r = push_component(out, len, size, p, n);
        if (r < 0)
            return r;
        p += n;
        while (*p == '/')
            p++;
    }
    return 0;
}

int path_normalize(const char *base, const char *path, char *out, size_t size)
{
    size_t len = 0;
    if (!path[0])
        return -PAL_ENOENT;
    if (strnlen(path, PATH_MAX_LEN) >= PATH_MAX_LEN)
        return -PAL_ENAMETOOLONG;
    int r = path[0] == '/' ? 0 : walk(base, out, &len, size);
    if (r == 0)
        r = walk(path, out, &len, size);
    if (r < 0)
        return r;
    if (len == 0)
        out[len++] = '/';
    out[len] = 0;
    return 0;
}

const char *vfs_cwd(void) { return cwd; }

const char *vfs_magic_link(const char *inside)
{
    char mine[32];
    snprintf(mine, sizeof(mine), "/proc/%d/exe", libos_pid);
    if (!strcmp(inside, "/proc/self/exe") || !strcmp(inside, mine))
        return libos_cfg.exec_path;
    return inside;
}

int vfs_set_cwd(const char *inside)
{
    size_t n = strlen(inside);
    if (n >= sizeof(cwd))
        return -PAL_ENAMETOOLONG;
    spin_lock(&cwd_lock);
    memcpy(cwd, inside, n + 1);
    spin_unlock(&cwd_lock);
    return 0;
}

int vfs_resolve(int dirfd, const char *path, char *out, size_t size)
{
    if (path[0] == '/' || dirfd == AT_FDCWD)
        return path_normalize(cwd, path, out, size);
    struct file *f = fd_get(dirfd);
    if (!f)
        return -PAL_EBADF;
    int r = (!f->is_dir || !f->path) ? -PAL_ENOTDIR : path_normalize(f->path, path, out, size);
    file_put(f);
    return r;
}
