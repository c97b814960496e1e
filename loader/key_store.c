/* Small per-user cache files named by a key (key_store.h). */
#include "key_store.h"
#include "manifest/cache_path.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXT_MAX 15

static bool locate(const struct key_store *s, char *dir, size_t size)
{
    return strlen(s->ext) <= EXT_MAX && geode_cache_path(s->env, s->name, dir, size) == 0;
}

static bool entry_path(const struct key_store *s, const uint8_t key[32], char *path, size_t size)
{
    char dir[4096];
    int n;

    if (!locate(s, dir, sizeof(dir)))
        return false;
    n = snprintf(path, size, "%s/", dir);
    for (int i = 0; i < 32 && n > 0 && (size_t)n + 2 < size; i++)
        n += snprintf(path + n, size - (size_t)n, "%02x", key[i]);
    return n > 0 && (size_t)n + strlen(s->ext) < size &&
           snprintf(path + n, size - (size_t)n, "%s", s->ext) == (int)strlen(s->ext);
}

ssize_t key_store_load(const struct key_store *s, const uint8_t key[32], void *buf, size_t size)
{
    char path[4200];
    uint8_t *tmp = malloc(size + 1); /* a longer file is not an entry */
    ssize_t n = -1;
    int fd;

    if (tmp && entry_path(s, key, path, sizeof(path)) && (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
        n = read(fd, tmp, size + 1);
        close(fd);
        if (n < 0 || (size_t)n > size) {
            n = -1;
        } else {
            memcpy(buf, tmp, (size_t)n);
            utimensat(AT_FDCWD, path, NULL, 0); /* used now */
        }
    }
    free(tmp);
    return n;
}

struct aged {
    struct timespec t;
    char name[64 + EXT_MAX + 1];
};

static int older(const void *a, const void *b)
{
    const struct timespec *x = &((const struct aged *)a)->t, *y = &((const struct aged *)b)->t;

    return x->tv_sec != y->tv_sec ? (x->tv_sec < y->tv_sec ? -1 : 1)
                                  : (x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec);
}

/* Keeps the directory under max_entries entries. */
static void prune(const struct key_store *s, const char *dir)
{
    size_t ext = strlen(s->ext), n = 0, cap = 0;
    struct aged *e = NULL;
    DIR *d = opendir(dir);
    struct dirent *de;

    if (!d)
        return;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        struct stat st;
        if (len != 64 + ext || strcmp(de->d_name + 64, s->ext) || fstatat(dirfd(d), de->d_name, &st, 0))
            continue;
        if (n == cap) {
            struct aged *m = realloc(e, (cap = cap ? cap * 2 : 64) * sizeof(*e));
            if (!m)
                break;
            e = m;
        }
        e[n].t = st.st_mtim;
        memcpy(e[n].name, de->d_name, len + 1);
        n++;
    }
    if (n > s->max_entries) {
        qsort(e, n, sizeof(*e), older);
        for (size_t i = 0; i < n - s->max_entries / 2; i++)
            unlinkat(dirfd(d), e[i].name, 0);
    }
    closedir(d);
    free(e);
}

void key_store_save(const struct key_store *s, const uint8_t key[32], const void *buf, size_t n)
{
    char path[4200], tmp[4300], dir[4096];
    int fd;

    if (!entry_path(s, key, path, sizeof(path)) || !locate(s, dir, sizeof(dir)))
        return;
    geode_make_parent_dirs(path);
    snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)gettid()); /* two threads may save one entry */
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    bool ok = write(fd, buf, n) == (ssize_t)n;
    ok = !close(fd) && ok;
    if (!ok || rename(tmp, path))
        unlink(tmp);
    else
        prune(s, dir);
}

void key_store_drop(const struct key_store *s, const uint8_t key[32])
{
    char path[4200];

    if (entry_path(s, key, path, sizeof(path)))
        unlink(path);
}
