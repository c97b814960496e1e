/* Per-user cache files (cache_path.h). */
#include "manifest/cache_path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
