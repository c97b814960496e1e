/* Questions about an unpacked root file system that turning the image
 * config into a manifest asks: who a User is, where argv[0] is. Only the
 * image's own files are read (rootfs/etc/passwd, rootfs/etc/group). */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "oci/oci.h"

static bool numeric(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* The line of rootfs/etc/FILE whose field key (0: the name, 2: the id) is
 * value: its id (field 2) and, in passwd, its primary group (field 3).
 * 0, or -1 when there is none. */
static int etc_lookup(const char *rootfs, const char *file, int key, const char *value, long *id,
                      long *gid)
{
    char p[2 * PATH_MAX], line[1024];
    snprintf(p, sizeof(p), "%s/etc/%s", rootfs, file);
    FILE *f = fopen(p, "r");
    int rc = -1;
    while (f && rc && fgets(line, sizeof(line), f)) {
        char *fields[4] = {0}, *s = line;
        for (int i = 0; i < 4 && s; i++) {
            fields[i] = s;
            s = strchr(s, ':');
            if (s)
                *s++ = '\0';
        }
        if (fields[2] && !strcmp(fields[key], value)) {
            *id = strtol(fields[2], NULL, 10);
            if (gid && fields[3])
                *gid = strtol(fields[3], NULL, 10);
            rc = 0;
        }
    }
    if (f)
        fclose(f);
    return rc;
}

int oci_resolve_user(const char *rootfs, const char *user, long *uid, long *gid, char *err,
                     size_t n)
{
    char u[256];
    long dummy;
    snprintf(u, sizeof(u), "%s", user);
    char *g = strchr(u, ':');
    if (g)
        *g++ = '\0';
    *gid = 0;
    if (numeric(u)) {
        *uid = strtol(u, NULL, 10);
        etc_lookup(rootfs, "passwd", 2, u, &dummy, gid); /* its primary group, if listed */
    } else if (etc_lookup(rootfs, "passwd", 0, u, uid, gid)) {
        snprintf(err, n, "User '%s': no user '%s' in the image's /etc/passwd", user, u);
        return -1;
    }
    if (g && numeric(g)) {
        *gid = strtol(g, NULL, 10);
    } else if (g && etc_lookup(rootfs, "group", 0, g, gid, NULL)) {
        snprintf(err, n, "User '%s': no group '%s' in the image's /etc/group", user, g);
        return -1;
    }
    return 0;
}

char *oci_find_program(const char *rootfs, const char *prog, const char *path_env,
                       const char *workdir)
{
    char p[PATH_MAX * 2];
    if (strchr(prog, '/')) {
        if (prog[0] == '/' || !workdir)
            return strdup(prog);
        snprintf(p, sizeof(p), "%s/%s", workdir, prog);
        return strdup(p);
    }
    char *dirs = strdup(path_env ? path_env : OCI_DEFAULT_PATH), *save = NULL;
    char *found = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        struct stat st;
        snprintf(p, sizeof(p), "%s/%s/%s", rootfs, d, prog);
        if (lstat(p, &st) == 0 && !S_ISDIR(st.st_mode)) {
            snprintf(p, sizeof(p), "%s/%s", d, prog);
            found = strdup(p);
        }
    }
    free(dirs);
    return found;
}
