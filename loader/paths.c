#include <limits.h>
#include <stdio.h>
#include <string.h>
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
