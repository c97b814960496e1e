#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

static int has_libos(const char *dir)
{
    char path[2 * PATH_MAX];
    snprintf(path, sizeof(path), "%s/libos.elf", dir);
    return access(path, R_OK) == 0;
}

int geode_runtime_dir(char *buf, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0 || size < 2)
        return -1;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    *slash = '\0';
    char installed[PATH_MAX + 16];
    snprintf(installed, sizeof(installed), "%s/../lib/geode", exe);
    if (!has_libos(exe) && has_libos(installed)) {
        snprintf(buf, size, "%s", installed);
        return 0;
    }
    snprintf(buf, size, "%s", exe);
    return has_libos(exe) ? 0 : -1;
}

int geode_cache_path(const char *env, const char *name, char *buf, size_t size)
{
    const char *v = getenv(env), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;

    if (v && !strcmp(v, "off"))
        return -1;
    if (v && *v)
        n = snprintf(buf, size, "%s", v);
    else if (xdg && *xdg)
        n = snprintf(buf, size, "%s/geode/%s", xdg, name);
    else if (home && *home)
        n = snprintf(buf, size, "%s/.cache/geode/%s", home, name);
    else
        return -1;
    return n > 0 && (size_t)n < size ? 0 : -1;
}

void geode_make_parent_dirs(const char *path)
{
    char dir[4096];
    size_t n = strlen(path);

    if (n >= sizeof(dir))
        return;
    memcpy(dir, path, n + 1);
    for (char *s = strchr(dir + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = 0;
        if (mkdir(dir, 0700) && errno != EEXIST)
            return;
        *s = '/';
    }
}
